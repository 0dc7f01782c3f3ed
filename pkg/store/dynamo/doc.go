// Package dynamo is the DynamoDB implementation of store.Store: one table holds the catalog, the
// API keys, the requests, their activities, the token pointers of batch requests and the update
// ids clients gave.
//
// Every read is keyed (GetItem, BatchGetItem, or Query on a partition); nothing ever calls Scan.
// Every write of several items is one TransactWriteItems.
//
// # Table
//
// The table template.yaml deploys and CreateTable creates (the two must stay identical):
//
//	TableName:            configurable (functions read it from the environment)
//	BillingMode:          PAY_PER_REQUEST
//	AttributeDefinitions: PK S, SK S, GSI1PK S, GSI1SK S, GSI2PK S, GSI2SK S
//	KeySchema:            PK HASH, SK RANGE
//	GlobalSecondaryIndexes:
//	  - IndexName:  GSI1
//	    KeySchema:  GSI1PK HASH, GSI1SK RANGE
//	    Projection: ALL
//	  - IndexName:  GSI2
//	    KeySchema:  GSI2PK HASH, GSI2SK RANGE
//	    Projection: ALL
//	StreamSpecification:  StreamViewType NEW_AND_OLD_IMAGES
//	TimeToLiveSpecification: AttributeName expires_at, Enabled true
//
// template.yaml adds what CreateTable leaves out because tests do not need it: point-in-time
// recovery, server-side encryption, and DeletionPolicy/UpdateReplacePolicy Retain.
//
// GSI1 and GSI2 project ALL so that a listing is one Query per page (per cell for GSI2) with no
// follow-up reads; the price is that the indexes hold copies of public requests, including the
// reporter's personal data (the "reporter" map), which the API never shows. An INCLUDE
// projection would have to list every domain field and silently drop any field added later, so
// it was not chosen.
//
// An existing table gains GSI2 by a stack update (DynamoDB backfills it from the items that
// carry GSI2PK); requests written before this version carry none, and activities written
// before it carry no GSI1 keys, so they join geo search and Updates only when rewritten.
//
// No item type sets expires_at today; the TTL attribute is reserved so that short-lived items
// (for example idempotency records) can be added without changing the table.
//
// # Items
//
// Table-level attributes are PK, SK, GSI1PK, GSI1SK, ItemType and expires_at; every other
// attribute is a domain field under its JSON name (package open311's struct tags), so a field
// added to the domain is stored without a change here. Times that are compared or sorted on
// (requested, updated, expected, activity at) are stored as fixed-width RFC 3339 UTC strings with
// nanoseconds, "2006-01-02T15:04:05.000000000Z", so that string order is time order; other times
// (changeset, created) are RFC 3339 strings. A request or activity time outside the years 0 to
// 9999 would break the fixed width, so writing one is an open311.Invalid error. Key components are
// escaped ("%" as "%25", "#" as "%23") so that "#" only ever separates them.
//
//	item           ItemType       PK                                     SK
//	jurisdiction   jurisdiction   JURISDICTIONS                          JUR#<jurisdiction>
//	service        service        JUR#<jurisdiction>                     SVC#<service code>
//	API key        apikey         KEY#<hash>                             KEY
//	request        request        REQ#<jurisdiction>#<id>                REQ
//	activity       activity       REQ#<jurisdiction>#<id>                ACT#<at>#<version>#<index>
//	token pointer  token          TOK#<jurisdiction>#<token>             TOK
//	client update  client_update  CUPD#<jurisdiction>#<client update id> CUPD
//
//	index  items                                       partition key                      sort key
//	GSI1   public requests                             REQS#<jurisdiction>                <requested>#<id>
//	GSI1   activities written while the request was    ACTS#<jurisdiction>                <at>#<activity id>
//	       public (Updates)
//	GSI2   public requests with a point                GEO#<jurisdiction>#<geohash of 5>  <requested>#<id>
//
// A request and its activities share a partition. An activity's sort key orders by time, then by
// the request version that wrote it (10 digits) and its place in that write (4 digits), so equal
// times keep the order in which they were written. Only public requests (open311.Request.Public)
// carry GSI1PK and GSI1SK: private and submitted-but-not-accepted requests are left out of GSI1
// (a sparse index), and an update that makes a request public or private adds or removes them,
// because every write of a request replaces the whole item. GSI2 is sparse in the same way and
// also leaves out requests without a point; a request whose point moves changes cell with the
// same whole-item write. A token pointer holds request_id and jurisdiction_id. A client update
// item reserves a client's update id (open311.Activity.ClientUpdateID) within the jurisdiction
// and holds a copy of the activity that used it, so that the id is resolved with one GetItem;
// activities never change once written, so the copy never goes stale.
//
// An activity gets GSI1 keys when its request is public right after the write that records it
// (Updates' contract), and keeps them: an activity written while the request was public stays
// listed after the request is made private, and one written while it was private or submitted
// stays unlisted (accepting a batch request lists the acceptance and what follows, not the
// submission). The id part of the GSI1 sort key is not escaped, so that ties at one instant
// order by id in byte order, as Updates promises; the fixed-width time before it keeps "#"
// in the id harmless.
//
// # Access patterns
//
// Read and write units assume items under 1 KB (requests with long descriptions or many
// attributes cost more); a strongly consistent read of up to 4 KB is 1 RCU, an eventually
// consistent one 0.5 RCU, a write of up to 1 KB is 1 WCU and a transactional one 2 WCU.
//
//	operation                 DynamoDB calls                                           units
//	Jurisdictions             Query PK=JURISDICTIONS (paged; one page in practice)     ~1 RCU
//	Jurisdiction              GetItem                                                  1 RCU
//	Services                  Query PK=JUR#j, SK begins_with SVC# (one page for <1 MB) 1 RCU per 4 KB read
//	Service                   GetItem                                                  1 RCU per 4 KB
//	APIKey                    GetItem                                                  1 RCU
//	Request                   GetItem (consistent)                                     1 RCU
//	RequestByToken            GetItem token pointer + GetItem request                  2 RCU
//	QueryRequests             Query GSI1 PK=REQS#j, newest first, 1 per page (below)   0.5 RCU per 4 KB read
//	QueryRequests with IDs    BatchGetItem (consistent), 1 per 100 ids                 1 RCU per id
//	QueryRequests Near or     up to 16 geohash cells: 1 Query of GSI2 per cell per     0.5 RCU per 4 KB read;
//	  Within (geo search)     page, at once (1 to 4 for a radius up to ~1 km); more    about max(2n, 100)
//	                          cells: GSI1 as QueryRequests, filtered in Go (below)     items per cell
//	Activities                Query PK=REQ#j#id, SK begins_with ACT# (consistent)      1 RCU per 4 KB read
//	Updates                   Query GSI1 PK=ACTS#j, oldest first, 1 per page (below)   0.5 RCU per 4 KB read
//	ActivityByClientID        GetItem CUPD#j#cid (consistent; holds the activity)      1 RCU
//	CreateRequest             TransactWriteItems: request + activity (+ token pointer) 2 WCU per item: 4 to 8
//	                          (+ client update item)
//	UpdateRequests            BatchGetItem (consistent) of all + TransactWriteItems:   1 RCU per request +
//	                          each request + its activities + client update items      2 WCU per item
//	PutJurisdiction           PutItem                                                  1 WCU
//	PutService                PutItem                                                  1 WCU per KB
//	DeleteService             DeleteItem with attribute_exists(PK) (NotFound if none)  1 WCU
//	PutAPIKey                 PutItem                                                  1 WCU
//
// Writes to the indexes come on top, as plain (not transactional) writes: 1 WCU per KB for
// each index an item is in (a request: GSI1 and, with a point, GSI2; an activity of a public
// request: GSI1), 2 when a write moves an item in or between index partitions (delete + put).
//
// Per API operation (pkg/api as it stands; it caches the jurisdiction list per process for its
// catalog TTL, so Jurisdictions is one Query per cold start or refresh, not per call):
//
//	get-discovery            (cached jurisdictions only)                        0 units
//	get-services             Services: 1 Query                                  1 RCU
//	get-service-definition   Service: 1 GetItem                                 1 RCU
//	post-request             APIKey + Service: 2 GetItem; CreateRequest: 1      2 RCU + 4 WCU (6 with a token)
//	                         TransactWriteItems
//	get-token                RequestByToken: 2 GetItem                          2 RCU
//	get-requests             QueryRequests: 1 Query per page (GSI1)             0.5 RCU per 4 KB read
//	                         or 1 BatchGetItem per 100 ids                      1 RCU per id
//	get-request              Request: 1 GetItem                                 1 RCU
//	get-requests, geo        QueryRequests Near/Within: 1 to 16 Query (GSI2)    0.5 RCU per 4 KB read
//	                         or 1 Query per page (GSI1)
//	get-request-updates      Updates: 1 Query per page                          0.5 RCU per 4 KB read
//	post-request-update      APIKey: 1 GetItem; ActivityByClientID: 1 GetItem   2 RCU + 1 RCU per request
//	                         (with an update_id); UpdateRequests: 1             + 2 WCU per item written
//	                         BatchGetItem + 1 TransactWriteItems
//	update-request           as post-request-update, then Request: 1 GetItem,   + 1 RCU + 1 RCU per 4 KB
//	                         and Activities: 1 Query for the extended answer    of activities
//	post-request with an     as post-request, + ActivityByClientID: 1 GetItem   +1 RCU, +2 WCU
//	Idempotency-Key          and a client update item in the write
//
// Reads of the base table are strongly consistent so that a client reads its own writes (a new
// request is fetched right after its creation, and a client update id is seen as taken right
// after the write that took it). GSI1 and GSI2 are eventually consistent, as every GSI is: a new
// or changed request reaches listings and geo searches, and a new activity reaches Updates,
// within about a second.
//
// # Listing (QueryRequests)
//
// The Query's key condition is GSI1PK = REQS#<jurisdiction>, with the sort key bounded by the
// requested-time filters (RequestedFrom inclusive as GSI1SK >= from; RequestedTo inclusive as
// GSI1SK < (to + 1ns), or BETWEEN when both are given), read with ScanIndexForward false (newest
// first, ties by id descending). Service codes (up to 100), statuses (the detailed statuses of the
// GeoReport statuses asked for) and updated-time bounds are a FilterExpression; they are checked
// again in Go. A page is read with Query Limit = (offset + items still wanted + 1) when there is
// no filter, so an unfiltered page is exactly one Query while it reads under 1 MB (DynamoDB's most
// per call; about 250 requests of 4 KB); with a filter, reads are larger (twice what is wanted,
// 100 to 1000 items) since DynamoDB applies Limit before the filter. Reading goes on until the
// page is full or the index ends; Offset is done by skipping matches.
//
// The cursor (Page.Next) is the position of the last returned item, the shared store.Cursor
// (requested time and id, unpadded base64url) that every store gives out. It is the Query's
// LastEvaluatedKey reduced to the one component the others are derived from: GSI1SK is
// <requested>#<id>, and PK, SK and GSI1PK follow from the id and the jurisdiction. It is built from
// the last returned item, not from the Query's LastEvaluatedKey, so a page that stops in the
// middle of a DynamoDB page continues exactly after its last item. Next is empty when nothing can
// follow: DynamoDB reported the end of the index and the rest of the last page read does not
// match. A cursor that does not decode is an open311.Invalid error.
//
// # Geo search (QueryRequests with Near or Within)
//
// GSI2 partitions a jurisdiction's located public requests by the geohash of their point at 5
// characters: cells of 0.044° by 0.044°, about 4.9 km by 4.9 km at the equator and 3.5 km by
// 4.9 km at 45° of latitude (see geoPrecision for why 5). A search takes the cells that
// intersect its box (the circle's bounding box for Near; the smaller cover when both are given;
// a box across the antimeridian in two column ranges) and, when there are at most 16
// (maxGeoCells), queries each cell's partition with the same key condition and
// FilterExpression as a GSI1 listing (GSI2SK is also <requested>#<id>), all cells at once.
// The cells' requests are merged newest first; a cell is read further only when the merge
// needs its next request and its reads so far are used up. Every request read is checked
// exactly in Go (BBox.Contains, Circle.Contains and the other filters), so corner cells cost
// reads but never wrong answers. Each cell Query reads max(2n, 100) items (at most 1000 and
// 1 MB), n being what the page still wants, since Limit applies before any filter: a radius
// of up to about a kilometre is 1 to 4 Queries per page.
//
// A box that needs more than 16 cells (a whole district, or the world) is answered from GSI1
// like any listing, with the geo filter checked in Go on each request read. That reads the
// jurisdiction's requests newest first until the page is full, so its cost is the page size
// divided by the share of the jurisdiction's requests inside the box: little for a box that
// covers much of the jurisdiction (the usual reason for a big box), up to the whole listing for
// a big box with few requests in it. A second, coarser geohash index (3 characters, 156 km)
// was not chosen: such a cell is larger than most jurisdictions, so it would read what GSI1
// reads while adding an index write to every request write.
//
// The cursor is the shared store.Cursor of the last returned request: each cell resumes
// strictly below its <requested>#<id> through the key condition (GSI2SK < cursor, or BETWEEN
// with RequestedFrom and the cursor's own item left out in Go), so one cursor serves all cells,
// and a cursor of the GSI1 path serves too. A request that moves between cells may for a
// moment be in both (GSI2 is eventually consistent); a page holds it once.
//
// # Updates
//
// Updates is one Query of GSI1's ACTS#<jurisdiction> partition, oldest first, with From
// (inclusive) and To (exclusive) in the key condition (GSI1SK >= from, GSI1SK < to, or BETWEEN
// them: To as a bare fixed-width time equals no key). A page is read with Limit = (items still
// wanted + 1), the extra item telling whether a next page exists. The cursor is the shared
// store.Cursor with the activity's time and id; the next page's key condition starts at the
// cursor's own GSI1SK (a key condition cannot be exclusive at a lower bound and bounded above)
// and the cursor's item is skipped in Go, one item more on the first read. Next is empty when
// DynamoDB reported the end of the partition and nothing was left of the last read.
//
// Query.IDs is answered by BatchGetItem (ids de-duplicated; unknown and non-public requests left
// out; unprocessed keys retried), newest first like every listing; paging and the other filters
// do not apply.
//
// # Writes
//
// CreateRequest writes the request, its creation activity, (for a request with a token) the
// token pointer and (for an activity with a client update id, as the API's Idempotency-Key
// makes) the client update item in one TransactWriteItems, each with attribute_not_exists(PK); a
// cancellation for a failed condition (or a conflicting transaction) is an open311.Conflict
// error, whose message names the item that failed when DynamoDB's cancellation reasons say. The SDK fills in
// the transaction's ClientRequestToken and keeps it across its own retries, so a retry of a write
// that did land is answered as a success, not as a Conflict with itself.
//
// UpdateRequests (store.UpdateRequest is its one-request case) reads the requests with one
// consistent BatchGetItem, calls change, and writes every request with version+1 under the
// condition that its stored version is still the one read, together with one Put per activity
// and one Put with attribute_not_exists(PK) of a client update item per activity with a client
// update id, in one TransactWriteItems, so all are written or none (linking two requests keeps
// the link on both). It does not retry:
// losing the race and reusing a client update id are both open311.Conflict errors (the
// transaction is cancelled either way and nothing is written; the message says which when
// DynamoDB's cancellation reasons tell), and the caller decides whether to read again and retry
// (change may have side effects the store cannot know about). Two activities of one write with
// the same client update id are a Conflict before anything is sent. change may not alter a
// request's id, jurisdiction or token; doing so is an internal error. An activity that does not
// name its request belongs to the only request written; with several, it must name one. A
// write holds at most 100 items (requests, activities and client update items together);
// UpdateRequests takes at most 100 distinct ids (a repeated id is open311.Invalid).
//
// The functions that write client update items need PutItem on the CUPD# partitions (the
// dynamodb:LeadingKeys condition of their policies in template.yaml), besides REQ# (and TOK#
// for post-request).
package dynamo
