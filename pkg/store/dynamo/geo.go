package dynamo

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// cover returns the GSI2 cells that hold every request a geo filter can match: those of the
// box, or of the circle's bounding box, whichever takes fewer cells when both are given. ok is
// false when the query has no geo filter or its area takes more than maxGeoCells cells; it is
// then answered from GSI1, with the geo filter checked on every request read.
func (f *filter) cover() (cells []string, ok bool) {
	if f.within != nil {
		cells, ok = coverBox(*f.within, geoPrecision, maxGeoCells)
	}
	if f.near != nil {
		if c, cok := coverBox(f.near.Bounds(), geoPrecision, maxGeoCells); cok && (!ok || len(c) < len(cells)) {
			cells, ok = c, true
		}
	}
	return cells, ok
}

// partition is one partition of an index whose sort key is <requested>#<id>: a GSI2 cell, or
// GSI1's REQS# or HIDDEN# partition of a jurisdiction.
type partition struct {
	ix index
	pk string
}

// cellReader reads the matching requests of one partition, newest first, a DynamoDB page at a
// time.
type cellReader struct {
	in   *dynamodb.QueryInput
	buf  []open311.Request // read and matching, not yet merged
	done bool              // DynamoDB reported the end of the cell
}

// read reads the cell's next DynamoDB page, of a size for a page that still wants n requests.
func (c *cellReader) read(ctx context.Context, client *dynamodb.Client, f *filter, n int) error {
	c.in.Limit = aws.Int32(f.readSize(n))
	out, err := client.Query(ctx, c.in)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	for _, item := range out.Items {
		var r open311.Request
		if err := unmarshal(item, &r); err != nil {
			return fmt.Errorf("decode request: %w", err)
		}
		if f.match(r) {
			c.buf = append(c.buf, r)
		}
	}
	c.in.ExclusiveStartKey = out.LastEvaluatedKey
	c.done = out.LastEvaluatedKey == nil
	return nil
}

// queryPartitions answers a geo query from GSI2 (and a staff query from GSI1's REQS# and
// HIDDEN# partitions): one Query per partition (all at once), then a merge of the partitions'
// requests newest first, reading a partition further only when the merge needs its next
// request and its reads so far are used up. The cursor is the shared (requested, id) position:
// every partition resumes strictly below it through its key condition.
func (s *Store) queryPartitions(ctx context.Context, op, jurisdictionID string, f *filter, cells []partition, cursor *store.Cursor, skip, limit int) (store.Page, error) {
	if cursor != nil {
		switch y := cursor.Requested.UTC().Year(); {
		case y < 0:
			return store.Page{}, nil // nothing is older
		case y <= 9999:
			after := requestsSK(cursor.Requested, cursor.ID)
			g := *f
			if g.hi == "" || after < g.hi {
				g.hi = after
			}
			if g.lo != "" && g.hi <= g.lo {
				return store.Page{}, nil // everything after the cursor is older than RequestedFrom
			}
			f = &g
		}
	}
	readers := make([]*cellReader, len(cells))
	errs := make([]error, len(cells))
	var wg sync.WaitGroup
	for i, cell := range cells {
		readers[i] = &cellReader{in: f.input(s.table, cell.ix, cell.pk)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = readers[i].read(ctx, s.client, f, skip+limit)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return store.Page{}, open311.Wrap(op, fmt.Errorf("partition %s of %s: %w", cells[i].pk, jurisdictionID, err))
		}
	}
	var page store.Page
	seen := map[string]bool{} // a request moving between cells may briefly be in both
	for {
		var next *cellReader
		for i, c := range readers {
			for len(c.buf) == 0 && !c.done {
				if err := c.read(ctx, s.client, f, skip+limit-len(page.Requests)); err != nil {
					return store.Page{}, open311.Wrap(op, fmt.Errorf("partition %s of %s: %w", cells[i].pk, jurisdictionID, err))
				}
			}
			if len(c.buf) > 0 && (next == nil || newer(c.buf[0], next.buf[0])) {
				next = c
			}
		}
		if next == nil {
			return page, nil
		}
		r := next.buf[0]
		next.buf = next.buf[1:]
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		if skip > 0 {
			skip--
			continue
		}
		page.Requests = append(page.Requests, r)
		if len(page.Requests) == limit {
			for _, c := range readers {
				if len(c.buf) > 0 || !c.done {
					page.Next = store.Cursor{Requested: r.Requested, ID: r.ID}.Encode()
					break
				}
			}
			return page, nil
		}
	}
}

// newer reports whether a comes before b in the newest-first order of listings.
func newer(a, b open311.Request) bool {
	return requestsSK(a.Requested, a.ID) > requestsSK(b.Requested, b.ID)
}
