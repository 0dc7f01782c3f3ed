// Package retention is the scheduled Lambda function that keeps reporters' personal data no
// longer than the jurisdiction's policy: once a day (an EventBridge schedule) it erases the
// reporter of every request closed more than PERSONAL_DATA_RETENTION_DAYS days ago (package
// personal's Sweep) and writes one log line that is also its metrics (EMF: PersonalDataErased,
// RetentionFailed).
package retention

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/civicworks/open311/pkg/lambdaenv"
	"github.com/civicworks/open311/pkg/metrics"
	"github.com/civicworks/open311/pkg/personal"
)

// EnvRetentionDays names the variable holding how many days after closing a request keeps its
// reporter (0: for ever).
const EnvRetentionDays = "PERSONAL_DATA_RETENTION_DAYS"

// Handler runs the sweep on each invocation.
type Handler struct {
	Store  personal.Store
	Days   int
	Now    func() time.Time
	Logger *slog.Logger
	// EMF makes the run's log line a CloudWatch Embedded Metric Format document.
	EMF bool
}

// Result is what an invocation answers: how many reporters it erased.
type Result struct {
	Erased int    `json:"erased"`
	Cutoff string `json:"closed_before,omitempty"`
	// More says the run stopped near its timeout with requests still due: the next run goes on.
	More bool `json:"more,omitempty"`
}

// Handle sweeps once. The event (the schedule's) is not read: every run does the same.
func (h *Handler) Handle(ctx context.Context, _ any) (Result, error) {
	start := h.Now()
	swept, err := personal.Sweep(ctx, h.Store, time.Duration(h.Days)*24*time.Hour, start, h.Logger)
	attrs := []slog.Attr{slog.Int("erased", len(swept.Erased)), slog.Int("retention_days", h.Days), slog.Bool("more", swept.More)}
	if h.EMF {
		attrs = append(attrs, metrics.EMF("retention", start, metrics.Retention(len(swept.Erased), err != nil)...)...)
	}
	level, msg := slog.LevelInfo, "retention"
	if err != nil {
		level, msg = slog.LevelError, "retention failed"
		attrs = append(attrs, slog.String("err", err.Error()))
	}
	h.Logger.LogAttrs(ctx, level, msg, attrs...)
	res := Result{Erased: len(swept.Erased), More: swept.More}
	if !swept.Cutoff.IsZero() {
		res.Cutoff = swept.Cutoff.UTC().Format(time.RFC3339)
	}
	return res, err
}

// Main is the whole of the function's main: the handler from the environment (lambdaenv.Load
// and PERSONAL_DATA_RETENTION_DAYS), served until Lambda stops the process.
func Main() {
	env, err := lambdaenv.Load(context.Background())
	if err != nil {
		lambdaenv.Exit("retention", err)
	}
	days, err := personal.ParseDays(os.Getenv(EnvRetentionDays))
	if err != nil {
		lambdaenv.Exit("retention", fmt.Errorf("%s: %w", EnvRetentionDays, err))
	}
	h := &Handler{Store: env.Store(), Days: days, Now: time.Now, Logger: env.Logger, EMF: true}
	lambda.Start(h.Handle)
}
