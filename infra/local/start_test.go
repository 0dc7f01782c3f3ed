package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSecondServerOnSameData starts a second stack on the data folder of a running one: it
// must say that another server is using the folder, not relay bbolt's lock timeout.
func TestSecondServerOnSameData(t *testing.T) {
	data := t.TempDir()
	startStack(t, Config{Data: data})
	err := Run(context.Background(), Config{Addr: "127.0.0.1:0", Data: data, Catalog: "../catalog/demo.json"}, io.Discard)
	want := "another server is using " + data + " "
	if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "timeout") {
		t.Errorf("second server: %v; want an error starting %q", err, want)
	}
}

// TestAddressInUse starts a stack on the address of a running one.
func TestAddressInUse(t *testing.T) {
	s := startStack(t, Config{Data: t.TempDir()})
	addr := strings.TrimPrefix(s.base, "http://")
	err := Run(context.Background(), Config{Addr: addr, Data: t.TempDir(), Catalog: "../catalog/demo.json"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), addr+" is already in use") {
		t.Errorf("second server on %s: %v", addr, err)
	}
}

// TestNoCatalogLeavesNothing starts a new store without a readable catalog: it fails naming the
// file and -catalog, and leaves neither a store nor a data folder behind.
func TestNoCatalogLeavesNothing(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"jurisdictions": [{"id": "x", "servicez": []}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, catalog, want string
	}{
		{"missing", filepath.Join(t.TempDir(), "nope.json"), "give one with -catalog FILE"},
		{"invalid", bad, "servicez"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			err := Run(context.Background(), Config{Addr: "127.0.0.1:0", Data: data, Catalog: tc.catalog}, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.catalog) {
				t.Errorf("Run: %v; want an error naming %s and %q", err, tc.catalog, tc.want)
			}
			if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the failed start left %s behind (%v)", data, err)
			}
		})
	}
}

// TestDefaultsFromSubfolder checks that, started in infra/local (where this test runs), the
// defaults name the repository root's data folder, demo catalog and docs.
func TestDefaultsFromSubfolder(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var cfg Config
	if err := defaults(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Data != filepath.Join(root, "data") || cfg.Catalog != filepath.Join(root, "infra", "catalog", "demo.json") || cfg.Docs != filepath.Join(root, "docs") {
		t.Errorf("defaults in infra/local: data %s, catalog %s, docs %s", cfg.Data, cfg.Catalog, cfg.Docs)
	}
	// Flags given keep their value.
	fs := flag.CommandLine
	t.Cleanup(func() { flag.CommandLine = fs })
	flag.CommandLine = flag.NewFlagSet("local", flag.ContinueOnError)
	flag.CommandLine.String("data", "", "")
	if err := flag.CommandLine.Parse([]string{"-data", "mine"}); err != nil {
		t.Fatal(err)
	}
	cfg = Config{Data: "mine"}
	if err := defaults(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Data != "mine" {
		t.Errorf("-data mine became %s", cfg.Data)
	}
}

// TestStartedElsewhere runs the command in infra/local without -catalog (it finds the demo
// catalog in the repository) and outside the repository (it fails clearly, leaving no data
// folder), and reads its flag help.
func TestStartedElsewhere(t *testing.T) {
	bin := build(t)

	// In infra/local, as `go run .` there would.
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-data", t.TempDir())
	_, base := startCmd(t, cmd)
	if status, body := get(t, base+"/services.json"); status != 200 || !strings.Contains(body, `"service_code":"pothole"`) {
		t.Errorf("started in infra/local: services %d %s", status, body)
	}

	// Outside the repository.
	outside := t.TempDir()
	cmd = exec.Command(bin, "-addr", "127.0.0.1:0")
	cmd.Dir = outside
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "no catalog file infra/catalog/demo.json") ||
		strings.Count(strings.TrimSpace(string(out)), "\n") != 0 {
		t.Errorf("started outside the repository: %v, output %q; want exit 1 and one line naming the catalog", err, out)
	}
	if _, err := os.Stat(filepath.Join(outside, "data")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the failed start left %s/data behind", outside)
	}

	out, _ = exec.Command(bin, "-h").CombinedOutput()
	for _, want := range []string{"-catalog file", "-no-demo-requests", "-data folder", "-addr HOST:PORT", "OPEN311_API_KEY", "OPEN311_STAFF_KEY"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("-h does not mention %q:\n%s", want, out)
		}
	}
}

// startCmd starts a built local stack command and returns it with its base URL; it is killed
// with the test.
func startCmd(t *testing.T, cmd *exec.Cmd) (*exec.Cmd, string) {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		b := make([]byte, 64<<10)
		var seen []byte
		for {
			n, err := out.Read(b)
			seen = append(seen, b[:n]...)
			if m := baseLine.FindSubmatch(seen); m != nil {
				found <- string(m[1])
				_, _ = io.Copy(io.Discard, out)
				return
			}
			if err != nil {
				return
			}
		}
	}()
	select {
	case base := <-found:
		return cmd, base
	case <-time.After(60 * time.Second):
		t.Fatal("the local stack did not print its address")
	}
	return nil, ""
}

var tryRequest = regexp.MustCompile(`curl (http://\S+)/requests/(\S+)\.xml\n`)

// TestTryShowsARealRequest checks that the printed examples name a demo request that exists and
// that a staff key may assign; without demo requests they name none.
func TestTryShowsARealRequest(t *testing.T) {
	s := startStack(t, Config{Data: t.TempDir(), StaffKey: "staff-try"})
	m := tryRequest.FindStringSubmatch(s.out.String())
	if m == nil || m[2] == "ID" {
		t.Fatalf("the examples name no request:\n%s", s.out)
	}
	if status, body := get(t, m[1]+"/requests/"+m[2]+".xml"); status != 200 || !strings.Contains(body, "<status>open</status>") {
		t.Errorf("the example request: %d %s", status, body)
	}
	resp, err := http.PostForm(s.base+"/requests/"+m[2]+".json", url.Values{"api_key": {"staff-try"}, "status": {"assigned"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("the printed staff example: %d", resp.StatusCode)
	}

	s = startStack(t, Config{Data: t.TempDir(), NoDemo: true})
	if _, body := get(t, s.base+"/requests.json"); body != "[]\n" {
		t.Errorf("-no-demo-requests: requests %s", body)
	}
	if m := tryRequest.FindStringSubmatch(s.out.String()); m == nil || m[2] != "ID" {
		t.Errorf("without requests the examples say %v", m)
	}
}

// post sends a form and returns the status.
func post(t *testing.T, u string, form url.Values) int {
	t.Helper()
	resp, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestKeysAreReplaced starts the stack three times on one folder: with keys set, with other
// keys set (the first ones stop working), and with none (the last ones are kept).
func TestKeysAreReplaced(t *testing.T) {
	data := t.TempDir()
	report := url.Values{"service_code": {"tree"}, "address_string": {"1 Main St"}}
	tries := 0
	try := func(base, reporter, staff string) (int, int) {
		f := url.Values{"api_key": {reporter}}
		for k, v := range report {
			f[k] = v
		}
		created := post(t, base+"/requests.xml", f)
		id := exampleID(t, base)
		tries++ // notes that change each time: an update that changes nothing is refused
		return created, post(t, base+"/requests/"+id+".json", url.Values{"api_key": {staff}, "status_notes": {fmt.Sprintf("Seen (%d).", tries)}})
	}

	s := startStack(t, Config{Data: data, ReporterKey: "reporter-one", StaffKey: "staff-one"})
	if r, st := try(s.base, "reporter-one", "staff-one"); r != 200 || st != 200 {
		t.Errorf("first keys: reporter %d, staff %d", r, st)
	}
	if err := s.stop(nil); err != nil {
		t.Fatal(err)
	}

	s = startStack(t, Config{Data: data, ReporterKey: "reporter-two", StaffKey: "staff-two"})
	if r, st := try(s.base, "reporter-one", "staff-one"); r != 403 || st != 403 {
		t.Errorf("replaced keys: reporter %d, staff %d; want 403", r, st)
	}
	if r, st := try(s.base, "reporter-two", "staff-two"); r != 200 || st != 200 {
		t.Errorf("new keys: reporter %d, staff %d", r, st)
	}
	if err := s.stop(nil); err != nil {
		t.Fatal(err)
	}

	s = startStack(t, Config{Data: data})
	if !strings.Contains(s.out.String(), "Reporter API key: reporter-two\n") || !strings.Contains(s.out.String(), "Staff API key:    staff-two\n") {
		t.Errorf("without keys set, the stack printed:\n%s", s.out)
	}
	if r, st := try(s.base, "reporter-two", "staff-two"); r != 200 || st != 200 {
		t.Errorf("kept keys: reporter %d, staff %d", r, st)
	}
}

// exampleID returns the id of the newest open request.
func exampleID(t *testing.T, base string) string {
	t.Helper()
	_, body := get(t, base+"/requests.json?status=open")
	var rs []struct {
		ID string `json:"service_request_id"`
	}
	if err := json.Unmarshal([]byte(body), &rs); err != nil || len(rs) == 0 {
		t.Fatalf("requests: %v %s", err, body)
	}
	return rs[0].ID
}

var href = regexp.MustCompile(`href="([^"]+)"`)

// TestAPIIndex reads GET /api/, the index of the API, and follows every link on it.
func TestAPIIndex(t *testing.T) {
	docs := t.TempDir()
	if err := os.WriteFile(filepath.Join(docs, "wire.md"), []byte("# Wire\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startStack(t, Config{Data: t.TempDir(), Docs: docs})
	resp, err := http.Get(s.base + "/api/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /api/: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var links []string
	for _, m := range href.FindAllStringSubmatch(string(body), -1) {
		links = append(links, m[1])
	}
	for _, want := range []string{"/", "/discovery.json", "/openapi.json", "/services.json", "/requests.json", "/feeds/city.example.org/requests.atom",
		"/feeds/city.example.org/services/pothole.atom", "/docs/wire.md"} {
		if !strings.Contains(strings.Join(links, " "), want) {
			t.Errorf("GET /api/ links no %s; links: %v", want, links)
		}
	}
	for _, l := range links {
		if status, _ := get(t, s.base+strings.ReplaceAll(l, "&amp;", "&")); status != 200 {
			t.Errorf("link %s: %d", l, status)
		}
	}
	if status, _ := get(t, s.base+"/docs/wire.md"); status != 200 {
		t.Errorf("/docs/wire.md: %d", status)
	}
}

// TestStartAndStopLogLines checks the one log line on start, the one on a signal's shutdown,
// and the goodbye.
func TestStartAndStopLogLines(t *testing.T) {
	s := startStack(t, Config{Data: t.TempDir()})
	if err := s.stop(errors.New("interrupt signal received")); err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, line := range strings.Split(strings.TrimSpace(s.log.String()), "\n") {
		var l struct {
			Msg, Reason, URL string
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		switch l.Msg {
		case "local server started":
			if l.URL != s.base {
				t.Errorf("start line: %s", line)
			}
		case "local server stopped":
			if l.Reason != "interrupt signal received" {
				t.Errorf("stop line: %s", line)
			}
		default:
			continue
		}
		msgs = append(msgs, l.Msg)
	}
	if strings.Join(msgs, ", ") != "local server started, local server stopped" {
		t.Errorf("start and stop lines: %v\n%s", msgs, s.log)
	}
	if !strings.Contains(s.out.String(), "Stopped (interrupt signal received)") || !strings.HasSuffix(s.out.String(), "Goodbye.\n") {
		t.Errorf("on stop the stack printed:\n%s", s.out)
	}
}

// TestCtrlC sends the command SIGINT, as Ctrl-C does: it says goodbye and exits 0.
func TestCtrlC(t *testing.T) {
	bin := build(t)
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-data", t.TempDir())
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(stdout.String(), "Stop with Ctrl-C."); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("no banner: %s %s", stdout.String(), stderr.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("after SIGINT: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "Stopped (interrupt signal received)") || !strings.Contains(stdout.String(), "Goodbye.") {
		t.Errorf("after SIGINT the command printed:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), `"msg":"local server stopped","reason":"interrupt signal received"`) {
		t.Errorf("after SIGINT the log is:\n%s", stderr.String())
	}
}
