package websub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// Intents takes the subscription requests the hub accepted (it answered 202 Accepted) to have
// them verified later, off the request's path: the local server's goroutine, a queue on AWS.
// What takes them calls Hub.Confirm for each.
type Intents interface {
	// Enqueue takes r for verification, or fails with ErrBusy when it cannot take more now.
	Enqueue(ctx context.Context, r Request) error
}

// ErrBusy is Intents.Enqueue's error when it cannot take more requests now: the hub answers 503
// with Retry-After, and the subscriber asks again later.
var ErrBusy = errors.New("websub: the hub is busy")

// Notifier is told the topics (feed URLs) whose feeds were just written with new content, to
// have the new content delivered to their subscribers later, off the feed builder's path. What
// it is told it hands to Hub.Fanout and Hub.DeliverTo.
type Notifier interface {
	Changed(ctx context.Context, topics []string) error
}

// Hub is the work of a WebSub hub over a store of subscriptions, whatever runs it: confirming
// intents, listing a topic's subscribers, delivering to one of them.
type Hub struct {
	Subs store.Subscriptions
	// Client verifies and delivers: Policy.Client's, so that no private address is reached.
	Client *http.Client
	// URL is the hub's own URL (rel="hub").
	URL string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (h Hub) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Confirm verifies a subscription request's intent with its subscriber (Verify) and then
// stores the subscription (a lease of r.Lease from now) or removes it. A request its subscriber
// did not confirm changes nothing and returns Verify's error.
func (h Hub) Confirm(ctx context.Context, r Request) error {
	if err := Verify(ctx, h.Client, r, Challenge()); err != nil {
		return err
	}
	if r.Mode == Unsubscribe {
		return h.Subs.DeleteSubscription(ctx, r.Topic, r.Callback)
	}
	now := h.now()
	return h.Subs.PutSubscription(ctx, Subscription{Topic: r.Topic, Callback: r.Callback, Secret: r.Secret, Created: now, Expires: now.Add(r.Lease)})
}

// FanoutPage is how many subscribers Fanout reads at a time.
const FanoutPage = 100

// Fanout calls visit with every active subscriber of topic, a page at a time.
func (h Hub) Fanout(ctx context.Context, topic string, visit func(Subscription) error) error {
	cursor, now := "", h.now()
	for {
		page, err := h.Subs.Subscribers(ctx, topic, now, cursor, FanoutPage)
		if err != nil {
			return err
		}
		for _, s := range page.Subscriptions {
			if err := visit(s); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		cursor = page.Next
	}
}

// DeliverTo delivers a topic's content (body, of contentType) to one of its subscribers, named
// by its callback, and returns what the answer means. A subscription that ended meanwhile (or
// never was) is Gone with no error: there is nothing to deliver. A subscriber that answers 410
// is removed.
func (h Hub) DeliverTo(ctx context.Context, topic, callback, contentType string, body []byte) (Outcome, error) {
	s, err := h.Subs.Subscription(ctx, topic, callback, h.now())
	if open311.IsKind(err, open311.NotFound) {
		return Gone, nil
	}
	if err != nil {
		return Retry, err
	}
	out, derr := Deliver(ctx, h.Client, s, h.URL, contentType, body)
	if out == Gone {
		if err := h.Subs.DeleteSubscription(ctx, topic, callback); err != nil {
			return Retry, errors.Join(derr, fmt.Errorf("websub: remove a gone subscriber: %w", err))
		}
	}
	return out, derr
}
