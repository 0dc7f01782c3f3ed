// Package publisher is the Lambda function behind the stack's Site custom resource: when the
// stack is created or updated (a new version of the function's code is a new Version property,
// so every deploy runs it) it publishes the site (package site) to the feed bucket, and when the
// stack is deleted it removes what it published. It answers CloudFormation at the request's
// ResponseURL (aws-lambda-go's cfn.LambdaWrap), with one log line per run that is also its
// metrics (EMF: SitePublished, SiteFailed).
package publisher

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/lambdaenv"
	"github.com/civicworks/open311/pkg/metrics"
	"github.com/civicworks/open311/pkg/site"
	"github.com/civicworks/open311/pkg/site/bucket"
)

// PhysicalID is the custom resource's physical id, the same on every run: an update never
// replaces it, so CloudFormation never sends the Delete of a replaced resource, which would
// remove the site the update just published.
const PhysicalID = "open311-site"

// Handler publishes or unpublishes the site on each custom resource event.
type Handler struct {
	Bucket site.Bucket
	Config site.Config
	Logger *slog.Logger
	// EMF makes the run's log line a CloudWatch Embedded Metric Format document.
	EMF bool
	Now func() time.Time
}

// Handle is the custom resource function: Create and Update publish, Delete unpublishes.
func (h *Handler) Handle(ctx context.Context, ev cfn.Event) (string, map[string]any, error) {
	start := h.Now()
	var done site.Published
	var err error
	switch ev.RequestType {
	case cfn.RequestCreate, cfn.RequestUpdate:
		var objs []site.Object
		if objs, err = site.Objects(h.Config); err == nil {
			done, err = site.Publish(ctx, h.Bucket, objs)
		}
	case cfn.RequestDelete:
		done, err = site.Unpublish(ctx, h.Bucket)
	default:
		err = fmt.Errorf("publisher: request type %q is none of Create, Update, Delete", ev.RequestType)
	}
	attrs := []slog.Attr{slog.String("request_type", string(ev.RequestType)),
		slog.String("written", strings.Join(done.Written, " ")), slog.String("deleted", strings.Join(done.Deleted, " "))}
	if h.EMF {
		attrs = append(attrs, metrics.EMF("publish-site", start, metrics.Site(len(done.Written), err != nil)...)...)
	}
	level, msg := slog.LevelInfo, "site"
	if err != nil {
		level, msg = slog.LevelError, "site failed"
		attrs = append(attrs, slog.String("err", err.Error()))
	}
	h.Logger.LogAttrs(ctx, level, msg, attrs...)
	if err != nil {
		return PhysicalID, nil, err
	}
	return PhysicalID, map[string]any{"Written": len(done.Written), "Deleted": len(done.Deleted)}, nil
}

// Main is the whole of the function's main: the handler from the environment (lambdaenv.Load,
// FEED_BUCKET and OPEN311_ENDPOINT; the web app's WEBAPP_REPORTER_KEY, WEBAPP_TILE_URL and
// WEBAPP_MAP_CENTER), served through cfn.LambdaWrap until Lambda stops it.
func Main() {
	env, err := lambdaenv.Load(context.Background(), lambdaenv.EnvFeedBucket, lambdaenv.EnvEndpoint)
	if err != nil {
		lambdaenv.Exit("publish-site", err)
	}
	client := s3.NewFromConfig(env.AWS, func(o *s3.Options) {
		if ep := lambdaenv.ServiceEndpoint(os.Getenv, "S3"); ep != nil {
			o.BaseEndpoint = ep
			o.UsePathStyle = true
		}
	})
	h := &Handler{Bucket: &bucket.Bucket{Client: client, Name: env.FeedBucket}, Config: site.Config{APIURL: env.Endpoint,
		ReporterKey: env.WebAppReporterKey, TileURL: env.WebAppTileURL, MapCenter: env.WebAppMapCenter},
		Logger: env.Logger, EMF: true, Now: time.Now}
	lambda.Start(cfn.LambdaWrap(h.Handle))
}
