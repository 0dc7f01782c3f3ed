package demo

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestRoot(t *testing.T) {
	want, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{".", "../..", "../local", "../../pkg/api/testdata"} {
		if got, err := Root(dir); err != nil || got != want {
			t.Errorf("Root(%s) = %s, %v; want %s", dir, got, err, want)
		}
	}
	// A go.mod of another module does not count.
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Root(other); !errors.Is(err, ErrNoRepository) {
		t.Errorf("Root of another module: %v", err)
	}
	if _, err := os.Stat(filepath.Join(want, filepath.FromSlash(CatalogFile))); err != nil {
		t.Errorf("CatalogFile: %v", err)
	}
}
