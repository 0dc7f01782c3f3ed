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

var (
	lookOnce sync.Once
	lookPy   string
	lookErr  error
)

// motoPython returns the python3 that serves moto, once per test binary.
func motoPython() (string, error) {
	lookOnce.Do(func() { lookPy, lookErr = lookUp(exec.LookPath, observe) })
	return lookPy, lookErr
}

// lookUp finds python3 with lookPath (exec.LookPath: on PATH) and asks it whether moto's server
// is installed. It hands the folders python3 imports from to observe, which makes them inputs of
// the test binary for go test's cache, so that installing moto (or removing it) makes the next
// go test run the tests again instead of answering from its cache. Its errors are one line that
// says what to run.
func lookUp(lookPath func(string) (string, error), observe func(dirs []string)) (python string, err error) {
	for _, k := range pythonEnv {
		os.Getenv(k)
	}
	py, err := lookPath("python3")
	if err != nil {
		return "", fmt.Errorf("python3 is not on PATH, and moto needs it: install Python 3, then %s", InstallCommand)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(py, "-c", probe)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s fails to run the moto probe (%v): %s", py, err, lastLine(stderr.String()))
	}
	var answer struct {
		Dirs  []string `json:"dirs"`
		Error string   `json:"error"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &answer); err != nil {
		return "", fmt.Errorf("%s answered %q to the moto probe: %v", py, firstLine(stdout.String()), err)
	}
	var dirs []string
	for _, d := range answer.Dirs {
		if d != "" && filepath.IsAbs(d) { // not the working folder: nothing installs moto there
			dirs = append(dirs, d)
		}
	}
	observe(dirs)
	switch answer.Error {
	case "":
		return py, nil
	case "missing":
		return "", fmt.Errorf("moto is not installed for %s: %s", py, InstallCommand)
	}
	return "", fmt.Errorf("moto's server does not import for %s (%s): %s", py, firstLine(answer.Error), InstallCommand)
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

// existingAncestors returns, for each of dirs, the folder itself or, when it does not exist,
// its nearest ancestor that does (where installing would create it), each once.
func existingAncestors(dirs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range dirs {
		for d = filepath.Clean(d); ; d = filepath.Dir(d) {
			if info, err := os.Stat(d); err == nil && info.IsDir() {
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}
