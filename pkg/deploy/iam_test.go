package deploy_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/samtemplate"
)

// keyed are the operations that take an API key: the writes, and the reads whose answer a
// staff key widens (the staff queue). Only they may read KEY# items.
var keyed = []string{api.OpPostRequest, api.OpUpdateRequest, api.OpPostRequestUpdate, api.OpRequests, api.OpRequest, api.OpToken, api.OpPostMedia}

// writeActions are the DynamoDB actions that change items.
var writeActions = []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}

// TestLeastPrivilege checks the shape of every function's permissions; pkg/e2e's TestFunctions
// and TestFeedBuilder check them against the calls each function makes. Every function runs as
// a role of this template with inline statements only (no managed policy, none that SAM would
// attach to a role it generates), that only Lambda may assume; every statement allows named
// actions (no wildcard); a statement on the table carries dynamodb:LeadingKeys, one on an index
// names the index and carries none (IAM cannot limit a Query of an index to partitions); nothing
// scans; GET operations write nothing (staff reads record no key use); only the operations
// that take a key read KEY# items; logs go to the function's own log group; only the feed
// builder reaches the feeds in S3, the table's stream and the failures queue; the functions that
// take photos (post-request, update-request, post-request-update) may put and delete them
// (media/, private-media/) and read nothing of the bucket but post-request its uploads/; the preview
// function may read public photos (media/) and write previews (previews/), nothing else; the
// retention, the open data export and the site's publisher reach only what they write; only
// post-request reaches KMS, to make data keys for sealing reporters' personal data (never to
// decrypt).
func TestLeastPrivilege(t *testing.T) {
	tpl := samtemplate.Template(readTemplate(t))
	fns := templateFunctions(t, tpl)
	opOf := operationOf(t, fns)
	methods := map[string]map[string]bool{}
	for _, r := range api.Routes() {
		if methods[r.Operation] == nil {
			methods[r.Operation] = map[string]bool{}
		}
		methods[r.Operation][r.Method] = true
	}
	var indexes []string
	for _, g := range samtemplate.List(at(tpl, "Resources", "Table", "Properties", "GlobalSecondaryIndexes")) {
		indexes = append(indexes, fmt.Sprintf(`{"Fn::Sub":"${Table.Arn}/index/%s"}`, at(g, "IndexName")))
	}
	// The CDN's own pages (package site: the web app at the root and under app/), all the site
	// publisher may touch.
	sitePages := []string{`{"Fn::Sub":"${FeedBucket.Arn}/index.html"}`, `{"Fn::Sub":"${FeedBucket.Arn}/app/*"}`, `{"Fn::Sub":"${FeedBucket.Arn}/errors/*"}`, `{"Fn::Sub":"${FeedBucket.Arn}/site.json"}`}
	const (
		table    = `{"Fn::GetAtt":["Table","Arn"]}`
		stream   = `{"Fn::GetAtt":["Table","StreamArn"]}`
		objects  = `{"Fn::Sub":"${FeedBucket.Arn}/*"}`
		bucket   = `{"Fn::GetAtt":["FeedBucket","Arn"]}`
		queue    = `{"Fn::GetAtt":["FeedFailuresQueue","Arn"]}`
		dataKey  = `{"Fn::GetAtt":["PersonalDataKey","Arn"]}`
		photos   = `{"Fn::Sub":"${FeedBucket.Arn}/media/*"}`
		private  = `{"Fn::Sub":"${FeedBucket.Arn}/private-media/*"}`
		previews = `{"Fn::Sub":"${FeedBucket.Arn}/previews/*"}`
		uploads  = `{"Fn::Sub":"${FeedBucket.Arn}/uploads/*"}`
		// The distribution's ARN (CloudFront's are global: no region).
		distribution = `{"Fn::Sub":"arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${FeedDistribution}"}`
		anything     = `"*"`
	)
	for _, fn := range fns {
		op := opOf[fn.id]
		if fn.props["Policies"] != nil {
			t.Errorf("%s: Policies %v: give the function's statements to its role", fn.id, jsonString(fn.props["Policies"]))
		}
		fnRoleID, err := tpl.Role(samtemplate.Function{ID: fn.id, Props: fn.props})
		if err != nil {
			t.Error(err)
			continue
		}
		role := at(tpl, "Resources", fnRoleID, "Properties")
		for _, k := range []string{"RoleName", "PermissionsBoundary", "ManagedPolicyArns"} {
			if at(role, k) != nil {
				t.Errorf("%s: %s is set", fnRoleID, k)
			}
		}
		trust := samtemplate.List(at(role, "AssumeRolePolicyDocument", "Statement"))
		if want := `[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"}}]`; jsonString(trust) != want {
			t.Errorf("%s: trust policy %s, want %s", fnRoleID, jsonString(trust), want)
		}
		stmts, err := tpl.Statements(fnRoleID)
		if err != nil {
			t.Error(err)
			continue
		}
		logGroup := fmt.Sprintf(`{"Fn::GetAtt":["%s","Arn"]}`, at(fn.props, "LoggingConfig", "LogGroup", "Ref"))
		readOnly := len(methods[op]) == 1 && methods[op]["GET"]
		for _, s := range stmts {
			if s.Effect != "Allow" {
				t.Errorf("%s: statement %s is %s; a role lists what it may do", fnRoleID, s.Sid, s.Effect)
			}
			var res []string
			for _, r := range s.Resources {
				res = append(res, jsonString(r))
			}
			leading := at(map[string]any{"c": anyMap(s.Condition)}, "c", "ForAllValues:StringLike", "dynamodb:LeadingKeys")
			if strings.Contains(jsonString(leading), `"KEY#`) && !slices.Contains(keyed, op) {
				t.Errorf("%s (%s): statement %s reaches KEY# items, but the operation takes no key", fnRoleID, op, s.Sid)
			}
			for _, a := range s.Actions {
				service, name, _ := strings.Cut(a, ":")
				if strings.ContainsAny(name, "*?") {
					t.Errorf("%s: action %s: name each action", fnRoleID, a)
				}
				only := func(allowed ...string) {
					t.Helper()
					for _, r := range res {
						if !slices.Contains(allowed, r) {
							t.Errorf("%s (%s): %s on %s, want only on %v", fnRoleID, op, a, r, allowed)
						}
					}
				}
				switch {
				case a == "dynamodb:Scan":
					t.Errorf("%s: %s; the store never scans", fnRoleID, a)
				case readOnly && slices.Contains(writeActions, a):
					t.Errorf("%s (%s): %s; a GET operation writes nothing", fnRoleID, op, a)
				case service == "logs":
					only(logGroup)
				case service == "xray":
					only(anything)
				case op == feedBuilder && slices.Contains([]string{"dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords", "dynamodb:ListStreams"}, a):
					only(stream)
				case op == exportOpenData && a == "s3:PutObject":
					only(`{"Fn::Sub":"${FeedBucket.Arn}/*/open-data/*"}`)
				case op == publishSite && a == "s3:ListBucket":
					only(bucket)
				case op == publishSite && service == "s3":
					only(sitePages...)
				case op == feedBuilder && a == "s3:ListBucket":
					only(bucket)
				case op == feedBuilder && service == "s3":
					only(objects)
				case op == feedBuilder && a == "sqs:SendMessage":
					only(queue)
				case op == "update-request" && a == "cloudfront:CreateInvalidation":
					// The paths of a photo staff removed, on the distribution that served it.
					only(distribution)
				case op == preview && a == "s3:GetObject":
					only(photos) // public photos only, never private-media/
				case op == preview && a == "s3:PutObject":
					only(previews)
				case op == api.OpPostMedia && a == "s3:PutObject":
					// The presigned POST of an upload slot, which S3 authorises as this role's.
					only(uploads)
				case op == "post-request" && (a == "s3:GetObject" || a == "s3:DeleteObject") && slices.Equal(res, []string{uploads}):
					// The photos uploaded to the slots a report names, read then deleted.
				case slices.Contains(photoFunctions, op) && a == "s3:PutObject":
					// A report's or an update's photos, public and private; never a read, never a feed.
					only(photos, private)
				case slices.Contains(photoFunctions, op) && a == "s3:DeleteObject":
					// A failed report's or update's photos, or those staff remove, with their previews.
					only(photos, private, previews)
				case op == "post-request" && a == "kms:GenerateDataKey":
					only(dataKey)
					purpose := at(map[string]any{"c": anyMap(s.Condition)}, "c", "StringEquals", "kms:EncryptionContext:purpose")
					if jsonString(purpose) != `["open311-reporter"]` || len(s.Condition) != 1 {
						t.Errorf("%s: %s without (only) StringEquals kms:EncryptionContext:purpose open311-reporter: %v", fnRoleID, a, s.Condition)
					}
				case op == "post-request" && a == "dynamodb:UpdateItem" && jsonString(leading) == `["SLOT#*"]`:
					// The slots a report names, used up in its write: their request_id alone.
					only(table)
					attrs := at(map[string]any{"c": anyMap(s.Condition)}, "c", "ForAllValues:StringEquals", "dynamodb:Attributes")
					if jsonString(attrs) != `["PK","SK","request_id"]` || len(s.Condition) != 2 {
						t.Errorf("%s: %s of SLOT# items not limited to the attributes PK, SK, request_id: %v", fnRoleID, a, s.Condition)
					}
				case a == "dynamodb:UpdateItem":
					// Only a key's last use is updated in place: the statement names the key's
					// partitions and the attributes (the key's and last_used) it may touch.
					only(table)
					attrs := at(map[string]any{"c": anyMap(s.Condition)}, "c", "ForAllValues:StringEquals", "dynamodb:Attributes")
					if jsonString(leading) != `["KEY#*"]` || jsonString(attrs) != `["PK","SK","last_used"]` || len(s.Condition) != 2 {
						t.Errorf("%s: %s not limited to KEY#* partitions and the attributes PK, SK, last_used: %v", fnRoleID, a, s.Condition)
					}
				case service == "dynamodb" && len(res) == 1 && res[0] == table:
					if leading == nil || len(s.Condition) != 1 {
						t.Errorf("%s: %s on the table without (only) ForAllValues:StringLike dynamodb:LeadingKeys: %v", fnRoleID, a, s.Condition)
					}
				case a == "dynamodb:Query":
					only(indexes...)
					if len(s.Condition) != 0 {
						t.Errorf("%s: Query of %v with a condition %v; IAM does not define dynamodb:LeadingKeys for an index", fnRoleID, res, s.Condition)
					}
				default:
					t.Errorf("%s (%s): %s on %v is none of what a function of this stack may do", fnRoleID, op, a, res)
				}
			}
		}
	}
}

// anyMap turns a statement's conditions back into the JSON form.
func anyMap(c map[string]map[string][]string) map[string]any {
	out := map[string]any{}
	for op, keys := range c {
		m := map[string]any{}
		for k, v := range keys {
			m[k] = v
		}
		out[op] = m
	}
	return out
}
