package e2e_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/e2e"
)

// install writes an executable stand-in for the emulator at dir/aws-lambda-rie.
func install(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, e2e.RIE)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFindRIE finds the emulator where `go install` puts it with Go's defaults (GOBIN unset,
// GOPATH unset or set, GOPATH/bin not on PATH), in GOBIN when set, in what `go env -w` wrote,
// and on PATH; and names the install command when it is nowhere.
func TestFindRIE(t *testing.T) {
	for _, tc := range []struct {
		name string
		// setup makes the stand-in (or not) under home and returns the environment to look up
		// with and the path FindRIE must return ("" when it must fail).
		setup func(t *testing.T, home string) (env map[string]string, want string)
	}{
		{"GOBIN and GOPATH unset: $HOME/go/bin", func(t *testing.T, home string) (map[string]string, string) {
			return nil, install(t, filepath.Join(home, "go", "bin"))
		}},
		{"GOBIN unset: the first GOPATH entry's bin", func(t *testing.T, home string) (map[string]string, string) {
			first, second := filepath.Join(home, "gp1"), filepath.Join(home, "gp2")
			return map[string]string{"GOPATH": first + string(os.PathListSeparator) + second},
				install(t, filepath.Join(first, "bin"))
		}},
		{"only in the second GOPATH entry, where go install never writes", func(t *testing.T, home string) (map[string]string, string) {
			first, second := filepath.Join(home, "gp1"), filepath.Join(home, "gp2")
			install(t, filepath.Join(second, "bin"))
			return map[string]string{"GOPATH": first + string(os.PathListSeparator) + second}, ""
		}},
		{"GOBIN set", func(t *testing.T, home string) (map[string]string, string) {
			install(t, filepath.Join(home, "go", "bin")) // not where go install writes when GOBIN is set
			gobin := filepath.Join(home, "tools")
			return map[string]string{"GOBIN": gobin}, install(t, gobin)
		}},
		{"GOBIN from go env -w", func(t *testing.T, home string) (map[string]string, string) {
			gobin := filepath.Join(home, "mybin")
			envFile := filepath.Join(home, "goenv")
			if err := os.WriteFile(envFile, []byte("GOPROXY=off\nGOBIN="+gobin+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return map[string]string{"GOENV": envFile}, install(t, gobin)
		}},
		{"on PATH", func(t *testing.T, home string) (map[string]string, string) {
			dir := filepath.Join(home, "onpath")
			return map[string]string{"PATH": dir}, install(t, dir)
		}},
		{"not executable", func(t *testing.T, home string) (map[string]string, string) {
			p := install(t, filepath.Join(home, "go", "bin"))
			if err := os.Chmod(p, 0o644); err != nil {
				t.Fatal(err)
			}
			return nil, ""
		}},
		{"nowhere", func(t *testing.T, home string) (map[string]string, string) { return nil, "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			// Go's defaults on a fresh machine: nothing set, GOPATH/bin not on PATH.
			t.Setenv("HOME", home)
			t.Setenv("XDG_CONFIG_HOME", "")
			t.Setenv("GOENV", "")
			t.Setenv("GOBIN", "")
			t.Setenv("GOPATH", "")
			t.Setenv("PATH", filepath.Join(home, "empty"))
			env, want := tc.setup(t, home)
			for k, v := range env {
				t.Setenv(k, v)
			}
			got, err := e2e.FindRIE()
			switch {
			case want == "" && err == nil:
				t.Errorf("found %s, want none", got)
			case want == "" && !strings.Contains(err.Error(), e2e.InstallRIE):
				t.Errorf("error %q does not say how to install it (%s)", err, e2e.InstallRIE)
			case want != "" && (err != nil || got != want):
				t.Errorf("got %q, %v; want %s", got, err, want)
			}
		})
	}
}

// probeEnv, when set, makes TestFindRIEFollowsInstall the probe it runs in a go test of its own:
// it only reports what FindRIE finds.
const probeEnv = "OPEN311_TEST_FIND_RIE_PROBE"

// TestFindRIEFollowsInstall runs `go test` of a test that looks the emulator up (this test, as
// the probe), with Go's defaults (GOBIN unset, GOPATH/bin not on PATH), before and after
// installing it into GOPATH/bin: the second run must run the probe again and find it, not
// replay the cached result of the first. Go's test cache replays a result only while the
// environment variables, files and folders the test consulted are unchanged.
func TestFindRIEFollowsInstall(t *testing.T) {
	if os.Getenv(probeEnv) != "" {
		p, err := e2e.FindRIE()
		t.Logf("found %q, %v", p, err)
		return
	}
	if testing.Short() {
		t.Skip("runs go test twice")
	}
	home := t.TempDir()
	gopath := filepath.Join(home, "go")
	goTest := func() string {
		cmd := exec.Command("go", "test", "-run", "^TestFindRIEFollowsInstall$", "-v", ".")
		cmd.Env = append(os.Environ(), probeEnv+"=1", "HOME="+home, "GOPATH="+gopath, "GOBIN=",
			"GOENV=off", "PATH="+filepath.Dir(goCommand(t)),
			// The module and build caches of this run, so nothing is downloaded or rebuilt.
			"GOMODCACHE="+goEnvValue(t, "GOMODCACHE"), "GOCACHE="+goEnvValue(t, "GOCACHE"), "GOFLAGS=-mod=mod", "GOPROXY=off")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go test: %v\n%s", err, out)
		}
		return string(out)
	}
	before := goTest()
	if !strings.Contains(before, "is not installed") {
		t.Fatalf("before installing, the probe found something:\n%s", before)
	}
	p := install(t, filepath.Join(gopath, "bin"))
	after := goTest()
	if strings.Contains(after, "(cached)") || !strings.Contains(after, `found "`+p+`"`) {
		t.Errorf("after installing into %s, go test answered:\n%s", p, after)
	}
}

func goCommand(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func goEnvValue(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}
