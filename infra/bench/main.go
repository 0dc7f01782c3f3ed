// Command bench measures every Lambda function and prints a markdown table.
//
//	go run ./infra/bench [-only functions|local|feeds] [-n 10] [-warm 20] [-endpoint URL] [-o FILE]
//	                     [-stored 10000] [-posts 300] [-clients 8] [-read-for 3s]
//
// With -only local (and by default, after the functions) it measures the local server instead:
// POST latency one at a time on a fresh store and on one of -stored requests, and the
// throughput of GET /services.xml, one request and a page of 50, each against a bare net/http
// server that sends the same bytes with the same headers in the same run. With -only feeds
// (and by default, last) it counts what one stream batch of the feed builder reads of DynamoDB
// at 100, 1,000 and 10,000 stored activities.
//
// For each function (every functions/<name>; the operations of api.Routes() first):
//
//   - size: the stripped linux/arm64 binary that sam build deploys (the Makefile's flags:
//     CGO_ENABLED=0, -tags lambda.norpc -trimpath -ldflags "-s -w"); the goal is 10 MiB or less.
//     It also lists the packages the function links (go list -deps) and fails when one is
//     local-only: bbolt, the embedded store, anything under infra/, a test helper.
//   - cold start, for the functions behind the HTTP API: a build for this machine's
//     architecture run under the Lambda Runtime Interface Emulator (infra/rie/version) against
//     moto, from starting the emulator process to the first answer of the function's
//     events/<operation>.json (the emulator starts the function on its first invoke, as Lambda
//     does); -n runs each, median and 90th percentile, and the ratios of the medians to those of
//     the two baselines built and run the same way in the same run: infra/bench/hello, the
//     smallest HTTP API function (no DynamoDB call), and infra/bench/hellodb, the smallest that
//     makes one DynamoDB GetItem, written the ordinary way (the SDK's default configuration). A
//     function's cold start includes its first DynamoDB calls (to moto, slower than DynamoDB).
//   - warm: the median of -warm further invokes of the same event in the first run's process
//     (round trip through the emulator, with moto's latency), and the function's CPU time per
//     warm invoke (its threads' run time from /proc/<pid>/task/*/schedstat). Lambda gives a
//     128 MB function about 128/1769 of a vCPU, so CPU-bound work takes about 14 times longer
//     there than on a free core here.
//
// moto is started on a free port unless -endpoint (or OPEN311_TEST_AWS_ENDPOINT) names a
// running DynamoDB API; each function gets a new table seeded with the golden test world
// (apitest.Seed). Every process bench starts is stopped by its process id at the end. The
// numbers depend on the machine: docs/benchmarks.md keeps a table with its date and machine, and no
// test asserts a time.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/e2e"
)

// SizeGoal is the largest binary a function may be, in bytes (10 MiB).
const SizeGoal = 10 << 20

// hello and hellodb are the packages of the baseline functions: the smallest HTTP API function,
// and the smallest that makes one DynamoDB GetItem.
const (
	hello   = "./infra/bench/hello"
	hellodb = "./infra/bench/hellodb"
)

func main() {
	n := flag.Int("n", 10, "cold starts per function")
	warm := flag.Int("warm", 20, "warm invokes after the first cold start")
	endpoint := flag.String("endpoint", os.Getenv("OPEN311_TEST_AWS_ENDPOINT"), "DynamoDB API to use instead of starting moto")
	out := flag.String("o", "", "also write the table to this file")
	only := flag.String("only", "", "measure only this: functions, local or feeds (default: all)")
	stored := flag.Int("stored", 10_000, "local: the requests stored before the second local run")
	posts := flag.Int("posts", 300, "local: POSTs timed one at a time")
	clients := flag.Int("clients", 8, "local: clients reading at once")
	dur := flag.Duration("read-for", 3*time.Second, "local: how long each path is read")
	flag.Parse()
	if *n < 1 || *warm < 1 {
		fmt.Fprintln(os.Stderr, "bench: -n and -warm must be at least 1")
		os.Exit(2)
	}
	ctx := context.Background()
	var table string
	var err error
	if *only == "" || *only == "functions" {
		table, err = run(ctx, *n, *warm, *endpoint)
	}
	if err == nil && (*only == "" || *only == "local") {
		var local string
		local, err = withTemp(func(root, tmp string) (string, error) {
			return benchLocal(ctx, root, tmp, []int{0, *stored}, *posts, *clients, *dur)
		})
		table += "\n" + local
	}
	if err == nil && (*only == "" || *only == "feeds") {
		var feeds string
		feeds, err = withTemp(func(root, _ string) (string, error) {
			return benchFeeds(ctx, root, []int{100, 1_000, 10_000})
		})
		table += "\n" + feeds
	}
	if table != "" {
		fmt.Print(table)
		if *out != "" {
			if werr := os.WriteFile(*out, []byte(table), 0o644); werr != nil && err == nil {
				err = werr
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// withTemp runs f with the repository's root and a temporary folder it removes afterwards.
func withTemp(f func(root, tmp string) (string, error)) (string, error) {
	root, _, err := moduleRoot()
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp("", "open311-bench-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	return f(root, tmp)
}

// result is what was measured of one function.
type result struct {
	name       string
	size       int64
	cold, warm []time.Duration
	cpu        time.Duration // mean CPU time of the function per warm invoke
	// coldCalls and coldWait: the AWS calls of each cold start's first invoke and the time
	// waiting on them.
	coldCalls []int
	coldWait  []time.Duration
}

// own is a cold start less its wait on AWS calls: the function's own start and work.
func (r result) own() []time.Duration {
	out := make([]time.Duration, len(r.cold))
	for i := range r.cold {
		out[i] = r.cold[i] - r.coldWait[i]
	}
	return out
}

func run(ctx context.Context, n, warm int, endpoint string) (string, error) {
	root, module, err := moduleRoot()
	if err != nil {
		return "", err
	}
	pkgs, err := functions(root)
	if err != nil {
		return "", err
	}
	if err := checkDeps(root, module, pkgs); err != nil {
		return "", err
	}
	rie, err := e2e.FindRIE()
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp("", "open311-bench-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)

	progress("building linux/arm64 (deployed) and linux/%s (measured here)", runtime.GOARCH)
	all := append([]string{hello, hellodb}, pkgs...)
	arm, err := e2e.Build(ctx, root, filepath.Join(tmp, "arm64"), "arm64", []string{e2e.LambdaTags}, all...)
	if err != nil {
		return "", err
	}
	host, err := e2e.Build(ctx, root, filepath.Join(tmp, "host"), runtime.GOARCH, []string{e2e.LambdaTags}, all...)
	if err != nil {
		return "", err
	}

	if endpoint == "" {
		var stop func()
		if endpoint, stop, err = startMoto(root, tmp); err != nil {
			return "", err
		}
		defer stop()
	}
	// The KMS key post-request seals reporters' personal data with (template.yaml's
	// PersonalDataKey): a data key per cold start, part of what that function's first invoke does.
	kmsc := kms.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *kms.Options) { o.BaseEndpoint = aws.String(endpoint) })
	personal, err := kmsc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("bench personal data")})
	if err != nil {
		return "", fmt.Errorf("create the personal data key: %w", err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_ENDPOINT_URL_DYNAMODB=" + endpoint,
		"AWS_ENDPOINT_URL_KMS=" + endpoint,
		"OPEN311_PERSONAL_DATA_KEY=" + aws.ToString(personal.KeyMetadata.Arn),
		// post-request's photos store (no photo is sent: the bucket need not exist).
		"AWS_ENDPOINT_URL_S3=" + endpoint,
		"FEED_BUCKET=open311-bench-feeds",
		"OPEN311_FEED_BASE=https://cdn.bench.example.org",
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/nonexistent",
		"AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=10",
		"OPEN311_DEFAULT_JURISDICTION=" + apitest.Jurisdiction,
	}

	// The functions call moto through a meter, which counts their calls and the wait on them.
	m, metered, err := startMeter(endpoint)
	if err != nil {
		return "", err
	}
	defer m.close()
	for i, e := range env {
		for _, svc := range []string{"DYNAMODB", "KMS", "S3"} {
			if e == "AWS_ENDPOINT_URL_"+svc+"="+endpoint {
				env[i] = "AWS_ENDPOINT_URL_" + svc + "=" + metered
			}
		}
	}

	var results []result
	for _, pkg := range all {
		name := filepath.Base(pkg)
		event := filepath.Join(root, "events", name+".json")
		if pkg == hello || pkg == hellodb {
			event = filepath.Join(root, "events", api.OpDiscovery+".json")
		}
		fi, err := os.Stat(arm[pkg])
		if err != nil {
			return "", err
		}
		r := result{name: name, size: fi.Size()}
		if pkg != hello && pkg != hellodb && !slices.Contains(api.Names(), name) {
			results = append(results, r) // not behind the HTTP API: its size only
			continue
		}
		payload, err := os.ReadFile(event)
		if err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		progress("%s: %d cold starts, %d warm invokes", name, n, warm)
		// A fresh world for each function, so that what one writes does not slow another's reads.
		table, err := seed(ctx, endpoint)
		if err != nil {
			return "", err
		}
		fnEnv := append(slices.Clip(env), "TABLE_NAME="+table, "AWS_LAMBDA_FUNCTION_NAME="+name)
		for i := range n {
			warmRuns := 0
			if i == 0 {
				warmRuns = warm
			}
			cold, calls, wait, warms, cpu, err := measure(ctx, rie, host[pkg], fnEnv, payload, name, warmRuns, filepath.Join(tmp, name+".log"), m)
			if err != nil {
				return "", fmt.Errorf("%s: %w", name, err)
			}
			r.cold = append(r.cold, cold)
			r.coldCalls, r.coldWait = append(r.coldCalls, calls), append(r.coldWait, wait)
			r.warm = append(r.warm, warms...)
			if i == 0 {
				r.cpu = cpu
			}
		}
		results = append(results, r)
	}
	return report(results, n, warm), nil
}

// functions returns the packages of every function, ./functions/<name>: the operations of the
// route table in its order, then any other function (such as a stream consumer) by name.
func functions(root string) ([]string, error) {
	mains, err := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, m := range mains {
		names = append(names, filepath.Base(filepath.Dir(m)))
	}
	var pkgs []string
	for _, op := range api.Names() {
		if !slices.Contains(names, op) {
			return nil, fmt.Errorf("no functions/%s for operation %s", op, op)
		}
		pkgs = append(pkgs, "./functions/"+op)
	}
	for _, name := range names {
		if !slices.Contains(api.Names(), name) {
			pkgs = append(pkgs, "./functions/"+name)
		}
	}
	return pkgs, nil
}

// progress reports on stderr what the benchmark is doing.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// moduleRoot returns the folder and path of the main module.
func moduleRoot() (dir, path string, err error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}} {{.Path}}").Output()
	if err != nil {
		return "", "", fmt.Errorf("go list -m: %w", err)
	}
	dir, path, _ = strings.Cut(strings.TrimSpace(string(out)), " ")
	return dir, path, nil
}

// checkDeps fails when a function links a package that only the local stack or tests need.
func checkDeps(root, module string, pkgs []string) error {
	var bad []string
	for _, pkg := range pkgs {
		cmd := exec.Command("go", "list", "-deps", "-tags", e2e.LambdaTags, pkg)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
		out, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("go list -deps %s: %w", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			local := strings.HasPrefix(dep, "go.etcd.io/bbolt") ||
				strings.HasPrefix(dep, module+"/infra/") ||
				dep == module+"/pkg/store/bolt" ||
				dep == module+"/pkg/e2e" ||
				dep == "testing" ||
				strings.HasPrefix(dep, module+"/") && strings.HasSuffix(dep, "test")
			if local {
				bad = append(bad, pkg+" links "+dep)
			}
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("local-only packages linked into functions:\n  %s", strings.Join(bad, "\n  "))
	}
	return nil
}
