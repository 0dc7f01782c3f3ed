// Command update-request is the Lambda function of the update-request operation (POST /requests/{id}.{xml,json}): the pkg/api
// handler of that operation behind an API Gateway HTTP API (payload 2.0), over DynamoDB, storing the photos sent with an
// update in the feed bucket, deleting the photos staff remove from it and invalidating them on the CDN. Configuration
// comes from the environment; see package lambdaconfig.
package main

import (
	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/lambdaconfig"
	"github.com/civicworks/open311/pkg/lambdaconfig/photos"
	"github.com/civicworks/open311/pkg/lambdaconfig/removal"
)

// photos.Option names where photos are served; removal.Option, after it, makes deletions tell the CDN.
func main() { lambdaconfig.Main(api.UpdateRequest, photos.Option, removal.Option) }
