package awstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// InstallCommand installs moto for the tests (from the repository's root).
const InstallCommand = "python3 -m pip install -r infra/moto/requirements.txt"

// probe is run by python3: it prints the folders the interpreter imports from (the user's site
// folder even when it does not exist yet) and whether moto's server can be imported as
// serve.py imports it, as one JSON line, never a traceback.
const probe = `
import json, site, sys
dirs = list(sys.path)
try:
    dirs.append(site.getusersitepackages())
except Exception:
    pass
err = ""
try:
    import importlib.util
    if importlib.util.find_spec("moto") is None:
        err = "missing"
    else:
        import moto.moto_server.werkzeug_app, werkzeug.serving
except Exception as e:
    err = "%s: %s" % (type(e).__name__, e)
print(json.dumps({"dirs": dirs, "error": err}))
`

// pythonEnv are the variables that change where python3 imports from: read here so that go
// test's cache, which records what a test binary reads of its environment, sees them change.
var pythonEnv = []string{"PATH", "HOME", "PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONNOUSERSITE", "PYTHONSAFEPATH", "VIRTUAL_ENV"}

// cachedModules are the packages whose installation changes the look-up's answer.
var cachedModules = []string{"moto", "werkzeug", "flask"}

var (
	lookOnce sync.Once
	lookPy   string
	lookErr  error
)

// motoPython returns the python3 that serves moto, once per test binary.
func motoPython() (string, error) {
	lookOnce.Do(func() { lookPy, _, lookErr = lookUp(exec.LookPath) })
	return lookPy, lookErr
}

// lookUp finds python3 with lookPath (exec.LookPath: on PATH) and asks it whether moto's server is installed. It also stats
// <folder>/<module>/__init__.py for every folder python3 imports from and each of
// cachedModules: go test records those stats as inputs of the test binary, so installing moto
// (or removing it) makes the next go test run the tests again instead of answering from its
// cache. It returns the files it stat'ed; errors are one line that ends with what to run.
func lookUp(lookPath func(string) (string, error)) (python string, stated []string, err error) {
	for _, k := range pythonEnv {
		os.Getenv(k)
	}
	py, err := lookPath("python3")
	if err != nil {
		return "", nil, fmt.Errorf("python3 is not on PATH, and moto needs it: install Python 3, then %s", InstallCommand)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(py, "-c", probe)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", nil, fmt.Errorf("%s fails to run the moto probe (%v): %s", py, err, lastLine(stderr.String()))
	}
	var answer struct {
		Dirs  []string `json:"dirs"`
		Error string   `json:"error"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &answer); err != nil {
		return "", nil, fmt.Errorf("%s answered %q to the moto probe: %v", py, firstLine(stdout.String()), err)
	}
	for _, d := range answer.Dirs {
		if d == "" || !filepath.IsAbs(d) {
			continue // the working folder: nothing installs moto there
		}
		for _, m := range cachedModules {
			name := filepath.Join(d, m, "__init__.py")
			_, _ = os.Stat(name)
			stated = append(stated, name)
		}
	}
	switch answer.Error {
	case "":
		return py, stated, nil
	case "missing":
		return "", stated, fmt.Errorf("moto is not installed for %s: %s", py, InstallCommand)
	}
	return "", stated, fmt.Errorf("moto's server does not import for %s (%s): %s", py, firstLine(answer.Error), InstallCommand)
}

// lastLine returns the last non-empty line of s, trimmed: the exception of a traceback.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// firstLine returns the first non-empty line of s, trimmed.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}
