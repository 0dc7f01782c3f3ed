//go:build e2e

package lambdaconfig

// This file is compiled only with the build tag e2e, which the end-to-end test (pkg/e2e) uses to
// build the function binaries it runs under the Lambda Runtime Interface Emulator. It makes a
// function answer exactly as TestGolden's handler does: when OPEN311_TEST_FIXED_CLOCK is set (an
// RFC 3339 time, apitest.Now), the API's clock stands still at that time, and request ids and
// batch tokens are handed out, in order, from the comma-separated lists OPEN311_TEST_IDS and
// OPEN311_TEST_TOKENS (apitest.IDs), counted per process. Without the variable the function
// behaves as in production.
//
// Production builds (make bootstraps, sam build) have no e2e tag, so this file is not linked
// into them; infra/bench checks that with go list -deps.

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
)

// The variables that turn the test clock and id lists on.
const (
	EnvTestFixedClock = "OPEN311_TEST_FIXED_CLOCK"
	EnvTestIDs        = "OPEN311_TEST_IDS"
	EnvTestTokens     = "OPEN311_TEST_TOKENS"
)

func init() { testOptions = fixedClock }

// fixedClock sets the golden test world's clock and id lists when EnvTestFixedClock is set.
func fixedClock(o *api.Options) error {
	v := os.Getenv(EnvTestFixedClock)
	if v == "" {
		return nil
	}
	now, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("lambdaconfig: %s is %q, want an RFC 3339 time: %w", EnvTestFixedClock, v, err)
	}
	o.Now = func() time.Time { return now }
	o.NewID = apitest.List(strings.FieldsFunc(os.Getenv(EnvTestIDs), comma))
	o.NewToken = apitest.List(strings.FieldsFunc(os.Getenv(EnvTestTokens), comma))
	return nil
}

func comma(r rune) bool { return r == ',' }
