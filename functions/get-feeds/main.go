// Command get-feeds is the Lambda function of the get-feeds operation (GET /feeds.{xml,json}): the pkg/api
// handler of that operation behind an API Gateway HTTP API (payload 2.0), over DynamoDB.
// Configuration comes from the environment; see package lambdaconfig.
package main

import (
	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/lambdaconfig"
)

func main() { lambdaconfig.Main(api.GetFeeds) }
