// Package slots gives post-media's API the forms of upload slots on AWS, for lambdaconfig.Main:
// S3's presigned POSTs to uploads/<slot id> of FEED_BUCKET (package slot), signed with the
// function's own credentials. It links no S3 SDK.
package slots

import (
	"fmt"
	"os"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/lambdaenv"
	"github.com/civicworks/open311/pkg/media/slot"
)

// Option gives the API the slot forms of FEED_BUCKET in the function's region, posted to the
// S3 endpoint of AWS_ENDPOINT_URL_S3 (path-style) when that is set; without the bucket the
// function does not start.
func Option(o *api.Options, env lambdaenv.Env) error {
	if env.FeedBucket == "" {
		return fmt.Errorf("slots: %s is needed for upload slots", lambdaenv.EnvFeedBucket)
	}
	f := &slot.Forms{Credentials: env.AWS.Credentials, Region: env.AWS.Region, Bucket: env.FeedBucket}
	if ep := lambdaenv.ServiceEndpoint(os.Getenv, "S3"); ep != nil {
		f.Endpoint = *ep
	}
	o.Forms = f
	return nil
}
