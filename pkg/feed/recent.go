package feed

import (
	"context"
	"fmt"
	"time"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// recentWindows are the spans, back from the clock, that recentActivities searches in turn:
// most feeds fill up in the first; zero means everything older.
var recentWindows = []time.Duration{7 * 24 * time.Hour, 90 * 24 * time.Hour, 365 * 24 * time.Hour, 0}

// requestBatch is how many requests one keyed read asks for (DynamoDB's BatchGetItem takes 100).
const requestBatch = 100

// recentActivities returns the n most recent activities of a jurisdiction's public requests
// that keep (nil: all) accepts, with their requests, oldest first.
//
// The result depends only on the state of the store: now only decides where the search starts.
// Its cost is that of reading every activity of the jurisdiction in the last seven days, page
// by page (Store.Updates pages oldest first, so the newest n are the last ones read), plus one
// keyed read of their requests per page (to know each request's service and whether it is
// still public, and for titles and points). When that window holds fewer than n matching
// activities, the search goes on in older windows (90 days, a year, then all the rest) and
// reads each of them whole.
func recentActivities(ctx context.Context, rd Reader, jurisdictionID string, n int, now time.Time, keep func(open311.Request) bool) ([]item, error) {
	requests := map[string]*open311.Request{} // nil: unknown, or not public
	var found []item                          // newest n so far, oldest first
	var to time.Time                          // zero: no upper bound, so nothing newer than now is missed
	for _, span := range recentWindows {
		var from time.Time
		if span > 0 {
			from = now.Add(-span)
		}
		var window []item
		q := store.UpdateQuery{JurisdictionID: jurisdictionID, From: from, To: to, Limit: store.MaxPageSize}
		for {
			page, err := rd.Updates(ctx, q)
			if err != nil {
				return nil, fmt.Errorf("read updates: %w", err)
			}
			if err := readRequests(ctx, rd, jurisdictionID, page.Activities, requests); err != nil {
				return nil, err
			}
			for _, a := range page.Activities {
				r := requests[a.RequestID]
				if r == nil || !r.Public() || (keep != nil && !keep(*r)) {
					continue
				}
				window = append(window, item{act: a, req: *r})
				if len(window) >= 2*n {
					window = append(window[:0], window[len(window)-n:]...)
				}
			}
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}
		found = append(window, found...)
		if len(found) > n {
			found = found[len(found)-n:]
		}
		if len(found) == n || span == 0 {
			break
		}
		to = from
	}
	return found, nil
}

// readRequests adds to requests those of the activities' requests it does not hold yet, with
// keyed reads of requestBatch ids; a request the store does not return as public is kept as nil.
func readRequests(ctx context.Context, rd Reader, jurisdictionID string, acts []open311.Activity, requests map[string]*open311.Request) error {
	var ids []string
	for _, a := range acts {
		if _, ok := requests[a.RequestID]; !ok {
			requests[a.RequestID] = nil
			ids = append(ids, a.RequestID)
		}
	}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), requestBatch)]
		ids = ids[len(batch):]
		page, err := rd.QueryRequests(ctx, store.Query{JurisdictionID: jurisdictionID, IDs: batch})
		if err != nil {
			return fmt.Errorf("read requests of updates: %w", err)
		}
		for i := range page.Requests {
			requests[page.Requests[i].ID] = &page.Requests[i]
		}
	}
	return nil
}
