package open311

import "time"

// MaxWindow is the longest span of time one search of requests or of their updates may cover.
const MaxWindow = 90 * 24 * time.Hour

// Window returns the span of time a search covers, given the start and end a client asked for
// (zero when not given), as start_date and end_date: with both, they must be in order and at
// most MaxWindow apart; with one, the other is MaxWindow away from it; with neither, the span is
// the last def before now and has no end (to is zero), so that nothing stamped a moment after now
// by another clock is missed. Problems are Invalid errors.
func Window(start, end, now time.Time, def time.Duration) (from, to time.Time, err error) {
	const op = "open311.Window"
	switch {
	case start.IsZero() && end.IsZero():
		return now.Add(-def), time.Time{}, nil
	case start.IsZero():
		return end.Add(-MaxWindow), end, nil
	case end.IsZero():
		return start, start.Add(MaxWindow), nil
	case end.Before(start):
		return start, end, Errorf(Invalid, op, "end_date is before start_date")
	case end.Sub(start) > MaxWindow:
		return start, end, Errorf(Invalid, op, "start_date and end_date may be at most 90 days apart")
	}
	return start, end, nil
}
