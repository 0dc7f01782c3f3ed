package deploy_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestGoToolchain checks go.mod's toolchain line: an exact Go release, the one builds use (an
// older local Go fetches it, as GOTOOLCHAIN=auto does), not older than the go line, which says
// the least a build needs. go mod tidy drops a toolchain line equal to the go line, so the go
// line is the language version's first release.
func TestGoToolchain(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)\.(\d+)$`).FindStringSubmatch(string(data))
	toolchain := regexp.MustCompile(`(?m)^toolchain go(\d+)\.(\d+)\.(\d+)$`).FindStringSubmatch(string(data))
	if goLine == nil || toolchain == nil {
		t.Fatalf("go.mod: want a go line of a release (go 1.26.0) and a toolchain line of one (toolchain go1.26.8):\n%s", data)
	}
	if goLine[1] != toolchain[1] || goLine[2] != toolchain[2] || len(toolchain[3]) < len(goLine[3]) ||
		len(toolchain[3]) == len(goLine[3]) && toolchain[3] <= goLine[3] {
		t.Errorf("go.mod: toolchain go%s.%s.%s is not a later release of go %s.%s.%s", toolchain[1], toolchain[2], toolchain[3], goLine[1], goLine[2], goLine[3])
	}
}

// pinned is a requirement line of a pip-compile output: name==version (name[extras]==version
// where a dependency asks for extras: pip's hash mode refuses the extras' requirement as
// unpinned otherwise, as soon as a newer version than the pin is published), its hashes on the
// lines that follow.
var pinned = regexp.MustCompile(`(?m)^([A-Za-z0-9._-]+)(?:\[[a-z0-9,._-]+\])?==(\S+)((?: \\\n\s+--hash=sha256:[0-9a-f]{64})*)`)

// TestPythonToolsPinnedByHash checks that every Python tool is installed from a requirements.txt
// that pins each package, dependencies included, to a version and its hashes (pip-compile
// --generate-hashes of the requirements.in beside it, whose pins it keeps), and that everything
// that installs one (.ci/run, the Makefile) makes pip refuse anything else (--require-hashes).
func TestPythonToolsPinnedByHash(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(root, "infra", "*", "requirements.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Errorf("requirements files %v, want moto's, the AWS tools' and checkov's", files)
	}
	for _, file := range files {
		rel, _ := filepath.Rel(root, file)
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		versions := map[string]string{}
		for _, m := range pinned.FindAllStringSubmatch(string(data), -1) {
			name := strings.ToLower(m[1])
			versions[name] = m[2]
			if m[3] == "" {
				t.Errorf("%s: %s==%s has no --hash", rel, m[1], m[2])
			}
		}
		for _, line := range strings.Split(string(data), "\n") {
			if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, " ") {
				continue
			}
			if !pinned.MatchString(line+" \\\n    --hash=sha256:"+strings.Repeat("0", 64)) || strings.HasPrefix(line, "-") {
				t.Errorf("%s: %q is not a package pinned with ==", rel, line)
			}
		}
		in, err := os.ReadFile(strings.TrimSuffix(file, ".txt") + ".in")
		if err != nil {
			t.Errorf("%s: %v (the top-level pins pip-compile starts from)", rel, err)
			continue
		}
		for _, m := range regexp.MustCompile(`(?m)^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==(\S+)`).FindAllStringSubmatch(string(in), -1) {
			if got := versions[strings.ToLower(m[1])]; got != m[2] {
				t.Errorf("%s pins %s==%s, the .in %s: run make requirements", rel, m[1], got, m[2])
			}
		}
	}

	for _, name := range []string{".ci/run", "Makefile"} {
		data, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		installs := 0
		for _, line := range strings.Split(string(data), "\n") {
			if !strings.Contains(line, "pip") || !strings.Contains(line, " install ") || strings.Contains(line, "pip-tools") ||
				strings.HasPrefix(strings.TrimSpace(line), "#") || strings.HasPrefix(strings.TrimSpace(line), "stage ") {
				continue
			}
			installs++
			if !strings.Contains(line, "--require-hashes") || !regexp.MustCompile(`-r \S*requirements\.txt`).MatchString(line) {
				t.Errorf("%s: %q installs without --require-hashes -r <requirements.txt>", name, strings.TrimSpace(line))
			}
		}
		if installs == 0 {
			t.Errorf("%s installs no Python tool", name)
		}
	}
}
