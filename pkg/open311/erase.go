package open311

import "time"

// Why a reporter's personal data is erased, as an erasure activity's summary says it.
const (
	ErasedForRetention = "Personal data of the reporter erased: the retention period after closing ended."
	ErasedOnRequest    = "Personal data of the reporter erased at the person's request."
)

// Erase removes every personal field of r's reporter (sealed and clear) and returns the
// activity recording it, written by who at now with the summary given (ErasedForRetention,
// ErasedOnRequest): an erasure activity, which names none of the values and is never shown
// (Activity.Shown). Nothing else of r changes, its Updated included, so its public answers and
// feeds stay as they were. The activity's id is the one r's next version gives.
func Erase(r *Request, who, summary string, now time.Time) Activity {
	r.Reporter, r.ReporterSealed = Reporter{}, nil
	return Activity{ID: ActivityID(r.ID, r.Version+1, 1), RequestID: r.ID, JurisdictionID: r.JurisdictionID,
		At: now.UTC().Truncate(time.Second), Who: who, Kind: KindErasure, Summary: summary, Status: r.Status}
}
