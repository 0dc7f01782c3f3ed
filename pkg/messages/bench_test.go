package messages_test

import (
	"testing"

	"github.com/civicworks/open311/pkg/messages"
)

// BenchmarkTranslateText translates the summaries a feed writes again and again (one known,
// one short, one unknown), as the feed builder does for every entry of a feed in another
// language:
//
//	go test ./pkg/messages -run '^$' -bench .
func BenchmarkTranslateText(b *testing.B) {
	for b.Loop() {
		messages.TranslateText("es", "Status: open → assigned. Assigned to Parks Department. Expected by 2026-11-05T17:00:00-05:00.")
		messages.TranslateText("es", "Comment.")
		messages.TranslateText("es", "Something unknown here. And more.")
	}
}
