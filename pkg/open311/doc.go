// Package open311 is the domain of an Open311 service-request system: jurisdictions and their
// service catalogs, service requests with detailed statuses, the activities that record every
// change, API keys, and the validation rules that keep bad input out of the store.
//
// It depends on the standard library only; the wire formats (package georeport), the HTTP
// handlers (package api) and the stores (package store and its implementations) are built around it.
package open311
