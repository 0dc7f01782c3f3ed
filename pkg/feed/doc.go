// Package feed publishes the Atom feeds of the Open311 draft's "data feed URL": one feed per
// request (its activities, newest first), one per service and one per jurisdiction (the most
// recent activities of their public requests). Feeds are static files regenerated on change.
//
// The package holds the three parts both runtimes share, so the Lambda stream function and the
// local stack behave alike:
//
//   - where a feed lives (Feed, Path, URL): one path shape for the object key, the file name and
//     the URL path under the feed base, also used by the API for extended_attributes.feed_url;
//   - which feeds a change touches (Touched), and how a feed is built from the store, the source
//     of truth (Build): Atom 1.0 (RFC 4287) with GeoRSS-Simple points, deterministic bytes for
//     the same state, stable tag: ids, no personal data and nothing from non-public requests;
//   - where a feed is written (Publisher; packages folder and bucket hold the two publishers,
//     so that this package links no AWS SDK), skipping writes of unchanged bytes, and Refresh,
//     which ties build and publish together.
package feed
