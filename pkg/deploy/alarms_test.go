package deploy_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// runbookLink is where an alarm's description points.
var runbookLink = regexp.MustCompile(`docs/runbook\.md#([a-z0-9-]+)`)

// alarmMetric is one metric an alarm reads.
type alarmMetric struct {
	namespace, name string
	dims            map[string]string // dimension name -> its value, as JSON (a Ref stays a Ref)
	stat            string
}

// alarmMetrics returns the metrics an alarm reads: its own metric, or those of its metric math,
// checking that the expression it returns uses every one of them.
func alarmMetrics(t *testing.T, id string, props any) []alarmMetric {
	t.Helper()
	dims := func(v any) map[string]string {
		m := map[string]string{}
		for _, d := range list(v) {
			m[at(d, "Name").(string)] = jsonString(at(d, "Value"))
		}
		return m
	}
	if ns, ok := at(props, "Namespace").(string); ok {
		stat, _ := at(props, "Statistic").(string)
		return []alarmMetric{{ns, at(props, "MetricName").(string), dims(at(props, "Dimensions")), stat}}
	}
	var out []alarmMetric
	var expr string
	var hidden []string
	for _, m := range list(at(props, "Metrics")) {
		if e, ok := at(m, "Expression").(string); ok {
			if at(m, "ReturnData") != true || expr != "" {
				t.Errorf("%s: the alarm should return one expression, and only it", id)
			}
			expr = e
			continue
		}
		if at(m, "ReturnData") != false {
			t.Errorf("%s: metric %v is returned besides the expression", id, at(m, "Id"))
		}
		hidden = append(hidden, at(m, "Id").(string))
		ms := at(m, "MetricStat", "Metric")
		if at(m, "MetricStat", "Period") != 300 {
			t.Errorf("%s: metric %v: period %v, want 300 s", id, at(m, "Id"), at(m, "MetricStat", "Period"))
		}
		out = append(out, alarmMetric{at(ms, "Namespace").(string), at(ms, "MetricName").(string), dims(at(ms, "Dimensions")), at(m, "MetricStat", "Stat").(string)})
	}
	for _, h := range hidden {
		if !regexp.MustCompile(`\b` + h + `\b`).MatchString(expr) {
			t.Errorf("%s: the expression %q leaves out metric %s", id, expr, h)
		}
	}
	return out
}

// TestAlarms checks that what can go wrong unseen has an alarm, to AlertTopic: each function
// (failed invocations and throttles, and for the API's functions the 5xx answers of their
// operation, for the feed builder the feeds it could not write), the feed builder's stream lag,
// every queue (one message is enough), the table (throttles, and system errors of every call the
// store makes) and the API (5xx). Every alarm notifies the topic when it goes off and when it is
// over, treats no data (no traffic) as fine, and takes its threshold from a Number parameter
// (the queue's: 1 message). The topic e-mails AlertEmail when it is given; the dashboard shows
// every alarm.
func TestAlarms(t *testing.T) {
	tpl := readTemplate(t)
	fns := templateFunctions(t, tpl)
	opOf := operationOf(t, fns)
	resources := at(tpl, "Resources").(map[string]any)

	doc, err := os.ReadFile(filepath.Join(root, "docs", "runbook.md"))
	if err != nil {
		t.Fatal(err)
	}
	var runbook []string // the anchors of its sections
	for _, h := range regexp.MustCompile(`(?m)^## (.+)$`).FindAllStringSubmatch(string(doc), -1) {
		runbook = append(runbook, strings.ReplaceAll(strings.ToLower(h[1]), " ", "-"))
	}
	alarms := map[string][]alarmMetric{}
	for id, r := range resources {
		if at(r, "Type") != "AWS::CloudWatch::Alarm" {
			continue
		}
		p := at(r, "Properties")
		alarms[id] = alarmMetrics(t, id, p)
		for _, k := range []string{"AlarmActions", "OKActions"} {
			if got := jsonString(at(p, k)); got != `[{"Ref":"AlertTopic"}]` {
				t.Errorf("%s: %s %s, want [!Ref AlertTopic]", id, k, got)
			}
		}
		if at(p, "TreatMissingData") != "notBreaching" {
			t.Errorf("%s: TreatMissingData %v: no traffic is no failure", id, at(p, "TreatMissingData"))
		}
		if ref, ok := at(p, "Threshold", "Ref").(string); ok {
			if at(tpl, "Parameters", ref, "Type") != "Number" || at(tpl, "Parameters", ref, "Default") == nil {
				t.Errorf("%s: threshold parameter %s is not a Number with a default", id, ref)
			}
		} else if at(p, "Threshold") != 1 {
			t.Errorf("%s: threshold %v, neither a parameter nor 1", id, at(p, "Threshold"))
		}
		d, _ := at(p, "AlarmDescription", "Fn::Sub").(string)
		if m := runbookLink.FindStringSubmatch(d); m == nil || !slices.Contains(runbook, m[1]) {
			t.Errorf("%s: its description %q does not link a section of docs/runbook.md (%v)", id, d, runbook)
		}
	}

	// has reports whether an alarm reads all the metrics given, returning its id.
	has := func(want ...alarmMetric) string {
		for id, ms := range alarms {
			all := true
			for _, w := range want {
				if !slices.ContainsFunc(ms, func(m alarmMetric) bool {
					if m.namespace != w.namespace || m.name != w.name || (w.stat != "" && m.stat != w.stat) {
						return false
					}
					for k, v := range w.dims {
						if m.dims[k] != v {
							return false
						}
					}
					return len(m.dims) == len(w.dims)
				}) {
					all = false
					break
				}
			}
			if all {
				return id
			}
		}
		return ""
	}
	ref := func(id string) string { return jsonString(map[string]any{"Ref": id}) }
	str := func(s string) string { return jsonString(s) }
	covered := map[string]bool{}
	need := func(what string, ms ...alarmMetric) {
		t.Helper()
		id := has(ms...)
		if id == "" {
			t.Errorf("no alarm reads %s", what)
			return
		}
		covered[id] = true
	}
	for _, fn := range fns {
		op := opOf[fn.id]
		fnDim := map[string]string{"FunctionName": ref(fn.id)}
		own := alarmMetric{"Open311", "Errors5xx", map[string]string{"operation": str(op)}, "Sum"}
		if op == retention {
			own.name = "RetentionFailed"
		}
		if op == publishSite {
			own.name = "SiteFailed"
		}
		if op == exportOpenData {
			own.name = "ExportFailed"
		}
		if op == feedBuilder {
			own.name = "FeedsFailed"
			need(fn.id+"'s iterator age", alarmMetric{"AWS/Lambda", "IteratorAge", fnDim, "Maximum"})
		}
		if op == preview {
			// Its failures are its invocations' (the log line says which photo).
			need(fn.id+"'s errors and throttles", alarmMetric{"AWS/Lambda", "Errors", fnDim, "Sum"}, alarmMetric{"AWS/Lambda", "Throttles", fnDim, "Sum"})
			continue
		}
		need(fn.id+"'s errors, throttles and "+own.name,
			alarmMetric{"AWS/Lambda", "Errors", fnDim, "Sum"}, alarmMetric{"AWS/Lambda", "Throttles", fnDim, "Sum"}, own)
	}
	for id, r := range resources {
		if at(r, "Type") == "AWS::SQS::Queue" {
			dim := jsonString(map[string]any{"Fn::GetAtt": []any{id, "QueueName"}})
			need("the messages of queue "+id, alarmMetric{"AWS/SQS", "ApproximateNumberOfMessagesVisible", map[string]string{"QueueName": dim}, "Maximum"})
		}
	}
	table := []alarmMetric{
		{"AWS/DynamoDB", "ReadThrottleEvents", map[string]string{"TableName": ref("Table")}, "Sum"},
		{"AWS/DynamoDB", "WriteThrottleEvents", map[string]string{"TableName": ref("Table")}, "Sum"},
	}
	// The calls pkg/store/dynamo makes for the functions (pkg/e2e counts them per operation).
	for _, call := range []string{"GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "TransactWriteItems"} {
		table = append(table, alarmMetric{"AWS/DynamoDB", "SystemErrors", map[string]string{"TableName": ref("Table"), "Operation": str(call)}, "Sum"})
	}
	need("the table's throttles and system errors", table...)
	need("the API's 5xx answers", alarmMetric{"AWS/ApiGateway", "5xx", map[string]string{"ApiId": ref("HttpApi"), "Stage": str("$default")}, "Sum"})
	for id := range alarms {
		if !covered[id] {
			t.Errorf("alarm %s is none that this test asks for: say here what it watches", id)
		}
	}

	// The topic and its subscription.
	if at(resources, "AlertTopic", "Type") != "AWS::SNS::Topic" {
		t.Fatal("no AlertTopic (AWS::SNS::Topic)")
	}
	var subs []string
	for id, r := range resources {
		if at(r, "Type") != "AWS::SNS::Subscription" {
			continue
		}
		subs = append(subs, id)
		cond, _ := at(r, "Condition").(string)
		if want := `{"Fn::Not":[{"Fn::Equals":[{"Ref":"AlertEmail"},""]}]}`; jsonString(at(tpl, "Conditions", cond)) != want {
			t.Errorf("%s: condition %s, want one on AlertEmail being given", id, jsonString(at(tpl, "Conditions", cond)))
		}
		p := at(r, "Properties")
		if jsonString(at(p, "TopicArn")) != ref("AlertTopic") || at(p, "Protocol") != "email" || jsonString(at(p, "Endpoint")) != ref("AlertEmail") {
			t.Errorf("%s: %s, want AlertEmail's e-mail subscription to AlertTopic", id, jsonString(p))
		}
	}
	if len(subs) != 1 || at(tpl, "Parameters", "AlertEmail", "Default") != "" {
		t.Errorf("subscriptions %v (want one) and AlertEmail's default %v (want empty)", subs, at(tpl, "Parameters", "AlertEmail", "Default"))
	}

	// The dashboard: JSON once substituted, every alarm on it, and widgets on each part.
	body, _ := at(resources, "Dashboard", "Properties", "DashboardBody", "Fn::Sub").(string)
	if body == "" {
		t.Fatal("no Dashboard with a DashboardBody !Sub")
	}
	vars := regexp.MustCompile(`\$\{([A-Za-z0-9:]+)(\.[A-Za-z]+)?\}`)
	for _, m := range vars.FindAllStringSubmatch(body, -1) {
		if name := m[1]; !strings.HasPrefix(name, "AWS::") && resources[name] == nil {
			t.Errorf("the dashboard names %s, which is no resource", m[0])
		}
	}
	var dash struct {
		Widgets []struct {
			Type       string
			Properties struct {
				Title   string
				Metrics []json.RawMessage
			}
		}
	}
	if err := json.Unmarshal([]byte(vars.ReplaceAllString(body, "x")), &dash); err != nil {
		t.Fatalf("the dashboard's body is not JSON: %v", err)
	}
	var titles []string
	for _, w := range dash.Widgets {
		titles = append(titles, w.Properties.Title)
		if w.Type == "metric" && len(w.Properties.Metrics) == 0 {
			t.Errorf("dashboard widget %q shows no metric", w.Properties.Title)
		}
	}
	var want []string
	for id := range alarms {
		want = append(want, "${"+id+".Arn}")
	}
	sort.Strings(want)
	shownAlarms := regexp.MustCompile(`"alarms": \[([^\]]*)\]`).FindStringSubmatch(body)
	if shownAlarms == nil {
		t.Fatal("the dashboard has no alarm widget")
	}
	var got []string
	if err := json.Unmarshal([]byte("["+shownAlarms[1]+"]"), &got); err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("the dashboard shows alarms %v, want every alarm %v", got, want)
	}
	for _, part := range []string{"operation", "Function", "Feed", "Table", "API"} {
		if !slices.ContainsFunc(titles, func(s string) bool { return strings.Contains(s, part) }) {
			t.Errorf("no dashboard widget on %q: %v", part, titles)
		}
	}
}
