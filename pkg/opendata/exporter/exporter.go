// Package exporter is the scheduled Lambda function that publishes the bulk open data every
// night: for each jurisdiction, package opendata's CSV and GeoJSON of its public requests,
// written to the function's /tmp as the table is read a page at a time (bounded memory), then
// put in the feed bucket, which the CDN serves. One log line per run is also its metrics (EMF:
// OpenDataExported, ExportFailed).
package exporter

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/lambdaenv"
	"github.com/civicworks/open311/pkg/metrics"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/opendata"
)

// Store is what an export reads.
type Store interface {
	opendata.Lister
	Jurisdictions(ctx context.Context) ([]open311.Jurisdiction, error)
}

// Putter is what the exporter calls of S3; *s3.Client is one.
type Putter interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// CacheControl is the exports' Cache-Control: a new one a night, an hour of caching.
const CacheControl = "public, max-age=3600"

// Handler exports every jurisdiction on each invocation.
type Handler struct {
	Store  Store
	S3     Putter
	Bucket string
	// Dir is where the files are written before they are put (Lambda's /tmp).
	Dir    string
	Now    func() time.Time
	Logger *slog.Logger
	// EMF makes the run's log line a CloudWatch Embedded Metric Format document.
	EMF bool
}

// Result is what an invocation answers: the requests exported, by jurisdiction.
type Result struct {
	Exported map[string]int `json:"exported"`
}

// Handle exports once. The event (the schedule's) is not read.
func (h *Handler) Handle(ctx context.Context, _ any) (Result, error) {
	start := h.Now()
	res := Result{Exported: map[string]int{}}
	err := h.exportAll(ctx, res.Exported)
	total := 0
	for _, n := range res.Exported {
		total += n
	}
	attrs := []slog.Attr{slog.Int("requests", total), slog.Int("jurisdictions", len(res.Exported))}
	if h.EMF {
		attrs = append(attrs, metrics.EMF("export-open-data", start, metrics.Export(total, err != nil)...)...)
	}
	level, msg := slog.LevelInfo, "open data exported"
	if err != nil {
		level, msg = slog.LevelError, "open data export failed"
		attrs = append(attrs, slog.String("err", err.Error()))
	}
	h.Logger.LogAttrs(ctx, level, msg, attrs...)
	return res, err
}

func (h *Handler) exportAll(ctx context.Context, done map[string]int) error {
	js, err := h.Store.Jurisdictions(ctx)
	if err != nil {
		return fmt.Errorf("list jurisdictions: %w", err)
	}
	for _, j := range js {
		n, err := h.export(ctx, j)
		if err != nil {
			return fmt.Errorf("export %s: %w", j.ID, err)
		}
		done[j.ID] = n
	}
	return nil
}

// export writes one jurisdiction's files aside, then puts each in the bucket.
func (h *Handler) export(ctx context.Context, j open311.Jurisdiction) (int, error) {
	csvFile, err := os.CreateTemp(h.Dir, "export-*.csv")
	if err != nil {
		return 0, err
	}
	defer os.Remove(csvFile.Name())
	defer csvFile.Close()
	geoFile, err := os.CreateTemp(h.Dir, "export-*.geojson")
	if err != nil {
		return 0, err
	}
	defer os.Remove(geoFile.Name())
	defer geoFile.Close()
	n, err := opendata.Export(ctx, h.Store, j, csvFile, geoFile)
	if err != nil {
		return n, err
	}
	for _, f := range []struct {
		file       *os.File
		path, kind string
	}{{csvFile, opendata.CSVPath(j.ID), opendata.CSVType}, {geoFile, opendata.GeoJSONPath(j.ID), opendata.GeoJSONType}} {
		key, err := feed.ObjectKey(f.path)
		if err != nil {
			return n, err
		}
		size, err := f.file.Seek(0, 1)
		if err != nil {
			return n, err
		}
		if _, err := f.file.Seek(0, 0); err != nil {
			return n, err
		}
		_, err = h.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(h.Bucket), Key: aws.String(key), Body: f.file,
			ContentLength: aws.Int64(size), ContentType: aws.String(f.kind), CacheControl: aws.String(CacheControl)})
		if err != nil {
			return n, fmt.Errorf("put s3://%s/%s: %w", h.Bucket, key, err)
		}
	}
	return n, nil
}

// Main is the whole of the function's main: the handler from the environment (lambdaenv.Load
// and FEED_BUCKET), served until Lambda stops the process.
func Main() {
	env, err := lambdaenv.Load(context.Background(), lambdaenv.EnvFeedBucket)
	if err != nil {
		lambdaenv.Exit("export-open-data", err)
	}
	client := s3.NewFromConfig(env.AWS, func(o *s3.Options) {
		if ep := lambdaenv.ServiceEndpoint(os.Getenv, "S3"); ep != nil {
			o.BaseEndpoint = ep
			o.UsePathStyle = true
		}
	})
	h := &Handler{Store: env.Store(), S3: client, Bucket: env.FeedBucket, Dir: os.TempDir(), Now: time.Now,
		Logger: env.Logger, EMF: true}
	lambda.Start(h.Handle)
}
