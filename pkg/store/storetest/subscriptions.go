package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// TestSubscriptions is the conformance suite of store.Subscriptions, for every store that keeps
// the WebSub hub's subscriptions. newStore must return a fresh, empty store each time it is
// called (once per subtest, with that subtest's t, from parallel subtests). As the suite reads
// the interface's doc comments:
//   - a subscription is named by its topic and callback: putting one again replaces it, its
//     secret and lease included, and the same callback may subscribe to other topics apart;
//   - an expired subscription is neither returned by Subscription (NotFound) nor listed by
//     Subscribers, whether or not the store deleted it yet;
//   - Subscribers lists by callback in byte order, pages neither skip nor repeat, and the last
//     page has Next "" (a page whose only successors expired is the last);
//   - a limit outside 1..MaxPageSize and a cursor the store did not give out are Invalid.
func TestSubscriptions(t *testing.T, newStore func(t *testing.T) store.Subscriptions) {
	for _, tt := range []struct {
		name string
		run  func(t *testing.T, s store.Subscriptions)
	}{
		{"PutRenew", testSubscriptionPutRenew},
		{"Delete", testSubscriptionDelete},
		{"Expired", testSubscriptionExpired},
		{"SubscribersOrder", testSubscribersOrder},
		{"SubscribersPaging", testSubscribersPaging},
		{"SubscribersInvalid", testSubscribersInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each on a store of its own
			s := newStore(t)
			if s == nil {
				t.Fatal("newStore returned a nil store")
			}
			tt.run(t, s)
		})
	}
}

// Topics of the suite; topicLonger starts with topicA, to catch key designs that select a
// topic's subscribers by a plain prefix.
const (
	topicA      = "https://cdn.example.org/feeds/city.example.gov/requests.atom"
	topicB      = "https://cdn.example.org/feeds/city.example.gov/services/pothole.atom"
	topicLonger = topicA + "?lang=fr"
)

func subscription(topic, callback, secret string, leaseFrom, leaseMinutes int) open311.Subscription {
	return open311.Subscription{Topic: topic, Callback: callback, Secret: secret,
		Created: at(leaseFrom), Expires: at(leaseFrom + leaseMinutes)}
}

func putSubscription(t *testing.T, s store.Subscriptions, sub open311.Subscription) {
	t.Helper()
	must(t, s.PutSubscription(t.Context(), sub), "PutSubscription "+sub.Callback)
}

// callbacksOf lists every active subscriber of topic at now, walking Subscribers' pages of
// limit, and fails on a page that is empty but not the last, or a walk that does not end.
func callbacksOf(t *testing.T, s store.Subscriptions, topic string, now time.Time, limit int) ([]string, int) {
	t.Helper()
	out, pages, cursor := []string{}, 0, ""
	for {
		page, err := s.Subscribers(t.Context(), topic, now, cursor, limit)
		must(t, err, fmt.Sprintf("Subscribers page %d", pages+1))
		pages++
		if len(page.Subscriptions) > limit {
			t.Fatalf("Subscribers page %d: %d subscriptions, more than the limit %d", pages, len(page.Subscriptions), limit)
		}
		if len(page.Subscriptions) == 0 && page.Next != "" {
			t.Fatalf("Subscribers page %d: empty, with a Next", pages)
		}
		for _, sub := range page.Subscriptions {
			if sub.Topic != topic {
				t.Errorf("Subscribers of %s listed a subscription to %s", topic, sub.Topic)
			}
			out = append(out, sub.Callback)
		}
		if page.Next == "" {
			return out, pages
		}
		if pages > 1000 {
			t.Fatal("Subscribers: more than 1000 pages, the walk does not end")
		}
		cursor = page.Next
	}
}

func testSubscriptionPutRenew(t *testing.T, s store.Subscriptions) {
	ctx := t.Context()
	first := subscription(topicA, "https://sub.example.net/cb?id=1", "first secret", 0, 60)
	putSubscription(t, s, first)
	got, err := s.Subscription(ctx, topicA, first.Callback, at(30))
	must(t, err, "Subscription")
	same(t, "Subscription after PutSubscription", got, first)

	renewed := subscription(topicA, first.Callback, "second secret", 50, 600)
	putSubscription(t, s, renewed)
	got, err = s.Subscription(ctx, topicA, first.Callback, at(300))
	must(t, err, "Subscription after the renewal, past the first lease")
	same(t, "Subscription after the renewal", got, renewed)
	if cbs, _ := callbacksOf(t, s, topicA, at(30), 10); len(cbs) != 1 {
		t.Errorf("Subscribers after a renewal: %q, want the callback once", cbs)
	}

	unsigned := subscription(topicA, first.Callback, "", 60, 600)
	putSubscription(t, s, unsigned)
	got, err = s.Subscription(ctx, topicA, first.Callback, at(100))
	must(t, err, "Subscription after a renewal without a secret")
	if got.Secret != "" {
		t.Errorf("a renewal without a secret kept the secret %q", got.Secret)
	}

	// The same callback subscribes to other topics apart.
	other := subscription(topicLonger, first.Callback, "other secret", 0, 10)
	putSubscription(t, s, other)
	got, err = s.Subscription(ctx, topicA, first.Callback, at(100))
	must(t, err, "Subscription to topicA after subscribing to topicLonger")
	same(t, "Subscription to topicA", got, unsigned)
	got, err = s.Subscription(ctx, topicLonger, first.Callback, at(5))
	must(t, err, "Subscription to topicLonger")
	same(t, "Subscription to topicLonger", got, other)
	_, err = s.Subscription(ctx, topicB, first.Callback, at(5))
	wantKind(t, err, open311.NotFound, "Subscription to a topic it did not subscribe to")
}

func testSubscriptionDelete(t *testing.T, s store.Subscriptions) {
	ctx := t.Context()
	must(t, s.DeleteSubscription(ctx, topicA, "https://nobody.example.net/cb"), "DeleteSubscription of an unknown subscription")
	keep, gone := subscription(topicA, "https://keep.example.net/cb", "", 0, 60), subscription(topicA, "https://gone.example.net/cb", "s", 0, 60)
	elsewhere := subscription(topicB, gone.Callback, "", 0, 60)
	for _, sub := range []open311.Subscription{keep, gone, elsewhere} {
		putSubscription(t, s, sub)
	}
	must(t, s.DeleteSubscription(ctx, topicA, gone.Callback), "DeleteSubscription")
	_, err := s.Subscription(ctx, topicA, gone.Callback, at(1))
	wantKind(t, err, open311.NotFound, "Subscription after DeleteSubscription")
	must(t, s.DeleteSubscription(ctx, topicA, gone.Callback), "DeleteSubscription again")
	if cbs, _ := callbacksOf(t, s, topicA, at(1), 10); !same(t, "Subscribers after DeleteSubscription", cbs, []string{keep.Callback}) {
		return
	}
	if _, err := s.Subscription(ctx, topicB, gone.Callback, at(1)); err != nil {
		t.Errorf("the callback's subscription to another topic after deleting one: %v", err)
	}
	// Deleted, it subscribes again like a new subscriber.
	putSubscription(t, s, gone)
	if cbs, _ := callbacksOf(t, s, topicA, at(1), 10); len(cbs) != 2 {
		t.Errorf("Subscribers after subscribing again: %q", cbs)
	}
}

func testSubscriptionExpired(t *testing.T, s store.Subscriptions) {
	ctx := t.Context()
	sub := subscription(topicA, "https://sub.example.net/cb", "s", 0, 60)
	putSubscription(t, s, sub)
	_, err := s.Subscription(ctx, topicA, "https://unknown.example.net/cb", at(1))
	wantKind(t, err, open311.NotFound, "Subscription of an unknown callback")
	_, err = s.Subscription(ctx, "https://cdn.example.org/feeds/unknown.atom", sub.Callback, at(1))
	wantKind(t, err, open311.NotFound, "Subscription to an unknown topic")
	if _, err := s.Subscription(ctx, topicA, sub.Callback, at(59)); err != nil {
		t.Errorf("Subscription a minute before it expires: %v", err)
	}
	_, err = s.Subscription(ctx, topicA, sub.Callback, at(60))
	wantKind(t, err, open311.NotFound, "Subscription at its expiry")
	_, err = s.Subscription(ctx, topicA, sub.Callback, at(61))
	wantKind(t, err, open311.NotFound, "Subscription after its expiry")
	if cbs, _ := callbacksOf(t, s, topicA, at(60), 10); len(cbs) != 0 {
		t.Errorf("Subscribers at its expiry: %q, want none", cbs)
	}
	// Renewed after it expired, it is active again.
	putSubscription(t, s, subscription(topicA, sub.Callback, "s", 70, 60))
	if _, err := s.Subscription(ctx, topicA, sub.Callback, at(80)); err != nil {
		t.Errorf("Subscription renewed after its expiry: %v", err)
	}
}

func testSubscribersOrder(t *testing.T, s store.Subscriptions) {
	// Written out of order; listed by callback, byte order.
	for i, cb := range []string{"https://c.example.net/", "https://a.example.net/z", "https://B.example.net/", "https://a.example.net/", "https://a.example.net/a?x=1"} {
		putSubscription(t, s, subscription(topicA, cb, "", i, 60))
	}
	putSubscription(t, s, subscription(topicA, "https://expired.example.net/", "", 0, 5))
	putSubscription(t, s, subscription(topicB, "https://b-only.example.net/", "", 0, 60))
	putSubscription(t, s, subscription(topicLonger, "https://longer-only.example.net/", "", 0, 60))
	want := []string{"https://B.example.net/", "https://a.example.net/", "https://a.example.net/a?x=1", "https://a.example.net/z", "https://c.example.net/"}
	for _, limit := range []int{1, 2, 5, 100} {
		got, _ := callbacksOf(t, s, topicA, at(10), limit)
		same(t, fmt.Sprintf("Subscribers of topicA by pages of %d", limit), got, want)
	}
	got, _ := callbacksOf(t, s, topicB, at(10), 10)
	same(t, "Subscribers of topicB", got, []string{"https://b-only.example.net/"})
	got, _ = callbacksOf(t, s, "https://cdn.example.org/feeds/nobody.atom", at(10), 10)
	same(t, "Subscribers of a topic with none", got, []string{})
}

func testSubscribersPaging(t *testing.T, s store.Subscriptions) {
	ctx := t.Context()
	var want []string
	for i := range 250 {
		cb := fmt.Sprintf("https://sub%03d.example.net/cb", i)
		lease := 600
		if i%10 == 7 {
			lease = 5 // expired at the time of the walk: not listed
		} else {
			want = append(want, cb)
		}
		putSubscription(t, s, subscription(topicA, cb, fmt.Sprintf("secret %d", i), 0, lease))
	}
	// The last subscribers in order are expired: the page before them is the last.
	for i := range 3 {
		putSubscription(t, s, subscription(topicA, fmt.Sprintf("https://zz%d.example.net/cb", i), "", 0, 5))
	}
	got, pages := callbacksOf(t, s, topicA, at(10), 100)
	same(t, "Subscribers of 225 active by pages of 100", got, want)
	if pages != 3 {
		t.Errorf("Subscribers of 225 active by pages of 100: %d pages, want 3", pages)
	}
	first, err := s.Subscribers(ctx, topicA, at(10), "", 100)
	must(t, err, "Subscribers first page")
	if len(first.Subscriptions) != 100 || first.Next == "" {
		t.Fatalf("the first page: %d subscriptions, Next %q; want 100 and a Next", len(first.Subscriptions), first.Next)
	}
	if sub := first.Subscriptions[0]; sub.Secret != "secret 0" || !sub.Expires.Equal(at(600)) {
		t.Errorf("the first subscriber listed as %+v", sub)
	}
	// A cursor keeps its place while subscribers are added before it.
	putSubscription(t, s, subscription(topicA, "https://a.example.net/cb", "", 0, 600))
	second, err := s.Subscribers(ctx, topicA, at(10), first.Next, 100)
	must(t, err, "Subscribers second page")
	if len(second.Subscriptions) == 0 || second.Subscriptions[0].Callback != want[100] {
		t.Errorf("the second page after a subscriber was added before it starts at %v, want %s", second.Subscriptions, want[100])
	}
}

func testSubscribersInvalid(t *testing.T, s store.Subscriptions) {
	ctx := t.Context()
	for i := range 3 {
		putSubscription(t, s, subscription(topicA, fmt.Sprintf("https://sub%d.example.net/", i), "", 0, 60))
	}
	for _, limit := range []int{0, -1, store.MaxPageSize + 1} {
		_, err := s.Subscribers(ctx, topicA, at(1), "", limit)
		wantKind(t, err, open311.Invalid, fmt.Sprintf("Subscribers with limit %d", limit))
	}
	if _, err := s.Subscribers(ctx, topicA, at(1), "", store.MaxPageSize); err != nil {
		t.Errorf("Subscribers with limit MaxPageSize: %v", err)
	}
	for _, cursor := range []string{"not a cursor!", "AAAA", "%%%", store.Cursor{Requested: at(0), ID: "REQ-1"}.Encode()} {
		_, err := s.Subscribers(ctx, topicA, at(1), cursor, 10)
		wantKind(t, err, open311.Invalid, fmt.Sprintf("Subscribers with cursor %q", cursor))
	}
}
