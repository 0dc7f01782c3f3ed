package dynamo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// filter is a query turned into a GSI1 Query: key condition bounds, a FilterExpression, and the
// same tests done in Go.
type filter struct {
	empty    bool   // nothing can match: skip the read
	lo, hi   string // GSI1SK bounds: lo inclusive, hi exclusive; "" for none
	codes    []string
	statuses []open311.Status
	// updated bounds, exclusive, as fixed-width strings; "" for none
	updatedAfter, updatedBefore string
	// within and near are the geo filters, checked in Go only
	within *open311.BBox
	near   *open311.Circle
	// hidden lets requests that are not public match
	hidden bool
	// details holds the filters checked in Go only (store.Query.MatchesDetails)
	details store.Query
	inGo    bool // details holds an Agency or a Text
	// minRead is the smallest read of a filtered Query (Store.minFilteredRead)
	minRead int
	expr    []string
	names   map[string]string
	values  map[string]types.AttributeValue
}

// newFilter turns the filters of q (all but IDs and paging) into a filter.
func newFilter(q store.Query) *filter {
	f := &filter{names: map[string]string{}, values: map[string]types.AttributeValue{}}
	if !q.RequestedFrom.IsZero() {
		switch {
		case q.RequestedFrom.UTC().Year() > 9999:
			f.empty = true
		case inRange(q.RequestedFrom):
			f.lo = formatTime(q.RequestedFrom)
		}
	}
	if !q.RequestedTo.IsZero() {
		hi := q.RequestedTo.Add(time.Nanosecond)
		switch {
		case hi.UTC().Year() < 0:
			f.empty = true
		case inRange(hi):
			f.hi = formatTime(hi)
		}
	}
	if f.lo != "" && f.hi != "" && f.lo >= f.hi {
		f.empty = true
	}
	f.within, f.near = q.Within, q.Near
	f.hidden = q.IncludeHidden
	f.details = store.Query{Agency: q.Agency, Text: q.Text}
	f.inGo = q.Agency != "" || q.Text != ""

	for _, c := range q.ServiceCodes {
		if !slices.Contains(f.codes, c) {
			f.codes = append(f.codes, c)
		}
	}
	if len(f.codes) > 0 && len(f.codes) <= maxFilterCodes {
		f.names["#code"] = "service_code"
		var ps []string
		for i, c := range f.codes {
			p := fmt.Sprintf(":code%d", i)
			f.values[p] = str(c)
			ps = append(ps, p)
		}
		f.expr = append(f.expr, "#code IN ("+strings.Join(ps, ", ")+")")
	}

	if len(q.Statuses) > 0 || len(q.DetailedStatuses) > 0 {
		for _, st := range open311.Statuses {
			if (len(q.Statuses) == 0 || slices.Contains(q.Statuses, st.GeoReport())) &&
				(len(q.DetailedStatuses) == 0 || slices.Contains(q.DetailedStatuses, st)) {
				f.statuses = append(f.statuses, st)
			}
		}
		if len(f.statuses) == 0 {
			f.empty = true // only unknown statuses, or none of both lists, were asked for
		}
		if len(f.statuses) < len(open311.Statuses) {
			f.names["#status"] = "status"
			var ps []string
			for i, st := range f.statuses {
				p := fmt.Sprintf(":status%d", i)
				f.values[p] = str(string(st))
				ps = append(ps, p)
			}
			f.expr = append(f.expr, "#status IN ("+strings.Join(ps, ", ")+")")
		}
	}

	if t := q.UpdatedAfter; !t.IsZero() {
		switch {
		case t.UTC().Year() > 9999:
			f.empty = true
		case inRange(t):
			f.updatedAfter = formatTime(t)
			f.names["#updated"] = "updated"
			f.values[":updatedAfter"] = str(f.updatedAfter)
			f.expr = append(f.expr, "#updated > :updatedAfter")
		}
	}
	if t := q.UpdatedBefore; !t.IsZero() {
		switch {
		case t.UTC().Year() < 0:
			f.empty = true
		case inRange(t):
			f.updatedBefore = formatTime(t)
			f.names["#updated"] = "updated"
			f.values[":updatedBefore"] = str(f.updatedBefore)
			f.expr = append(f.expr, "#updated < :updatedBefore")
		}
	}
	return f
}

// index names a secondary index and its key attributes.
type index struct{ name, pk, sk string }

var (
	gsi1 = index{indexGSI1, attrGSI1PK, attrGSI1SK}
	gsi2 = index{indexGSI2, attrGSI2PK, attrGSI2SK}
)

// input returns the Query of one partition of an index whose sort key is <requested>#<id>
// (GSI1's REQS# partitions, GSI2's GEO# ones) for the filter, newest first. With both bounds
// the key condition is BETWEEN, inclusive of hi: match leaves out an item whose key is hi.
func (f *filter) input(table string, ix index, pk string) *dynamodb.QueryInput {
	values := map[string]types.AttributeValue{":pk": str(pk)}
	for k, v := range f.values {
		values[k] = v
	}
	cond := ix.pk + " = :pk"
	switch {
	case f.lo != "" && f.hi != "":
		cond += " AND " + ix.sk + " BETWEEN :lo AND :hi"
		values[":lo"], values[":hi"] = str(f.lo), str(f.hi)
	case f.lo != "":
		cond += " AND " + ix.sk + " >= :lo"
		values[":lo"] = str(f.lo)
	case f.hi != "":
		cond += " AND " + ix.sk + " < :hi"
		values[":hi"] = str(f.hi)
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		IndexName:                 aws.String(ix.name),
		KeyConditionExpression:    aws.String(cond),
		ExpressionAttributeValues: values,
		ScanIndexForward:          aws.Bool(false),
	}
	if len(f.expr) > 0 {
		in.FilterExpression = aws.String(strings.Join(f.expr, " AND "))
		in.ExpressionAttributeNames = f.names
	}
	return in
}

// readSize is the Query Limit for a read that still wants n matches. Without a filter every
// item read matches, and one more than wanted tells whether the index goes on; with one,
// DynamoDB applies Limit before filtering, so reads are larger: twice what is wanted, at least
// minRead (100) and at most 1000.
func (f *filter) readSize(n int) int32 {
	if len(f.expr) == 0 && len(f.codes) == 0 && f.within == nil && f.near == nil && !f.inGo {
		return int32(min(n+1, 1<<30))
	}
	return int32(min(max(2*n, f.minRead), 1000))
}

// anyMatch reports whether one of the items (the rest of a page) matches.
func (f *filter) anyMatch(items []map[string]types.AttributeValue) bool {
	for _, item := range items {
		var r open311.Request
		if unmarshal(item, &r) != nil || f.match(r) {
			return true // an item that does not decode is reported when the next page reads it
		}
	}
	return false
}

// match does in Go what the key condition and FilterExpression do in DynamoDB, so that the
// result does not depend on which parts went into the expression.
func (f *filter) match(r open311.Request) bool {
	if !r.Public() && !f.hidden {
		return false
	}
	if f.inGo && !f.details.MatchesDetails(r) {
		return false
	}
	if len(f.codes) > 0 && !slices.Contains(f.codes, r.ServiceCode) {
		return false
	}
	if len(f.statuses) > 0 && !slices.Contains(f.statuses, r.Status) {
		return false
	}
	u := formatTime(r.Updated)
	if f.updatedAfter != "" && u <= f.updatedAfter {
		return false
	}
	if f.updatedBefore != "" && u >= f.updatedBefore {
		return false
	}
	if f.within != nil && (r.Point == nil || !f.within.Contains(*r.Point)) {
		return false
	}
	if f.near != nil && (r.Point == nil || !f.near.Contains(*r.Point)) {
		return false
	}
	sk := requestsSK(r.Requested, r.ID)
	return (f.lo == "" || sk >= f.lo) && (f.hi == "" || sk < f.hi)
}
