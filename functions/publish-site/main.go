// Command publish-site is the Lambda function behind the stack's Site custom resource: it
// publishes the CDN's own pages (the root page and errors/404.html) to the feed bucket on every
// deploy (see package publisher).
//
// Configuration comes from the environment; see packages lambdaenv and publisher.
package main

import "github.com/civicworks/open311/pkg/site/publisher"

func main() { publisher.Main() }
