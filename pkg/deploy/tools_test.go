package deploy_test

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/e2e"
)

// tool finds a command: the path in the environment variable envVar, the virtualenv that
// `make aws-tools` fills ($HOME/.venvs/aws-tools/bin), or PATH. Without it the test skips, except
// under CI (CI set), where everything must run. The look-up is e2e.LookPath's, so installing the
// tools makes the next go test run the tests that skipped.
func tool(t *testing.T, name, envVar string) string {
	t.Helper()
	if p := os.Getenv(envVar); envVar != "" && p != "" {
		return p
	}
	var dirs []string
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".venvs", "aws-tools", "bin"))
	}
	p, err := e2e.LookPath(name, append(dirs, e2e.PathDirs()...))
	if err == nil {
		return p
	}
	msg := name + " not found: make aws-tools (the pinned cfn-lint and SAM CLI in ~/.venvs/aws-tools)"
	if name == "make" {
		msg = "make not found: install make (on Debian or Ubuntu, apt-get install make)"
	}
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// run runs a command in the repository root, returning its combined output and exit code.
func run(t *testing.T, env []string, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = root
	cmd.Env = append(cleanEnv(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return out.String(), exit.ExitCode()
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out.String(), 0
}

// cleanEnv is the environment without the variables that would change what make builds or
// prints: those of a make that runs the tests (make test sets MAKELEVEL, and a sub-make then
// prints "Entering directory" lines).
func cleanEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return slices.Contains([]string{"GOARCH", "GOOS", "CGO_ENABLED", "ARTIFACTS_DIR", "BUILD_DIR",
			"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "MAKE_TERMOUT", "MAKE_TERMERR"}, k)
	})
}

const goBuild = `go build -tags lambda.norpc -trimpath -ldflags "-s -w"`

// TestMakefile checks, without building, the commands that sam build and make bootstraps run.
func TestMakefile(t *testing.T) {
	t.Parallel()
	mk := tool(t, "make", "MAKE")
	for id, op := range makeTargets(t) {
		out, code := run(t, nil, mk, "-n", "build-"+id, "ARTIFACTS_DIR=/artifacts")
		want := "CGO_ENABLED=0 GOOS=linux GOARCH=arm64 " + goBuild + " -o /artifacts/bootstrap ./functions/" + op
		if code != 0 || strings.TrimSpace(out) != want {
			t.Errorf("make -n build-%s: exit %d\n%s\nwant\n%s", id, code, out, want)
		}
	}
	out, code := run(t, nil, mk, "-n", "bootstraps", "GOARCH=amd64", "BUILD_DIR=/b")
	if code != 0 {
		t.Fatalf("make -n bootstraps: exit %d\n%s", code, out)
	}
	var want []string
	for _, op := range functionNames() {
		want = append(want, "CGO_ENABLED=0 GOOS=linux GOARCH=amd64 "+goBuild+" -o /b/"+op+"/bootstrap ./functions/"+op)
	}
	got := strings.Split(strings.TrimSpace(out), "\n")
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("make -n bootstraps GOARCH=amd64:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCfnLint runs cfn-lint on the template: errors fail, warnings are shown.
func TestCfnLint(t *testing.T) {
	t.Parallel()
	lint := tool(t, "cfn-lint", "CFN_LINT")
	version, _ := run(t, nil, lint, "--version")
	out, code := run(t, nil, lint, "template.yaml")
	// cfn-lint's exit code is a bit set: 2 errors, 4 warnings, 8 informational; others mean it failed.
	switch {
	case code&2 != 0 || code&^(2|4|8) != 0:
		t.Errorf("%s: exit %d\n%s", strings.TrimSpace(version), code, out)
	case code&4 != 0:
		t.Logf("%s: warnings\n%s", strings.TrimSpace(version), out)
	}
}

// TestSamValidate runs sam validate --lint, offline: no credentials, no telemetry.
func TestSamValidate(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("sam validate takes seconds")
	}
	sam := tool(t, "sam", "SAM")
	env := []string{"SAM_CLI_TELEMETRY=0", "AWS_DEFAULT_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true"}
	out, code := run(t, env, sam, "validate", "--lint", "--template", "template.yaml", "--region", "us-east-1")
	if code != 0 || !strings.Contains(out, "is a valid SAM Template") {
		t.Errorf("sam validate --lint: exit %d\n%s", code, out)
	}
}

// TestSamBuild runs sam build, offline, into a temporary folder and checks that every function's
// artifact is the linux/arm64 bootstrap of its own functions/<operation>.
func TestSamBuild(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("sam build compiles every function")
	}
	sam := tool(t, "sam", "SAM")
	dir := t.TempDir()
	env := []string{"SAM_CLI_TELEMETRY=0", "AWS_DEFAULT_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true"}
	// --parallel overrides samconfig.toml's parallel = false: the same targets, built at once.
	out, code := run(t, env, sam, "build", "--parallel", "--template", "template.yaml",
		"--build-dir", filepath.Join(dir, "build"), "--cache-dir", filepath.Join(dir, "cache"))
	if code != 0 {
		t.Fatalf("sam build: exit %d\n%s", code, out)
	}
	for id, op := range makeTargets(t) {
		bin := filepath.Join(dir, "build", id, "bootstrap")
		info, err := buildinfo.ReadFile(bin)
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		want := "github.com/civicworks/open311/functions/" + op
		if info.Path != want || settings["GOOS"] != "linux" || settings["GOARCH"] != "arm64" ||
			settings["CGO_ENABLED"] != "0" || settings["-tags"] != "lambda.norpc" || settings["-trimpath"] != "true" {
			t.Errorf("%s: built %s with %v, want %s for linux/arm64, static, lambda.norpc, trimmed", id, info.Path, settings, want)
		}
		// -trimpath keeps -ldflags out of the build info; "-s" shows as the missing symbol table.
		f, err := elf.Open(bin)
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		if f.Section(".symtab") != nil || f.Machine != elf.EM_AARCH64 {
			t.Errorf("%s: machine %v, symbol table %v: want a stripped arm64 binary", id, f.Machine, f.Section(".symtab") != nil)
		}
		f.Close()
	}
}
