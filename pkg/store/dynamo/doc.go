// Package dynamo is the DynamoDB implementation of store.Store: one table holds the catalog, the
// API keys, the requests and their activities, the token pointers of batch requests and the
// update ids clients gave. CreateTable makes the table template.yaml deploys.
//
// Its invariants: every read is keyed (GetItem, BatchGetItem, or Query of a partition), never a
// Scan (only operators' tools scan: CopyTable, BackfillReporters and BackfillHidden); every write of several items is one TransactWriteItems, conditioned so that a lost race or
// a taken token or client update id is open311.Conflict and writes nothing; base-table reads are
// strongly consistent, listings (indexes GSI1 and GSI2) eventually consistent. The key formats
// are this package's alone: a stream consumer reads a request's keys with ParseRequestKey.
//
// The table, the items and indexes, the access patterns and what they cost, and why:
// docs/store-dynamodb.md.
package dynamo
