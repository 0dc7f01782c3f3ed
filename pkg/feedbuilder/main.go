package feedbuilder

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/feed/bucket"
	"github.com/civicworks/open311/pkg/lambdaenv"
)

// New builds the function's handler from its environment (lambdaenv.Load, which also needs
// FEED_BUCKET, OPEN311_FEED_BASE and OPEN311_ENDPOINT): the store on TABLE_NAME, the feed
// bucket, and the function's logger. It makes no network call.
func New(ctx context.Context) (*Handler, error) {
	env, err := lambdaenv.Load(ctx, lambdaenv.EnvFeedBucket, lambdaenv.EnvFeedBase, lambdaenv.EnvEndpoint)
	if err != nil {
		return nil, err
	}
	return &Handler{
		Store: env.Store(),
		Publisher: &bucket.Publisher{Client: s3.NewFromConfig(env.AWS, func(o *s3.Options) {
			if ep := lambdaenv.ServiceEndpoint(os.Getenv, "S3"); ep != nil {
				o.BaseEndpoint = ep
			}
		}), Bucket: env.FeedBucket},
		Options: feed.Options{FeedBase: env.FeedBase, APIBase: env.Endpoint},
		Logger:  env.Logger,
		EMF:     true,
	}, nil
}

// Main is the whole of the function's main: it builds the handler from the environment and
// serves the stream's batches until Lambda stops the process. A configuration error is logged
// and ends the process, so Lambda reports the init failure.
func Main() {
	h, err := New(context.Background())
	if err != nil {
		lambdaenv.Exit("feed-builder", err)
	}
	lambda.Start(h.Handle)
}
