package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/infra/demo"
	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/catalog"
	"github.com/civicworks/open311/pkg/e2e"
	apigw "github.com/civicworks/open311/pkg/gateway"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// Config is what the emulated stack runs with.
type Config struct {
	Addr        string // listen address of the HTTP API
	Root        string // the repository's root: functions/, infra/moto
	Catalog     string // catalog file to load
	NoDemo      bool   // skip the demo requests
	ReporterKey string // the reporter key's value; empty: a random one
	StaffKey    string // the staff key's value; empty: a random one
	// FunctionOutput receives what the emulators and functions print, each line prefixed with
	// the function's name (default: discarded).
	FunctionOutput io.Writer
	Logger         *slog.Logger
}

// The names of the emulated stack's table and feed bucket (in its own moto, so fixed).
const (
	tableName  = "open311"
	bucketName = "open311-feeds"
	region     = "us-east-1"
)

// MissingError says that a stand-in the emulated stack needs is not installed, and how to
// install it.
type MissingError struct {
	What    string // "aws-lambda-rie", "moto"
	Install string // the command that installs it
}

func (e *MissingError) Error() string { return e.What + " is not installed: " + e.Install }

// Run builds the functions, starts moto and seeds it, starts every function under the
// emulator, serves the HTTP API until ctx ends, and stops every process it started. It prints
// where the API is, its keys and what to try to out, and logs one line when it is up and one
// when it stops.
func Run(ctx context.Context, cfg Config, out io.Writer) error {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.FunctionOutput == nil {
		cfg.FunctionOutput = io.Discard
	}
	rie, err := e2e.FindRIE()
	if err != nil {
		return &MissingError{What: e2e.RIE, Install: e2e.InstallRIE}
	}
	python, err := findMoto()
	if err != nil {
		return err
	}
	cat, err := catalog.ReadFile(cfg.Catalog)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%s is already in use (another server?): stop it, or give this one another -addr", cfg.Addr)
	}
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	tmp, err := os.MkdirTemp("", "open311-emulate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	pkgs, err := functionPackages(cfg.Root)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Building %d functions for linux/%s (go build, as make bootstraps)...\n", len(pkgs), runtime.GOARCH)
	bins, err := e2e.Build(ctx, cfg.Root, filepath.Join(tmp, "functions"), runtime.GOARCH, []string{e2e.LambdaTags}, pkgs...)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "Starting moto (DynamoDB, DynamoDB Streams, S3, KMS)...")
	m, err := startMoto(ctx, python, cfg.Root, tmp)
	if err != nil {
		return err
	}
	defer m.stop()

	awsCfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	ddb := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(m.endpoint) })
	streams := dynamodbstreams.NewFromConfig(awsCfg, func(o *dynamodbstreams.Options) { o.BaseEndpoint = aws.String(m.endpoint) })
	s3c := s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(m.endpoint), true })
	st := dynamo.New(ddb, tableName)
	reporterKey, staffKey, jurisdictions, err := seed(ctx, cfg, ddb, s3c, st, cat)
	if err != nil {
		return err
	}
	// The KMS key that seals reporters' personal data, template.yaml's PersonalDataKey.
	kmsc := kms.NewFromConfig(awsCfg, func(o *kms.Options) { o.BaseEndpoint = aws.String(m.endpoint) })
	personal, err := kmsc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("open311 personal data")})
	if err != nil {
		return fmt.Errorf("create the personal data key: %w", err)
	}

	fmt.Fprintf(out, "Starting the functions under %s...\n", e2e.RIE)
	common := []string{
		"PATH=" + os.Getenv("PATH"),
		"TABLE_NAME=" + tableName,
		"AWS_ENDPOINT_URL_DYNAMODB=" + m.endpoint,
		"AWS_ENDPOINT_URL_S3=" + m.endpoint,
		"AWS_ENDPOINT_URL_KMS=" + m.endpoint,
		"AWS_REGION=" + region,
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/nonexistent",
		"AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=10",
		// What template.yaml gives every function, with this stack's URLs.
		"OPEN311_ENDPOINT=" + base,
		"OPEN311_FEED_BASE=" + base + "/feeds",
		"OPEN311_PERSONAL_DATA_KEY=" + aws.ToString(personal.KeyMetadata.Arn),
	}
	fns := map[string]*e2e.Emulator{}
	defer func() {
		for _, em := range fns {
			em.Stop()
		}
	}()
	for _, pkg := range pkgs {
		name := filepath.Base(pkg)
		env := append(slices.Clip(common), "AWS_LAMBDA_FUNCTION_NAME="+name)
		switch name {
		case feedBuilder:
			env = append(env, "FEED_BUCKET="+bucketName, "AWS_LAMBDA_FUNCTION_TIMEOUT=60")
		case previewFunction:
			env = append(env, "FEED_BUCKET="+bucketName, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024", "AWS_LAMBDA_FUNCTION_TIMEOUT=60")
		case api.OpUpdateRequest:
			env = append(env, "FEED_BUCKET="+bucketName) // the photos staff remove
		case api.OpPostMedia:
			env = append(env, "FEED_BUCKET="+bucketName) // upload slots: presigned POSTs to moto's bucket
		case api.OpPostRequest:
			// Photos go to the feed bucket, as template.yaml says.
			env = append(env, "FEED_BUCKET="+bucketName, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512", "AWS_LAMBDA_FUNCTION_TIMEOUT=29")
		}
		em, err := e2e.Start(rie, bins[pkg], env, prefixed(cfg.FunctionOutput, name))
		if err != nil {
			return err
		}
		fns[name] = em
	}
	stream, err := e2e.OpenStream(ctx, ddb, streams, tableName, streamtypes.ShardIteratorTypeTrimHorizon)
	if err != nil {
		return fmt.Errorf("open the table's stream: %w", err)
	}
	feedsDone := make(chan struct{})
	feedCtx, stopFeeds := context.WithCancel(context.WithoutCancel(ctx))
	go func() {
		defer close(feedsDone)
		pumpFeeds(feedCtx, stream, fns[feedBuilder], cfg.Logger)
	}()
	defer func() { stopFeeds(); <-feedsDone }()
	previewsDone := make(chan struct{})
	go func() {
		defer close(previewsDone)
		pumpPreviews(feedCtx, s3c, bucketName, fns[previewFunction], cfg.Logger)
	}()
	defer func() { stopFeeds(); <-previewsDone }()

	gw := &gateway{gw: &e2e.Gateway{Routes: api.GatewayRoutes()}, fns: fns, s3: s3c, bucket: bucketName, log: cfg.Logger}
	srv := &http.Server{Handler: apigw.Default.Wrap(gw), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	fmt.Fprintf(out, "\nOpen311 GeoReport v2 API on %s (the Lambda functions under %s, behind an API Gateway stand-in)\n"+
		"%d functions of functions/; moto on %s with table %s and feed bucket %s, all gone when this stops\n",
		base, e2e.RIE, len(pkgs), m.endpoint, tableName, bucketName)
	demo.Try{Base: base, ReporterKey: reporterKey, StaffKey: staffKey, Jurisdictions: jurisdictions,
		RequestID: demo.ExampleRequest(ctx, st, jurisdictions)}.Print(out)
	cfg.Logger.Info("emulated API started", "url", base, "moto", m.endpoint, "functions", len(pkgs))

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// The signal that stopped it, if one did (its cause also "is" context.Canceled).
	reason := ""
	if cause := context.Cause(ctx); cause != nil && cause != context.Canceled {
		reason = cause.Error()
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	cfg.Logger.Info("emulated API stopped", "reason", reason)
	stopped := "Stopped"
	if reason != "" {
		stopped += " (" + reason + ")"
	}
	fmt.Fprintf(out, "\n%s: the functions, their emulators and moto are stopped. Goodbye.\n", stopped)
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// feedBuilder is the function on the table's stream.
const feedBuilder = "feed-builder"

// functionPackages lists ./functions/<name> for every function: the operations of the route
// table, the feed builder and the preview function.
func functionPackages(root string) ([]string, error) {
	var pkgs []string
	for _, name := range append(api.Names(), feedBuilder, previewFunction) {
		if _, err := os.Stat(filepath.Join(root, "functions", name, "main.go")); err != nil {
			return nil, fmt.Errorf("no function for %s: %w", name, err)
		}
		pkgs = append(pkgs, "./functions/"+name)
	}
	return pkgs, nil
}

// seed creates the table and the feed bucket, loads the catalog (as infra/admin's catalog load
// does), the demo requests and the two keys, and returns the keys and the jurisdictions.
func seed(ctx context.Context, cfg Config, ddb *dynamodb.Client, s3c *s3.Client, st *dynamo.Store, cat catalog.File) (reporterKey, staffKey string, jurisdictions []open311.Jurisdiction, err error) {
	if err := dynamo.CreateTable(ctx, ddb, tableName); err != nil {
		return "", "", nil, fmt.Errorf("create table %s: %w", tableName, err)
	}
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucketName)}); err != nil {
		return "", "", nil, fmt.Errorf("create bucket %s: %w", bucketName, err)
	}
	now := time.Now()
	if _, err := catalog.Load(ctx, st, cat, now); err != nil {
		return "", "", nil, fmt.Errorf("load catalog %s: %w", cfg.Catalog, err)
	}
	if !cfg.NoDemo {
		if err := demo.SeedRequests(ctx, st, cat.Jurisdictions[0], now); err != nil {
			return "", "", nil, err
		}
	}
	for _, k := range []struct {
		value *string
		given string
		role  open311.Role
	}{{&reporterKey, cfg.ReporterKey, open311.RoleReporter}, {&staffKey, cfg.StaffKey, open311.RoleStaff}} {
		*k.value = k.given
		if *k.value == "" {
			*k.value = open311.NewSecret()
		}
		key := open311.APIKey{Hash: open311.HashKey(*k.value), Role: k.role, Label: demo.KeyLabel(k.role), Created: now.UTC()}
		if err := st.PutAPIKey(ctx, key); err != nil {
			return "", "", nil, fmt.Errorf("store the %s key: %w", k.role, err)
		}
	}
	jurisdictions, err = st.Jurisdictions(ctx)
	if err != nil {
		return "", "", nil, fmt.Errorf("read jurisdictions: %w", err)
	}
	return reporterKey, staffKey, jurisdictions, nil
}
