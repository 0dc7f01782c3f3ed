// Package awstest gives tests the real parts that stand in for AWS: moto servers (DynamoDB,
// DynamoDB Streams and S3 APIs) started on demand on loopback ports, a small pool of them per
// test binary so that parallel tests do not wait on each other.
//
// A package that uses it calls Main from its TestMain, so the servers are stopped when its tests
// end, and their logs removed (kept, and named, when a test failed). When moto is not installed
// the tests that need it skip with the install command, except under CI (the CI environment
// variable set), where they fail: CI must run everything. Installing moto makes the next go test
// run them: the look-up makes the folders python3 imports from inputs of go test's cache. A moto
// that is installed but does not start fails the test at once, with its own message and the end
// of its log.
package awstest

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// EndpointEnv names an environment variable that, when set, points the tests at an already
// running DynamoDB/S3 API server instead of starting moto.
const EndpointEnv = "OPEN311_TEST_AWS_ENDPOINT"

// startTimeout bounds how long a moto server may take to answer after it started; one that
// exits fails at once.
var startTimeout = 30 * time.Second

// Root returns the repository's root folder.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Main runs a package's tests, then stops the moto servers they started and removes their logs,
// unless a test failed: then it keeps them and says where.
func Main(m *testing.M) {
	// The SDK must never look for instance credentials while tests run.
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	os.Setenv("AWS_ACCESS_KEY_ID", "test")
	os.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	os.Setenv("AWS_REGION", "us-east-1")
	code := m.Run()
	pool.stop()
	if dir := pool.logDir; dir != "" {
		if code == 0 {
			os.RemoveAll(dir)
		} else {
			fmt.Fprintf(os.Stderr, "awstest: the logs of the moto servers are kept in %s\n", dir)
		}
	}
	os.Exit(code)
}

// Require skips the test when moto is not installed (fails it under CI), without starting a
// server: for a test whose subtests each ask for their own Endpoint.
func Require(t testing.TB) {
	t.Helper()
	if os.Getenv(EndpointEnv) != "" {
		return
	}
	if _, err := motoPython(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("moto is needed under CI: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
}

// Endpoint returns the URL of a moto server for the test, the same for every call of one test.
// The server is the test's until it ends: a server nobody uses is taken, or a new one started
// (up to -test.parallel plus one; past that, tests share). It skips the test when moto is not
// installed (fails it under CI), and fails it when moto does not start.
func Endpoint(t testing.TB) string {
	t.Helper()
	if e := os.Getenv(EndpointEnv); e != "" {
		return e
	}
	Require(t)
	py, _ := motoPython()
	s, fresh, err := pool.acquire(t, py)
	if err != nil {
		t.Fatal(err)
	}
	if fresh {
		t.Cleanup(func() { pool.release(t, s) })
	}
	return s.url
}

// server is one moto process.
type server struct {
	url   string
	log   string
	cmd   *exec.Cmd
	ended chan struct{} // closed when the process has ended
	ready chan struct{} // closed when start has succeeded or failed
	err   error         // why it did not start
	users int
}

// servers is the pool of a test binary's moto servers.
type servers struct {
	mu       sync.Mutex
	all      []*server
	byTest   map[testing.TB]*server
	startErr error // the first start that failed: the others would fail alike
	logDir   string
}

var pool = &servers{byTest: map[testing.TB]*server{}}

// limit is how many servers the pool starts at most: one per test that may run at once.
func limit() int {
	n := runtime.GOMAXPROCS(0)
	if f := flag.Lookup("test.parallel"); f != nil {
		if v, err := strconv.Atoi(f.Value.String()); err == nil && v > 0 {
			n = v
		}
	}
	return n + 1
}

// acquire returns the test's server, reserving one for it on its first call (fresh).
func (p *servers) acquire(t testing.TB, py string) (s *server, fresh bool, err error) {
	p.mu.Lock()
	if s := p.byTest[t]; s != nil {
		p.mu.Unlock()
		<-s.ready
		return s, false, s.err
	}
	if p.startErr != nil {
		p.mu.Unlock()
		return nil, false, p.startErr
	}
	for _, c := range p.all {
		if c.users == 0 {
			s = c
			break
		}
	}
	start := false
	if s == nil && len(p.all) < limit() {
		s = &server{ready: make(chan struct{}), ended: make(chan struct{})}
		p.all = append(p.all, s)
		start = true
	}
	if s == nil { // every server is busy and no more may start: share the least busy
		s = p.all[0]
		for _, c := range p.all {
			if c.users < s.users {
				s = c
			}
		}
	}
	s.users++
	p.byTest[t] = s
	logDir, dirErr := p.logFolder()
	p.mu.Unlock()

	if start {
		s.err = dirErr
		if s.err == nil {
			s.err = s.start(py, logDir)
		}
		if s.err != nil {
			p.mu.Lock()
			if p.startErr == nil {
				p.startErr = s.err
			}
			p.mu.Unlock()
		}
		close(s.ready)
	}
	<-s.ready
	if s.err != nil {
		p.release(t, s)
		return nil, false, s.err
	}
	return s, true, nil
}

// release gives the test's server back to the pool.
func (p *servers) release(t testing.TB, s *server) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byTest[t] == s {
		delete(p.byTest, t)
		s.users--
	}
}

// logFolder returns the folder of the servers' logs, making it on first use; p.mu is held.
func (p *servers) logFolder() (string, error) {
	if p.logDir == "" {
		dir, err := os.MkdirTemp("", "awstest-moto-")
		if err != nil {
			return "", fmt.Errorf("awstest: make a folder for moto's logs: %w", err)
		}
		p.logDir = dir
	}
	return p.logDir, nil
}

// stop ends every server: SIGTERM to its process group, SIGKILL after 5 s.
func (p *servers) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.all {
		if s.cmd == nil || s.cmd.Process == nil {
			continue
		}
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-s.ended:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.ended
		}
	}
}

// start runs infra/moto/serve.py with py on a listening socket of its own (chosen here and
// handed over, so no other process can take the port meanwhile) and waits until it answers. A
// server that exits, or does not answer within startTimeout, is an error with the end of its log;
// the log stays in logDir.
func (s *server) start(py, logDir string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("awstest: listen for moto: %w", err)
	}
	sock, err := ln.(*net.TCPListener).File()
	ln.Close() // sock is a duplicate: the socket stays open, and listening
	if err != nil {
		return fmt.Errorf("awstest: listen for moto: %w", err)
	}
	defer sock.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	s.url = fmt.Sprintf("http://127.0.0.1:%d", port)
	s.log = filepath.Join(logDir, fmt.Sprintf("moto-%d.log", port))
	log, err := os.Create(s.log)
	if err != nil {
		return fmt.Errorf("awstest: moto's log: %w", err)
	}
	defer log.Close()
	cmd := exec.Command(py, filepath.Join(Root(), "infra", "moto", "serve.py"), "--fd", "3", "--exit-with-parent")
	cmd.Stdout, cmd.Stderr = log, log
	cmd.ExtraFiles = []*os.File{sock} // file descriptor 3 of the server
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("awstest: start moto: %w", err)
	}
	s.cmd = cmd
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(s.ended) }()

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	go func() {
		select {
		case <-s.ended:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/moto-api/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
			continue
		}
		select {
		case <-s.ended:
			return fmt.Errorf("awstest: moto exited while starting (%v); the end of its log %s:\n%s", waitErr, s.log, tail(s.log, 20))
		default:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-s.ended
			return fmt.Errorf("awstest: moto did not answer on %s within %s; the end of its log %s:\n%s", s.url, startTimeout, s.log, tail(s.log, 20))
		}
	}
}

// tail returns the last n lines of a file, indented.
func tail(name string, n int) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return "\t" + err.Error() + "\n"
	}
	text := strings.TrimRight(string(b), "\n")
	if text == "" {
		return "\t(empty)\n"
	}
	lines := strings.Split(text, "\n")
	lines = lines[max(0, len(lines)-n):]
	return "\t" + strings.Join(lines, "\n\t") + "\n"
}
