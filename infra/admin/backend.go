package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	bberrors "go.etcd.io/bbolt/errors"

	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/bolt"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// adminStore is what the commands need of a store: the catalog, the keys, and writing both.
type adminStore interface {
	store.Admin
	store.Catalog
	store.Keys
}

// The stores the tool works with.
const (
	storeBolt   = "bolt"
	storeDynamo = "dynamo"
)

// boltFile is the file name of the local stack's store in its data folder.
const boltFile = "open311.db"

// backend is the store the global flags chose.
type backend struct {
	kind     string // storeBolt or storeDynamo
	data     string // bolt: the data folder
	table    string // dynamo: the table name
	endpoint string // dynamo: an endpoint URL overriding the SDK's
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
		return nil, nil, fmt.Errorf("%w\n(bbolt lets one process at a time open the file: stop the local server (go run ./infra/local) and try again)", err)
	}
	if err != nil {
		return nil, nil, err
	}
	return bs, func() { _ = bs.Close() }, nil
}

// client returns a DynamoDB client of the SDK's default configuration, on -endpoint when given.
func (b *backend) client(ctx context.Context) (*dynamodb.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: set AWS_REGION (or a profile's region with AWS_PROFILE)")
	}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if b.endpoint != "" {
			o.BaseEndpoint = aws.String(b.endpoint)
		}
	}), nil
}

// explain adds what an operator should do to the errors of a missing DynamoDB table.
func (b *backend) explain(err error) error {
	var rnf *types.ResourceNotFoundException
	if b.kind == storeDynamo && errors.As(err, &rnf) {
		return fmt.Errorf("%w\n(is the table name right? create the table with sam deploy, or with 'table create' for a test server)", err)
	}
	return err
}
