package deploy_test

import (
	"fmt"
	"testing"

	"github.com/civicworks/open311/pkg/gateway"
)

// TestCORSMatchesTheLocalStacks checks that the HTTP API's CorsConfiguration, with its default
// parameters, is pkg/gateway's Default, which the local server and the emulated stack answer
// with: a browser app meets the same CORS on one machine as on AWS.
func TestCORSMatchesTheLocalStacks(t *testing.T) {
	t.Parallel()
	tpl := readTemplate(t)
	cors := at(tpl, "Resources", "HttpApi", "Properties", "CorsConfiguration")
	ref, _ := at(cors, "AllowOrigins", "Ref").(string)
	got := fmt.Sprint(at(tpl, "Parameters", ref, "Default"), at(cors, "AllowMethods"), at(cors, "AllowHeaders"), at(cors, "MaxAge"))
	d := gateway.Default
	want := fmt.Sprint(d.AllowOrigins[0], toAny(d.AllowMethods), toAny(d.AllowHeaders), d.MaxAge)
	if got != want {
		t.Errorf("template CORS (origins, methods, headers, max age) %s, gateway.Default %s", got, want)
	}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
