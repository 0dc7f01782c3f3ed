package feed

import (
	"cmp"
	"slices"
)

// Change says that a request was written: created, changed, or given an activity. Its fields
// are the plain ids (not escaped as in a store's keys). The Lambda stream function derives
// changes from DynamoDB stream records, the local stack from its own writes.
type Change struct {
	JurisdictionID string
	RequestID      string
	// ServiceCode is the request's service; when a caller does not know it, the change touches
	// no service feed.
	ServiceCode string
	// Cells and Areas are the area cells and named areas whose feeds list the change's
	// activities (store.AreasOf): of the request's point, and of where it was when it moved.
	Cells []string
	Areas []string
}

// Touched returns the feeds that changes touch, each once, in a deterministic order (by
// jurisdiction, then request feeds by id, service feeds by code, cell feeds, area feeds, and the
// jurisdiction feed last). A change touches its request's feed, its service's feed, the feeds of
// its cells and areas, and its jurisdiction's feed, so a
// hundred changes to one request touch those three feeds once. Changes without a jurisdiction
// touch nothing.
func Touched(changes []Change) []Feed {
	seen := map[Feed]bool{}
	var feeds []Feed
	add := func(f Feed) {
		if !seen[f] {
			seen[f] = true
			feeds = append(feeds, f)
		}
	}
	for _, c := range changes {
		if c.JurisdictionID == "" {
			continue
		}
		if c.RequestID != "" {
			add(ForRequest(c.JurisdictionID, c.RequestID))
		}
		if c.ServiceCode != "" {
			add(ForService(c.JurisdictionID, c.ServiceCode))
		}
		for _, cell := range c.Cells {
			add(ForCell(c.JurisdictionID, cell))
		}
		for _, area := range c.Areas {
			add(ForArea(c.JurisdictionID, area))
		}
		add(ForJurisdiction(c.JurisdictionID))
	}
	slices.SortFunc(feeds, func(a, b Feed) int {
		return cmp.Or(cmp.Compare(a.JurisdictionID, b.JurisdictionID), cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)),
			cmp.Compare(a.ID, b.ID))
	})
	return feeds
}

// kindOrder places request feeds first and the jurisdiction feed last.
func kindOrder(k Kind) int {
	switch k {
	case RequestFeed:
		return 0
	case ServiceFeed:
		return 1
	case CellFeed:
		return 2
	case AreaFeed:
		return 3
	}
	return 4
}
