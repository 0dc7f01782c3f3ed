package deploy_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/e2e"
)

// venvPython finds the python3 of one of the virtualenvs `make aws-tools` fills ($HOME/.venvs/
// aws-tools, which has the SAM translator, or $HOME/.venvs/checkov), or the path in envVar.
// Without it the test skips with one line saying how to install it, except under CI.
func venvPython(t *testing.T, venv, envVar string) string {
	t.Helper()
	if p := os.Getenv(envVar); p != "" {
		return p
	}
	var dirs []string
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".venvs", venv, "bin"))
	}
	p, err := e2e.LookPath("python3", dirs)
	if err == nil {
		return p
	}
	msg := "~/.venvs/" + venv + " not found: make aws-tools (installs it, pinned by hash)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// accepted is a row of docs/security.md's table of accepted checkov findings: a check, the
// logical ids it is accepted for ("*": wherever checkov reports it), and why.
type accepted struct {
	check     string
	resources []string
	why       string
}

// acceptedRow matches | `CKV_AWS_116` | * | why |.
var acceptedRow = regexp.MustCompile("(?m)^\\| `(CKV2?_[A-Z]+_\\d+)` \\| ([^|]+) \\| ([^|]+) \\|$")

// acceptedFindings reads docs/security.md's table.
func acceptedFindings(t *testing.T) []accepted {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []accepted
	for _, m := range acceptedRow.FindAllStringSubmatch(string(data), -1) {
		var ids []string
		for _, id := range strings.Split(m[2], ",") {
			ids = append(ids, strings.Trim(strings.TrimSpace(id), "`"))
		}
		out = append(out, accepted{m[1], ids, strings.TrimSpace(m[3])})
	}
	if len(out) == 0 {
		t.Fatal("docs/security.md has no table of accepted checkov findings (| `CKV_...` | resources | why |)")
	}
	return out
}

// finding is one failed check of checkov's JSON report.
type finding struct {
	Check    string `json:"check_id"`
	Name     string `json:"check_name"`
	Resource string `json:"resource"` // AWS::Lambda::Function.GetRequestFunction
}

// TestCheckov runs checkov (infra/checkov/run.py: the pinned checkov, with its Globals fix)
// offline, with its download of online guidelines off (--skip-download), on template.yaml and on
// the template SAM transforms it into (infra/aws-tools/transform.py, the SAM CLI's translator):
// every finding must be one docs/security.md accepts, with why, and every accepted one must still
// be found (a fixed finding leaves the table). The transformed template must also have no role
// but the template's own, and no managed policy: SAM generated and attached nothing.
func TestCheckov(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("checkov takes seconds")
	}
	samPython := venvPython(t, "aws-tools", "SAM_PYTHON")
	checkovPython := venvPython(t, "checkov", "CHECKOV_PYTHON")
	dir := t.TempDir()

	transformed := filepath.Join(dir, "transformed.json")
	cmd := exec.Command(samPython, "infra/aws-tools/transform.py", "template.yaml")
	cmd.Dir = root
	cmd.Env = append(cleanEnv(), "AWS_DEFAULT_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("transform.py: %v\n%s", err, stderrOf(err))
	}
	if err := os.WriteFile(transformed, out, 0o600); err != nil {
		t.Fatal(err)
	}
	checkTransformedRoles(t, out)

	ok := acceptedFindings(t)
	used := make([]bool, len(ok))
	for _, file := range []string{"template.yaml", transformed} {
		report, code := run(t, []string{"LOG_LEVEL=WARNING"},
			checkovPython, "infra/checkov/run.py", "--skip-download", "--framework", "cloudformation",
			"--quiet", "--compact", "--output", "json", "--file", file)
		// checkov exits 1 when a check fails, other than 0 or 1 when it could not run.
		if code != 0 && code != 1 {
			t.Fatalf("checkov %s: exit %d\n%s", file, code, report)
		}
		// Anything it logs comes first; the report is the JSON object that ends the output.
		start := strings.Index(report, "{\n")
		var r struct {
			Results struct {
				Failed []finding `json:"failed_checks"`
			} `json:"results"`
			Summary struct {
				ParsingErrors int `json:"parsing_errors"`
			} `json:"summary"`
		}
		if start < 0 || json.Unmarshal([]byte(report[start:]), &r) != nil {
			t.Fatalf("checkov %s: no JSON report:\n%s", file, report)
		}
		if r.Summary.ParsingErrors != 0 {
			t.Errorf("checkov %s: %d parsing errors", file, r.Summary.ParsingErrors)
		}
		name := filepath.Base(file)
		var lines []string
		for _, f := range r.Results.Failed {
			id := f.Resource[strings.LastIndex(f.Resource, ".")+1:]
			i := slices.IndexFunc(ok, func(a accepted) bool {
				return a.check == f.Check && (slices.Contains(a.resources, "*") || slices.Contains(a.resources, id))
			})
			if i < 0 {
				t.Errorf("checkov %s: %s %s (%s) is not accepted in docs/security.md: fix it, or accept it there with why", name, f.Check, f.Resource, f.Name)
				continue
			}
			used[i] = true
			lines = append(lines, f.Check+" "+f.Resource)
		}
		sort.Strings(lines)
		t.Logf("checkov %s: %d failed checks, all accepted in docs/security.md:\n%s", name, len(lines), strings.Join(slices.Compact(lines), "\n"))
	}
	for i, a := range ok {
		if !used[i] {
			t.Errorf("docs/security.md accepts %s on %v, which checkov no longer finds: take it out of the table", a.check, a.resources)
		}
	}
}

// checkTransformedRoles checks the roles of the template SAM made: only the template's own.
func checkTransformedRoles(t *testing.T, transformed []byte) {
	t.Helper()
	var tpl map[string]any
	if err := json.Unmarshal(transformed, &tpl); err != nil {
		t.Fatalf("transformed template: %v", err)
	}
	own := readTemplate(t)
	for id, r := range at(tpl, "Resources").(map[string]any) {
		if at(r, "Type") != "AWS::IAM::Role" {
			continue
		}
		if at(own, "Resources", id) == nil {
			t.Errorf("SAM generated the role %s: give its function a Role of the template", id)
		}
		if m := at(r, "Properties", "ManagedPolicyArns"); m != nil {
			t.Errorf("role %s has managed policies %v after the transform", id, m)
		}
	}
}

// stderrOf returns what a failed command wrote to stderr.
func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
