// Command feed-builder is the Lambda function on the table's stream that rebuilds the Atom feeds a
// batch touches and writes them to the feed bucket (see package feedbuilder).
//
// Configuration comes from the environment; see package lambdaenv.
package main

import "github.com/civicworks/open311/pkg/feedbuilder"

func main() { feedbuilder.Main() }
