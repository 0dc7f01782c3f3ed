package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/civicworks/open311/infra/demo"
)

var baseLine = regexp.MustCompile(`API on (http://[0-9.:]+)`)

// start runs the local stack binary (or `go run`-equivalent build) and returns its base URL.
func start(t *testing.T, bin, data string, env ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-data", data, "-catalog", "../catalog/demo.json")
	cmd.Env = append(os.Environ(), env...)
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
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := baseLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
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

func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "open311-local")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAcknowledgedPostSurvivesKill9 posts a request, kills the server with SIGKILL right after
// the answer, starts it again on the same folder and finds the request there.
func TestAcknowledgedPostSurvivesKill9(t *testing.T) {
	bin, data := build(t), t.TempDir()
	cmd, base := start(t, bin, data, "OPEN311_API_KEY=local-test-key")

	if status, body := get(t, base+"/requests.json"); status != 200 || !strings.Contains(body, `"service_code":"pothole"`) {
		t.Fatalf("seeded requests: %d %s", status, body)
	}
	form := url.Values{"api_key": {"local-test-key"}, "service_code": {"pothole"}, "lat": {"40.7"}, "long": {"-74"},
		"attribute[size]": {"small"}, "description": {"survives kill -9"}, "email": {"pii@example.net"}}
	resp, err := http.PostForm(base+"/requests.json", form)
	if err != nil {
		t.Fatal(err)
	}
	var created []struct {
		ID string `json:"service_request_id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || len(created) != 1 || created[0].ID == "" {
		t.Fatalf("POST: %d %v %+v", resp.StatusCode, err, created)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	_, base = start(t, bin, data, "OPEN311_API_KEY=local-test-key")
	status, body := get(t, base+"/requests/"+created[0].ID+".json")
	if status != 200 || !strings.Contains(body, "survives kill -9") {
		t.Fatalf("after kill -9: %d %s", status, body)
	}
	if strings.Contains(body, "pii@example.net") {
		t.Errorf("personal data in a GET response: %s", body)
	}
	// The restart did not seed a second time.
	_, list := get(t, base+"/requests.json")
	if n := strings.Count(list, `"service_request_id"`); n != demo.Count()+1 {
		t.Errorf("%d requests after restart, want %d", n, demo.Count()+1)
	}
}

// TestRunPrintsKeyAndServes runs the stack in-process with a key kept in the data folder.
func TestRunPrintsKeyAndServes(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{Addr: "127.0.0.1:0", Data: data, Catalog: "../catalog/demo.json"}, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var base, key string
	for sc.Scan() && (base == "" || key == "") {
		if m := baseLine.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
		}
		if k, ok := strings.CutPrefix(sc.Text(), "Reporter API key: "); ok {
			key = k
		}
	}
	go io.Copy(io.Discard, pr)
	kept, err := os.ReadFile(filepath.Join(data, "reporter.key"))
	if err != nil || strings.TrimSpace(string(kept)) != key || len(key) < 20 {
		t.Errorf("printed key %q, kept %q (%v)", key, kept, err)
	}
	status, body := get(t, base+"/services.xml")
	if status != 200 || !strings.Contains(body, "<service_code>streetlight</service_code>") {
		t.Errorf("services: %d %s", status, body)
	}
	resp, err := http.PostForm(base+"/requests.xml", url.Values{"api_key": {key}, "service_code": {"tree"}, "address_string": {"1 Main St"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("POST with the printed key: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// runStack runs the stack in-process on a free port and returns its base URL; it stops with
// the test.
func runStack(t *testing.T, cfg Config) string {
	t.Helper()
	return startStack(t, cfg).base
}

// lockedBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// stack is a local stack running in-process.
type stack struct {
	base     string
	out, log *lockedBuffer // what it printed, and its JSON log
	stop     func(cause error) error
}

// startStack runs Run in-process with cfg (on a free port unless cfg.Addr is set), waits for
// its banner, and stops it with the test unless stop was called first. stop cancels Run's
// context with the cause (as a signal would) and returns what Run returned.
func startStack(t *testing.T, cfg Config) *stack {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Catalog == "" {
		cfg.Catalog = "../catalog/demo.json"
	}
	s := &stack{out: &lockedBuffer{}, log: &lockedBuffer{}}
	cfg.Logger = slog.New(slog.NewJSONHandler(s.log, nil))
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, s.out) }()
	var once sync.Once
	var runErr error
	s.stop = func(cause error) error {
		once.Do(func() {
			cancel(cause)
			runErr = <-done
		})
		return runErr
	}
	t.Cleanup(func() {
		if err := s.stop(nil); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := baseLine.FindStringSubmatch(s.out.String()); m != nil && strings.Contains(s.out.String(), "Stop with Ctrl-C.") {
			s.base = m[1]
			return s
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("Run returned before serving: %v\n%s", err, s.out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("the local stack did not print its address")
	return nil
}

// report POSTs a new request's form to the local server at base and returns the id it was given.
func report(t *testing.T, base string, form url.Values) string {
	t.Helper()
	resp, err := http.PostForm(base+"/requests.json", form)
	if err != nil {
		t.Fatal(err)
	}
	var created []struct {
		ID string `json:"service_request_id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if err != nil || len(created) != 1 {
		t.Fatalf("POST: %v %+v", err, created)
	}
	id := created[0].ID
	return id
}

// TestFeedsFollowChanges posts a request and a comment to the local server, then reads the
// request's Atom feed under /feeds/ with a real feed parser and finds both.
func TestFeedsFollowChanges(t *testing.T) {
	base := runStack(t, Config{Addr: "127.0.0.1:0", Data: t.TempDir(), Catalog: "../catalog/demo.json",
		ReporterKey: "local-reporter", StaffKey: "local-staff"})
	id := report(t, base, url.Values{"api_key": {"local-reporter"}, "service_code": {"pothole"},
		"lat": {"40.7128"}, "long": {"-74.006"}, "attribute[size]": {"large"}, "description": {"Huge hole by the bus stop"},
		"email": {"pii@example.net"}})
	resp, err := http.PostForm(base+"/requests/"+id+".json", url.Values{"api_key": {"local-reporter"}, "comment": {"Two cars hit it today"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("comment: %d", resp.StatusCode)
	}

	// The request names its feed, and the feed is there.
	var got []struct {
		Extended struct {
			FeedURL string `json:"feed_url"`
		} `json:"extended_attributes"`
	}
	_, body := get(t, base+"/requests/"+id+".json?extensions=true")
	if err := json.Unmarshal([]byte(body), &got); err != nil || len(got) != 1 {
		t.Fatalf("extended request: %v %s", err, body)
	}
	feedURL := base + "/feeds/city.example.org/requests/" + id + ".atom"
	if got[0].Extended.FeedURL != feedURL {
		t.Errorf("feed_url %q, want %q", got[0].Extended.FeedURL, feedURL)
	}
	// The feeds follow the writes in the background, within moments: wait for both entries.
	var parsed *gofeed.Feed
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err = http.Get(feedURL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			if ct := resp.Header.Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
				t.Fatalf("feed served as %s", ct)
			}
			if parsed, err = gofeed.NewParser().ParseString(string(body)); err != nil {
				t.Fatal(err)
			}
			if len(parsed.Items) == 2 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the feed does not show both entries 10 s after the writes: %d %s", resp.StatusCode, body)
		}
	}
	if parsed.FeedType != "atom" {
		t.Fatalf("feed type %s", parsed.FeedType)
	}
	if !strings.Contains(parsed.Items[0].Content, "Two cars hit it today") || !strings.Contains(parsed.Items[1].Title, "Reported") {
		t.Errorf("entries, newest first: %q / %q and %q", parsed.Items[0].Title, parsed.Items[0].Content, parsed.Items[1].Title)
	}
	for _, it := range parsed.Items {
		if strings.Contains(it.Content+it.Description+it.Title, "pii@example.net") {
			t.Errorf("personal data in the feed: %+v", it)
		}
	}
	// The jurisdiction's feed has the new activity too (written in the same round, last).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		status, all := get(t, base+"/feeds/city.example.org/requests.atom")
		if status == 200 && strings.Contains(all, "Two cars hit it today") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jurisdiction feed: %d %s", status, all)
		}
	}
	// And so has its Spanish version (the demo catalog's second language), which says so.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		status, all := get(t, base+"/feeds/city.example.org/requests.es.atom")
		if status == 200 && strings.Contains(all, "Two cars hit it today") {
			es, err := gofeed.NewParser().ParseString(all)
			if err != nil || es.Language != "es" || !strings.HasPrefix(es.Title, "Solicitudes de servicio") {
				t.Errorf("the Spanish feed: %v, language %q, title %q", err, es.Language, es.Title)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Spanish jurisdiction feed: %d %.300s", status, all)
		}
	}
}

// TestMetrics reads /metrics with Prometheus' own parser after a few requests: the counters the
// functions give CloudWatch in their log lines, on one machine.
func TestMetrics(t *testing.T) {
	base := runStack(t, Config{Addr: "127.0.0.1:0", Data: t.TempDir(), Catalog: "../catalog/demo.json",
		ReporterKey: "metrics-reporter", StaffKey: "metrics-staff"})
	get(t, base+"/services.json")
	get(t, base+"/services/nope.json")
	resp, err := http.PostForm(base+"/requests.json", url.Values{"api_key": {"metrics-reporter"}, "service_code": {"tree"},
		"address_string": {"1 Elm St"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var families map[string]*dto.MetricFamily
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		status, body := get(t, base+"/metrics")
		if status != 200 {
			t.Fatalf("/metrics: %d %s", status, body)
		}
		parser := expfmt.NewTextParser(model.LegacyValidation)
		if families, err = parser.TextToMetricFamilies(strings.NewReader(body)); err != nil {
			t.Fatalf("%v:\n%s", err, body)
		}
		if counter(families, "open311_feeds_total", "outcome", "written") > 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, want := range []struct {
		op, status string
	}{{"get-services", "2xx"}, {"get-service-definition", "4xx"}, {"post-request", "2xx"}} {
		if n := counter(families, "open311_requests_total", "operation", want.op, "status", want.status); n != 1 {
			t.Errorf("open311_requests_total{operation=%q,status=%q} = %v, want 1", want.op, want.status, n)
		}
	}
	if n := counter(families, "open311_feeds_total", "outcome", "written"); n < 3 {
		t.Errorf("feeds written %v, want the new request's three at least", n)
	}
}

// counter is the value of the metric of a family whose labels are the given name, value pairs.
func counter(families map[string]*dto.MetricFamily, family string, labels ...string) float64 {
	for _, m := range families[family].GetMetric() {
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, l := range m.GetLabel() {
				found = found || (l.GetName() == labels[i] && l.GetValue() == labels[i+1])
			}
			match = match && found
		}
		if match {
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
