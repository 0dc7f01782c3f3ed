package samtemplate

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Statement is one IAM policy statement of a role of the template, its resources as the
// template writes them (strings or intrinsic functions, resolved by Bindings).
type Statement struct {
	Policy    string // the name of the role's inline policy it belongs to
	Sid       string
	Effect    string // Allow or Deny
	Actions   []string
	Resources []any
	// Condition maps an operator (StringLike, ForAllValues:StringLike, ...) to its condition
	// keys and their values.
	Condition map[string]map[string][]string
}

// statement reads a statement of a policy document; it refuses the elements it does not
// evaluate (NotAction, NotResource, Principal), so that nothing is silently misread.
func statement(v any) (Statement, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Statement{}, fmt.Errorf("not a mapping: %v", v)
	}
	for k := range m {
		switch k {
		case "Sid", "Effect", "Action", "Resource", "Condition":
		default:
			return Statement{}, fmt.Errorf("element %s is not one this package evaluates", k)
		}
	}
	s := Statement{Condition: map[string]map[string][]string{}}
	s.Sid, _ = m["Sid"].(string)
	s.Effect, _ = m["Effect"].(string)
	if s.Effect != "Allow" && s.Effect != "Deny" {
		return Statement{}, fmt.Errorf("the effect is %v, want Allow or Deny", m["Effect"])
	}
	for _, a := range List(m["Action"]) {
		a, ok := a.(string)
		if !ok {
			return Statement{}, fmt.Errorf("action %v is not a string", a)
		}
		s.Actions = append(s.Actions, a)
	}
	s.Resources = List(m["Resource"])
	if len(s.Actions) == 0 || len(s.Resources) == 0 {
		return Statement{}, fmt.Errorf("no Action or no Resource")
	}
	cond, _ := m["Condition"].(map[string]any)
	for op, keys := range cond {
		km, ok := keys.(map[string]any)
		if !ok {
			return Statement{}, fmt.Errorf("condition %s: %v is not a mapping", op, keys)
		}
		s.Condition[op] = map[string][]string{}
		for k, vals := range km {
			for _, v := range List(vals) {
				str, ok := v.(string)
				if !ok {
					return Statement{}, fmt.Errorf("condition %s %s: value %v is not a string", op, k, v)
				}
				s.Condition[op][k] = append(s.Condition[op][k], str)
			}
		}
	}
	return s, nil
}

// Bindings are the physical values of a deployment (or of a test standing for one) that the
// template's references stand for: Refs by logical id, parameter or pseudo parameter
// (AWS::Region), Attrs by "LogicalId.Attribute".
type Bindings struct {
	Refs  map[string]string
	Attrs map[string]string
}

// Bind gives every resource of the template a physical name and ARN as CloudFormation would in
// region and account: names gives the physical name of some resources (a table, a bucket), the
// others are named after their logical id. Tables get a StreamArn, log groups the ARN form
// Fn::GetAtt returns (ending in :*), queues a URL as their Ref.
func (t Template) Bind(region, account string, names map[string]string) Bindings {
	b := Bindings{
		Refs: map[string]string{"AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": "aws",
			"AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "open311"},
		Attrs: map[string]string{},
	}
	resources, _ := t["Resources"].(map[string]any)
	for id, r := range resources {
		name := names[id]
		if name == "" {
			name = "open311-" + id
		}
		b.Refs[id] = name
		var arn string
		switch At(r, "Type") {
		case "AWS::DynamoDB::Table":
			arn = fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", region, account, name)
			b.Attrs[id+".StreamArn"] = arn + "/stream/2026-01-01T00:00:00.000"
		case "AWS::S3::Bucket":
			arn = "arn:aws:s3:::" + name
		case "AWS::Logs::LogGroup":
			arn = fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:*", region, account, name)
		case "AWS::SQS::Queue":
			arn = fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, account, name)
			b.Refs[id] = fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", region, account, name)
		case "AWS::IAM::Role":
			arn = fmt.Sprintf("arn:aws:iam::%s:role/%s", account, name)
		case "AWS::KMS::Key":
			arn = fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, account, name)
		default:
			arn = fmt.Sprintf("arn:aws:%s:%s:%s:%s", strings.ToLower(strings.Split(fmt.Sprint(At(r, "Type")), "::")[1]), region, account, name)
		}
		b.Attrs[id+".Arn"] = arn
	}
	return b
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

// Resolve returns the string an intrinsic function (or a plain string) of the template stands
// for under b, or an error naming what b does not bind.
func (b Bindings) Resolve(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok {
			if s, ok := b.Refs[ref]; ok {
				return s, nil
			}
			return "", fmt.Errorf("the Ref of %s is not bound", ref)
		}
		if ga, ok := v["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
			k := fmt.Sprint(ga[0]) + "." + fmt.Sprint(ga[1])
			if s, ok := b.Attrs[k]; ok {
				return s, nil
			}
			return "", fmt.Errorf("GetAtt %s is not bound", k)
		}
		if sub, ok := v["Fn::Sub"]; ok {
			s, ok := sub.(string)
			if !ok {
				return "", fmt.Errorf("Fn::Sub with variables is not resolved here: %v", sub)
			}
			var err error
			out := subVar.ReplaceAllStringFunc(s, func(m string) string {
				name := m[2 : len(m)-1]
				if strings.HasPrefix(name, "!") {
					return "${" + name[1:] + "}"
				}
				var r string
				var e error
				if strings.Contains(name, ".") {
					a, at, _ := strings.Cut(name, ".")
					r, e = b.Resolve(map[string]any{"Fn::GetAtt": []any{a, at}})
				} else {
					r, e = b.Resolve(map[string]any{"Ref": name})
				}
				if e != nil && err == nil {
					err = e
				}
				return r
			})
			return out, err
		}
		if join, ok := v["Fn::Join"].([]any); ok && len(join) == 2 {
			sep, _ := join[0].(string)
			var parts []string
			for _, p := range List(join[1]) {
				s, err := b.Resolve(p)
				if err != nil {
					return "", err
				}
				parts = append(parts, s)
			}
			return strings.Join(parts, sep), nil
		}
	}
	return "", fmt.Errorf("cannot resolve %v", v)
}

// Request is what one API call asks IAM: an action on a resource, with the condition keys
// the service puts in the request context (dynamodb:LeadingKeys: the partition key values the
// call touches).
type Request struct {
	Action   string
	Resource string
	Context  map[string][]string
}

// Evaluate decides a request as IAM does with one identity policy: denied when a Deny statement
// matches, allowed when an Allow statement matches, denied otherwise (implicitly). It returns
// the index of the Allow statement that allows it, or -1; an error when a statement uses a
// condition operator or a resource this package cannot evaluate.
func Evaluate(stmts []Statement, b Bindings, req Request) (int, error) {
	allowed := -1
	for i, s := range stmts {
		ok, err := s.matches(b, req)
		if err != nil {
			return -1, err
		}
		if !ok {
			continue
		}
		if s.Effect == "Deny" {
			return -1, nil
		}
		if allowed < 0 {
			allowed = i
		}
	}
	return allowed, nil
}

// matches reports whether a statement applies to a request: one of its actions and one of
// its resources match, and every condition holds.
func (s Statement) matches(b Bindings, req Request) (bool, error) {
	action := false
	for _, a := range s.Actions {
		if Like(strings.ToLower(a), strings.ToLower(req.Action)) {
			action = true
			break
		}
	}
	if !action {
		return false, nil
	}
	resource := false
	for _, r := range s.Resources {
		pat, err := b.Resolve(r)
		if err != nil {
			return false, err
		}
		if Like(pat, req.Resource) {
			resource = true
			break
		}
	}
	if !resource {
		return false, nil
	}
	for op, keys := range s.Condition {
		for key, want := range keys {
			ok, err := condition(op, want, req.Context[key])
			if err != nil {
				return false, fmt.Errorf("%s %s: %w", op, key, err)
			}
			if !ok {
				return false, nil
			}
		}
	}
	return true, nil
}

// condition evaluates one condition operator on the request's values of its key (nil when the
// request has no such key), as IAM does: a single-valued operator is false for a missing key,
// ForAllValues true (every one of no values matches), ForAnyValue false.
func condition(op string, want, got []string) (bool, error) {
	qualifier, base, ok := strings.Cut(op, ":")
	if !ok {
		qualifier, base = "", op
	}
	var match func(pattern, value string) bool
	switch strings.TrimSuffix(base, "IfExists") {
	case "StringEquals":
		match = func(p, v string) bool { return p == v }
	case "StringLike":
		match = Like
	case "Null":
		if len(want) != 1 || qualifier != "" {
			return false, fmt.Errorf("want one value, true or false")
		}
		return (want[0] == "true") == (got == nil), nil
	default:
		return false, fmt.Errorf("operator %s is not one this package evaluates", op)
	}
	anyOf := func(v string) bool {
		for _, p := range want {
			if match(p, v) {
				return true
			}
		}
		return false
	}
	switch qualifier {
	case "ForAllValues":
		for _, v := range got {
			if !anyOf(v) {
				return false, nil
			}
		}
		return true, nil
	case "ForAnyValue":
		for _, v := range got {
			if anyOf(v) {
				return true, nil
			}
		}
		return false, nil
	case "":
		if got == nil {
			return strings.HasSuffix(base, "IfExists"), nil
		}
		if len(got) != 1 {
			return false, fmt.Errorf("a single-valued operator on %d values", len(got))
		}
		return anyOf(got[0]), nil
	}
	return false, fmt.Errorf("qualifier %s is not one this package evaluates", qualifier)
}

// Like matches a value against an IAM pattern, where * is any run of characters and ? any one
// character (StringLike, and how actions and resources are matched).
func Like(pattern, value string) bool {
	if pattern == value {
		return true
	}
	var re strings.Builder
	re.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String()).MatchString(value)
}

// Grant is one (action, resource, condition) a statement allows, for checking that everything
// granted is used.
type Grant struct {
	Statement int    // index in the statements
	Action    string // as the statement writes it
	Resource  string // resolved
	// LeadingKeys are the patterns of dynamodb:LeadingKeys the statement's condition allows,
	// nil when it has none.
	LeadingKeys []string
}

// Grants lists what the Allow statements grant, one Grant per action and resource.
func Grants(stmts []Statement, b Bindings) ([]Grant, error) {
	var out []Grant
	for i, s := range stmts {
		if s.Effect != "Allow" {
			continue
		}
		var keys []string
		for op, k := range s.Condition {
			if v, ok := k["dynamodb:LeadingKeys"]; ok {
				if !strings.HasPrefix(op, "ForAllValues:") {
					return nil, fmt.Errorf("statement %d: dynamodb:LeadingKeys under %s; use ForAllValues (a call may touch several partitions)", i, op)
				}
				keys = append(keys, v...)
			}
		}
		sort.Strings(keys)
		for _, a := range s.Actions {
			for _, r := range s.Resources {
				res, err := b.Resolve(r)
				if err != nil {
					return nil, fmt.Errorf("statement %d: %w", i, err)
				}
				out = append(out, Grant{Statement: i, Action: a, Resource: res, LeadingKeys: keys})
			}
		}
	}
	return out, nil
}
