package e2e_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/photo/phototest"
)

// BenchmarkPostRequestFirstInvoke measures post-request's first invoke (a cold start: the
// process starts, reads the jurisdictions, the service and the key, asks KMS for a data key,
// and writes) under the Lambda emulator against moto, for a report without a photo and with a
// 12-megapixel phone JPEG (2.9 MB: checked, cleaned, fully decoded, put in S3). Each iteration
// is a fresh world, its setup not timed. docs/benchmarks.md has the figures:
//
//	go test ./pkg/e2e -run XXX -bench BenchmarkPostRequestFirstInvoke -benchtime 5x
func BenchmarkPostRequestFirstInvoke(b *testing.B) {
	jpeg := phototest.JPEG(4000, 3000, 6)
	for _, c := range []struct {
		name   string
		report apitest.Case
	}{
		{"no photo", apitest.PhotoReport("tree", nil)},
		{"12MP photo", apitest.PhotoReport("tree", jpeg)},
	} {
		b.Run(c.name, func(b *testing.B) {
			var total time.Duration
			for range b.N {
				b.StopTimer()
				w := newWorldOf(b, []string{api.OpPostRequest}, []string{"40000001"}, nil)
				b.StartTimer()
				start := time.Now()
				_, status, _, body, err := w.send(b, c.report)
				total += time.Since(start)
				if err != nil || status != http.StatusOK {
					b.Fatalf("%d %s, %v", status, body, err)
				}
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/first-invoke")
		})
	}
}
