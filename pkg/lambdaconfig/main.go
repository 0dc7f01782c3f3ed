package lambdaconfig

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/lambdaenv"
)

// Main is the whole of a function's main: it configures the API from the environment and serves
// the operation to API Gateway until Lambda stops the process. A configuration error is logged
// and ends the process, so Lambda reports the init failure.
func Main(op api.Operation, with ...Option) {
	a, err := API(context.Background(), with...)
	if err != nil {
		lambdaenv.Exit(op.Name, err)
	}
	lambda.Start(Proxy(a.Serve(op)))
}
