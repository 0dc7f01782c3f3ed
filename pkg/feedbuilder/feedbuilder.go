// Package feedbuilder is the Lambda function on the table's stream that keeps the Atom feeds
// current: a batch of changed items is reduced to the feeds it touches, and each of those is
// rebuilt once from the store and published to the feed bucket (package feed). Main is the
// function's main.
//
// Its invariants: feeds come from the store, never from a record's images, so a replayed or
// reordered batch rebuilds the same bytes, which the publisher does not write again; failures
// are reported per record, by SequenceNumber: a feed that fails fails every record that touched
// it, a record whose keys cannot be read fails alone, and the rest of the batch is applied.
//
// How a record becomes a feed, and the retry settings of the stream: docs/feeds.md.
package feedbuilder

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/metrics"
	"github.com/civicworks/open311/pkg/open311"
)

// DefaultConcurrency is how many feeds a batch refreshes at once by default.
const DefaultConcurrency = 8

// maxLoggedErrors bounds the errors the batch's log line carries.
const maxLoggedErrors = 5

// Handler turns DynamoDB stream batches into refreshed feeds.
type Handler struct {
	// Store is read to find an activity's request and to build feeds.
	Store feed.Reader
	// Publisher stores the feeds (a bucket.Publisher on AWS); a feed.Remover also takes down the feeds of
	// requests that are no longer public.
	Publisher feed.Publisher
	// Options configure building feeds (FeedBase and APIBase are required).
	Options feed.Options
	// Concurrency is how many feeds are refreshed at once (default DefaultConcurrency).
	Concurrency int
	// Logger receives one line per batch (default slog.Default()); the function's
	// (lambdaenv.NewLogger) adds the invocation's request id.
	Logger *slog.Logger
	// EMF makes the batch's log line a CloudWatch Embedded Metric Format document of its
	// metrics (package metrics): feeds written, skipped and failed, and the batch's age.
	EMF bool

	// lists remembers, per jurisdiction, the catalog changeset whose feed list (OPML) this
	// process has published, so that the list is rebuilt only on a process's first batch and
	// when the catalog changes (feedLists).
	listsMu sync.Mutex
	lists   map[string]time.Time
}

// record is what one stream record is about.
type record struct {
	seq     string
	feeds   []feed.Feed // the feeds it touches
	failed  bool
	ignored bool // an item no feed follows
}

// Handle refreshes the feeds that a batch touches and reports the records that failed, by
// SequenceNumber. It returns an error only when the context ends before any work (Lambda then
// retries the whole batch); everything else is a per-record failure.
func (h *Handler) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	start := time.Now()
	if err := ctx.Err(); err != nil {
		return events.DynamoDBEventResponse{}, fmt.Errorf("feed-builder: %w", err)
	}
	var errs []string
	noteErr := func(err error) {
		if len(errs) < maxLoggedErrors {
			errs = append(errs, err.Error())
		}
	}

	// What each record is about. An activity's service is read from its request, once per
	// request of the batch.
	records := make([]record, len(ev.Records))
	services := map[[2]string]subject{}
	serviceErr := map[[2]string]error{}
	var changes []feed.Change
	poisoned, ignored := 0, 0
	for i, r := range ev.Records {
		rec := &records[i]
		rec.seq = r.Change.SequenceNumber
		j, id, kind := parseKeys(r.Change.Keys)
		switch kind {
		case keyPoisoned:
			rec.failed = true
			poisoned++
			continue
		case keyOther:
			rec.ignored = true
			ignored++
			continue
		}
		// The stream carries keys only: a request's service is read from the store, once per
		// request of the batch.
		key := [2]string{j, id}
		if _, done := services[key]; !done {
			services[key], serviceErr[key] = h.serviceOf(ctx, j, id)
			if serviceErr[key] != nil {
				noteErr(serviceErr[key])
			}
		}
		sub := services[key]
		// Without its service, the record's service feed is unknown: it fails, so that Lambda
		// delivers it again, while its request and jurisdiction feeds are still refreshed.
		rec.failed = serviceErr[key] != nil
		cs := []feed.Change{{JurisdictionID: j, RequestID: id, Cells: sub.cells, Areas: sub.areas}}
		for _, c := range sub.codes {
			cs = append(cs, feed.Change{JurisdictionID: j, RequestID: id, ServiceCode: c})
		}
		// An area listing's keys name the further cell or area it lists an activity in (a named
		// area, or where a moved request was).
		if cell, area, ok := listedArea(r.Change.Keys); ok {
			cs = append(cs, feed.Change{JurisdictionID: j, RequestID: id, Cells: nonEmpty(cell), Areas: nonEmpty(area)})
		}
		rec.feeds = feed.Touched(cs)
		changes = append(changes, cs...)
	}

	// Each touched feed once, from the store, in each of its jurisdiction's languages.
	rd := newBatchReader(h.Store)
	locales := func(id string) []string {
		j, err := rd.Jurisdiction(ctx, id)
		if err != nil {
			return nil // its feed fails to build, and says why
		}
		return j.Locales
	}
	for i := range records {
		records[i].feeds = feed.Localized(records[i].feeds, locales)
	}
	feeds := feed.Localized(feed.Touched(changes), locales)
	results := h.refreshAll(ctx, rd, feeds)
	written, skipped := 0, 0
	failedFeeds := map[feed.Feed]bool{}
	for i, res := range results {
		switch {
		case res.err != nil:
			failedFeeds[feeds[i]] = true
			noteErr(res.err)
		case res.written:
			written++
		default:
			skipped++
		}
	}

	// The feed lists of the batch's jurisdictions, when their catalog changed.
	for _, f := range feeds {
		if f.Kind != feed.JurisdictionFeed || failedFeeds[f] {
			continue
		}
		if err := h.feedList(ctx, rd, f.JurisdictionID); err != nil {
			failedFeeds[f] = true // its records are delivered again, and the list retried
			noteErr(err)
		}
	}

	var resp events.DynamoDBEventResponse
	for i := range records {
		rec := &records[i]
		if slices.ContainsFunc(rec.feeds, func(f feed.Feed) bool { return failedFeeds[f] }) {
			rec.failed = true
		}
		if rec.failed {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.seq})
		}
	}

	attrs := []any{
		"records", len(ev.Records), "ignored", ignored, "poisoned", poisoned,
		"feeds", len(feeds), "written", written, "skipped", skipped, "failed", len(failedFeeds),
		"failedRecords", len(resp.BatchItemFailures), "ms", time.Since(start).Milliseconds(),
	}
	level := slog.LevelInfo
	if len(resp.BatchItemFailures) > 0 {
		level = slog.LevelWarn
		attrs = append(attrs, "errors", errs)
	}
	if h.EMF {
		for _, a := range metrics.EMF("feed-builder", start, metrics.Batch(written, skipped, len(failedFeeds), batchAge(ev, start))...) {
			attrs = append(attrs, a)
		}
	}
	h.logger().Log(ctx, level, "feed batch", attrs...)
	return resp, nil
}

// batchAge is how long the oldest record of a batch waited for it, from the time DynamoDB put
// it on the stream (to the second): what the stream's IteratorAge shows, per batch.
func batchAge(ev events.DynamoDBEvent, now time.Time) time.Duration {
	var oldest time.Time
	for _, r := range ev.Records {
		if at := r.Change.ApproximateCreationDateTime.Time; !at.IsZero() && (oldest.IsZero() || at.Before(oldest)) {
			oldest = at
		}
	}
	if oldest.IsZero() || oldest.After(now) {
		return 0
	}
	return now.Sub(oldest)
}

// subject is what a record's feeds are told from of its request: its service, and the cell and
// named areas of its point.
type subject struct {
	codes, cells, areas []string
}

// serviceOf returns the service code of a request as the store holds it, and the cell and named
// areas of its point: none for a request the store does not have (its feeds are taken down, and
// no service or area feed can be told).
func (h *Handler) serviceOf(ctx context.Context, jurisdictionID, id string) (subject, error) {
	r, err := h.Store.Request(ctx, jurisdictionID, id)
	if open311.IsKind(err, open311.NotFound) {
		return subject{}, nil
	}
	if err != nil {
		return subject{}, fmt.Errorf("read request %s in %s: %w", id, jurisdictionID, err)
	}
	var sub subject
	if r.ServiceCode != "" {
		sub.codes = []string{r.ServiceCode}
	}
	if r.Point != nil {
		sub.cells, sub.areas = []string{open311.Cell(*r.Point)}, r.Areas
	}
	return sub, nil
}

// nonEmpty returns s alone, or nothing when it is empty.
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

type result struct {
	written bool
	err     error
}

// refreshAll refreshes feeds from rd, Concurrency at a time, and returns their results in order.
func (h *Handler) refreshAll(ctx context.Context, rd feed.Reader, feeds []feed.Feed) []result {
	results := make([]result, len(feeds))
	n := h.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, f := range feeds {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			// Refresh's errors name the feed.
			written, err := feed.Refresh(ctx, rd, h.Publisher, f, h.Options)
			results[i] = result{written, err}
		}()
	}
	wg.Wait()
	return results
}

// feedList publishes a jurisdiction's feed list (feed.PublishOPML) unless this process has
// published it for the catalog's current changeset: the jurisdiction is the batch's read of it
// (no more reads then), and the services are read only on a process's first batch of the
// jurisdiction and after the catalog changed. A Store that cannot list services publishes none.
func (h *Handler) feedList(ctx context.Context, rd feed.Reader, jurisdictionID string) error {
	cat, ok := h.Store.(feed.CatalogReader)
	if !ok {
		return nil
	}
	j, err := rd.Jurisdiction(ctx, jurisdictionID)
	if open311.IsKind(err, open311.NotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("feed list of %s: %w", jurisdictionID, err)
	}
	h.listsMu.Lock()
	done, seen := h.lists[j.ID]
	h.listsMu.Unlock()
	if seen && done.Equal(j.Changeset) {
		return nil
	}
	if _, err := feed.PublishOPML(ctx, cat, h.Publisher, j, h.Options); err != nil {
		return err
	}
	h.listsMu.Lock()
	if h.lists == nil {
		h.lists = map[string]time.Time{}
	}
	h.lists[j.ID] = j.Changeset
	h.listsMu.Unlock()
	return nil
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}

// batchReader is the store as the feeds of one batch read it: each jurisdiction is read once
// for all of them (the first feed to need it reads it, the others wait for that read), so a
// batch costs one read of its jurisdiction, not one per feed. It lives for one batch, so a
// change of the jurisdiction is seen by the next.
type batchReader struct {
	feed.Reader
	mu            sync.Mutex
	jurisdictions map[string]*jurisdictionRead
}

// jurisdictionRead is one read of a jurisdiction, shared by the feeds of a batch.
type jurisdictionRead struct {
	once sync.Once
	j    open311.Jurisdiction
	err  error
}

func newBatchReader(rd feed.Reader) *batchReader {
	return &batchReader{Reader: rd, jurisdictions: map[string]*jurisdictionRead{}}
}

// Jurisdiction returns the batch's one read of the jurisdiction, its error included.
func (r *batchReader) Jurisdiction(ctx context.Context, id string) (open311.Jurisdiction, error) {
	r.mu.Lock()
	jr, ok := r.jurisdictions[id]
	if !ok {
		jr = &jurisdictionRead{}
		r.jurisdictions[id] = jr
	}
	r.mu.Unlock()
	jr.once.Do(func() { jr.j, jr.err = r.Reader.Jurisdiction(ctx, id) })
	return jr.j, jr.err
}
