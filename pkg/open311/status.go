package open311

// Status is a request's detailed status, from the Open311 draft. GeoReport v2's "open" and
// "closed" are derived from it.
type Status string

// The detailed statuses.
const (
	Submitted  Status = "submitted"   // received, not yet accepted (batch services)
	Incomplete Status = "incomplete"  // accepted for review but missing information
	Rejected   Status = "rejected"    // will not be acted on
	Open       Status = "open"        // accepted, awaiting work
	Assigned   Status = "assigned"    // an agency or crew has it
	Closed     Status = "closed"      // done
	MoreInfo   Status = "more_info"   // waiting for the reporter
	InProgress Status = "in_progress" // being worked on
)

// Statuses lists every detailed status in lifecycle order.
var Statuses = []Status{Submitted, Incomplete, Rejected, Open, Assigned, Closed, MoreInfo, InProgress}

// Valid reports whether s is a known detailed status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// GeoReport returns the GeoReport v2 status: "closed" for closed and rejected requests, else "open".
func (s Status) GeoReport() string {
	if s == Closed || s == Rejected {
		return "closed"
	}
	return "open"
}

// transitions is the one table of legal status changes: from -> the statuses it may move to.
var transitions = map[Status][]Status{
	Submitted:  {Open, Incomplete, Rejected},
	Incomplete: {Submitted, Open, Rejected},
	Open:       {Assigned, InProgress, MoreInfo, Closed, Rejected},
	Assigned:   {Open, InProgress, MoreInfo, Closed, Rejected},
	InProgress: {Assigned, MoreInfo, Closed},
	MoreInfo:   {Open, Assigned, InProgress, Closed, Rejected},
	Closed:     {Open},
	Rejected:   {Open},
}

// CanMove reports whether a request may move from one status to another.
func CanMove(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Next lists the statuses a request in status s may move to.
func (s Status) Next() []Status { return append([]Status(nil), transitions[s]...) }
