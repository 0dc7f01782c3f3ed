// Command get-request-updates is the Lambda function of the get-request-updates operation (GET /servicerequestupdates.{xml,json}): the pkg/api
// handler of that operation behind an API Gateway HTTP API (payload 2.0), over DynamoDB.
// Configuration comes from the environment; see package lambdaconfig.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/lambdaconfig"
)

func main() {
	a, err := lambdaconfig.API(context.Background())
	if err != nil {
		slog.Error("configure get-request-updates", "err", err)
		os.Exit(1)
	}
	lambda.Start(lambdaconfig.Proxy(a.Only(api.OpRequestUpdates)))
}
