// Package uploads gives post-request's API the photos uploaded to slots on AWS (package bucket's
// Uploads, the feed bucket's uploads/, through package awsrest's S3 client), for
// lambdaconfig.Main: what a report naming a media_id reads and then deletes. A package of its
// own, so that only post-request links it.
package uploads

import (
	"fmt"
	"os"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/awsrest"
	"github.com/civicworks/open311/pkg/lambdaenv"
	"github.com/civicworks/open311/pkg/media/bucket"
)

// Option gives the API the uploads under uploads/ of FEED_BUCKET; without it the function
// does not start.
func Option(o *api.Options, env lambdaenv.Env) error {
	if env.FeedBucket == "" {
		return fmt.Errorf("uploads: %s is needed for uploaded photos", lambdaenv.EnvFeedBucket)
	}
	o.Uploads = &bucket.Uploads{Client: awsrest.NewS3(env.AWS, lambdaenv.ServiceEndpoint(os.Getenv, "S3")), Bucket: env.FeedBucket}
	return nil
}
