package e2e_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/e2e"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// needRIE returns the Lambda emulator's path, skipping the test without it (failing it under CI).
func needRIE(t *testing.T) string {
	t.Helper()
	rie, err := e2e.FindRIE()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the Lambda emulator is needed under CI: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	return rie
}

// startFunction builds functions/<name> as it is deployed (with the e2e tag) and runs it under
// the emulator rie with the variables a Lambda environment has (region, credentials, no shared
// files, the function's name, 128 MB, timeout seconds) and env on top; its output goes to a log
// file (its path returned) shown when the test fails. It stops with the test.
func startFunction(t *testing.T, rie, name, timeout string, env ...string) (*e2e.Emulator, string) {
	t.Helper()
	dir := t.TempDir()
	pkg := "./functions/" + name
	bins, err := e2e.Build(context.Background(), awstest.Root(), dir, runtime.GOARCH, []string{e2e.LambdaTags}, pkg)
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, name+".log")
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	base := []string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/nonexistent",
		"AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
		"AWS_LAMBDA_FUNCTION_NAME=" + name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=" + timeout,
	}
	em, err := e2e.Start(rie, bins[pkg], append(base, env...), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Stop)
	t.Cleanup(func() {
		if t.Failed() {
			if b, err := os.ReadFile(logPath); err == nil {
				t.Logf("--- output of %s (last 3000 bytes) ---\n%s", name, tail(b, 3000))
			}
		}
	})
	return em, logPath
}

// motoWorld is what a function's test runs against on moto: DynamoDB and S3 clients, a new
// table of the store's schema (deleted with the test) and a new bucket.
type motoWorld struct {
	endpoint      string
	ddb           *dynamodb.Client
	s3            *s3.Client
	table, bucket string
}

// newMotoWorld makes the table and the bucket, named after what (the function's folder).
func newMotoWorld(t *testing.T, what string) *motoWorld {
	t.Helper()
	endpoint := awstest.Endpoint(t)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	w := &motoWorld{endpoint: endpoint,
		ddb:   dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) }),
		s3:    s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(endpoint), true }),
		table: fmt.Sprintf("open311-%s-%d", what, time.Now().UnixNano()), bucket: fmt.Sprintf("open311-%s-%d", what, time.Now().UnixNano())}
	ctx := context.Background()
	if err := dynamo.CreateTable(ctx, w.ddb, w.table); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = w.ddb.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(w.table)})
	})
	if _, err := w.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(w.bucket)}); err != nil {
		t.Fatal(err)
	}
	return w
}

// access returns the proxy to moto that the function's calls go through, counting them and
// logging what they touch for the policy check.
func (w *motoWorld) access(t *testing.T, fn string) (proxyURL string, counter *callCounter, access *accessLog) {
	t.Helper()
	counter, err := newCallCounter(w.endpoint, w.bucket)
	if err != nil {
		t.Fatal(err)
	}
	access = newAccessLog(describeKeys(t, w.ddb, w.table), w.bucket)
	proxy := httptest.NewServer(access.of(fn, counter))
	t.Cleanup(proxy.Close)
	return proxy.URL, counter, access
}
