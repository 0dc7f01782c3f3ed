// Package dynamo is the DynamoDB implementation of store.Store: one table holds the catalog, the
// API keys, the requests, their activities and the token pointers of batch requests.
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
//	AttributeDefinitions: PK S, SK S, GSI1PK S, GSI1SK S
//	KeySchema:            PK HASH, SK RANGE
//	GlobalSecondaryIndexes:
//	  - IndexName:  GSI1
//	    KeySchema:  GSI1PK HASH, GSI1SK RANGE
//	    Projection: ALL
//	StreamSpecification:  StreamViewType NEW_AND_OLD_IMAGES
//	TimeToLiveSpecification: AttributeName expires_at, Enabled true
//
// template.yaml adds what CreateTable leaves out because tests do not need it: point-in-time
// recovery, server-side encryption, and DeletionPolicy/UpdateReplacePolicy Retain.
//
// GSI1 projects ALL so that a listing is one Query per page with no follow-up reads; the price is
// that the index holds a copy of public requests, including the reporter's personal data (the
// "reporter" map), which the API never shows. An INCLUDE projection would have to list every
// domain field and silently drop any field added later, so it was not chosen.
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
//	item           ItemType      PK                          SK
//	jurisdiction   jurisdiction  JURISDICTIONS               JUR#<jurisdiction>
//	service        service       JUR#<jurisdiction>          SVC#<service code>
//	API key        apikey        KEY#<hash>                  KEY
//	request        request       REQ#<jurisdiction>#<id>     REQ
//	activity       activity      REQ#<jurisdiction>#<id>     ACT#<at>#<version>#<index>
//	token pointer  token         TOK#<jurisdiction>#<token>  TOK
//
//	GSI1 (public requests only)  GSI1PK = REQS#<jurisdiction>   GSI1SK = <requested>#<id>
//
// A request and its activities share a partition. An activity's sort key orders by time, then by
// the request version that wrote it (10 digits) and its place in that write (4 digits), so equal
// times keep the order in which they were written. Only public requests (open311.Request.Public)
// carry GSI1PK and GSI1SK: private and submitted-but-not-accepted requests are left out of GSI1
// (a sparse index), and an update that makes a request public or private adds or removes them,
// because every write of a request replaces the whole item. A token pointer holds request_id
// and jurisdiction_id.
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
//	Activities                Query PK=REQ#j#id, SK begins_with ACT# (consistent)      1 RCU per 4 KB read
//	CreateRequest             TransactWriteItems: request + activity (+ token pointer) 2 WCU per item: 4 or 6
//	UpdateRequest             GetItem (consistent) + TransactWriteItems: request +     1 RCU + 2 WCU per item
//	                          one Put per activity
//	PutJurisdiction           PutItem                                                  1 WCU
//	PutService                PutItem                                                  1 WCU per KB
//	DeleteService             DeleteItem with attribute_exists(PK) (NotFound if none)  1 WCU
//	PutAPIKey                 PutItem                                                  1 WCU
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
//
// Reads of the base table are strongly consistent so that a client reads its own writes (a new
// request is fetched right after its creation). GSI1 is eventually consistent, as every GSI is:
// a new or changed request reaches listings within about a second.
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
// Query.IDs is answered by BatchGetItem (ids de-duplicated; unknown and non-public requests left
// out; unprocessed keys retried), newest first like every listing; paging and the other filters
// do not apply.
//
// # Writes
//
// CreateRequest writes the request, its creation activity and (for a request with a token) the
// token pointer in one TransactWriteItems, each with attribute_not_exists(PK); a cancellation for a
// failed condition (or a conflicting transaction) is an open311.Conflict error. The SDK fills in
// the transaction's ClientRequestToken and keeps it across its own retries, so a retry of a write
// that did land is answered as a success, not as a Conflict with itself.
//
// UpdateRequest reads the request (consistent GetItem), calls change, and writes the request with
// version+1 under the condition that the stored version is still the one read, together with one
// Put per activity, in one TransactWriteItems. It does not retry: losing the race is an
// open311.Conflict error, and the caller decides whether to read again and retry (change may have
// side effects the store cannot know about). change may not alter the request's id, jurisdiction
// or token; doing so is an internal error. A write holds at most 100 items, so an update can
// record at most 99 activities.
package dynamo
