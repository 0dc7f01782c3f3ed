package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/e2e"
	"github.com/civicworks/open311/pkg/media/bucket"
)

// previewFunction is the function on the bucket's new photos.
const previewFunction = "preview"

// pumpPreviews plays EventBridge's rule for the preview function: every 250 ms it lists the
// bucket's media/ and invokes the function with S3's "Object Created" event of each photo it
// has not seen, as the rule of template.yaml passes them on.
func pumpPreviews(ctx context.Context, s3c *s3.Client, bucketName string, fn *e2e.Emulator, log *slog.Logger) {
	seen := map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(250 * time.Millisecond):
		}
		p := s3.NewListObjectsV2Paginator(s3c, &s3.ListObjectsV2Input{Bucket: aws.String(bucketName), Prefix: aws.String(bucket.DefaultPrefix)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				if ctx.Err() == nil {
					log.Error("list the bucket's photos", "err", err)
				}
				break
			}
			for _, o := range page.Contents {
				key := aws.ToString(o.Key)
				if seen[key] {
					continue
				}
				seen[key] = true
				invokePreview(ctx, fn, bucketName, key, log)
			}
		}
	}
}

func invokePreview(ctx context.Context, fn *e2e.Emulator, bucketName, key string, log *slog.Logger) {
	detail, _ := json.Marshal(map[string]any{"bucket": map[string]string{"name": bucketName}, "object": map[string]string{"key": key}})
	payload, err := json.Marshal(events.EventBridgeEvent{Version: "0", Source: "aws.s3", DetailType: "Object Created", Region: region,
		Time: time.Now().UTC(), Resources: []string{"arn:aws:s3:::" + bucketName}, Detail: detail})
	if err != nil {
		log.Error("preview event", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if out, err := fn.Invoke(ctx, payload); err != nil || string(out) != "null" {
		if ctx.Err() == nil {
			log.Error("invoke the preview function", "key", key, "answer", string(out), "err", err)
		}
	}
}
