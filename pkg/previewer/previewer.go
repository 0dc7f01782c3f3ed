// Package previewer is the Lambda function that makes photos' previews: EventBridge delivers it
// the feed bucket's "Object Created" events of the media/ prefix (template.yaml's rule), one
// photo an invocation, and it makes that photo's preview under previews/ (package preview), the
// key the API named in preview_url when it stored the photo. Each invocation writes one log line.
package previewer

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/civicworks/open311/pkg/awsrest"
	"github.com/civicworks/open311/pkg/lambdaenv"
	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/media/bucket"
	"github.com/civicworks/open311/pkg/media/preview"
)

// Handler makes the preview of the photo an event names.
type Handler struct {
	Previews media.Previews
	// Bucket and Prefix are where photos arrive; an event of another object is ignored.
	Bucket, Prefix string
	Logger         *slog.Logger
}

// objectCreated is what the handler reads of the detail of S3's "Object Created" event.
type objectCreated struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key string `json:"key"`
	} `json:"object"`
}

// Handle makes the preview of the photo the event names. An event of another bucket, prefix or
// kind, or of an object whose name is no photo's, is logged and ignored (retrying would not
// change it); an error making the preview is returned, and Lambda retries the invocation.
func (h *Handler) Handle(ctx context.Context, e events.EventBridgeEvent) error {
	start := time.Now()
	var d objectCreated
	if err := json.Unmarshal(e.Detail, &d); err != nil || e.Source != "aws.s3" || e.DetailType != "Object Created" {
		h.Logger.WarnContext(ctx, "preview: not an S3 Object Created event", "source", e.Source, "detailType", e.DetailType)
		return nil
	}
	name, ok := strings.CutPrefix(d.Object.Key, h.Prefix)
	if d.Bucket.Name != h.Bucket || !ok || !media.ValidName(name) {
		h.Logger.WarnContext(ctx, "preview: not a photo of the bucket", "bucket", d.Bucket.Name, "key", d.Object.Key)
		return nil
	}
	made, err := preview.Make(ctx, h.Previews, name)
	attrs := []slog.Attr{slog.String("photo", name), slog.Bool("made", made), slog.Int64("ms", time.Since(start).Milliseconds())}
	if err != nil {
		h.Logger.LogAttrs(ctx, slog.LevelError, "preview failed", append(attrs, slog.String("err", err.Error()))...)
		return fmt.Errorf("preview of %s: %w", d.Object.Key, err)
	}
	h.Logger.LogAttrs(ctx, slog.LevelInfo, "preview", attrs...)
	return nil
}

// Main is the whole of the function's main: the handler over the feed bucket of FEED_BUCKET
// (photos under media/, previews under previews/), served until Lambda stops the process.
func Main() {
	env, err := lambdaenv.Load(context.Background(), lambdaenv.EnvFeedBucket)
	if err != nil {
		lambdaenv.Exit("preview", err)
	}
	client := awsrest.NewS3(env.AWS, lambdaenv.ServiceEndpoint(os.Getenv, "S3"))
	h := &Handler{
		Previews: &bucket.Previews{Client: client, Bucket: env.FeedBucket, Prefix: bucket.DefaultPrefix, PreviewPrefix: bucket.DefaultPreviewPrefix},
		Bucket:   env.FeedBucket, Prefix: bucket.DefaultPrefix, Logger: env.Logger,
	}
	lambda.Start(h.Handle)
}
