package api_test

import (
	"bytes"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
	"github.com/civicworks/open311/pkg/store/bolt"
)

var update = flag.Bool("update", false, "rewrite golden files")

// newWorld returns a handler over a freshly seeded embedded store, and the store. Its clock
// stands still at apitest.Now and it gives out the ids and tokens the golden cases expect.
func newWorld(t testing.TB) (http.Handler, *bolt.Store) {
	t.Helper()
	st := world.Store(t)
	ids, tokens := apitest.IDs()
	a := api.New(api.Options{
		Store:               st,
		Now:                 func() time.Time { return apitest.Now },
		NewID:               apitest.List(ids),
		NewToken:            apitest.List(tokens),
		DefaultJurisdiction: apitest.Jurisdiction,
		Endpoint:            "https://api.city.example.org/open311/v2",
		Logger:              slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	return a.Handler(), st
}

// golden compares a recorded answer with its golden file, or rewrites the file under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./pkg/api -run %s -update writes it)", err, strings.SplitN(t.Name(), "/", 2)[0])
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("response differs from %s (-want +got):\n%s", path, apitest.Diff(want, got))
	}
}

func serve(t *testing.T, h http.Handler, c apitest.Case) (int, http.Header, []byte) {
	t.Helper()
	req, err := c.Request("")
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Header(), rec.Body.Bytes()
}

// TestGolden sends every golden case, in order, to one seeded world and compares each whole
// response (status, the headers that matter, the body) with its golden file, which holds the
// body indented; the body's exact bytes must be the golden's with the indentation taken out.
// Every case is sent even when -run selects some (TestGolden/update-duplicate.json), since
// later cases see what earlier ones changed.
func TestGolden(t *testing.T) {
	h, _ := newWorld(t)
	for _, c := range apitest.Cases {
		status, header, body := serve(t, h, c)
		t.Run(c.Name, func(t *testing.T) {
			got := apitest.Record(status, header, body)
			path := filepath.Join("testdata", "golden", c.Name+".txt")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./pkg/api -run TestGolden -update writes it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("response differs from %s (-want +got):\n%s", path, apitest.Diff(want, got))
			}
			if wire := apitest.Body(want); !bytes.Equal(body, wire) {
				t.Errorf("the body's bytes are not the golden's:\n got %q\nwant %q", body, wire)
			}
		})
	}
}

// TestVersionPrefix checks that every route also answers under /open311/v2, byte for byte.
func TestVersionPrefix(t *testing.T) {
	h, _ := newWorld(t)
	for _, path := range []string{"/services.json", "/services/pothole.xml", "/requests/100003.json?extensions=true", "/discovery.xml"} {
		s1, h1, b1 := serve(t, h, apitest.Case{Path: path})
		s2, h2, b2 := serve(t, h, apitest.Case{Path: "/open311/v2" + path})
		if s1 != s2 || h1.Get("Content-Type") != h2.Get("Content-Type") || !bytes.Equal(b1, b2) {
			t.Errorf("%s: %d %s\nunder /open311/v2: %d %s", path, s1, b1, s2, b2)
		}
	}
	if status, _, _ := serve(t, h, apitest.Case{Path: "/open311/v2services.json"}); status != http.StatusNotFound {
		t.Errorf("/open311/v2services.json: %d, want 404", status)
	}
}

// TestReporterReadsAsPublic sends every golden GET that carries no key, in order on one world,
// also with the reporter key, as a Bearer header and as api_key in the query, and expects the
// public answer: the same status and body, byte for byte (and with Bearer the same headers).
func TestReporterReadsAsPublic(t *testing.T) {
	h, _ := newWorld(t)
	n := 0
	for _, c := range apitest.Cases {
		status, header, body := serve(t, h, c)
		if c.Method != "" && c.Method != http.MethodGet || c.Header["Authorization"] != "" || strings.Contains(c.Path, "api_key=") {
			continue
		}
		n++
		bearer := c
		bearer.Header = map[string]string{"Authorization": "Bearer " + apitest.ReporterKey}
		for k, v := range c.Header {
			bearer.Header[k] = v
		}
		s, hd, b := serve(t, h, bearer)
		if s != status || !bytes.Equal(b, body) || !bytes.Equal(apitest.Record(s, hd, b), apitest.Record(status, header, body)) {
			t.Errorf("%s with a reporter's Bearer key: %d %s\nwithout: %d %s", c.Name, s, b, status, body)
		}
		inQuery := c
		sep := "?"
		if strings.Contains(c.Path, "?") {
			sep = "&"
		}
		inQuery.Path += sep + "api_key=" + apitest.ReporterKey
		if s, _, b := serve(t, h, inQuery); s != status || !bytes.Equal(b, body) {
			t.Errorf("%s with a reporter's api_key: %d %s\nwithout: %d %s", c.Name, s, b, status, body)
		}
	}
	if n < 40 {
		t.Fatalf("only %d keyless GET cases: the test would prove little", n)
	}
}
