package e2e

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// RIE is the command name of the Lambda Runtime Interface Emulator.
const RIE = "aws-lambda-rie"

// InstallRIE is the command that installs the pinned emulator, run in the repository's root.
const InstallRIE = "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(cat infra/rie/version)"

// FindRIE returns the path of the emulator: on PATH, or where `go install` puts it (GOBIN, else
// the bin folder of GOPATH's first entry, by default $HOME/go/bin, which is not on PATH unless
// one puts it there). Its error says how to install it.
func FindRIE() (string, error) {
	p, err := FindGoTool(RIE)
	if err != nil {
		return "", fmt.Errorf("%w (%s)", err, InstallRIE)
	}
	return p, nil
}

// FindGoTool returns the path of a command installed with `go install`: on PATH, else in the
// folder go install writes to (GoInstallDir).
func FindGoTool(name string) (string, error) {
	dirs := PathDirs()
	if dir, err := GoInstallDir(); err == nil {
		dirs = append(dirs, dir)
	}
	return LookPath(name, dirs)
}

// PathDirs returns the folders of PATH, in order, without empty entries.
func PathDirs() []string {
	var dirs []string
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// LookPath returns the path of the executable file name in the first of dirs that holds one.
//
// Everything it consults it reads in this process (never through a `go env` subprocess), and
// when name is in none of dirs while a test runs, it makes each folder an input of the test in
// Go's test cache, so that installing the command makes the next `go test` run the test again
// instead of replaying its cached skip. The test cache records the environment variables a test
// reads, but not the files it stats outside its module; it does record, by their modification
// time, the folders a test changes into. So LookPath changes into each folder (or the nearest
// existing parent of a missing one) and back: installing a command changes that folder's time.
func LookPath(name string, dirs []string) (string, error) {
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	Observe(dirs)
	return "", fmt.Errorf("%s is not installed: not in %s", name, strings.Join(dirs, string(os.PathListSeparator)))
}

// Observe makes folders inputs of the running test in Go's test cache (see LookPath): it
// changes into each folder (or its nearest existing parent) and back, which the test log
// records with the folder's modification time, so that installing something into one of them
// makes the next go test run the test again. Outside a test it does nothing.
func Observe(dirs []string) {
	if !testing.Testing() {
		return
	}
	wd, err := os.Getwd()
	if err != nil {
		return
	}
	defer os.Chdir(wd) //nolint:errcheck // back where the test was; nothing to do if it fails
	for _, d := range dirs {
		for {
			if os.Chdir(d) == nil {
				break
			}
			parent := filepath.Dir(d)
			if parent == d {
				break
			}
			d = parent
		}
	}
}

// GoInstallDir returns the folder `go install` writes commands to: GOBIN when set, else the bin
// folder of the first entry of GOPATH. Each is taken from the environment when set there, else
// from the go command's environment file (GOENV, default $XDG_CONFIG_HOME/go/env or
// $HOME/.config/go/env, which `go env -w` writes), and GOPATH defaults to $HOME/go.
func GoInstallDir() (string, error) {
	file := goEnvFile()
	if gobin := goEnv("GOBIN", file); gobin != "" {
		return gobin, nil
	}
	gopath := goEnv("GOPATH", file)
	if gopath == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", errors.New("neither GOBIN nor GOPATH is set, and there is no home folder for the default GOPATH")
		}
		gopath = filepath.Join(home, "go")
	}
	return filepath.Join(filepath.SplitList(gopath)[0], "bin"), nil
}

// goEnv returns a variable of the go command's configuration: the environment's value when not
// empty, else its last value in the environment file's contents (as cmd/go's cfg.Getenv reads
// them).
func goEnv(key string, file []byte) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	v := ""
	for line := range strings.SplitSeq(string(file), "\n") {
		if val, ok := strings.CutPrefix(line, key+"="); ok {
			v = val
		}
	}
	return v
}

// goEnvFile returns the contents of the go command's environment file, if there is one.
func goEnvFile() []byte {
	path := os.Getenv("GOENV")
	switch path {
	case "off":
		return nil
	case "":
		dir, err := os.UserConfigDir()
		if err != nil {
			return nil
		}
		path = filepath.Join(dir, "go", "env")
	}
	b, _ := os.ReadFile(path)
	return b
}
