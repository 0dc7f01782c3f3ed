// Command fallback is the Lambda function of API Gateway's $default route: the pkg/api
// fallback handler (404, or 405 with Allow, as the error document) behind an API Gateway HTTP API (payload 2.0), over DynamoDB.
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
		slog.Error("configure fallback", "err", err)
		os.Exit(1)
	}
	lambda.Start(lambdaconfig.Proxy(a.Only(api.OpFallback)))
}
