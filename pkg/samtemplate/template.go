// Package samtemplate reads template.yaml, the AWS SAM template of the deployment, in the JSON
// form CloudFormation gives it: maps, lists and scalars, and the short-form intrinsic functions
// (!Ref X, !GetAtt A.B, !Sub s, ...) as their long form ({"Ref": X}, {"Fn::GetAtt": [A, B]},
// {"Fn::Sub": s}). It applies SAM's Globals to each function, finds each function's execution
// role and its IAM statements, and evaluates those statements (iam.go) for the tests that check
// the template against what the code does: pkg/deploy (the template alone) and pkg/e2e (the
// calls each function makes under the Lambda emulator).
package samtemplate

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Template is a CloudFormation template in its JSON form.
type Template map[string]any

// Read reads and parses a template file.
func Read(path string) (Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse parses a template in YAML (or JSON, which is YAML).
func Parse(data []byte) (Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	v, err := value(&doc)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the template is not a mapping")
	}
	return m, nil
}

// value turns a YAML node into the value of its JSON form.
func value(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return value(n.Content[0])
	case yaml.AliasNode:
		return value(n.Alias)
	}
	custom := strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!")
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			val, err := value(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		v = m
	case yaml.SequenceNode:
		list := []any{}
		for _, c := range n.Content {
			val, err := value(c)
			if err != nil {
				return nil, err
			}
			list = append(list, val)
		}
		v = list
	case yaml.ScalarNode:
		if custom {
			v = n.Value
		} else if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
	}
	if !custom {
		return v, nil
	}
	name := strings.TrimPrefix(n.Tag, "!")
	if name == "Ref" || name == "Condition" {
		return map[string]any{name: v}, nil
	}
	if s, ok := v.(string); ok && name == "GetAtt" {
		a, b, _ := strings.Cut(s, ".")
		v = []any{a, b}
	}
	return map[string]any{"Fn::" + name: v}, nil
}

// At walks a path of map keys, returning nil where it does not lead.
func At(v any, keys ...string) any {
	if t, ok := v.(Template); ok {
		v = map[string]any(t)
	}
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// List returns v as a list: a lone value is a list of one, nothing an empty list.
func List(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// Merge applies SAM's Globals rules: maps merge key by key, lists are concatenated, and
// otherwise the function's own value wins. An intrinsic function is a value, not a map: the
// function's own replaces the global one.
func Merge(global, local any) any {
	switch g := global.(type) {
	case map[string]any:
		l, ok := local.(map[string]any)
		if !ok || Intrinsic(g) || Intrinsic(l) {
			break
		}
		out := map[string]any{}
		for k, v := range g {
			out[k] = v
		}
		for k, v := range l {
			if gv, ok := g[k]; ok {
				out[k] = Merge(gv, v)
			} else {
				out[k] = v
			}
		}
		return out
	case []any:
		if l, ok := local.([]any); ok {
			return append(slices.Clone(g), l...)
		}
	}
	if local == nil {
		return global
	}
	return local
}

// Intrinsic reports whether m is an intrinsic function, as SAM tells: a map of one key, Ref,
// Condition or Fn::*.
func Intrinsic(m map[string]any) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// Resource returns a resource of the template: its type and its properties (nil when the
// template has no such resource).
func (t Template) Resource(id string) (typ string, props map[string]any) {
	r := At(t, "Resources", id)
	typ, _ = At(r, "Type").(string)
	props, _ = At(r, "Properties").(map[string]any)
	return typ, props
}

// Function is an AWS::Serverless::Function of the template.
type Function struct {
	ID       string
	Props    map[string]any // with Globals.Function applied
	Metadata map[string]any
}

// Functions returns the template's functions ordered by logical id, Globals applied.
func (t Template) Functions() []Function {
	resources, _ := t["Resources"].(map[string]any)
	var fns []Function
	for id, r := range resources {
		if At(r, "Type") != "AWS::Serverless::Function" {
			continue
		}
		props, _ := Merge(At(t, "Globals", "Function"), At(r, "Properties")).(map[string]any)
		meta, _ := At(r, "Metadata").(map[string]any)
		fns = append(fns, Function{ID: id, Props: props, Metadata: meta})
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].ID < fns[j].ID })
	return fns
}

// Role returns the logical id of the AWS::IAM::Role of the template that a function runs as
// (its Role property, !GetAtt R.Arn), or an error saying why there is none: a function
// without a Role gets one that SAM generates, with AWS managed policies attached, whose
// statements this package cannot know.
func (t Template) Role(fn Function) (string, error) {
	role := fn.Props["Role"]
	if role == nil {
		return "", fmt.Errorf("%s has no Role: SAM would generate one and attach its managed policies (AWSLambdaBasicExecutionRole and more) to it", fn.ID)
	}
	ga, _ := At(role, "Fn::GetAtt").([]any)
	if len(ga) != 2 || ga[1] != "Arn" {
		return "", fmt.Errorf("%s: Role is %v, want !GetAtt <a role of this template>.Arn", fn.ID, role)
	}
	id, _ := ga[0].(string)
	if typ, _ := t.Resource(id); typ != "AWS::IAM::Role" {
		return "", fmt.Errorf("%s: Role %s is %q, not an AWS::IAM::Role", fn.ID, id, typ)
	}
	return id, nil
}

// Statements returns the IAM statements of a role's inline policies, and an error when the
// role has anything this package cannot read: managed policies, a permissions boundary, a
// policy that is not inline.
func (t Template) Statements(roleID string) ([]Statement, error) {
	_, props := t.Resource(roleID)
	if props == nil {
		return nil, fmt.Errorf("no resource %s", roleID)
	}
	if m := props["ManagedPolicyArns"]; m != nil {
		return nil, fmt.Errorf("%s has ManagedPolicyArns %v: write the statements inline, so that tests can check them", roleID, m)
	}
	var stmts []Statement
	for _, pol := range List(props["Policies"]) {
		name, _ := At(pol, "PolicyName").(string)
		list, ok := At(pol, "PolicyDocument", "Statement").([]any)
		if !ok {
			return nil, fmt.Errorf("%s: policy %v has no Statement list", roleID, pol)
		}
		for i, s := range list {
			st, err := statement(s)
			if err != nil {
				return nil, fmt.Errorf("%s: policy %s, statement %d: %w", roleID, name, i, err)
			}
			st.Policy = name
			stmts = append(stmts, st)
		}
	}
	return stmts, nil
}

// makeTarget is a build-<LogicalId> target of the Makefile and the command under it.
var makeTarget = regexp.MustCompile(`(?m)^build-(\w+):.*\n\t(.*)$`)

// functionFolder is the package a build command ends in.
var functionFolder = regexp.MustCompile(`\./functions/([\w-]+)\s*$`)

// Folders maps each function's logical id to the folder under functions/ that the Makefile's
// build-<LogicalId> target builds (sam build runs that target for BuildMethod: makefile).
func Folders(makefile string) (map[string]string, error) {
	data, err := os.ReadFile(makefile)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, m := range makeTarget.FindAllStringSubmatch(string(data), -1) {
		dir := functionFolder.FindStringSubmatch(m[2])
		if dir == nil {
			return nil, fmt.Errorf("%s: build-%s does not end in ./functions/<operation>: %s", makefile, m[1], m[2])
		}
		out[m[1]] = dir[1]
	}
	return out, nil
}
