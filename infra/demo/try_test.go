package demo

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/open311"
)

// commands returns the curl commands of a text, each as its words with quotes removed and
// continuation lines joined, comments dropped.
func commands(text string) []string {
	text = strings.ReplaceAll(text, "\\\n", " ")
	var out []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "curl ") {
			continue
		}
		line, _, _ = strings.Cut(line, " #")
		line = strings.NewReplacer("'", "", `"`, "").Replace(line)
		out = append(out, strings.Join(strings.Fields(line), " "))
	}
	return out
}

// TestREADMEExamples checks that the local stacks print the README's examples: the same curl
// commands, with the keys and a request's id filled in.
func TestREADMEExamples(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	if i := strings.Index(section, "## The local server"); i >= 0 {
		section = section[i:]
	}
	if i := strings.Index(section, "\n## Tests"); i >= 0 {
		section = section[:i]
	}
	var b bytes.Buffer
	Try{Base: "http://127.0.0.1:8080", ReporterKey: "$KEY", StaffKey: "$STAFF", RequestID: "$ID",
		Jurisdictions: []open311.Jurisdiction{{ID: "city.example.org"}}}.Print(&b)
	want, got := commands(section), commands(b.String())
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("the printed examples are not the README's:\nprinted:\n%s\nREADME:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
