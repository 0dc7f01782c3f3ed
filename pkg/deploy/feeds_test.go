package deploy_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/civicworks/open311/pkg/store/dynamo"
)

// feedBuilderFunction returns the feed builder of the template, with Globals applied.
func feedBuilderFunction(t *testing.T, tpl map[string]any) function {
	t.Helper()
	fns := templateFunctions(t, tpl)
	opOf := operationOf(t, fns)
	for _, fn := range fns {
		if opOf[fn.id] == feedBuilder {
			return fn
		}
	}
	t.Fatalf("template.yaml has no function built from functions/%s", feedBuilder)
	return function{}
}

// list returns v as a list: a lone value is a list of one.
func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// TestFeedBuilderStream checks the feed builder's trigger: the table's stream, new records only,
// items of requests and activities only, partial batch responses, bisection, bounded retries and
// record age, and an SQS queue for what it gives up on.
func TestFeedBuilderStream(t *testing.T) {
	tpl := readTemplate(t)
	fn := feedBuilderFunction(t, tpl)
	events, _ := fn.props["Events"].(map[string]any)
	if len(events) != 1 {
		t.Fatalf("%s: events %v, want exactly one (the table's stream)", fn.id, events)
	}
	var ev any
	for _, e := range events {
		ev = e
	}
	if at(ev, "Type") != "DynamoDB" {
		t.Fatalf("%s: event of type %v, want DynamoDB", fn.id, at(ev, "Type"))
	}
	p := at(ev, "Properties")
	check := func(what string, got, want any) {
		t.Helper()
		if jsonString(got) != jsonString(want) {
			t.Errorf("%s: %s = %s, want %s", fn.id, what, jsonString(got), jsonString(want))
		}
	}
	check("Stream", at(p, "Stream"), map[string]any{"Fn::GetAtt": []any{"Table", "StreamArn"}})
	check("StartingPosition", at(p, "StartingPosition"), "LATEST")
	check("BisectBatchOnFunctionError", at(p, "BisectBatchOnFunctionError"), true)
	check("FunctionResponseTypes", at(p, "FunctionResponseTypes"), []any{"ReportBatchItemFailures"})
	check("DestinationConfig.OnFailure.Type", at(p, "DestinationConfig", "OnFailure", "Type"), "SQS")
	check("DestinationConfig.OnFailure.Destination", at(p, "DestinationConfig", "OnFailure", "Destination"),
		map[string]any{"Fn::GetAtt": []any{"FeedFailuresQueue", "Arn"}})
	inRange := func(what string, lo, hi int) {
		t.Helper()
		if n, ok := at(p, what).(int); !ok || n < lo || n > hi {
			t.Errorf("%s: %s = %v, want %d to %d", fn.id, what, at(p, what), lo, hi)
		}
	}
	inRange("BatchSize", 10, 1000)
	inRange("MaximumBatchingWindowInSeconds", 1, 60)                   // coalesces bursts; feeds stay fresh
	inRange("MaximumRetryAttempts", 1, 10)                             // -1 (forever) would block the shard
	inRange("MaximumRecordAgeInSeconds", 300, 24*60*60)                // -1 (forever) likewise
	if pf, ok := at(p, "ParallelizationFactor").(int); ok && pf != 1 { // records of a request in order
		t.Errorf("%s: ParallelizationFactor = %d, want 1 (or none)", fn.id, pf)
	}

	filters := list(at(p, "FilterCriteria", "Filters"))
	if len(filters) != 1 {
		t.Fatalf("%s: FilterCriteria.Filters = %v, want one pattern", fn.id, filters)
	}
	pattern, _ := at(filters[0], "Pattern").(string)
	var got any
	if err := json.Unmarshal([]byte(pattern), &got); err != nil {
		t.Fatalf("%s: filter pattern %q: %v", fn.id, pattern, err)
	}
	want := map[string]any{"dynamodb": map[string]any{"Keys": map[string]any{"PK": map[string]any{"S": []any{map[string]any{"prefix": dynamo.RequestKeyPrefix}}}}}}
	check("filter pattern", got, want)

	queue := at(tpl, "Resources", "FeedFailuresQueue")
	if at(queue, "Type") != "AWS::SQS::Queue" {
		t.Errorf("FeedFailuresQueue is %v, want an AWS::SQS::Queue", at(queue, "Type"))
	}
	if at(queue, "Properties", "SqsManagedSseEnabled") != true && at(queue, "Properties", "KmsMasterKeyId") == nil {
		t.Error("FeedFailuresQueue is not encrypted")
	}
	if n, _ := at(queue, "Properties", "MessageRetentionPeriod").(int); n < 4*24*60*60 {
		t.Errorf("FeedFailuresQueue keeps messages %v s; give an operator days to look", at(queue, "Properties", "MessageRetentionPeriod"))
	}
}

// managedCachingOptimized is the id of CloudFront's managed cache policy CachingOptimized, which
// honours an origin's Cache-Control (minimum TTL 1 s) and caches compressed variants.
const managedCachingOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6"

// TestFeedBucket checks where the feeds live: a private, encrypted bucket whose objects belong to
// it, read only by the stack's CloudFront distribution through origin access control, which
// serves them over HTTPS, compressed, for as long as their Cache-Control says.
func TestFeedBucket(t *testing.T) {
	tpl := readTemplate(t)
	res := func(id, typ string) any {
		t.Helper()
		r := at(tpl, "Resources", id)
		if at(r, "Type") != typ {
			t.Fatalf("Resources.%s is %v, want %s", id, at(r, "Type"), typ)
		}
		return at(r, "Properties")
	}
	check := func(what string, got, want any) {
		t.Helper()
		if jsonString(got) != jsonString(want) {
			t.Errorf("%s = %s, want %s", what, jsonString(got), jsonString(want))
		}
	}

	b := res("FeedBucket", "AWS::S3::Bucket")
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		check("FeedBucket PublicAccessBlockConfiguration."+k, at(b, "PublicAccessBlockConfiguration", k), true)
	}
	sse := list(at(b, "BucketEncryption", "ServerSideEncryptionConfiguration"))
	if len(sse) == 0 || at(sse[0], "ServerSideEncryptionByDefault", "SSEAlgorithm") == nil {
		t.Error("FeedBucket has no default encryption")
	}
	check("FeedBucket OwnershipControls", at(b, "OwnershipControls", "Rules"), []any{map[string]any{"ObjectOwnership": "BucketOwnerEnforced"}})
	if at(b, "WebsiteConfiguration") != nil || at(b, "AccessControl") != nil {
		t.Error("FeedBucket is a website or has an ACL; CloudFront reads it through origin access control")
	}

	// Photos uploaded to slots (uploads/) that no report took are expired, and only they.
	var uploadRules []any
	for _, r := range list(at(b, "LifecycleConfiguration", "Rules")) {
		if at(r, "ExpirationInDays") != nil {
			uploadRules = append(uploadRules, r)
		}
	}
	check("FeedBucket's expiring lifecycle rules", uploadRules, []any{map[string]any{"Id": "expire-unused-uploads", "Status": "Enabled",
		"Prefix": "uploads/", "ExpirationInDays": 1}})

	pol := res("FeedBucketPolicy", "AWS::S3::BucketPolicy")
	check("FeedBucketPolicy Bucket", at(pol, "Bucket"), map[string]any{"Ref": "FeedBucket"})
	checkPrivatePhotos(t, list(at(pol, "PolicyDocument", "Statement")))
	allows := 0
	for _, s := range list(at(pol, "PolicyDocument", "Statement")) {
		if at(s, "Effect") != "Allow" {
			continue
		}
		allows++
		check("FeedBucketPolicy principal", at(s, "Principal"), map[string]any{"Service": "cloudfront.amazonaws.com"})
		check("FeedBucketPolicy condition", at(s, "Condition"), map[string]any{"StringEquals": map[string]any{
			"AWS:SourceArn": map[string]any{"Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${FeedDistribution}"}}})
		// Object by object: s3:ListBucket would let the distribution's root list the bucket.
		for _, a := range list(at(s, "Action")) {
			if a != "s3:GetObject" {
				t.Errorf("FeedBucketPolicy lets CloudFront %v; it only reads objects", a)
			}
		}
		check("FeedBucketPolicy CloudFront's resource", at(s, "Resource"), map[string]any{"Fn::Sub": "${FeedBucket.Arn}/*"})
	}
	if allows == 0 {
		t.Error("FeedBucketPolicy allows nothing to the distribution")
	}

	oac := res("FeedOriginAccessControl", "AWS::CloudFront::OriginAccessControl")
	check("FeedOriginAccessControl type", at(oac, "OriginAccessControlConfig", "OriginAccessControlOriginType"), "s3")
	check("FeedOriginAccessControl signing", at(oac, "OriginAccessControlConfig", "SigningBehavior"), "always")
	check("FeedOriginAccessControl protocol", at(oac, "OriginAccessControlConfig", "SigningProtocol"), "sigv4")

	d := at(res("FeedDistribution", "AWS::CloudFront::Distribution"), "DistributionConfig")
	check("FeedDistribution Enabled", at(d, "Enabled"), true)
	origins := list(at(d, "Origins"))
	if len(origins) != 1 {
		t.Fatalf("FeedDistribution origins %v, want the feed bucket alone", origins)
	}
	o := origins[0]
	check("FeedDistribution origin", at(o, "DomainName"), map[string]any{"Fn::GetAtt": []any{"FeedBucket", "RegionalDomainName"}})
	check("FeedDistribution origin access control", at(o, "OriginAccessControlId"), map[string]any{"Fn::GetAtt": []any{"FeedOriginAccessControl", "Id"}})
	check("FeedDistribution origin S3OriginConfig.OriginAccessIdentity", at(o, "S3OriginConfig", "OriginAccessIdentity"), "")
	c := at(d, "DefaultCacheBehavior")
	check("FeedDistribution TargetOriginId", at(c, "TargetOriginId"), at(o, "Id"))
	if v := at(c, "ViewerProtocolPolicy"); v != "redirect-to-https" && v != "https-only" {
		t.Errorf("FeedDistribution ViewerProtocolPolicy = %v, want HTTPS", v)
	}
	check("FeedDistribution Compress", at(c, "Compress"), true)
	for _, m := range list(at(c, "AllowedMethods")) {
		if m != "GET" && m != "HEAD" && m != "OPTIONS" {
			t.Errorf("FeedDistribution allows %v; feeds are read-only", m)
		}
	}
	switch id := at(c, "CachePolicyId"); {
	case id == managedCachingOptimized:
	case at(id, "Ref") != nil:
		ref, _ := at(id, "Ref").(string)
		cp := at(res(ref, "AWS::CloudFront::CachePolicy"), "CachePolicyConfig")
		if at(cp, "MinTTL") != 0 {
			t.Errorf("cache policy %s: MinTTL = %v, want 0 so that Cache-Control decides", ref, at(cp, "MinTTL"))
		}
	default:
		t.Errorf("FeedDistribution CachePolicyId = %v, want CachingOptimized (%s) or a policy of the template", id, managedCachingOptimized)
	}
	if at(c, "ForwardedValues") != nil {
		t.Error("FeedDistribution uses the legacy ForwardedValues; use a cache policy")
	}
	checkMediaBehaviour(t, d, at(o, "Id"))
	if s := fmt.Sprint(at(d, "Aliases")); strings.Contains(s, "*") {
		t.Errorf("FeedDistribution Aliases %s", s)
	}
	checkCDN(t, tpl, d)
}

// checkCDN checks what the distribution adds to the bucket's privacy (issue 10): its root is an
// object, a missing object answers 404, every answer carries the security headers, its access
// is logged to a private bucket that forgets, and its TLS floor is as high as its certificate
// allows.
func checkCDN(t *testing.T, tpl map[string]any, d any) {
	t.Helper()
	if root, _ := at(d, "DefaultRootObject").(string); root == "" || strings.HasPrefix(root, "/") {
		t.Errorf("FeedDistribution DefaultRootObject = %v, want an object name (the root is no listing)", at(d, "DefaultRootObject"))
	}
	var to404 bool
	for _, e := range list(at(d, "CustomErrorResponses")) {
		if at(e, "ErrorCode") == 403 && at(e, "ResponseCode") == 404 && at(e, "ResponsePagePath") != nil {
			to404 = true
		}
	}
	if !to404 {
		t.Error("FeedDistribution has no CustomErrorResponses 403 -> 404: without s3:ListBucket S3 answers 403 for a missing object")
	}

	ref, _ := at(d, "DefaultCacheBehavior", "ResponseHeadersPolicyId", "Ref").(string)
	h := at(tpl, "Resources", ref)
	if at(h, "Type") != "AWS::CloudFront::ResponseHeadersPolicy" {
		t.Fatalf("FeedDistribution ResponseHeadersPolicyId is %v, want !Ref to a ResponseHeadersPolicy of the template", at(d, "DefaultCacheBehavior", "ResponseHeadersPolicyId"))
	}
	sec := at(h, "Properties", "ResponseHeadersPolicyConfig", "SecurityHeadersConfig")
	if n, _ := at(sec, "StrictTransportSecurity", "AccessControlMaxAgeSec").(int); n < 365*24*60*60 || at(sec, "StrictTransportSecurity", "Override") != true {
		t.Errorf("%s: StrictTransportSecurity %v, want a max-age of a year or more, overriding the origin", ref, at(sec, "StrictTransportSecurity"))
	}
	if at(sec, "ContentTypeOptions", "Override") != true {
		t.Errorf("%s: no X-Content-Type-Options: nosniff", ref)
	}
	if f := at(sec, "FrameOptions", "FrameOption"); f != "DENY" && f != "SAMEORIGIN" {
		t.Errorf("%s: FrameOptions %v", ref, f)
	}
	cspRef, _ := at(sec, "ContentSecurityPolicy", "ContentSecurityPolicy", "Ref").(string)
	csp, _ := at(tpl, "Parameters", cspRef, "Default").(string)
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "script-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: Content-Security-Policy %q (parameter %s) lacks %q", ref, csp, cspRef, want)
		}
	}

	logBucket, _ := at(d, "Logging", "Bucket", "Fn::GetAtt").([]any)
	if len(logBucket) != 2 || logBucket[1] != "DomainName" {
		t.Fatalf("FeedDistribution Logging.Bucket = %v, want !GetAtt <a bucket of the template>.DomainName", at(d, "Logging", "Bucket"))
	}
	lb := at(tpl, "Resources", logBucket[0].(string))
	checkLogBucket(t, logBucket[0].(string), lb)
	if got := at(tpl, "Resources", "FeedBucket", "Properties", "LoggingConfiguration", "DestinationBucketName", "Ref"); got != logBucket[0] {
		t.Errorf("FeedBucket LoggingConfiguration to %v, want the log bucket %v", got, logBucket[0])
	}

	// The default certificate cannot raise the floor; a certificate of one's own must.
	cert := at(d, "ViewerCertificate")
	switch {
	case at(cert, "CloudFrontDefaultCertificate") == true:
		if v := at(cert, "MinimumProtocolVersion"); v != nil {
			t.Errorf("FeedDistribution: MinimumProtocolVersion %v with the default certificate, which ignores it", v)
		}
	case at(cert, "AcmCertificateArn") != nil:
		if v := at(cert, "MinimumProtocolVersion"); v != "TLSv1.2_2021" || at(cert, "SslSupportMethod") != "sni-only" {
			t.Errorf("FeedDistribution: with an ACM certificate, MinimumProtocolVersion %v, want TLSv1.2_2021 and sni-only", v)
		}
	default:
		t.Errorf("FeedDistribution ViewerCertificate %v", cert)
	}
}

// checkLogBucket checks a bucket of access logs: private, encrypted, owned by the account with
// the ACLs CloudFront's standard logs write with, its logs expiring, kept when the stack goes.
func checkLogBucket(t *testing.T, id string, b any) {
	t.Helper()
	if at(b, "Type") != "AWS::S3::Bucket" {
		t.Fatalf("%s is %v, want an AWS::S3::Bucket", id, at(b, "Type"))
	}
	p := at(b, "Properties")
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if at(p, "PublicAccessBlockConfiguration", k) != true {
			t.Errorf("%s: PublicAccessBlockConfiguration.%s is not true", id, k)
		}
	}
	if o := at(list(at(p, "OwnershipControls", "Rules"))[0], "ObjectOwnership"); o != "BucketOwnerPreferred" {
		t.Errorf("%s: ObjectOwnership %v, want BucketOwnerPreferred (CloudFront's standard logs are written with an ACL)", id, o)
	}
	expires := false
	for _, r := range list(at(p, "LifecycleConfiguration", "Rules")) {
		if at(r, "Status") == "Enabled" && at(r, "ExpirationInDays") != nil {
			expires = true
		}
	}
	if !expires {
		t.Errorf("%s: no lifecycle rule expires the logs", id)
	}
	if at(b, "DeletionPolicy") != "Retain" {
		t.Errorf("%s: DeletionPolicy %v, want Retain (a stack deleted keeps its logs)", id, at(b, "DeletionPolicy"))
	}
}

// checkMediaBehaviour checks the distribution's photos and previews: one cache behaviour each
// for /media/* and /previews/*, from the feed bucket (whose media/ and previews/ prefixes the
// paths name), read-only over HTTPS, cached as the objects' Cache-Control (immutable, a year)
// says, with the security headers of every answer, not compressed again.
func checkMediaBehaviour(t *testing.T, d, origin any) {
	t.Helper()
	for _, pattern := range []string{"/media/*", "/previews/*"} {
		var found []any
		for _, b := range list(at(d, "CacheBehaviors")) {
			if at(b, "PathPattern") == pattern {
				found = append(found, b)
			}
		}
		if len(found) != 1 {
			t.Errorf("FeedDistribution has %d cache behaviours for %s, want one", len(found), pattern)
			continue
		}
		b := found[0]
		for what, want := range map[string]any{
			"TargetOriginId":          origin,
			"ViewerProtocolPolicy":    "redirect-to-https",
			"AllowedMethods":          []any{"GET", "HEAD"},
			"CachePolicyId":           managedCachingOptimized,
			"Compress":                false,
			"ResponseHeadersPolicyId": at(d, "DefaultCacheBehavior", "ResponseHeadersPolicyId"),
		} {
			if jsonString(at(b, what)) != jsonString(want) {
				t.Errorf("FeedDistribution %s %s = %s, want %s", pattern, what, jsonString(at(b, what)), jsonString(want))
			}
		}
	}
}

// checkPrivatePhotos evaluates the feed bucket's policy for CloudFront's reads: feeds and public
// photos are allowed, private photos (private-media/) and uploads not yet cleaned (uploads/)
// are denied, whatever else is allowed.
func checkPrivatePhotos(t *testing.T, stmts []any) {
	t.Helper()
	const arn = "${FeedBucket.Arn}"
	decide := func(object string) (allowed, denied bool) {
		for _, s := range stmts {
			if jsonString(at(s, "Principal")) != `{"Service":"cloudfront.amazonaws.com"}` && at(s, "Principal") != "*" {
				continue
			}
			acts := false
			for _, a := range list(at(s, "Action")) {
				acts = acts || a == "s3:GetObject" || a == "s3:*"
			}
			if !acts {
				continue
			}
			for _, r := range list(at(s, "Resource")) {
				pattern, _ := at(r, "Fn::Sub").(string)
				if pattern == "" || !globMatch(pattern, arn+"/"+object) {
					continue
				}
				switch {
				case at(s, "Effect") == "Allow":
					allowed = true
				case at(s, "Effect") == "Deny" && at(s, "Condition") == nil:
					denied = true
				}
			}
		}
		return allowed, denied
	}
	for object, want := range map[string]bool{
		"city.example.org/requests.atom":                     true,
		"media/" + strings.Repeat("ab", 32) + ".jpg":         true,
		"private-media/" + strings.Repeat("ab", 32) + ".jpg": false,
		"uploads/SLOT0001":                                   false,
	} {
		allowed, denied := decide(object)
		if got := allowed && !denied; got != want {
			t.Errorf("FeedBucketPolicy: CloudFront may read %s: %v (allowed %v, denied unconditionally %v), want %v", object, got, allowed, denied, want)
		}
	}
}

// globMatch matches an IAM resource pattern (* any run of characters) against a resource.
func globMatch(pattern, s string) bool {
	before, after, found := strings.Cut(pattern, "*")
	if !found {
		return pattern == s
	}
	if !strings.HasPrefix(s, before) {
		return false
	}
	rest := s[len(before):]
	for i := 0; i <= len(rest); i++ {
		if globMatch(after, rest[i:]) {
			return true
		}
	}
	return false
}
