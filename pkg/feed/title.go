package feed

import (
	"cmp"

	"github.com/civicworks/open311/pkg/open311"
)

// Title is the title of an aggregate feed of jurisdiction j, as the feed and the feed list
// (GET /feeds) both show it; name is the service's name for a service feed and the area's for
// an area feed (the id when empty), unused otherwise. A request feed's title names its request
// and is made when it is built.
func Title(j open311.Jurisdiction, f Feed, name string) string {
	jname := cmp.Or(j.Name, j.ID)
	switch f.Kind {
	case ServiceFeed:
		return jname + " service requests: " + cmp.Or(name, f.ID)
	case CellFeed:
		return jname + " service requests in cell " + f.ID
	case AreaFeed:
		return jname + " service requests in " + cmp.Or(name, f.ID)
	}
	return jname + " service requests"
}
