// Package demo is the demo city both local stacks start with (the local server, infra/local,
// and the Lambda functions under the emulator, infra/emulate): the repository's demo catalog
// file, a few requests to show, and how to find the repository from wherever a command runs.
package demo

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Module is the path of this repository's Go module.
const Module = "github.com/civicworks/open311"

// CatalogFile is the demo catalog, relative to the repository's root: one jurisdiction and
// seven services covering every attribute datatype.
const CatalogFile = "infra/catalog/demo.json"

// ErrNoRepository is returned by Root when dir is not inside the repository.
var ErrNoRepository = errors.New("not inside the open311 repository (no go.mod of module " + Module + " in it or above it)")

// Root returns the repository's root folder: dir or the nearest folder above it holding the
// go.mod of this module. It lets a command started in a subfolder (go run . in infra/local)
// find the files its defaults name.
func Root(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find the repository: %w", err)
	}
	for {
		if isModuleRoot(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoRepository
		}
		dir = parent
	}
}

// isModuleRoot reports whether the go.mod file at path declares this module.
func isModuleRoot(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`) == Module
		}
	}
	return false
}
