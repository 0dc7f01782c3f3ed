// Command post-request-update is the Lambda function of the post-request-update operation (POST /servicerequestupdates.{xml,json}): the pkg/api
// handler of that operation behind an API Gateway HTTP API (payload 2.0), over DynamoDB, storing the photos sent with an
// update in the feed bucket. Configuration comes from the environment; see package lambdaconfig.
package main

import (
	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/lambdaconfig"
	"github.com/civicworks/open311/pkg/lambdaconfig/photos"
)

func main() { lambdaconfig.Main(api.PostRequestUpdate, photos.Option) }
