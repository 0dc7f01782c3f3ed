package samtemplate

import "testing"

func TestEvaluate(t *testing.T) {
	t.Parallel()
	tpl, err := Parse([]byte(`
Resources:
  Table: {Type: AWS::DynamoDB::Table}
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: dynamodb:GetItem
                Resource: !GetAtt Table.Arn
                Condition:
                  ForAllValues:StringLike:
                    dynamodb:LeadingKeys: ["REQ#*", "JURISDICTIONS"]
              - Effect: Allow
                Action: [dynamodb:Query]
                Resource: !Sub "${Table.Arn}/index/GSI1"
              - Effect: Deny
                Action: dynamodb:GetItem
                Resource: !GetAtt Table.Arn
                Condition:
                  ForAnyValue:StringEquals:
                    dynamodb:LeadingKeys: ["REQ#secret"]
`))
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := tpl.Statements("Role")
	if err != nil {
		t.Fatal(err)
	}
	b := tpl.Bind("us-east-1", "123456789012", map[string]string{"Table": "t"})
	arn := "arn:aws:dynamodb:us-east-1:123456789012:table/t"
	keys := func(k ...string) map[string][]string { return map[string][]string{"dynamodb:LeadingKeys": k} }
	for _, c := range []struct {
		name string
		req  Request
		want int
	}{
		{"allowed prefix", Request{"dynamodb:GetItem", arn, keys("REQ#city#1")}, 0},
		{"exact key", Request{"dynamodb:GetItem", arn, keys("JURISDICTIONS")}, 0},
		{"every key must match", Request{"dynamodb:GetItem", arn, keys("REQ#city#1", "KEY#abc")}, -1},
		{"other partition", Request{"dynamodb:GetItem", arn, keys("KEY#abc")}, -1},
		{"the key is missing: ForAllValues holds", Request{"dynamodb:GetItem", arn, nil}, 0},
		{"a deny wins", Request{"dynamodb:GetItem", arn, keys("REQ#secret")}, -1},
		{"action names are case-insensitive", Request{"DynamoDB:getitem", arn, keys("REQ#1")}, 0},
		{"other action", Request{"dynamodb:PutItem", arn, keys("REQ#1")}, -1},
		{"the index", Request{"dynamodb:Query", arn + "/index/GSI1", nil}, 1},
		{"another index", Request{"dynamodb:Query", arn + "/index/GSI2", nil}, -1},
		{"another table", Request{"dynamodb:GetItem", arn + "2", keys("REQ#1")}, -1},
	} {
		got, err := Evaluate(stmts, b, c.req)
		if err != nil || got != c.want {
			t.Errorf("%s: Evaluate = %d, %v; want %d", c.name, got, err, c.want)
		}
	}
	grants, err := Grants(stmts, b)
	if err != nil || len(grants) != 2 || grants[0].Resource != arn || len(grants[0].LeadingKeys) != 2 || grants[1].Resource != arn+"/index/GSI1" {
		t.Errorf("Grants = %+v, %v", grants, err)
	}
}

func TestResolveAndLike(t *testing.T) {
	t.Parallel()
	b := Bindings{Refs: map[string]string{"AWS::Region": "eu-west-1", "Bucket": "b"}, Attrs: map[string]string{"Bucket.Arn": "arn:aws:s3:::b"}}
	for _, c := range []struct {
		v    any
		want string
	}{
		{map[string]any{"Fn::Sub": "${Bucket.Arn}/*"}, "arn:aws:s3:::b/*"},
		{map[string]any{"Fn::Sub": "x-${AWS::Region}-${!Literal}"}, "x-eu-west-1-${Literal}"},
		{map[string]any{"Fn::Join": []any{"/", []any{map[string]any{"Ref": "Bucket"}, "k"}}}, "b/k"},
	} {
		if got, err := b.Resolve(c.v); err != nil || got != c.want {
			t.Errorf("Resolve(%v) = %q, %v; want %q", c.v, got, err, c.want)
		}
	}
	if _, err := b.Resolve(map[string]any{"Ref": "Nothing"}); err == nil {
		t.Error("an unbound Ref resolved")
	}
	for _, c := range []struct {
		pattern, value string
		want           bool
	}{{"REQ#*", "REQ#a#b", true}, {"REQ#*", "REQS#a", false}, {"JUR#*", "JURISDICTIONS", false}, {"a?c", "abc", true}, {"a.c", "abc", false}} {
		if got := Like(c.pattern, c.value); got != c.want {
			t.Errorf("Like(%q, %q) = %v", c.pattern, c.value, got)
		}
	}
}
