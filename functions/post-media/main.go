// Command post-media is the Lambda function of the post-media operation (POST /media.{xml,json}): the pkg/api
// handler of that operation behind an API Gateway HTTP API (payload 2.0), over DynamoDB, handing out upload slots
// whose forms are S3 presigned POSTs to the feed bucket's uploads/. Configuration comes from the environment; see
// package lambdaconfig.
package main

import (
	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/lambdaconfig"
	"github.com/civicworks/open311/pkg/lambdaconfig/slots"
)

func main() { lambdaconfig.Main(api.PostMedia, slots.Option) }
