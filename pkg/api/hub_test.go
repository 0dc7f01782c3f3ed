package api_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/api/apitest/world"
	"github.com/civicworks/open311/pkg/websub"
)

// intents records the subscription requests POST /hub hands on, or refuses them as busy.
type intents struct {
	mu   sync.Mutex
	got  []websub.Request
	busy bool
	err  error
}

func (i *intents) Enqueue(_ context.Context, r websub.Request) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.busy {
		return websub.ErrBusy
	}
	if i.err != nil {
		return i.err
	}
	i.got = append(i.got, r)
	return nil
}

func hubWorld(t *testing.T, hub websub.Intents) http.Handler {
	t.Helper()
	opt := api.Options{Store: world.Store(t), Now: func() time.Time { return apitest.Now },
		DefaultJurisdiction: apitest.Jurisdiction, Endpoint: "https://api.city.example.org/open311/v2",
		FeedBase: apitest.FeedBase, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if hub != nil { // a nil *intents is not a nil websub.Intents
		opt.Hub = hub
	}
	return api.New(opt).Handler()
}

func hubForm(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

// TestHubGolden posts subscription requests to POST /hub and compares each answer with its
// golden file in testdata/hub (-update rewrites them): a subscription it takes is 202 and handed
// on exactly as asked; what it refuses is a plain-text reason, and nothing is handed on.
func TestHubGolden(t *testing.T) {
	topic := apitest.FeedBase + apitest.Jurisdiction + "/requests.atom"
	reqTopic := apitest.FeedBase + apitest.Jurisdiction + "/requests/638344.atom"
	form := "application/x-www-form-urlencoded"
	for _, c := range []struct {
		name, path, contentType, body string
		hub                           *intents
		want                          []websub.Request
	}{
		{name: "subscribe", body: hubForm("hub.mode", "subscribe", "hub.topic", topic, "hub.callback", "https://sub.example.net/cb?id=7",
			"hub.secret", "s3cret", "hub.lease_seconds", "86400"),
			want: []websub.Request{{Mode: websub.Subscribe, Topic: topic, Callback: "https://sub.example.net/cb?id=7", Secret: "s3cret", Lease: 24 * time.Hour}}},
		{name: "subscribe-request-feed-versioned", path: api.VersionPrefix + api.HubPath, body: hubForm("hub.mode", "subscribe", "hub.topic", reqTopic, "hub.callback", "https://sub.example.net/cb"),
			want: []websub.Request{{Mode: websub.Subscribe, Topic: reqTopic, Callback: "https://sub.example.net/cb", Lease: websub.DefaultLease}}},
		{name: "unsubscribe", body: hubForm("hub.mode", "unsubscribe", "hub.topic", topic, "hub.callback", "https://sub.example.net/cb"),
			want: []websub.Request{{Mode: websub.Unsubscribe, Topic: topic, Callback: "https://sub.example.net/cb", Lease: websub.DefaultLease}}},
		{name: "http-callback", body: hubForm("hub.mode", "subscribe", "hub.topic", topic, "hub.callback", "http://sub.example.net/cb")},
		{name: "private-callback", body: hubForm("hub.mode", "subscribe", "hub.topic", topic, "hub.callback", "https://10.0.0.1/cb")},
		{name: "unknown-topic", body: hubForm("hub.mode", "subscribe", "hub.topic", "https://evil.example/feed.atom", "hub.callback", "https://sub.example.net/cb")},
		{name: "other-jurisdiction-topic", body: hubForm("hub.mode", "subscribe", "hub.topic", apitest.FeedBase+"nowhere.example.org/requests.atom", "hub.callback", "https://sub.example.net/cb")},
		{name: "topic-with-query", body: hubForm("hub.mode", "subscribe", "hub.topic", topic+"?x=1", "hub.callback", "https://sub.example.net/cb")},
		{name: "no-mode", body: hubForm("hub.topic", topic, "hub.callback", "https://sub.example.net/cb")},
		{name: "empty"},
		{name: "not-a-form", contentType: "application/json", body: `{"hub.mode":"subscribe"}`},
		{name: "too-large", body: hubForm("hub.mode", "subscribe", "hub.topic", topic, "hub.callback", "https://sub.example.net/cb", "pad", strings.Repeat("x", api.MaxHubBodyBytes))},
		{name: "busy", hub: &intents{busy: true}, body: hubForm("hub.mode", "subscribe", "hub.topic", topic, "hub.callback", "https://sub.example.net/cb")},
		{name: "failing", hub: &intents{err: errors.New("the queue is down")}, body: hubForm("hub.mode", "subscribe", "hub.topic", topic, "hub.callback", "https://sub.example.net/cb")},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			hub := c.hub
			if hub == nil {
				hub = &intents{}
			}
			path, ct := c.path, c.contentType
			if path == "" {
				path = api.HubPath
			}
			if ct == "" {
				ct = form
			}
			status, header, body := serve(t, hubWorld(t, hub), apitest.Case{Method: http.MethodPost, Path: path, ContentType: ct, Body: c.body})
			golden(t, filepath.Join("testdata", "hub", c.name+".txt"), apitest.Record(status, header, body))
			if got := len(hub.got); got != len(c.want) {
				t.Fatalf("handed on %d requests (%+v), want %d", got, hub.got, len(c.want))
			}
			for i, w := range c.want {
				if hub.got[i] != w {
					t.Errorf("handed on %+v, want %+v", hub.got[i], w)
				}
			}
			if strings.Contains(string(body), "s3cret") {
				t.Error("the answer shows the secret")
			}
			checkHubDocumented(t, status, header)
		})
	}
	t.Run("no-hub", func(t *testing.T) {
		t.Parallel()
		status, header, body := serve(t, hubWorld(t, nil), apitest.Case{Method: http.MethodPost, Path: api.HubPath, ContentType: form,
			Body: hubForm("hub.mode", "subscribe", "hub.topic", topic, "hub.callback", "https://sub.example.net/cb")})
		golden(t, filepath.Join("testdata", "hub", "no-hub.txt"), apitest.Record(status, header, body))
		checkHubDocumented(t, status, header)
	})
}

// checkHubDocumented checks that openapi.json documents an answer of POST /hub: its status, as
// plain text.
func checkHubDocumented(t *testing.T, status int, header http.Header) {
	t.Helper()
	op, ok := documentedOperation(readOpenAPI(t, api.OpenAPIFile()), http.MethodPost, api.HubPath)
	if !ok {
		t.Fatal("openapi.json does not document POST /hub")
	}
	resp, ok := op.Responses[strconv.Itoa(status)]
	if !ok {
		t.Fatalf("POST /hub answered %d, which openapi.json does not document", status)
	}
	mediaType, _, _ := strings.Cut(header.Get("Content-Type"), ";")
	if _, ok := resp.Content[mediaType]; !ok || mediaType != "text/plain" {
		t.Errorf("POST /hub answered %d as %s; documented as %v", status, mediaType, resp.Content)
	}
}
