package websub_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/websub"
)

// resolver answers names from a table, as a DNS server under an attacker's control could.
type resolver map[string][]string

func (r resolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, s := range r[host] {
		out = append(out, netip.MustParseAddr(s))
	}
	if len(out) == 0 {
		return nil, errors.New("no such host")
	}
	return out, nil
}

// TestForbiddenCallbacks: every callback the hub must never call is refused, by its form, its
// address, or the addresses its name resolves to; public https callbacks are taken.
func TestForbiddenCallbacks(t *testing.T) {
	ctx := context.Background()
	names := resolver{
		"rebind.example":   {"93.184.215.14", "10.1.2.3"},
		"meta.example":     {"169.254.169.254"},
		"v6local.example":  {"fd12:3456::1"},
		"public.example":   {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
		"loopback.example": {"127.0.0.1"},
	}
	p := websub.Policy{}
	for _, c := range []struct{ callback, why string }{
		{"https://10.0.0.5/cb", "10/8"},
		{"https://10.255.255.255/cb", "10/8"},
		{"https://172.16.0.1/cb", "172.16/12"},
		{"https://172.31.255.254/cb", "172.16/12"},
		{"https://192.168.1.1/cb", "192.168/16"},
		{"https://127.0.0.1/cb", "127/8"},
		{"https://127.8.9.10/cb", "127/8"},
		{"https://169.254.169.254/latest/meta-data/", "the metadata service"},
		{"https://169.254.1.1/cb", "link-local"},
		{"https://[::1]/cb", "::1"},
		{"https://[fc00::1]/cb", "fc00::/7"},
		{"https://[fd00:ec2::254]/cb", "fc00::/7 (the IPv6 metadata service)"},
		{"https://[fe80::1]/cb", "fe80::/10"},
		{"https://[::ffff:10.0.0.1]/cb", "IPv4-mapped 10/8"},
		{"https://[::ffff:127.0.0.1]/cb", "IPv4-mapped loopback"},
		{"https://0.0.0.0/cb", "this network"},
		{"https://100.64.0.1/cb", "shared address space"},
		{"https://224.0.0.1/cb", "multicast"},
		{"https://localhost/cb", "localhost"},
		{"https://metadata.google.internal/cb", ".internal"},
		{"http://public.example/cb", "http"},
		{"ftp://public.example/cb", "not http"},
		{"https://user:pw@public.example/cb", "user information"},
		{"https://public.example:6379/cb", "an unusual port"},
		{"/relative/cb", "not absolute"},
		{"https://rebind.example/cb", "a name that resolves to 10/8 too"},
		{"https://meta.example/cb", "a name that resolves to the metadata service"},
		{"https://v6local.example/cb", "a name that resolves to fc00::/7"},
		{"https://loopback.example/cb", "a name that resolves to 127/8"},
		{"https://nowhere.example/cb", "a name that does not resolve"},
	} {
		u, err := p.CheckCallback(c.callback)
		if err == nil {
			err = p.CheckHost(ctx, names, u)
		}
		if !errors.Is(err, websub.ErrForbidden) {
			t.Errorf("%s (%s): %v, want it refused", c.callback, c.why, err)
		}
	}
	for _, ok := range []string{"https://public.example/cb?id=1", "https://93.184.215.14/cb", "https://public.example:443/x"} {
		u, err := p.CheckCallback(ok)
		if err == nil {
			err = p.CheckHost(ctx, names, u)
		}
		if err != nil {
			t.Errorf("%s: %v, want it taken", ok, err)
		}
	}
	if _, err := (websub.Policy{AllowHTTP: true}).CheckCallback("http://public.example/cb"); err != nil {
		t.Errorf("http with AllowHTTP: %v", err)
	}
}

// TestClientRefusesAtDial: the hub's client refuses a loopback server at dial time (the address
// dialled is checked, whatever the name said), and follows no redirect.
func TestClientRefusesAtDial(t *testing.T) {
	var hits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	if _, err := (websub.Policy{AllowHTTP: true}).Client(time.Second).Get(srv.URL); !errors.Is(err, websub.ErrForbidden) || hits != 0 {
		t.Errorf("GET of a loopback server: %v after %d hits, want refused before any", err, hits)
	}
	redirect := httptest.NewServer(http.RedirectHandler("http://169.254.169.254/latest/meta-data/", http.StatusFound))
	defer redirect.Close()
	resp, err := (websub.Policy{AllowHTTP: true, AllowLoopback: true}).Client(time.Second).Get(redirect.URL)
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("a redirect: %v, %v; want the 302 itself, not followed", resp, err)
	}
	resp.Body.Close()
}

// subscriber is a WebSub subscriber on loopback: it confirms intent for the topics it wants
// and records what it is delivered.
type subscriber struct {
	mu        sync.Mutex
	want      bool
	status    int
	delivered []delivery
}

type delivery struct {
	body      string
	signature string
	links     []string
}

func (s *subscriber) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method == http.MethodGet {
		if !s.want {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, r.URL.Query().Get("hub.challenge"))
		return
	}
	b, _ := io.ReadAll(r.Body)
	s.delivered = append(s.delivered, delivery{string(b), r.Header.Get("X-Hub-Signature"), r.Header.Values("Link")})
	if s.status != 0 {
		w.WriteHeader(s.status)
	}
}

// TestVerifyAndDeliver: a subscriber that wants the topic confirms it, one that does not is
// refused; a delivery carries the content, its signature and the hub's links; a 500 asks for a
// retry, a 410 ends the subscription.
func TestVerifyAndDeliver(t *testing.T) {
	ctx := context.Background()
	sub := &subscriber{want: true}
	srv := httptest.NewServer(sub)
	defer srv.Close()
	p := websub.Policy{AllowHTTP: true, AllowLoopback: true}
	c := p.Client(2 * time.Second)
	topic := "https://cdn.example.org/feeds/city.example.org/requests.atom"
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {srv.URL + "/cb?me=1"},
		"hub.secret": {"s3cret"}, "hub.lease_seconds": {"60"}}
	r, err := p.ParseRequest(form, func(t string) bool { return t == topic })
	if err != nil {
		t.Fatal(err)
	}
	if r.Lease != websub.MinLease {
		t.Errorf("a lease of 60 s became %s, want the hub's minimum %s", r.Lease, websub.MinLease)
	}
	if err := websub.Verify(ctx, c, r, websub.Challenge()); err != nil {
		t.Fatalf("a subscriber that wants it: %v", err)
	}
	sub.want = false
	if err := websub.Verify(ctx, c, r, websub.Challenge()); err == nil {
		t.Error("a subscriber that did not ask: verified")
	}

	s := websub.Subscription{Topic: topic, Callback: r.Callback, Secret: r.Secret, Expires: time.Now().Add(r.Lease)}
	body := []byte("<feed>new entry</feed>")
	if out, err := websub.Deliver(ctx, c, s, "https://api.example.org/hub", "application/atom+xml", body); out != websub.Delivered || err != nil {
		t.Fatalf("delivery: %v, %v", out, err)
	}
	d := sub.delivered[0]
	m := hmac.New(sha256.New, []byte("s3cret"))
	m.Write(body)
	if d.body != string(body) || d.signature != "sha256="+hex.EncodeToString(m.Sum(nil)) ||
		strings.Join(d.links, ", ") != `<https://api.example.org/hub>; rel="hub", <`+topic+`>; rel="self"` {
		t.Errorf("delivered %+v", d)
	}
	sub.status = http.StatusInternalServerError
	if out, _ := websub.Deliver(ctx, c, s, "https://api.example.org/hub", "application/atom+xml", body); out != websub.Retry {
		t.Errorf("a 500: %v, want Retry", out)
	}
	sub.status = http.StatusGone
	if out, _ := websub.Deliver(ctx, c, s, "https://api.example.org/hub", "application/atom+xml", body); out != websub.Gone {
		t.Errorf("a 410: %v, want Gone", out)
	}
	for _, bad := range []url.Values{
		{"hub.mode": {"watch"}, "hub.topic": {topic}, "hub.callback": {srv.URL}},
		{"hub.mode": {"subscribe"}, "hub.topic": {"https://evil.example/feed"}, "hub.callback": {srv.URL}},
		{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {srv.URL}, "hub.secret": {strings.Repeat("x", 200)}},
		{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {srv.URL}, "hub.lease_seconds": {"-5"}},
	} {
		if _, err := p.ParseRequest(bad, func(t string) bool { return t == topic }); err == nil {
			t.Errorf("ParseRequest(%v): accepted", bad)
		}
	}
	if d, ok := websub.Backoff(1); !ok || d <= 0 {
		t.Error("no first retry")
	}
	if _, ok := websub.Backoff(websub.MaxAttempts); ok {
		t.Error("a retry after the last attempt")
	}
}
