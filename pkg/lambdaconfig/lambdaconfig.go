// Package lambdaconfig wires the functions behind the HTTP API: each functions/<operation>/main.go
// calls Main, which reads the function's environment (package lambdaenv, shared with the stream
// function), builds the API over the DynamoDB store, and serves the one operation through the
// HTTP API (payload 2.0) adapter.
//
// Every HTTP API function binary carries this package, so it links only what they all need:
// not the S3 SDK, not the feed builder, nothing local-only (the embedded store, infra/).
package lambdaconfig

import (
	"context"
	"log/slog"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/lambdaenv"
)

// Options returns the api.Options of a function's configuration over a store.
func Options(c lambdaenv.Config, st desk.Store, logger *slog.Logger) api.Options {
	return api.Options{
		Store:               st,
		DefaultJurisdiction: c.DefaultJurisdiction,
		Endpoint:            c.Endpoint,
		EndpointType:        c.EndpointType,
		FeedBase:            c.FeedBase,
		Logger:              logger,
		EMF:                 true, // the request's log line is its metrics too (package metrics)
	}
}

// API builds the API of a function from its environment (lambdaenv.Load): the JSON logger to
// stdout, and the store on TABLE_NAME through the AWS configuration Lambda's variables give. It makes no
// network call.
func API(ctx context.Context, with ...Option) (*api.API, error) {
	env, err := lambdaenv.Load(ctx)
	if err != nil {
		return nil, err
	}
	opt := Options(env.Config, env.Store(), env.Logger)
	for _, o := range with {
		if err := o(&opt, env); err != nil {
			return nil, err
		}
	}
	if testOptions != nil {
		if err := testOptions(&opt); err != nil {
			return nil, err
		}
	}
	return api.New(opt), nil
}

// An Option adds to the API's options what only some functions need, from their environment
// (kmsseal.Option: the post-request function's sealer), so that the others link none of it.
type Option func(*api.Options, lambdaenv.Env) error

// testOptions, when not nil, changes the options API builds before the API is made. Only the
// end-to-end test build sets it (testclock.go, build tag e2e: a fixed clock and the golden id
// sequences); in every other build it stays nil and none of that code is linked.
var testOptions func(*api.Options) error
