package metrics_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/civicworks/open311/pkg/metrics"
)

// TestEMFLine logs a request's line with the EMF attributes through the JSON handler the
// functions use, and reads it back as CloudWatch would.
func TestEMFLine(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	at := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)
	log.LogAttrs(t.Context(), slog.LevelInfo, "request", append([]slog.Attr{slog.Int("status", 503)},
		metrics.EMF("get-request", at, metrics.Request(503, 1500*time.Microsecond)...)...)...)
	if err := metrics.CheckEMF(buf.Bytes()); err != nil {
		t.Fatalf("%v:\n%s", err, buf.Bytes())
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"operation": "get-request", "Requests": 1.0, "Errors4xx": 0.0, "Errors5xx": 1.0, "Latency": 1.5}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	aws := got["_aws"].(map[string]any)
	if aws["Timestamp"] != float64(at.UnixMilli()) {
		t.Errorf("Timestamp %v", aws["Timestamp"])
	}
	d := aws["CloudWatchMetrics"].([]any)[0].(map[string]any)
	if d["Namespace"] != "Open311" || len(d["Metrics"].([]any)) != 4 {
		t.Errorf("directive %v", d)
	}
	// A line without its numbers is refused.
	if err := metrics.CheckEMF([]byte(`{"_aws":{"Timestamp":1764626400000,"CloudWatchMetrics":[{"Namespace":"Open311","Dimensions":[["operation"]],"Metrics":[{"Name":"Requests","Unit":"Count"}]}]},"operation":"x"}`)); err == nil {
		t.Error("CheckEMF took a line without the metric's value")
	}
}

// TestPrometheus reads the counters back with Prometheus' own text parser.
func TestPrometheus(t *testing.T) {
	var c metrics.Counters
	c.Request("get-request", 200, 3*time.Millisecond)
	c.Request("get-request", 404, 40*time.Millisecond)
	c.Request("post-request", 201, 2*time.Second)
	c.Feeds(3, 1, 0)
	c.WebSub("delivered")
	c.WebSub("delivered")
	c.WebSub("given_up")
	var buf bytes.Buffer
	if err := c.WritePrometheus(&buf); err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatalf("%v:\n%s", err, buf.String())
	}
	requests := families["open311_requests_total"]
	if requests == nil || len(requests.Metric) != 3 {
		t.Fatalf("open311_requests_total: %v", requests)
	}
	h := families["open311_request_duration_seconds"]
	for _, m := range h.GetMetric() {
		if m.GetLabel()[0].GetValue() == "get-request" {
			hist := m.GetHistogram()
			if hist.GetSampleCount() != 2 || hist.GetBucket()[2].GetCumulativeCount() != 1 { // le=0.005
				t.Errorf("get-request histogram %v", hist)
			}
		}
	}
	if f := families["open311_feeds_total"]; f == nil || len(f.Metric) != 3 {
		t.Errorf("open311_feeds_total: %v", f)
	}
	ws := map[string]float64{}
	for _, m := range families["open311_websub_total"].GetMetric() {
		ws[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
	}
	if len(ws) != len(metrics.WebSubOutcomes) || ws["delivered"] != 2 || ws["given_up"] != 1 || ws["verified"] != 0 {
		t.Errorf("open311_websub_total: %v", ws)
	}
}
