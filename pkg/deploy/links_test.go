package deploy_test

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// photoFunctions are the HTTP API functions that store photos (a report's, an update's), and
// so link an S3 client (package awsrest) and decode photos in full.
var photoFunctions = []string{"post-request", "update-request", "post-request-update"}

// TestFunctionLinks checks that each kind of function links only what it uses (go list -deps of
// the Lambda build): an HTTP API function not the feed builder, and not the S3 SDK unless it
// stores photos (photoFunctions); the feed builder not the HTTP API. All share pkg/lambdaenv.
func TestFunctionLinks(t *testing.T) {
	t.Parallel()
	const module = "github.com/civicworks/open311"
	cmd := exec.Command("go", "list", "-tags", "lambda.norpc", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "./functions/...")
	cmd.Dir = root
	cmd.Env = append(cleanEnv(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		fn, deps := strings.TrimPrefix(fields[0], module+"/functions/"), fields[1:]
		has := func(prefix string) bool {
			for _, d := range deps {
				if d == prefix || strings.HasPrefix(d, prefix+"/") {
					return true
				}
			}
			return false
		}
		seen++
		if !has(module + "/pkg/lambdaenv") {
			t.Errorf("%s does not link pkg/lambdaenv, where every function reads its environment", fn)
		}
		// A function's credentials and region come from its environment (lambdaenv.AWSConfig):
		// the SDK's shared-config, SSO, assume-role and instance-metadata code is not linked.
		for _, p := range []string{"github.com/aws/aws-sdk-go-v2/config", "github.com/aws/aws-sdk-go-v2/service/sso",
			"github.com/aws/aws-sdk-go-v2/service/sts", "github.com/aws/aws-sdk-go-v2/feature/ec2/imds"} {
			if has(p) {
				t.Errorf("%s links %s, which a function never uses", fn, p)
			}
		}
		// The photo functions call S3 and CloudFront through package awsrest: none links the
		// SDK's S3 or CloudFront client (a megabyte and a quarter of one).
		for _, p := range []string{"github.com/aws/aws-sdk-go-v2/service/cloudfront", "github.com/aws/aws-sdk-go-v2/service/s3"} {
			if has(p) && fn != feedBuilder && fn != publishSite && fn != exportOpenData {
				t.Errorf("%s links %s; its S3 and CloudFront calls go through pkg/awsrest", fn, p)
			}
		}
		if fn == feedBuilder || fn == publishSite || fn == exportOpenData || fn == preview {
			if has(module + "/pkg/api") {
				t.Errorf("%s links pkg/api", fn)
			}
			if fn != feedBuilder && has(module+"/pkg/feedbuilder") {
				t.Errorf("%s links pkg/feedbuilder", fn)
			}
			if fn == publishSite && has(module+"/pkg/desk") {
				t.Errorf("%s links the desk, which it never uses", fn)
			}
			continue
		}
		for _, p := range []string{module + "/pkg/feedbuilder", module + "/pkg/feed/bucket"} {
			if has(p) {
				t.Errorf("%s links %s, which only the feed builder needs", fn, p)
			}
		}
		// Only the functions that take photos store them in S3 (pkg/media/bucket; update-request
		// also deletes those staff remove); the rest of the API stays lean.
		for _, p := range []string{module + "/pkg/awsrest", module + "/pkg/media/bucket"} {
			if want := slices.Contains(photoFunctions, fn); has(p) != want {
				t.Errorf("%s links %s: %v, want %v; only %v store photos", fn, p, has(p), want, photoFunctions)
			}
		}
	}
	if seen != len(functionNames()) {
		t.Errorf("go list found %d functions, want %d", seen, len(functionNames()))
	}
}
