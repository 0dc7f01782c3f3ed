// Package photos gives post-request's API its photos store on AWS (package bucket over the feed
// bucket), for lambdaconfig.Main. It is a package of its own so that only the function that
// stores photos links an S3 client (package awsrest), and the preview function, which uses package bucket too, does
// not link the API.
package photos

import (
	"cmp"
	"fmt"
	"os"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/awsrest"
	"github.com/civicworks/open311/pkg/lambdaenv"
	"github.com/civicworks/open311/pkg/media/bucket"
)

// Option gives a function's API the photos store of a deployment, for lambdaconfig.Main: the
// feeds bucket of FEED_BUCKET (public photos under media/, private ones under private-media/,
// previews under previews/), its photos served from OPEN311_FEED_BASE (the CDN, whose /media/
// path is the bucket's media/ prefix), or from OPEN311_MEDIA_BASE when that is set. Without
// the bucket and a base the function does not start.
func Option(o *api.Options, env lambdaenv.Env) error {
	base := cmp.Or(env.MediaBase, env.FeedBase)
	if base == "" {
		return fmt.Errorf("photos: %s and %s are needed for photos", lambdaenv.EnvFeedBucket, lambdaenv.EnvFeedBase)
	}
	st, err := Store(env)
	if err != nil {
		return err
	}
	o.Media, o.MediaBase = st, base
	return nil
}

// Store is the photos store of FEED_BUCKET (photos under media/ and private-media/, previews
// under previews/).
func Store(env lambdaenv.Env) (*bucket.Store, error) {
	if env.FeedBucket == "" {
		return nil, fmt.Errorf("photos: %s is needed for photos", lambdaenv.EnvFeedBucket)
	}
	client := awsrest.NewS3(env.AWS, lambdaenv.ServiceEndpoint(os.Getenv, "S3"))
	return &bucket.Store{Client: client, Bucket: env.FeedBucket, Prefix: bucket.DefaultPrefix, PrivatePrefix: bucket.DefaultPrivatePrefix,
		PreviewPrefix: bucket.DefaultPreviewPrefix}, nil
}
