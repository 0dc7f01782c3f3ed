// Package metrics counts what the system does, per operation, in the two forms its runtimes
// read: CloudWatch's Embedded Metric Format (EMF) as attributes of the one log line a Lambda
// function writes per request or batch (CloudWatch turns them into metrics; no extra call is
// made), and, for the local server, counters that /metrics shows in Prometheus' text format.
//
// The metrics, in namespace Open311 with the dimension operation: Requests, Errors4xx and
// Errors5xx (counts) and Latency (milliseconds) for the API; FeedsWritten, FeedsSkipped,
// FeedsFailed (counts) and BatchAge (milliseconds, the oldest record's age) for the feed builder;
// PersonalDataErased and RetentionFailed (counts) for the retention of personal data;
// SitePublished and SiteFailed (counts) for the publisher of the CDN's pages; OpenDataExported
// and ExportFailed (counts) for the nightly open data export.
package metrics

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Namespace is the CloudWatch namespace of every metric.
const Namespace = "Open311"

// emf is the "_aws" member of an EMF log line.
type emf struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

type directive struct {
	Namespace  string     `json:"Namespace"`
	Dimensions [][]string `json:"Dimensions"`
	Metrics    []metric   `json:"Metrics"`
}

type metric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// EMF returns the attributes that make a JSON log line an EMF document of the operation's
// metrics: the "_aws" metadata, the operation dimension and each value, as top-level members.
func EMF(operation string, at time.Time, values ...Value) []slog.Attr {
	d := directive{Namespace: Namespace, Dimensions: [][]string{{"operation"}}}
	attrs := []slog.Attr{{}, slog.String("operation", operation)}
	for _, v := range values {
		d.Metrics = append(d.Metrics, metric{Name: v.Name, Unit: v.Unit})
		attrs = append(attrs, slog.Float64(v.Name, v.Value))
	}
	attrs[0] = slog.Any("_aws", emf{Timestamp: at.UnixMilli(), CloudWatchMetrics: []directive{d}})
	return attrs
}

// Value is one metric's value in an EMF line.
type Value struct {
	Name  string
	Unit  string // Count or Milliseconds
	Value float64
}

// Request returns the values of one API request.
func Request(status int, latency time.Duration) []Value {
	return []Value{
		{"Requests", "Count", 1},
		{"Errors4xx", "Count", flag(status >= 400 && status < 500)},
		{"Errors5xx", "Count", flag(status >= 500)},
		{"Latency", "Milliseconds", float64(latency.Microseconds()) / 1000},
	}
}

// Retention returns the values of one run of the retention of personal data: how many
// reporters it erased, and whether it failed.
func Retention(erased int, failed bool) []Value {
	return []Value{{"PersonalDataErased", "Count", float64(erased)}, {"RetentionFailed", "Count", flag(failed)}}
}

// Site returns the values of one run of the site's publisher: how many pages it wrote, and
// whether it failed.
func Site(written int, failed bool) []Value {
	return []Value{{"SitePublished", "Count", float64(written)}, {"SiteFailed", "Count", flag(failed)}}
}

// Export returns the values of one run of the open data export: how many requests it wrote,
// and whether it failed.
func Export(requests int, failed bool) []Value {
	return []Value{{"OpenDataExported", "Count", float64(requests)}, {"ExportFailed", "Count", flag(failed)}}
}

// Batch returns the values of one feed-builder batch.
func Batch(written, skipped, failed int, age time.Duration) []Value {
	return []Value{
		{"FeedsWritten", "Count", float64(written)},
		{"FeedsSkipped", "Count", float64(skipped)},
		{"FeedsFailed", "Count", float64(failed)},
		{"BatchAge", "Milliseconds", float64(age.Milliseconds())},
	}
}

func flag(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Counters keeps the same metrics in memory, for a long-running server. It is safe for
// concurrent use; the zero value is ready.
type Counters struct {
	mu       sync.Mutex
	requests map[[2]string]float64 // operation, status class
	latency  map[string]*histogram
	feeds    map[string]float64 // written, skipped, failed
	websub   map[string]float64 // by WebSubOutcomes
}

// WebSubOutcomes are what the local WebSub hub counts: subscription requests verified or
// refused by their subscriber, deliveries delivered, retried, given up on after their last
// attempt, and subscribers gone (410).
var WebSubOutcomes = []string{"delivered", "given_up", "gone", "refused", "retried", "verified"}

// latencyBuckets are the upper bounds of the latency histogram, in seconds.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

type histogram struct {
	counts []float64 // per bucket, not cumulative
	sum    float64
	count  float64
}

// Request counts one API request.
func (c *Counters) Request(operation string, status int, latency time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.requests == nil {
		c.requests, c.latency = map[[2]string]float64{}, map[string]*histogram{}
	}
	c.requests[[2]string{operation, strconv.Itoa(status/100) + "xx"}]++
	h := c.latency[operation]
	if h == nil {
		h = &histogram{counts: make([]float64, len(latencyBuckets))}
		c.latency[operation] = h
	}
	s := latency.Seconds()
	if i, _ := slices.BinarySearch(latencyBuckets, s); i < len(latencyBuckets) {
		h.counts[i]++
	}
	h.sum += s
	h.count++
}

// Feeds counts feeds refreshed: written, skipped (unchanged) and failed.
func (c *Counters) Feeds(written, skipped, failed int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.feeds == nil {
		c.feeds = map[string]float64{}
	}
	c.feeds["written"] += float64(written)
	c.feeds["skipped"] += float64(skipped)
	c.feeds["failed"] += float64(failed)
}

// WebSub counts one event of the WebSub hub, one of WebSubOutcomes.
func (c *Counters) WebSub(outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.websub == nil {
		c.websub = map[string]float64{}
	}
	c.websub[outcome]++
}

// WritePrometheus writes the counters in Prometheus' text exposition format (version 0.0.4).
func (c *Counters) WritePrometheus(w io.Writer) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	b.WriteString("# HELP open311_requests_total API requests answered, by operation and status class.\n")
	b.WriteString("# TYPE open311_requests_total counter\n")
	keys := make([][2]string, 0, len(c.requests))
	for k := range c.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return strings.Compare(a[0]+" "+a[1], b[0]+" "+b[1]) })
	for _, k := range keys {
		fmt.Fprintf(&b, "open311_requests_total{operation=%q,status=%q} %v\n", k[0], k[1], c.requests[k])
	}
	b.WriteString("# HELP open311_request_duration_seconds Time to answer an API request, by operation.\n")
	b.WriteString("# TYPE open311_request_duration_seconds histogram\n")
	ops := make([]string, 0, len(c.latency))
	for op := range c.latency {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	for _, op := range ops {
		h := c.latency[op]
		cum := 0.0
		for i, le := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "open311_request_duration_seconds_bucket{operation=%q,le=%q} %v\n", op, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(&b, "open311_request_duration_seconds_bucket{operation=%q,le=\"+Inf\"} %v\n", op, h.count)
		fmt.Fprintf(&b, "open311_request_duration_seconds_sum{operation=%q} %v\n", op, h.sum)
		fmt.Fprintf(&b, "open311_request_duration_seconds_count{operation=%q} %v\n", op, h.count)
	}
	b.WriteString("# HELP open311_feeds_total Feeds refreshed, by outcome (written, skipped when unchanged, failed).\n")
	b.WriteString("# TYPE open311_feeds_total counter\n")
	for _, outcome := range []string{"failed", "skipped", "written"} {
		fmt.Fprintf(&b, "open311_feeds_total{outcome=%q} %v\n", outcome, c.feeds[outcome])
	}
	b.WriteString("# HELP open311_websub_total The WebSub hub's verifications and deliveries, by outcome.\n")
	b.WriteString("# TYPE open311_websub_total counter\n")
	for _, outcome := range WebSubOutcomes {
		fmt.Fprintf(&b, "open311_websub_total{outcome=%q} %v\n", outcome, c.websub[outcome])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CheckEMF reports whether a log line is an EMF document CloudWatch takes (the structure its
// specification requires): a JSON object whose "_aws" member has a Timestamp in milliseconds and
// CloudWatchMetrics directives, each with a Namespace, Dimensions whose every name is a member
// holding a string, and Metrics whose every name is a member holding a number, with a unit
// CloudWatch knows; at most 100 metrics and 30 dimensions.
func CheckEMF(line []byte) error {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(line, &doc); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	var meta struct {
		Timestamp         *int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	}
	raw, ok := doc["_aws"]
	if !ok {
		return fmt.Errorf("no _aws member")
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return fmt.Errorf("_aws: %w", err)
	}
	if meta.Timestamp == nil || *meta.Timestamp < 1e12 {
		return fmt.Errorf("_aws.Timestamp is not a time in milliseconds")
	}
	if len(meta.CloudWatchMetrics) == 0 {
		return fmt.Errorf("no CloudWatchMetrics directive")
	}
	units := map[string]bool{"Count": true, "Milliseconds": true, "Seconds": true, "Bytes": true, "None": true}
	for _, d := range meta.CloudWatchMetrics {
		if d.Namespace == "" {
			return fmt.Errorf("a directive without a Namespace")
		}
		for _, set := range d.Dimensions {
			if len(set) > 30 {
				return fmt.Errorf("more than 30 dimensions in a set")
			}
			for _, name := range set {
				var v string
				if err := json.Unmarshal(doc[name], &v); err != nil {
					return fmt.Errorf("dimension %q is not a string member", name)
				}
			}
		}
		if len(d.Metrics) == 0 || len(d.Metrics) > 100 {
			return fmt.Errorf("%d metrics in a directive, want 1 to 100", len(d.Metrics))
		}
		for _, m := range d.Metrics {
			var v float64
			if err := json.Unmarshal(doc[m.Name], &v); err != nil {
				return fmt.Errorf("metric %q is not a number member", m.Name)
			}
			if !units[m.Unit] {
				return fmt.Errorf("metric %q has unit %q", m.Name, m.Unit)
			}
		}
	}
	return nil
}
