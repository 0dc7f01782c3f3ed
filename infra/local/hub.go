package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/metrics"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/websub"
)

// Bounds of the local hub: subscription requests waiting to be verified (beyond, POST /hub is
// 503), deliveries in flight at once, and deliveries waiting for their turn or their retry
// (beyond, a delivery is given up on and logged).
const (
	hubIntents       = 64
	hubCalls         = 4
	hubPendingLimit  = 10000
	hubClientTimeout = 10 * time.Second
)

// localHub is the local stand-in for the hub's queue and delivery function on AWS: it takes the
// subscription requests POST /hub accepted (websub.Intents) and verifies each in a goroutine, and
// it is told the feeds the follower wrote with new content (websub.Notifier) and delivers each
// to every subscriber from another, each delivery retried with back-off on its own, so that a
// failing subscriber never holds up the follower or the other subscribers.
type localHub struct {
	hub      websub.Hub
	feedBase string // the topics are the feeds' URLs under it
	feeds    string // folder the follower writes the feeds in
	log      *slog.Logger
	counts   *metrics.Counters
	// backoff scales websub.Backoff's waits between attempts (the tests' small knob).
	backoff float64

	intents chan websub.Request
	mu      sync.Mutex
	changed map[string]bool // topics to fan out
	wake    chan struct{}   // capacity 1
	calls   chan struct{}   // a slot per delivery in flight
	pending atomic.Int64    // deliveries waiting or in flight

	ctx     context.Context
	cancel  context.CancelFunc
	work    sync.WaitGroup
	started bool
	once    sync.Once
}

// newLocalHub returns a hub whose URL is hubURL, calling callbacks as policy allows; start gives
// it its store and starts it, Close stops it.
func newLocalHub(hubURL, feedBase, feeds string, policy websub.Policy, backoff float64, log *slog.Logger, counts *metrics.Counters) *localHub {
	if backoff <= 0 {
		backoff = 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &localHub{hub: websub.Hub{Client: policy.Client(hubClientTimeout), URL: hubURL},
		feedBase: strings.TrimRight(feedBase, "/"), feeds: feeds, log: log, counts: counts, backoff: backoff,
		intents: make(chan websub.Request, hubIntents), changed: map[string]bool{}, wake: make(chan struct{}, 1),
		calls: make(chan struct{}, hubCalls), ctx: ctx, cancel: cancel}
}

// start gives the hub the store of its subscriptions and starts its goroutines. It is called
// once, before anything is enqueued or changed.
func (h *localHub) start(subs store.Subscriptions) {
	h.hub.Subs = subs
	h.started = true
	h.work.Go(h.confirmAll)
	h.work.Go(h.fanoutAll)
}

// Close stops the hub: verifications and deliveries not done are dropped (logged).
func (h *localHub) Close() {
	h.once.Do(func() {
		h.cancel()
		if h.started {
			h.work.Wait()
		}
	})
}

// Enqueue takes a subscription request to verify, or fails with websub.ErrBusy when hubIntents
// wait already (or the hub is stopping).
func (h *localHub) Enqueue(_ context.Context, r websub.Request) error {
	if h.ctx.Err() != nil {
		return fmt.Errorf("local hub stopping: %w", websub.ErrBusy)
	}
	select {
	case h.intents <- r:
		return nil
	default:
		return fmt.Errorf("%d subscription requests wait: %w", hubIntents, websub.ErrBusy)
	}
}

// Changed notes topics whose feeds were written with new content and wakes the fan-out; it
// never waits.
func (h *localHub) Changed(_ context.Context, topics []string) error {
	h.mu.Lock()
	for _, t := range topics {
		h.changed[t] = true
	}
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
	return nil
}

func (h *localHub) confirmAll() {
	for {
		select {
		case <-h.ctx.Done():
			return
		case r := <-h.intents:
			err := h.hub.Confirm(h.ctx, r)
			attrs := []any{"mode", string(r.Mode), "topic", r.Topic, "callback", redactCallback(r.Callback)}
			if err != nil {
				h.counts.WebSub("refused")
				h.log.Warn("websub intent not confirmed", append(attrs, "err", err)...)
				continue
			}
			h.counts.WebSub("verified")
			h.log.Info("websub intent confirmed", attrs...)
		}
	}
}

func (h *localHub) fanoutAll() {
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-h.wake:
		}
		h.mu.Lock()
		topics := h.changed
		h.changed = map[string]bool{}
		h.mu.Unlock()
		for topic := range topics {
			h.fanout(topic)
		}
	}
}

// fanout reads a topic's feed as the follower wrote it and delivers it to each subscriber.
func (h *localHub) fanout(topic string) {
	path, ok := strings.CutPrefix(topic, h.feedBase+"/")
	if !ok {
		h.log.Error("websub fan-out", "topic", topic, "err", "not a feed of this server")
		return
	}
	key, err := feed.ObjectKey(path)
	if err != nil {
		h.log.Error("websub fan-out", "topic", topic, "err", err)
		return
	}
	body, err := os.ReadFile(filepath.Join(h.feeds, filepath.FromSlash(key)))
	if err != nil {
		h.log.Error("websub fan-out", "topic", topic, "err", fmt.Errorf("read the feed: %w", err))
		return
	}
	err = h.hub.Fanout(h.ctx, topic, func(s websub.Subscription) error {
		if h.pending.Add(1) > hubPendingLimit {
			h.pending.Add(-1)
			h.counts.WebSub("given_up")
			h.log.Warn("websub delivery given up", "topic", topic, "callback", redactCallback(s.Callback), "reason", "too many deliveries waiting")
			return nil
		}
		h.work.Go(func() {
			defer h.pending.Add(-1)
			h.deliver(topic, s.Callback, body)
		})
		return nil
	})
	if err != nil && h.ctx.Err() == nil {
		h.log.Error("websub fan-out", "topic", topic, "err", err)
	}
}

// deliver delivers body to one subscriber, trying again after websub.Backoff's waits (scaled)
// up to websub.MaxAttempts attempts, then gives up on it.
func (h *localHub) deliver(topic, callback string, body []byte) {
	cb := redactCallback(callback)
	for attempt := 1; ; attempt++ {
		select {
		case h.calls <- struct{}{}:
		case <-h.ctx.Done():
			return
		}
		out, err := h.hub.DeliverTo(h.ctx, topic, callback, feed.ContentType, body)
		<-h.calls
		switch out {
		case websub.Delivered:
			h.counts.WebSub("delivered")
			h.log.Info("websub delivered", "topic", topic, "callback", cb, "attempt", attempt)
			return
		case websub.Gone:
			if err != nil { // the subscriber answered 410: its subscription was removed
				h.counts.WebSub("gone")
				h.log.Info("websub subscriber gone", "topic", topic, "callback", cb)
			}
			return
		}
		wait, again := websub.Backoff(attempt)
		if !again || attempt >= websub.MaxAttempts {
			h.counts.WebSub("given_up")
			h.log.Warn("websub delivery given up", "topic", topic, "callback", cb, "attempts", attempt, "err", err)
			return
		}
		wait = time.Duration(float64(wait) * h.backoff)
		h.counts.WebSub("retried")
		h.log.Info("websub delivery failed, will retry", "topic", topic, "callback", cb, "attempt", attempt, "wait", wait.String(), "err", err)
		select {
		case <-time.After(wait):
		case <-h.ctx.Done():
			h.log.Warn("websub delivery dropped at shutdown", "topic", topic, "callback", cb)
			return
		}
	}
}

// redactCallback is a callback without its query, which may hold the subscriber's own secret.
func redactCallback(callback string) string {
	if i := strings.IndexAny(callback, "?#"); i >= 0 {
		return callback[:i]
	}
	return callback
}
