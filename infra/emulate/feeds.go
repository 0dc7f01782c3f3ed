package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/civicworks/open311/pkg/e2e"
)

// batchSize is the most records one invoke of the feed builder gets (template.yaml's BatchSize).
const batchSize = 100

// pumpFeeds plays Lambda's event source mapping on the table's stream: it polls the stream and
// invokes the feed builder with each batch of new records, until ctx ends. Records the function
// reports as failed are logged (on AWS they are retried, then sent to the failure queue).
func pumpFeeds(ctx context.Context, stream *e2e.Stream, fn *e2e.Emulator, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(250 * time.Millisecond):
		}
		ev, err := stream.Read(ctx)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("read the table's stream", "err", err)
			}
			continue
		}
		for len(ev.Records) > 0 {
			n := min(batchSize, len(ev.Records))
			invokeFeedBuilder(ctx, fn, events.DynamoDBEvent{Records: ev.Records[:n]}, log)
			ev.Records = ev.Records[n:]
		}
	}
}

func invokeFeedBuilder(ctx context.Context, fn *e2e.Emulator, batch events.DynamoDBEvent, log *slog.Logger) {
	payload, err := json.Marshal(batch)
	if err != nil {
		log.Error("feed builder batch", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	out, err := fn.Invoke(ctx, payload)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("invoke the feed builder", "err", err)
		}
		return
	}
	var resp struct {
		events.DynamoDBEventResponse
		ErrorMessage string `json:"errorMessage"`
	}
	if err := json.Unmarshal(out, &resp); err != nil || resp.ErrorMessage != "" {
		log.Error("the feed builder failed", "answer", string(out))
		return
	}
	for _, f := range resp.BatchItemFailures {
		log.Error("the feed builder failed a record", "sequence_number", f.ItemIdentifier)
	}
}
