package georeport

import (
	"sync"
	"sync/atomic"
)

// A request shown without its extended attributes and notes is written from its fields alone,
// and the same fields give the same bytes: each format remembers the bytes it last wrote of a
// request (by its id) with the fields they were written from, and copies them for a request
// whose fields are all equal to those (Request is comparable; equal values, equal bytes). A
// request that changed differs in a field (its updated time at least), so is written again; two
// requests of the same id in two jurisdictions are two values, so neither is shown as the
// other. A page of requests most of which were listed before copies them instead of writing
// them field by field.
type memo struct {
	m sync.Map // service_request_id → *written
	n atomic.Int64
}

// written is a request's fields and the bytes written of them.
type written struct {
	r Request
	b []byte
}

// memoSize bounds each format's memo: past it, the memo starts again empty (some 2 KB an entry
// with both formats).
const memoSize = 2048

var jsonMemo, xmlMemo memo

// memoized reports whether r is written from its fields alone.
func memoized(r *Request) bool { return r.Extended == nil && r.Notes == nil }

// lookup returns the bytes written of a request equal to r, or nil.
func (m *memo) lookup(r *Request) []byte {
	if v, ok := m.m.Load(r.ServiceRequestID); ok {
		if w := v.(*written); w.r == *r {
			return w.b
		}
	}
	return nil
}

// remember keeps a copy of b, the bytes written of r.
func (m *memo) remember(r *Request, b []byte) {
	if m.n.Add(1) > memoSize {
		m.m.Clear()
		m.n.Store(1)
	}
	m.m.Store(r.ServiceRequestID, &written{r: *r, b: append([]byte(nil), b...)})
}
