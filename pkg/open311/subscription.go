package open311

import "time"

// Subscription is a WebSub subscriber of one feed (its topic, the feed's URL) that confirmed
// its intent, until Expires. A subscriber is named by its callback URL; subscribing again with
// the same callback replaces the subscription (a renewal).
type Subscription struct {
	// Topic is the feed's URL, as the feed's rel="self" link gives it.
	Topic string `json:"topic"`
	// Callback is where the hub delivers the feed's content.
	Callback string `json:"callback"`
	// Secret, when not empty, signs every delivery (X-Hub-Signature). It is the subscriber's:
	// it never appears in an answer, a log or a metric.
	Secret string `json:"secret,omitempty"`
	// Created is when the subscriber's intent was confirmed (last renewed).
	Created time.Time `json:"created"`
	// Expires is when the lease ends: from then the subscription delivers nothing and a store
	// may delete it.
	Expires time.Time `json:"expires"`
}

// Active reports whether the subscription's lease runs at now.
func (s Subscription) Active(now time.Time) bool { return now.Before(s.Expires) }
