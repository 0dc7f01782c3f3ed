//go:build e2e

package lambdaconfig

// This file is compiled only with the build tag e2e, which the end-to-end test (pkg/e2e) uses to
// build the function binaries it runs under the Lambda Runtime Interface Emulator. It makes a
// function answer exactly as TestGolden's handler does: when OPEN311_TEST_FIXED_CLOCK is set (an
// RFC 3339 time, apitest.Now), the API's clock stands still at that time and request ids and
// batch tokens come from the golden sequences (apitest.Seq("2000"), apitest.Seq("TOKEN-")),
// counted per process. Without the variable the function behaves as in production.
//
// Production builds (make bootstraps, sam build) have no e2e tag, so neither this file nor
// package apitest is linked into them; infra/bench checks that with go list -deps.

import (
	"fmt"
	"os"
	"time"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
)

// EnvTestFixedClock names the variable that turns the test clock and id sequences on.
const EnvTestFixedClock = "OPEN311_TEST_FIXED_CLOCK"

func init() { testOptions = fixedClock }

// fixedClock sets the golden test world's clock and id sequences when EnvTestFixedClock is set.
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
	o.NewID = apitest.Seq("2000")
	o.NewToken = apitest.Seq("TOKEN-")
	return nil
}
