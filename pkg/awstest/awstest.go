// Package awstest gives tests the real parts that stand in for AWS: a moto server (DynamoDB,
// DynamoDB Streams and S3 APIs) started on demand, once per test binary, on a free loopback port.
//
// A package that uses it calls Main from its TestMain, so the server is stopped when its tests
// end. When moto is not installed the tests that need it skip with the install command, except
// under CI (the CI environment variable set), where they fail: CI must run everything.
package awstest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// EndpointEnv names an environment variable that, when set, points the tests at an already
// running DynamoDB/S3 API server instead of starting moto.
const EndpointEnv = "OPEN311_TEST_AWS_ENDPOINT"

var (
	once     sync.Once
	endpoint string
	startErr error
	server   *exec.Cmd
)

// Root returns the repository's root folder.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Main runs a package's tests and then stops the moto server they started, if any.
func Main(m *testing.M) {
	// The SDK must never look for instance credentials while tests run.
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	os.Setenv("AWS_ACCESS_KEY_ID", "test")
	os.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	os.Setenv("AWS_REGION", "us-east-1")
	code := m.Run()
	if server != nil && server.Process != nil {
		_ = syscall.Kill(-server.Process.Pid, syscall.SIGTERM)
		_ = server.Wait()
	}
	os.Exit(code)
}

// Endpoint returns the URL of a moto server for the test, starting one on first use. It skips
// the test when moto is not installed, or fails it under CI.
func Endpoint(t testing.TB) string {
	t.Helper()
	once.Do(start)
	if startErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("moto is needed under CI: %v", startErr)
		}
		t.Skipf("skipping: %v (pip install -r infra/moto/requirements.txt)", startErr)
	}
	return endpoint
}

func start() {
	if e := os.Getenv(EndpointEnv); e != "" {
		endpoint = e
		return
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		startErr = fmt.Errorf("python3 not found")
		return
	}
	if out, err := exec.Command(py, "-c", "import moto.moto_server.werkzeug_app").CombinedOutput(); err != nil {
		startErr = fmt.Errorf("moto is not installed: %s", bytes.TrimSpace(out))
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		startErr = err
		return
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	log, err := os.CreateTemp("", "moto-*.log")
	if err != nil {
		startErr = err
		return
	}
	defer log.Close()
	cmd := exec.Command(py, filepath.Join(Root(), "infra", "moto", "serve.py"), "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		startErr = fmt.Errorf("start moto: %w", err)
		return
	}
	server = cmd
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			endpoint = url
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	startErr = fmt.Errorf("moto did not answer on %s within 60s; its log is %s", url, log.Name())
}
