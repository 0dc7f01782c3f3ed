// Package feed is the Atom feeds of the Open311 draft's "data feed URL": one feed per request
// (its activities), one per service and one per jurisdiction (the most recent activities written
// while their request was public, from one bounded read of the store), static files rebuilt
// when a request changes. It holds where a feed
// lives (Feed, Path, URL, ObjectKey), which feeds a change touches (Touched), how a feed is built
// (Build), and Refresh, which builds one and hands it to a Publisher (packages folder and bucket).
//
// Its invariants: a feed is built from the store, the source of truth, never from an event; the
// same state gives the same bytes and the same tag: ids; nothing of a request or service that is
// not public, and no reporter's contact details, is shown. It links no AWS SDK.
//
// The design, and the stream function that runs it on AWS: docs/feeds.md.
package feed
