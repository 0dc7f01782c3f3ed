package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	bberrors "go.etcd.io/bbolt/errors"

	"github.com/civicworks/open311/pkg/seal"
	"github.com/civicworks/open311/pkg/seal/kmsseal"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/bolt"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// adminStore is what the commands need of a store: the catalog, the keys, writing both, and
// reading a request (for its sealed reporter).
type adminStore interface {
	store.Admin
	store.Catalog
	store.Keys
	store.Requests
	store.Reporters
}

// The stores the tool works with.
const (
	storeBolt   = "bolt"
	storeDynamo = "dynamo"
)

// boltFile is the file name of the local stack's store in its data folder.
const boltFile = "open311.db"

// personalKeyFile is the local stack's key of reporters' personal data, in its data folder
// (infra/local keeps it there).
const personalKeyFile = "personal.key"

// motoPort is the port infra/moto/start.sh runs moto on by default.
const motoPort = 5055

// backend is the store the global flags chose.
type backend struct {
	kind     string // storeBolt or storeDynamo
	data     string // bolt: the data folder
	table    string // dynamo: the table name
	endpoint string // dynamo: the endpoint URL (-endpoint, else AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL)
	local    bool   // dynamo: the endpoint is on this machine (a loopback address): a test server
	getenv   func(string) string
}

// check validates the global flags (fs, already parsed) and fills in the table from
// TABLE_NAME. A flag of the other store is refused rather than silently ignored, so that an
// operator who meant DynamoDB does not write to a local file.
func (b *backend) check(fs *flag.FlagSet, getenv func(string) string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch b.kind {
	case storeBolt:
		for _, name := range []string{"table", "endpoint"} {
			if set[name] {
				return badUsage("-%s is for -store dynamo; the bolt store is the file in -data", name)
			}
		}
		if b.data == "" {
			return badUsage("-data must name a folder")
		}
	case storeDynamo:
		if set["data"] {
			return badUsage("-data is for -store bolt; DynamoDB is chosen with -table")
		}
		if b.table == "" {
			b.table = getenv("TABLE_NAME")
		}
		if b.table == "" {
			return badUsage("-store dynamo needs -table NAME or TABLE_NAME in the environment")
		}
		b.getenv = getenv
		if b.endpoint == "" {
			b.endpoint = getenv("AWS_ENDPOINT_URL_DYNAMODB")
		}
		if b.endpoint == "" {
			b.endpoint = getenv("AWS_ENDPOINT_URL")
		}
		if b.endpoint != "" {
			u, err := url.Parse(b.endpoint)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return badUsage("the DynamoDB endpoint is %q: want a URL such as http://127.0.0.1:%d (a moto server)", b.endpoint, motoPort)
			}
			b.local = isLoopback(u.Hostname())
		}
	default:
		return badUsage("-store is %q, want bolt or dynamo", b.kind)
	}
	return nil
}

// String names the store for messages: the bolt file, or the DynamoDB table.
func (b *backend) String() string {
	if b.kind == storeDynamo {
		if b.endpoint != "" {
			return fmt.Sprintf("DynamoDB table %s at %s", b.table, b.endpoint)
		}
		return "DynamoDB table " + b.table
	}
	return "bolt store " + b.boltPath()
}

func (b *backend) boltPath() string { return filepath.Join(b.data, boltFile) }

// open opens the chosen store. With create, a missing bolt file (and its folder) is made;
// without, a missing file is an error, since reading or revoking in an empty store is a mistake
// about where the store is. The caller must call done.
func (b *backend) open(ctx context.Context, create bool) (st adminStore, done func(), err error) {
	if b.kind == storeDynamo {
		client, err := b.client(ctx)
		if err != nil {
			return nil, nil, err
		}
		return dynamo.New(client, b.table), func() {}, nil
	}
	path := b.boltPath()
	if create {
		if err := os.MkdirAll(b.data, 0o750); err != nil {
			return nil, nil, fmt.Errorf("create data folder: %w", err)
		}
	} else if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("no store at %s: give the local stack's data folder with -data, or load a catalog first", path)
	}
	bs, err := bolt.Open(path)
	if errors.Is(err, bberrors.ErrTimeout) {
		return nil, nil, fmt.Errorf("another program is using %s (one at a time may open it): stop the local server (go run ./infra/local) and try again", path)
	}
	if err != nil {
		return nil, nil, err
	}
	return bs, func() { _ = bs.Close() }, nil
}

// awsConfig returns the configuration of the AWS clients. For an endpoint on this machine (a
// moto server) it needs no AWS configuration at all: the region is AWS_REGION's (default
// us-east-1) and the credentials are AWS_ACCESS_KEY_ID's or dummy ones, and nothing else is
// consulted, so the SDK never goes looking for an instance role on the network. Otherwise it is
// the SDK's default configuration (environment, shared files, SSO, instance roles), checked up
// front so that a missing region or missing credentials are said in one line.
func (b *backend) awsConfig(ctx context.Context) (aws.Config, error) {
	if b.local {
		region := firstOf(b.getenv("AWS_REGION"), b.getenv("AWS_DEFAULT_REGION"), "us-east-1")
		id, secret := b.getenv("AWS_ACCESS_KEY_ID"), b.getenv("AWS_SECRET_ACCESS_KEY")
		if id == "" || secret == "" {
			id, secret = "test", "test" // moto accepts any
		}
		return aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")}, nil
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, errors.New("no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION, or a profile's region with AWS_PROFILE); for a moto server give -endpoint http://127.0.0.1:5055")
	}
	check, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(check); err != nil {
		return aws.Config{}, fmt.Errorf("no AWS credentials (aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID set them; for a moto server give -endpoint http://127.0.0.1:%d): %s", motoPort, oneLine(err))
	}
	return cfg, nil
}

// client returns a DynamoDB client of the endpoint chosen (see awsConfig).
func (b *backend) client(ctx context.Context) (*dynamodb.Client, error) {
	cfg, err := b.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if b.endpoint != "" {
			o.BaseEndpoint = aws.String(b.endpoint)
		}
	}), nil
}

// opener returns what opens the personal data the store keeps sealed: the local stack's key
// file in the data folder (never made here: a new key would open nothing), or KMS, with the
// operator's credentials (only the roles the stack's PersonalDataOperators parameter names, and
// the account, may decrypt). KMS's endpoint is AWS_ENDPOINT_URL_KMS's, else the DynamoDB
// endpoint's when that is on this machine (moto serves every service at one address), else AWS's.
func (b *backend) opener(ctx context.Context) (seal.Opener, error) {
	if b.kind != storeDynamo {
		path := filepath.Join(b.data, personalKeyFile)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no personal data key at %s: it is made by the local server (go run ./infra/local) with the data folder; without it nothing sealed can be opened", path)
		}
		return seal.KeyFile(path)
	}
	cfg, err := b.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	endpoint := b.getenv("AWS_ENDPOINT_URL_KMS")
	if endpoint == "" && b.local {
		endpoint = b.endpoint
	}
	return kmsseal.NewOpener(kms.NewFromConfig(cfg, func(o *kms.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})), nil
}

// explain turns the errors an operator can fix into one line saying how: a missing DynamoDB
// table, nothing listening at the endpoint.
func (b *backend) explain(err error) error {
	var ue *usageError
	if err == nil || b.kind != storeDynamo || errors.As(err, &ue) || errors.Is(err, errHelp) {
		return err
	}
	var rnf *types.ResourceNotFoundException
	switch {
	case errors.As(err, &rnf):
		return fmt.Errorf("no table %s in %s: is the table name right? (sam deploy prints it as the TableName output; 'table create' makes one on a test server)", b.table, b.where())
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("nothing answers at %s: is the server running? (infra/moto/start.sh starts moto on http://127.0.0.1:%d)", b.endpoint, motoPort)
	}
	return errors.New(oneLine(err))
}

// where names the DynamoDB the commands talk to.
func (b *backend) where() string {
	if b.endpoint != "" {
		return b.endpoint
	}
	return "the AWS account's DynamoDB"
}

// isLoopback reports whether host names this machine: localhost or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// oneLine joins the lines of an error's message.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
