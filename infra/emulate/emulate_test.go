package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The keys both stacks run with, so that both take the same requests.
const (
	reporterKey = "readme-reporter-key"
	staffKey    = "readme-staff-key"
)

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

// side is one of the two stacks the test talks to.
type side struct {
	name, base string
	example    string // the request id its examples print
}

var (
	apiLine = regexp.MustCompile(`API on (http://[0-9.]+:[0-9]+)`)
	idLine  = regexp.MustCompile(`curl http://\S+/requests/(\S+)\.xml\n`)
)

// fromBanner reads a stack's base URL and example request from what it printed.
func fromBanner(out string) (base, example string, ok bool) {
	m, id := apiLine.FindStringSubmatch(out), idLine.FindStringSubmatch(out)
	if m == nil || id == nil || !strings.Contains(out, "Stop with Ctrl-C.") {
		return "", "", false
	}
	return m[1], id[1], true
}

// startEmulated runs the emulated stack in-process. Without moto or the emulator the test
// skips, saying which and how to install it (under CI it fails).
func startEmulated(t *testing.T) side {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out, fnOut := &lockedBuffer{}, &lockedBuffer{}
	cfg := Config{Addr: "127.0.0.1:0", Root: root, Catalog: filepath.Join(root, "infra", "catalog", "demo.json"),
		ReporterKey: reporterKey, StaffKey: staffKey, FunctionOutput: fnOut}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, out) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if t.Failed() {
			b := fnOut.String()
			t.Logf("--- the functions' output (last 4000 bytes) ---\n%s", b[max(0, len(b)-4000):])
		}
	})
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); {
		if base, id, ok := fromBanner(out.String()); ok {
			return side{"emulated", base, id}
		}
		select {
		case err := <-done:
			done <- nil
			var missing *MissingError
			if errors.As(err, &missing) {
				if os.Getenv("CI") != "" {
					t.Fatalf("the emulated stack needs it under CI: %v", err)
				}
				t.Skipf("skipping: %v", err)
			}
			t.Fatalf("Run: %v\n%s", err, out)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("the emulated stack did not start:\n%s", out)
	return side{}
}

// startLocal builds and starts the local server on a new data folder.
func startLocal(t *testing.T) side {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "local")
	if out, err := exec.Command("go", "build", "-o", bin, "../local").CombinedOutput(); err != nil {
		t.Fatalf("build the local server: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-data", t.TempDir(), "-catalog", "../catalog/demo.json")
	cmd.Env = append(os.Environ(), "OPEN311_API_KEY="+reporterKey, "OPEN311_STAFF_KEY="+staffKey)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if base, id, ok := fromBanner(out.String()); ok {
			return side{"local", base, id}
		}
	}
	t.Fatalf("the local server did not start:\n%s", out)
	return side{}
}

// answer is what a stack answered, normalised so that two stacks' answers can be compared: the
// base URL, request ids (in order of appearance), times and cursors are replaced by
// placeholders.
type answer struct {
	status                  int
	contentType, allow, lnk string
	body                    string
}

var (
	requestID = regexp.MustCompile(`\b[0-9A-HJKMNP-TV-Z]{8}\b`)
	dateTime  = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`)
	cursor    = regexp.MustCompile(`cursor=[A-Za-z0-9_%=-]+`)
)

func normalise(s *side, text string) string {
	text = strings.ReplaceAll(text, s.base, "BASE")
	ids := map[string]string{}
	text = requestID.ReplaceAllStringFunc(text, func(id string) string {
		if _, ok := ids[id]; !ok {
			ids[id] = "ID" + string(rune('a'+len(ids)))
		}
		return ids[id]
	})
	text = dateTime.ReplaceAllString(text, "TIME")
	return cursor.ReplaceAllString(text, "cursor=C")
}

// do sends a request to a stack and returns the answer, normalised, and the raw body.
func do(t *testing.T, s *side, method, path string, form url.Values) (answer, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), allow: resp.Header.Get("Allow"),
		lnk: normalise(s, resp.Header.Get("Link")), body: normalise(s, string(b))}, string(b)
}

// TestREADMEExamples sends the README's curl examples (and an unknown route, a wrong method and
// the feeds) to the functions under the emulator and to the local server, and expects the same
// answers from both: status, content type, Allow and Link headers, and body, once the ids,
// times, cursors and base URLs that differ between two stacks are set aside.
func TestREADMEExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts every function")
	}
	emulated := startEmulated(t)
	local := startLocal(t)
	sides := []*side{&local, &emulated}

	var created [2]string // the id each stack gave the new request
	type step struct {
		name, method string
		path         func(s *side, i int) string
		form         url.Values
	}
	fixed := func(p string) func(*side, int) string { return func(*side, int) string { return p } }
	for _, st := range []step{
		{"discovery", "GET", fixed("/discovery.json"), nil},
		{"services", "GET", fixed("/services.xml"), nil},
		{"service definition", "GET", fixed("/services/pothole.json"), nil},
		{"open requests, a page of 2", "GET", fixed("/requests.json?status=open&page_size=2"), nil},
		{"new request", "POST", fixed("/requests.json"), url.Values{"api_key": {reporterKey}, "service_code": {"pothole"},
			"lat": {"40.7128"}, "long": {"-74.006"}, "attribute[size]": {"large"}}},
		{"the new request", "GET", func(_ *side, i int) string { return "/requests/" + created[i] + ".xml" }, nil},
		{"staff update", "POST", func(s *side, _ int) string { return "/requests/" + s.example + ".json" }, url.Values{"api_key": {staffKey},
			"status": {"assigned"}, "agency_responsible": {"Street Maintenance"}, "expected_datetime": {"2026-12-01T17:00:00-05:00"}}},
		{"reporter comment", "POST", func(s *side, _ int) string { return "/requests/" + s.example + ".xml" }, url.Values{"api_key": {reporterKey},
			"comment": {"Still there this morning"}}},
		{"extensions", "GET", func(s *side, _ int) string { return "/requests/" + s.example + ".json?extensions=true" }, nil},
		{"all requests", "GET", fixed("/requests.xml"), nil},
		{"the staff queue", "GET", fixed("/requests.json?detailed_status=submitted&api_key=" + staffKey), nil},
		{"unknown route", "GET", fixed("/nope.json"), nil},
		{"wrong method", "DELETE", fixed("/services.json"), nil},
		{"unknown feed", "GET", fixed("/feeds/city.example.org/requests/NOPE1234.atom"), nil},
	} {
		t.Run(st.name, func(t *testing.T) {
			var got [2]answer
			for i, s := range sides {
				a, raw := do(t, s, st.method, st.path(s, i), st.form)
				got[i] = a
				if st.name == "new request" {
					var rs []struct {
						ID string `json:"service_request_id"`
					}
					if err := json.Unmarshal([]byte(raw), &rs); err != nil || len(rs) != 1 {
						t.Fatalf("%s: %v %s", s.name, err, raw)
					}
					created[i] = rs[0].ID
				}
			}
			if got[0] != got[1] {
				t.Errorf("%s %s:\n--- local ---\n%+v\n--- emulated ---\n%+v", st.method, st.path(&local, 0), got[0], got[1])
			}
			if got[0].status >= 500 {
				t.Errorf("status %d", got[0].status)
			}
			t.Logf("both: %d %s %.160s", got[0].status, got[0].contentType, got[0].body)
		})
	}

	// The feeds: the emulated ones are rebuilt from the table's stream by the feed-builder
	// function, a moment after the writes; then both stacks serve the same feeds.
	for _, path := range []func(s *side) string{
		func(s *side) string { return "/feeds/city.example.org/requests/" + s.example + ".atom" },
		func(*side) string { return "/feeds/city.example.org/services/pothole.atom" },
	} {
		// Both follow the writes a moment later (the local server's feed worker, the stream's
		// feed builder), so both are read again until they agree.
		var want, got answer
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			want, _ = do(t, &local, "GET", path(&local), nil)
			// The one difference on purpose: the local server runs a WebSub hub and its feeds
			// name it; no hub runs on AWS yet, so the feed builder's name none (docs/feeds.md).
			if hub := "\n  <link rel=\"hub\" href=\"BASE/hub\"></link>"; want.status == 200 {
				if !strings.Contains(want.body, hub) {
					t.Fatalf("the local feed %s names no hub:\n%s", path(&local), want.body)
				}
				want.body = strings.Replace(want.body, hub, "", 1)
			}
			if got, _ = do(t, &emulated, "GET", path(&emulated), nil); got == want {
				break
			}
		}
		if got != want || want.status != 200 || !strings.Contains(want.body, "Still there this morning") && strings.Contains(path(&local), "/requests/") {
			t.Errorf("feed %s:\n--- local ---\n%+v\n--- emulated ---\n%+v", path(&local), want, got)
		}
	}
}

// TestMissingStandIns checks that Run says which stand-in is missing and how to install it,
// before doing anything.
func TestMissingStandIns(t *testing.T) {
	empty, tools := t.TempDir(), t.TempDir()
	for name, script := range map[string]string{"aws-lambda-rie": "#!/bin/sh\nexit 0\n", "python3": "#!/bin/sh\nexit 1\n"} {
		if err := os.WriteFile(filepath.Join(tools, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, path, gobin, what, install string
	}{
		{"no emulator", empty, empty, "aws-lambda-rie", "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(cat infra/rie/version)"},
		{"no moto", tools, empty, "moto", "python3 -m pip install -r infra/moto/requirements.txt"},
		{"no python3", empty, tools, "python3 (with moto)", "install Python 3, then python3 -m pip install -r infra/moto/requirements.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PATH", tc.path)
			t.Setenv("GOBIN", tc.gobin)
			err := Run(context.Background(), Config{Addr: "127.0.0.1:0"}, io.Discard)
			var missing *MissingError
			if !errors.As(err, &missing) || missing.What != tc.what || missing.Install != tc.install {
				t.Errorf("Run: %v; want %s missing, installed with %s", err, tc.what, tc.install)
			}
		})
	}
}
