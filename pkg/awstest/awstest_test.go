package awstest

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

// fakePython writes a python3 that runs script (a shell script) and returns its path.
func fakePython(t *testing.T, script string) string {
	t.Helper()
	py := filepath.Join(t.TempDir(), "python3")
	if err := os.WriteFile(py, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return py
}

// oneLine fails the test unless err is a one-line message that says what to run.
func oneLine(t *testing.T, err error, mention ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || strings.Contains(msg, "Traceback") {
		t.Errorf("error %q: want one line without a traceback", msg)
	}
	for _, m := range mention {
		if !strings.Contains(msg, m) {
			t.Errorf("error %q does not say %q", msg, m)
		}
	}
}

func TestLookUp(t *testing.T) {
	// Not made: a folder the test made would be gone next time, and go test's cache would never
	// take this package's results (it compares what the binary stat'ed).
	site := filepath.Join(t.TempDir(), "site-packages")
	dirs := `["", "/usr/lib/python3.99", "` + site + `"]`
	for _, tt := range []struct {
		name    string
		script  string // "" for no python3 at all
		ok      bool
		mention []string
	}{
		{"no python3", "", false, []string{"python3 is not on PATH", InstallCommand}},
		{"moto missing", `echo '{"dirs": ` + dirs + `, "error": "missing"}'`, false, []string{"moto is not installed", InstallCommand}},
		{"server extras missing", `echo '{"dirs": ` + dirs + `, "error": "ModuleNotFoundError: No module named '"'flask'"'"}'`, false,
			[]string{"No module named 'flask'", InstallCommand}},
		{"python3 that fails", `echo 'Traceback (most recent call last):' >&2; echo '  File "<string>"' >&2; echo 'SyntaxError: invalid syntax' >&2; exit 1`, false,
			[]string{"fails to run the moto probe", "SyntaxError: invalid syntax"}},
		{"moto installed", `echo '{"dirs": ` + dirs + `, "error": ""}'`, true, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake := ""
			if tt.script != "" {
				fake = fakePython(t, tt.script)
			}
			// As exec.LookPath, without its stat of the fake, which go test would take for an
			// input of the test binary that is gone next time (and so never cache it).
			lookPath := func(string) (string, error) {
				if fake == "" {
					return "", exec.ErrNotFound
				}
				return fake, nil
			}
			var observed []string
			py, err := lookUp(lookPath, func(dirs []string) { observed = dirs })
			if !tt.ok {
				oneLine(t, err, tt.mention...)
				return
			}
			if err != nil || py != fake {
				t.Fatalf("lookUp = %q, %v; want %s", py, err, fake)
			}
			// What go test's cache is to follow: the absolute import folders, the ones that do
			// not exist yet included.
			if want := []string{"/usr/lib/python3.99", site}; !slices.Equal(observed, want) {
				t.Errorf("lookUp observed %q, want %q", observed, want)
			}
		})
	}
}

func TestExistingAncestors(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "lib", "site-packages")
	if err := os.MkdirAll(site, 0o755); err != nil {
		t.Fatal(err)
	}
	got := existingAncestors([]string{site, filepath.Join(dir, "lib", "python3.99", "site-packages"), filepath.Join(dir, ".local", "lib"), site + "/"})
	if want := []string{site, filepath.Join(dir, "lib"), dir}; !slices.Equal(got, want) {
		t.Errorf("existingAncestors = %q, want %q", got, want)
	}
}

// TestObserveKeepsTheWorkingFolder checks that observing folders moves no test's working folder.
func TestObserveKeepsTheWorkingFolder(t *testing.T) {
	before, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	observe([]string{Root(), "/"})
	if after, _ := os.Getwd(); after != before {
		t.Errorf("working folder %s after observe, want %s", after, before)
	}
}

// TestStartFailsFast starts servers that cannot serve: one that exits fails at once with the
// end of its log, one that never answers fails after startTimeout; both keep their logs.
func TestStartFailsFast(t *testing.T) {
	t.Run("exits", func(t *testing.T) {
		py := fakePython(t, `echo "OSError: [Errno 98] Address already in use" >&2; exit 1`)
		s := &server{ended: make(chan struct{})}
		begin := time.Now()
		err := s.start(py, t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "exited while starting") || !strings.Contains(err.Error(), "Address already in use") {
			t.Fatalf("err = %v, want one saying it exited, with its log", err)
		}
		if d := time.Since(begin); d > 5*time.Second {
			t.Errorf("took %s to notice", d)
		}
		if _, err := os.Stat(s.log); err != nil || !strings.Contains(errString(err, s.log), s.log) {
			t.Errorf("the log %s: %v", s.log, err)
		}
	})
	t.Run("never answers", func(t *testing.T) {
		saved := startTimeout
		startTimeout = 500 * time.Millisecond
		t.Cleanup(func() { startTimeout = saved })
		py := fakePython(t, `PATH=/usr/bin:/bin exec sleep 60`)
		s := &server{ended: make(chan struct{})}
		err := s.start(py, t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "did not answer") {
			t.Fatalf("err = %v, want one saying it did not answer", err)
		}
		select {
		case <-s.ended:
		default:
			t.Error("the server that did not answer is still running")
		}
	})
}

func errString(err error, s string) string {
	if err != nil {
		return err.Error()
	}
	return s
}

// TestPool takes servers for parallel tests: each test gets its own, the same on every call.
func TestPool(t *testing.T) {
	Require(t)
	var mu sync.Mutex
	urls := map[string]string{}
	var started sync.WaitGroup
	started.Add(2)
	for _, name := range []string{"a", "b"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url := Endpoint(t)
			if again := Endpoint(t); again != url {
				t.Errorf("second Endpoint %s, want the first, %s", again, url)
			}
			resp, err := http.Get(url + "/moto-api/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			mu.Lock()
			urls[name] = url
			mu.Unlock()
			started.Done()
			started.Wait() // both hold their server now
		})
	}
	t.Cleanup(func() {
		if urls["a"] == urls["b"] {
			t.Errorf("two parallel tests got the same server %s", urls["a"])
		}
	})
}
