// Package world gives a test the golden test world (package apitest) on the embedded store: a
// bbolt file in the test's temporary folder, seeded and closed with the test. It is apart from
// apitest, which the end-to-end build of the Lambda functions links, so that no function ever
// links the embedded store.
package world

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/store/bolt"
)

// Store returns an embedded store holding the test world, closed when the test ends.
func Store(t testing.TB) *bolt.Store {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "world.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := apitest.Seed(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return st
}
