package deploy_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// reservation returns the parameter a function's ReservedConcurrentExecutions comes from: it
// must be !If [<condition>, !Ref <parameter>, !Ref AWS::NoValue], the condition true unless the
// parameter is -1.
func reservation(t *testing.T, tpl map[string]any, fn function) string {
	t.Helper()
	v := fn.props["ReservedConcurrentExecutions"]
	parts, _ := at(v, "Fn::If").([]any)
	if len(parts) != 3 || jsonString(parts[2]) != `{"Ref":"AWS::NoValue"}` {
		t.Errorf("%s: ReservedConcurrentExecutions = %s, want !If [<condition>, !Ref <parameter>, !Ref AWS::NoValue]", fn.id, jsonString(v))
		return ""
	}
	param, _ := at(parts[1], "Ref").(string)
	cond, _ := parts[0].(string)
	if want := `{"Fn::Not":[{"Fn::Equals":[{"Ref":"` + param + `"},"-1"]}]}`; jsonString(at(tpl, "Conditions", cond)) != want {
		t.Errorf("%s: condition %s = %s, want %s", fn.id, cond, jsonString(at(tpl, "Conditions", cond)), want)
	}
	p := at(tpl, "Parameters", param)
	if d, _ := at(p, "Default").(int); at(p, "Type") != "Number" || d < 1 {
		t.Errorf("%s: parameter %s is %v, want a Number with a default of 1 or more", fn.id, param, jsonString(p))
	}
	return param
}

// TestReservedConcurrency checks that every function reserves concurrency from a parameter, the
// feed builder from one of its own: no operation can take the account's whole pool, and the API
// and the feed builder cannot starve each other. The retention reserves one: it runs alone.
func TestReservedConcurrency(t *testing.T) {
	tpl := readTemplate(t)
	fns := templateFunctions(t, tpl)
	opOf := operationOf(t, fns)
	api, feeds := map[string]bool{}, map[string]bool{}
	for _, fn := range fns {
		if opOf[fn.id] == retention || opOf[fn.id] == publishSite || opOf[fn.id] == exportOpenData {
			// One run at a time: two would erase the same requests in a race they would lose, or
			// publish the site over each other.
			if n := at(fn.props, "ReservedConcurrentExecutions"); n != 1 {
				t.Errorf("%s: ReservedConcurrentExecutions = %v, want 1", fn.id, n)
			}
			continue
		}
		param := reservation(t, tpl, fn)
		if opOf[fn.id] == feedBuilder {
			feeds[param] = true
		} else {
			api[param] = true
		}
	}
	for p := range feeds {
		if api[p] {
			t.Errorf("the feed builder and API functions share the reservation %s", p)
		}
	}
	if len(feeds) != 1 || len(api) != 1 {
		t.Errorf("reservations %v (API) and %v (feed builder), want one parameter each", api, feeds)
	}
	if !strings.Contains(jsonString(at(tpl, "Rules")), `"0"]}]}`) {
		t.Error("no rule refuses a reservation of 0, which would stop a function")
	}
}

// TestBudget checks the budget alarm: an AWS::Budgets::Budget that e-mails the BudgetEmail
// parameter, only made when that parameter is given.
func TestBudget(t *testing.T) {
	tpl := readTemplate(t)
	var budgets []string
	for id, r := range at(tpl, "Resources").(map[string]any) {
		if at(r, "Type") != "AWS::Budgets::Budget" {
			continue
		}
		budgets = append(budgets, id)
		cond, _ := at(r, "Condition").(string)
		if want := `{"Fn::Not":[{"Fn::Equals":[{"Ref":"BudgetEmail"},""]}]}`; jsonString(at(tpl, "Conditions", cond)) != want {
			t.Errorf("%s: Condition %s = %s, want %s (no budget without an address)", id, cond, jsonString(at(tpl, "Conditions", cond)), want)
		}
		if at(tpl, "Parameters", "BudgetEmail", "Default") != "" {
			t.Error("BudgetEmail's default is not empty: a deployment would need an address")
		}
		notes := list(at(r, "Properties", "NotificationsWithSubscribers"))
		if len(notes) == 0 {
			t.Errorf("%s notifies no one", id)
		}
		for _, n := range notes {
			for _, s := range list(at(n, "Subscribers")) {
				if at(s, "SubscriptionType") != "EMAIL" || jsonString(at(s, "Address")) != `{"Ref":"BudgetEmail"}` {
					t.Errorf("%s: subscriber %s, want EMAIL to !Ref BudgetEmail", id, jsonString(s))
				}
			}
		}
		if ref, _ := at(r, "Properties", "Budget", "BudgetLimit", "Amount", "Ref").(string); at(tpl, "Parameters", ref, "Type") != "Number" {
			t.Errorf("%s: BudgetLimit.Amount is not a Number parameter", id)
		}
	}
	if len(budgets) != 1 {
		t.Errorf("budgets %v, want one", budgets)
	}
}

// accessLogVariable is a $context variable of an access log format.
var accessLogVariable = regexp.MustCompile(`\$context\.[A-Za-z0-9_.]+`)

// TestApiAccessLogs checks the HTTP API's access logs: one JSON object per request to a log
// group of the stack that forgets, with API Gateway's own request id and the function's, and
// none of what can carry personal data or secrets: no path (request ids, tokens), no query
// string, no header, no body, no client address, no identity; and the parameter that turns off
// the execute-api endpoint, which needs the public one.
func TestApiAccessLogs(t *testing.T) {
	tpl := readTemplate(t)
	p := at(tpl, "Resources", "HttpApi", "Properties")
	logs := at(p, "AccessLogSettings")
	ga, _ := at(logs, "DestinationArn", "Fn::GetAtt").([]any)
	group := ""
	if len(ga) == 2 {
		group, _ = ga[0].(string)
	}
	if at(tpl, "Resources", group, "Type") != "AWS::Logs::LogGroup" {
		t.Fatalf("HttpApi AccessLogSettings.DestinationArn = %s, want !GetAtt <a log group of the template>.Arn", jsonString(at(logs, "DestinationArn")))
	}
	if at(tpl, "Resources", group, "Properties", "RetentionInDays") == nil {
		t.Errorf("%s keeps its lines forever", group)
	}
	format, _ := at(logs, "Format").(string)
	var fields map[string]string
	if err := json.Unmarshal([]byte(format), &fields); err != nil {
		t.Fatalf("the access log format is not a JSON object of strings: %v\n%s", err, format)
	}
	vars := map[string]bool{}
	for _, v := range accessLogVariable.FindAllString(format, -1) {
		vars[v] = true
	}
	for _, want := range []string{"$context.extendedRequestId", "$context.routeKey", "$context.status", "$context.responseLatency", "$context.integration.requestId"} {
		if !vars[want] {
			t.Errorf("the access log format lacks %s", want)
		}
	}
	allowed := regexp.MustCompile(`^\$context\.(extendedRequestId|routeKey|httpMethod|protocol|status|responseLength|responseLatency|requestTimeEpoch|requestTime|integrationLatency|integrationStatus|integration\.(requestId|status|latency|error|integrationStatus)|error\.(message|responseType)|domainName|stage|apiId)$`)
	for v := range vars {
		if !allowed.MatchString(v) {
			t.Errorf("the access log format has %s, which is not one of the fields that hold nothing of the caller's (docs/aws.md)", v)
		}
	}

	disable := at(p, "DisableExecuteApiEndpoint")
	parts, _ := at(disable, "Fn::If").([]any)
	if len(parts) != 3 || parts[1] != true || parts[2] != false {
		t.Fatalf("HttpApi DisableExecuteApiEndpoint = %s, want !If [<condition>, true, false]", jsonString(disable))
	}
	if cond := jsonString(at(tpl, "Conditions", fmt.Sprint(parts[0]))); cond != `{"Fn::Equals":[{"Ref":"DisableExecuteApiEndpoint"},"true"]}` {
		t.Errorf("condition %v = %s", parts[0], cond)
	}
	if at(tpl, "Parameters", "DisableExecuteApiEndpoint", "Default") != "false" {
		t.Error("DisableExecuteApiEndpoint is not off by default")
	}
	rule := jsonString(at(tpl, "Rules"))
	if !strings.Contains(rule, `{"Ref":"DisableExecuteApiEndpoint"},"true"`) || !strings.Contains(rule, `{"Fn::Equals":[{"Ref":"PublicEndpoint"},""]}`) {
		t.Errorf("no rule asks for PublicEndpoint when the execute-api endpoint is off: %s", rule)
	}
}

// TestKeptResources checks what outlives a mistake: the table cannot be deleted while its
// deletion protection is on, and the failures queue (like the table and the buckets) is kept
// when the stack is deleted or the queue replaced.
func TestKeptResources(t *testing.T) {
	tpl := readTemplate(t)
	if at(tpl, "Resources", "Table", "Properties", "DeletionProtectionEnabled") != true {
		t.Error("Table has no DeletionProtectionEnabled: true")
	}
	for _, id := range []string{"Table", "FeedFailuresQueue", "FeedBucket", "LogBucket"} {
		for _, k := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
			if got := at(tpl, "Resources", id, k); got != "Retain" {
				t.Errorf("%s: %s = %v, want Retain", id, k, got)
			}
		}
	}
}
