package personal

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/seal"
	"github.com/civicworks/open311/pkg/store"
)

// Person is who asks: what they are known by. A request is theirs when any given field matches
// its reporter: the e-mail ignoring case and surrounding spaces, the phone by its digits (a
// leading + and the punctuation people write ignored), the device id exactly.
type Person struct {
	Email    string
	Phone    string
	DeviceID string
}

// Empty reports whether nothing identifies the person.
func (p Person) Empty() bool {
	return strings.TrimSpace(p.Email) == "" && digits(p.Phone) == "" && strings.TrimSpace(p.DeviceID) == ""
}

// matches reports whether rep is the person's.
func (p Person) matches(rep open311.Reporter) bool {
	if e := strings.TrimSpace(p.Email); e != "" && strings.EqualFold(e, strings.TrimSpace(rep.Email)) {
		return true
	}
	if d := digits(p.Phone); d != "" && d == digits(rep.Phone) {
		return true
	}
	if d := strings.TrimSpace(p.DeviceID); d != "" && d == strings.TrimSpace(rep.DeviceID) {
		return true
	}
	return false
}

// digits returns the digits of a phone number.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// Record is what is stored about a person on one request: the export of their data.
type Record struct {
	JurisdictionID string           `json:"jurisdiction_id"`
	RequestID      string           `json:"service_request_id"`
	ServiceCode    string           `json:"service_code"`
	Status         open311.Status   `json:"status"`
	Requested      time.Time        `json:"requested_datetime"`
	Closed         time.Time        `json:"closed_datetime,omitzero"`
	Address        string           `json:"address,omitempty"`
	Description    string           `json:"description,omitempty"`
	Reporter       open311.Reporter `json:"reporter"`
}

// Find lists every request of every jurisdiction whose reporter is the person's, opening each
// stored reporter with o (the operator's key): a read of every request that still holds a
// reporter, one page of the store's index of them at a time. It fails with Invalid for a person
// identified by nothing.
func Find(ctx context.Context, st Store, o seal.Opener, p Person) ([]Record, error) {
	const op = "personal.Find"
	if p.Empty() {
		return nil, open311.Errorf(open311.Invalid, op, "give an e-mail, a phone number or a device id")
	}
	js, err := st.Jurisdictions(ctx)
	if err != nil {
		return nil, open311.Wrap(op, fmt.Errorf("list jurisdictions: %w", err))
	}
	var out []Record
	for _, j := range js {
		q := store.ReporterQuery{JurisdictionID: j.ID, Limit: pageSize}
		for {
			page, err := st.ReporterRequests(ctx, q)
			if err != nil {
				return nil, open311.Wrap(op, fmt.Errorf("requests of %s holding a reporter: %w", j.ID, err))
			}
			for _, r := range page.Requests {
				rep, err := desk.OpenReporter(ctx, o, r)
				if err != nil {
					return nil, open311.Wrap(op, err)
				}
				if !p.matches(rep) {
					continue
				}
				closed, _ := r.ClosedAt()
				out = append(out, Record{JurisdictionID: r.JurisdictionID, RequestID: r.ID, ServiceCode: r.ServiceCode,
					Status: r.Status, Requested: r.Requested, Closed: closed, Address: r.Address,
					Description: r.Description, Reporter: rep})
			}
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}
	}
	return out, nil
}

// Erase erases the reporter of each request found (Find's records), at the person's request,
// and returns how many it erased: a request whose reporter is gone already counts for nothing.
func Erase(ctx context.Context, st store.Requests, found []Record, now time.Time) (int, error) {
	const op = "personal.Erase"
	n := 0
	for _, rec := range found {
		r := open311.Request{ID: rec.RequestID, JurisdictionID: rec.JurisdictionID}
		erased, err := erase(ctx, st, r, WhoOperator, open311.ErasedOnRequest, now, func(open311.Request) bool { return true })
		if err != nil {
			return n, open311.Wrap(op, err)
		}
		if erased {
			n++
		}
	}
	return n, nil
}
