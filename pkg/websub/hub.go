package websub

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// The hub's bounds on a subscription's lease (hub.lease_seconds): a subscriber asks within them
// and renews before its lease ends; without asking it gets DefaultLease.
const (
	MinLease     = time.Hour
	DefaultLease = 10 * 24 * time.Hour
	MaxLease     = 30 * 24 * time.Hour
	// MaxSecret bounds hub.secret (the spec: less than 200 bytes).
	MaxSecret = 199
)

// Mode is what a subscription request asks.
type Mode string

// The modes of a subscription request.
const (
	Subscribe   Mode = "subscribe"
	Unsubscribe Mode = "unsubscribe"
)

// Request is a subscriber's subscription request (the hub's form POST).
type Request struct {
	Mode     Mode
	Topic    string
	Callback string
	Secret   string
	Lease    time.Duration
}

// Subscription is a confirmed subscriber of a topic, until Expires (kept by a
// store.Subscriptions).
type Subscription = open311.Subscription

// ParseRequest reads a subscription request's form: hub.mode, hub.topic (which topics says
// this hub serves), hub.callback (the policy's rules), hub.secret, hub.lease_seconds (within
// MinLease and MaxLease, else brought within them, as the spec lets a hub do).
func (p Policy) ParseRequest(form url.Values, topics func(string) bool) (Request, error) {
	r := Request{Mode: Mode(form.Get("hub.mode")), Topic: form.Get("hub.topic"), Callback: form.Get("hub.callback"), Secret: form.Get("hub.secret")}
	var problems []string
	if r.Mode != Subscribe && r.Mode != Unsubscribe {
		problems = append(problems, fmt.Sprintf("hub.mode must be subscribe or unsubscribe, not %q", r.Mode))
	}
	if r.Topic == "" || !topics(r.Topic) {
		problems = append(problems, fmt.Sprintf("hub.topic %q is not a feed of this hub", r.Topic))
	}
	if _, err := p.CheckCallback(r.Callback); err != nil {
		problems = append(problems, strings.TrimPrefix(err.Error(), ErrForbidden.Error()+": "))
	}
	if len(r.Secret) > MaxSecret {
		problems = append(problems, fmt.Sprintf("hub.secret must be shorter than %d bytes", MaxSecret+1))
	}
	r.Lease = DefaultLease
	if v := form.Get("hub.lease_seconds"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			problems = append(problems, fmt.Sprintf("hub.lease_seconds must be a positive number of seconds, not %q", v))
		} else {
			r.Lease = min(max(time.Duration(min(n, int64(MaxLease/time.Second)))*time.Second, MinLease), MaxLease)
		}
	}
	if len(problems) > 0 {
		return Request{}, fmt.Errorf("%w: %s", ErrForbidden, strings.Join(problems, "; "))
	}
	return r, nil
}

// Challenge returns a new hub.challenge.
func Challenge() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Verify asks the subscriber to confirm its intent: a GET of its callback with hub.mode,
// hub.topic, hub.challenge and (to subscribe) hub.lease_seconds, which it confirms by answering
// 2xx with the challenge as its body. A subscriber that answers otherwise (or not at all) did
// not ask, and the request is dropped.
func Verify(ctx context.Context, c *http.Client, r Request, challenge string) error {
	u, err := url.Parse(r.Callback)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("hub.mode", string(r.Mode))
	q.Set("hub.topic", r.Topic)
	q.Set("hub.challenge", challenge)
	if r.Mode == Subscribe {
		q.Set("hub.lease_seconds", strconv.FormatInt(int64(r.Lease/time.Second), 10))
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("verify %s: %w", redact(r.Callback), err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, int64(len(challenge))+1))
	if resp.StatusCode/100 != 2 || string(bytes.TrimSpace(body)) != challenge {
		return fmt.Errorf("verify %s: the subscriber answered %d without the challenge", redact(r.Callback), resp.StatusCode)
	}
	return nil
}

// Signature is the X-Hub-Signature of body under secret: "sha256=" and the HMAC's hex.
func Signature(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Outcome is what a delivery's answer means for the subscription.
type Outcome int

// The outcomes of a delivery.
const (
	Delivered Outcome = iota // 2xx
	Retry                    // no answer, 429, 5xx, other: try again later
	Gone                     // 410: the subscriber is gone; the subscription ends
)

// Deliver POSTs a feed's content to a subscriber, with the feed's content type, the Link
// headers naming the hub and the topic (rel="hub", rel="self"), and X-Hub-Signature when the
// subscription has a secret.
func Deliver(ctx context.Context, c *http.Client, s Subscription, hubURL, contentType string, body []byte) (Outcome, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Callback, bytes.NewReader(body))
	if err != nil {
		return Gone, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Add("Link", "<"+hubURL+`>; rel="hub"`)
	req.Header.Add("Link", "<"+s.Topic+`>; rel="self"`)
	if s.Secret != "" {
		req.Header.Set("X-Hub-Signature", Signature(s.Secret, body))
	}
	resp, err := c.Do(req)
	if err != nil {
		return Retry, fmt.Errorf("deliver to %s: %w", redact(s.Callback), err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode/100 == 2:
		return Delivered, nil
	case resp.StatusCode == http.StatusGone:
		return Gone, fmt.Errorf("deliver to %s: 410 Gone", redact(s.Callback))
	default:
		return Retry, fmt.Errorf("deliver to %s: %d", redact(s.Callback), resp.StatusCode)
	}
}

// Backoff is how long to wait before the attempt-th retry of a delivery (attempt 1 is the
// first retry), and false when the delivery is given up on (after MaxAttempts).
func Backoff(attempt int) (time.Duration, bool) {
	steps := []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour}
	if attempt < 1 || attempt > len(steps) {
		return 0, false
	}
	return steps[attempt-1], true
}

// MaxAttempts is how many times a delivery is tried in all.
const MaxAttempts = 6

// redact is a callback without its query, which may hold the subscriber's own secret.
func redact(callback string) string {
	if i := strings.IndexAny(callback, "?#"); i >= 0 {
		return callback[:i]
	}
	return callback
}
