package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/e2e"
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
