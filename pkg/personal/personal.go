// Package personal keeps reporters' personal data (e-mail, phone, names, device and account
// ids) no longer than a jurisdiction allows, and answers a person who asks what is kept about
// them or that it be erased: Sweep erases the reporter of every request closed longer ago than
// the retention period; Find, with an operator's key to open the sealed reporters, lists every
// request a person filed with what is stored about them; Erase erases those.
//
// An erasure removes the reporter, sealed and clear, in one write with an erasure activity
// (open311.Erase) that names none of the values and that no answer or feed shows: the request,
// its public history and its feeds stay as they were.
package personal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// Store is what this package needs of a store.
type Store interface {
	store.Catalog
	store.Requests
	store.Reporters
}

// Who the erasure activities name.
const (
	WhoRetention = "retention"
	WhoOperator  = "operator"
)

// pageSize is how many requests one read of the index of reporters returns.
const pageSize = 100

// errSkip aborts the erasure of a request that no longer is what it was found to be.
var errSkip = errors.New("personal: the request changed since it was found")

// ParseDays reads a retention period in days: a whole number from 0 (keep for ever) to 36500.
func ParseDays(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 36500 {
		return 0, fmt.Errorf("%q: want a whole number of days from 0 (keep for ever) to 36500", s)
	}
	return n, nil
}

// Swept is what a sweep did.
type Swept struct {
	// Erased names the requests whose reporter was erased, as jurisdiction/id.
	Erased []string
	// Cutoff is the time before which a request had to be closed to be erased.
	Cutoff time.Time
	// More says the sweep stopped before its end because its context's deadline was near:
	// the next one goes on.
	More bool
}

// deadlineMargin is how long before its context's deadline a sweep stops, so that a Lambda run
// ends with its answer instead of a timeout.
const deadlineMargin = 30 * time.Second

// Sweep erases the reporter of every request, in every jurisdiction, closed before now minus
// keep (open311.Request.ClosedAt), reading only the requests that still hold one (the store's
// index of them). keep of zero or less keeps every reporter: Sweep does nothing. A request
// that changed meanwhile (reopened, erased already) is left alone. Each erasure is logged with
// the request's id, never a value. Near its context's deadline it stops with More set.
func Sweep(ctx context.Context, st Store, keep time.Duration, now time.Time, logger *slog.Logger) (Swept, error) {
	const op = "personal.Sweep"
	if keep <= 0 {
		return Swept{}, nil
	}
	if logger == nil {
		logger = slog.Default()
	}
	cutoff := now.Add(-keep)
	out := Swept{Cutoff: cutoff}
	js, err := st.Jurisdictions(ctx)
	if err != nil {
		return out, open311.Wrap(op, fmt.Errorf("list jurisdictions: %w", err))
	}
	for _, j := range js {
		q := store.ReporterQuery{JurisdictionID: j.ID, ClosedBefore: cutoff, Limit: pageSize}
		for {
			page, err := st.ReporterRequests(ctx, q)
			if err != nil {
				return out, open311.Wrap(op, fmt.Errorf("requests of %s closed before %s: %w", j.ID, cutoff.Format(time.RFC3339), err))
			}
			for _, r := range page.Requests {
				if dl, ok := ctx.Deadline(); ok && time.Until(dl) < deadlineMargin {
					out.More = true
					return out, nil
				}
				erased, err := erase(ctx, st, r, WhoRetention, open311.ErasedForRetention, now, func(r open311.Request) bool {
					at, closed := r.ClosedAt()
					return closed && at.Before(cutoff)
				})
				if err != nil {
					return out, open311.Wrap(op, err)
				}
				if erased {
					out.Erased = append(out.Erased, j.ID+"/"+r.ID)
					logger.InfoContext(ctx, "personal data erased", "reason", "retention", "jurisdiction", j.ID, "request", r.ID)
				}
			}
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}
	}
	return out, nil
}

// erase erases the reporter of the stored request r if it still holds one and still satisfies
// due, reporting whether it did.
func erase(ctx context.Context, st store.Requests, r open311.Request, who, summary string, now time.Time, due func(open311.Request) bool) (bool, error) {
	_, err := store.UpdateRequest(ctx, st, r.JurisdictionID, r.ID, func(cur *open311.Request) ([]open311.Activity, error) {
		if !cur.HoldsReporter() || !due(*cur) {
			return nil, errSkip
		}
		return []open311.Activity{open311.Erase(cur, who, summary, now)}, nil
	})
	switch {
	case errors.Is(err, errSkip), open311.IsKind(err, open311.NotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("erase the reporter of %s/%s: %w", r.JurisdictionID, r.ID, err)
	}
	return true, nil
}
