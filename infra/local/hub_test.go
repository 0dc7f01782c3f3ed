package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/civicworks/open311/pkg/websub"
)

// subscriber is a WebSub subscriber on loopback: it confirms the intents it asked for (echoing
// hub.challenge), and records the deliveries it is sent, answering them with status (200 when 0).
type subscriber struct {
	srv    *httptest.Server
	status int

	mu         sync.Mutex
	challenges []url.Values // the hub's verification GETs
	deliveries []delivery
}

type delivery struct {
	topic     string // of its Link rel="self"
	hub       string // of its Link rel="hub"
	body      []byte
	signature string
}

func newSubscriber(t *testing.T, status int) *subscriber {
	s := &subscriber{status: status}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if r.Method == http.MethodGet {
			s.challenges = append(s.challenges, r.URL.Query())
			_, _ = io.WriteString(w, r.URL.Query().Get("hub.challenge"))
			return
		}
		body, _ := io.ReadAll(r.Body)
		d := delivery{body: body, signature: r.Header.Get("X-Hub-Signature")}
		for _, l := range r.Header.Values("Link") {
			target, rel, _ := strings.Cut(l, ">; ")
			switch rel {
			case `rel="self"`:
				d.topic = strings.TrimPrefix(target, "<")
			case `rel="hub"`:
				d.hub = strings.TrimPrefix(target, "<")
			}
		}
		s.deliveries = append(s.deliveries, d)
		if s.status != 0 {
			w.WriteHeader(s.status)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// delivered returns what was delivered of topic so far.
func (s *subscriber) delivered(topic string) []delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []delivery
	for _, d := range s.deliveries {
		if d.topic == topic {
			out = append(out, d)
		}
	}
	return out
}

// postHub sends a subscription request to the hub and returns its status and answer.
func postHub(t *testing.T, base string, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(base+"/hub", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("POST /hub answered %d as %q: %s", resp.StatusCode, ct, b)
	}
	return resp.StatusCode, string(b)
}

// websubCount is the hub's counter of an outcome at /metrics.
func websubCount(t *testing.T, base, outcome string) float64 {
	t.Helper()
	status, body := get(t, base+"/metrics")
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return counter(families, "open311_websub_total", "outcome", outcome)
}

// eventually polls cond for up to d, and fails with what when it never holds.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", d, what)
		}
	}
}

func subscribe(t *testing.T, base string, mode websub.Mode, topic, callback, secret string) {
	t.Helper()
	before := websubCount(t, base, "verified")
	form := url.Values{"hub.mode": {string(mode)}, "hub.topic": {topic}, "hub.callback": {callback}}
	if secret != "" {
		form.Set("hub.secret", secret)
	}
	if status, body := postHub(t, base, form); status != http.StatusAccepted {
		t.Fatalf("%s %s: %d %s", mode, topic, status, body)
	}
	eventually(t, 5*time.Second, "the "+string(mode)+" of "+callback+" to "+topic+" is not verified",
		func() bool { return websubCount(t, base, "verified") > before })
}

// TestWebSubOnLoopback is issue 15's proof on one machine: a subscriber on loopback subscribes
// to the jurisdiction's feed, its intent is verified (the challenge echoed), and a new request
// and a staff update are each delivered to it, signed with its secret and parsing as Atom with
// the change in it; a second subscriber that answers 500 is retried and given up on while the
// first gets every delivery; after unsubscribing, the first gets nothing more of that feed.
func TestWebSubOnLoopback(t *testing.T) {
	s := startStack(t, Config{Data: t.TempDir(), ReporterKey: "hub-reporter", StaffKey: "hub-staff",
		WebSubInsecure: true, WebSubBackoff: 1e-4})
	base := s.base
	jurisdictionFeed := base + "/feeds/city.example.org/requests.atom"
	good, bad := newSubscriber(t, 0), newSubscriber(t, http.StatusInternalServerError)
	const secret = "the subscriber's own secret"

	subscribe(t, base, websub.Subscribe, jurisdictionFeed, good.srv.URL+"/cb?who=good", secret)
	good.mu.Lock()
	if len(good.challenges) != 1 || good.challenges[0].Get("hub.mode") != "subscribe" || good.challenges[0].Get("hub.topic") != jurisdictionFeed ||
		good.challenges[0].Get("who") != "good" || good.challenges[0].Get("hub.lease_seconds") != "864000" {
		t.Errorf("the verification GETs: %v", good.challenges)
	}
	good.mu.Unlock()
	subscribe(t, base, websub.Subscribe, jurisdictionFeed, bad.srv.URL+"/cb", "another secret")

	// The feed names the hub and itself.
	_, body := get(t, jurisdictionFeed)
	parsed, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, `<link rel="hub" href="`+base+`/hub">`) || parsed.FeedLink != jurisdictionFeed {
		t.Errorf("the feed does not name its hub and itself:\n%.600s", body)
	}

	// A new request.
	id := report(t, base, url.Values{"api_key": {"hub-reporter"}, "service_code": {"pothole"},
		"lat": {"40.7128"}, "long": {"-74.006"}, "attribute[size]": {"large"}, "description": {"A hole pushed to subscribers"},
		"email": {"pii@example.net"}})
	requestFeed := base + "/feeds/city.example.org/requests/" + id + ".atom"
	check := func(d delivery, want string) bool {
		t.Helper()
		if d.hub != base+"/hub" {
			t.Errorf("a delivery names the hub %q", d.hub)
		}
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(d.body)
		if d.signature != "sha256="+hex.EncodeToString(m.Sum(nil)) {
			t.Errorf("a delivery of %s is signed %q, not with the secret", d.topic, d.signature)
		}
		f, err := gofeed.NewParser().ParseString(string(d.body))
		if err != nil {
			t.Errorf("a delivery of %s is not Atom: %v", d.topic, err)
			return false
		}
		for _, e := range f.Items {
			if strings.Contains(e.Content+e.Description+e.Title, want) {
				return true
			}
		}
		return false
	}
	has := func(sub *subscriber, topic, want string) func() bool {
		return func() bool {
			for _, d := range sub.delivered(topic) {
				if check(d, want) {
					return true
				}
			}
			return false
		}
	}
	eventually(t, 10*time.Second, "the new request is not delivered", has(good, jurisdictionFeed, "A hole pushed to subscribers"))
	if strings.Contains(string(good.delivered(jurisdictionFeed)[0].body), "pii@example.net") {
		t.Error("a delivery shows the reporter's email")
	}

	// The subscriber answering 500 is tried MaxAttempts times and given up on.
	eventually(t, 20*time.Second, "the failing subscriber is not given up on", func() bool { return websubCount(t, base, "given_up") >= 1 })
	firstBody := string(good.delivered(jurisdictionFeed)[len(good.delivered(jurisdictionFeed))-1].body)
	tries := 0
	for _, d := range bad.delivered(jurisdictionFeed) {
		if string(d.body) == firstBody {
			tries++
		}
	}
	if tries != websub.MaxAttempts {
		t.Errorf("the failing subscriber was tried %d times with the new request's feed, want %d", tries, websub.MaxAttempts)
	}

	// The request's own feed, subscribed to now, and a staff update, delivered on both.
	subscribe(t, base, websub.Subscribe, requestFeed, good.srv.URL+"/cb?who=good", secret)
	resp, err := http.PostForm(base+"/requests/"+id+".json", url.Values{"api_key": {"hub-staff"}, "comment": {"Crew booked for Tuesday"},
		"status_notes": {"Scheduled."}, "agency_responsible": {"Public Works"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("staff update: %d", resp.StatusCode)
	}
	eventually(t, 10*time.Second, "the staff update is not delivered with the jurisdiction feed", has(good, jurisdictionFeed, "Crew booked for Tuesday"))
	eventually(t, 10*time.Second, "the staff update is not delivered with the request feed", has(good, requestFeed, "Crew booked for Tuesday"))

	// Unsubscribed from the jurisdiction feed, the subscriber gets its request feed only.
	subscribe(t, base, websub.Unsubscribe, jurisdictionFeed, good.srv.URL+"/cb?who=good", "")
	before := len(good.delivered(jurisdictionFeed))
	resp, err = http.PostForm(base+"/requests/"+id+".json", url.Values{"api_key": {"hub-staff"}, "comment": {"Filled in today"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	eventually(t, 10*time.Second, "the comment is not delivered with the request feed", has(good, requestFeed, "Filled in today"))
	eventually(t, 10*time.Second, "the jurisdiction feed is not rewritten with the comment", func() bool {
		_, body := get(t, jurisdictionFeed)
		return strings.Contains(body, "Filled in today")
	})
	time.Sleep(300 * time.Millisecond) // room for a delivery that should not come
	if after := good.delivered(jurisdictionFeed); len(after) != before {
		t.Errorf("after unsubscribing, %d more deliveries of the jurisdiction feed", len(after)-before)
	}
	if logs := s.log.String(); strings.Contains(logs, secret) || strings.Contains(logs, "who=good") {
		t.Error("the log shows a subscriber's secret or its callback's query")
	}
}

// TestWebSubRefusesCallbacks posts subscriptions with every forbidden kind of callback to a
// local server run without -websub-insecure: an http callback, or one on a private, loopback,
// link-local or metadata address, is 400 at POST /hub with the reason; a name that resolves to
// loopback (this machine's own name, where it does) passes the form's checks, is 202, and is
// refused when the hub dials it to verify the intent, so nothing is stored.
func TestWebSubRefusesCallbacks(t *testing.T) {
	s := startStack(t, Config{Data: t.TempDir()})
	topic := s.base + "/feeds/city.example.org/requests.atom"
	for _, c := range []struct{ callback, why string }{
		{"http://subscriber.example.net/cb", "must be https"},
		{"https://10.0.0.1/cb", "10.0.0.0/8"},
		{"https://172.16.0.1/cb", "172.16.0.0/12"},
		{"https://192.168.1.1/cb", "192.168.0.0/16"},
		{"https://127.0.0.1/cb", "127.0.0.0/8"},
		{"https://169.254.169.254/latest/meta-data/", "169.254.0.0/16"},
		{"https://[::1]/cb", "::1/128"},
		{"https://[fc00::1]/cb", "fc00::/7"},
		{"https://localhost/cb", "not public"},
		{"https://subscriber.example.net:8443/cb", "port must be 443 or 80"},
	} {
		status, body := postHub(t, s.base, url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {c.callback}})
		if status != http.StatusBadRequest || !strings.Contains(body, c.why) {
			t.Errorf("%s: %d %q, want 400 saying %q", c.callback, status, body, c.why)
		}
	}

	// A name that resolves to loopback: refused at the dial, when the hub verifies the intent.
	name, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", name)
	if err != nil || len(addrs) == 0 || !loopbackOnly(addrs) {
		t.Skipf("this machine's name %q resolves to %v (%v), not to loopback only: no name to try", name, addrs, err)
	}
	status, body := postHub(t, s.base, url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {"https://" + name + "/cb"}})
	if status != http.StatusAccepted {
		t.Fatalf("https://%s/cb: %d %q, want 202 (its form is fine; its address is checked when dialled)", name, status, body)
	}
	eventually(t, 10*time.Second, "the intent of a name resolving to loopback is not refused", func() bool {
		return websubCount(t, s.base, "refused") >= 1
	})
	if n := websubCount(t, s.base, "verified"); n != 0 {
		t.Errorf("%v intents verified, want none", n)
	}
	if logs := s.log.String(); !strings.Contains(logs, "websub intent not confirmed") || !strings.Contains(logs, "is not a public address") {
		t.Errorf("the refusal is not logged as the address's: %s", logs)
	}
}

func loopbackOnly(addrs []netip.Addr) bool {
	for _, a := range addrs {
		if !a.Unmap().IsLoopback() {
			return false
		}
	}
	return true
}
