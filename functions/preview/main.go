// Command preview is the Lambda function on the feed bucket's "Object Created" events of media/
// that makes each new photo's preview under previews/ (see package previewer).
//
// Configuration comes from the environment; see packages lambdaenv and previewer.
package main

import "github.com/civicworks/open311/pkg/previewer"

func main() { previewer.Main() }
