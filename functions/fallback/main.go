// Command fallback is the Lambda function of API Gateway's $default route: the pkg/api
// fallback handler (404, or 405 with Allow, as the error document) behind an API Gateway HTTP API (payload 2.0), over DynamoDB.
// Configuration comes from the environment; see package lambdaconfig.
package main

import (
	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/lambdaconfig"
)

func main() { lambdaconfig.Main(api.Fallback) }
