// Command retention is the scheduled Lambda function that erases reporters' personal data once
// the retention period after a request closes has passed (see package retention).
//
// Configuration comes from the environment; see packages lambdaenv and retention.
package main

import "github.com/civicworks/open311/pkg/retention"

func main() { retention.Main() }
