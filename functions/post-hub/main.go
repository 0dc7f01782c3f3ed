// Command post-hub is the Lambda function of the post-hub operation (POST /hub): the pkg/api handler
// of that operation behind an API Gateway HTTP API (payload 2.0). On AWS no WebSub hub runs yet (no
// queue hands it subscription requests, and the feed builder names no hub in the feeds), so it
// answers every subscription request 503 with a Retry-After, as the handler does without a hub;
// the local server runs the hub (docs/feeds.md). Configuration comes from the environment like
// every function's (see package lambdaconfig).
package main

import (
	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/lambdaconfig"
)

func main() { lambdaconfig.Main(api.PostHub) }
