package retention_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/metrics"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/retention"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/bolt"
)

// TestHandleLogsMetrics checks the run's one log line: an EMF document CloudWatch takes, with
// PersonalDataErased counting what the run erased and RetentionFailed 0.
func TestHandleLogsMetrics(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "open311.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := t.Context()
	now := time.Date(2026, 12, 2, 3, 30, 0, 0, time.UTC)
	if err := st.PutJurisdiction(ctx, open311.Jurisdiction{ID: "city.example.org", Name: "City"}); err != nil {
		t.Fatal(err)
	}
	old := now.Add(-500 * 24 * time.Hour)
	r := open311.Request{ID: "R1", JurisdictionID: "city.example.org", ServiceCode: "pothole", Status: open311.Open,
		Requested: old, Updated: old, Version: 1, ReporterSealed: []byte("f1sealed")}
	if err := st.CreateRequest(ctx, r, r.Created()); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateRequest(ctx, st, r.JurisdictionID, r.ID, func(r *open311.Request) ([]open311.Activity, error) {
		closed := open311.Closed
		return (open311.Change{Status: &closed}).Apply(r, nil, "staff", old.Add(time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h := &retention.Handler{Store: st, Days: 365, Now: func() time.Time { return now },
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)), EMF: true}
	res, err := h.Handle(ctx, map[string]any{"detail-type": "Scheduled Event"})
	if err != nil || res.Erased != 1 || res.Cutoff != "2025-12-02T03:30:00Z" {
		t.Fatalf("Handle = %+v, %v; want 1 erased before 2025-12-02T03:30:00Z", res, err)
	}
	var line []byte
	for _, l := range bytes.Split(bytes.TrimSpace(logs.Bytes()), []byte("\n")) {
		if bytes.Contains(l, []byte(`"msg":"retention"`)) {
			line = l
		}
	}
	if line == nil {
		t.Fatalf("no run line in %s", logs.String())
	}
	if err := metrics.CheckEMF(line); err != nil {
		t.Errorf("the run's line is no EMF document: %v\n%s", err, line)
	}
	var got map[string]any
	if err := json.Unmarshal(line, &got); err != nil {
		t.Fatal(err)
	}
	if got["PersonalDataErased"] != 1.0 || got["RetentionFailed"] != 0.0 || got["operation"] != "retention" {
		t.Errorf("metrics %v, want PersonalDataErased 1, RetentionFailed 0 of operation retention", got)
	}
	if strings.Contains(logs.String(), "f1sealed") {
		t.Error("the log holds the sealed reporter")
	}
}
