// Command update-request is the Lambda function of the update-request operation (POST /requests/{id}.{xml,json}): the pkg/api
// handler of that operation behind an API Gateway HTTP API (payload 2.0), over DynamoDB, deleting the photos staff
// remove from the feed bucket and invalidating them on the CDN. Configuration comes from the environment; see package lambdaconfig.
package main

import (
	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/lambdaconfig"
	"github.com/civicworks/open311/pkg/lambdaconfig/removal"
)

func main() { lambdaconfig.Main(api.UpdateRequest, removal.Option) }
