// Command post-request is the Lambda function of the post-request operation (POST /requests.{xml,json}): the pkg/api
// handler of that operation behind an API Gateway HTTP API (payload 2.0), over DynamoDB, sealing reporters with KMS
// and storing photos in the feed bucket (those uploaded to slots read from its uploads/, then deleted). Configuration
// comes from the environment; see package lambdaconfig.
package main

import (
	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/lambdaconfig"
	"github.com/civicworks/open311/pkg/lambdaconfig/photos"
	"github.com/civicworks/open311/pkg/lambdaconfig/uploads"
	"github.com/civicworks/open311/pkg/seal/kmsseal"
)

func main() { lambdaconfig.Main(api.PostRequest, kmsseal.Option, photos.Option, uploads.Option) }
