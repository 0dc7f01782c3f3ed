// Command testrun runs go test and ends with one line saying what passed, what failed and what
// was skipped and why, with the command that installs each missing stand-in:
//
//	go run ./infra/testrun [go test flags] [packages]     (default ./...; make test runs it)
//
// It runs `go test -json` with the arguments given and prints what go test would have printed
// (with -v, every line; without, the ok/FAIL line of each package and the output of failed
// tests), on stderr a line naming what still runs whenever nothing was printed for a while,
// and at the end the summary:
//
//	testrun: 31 packages ok; 402 tests passed, 14 skipped: 11 need moto (python3 -m pip install -r infra/moto/requirements.txt), 3 need aws-lambda-rie (go install ...)
//
// Its exit status is go test's. `go test ./...` stays the way to run the tests; this only adds
// the summary that plain go test never shows.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprintln(os.Stderr, "usage: go run ./infra/testrun [go test flags] [packages]  (default ./...)")
		os.Exit(2)
	}
	os.Exit(run(args, os.Stdout, os.Stderr, 30*time.Second))
}

// run runs go test -json with args and returns its exit status.
func run(args []string, stdout, stderr io.Writer, quiet time.Duration) int {
	if !hasPackages(args) {
		args = append(args, "./...")
	}
	cmd := exec.Command("go", append([]string{"test", "-json"}, args...)...)
	cmd.Stderr = stderr
	events, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(stderr, "testrun:", err)
		return 1
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(stderr, "testrun: start go test:", err)
		return 1
	}
	r := newReport(stdout, stderr, verbose(args))
	done := make(chan struct{})
	go r.progress(quiet, done)
	if err := r.read(events); err != nil {
		fmt.Fprintln(stderr, "testrun: read go test -json:", err)
	}
	close(done)
	err = cmd.Wait()
	fmt.Fprintln(stdout, r.summary())
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	default:
		fmt.Fprintln(stderr, "testrun:", err)
		return 1
	}
}

// hasPackages reports whether args name packages (anything after the flags that is not a
// flag's value); a lone flag list means go test's own default, the current folder, which is
// rarely what one wants here, so ./... is added.
func hasPackages(args []string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-args" {
			return i > 0
		}
		if !strings.HasPrefix(a, "-") {
			return true
		}
		if !strings.Contains(a, "=") && takesValue(strings.TrimLeft(a, "-")) {
			i++
		}
	}
	return false
}

// takesValue reports whether a go test flag given without "=" takes the next argument.
func takesValue(name string) bool {
	switch name {
	case "v", "short", "failfast", "json", "race", "cover", "x", "n", "a", "benchmem", "fullpath", "trimpath":
		return false
	}
	return true
}

// verbose reports whether -v is among the arguments.
func verbose(args []string) bool {
	for _, a := range args {
		if a == "-v" || a == "--v" || a == "-v=true" || a == "-test.v" {
			return true
		}
	}
	return false
}

// event is one line of go test -json (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string // build-output and build-fail
	Test       string
	Output     string
}

// testKey names a test of a package.
type testKey struct{ pkg, test string }

// report follows the events of a run and prints what go test would.
type report struct {
	stdout, stderr io.Writer
	verbose        bool

	mu       sync.Mutex
	printed  time.Time             // when a line was last printed
	running  map[testKey]time.Time // tests and packages (test "") started and not ended
	output   map[testKey][]string  // lines of tests that have not ended
	failed   map[string][]string   // per package, the lines of its failed tests, in order
	passed   int
	skipped  []skip
	cached   map[string]bool // packages whose result go test replayed from its cache
	pkgOK    int
	pkgFail  []string
	pkgNoTst int
}

// skip is a skipped test and why.
type skip struct {
	key    testKey
	reason string // the skip message, without its file:line prefix
}

func newReport(stdout, stderr io.Writer, verbose bool) *report {
	return &report{stdout: stdout, stderr: stderr, verbose: verbose, printed: time.Now(),
		running: map[testKey]time.Time{}, output: map[testKey][]string{}, failed: map[string][]string{}, cached: map[string]bool{}}
}

func (r *report) print(s string) {
	fmt.Fprint(r.stdout, s)
	r.printed = time.Now()
}

// read handles every event of go test -json's output.
func (r *report) read(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// Not an event (go test prints some errors this way): pass it on.
			r.mu.Lock()
			r.print(sc.Text() + "\n")
			r.mu.Unlock()
			continue
		}
		r.mu.Lock()
		r.handle(e)
		r.mu.Unlock()
	}
	return sc.Err()
}

func (r *report) handle(e event) {
	k := testKey{e.Package, e.Test}
	switch e.Action {
	case "build-output":
		r.print(e.Output)
	case "start":
		r.running[k] = time.Now()
	case "run":
		r.running[k] = time.Now()
	case "output":
		if r.verbose {
			r.print(e.Output)
			if e.Test != "" {
				r.output[k] = append(r.output[k], e.Output)
			}
			return
		}
		if e.Test == "" {
			if e.Output != "PASS\n" && e.Output != "FAIL\n" && !strings.HasPrefix(e.Output, "=== ") {
				if strings.HasPrefix(e.Output, "ok") && strings.Contains(e.Output, "(cached)") {
					r.cached[e.Package] = true
				}
				if strings.HasPrefix(e.Output, "FAIL") || strings.HasPrefix(e.Output, "ok") {
					r.print(strings.Join(r.failed[e.Package], ""))
					delete(r.failed, e.Package)
				}
				r.print(e.Output)
			}
			return
		}
		if !strings.HasPrefix(e.Output, "=== ") {
			r.output[k] = append(r.output[k], e.Output)
		}
	case "pass", "fail", "skip":
		delete(r.running, k)
		lines := r.output[k]
		delete(r.output, k)
		if e.Test == "" {
			switch {
			case e.Action == "fail":
				r.pkgFail = append(r.pkgFail, e.Package)
			case e.Action == "skip":
				r.pkgNoTst++ // no test files
			default:
				r.pkgOK++
			}
			return
		}
		switch e.Action {
		case "pass":
			r.passed++
		case "fail":
			r.failed[e.Package] = append(r.failed[e.Package], lines...)
		case "skip":
			r.skipped = append(r.skipped, skip{key: k, reason: skipReason(lines)})
		}
	}
}

// skipReason returns the message of a skipped test: its output lines other than the
// "--- SKIP" line, without the file:line prefix of the first.
func skipReason(lines []string) string {
	var msg []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		msg = append(msg, t)
	}
	s := strings.Join(msg, " ")
	if i := strings.Index(s, ": "); i > 0 && strings.Contains(s[:i], ".go:") && !strings.Contains(s[:i], " ") {
		s = s[i+2:]
	}
	return s
}

// progress prints, on stderr, what still runs whenever nothing was printed for quiet.
func (r *report) progress(quiet time.Duration, done <-chan struct{}) {
	if r.verbose || quiet <= 0 {
		return
	}
	start := time.Now()
	tick := time.NewTicker(quiet / 6)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		r.mu.Lock()
		if time.Since(r.printed) >= quiet {
			fmt.Fprintf(r.stderr, "testrun: %s, still running: %s\n", time.Since(start).Round(time.Second), r.runningNow())
			r.printed = time.Now()
		}
		r.mu.Unlock()
	}
}

// runningNow names the packages that run, each with its longest-running test.
func (r *report) runningNow() string {
	longest := map[string]testKey{}
	since := map[string]time.Time{}
	for k, t := range r.running {
		cur, ok := longest[k.pkg]
		if !ok || (cur.test == "" && k.test != "") || (k.test != "" && t.Before(since[k.pkg])) {
			longest[k.pkg], since[k.pkg] = k, t
		}
	}
	var parts []string
	for _, pkg := range slices.Sorted(maps.Keys(longest)) {
		k := longest[pkg]
		s := pkg
		if k.test != "" {
			s += " " + k.test + " (" + time.Since(since[pkg]).Round(time.Second).String() + ")"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "building"
	}
	return strings.Join(parts, "; ")
}

// summary is the last line: packages, tests, and what was skipped, grouped by what is missing
// with the command that installs it.
func (r *report) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "testrun: %s ok", plural(r.pkgOK, "package"))
	if len(r.pkgFail) > 0 {
		fmt.Fprintf(&b, ", %d FAILED (%s)", len(r.pkgFail), strings.Join(r.pkgFail, ", "))
	}
	fmt.Fprintf(&b, "; %s passed, %d skipped", plural(r.passed, "test"), len(r.skipped))
	if len(r.skipped) == 0 {
		return b.String()
	}
	type group struct {
		why string
		n   int
	}
	var groups []*group
	byWhy := map[string]*group{}
	for _, s := range r.skipped {
		why := explain(s.reason)
		g, ok := byWhy[why]
		if !ok {
			g = &group{why: why}
			byWhy[why] = g
			groups = append(groups, g)
		}
		g.n++
	}
	slices.SortStableFunc(groups, func(a, b *group) int { return b.n - a.n })
	var parts []string
	for _, g := range groups {
		verb := "need"
		if g.n == 1 {
			verb = "needs"
		}
		parts = append(parts, fmt.Sprintf("%d %s", g.n, strings.Replace(g.why, "need ", verb+" ", 1)))
	}
	b.WriteString(": " + strings.Join(parts, ", "))
	replayed := 0
	for _, s := range r.skipped {
		if r.cached[s.key.pkg] {
			replayed++
		}
	}
	if replayed > 0 {
		fmt.Fprintf(&b, " (%d of these skips replayed from go test's cache: after installing, go test -count=1 ./... runs them again)", replayed)
	}
	return b.String()
}

// standIn is a tool some tests need, recognised by what their skip messages say.
type standIn struct {
	says    []string // any of these in a skip message
	name    string
	install string // the command that installs it (the README's)
}

// standIns are the stand-ins and tools whose absence makes tests skip, with the README's
// command for each.
var standIns = []standIn{
	{[]string{"aws-lambda-rie"}, "aws-lambda-rie", "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(cat infra/rie/version)"},
	{[]string{"moto"}, "moto", "python3 -m pip install -r infra/moto/requirements.txt"},
	{[]string{"sam not found", "cfn-lint not found", "make aws-tools"}, "the SAM CLI and cfn-lint", "make aws-tools"},
	{[]string{"needs chromium"}, "chromium", "apt-get install -y chromium"},
	{[]string{"make not found"}, "make", "apt-get install make, or your system's package manager"},
	{[]string{"python3 not found"}, "python3", "install Python 3 with venv and pip"},
}

// explain says why a test skipped: the stand-in it needs and the command that installs it, or
// its own message (shortened) for any other reason.
func explain(reason string) string {
	for _, s := range standIns {
		for _, w := range s.says {
			if strings.Contains(reason, w) {
				return "need " + s.name + " (" + s.install + ")"
			}
		}
	}
	if len(reason) > 100 {
		reason = reason[:97] + "..."
	}
	if reason == "" {
		reason = "no reason given"
	}
	return "for another reason (" + reason + ")"
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
