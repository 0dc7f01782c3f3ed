package apitest

import "strings"

const form = "application/x-www-form-urlencoded"

// post is a POST case of a form body to /requests.{format}.
func post(name, format, body string) Case {
	return Case{Name: name, Method: "POST", Path: "/requests." + format, ContentType: form, Body: body}
}

// creates gives a case the id (and the token, for a batch request) of the request it creates.
func creates(c Case, id, token string) Case {
	c.ID, c.Token = id, token
	return c
}

// staff and reporter are POST cases of a form body to a request, with a staff or reporter key.
func staff(name, path, body string) Case {
	return Case{Name: name, Method: "POST", Path: path, ContentType: form, Body: "api_key=" + StaffKey + "&" + body}
}

func reporter(name, path, body string) Case {
	return Case{Name: name, Method: "POST", Path: path, ContentType: form, Body: "api_key=" + ReporterKey + "&" + body}
}

// staffGet is a GET case with the staff key as an Authorization: Bearer header.
func staffGet(name, path string) Case {
	return Case{Name: name, Path: path, Header: map[string]string{"Authorization": "Bearer " + StaffKey}}
}

// fms is a POST of a request update as FixMyStreet sends it.
func fms(name, format, key, body string) Case {
	return Case{Name: name, Method: "POST", Path: "/servicerequestupdates." + format, ContentType: form,
		Body: "jurisdiction_id=city.example.org&api_key=" + key + "&" + body}
}

// multipartBody is a multipart/form-data body with the given fields, in order.
func multipartBody(fields ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(fields); i += 2 {
		b.WriteString("--BOUNDARY\r\nContent-Disposition: form-data; name=\"" + fields[i] + "\"\r\n\r\n" + fields[i+1] + "\r\n")
	}
	b.WriteString("--BOUNDARY--\r\n")
	return b.String()
}

// Cases are the golden exchanges: every operation in both formats, successes and errors. They
// run in order against one freshly seeded world, so a POST's id is the id sequence's next.
var Cases = []Case{
	{Name: "discovery.xml", Path: "/discovery.xml"},
	{Name: "discovery.json", Path: "/discovery.json"},

	{Name: "services.xml", Path: "/services.xml"},
	{Name: "services.json", Path: "/services.json"},
	{Name: "services-jurisdiction.json", Path: "/services.json?jurisdiction_id=city.example.org"},
	{Name: "services-empty-jurisdiction-param.xml", Path: "/services.xml?jurisdiction_id="},
	{Name: "services-other-jurisdiction.json", Path: "/services.json?jurisdiction_id=town.example.net"},
	{Name: "services-unknown-jurisdiction.xml", Path: "/services.xml?jurisdiction_id=nowhere.example"},
	{Name: "services-unknown-jurisdiction.json", Path: "/services.json?jurisdiction_id=nowhere.example"},

	{Name: "definition-pothole.xml", Path: "/services/pothole.xml"},
	{Name: "definition-pothole.json", Path: "/services/pothole.json"},
	{Name: "definition-streetlight.json", Path: "/services/streetlight.json"},
	{Name: "definition-no-attributes.xml", Path: "/services/tree.xml"},
	{Name: "definition-unknown.xml", Path: "/services/nope.xml"},
	{Name: "definition-unknown.json", Path: "/services/no%20such%3Aservice.json"},

	creates(post("post-realtime.xml", "xml", "api_key=test-reporter-key&service_code=pothole&lat=40.7128&long=-74.0060&attribute%5Bsize%5D=medium&description=Hole+near+the+bus+stop&email=someone%40example.net&first_name=Sam"), "20000001", ""),
	creates(post("post-realtime.json", "json", "api_key=test-reporter-key&service_code=streetlight&address_string=5+Main+St&attribute%5Bpole_number%5D=P-1&attribute%5Bproblem%5D%5B%5D=out&attribute%5Bproblem%5D%5B%5D=damaged&attribute%5Bnoticed_at%5D=2026-11-01T21%3A30%3A00.250-05%3A00"), "20000002", ""),
	{Name: "post-multipart.json", ID: "20000003", Method: "POST", Path: "/requests.json", ContentType: "multipart/form-data; boundary=BOUNDARY",
		Body: multipartBody("api_key", "test-reporter-key", "service_code", "graffiti", "address_id", "CH-000777",
			"attribute[surface]", "wall", "attribute[details]", "Tags on the east wall, 2 m high. Ça va?")},
	{Name: "post-bearer.xml", ID: "20000004", Method: "POST", Path: "/requests.xml", ContentType: form, Header: map[string]string{"Authorization": "Bearer test-reporter-key"},
		Body: "service_code=tree&lat=40.71&long=-74.01&jurisdiction_id=city.example.org"},
	creates(post("post-batch.xml", "xml", "api_key=test-reporter-key&service_code=bulk-pickup&address_string=20+Elm+St&attribute%5Bitems%5D%5B%5D=sofa"), "20000005", "TOKEN-0005"),
	creates(post("post-batch.json", "json", "api_key=test-reporter-key&service_code=bulk-pickup&address_string=22+Elm+St&attribute%5Bitems%5D=other"), "20000006", "TOKEN-0006"),
	creates(post("post-blackbox.json", "json", "api_key=test-reporter-key&service_code=code-concern&address_string=9+Oak+St&description=Unsafe+wiring"), "20000007", ""),

	post("post-no-key.xml", "xml", "service_code=tree&lat=40.71&long=-74.01"),
	post("post-bad-key.json", "json", "api_key=wrong&service_code=tree&lat=40.71&long=-74.01"),
	post("post-no-location.xml", "xml", "api_key=test-reporter-key&service_code=tree"),
	post("post-half-coordinate.json", "json", "api_key=test-reporter-key&service_code=tree&lat=40.71"),
	post("post-bad-coordinates.xml", "xml", "api_key=test-reporter-key&service_code=tree&lat=91&long=east"),
	post("post-missing-required.json", "json", "api_key=test-reporter-key&service_code=pothole&lat=40.71&long=-74.01"),
	post("post-several-problems.xml", "xml", "api_key=test-reporter-key&service_code=pothole&lat=40.71&long=-74.01&attribute%5Bsize%5D=huge&attribute%5Bdepth_cm%5D=deep&attribute%5Bcolour%5D=red"),
	post("post-naive-datetime.json", "json", "api_key=test-reporter-key&service_code=streetlight&lat=40.71&long=-74.01&attribute%5Bpole_number%5D=P-2&attribute%5Bnoticed_at%5D=2026-11-01T21%3A30%3A00"),
	post("post-unknown-service.xml", "xml", "api_key=test-reporter-key&service_code=unicorns&lat=40.71&long=-74.01"),
	post("post-no-service-code.json", "json", "api_key=test-reporter-key&lat=40.71&long=-74.01"),
	post("post-bad-address-id.json", "json", "api_key=test-reporter-key&service_code=tree&address_id=12345"),
	post("post-malformed-form.xml", "xml", "api_key=test-reporter-key&service_code=tree&address_string=%zz"),
	post("post-invalid-utf8.json", "json", "api_key=test-reporter-key&service_code=tree&address_string=%ff%fe"),
	{Name: "post-wrong-content-type.json", Method: "POST", Path: "/requests.json", ContentType: "application/json",
		Body: `{"service_code":"tree"}`},
	{Name: "post-file-upload.xml", Method: "POST", Path: "/requests.xml", ContentType: "multipart/form-data; boundary=BOUNDARY",
		Body: "--BOUNDARY\r\nContent-Disposition: form-data; name=\"api_key\"\r\n\r\ntest-reporter-key\r\n--BOUNDARY\r\nContent-Disposition: form-data; name=\"service_code\"\r\n\r\ntree\r\n" +
			"--BOUNDARY\r\nContent-Disposition: form-data; name=\"media\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nJPEG\r\n--BOUNDARY--\r\n"},
	{Name: "post-broken-multipart.json", Method: "POST", Path: "/requests.json", ContentType: "multipart/form-data; boundary=BOUNDARY",
		Body: "--BOUNDARY\r\nContent-Disposition: form-data; name=\"api_key\"\r\n\r\ntest-reporter-key"},
	post("post-description-too-long.xml", "xml", "api_key=test-reporter-key&service_code=tree&lat=40.71&long=-74.01&description="+strings.Repeat("%C3%A9", 4001)),
	post("post-too-large.json", "json", "api_key=test-reporter-key&service_code=tree&lat=40.71&long=-74.01&description="+strings.Repeat("x", 300<<10)),
	post("post-key-of-other-jurisdiction.xml", "xml", "api_key=test-other-city-key&service_code=tree&lat=40.71&long=-74.01"),
	post("post-revoked-key.json", "json", "api_key=test-revoked-key&service_code=tree&lat=40.71&long=-74.01"),

	{Name: "token-pending.xml", Path: "/tokens/TOKEN-PENDING.xml"},
	{Name: "token-accepted.json", Path: "/tokens/TOKEN-ACCEPTED.json"},
	{Name: "token-unknown.json", Path: "/tokens/NOPE.json"},

	{Name: "requests.xml", Path: "/requests.xml"},
	{Name: "requests.json", Path: "/requests.json"},
	{Name: "requests-by-ids.json", Path: "/requests.json?service_request_id=100001,100003,100007,999999&status=open"},
	{Name: "requests-service-code.xml", Path: "/requests.xml?service_code=pothole,graffiti"},
	{Name: "requests-status-closed.json", Path: "/requests.json?status=closed"},
	{Name: "requests-dates.json", Path: "/requests.json?start_date=2026-07-01T00:00:00Z&end_date=2026-09-20T00:00:00-04:00"},
	{Name: "requests-updated-after.json", Path: "/requests.json?updated_after=2026-10-30T00:00:00Z"},
	{Name: "requests-page-size.json", Path: "/requests.json?page_size=2&status="},
	{Name: "requests-page-2.xml", Path: "/requests.xml?page_size=2&page=2"},
	{Name: "requests-page-past-end.json", Path: "/requests.json?page_size=2&page=50"},
	{Name: "requests-bad-status.json", Path: "/requests.json?status=pending"},
	{Name: "requests-bad-dates.xml", Path: "/requests.xml?start_date=yesterday&end_date=2026-11-01T10:00:00"},
	{Name: "requests-range-too-long.json", Path: "/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"},
	{Name: "requests-bad-page-size.xml", Path: "/requests.xml?page_size=5000"},
	{Name: "requests-bad-cursor.json", Path: "/requests.json?cursor=not-a-cursor"},

	{Name: "request.xml", Path: "/requests/100003.xml"},
	{Name: "request.json", Path: "/requests/100003.json"},
	{Name: "request-closed.json", Path: "/requests/100002.json"},
	{Name: "request-unknown.xml", Path: "/requests/424242.xml"},
	{Name: "request-private.json", Path: "/requests/100007.json"},
	{Name: "request-pending-batch.json", Path: "/requests/100005.json"},

	// The staff queue: a staff key (Bearer, or api_key in the query) also sees what the public
	// never does (the submitted 100005, 20000005 and 20000006, the private 100007), with the
	// staff filters; a reporter key reads as the public (TestReporterReadsAsPublic); a key that
	// is not valid here is refused.
	staffGet("staff-requests.json", "/requests.json"),
	staffGet("staff-requests.xml", "/requests.xml?page_size=3"),
	{Name: "staff-requests-submitted.xml", Path: "/requests.xml?api_key=" + StaffKey + "&detailed_status=SUBMITTED"},
	staffGet("staff-requests-detailed-status.json", "/requests.json?detailed_status=in_progress,submitted&service_code=streetlight,code-concern"),
	staffGet("staff-requests-agency.json", "/requests.json?agency_responsible=public+works"),
	staffGet("staff-requests-agency.xml", "/requests.xml?agency_responsible=Public+Works&status=open"),
	staffGet("staff-requests-q.json", "/requests.json?q=PRIVATE+rep"),
	staffGet("staff-requests-q.xml", "/requests.xml?q=HOLE&status=open"),
	staffGet("staff-requests-by-ids.json", "/requests.json?service_request_id=100007,100005,100003,999999"),
	staffGet("staff-requests-bad-detailed-status.json", "/requests.json?detailed_status=pending"),
	staffGet("staff-request-private.json", "/requests/100007.json"),
	staffGet("staff-request-private.xml", "/requests/100007.xml?extensions=true"),
	staffGet("staff-request-pending-batch.json", "/requests/100005.json"),
	staffGet("staff-token-pending.json", "/tokens/TOKEN-PENDING.json"),
	{Name: "staff-token-pending.xml", Path: "/tokens/TOKEN-PENDING.xml?api_key=" + StaffKey},
	{Name: "requests-public-ignores-staff-filters.json", Path: "/requests.json?detailed_status=submitted&q=nothing+matches+this"},
	{Name: "requests-bad-key.json", Path: "/requests.json", Header: map[string]string{"Authorization": "Bearer wrong"}},
	{Name: "requests-revoked-key.xml", Path: "/requests.xml?api_key=" + RevokedKey},
	{Name: "request-bad-key.xml", Path: "/requests/100007.xml", Header: map[string]string{"Authorization": "Bearer wrong"}},
	{Name: "token-bad-key.json", Path: "/tokens/TOKEN-PENDING.json?api_key=wrong"},
	{Name: "requests-staff-of-other-jurisdiction.json", Path: "/requests.json", Header: map[string]string{"Authorization": "Bearer " + OtherStaffKey}},
	{Name: "request-staff-of-other-jurisdiction.xml", Path: "/requests/100007.xml?api_key=" + OtherStaffKey},
	{Name: "token-staff-of-other-jurisdiction.xml", Path: "/tokens/TOKEN-PENDING.xml", Header: map[string]string{"Authorization": "Bearer " + OtherStaffKey}},

	// The life of a request: jurisdictions, extensions, staff changes, FixMyStreet updates, geo.
	{Name: "jurisdictions.xml", Path: "/jurisdictions.xml"},
	{Name: "jurisdictions-at-point.json", Path: "/jurisdictions.json?lat=40.7128&long=-74.0060"},
	{Name: "jurisdictions-elsewhere.xml", Path: "/jurisdictions.xml?lat=48.8566&long=2.3522"},
	{Name: "jurisdictions-nowhere-default.json", Path: "/jurisdictions.json?lat=0&long=0"},
	{Name: "jurisdictions-half-point.xml", Path: "/jurisdictions.xml?lat=40.7"},
	{Name: "request-extended.json", Path: "/requests/100003.json?extensions=true"},
	{Name: "requests-extended.xml", Path: "/requests.xml?extensions=true&page_size=2&service_code=streetlight,pothole"},
	{Name: "requests-near.json", Path: "/requests.json?lat=40.7130&long=-74.0046&radius=200"},
	{Name: "requests-bbox.xml", Path: "/requests.xml?bbox=-74.01,40.70,-74.00,40.72"},
	{Name: "requests-bad-bbox.json", Path: "/requests.json?bbox=-74.01,40.72,-74.00"},
	{Name: "requests-bad-radius.xml", Path: "/requests.xml?lat=40.7&long=-74&radius=-5"},

	staff("update-assign.json", "/requests/100004.json", "status=assigned&agency_responsible=Parks+Department&expected_datetime=2026-11-05T17%3A00%3A00-05%3A00&comment=Crew+booked+for+Thursday"),
	reporter("update-reporter-comment.xml", "/requests/100004.xml", "comment=Still+there+this+morning&media_url=https%3A%2F%2Fphotos.example.org%2Fp%2F9.jpg"),
	reporter("update-reporter-status.json", "/requests/100004.json", "status=closed"),
	staff("update-illegal-transition.json", "/requests/100004.json", "status=submitted"),
	staff("update-nothing.xml", "/requests/100004.xml", "who=Dispatch"),
	staff("update-unknown.json", "/requests/999999.json", "comment=hello"),
	staff("update-link-self.xml", "/requests/100004.xml", "related_to=100004"),
	staff("update-duplicate.json", "/requests/20000002.json", "duplicate_of=100003&who=Streetlight+desk"),
	staff("update-accept-batch.json", "/requests/100005.json", "status=open&comment=Pickup+accepted"),
	{Name: "token-after-accept.xml", Path: "/tokens/TOKEN-PENDING.xml"},
	reporter("update-private.json", "/requests/100007.json", "comment=any+news%3F"),

	fms("fms-post-staff.xml", "xml", "test-staff-key", "service_request_id=100003&update_id=fms-1&status=FIXED&updated_datetime=2026-11-02T14%3A55%3A00Z&description=Lamp+replaced&first_name=Jo&email=jo%40example.net"),
	fms("fms-post-repeat.xml", "xml", "test-staff-key", "service_request_id=100003&update_id=fms-1&status=FIXED&updated_datetime=2026-11-02T14%3A55%3A00Z&description=Lamp+replaced&first_name=Jo&email=jo%40example.net"),
	fms("fms-post-reporter.json", "json", "test-reporter-key", "service_request_id=100002&update_id=fms-2&status=OPEN&description=It+is+back"),
	fms("fms-post-unknown-status.xml", "xml", "test-staff-key", "service_request_id=100003&update_id=fms-3&status=BROKEN"),
	fms("fms-post-no-request.json", "json", "test-staff-key", "update_id=fms-4&status=OPEN"),
	fms("fms-post-reused-update-id.json", "json", "test-staff-key", "service_request_id=100004&update_id=fms-1&status=OPEN"),
	{Name: "fms-get.xml", Path: "/servicerequestupdates.xml?start_date=2026-10-01T00:00:00Z&end_date=2026-11-02T16:00:00Z"},
	{Name: "fms-get-default.json", Path: "/servicerequestupdates.json"},
	{Name: "fms-get-range-too-long.json", Path: "/servicerequestupdates.json?start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z"},
	{Name: "request-after-lifecycle.json", Path: "/requests/100004.json?extensions=true"},

	{Name: "post-idempotent.json", ID: "20000016", Method: "POST", Path: "/requests.json", ContentType: form, Header: map[string]string{"Idempotency-Key": "app-7f3a"},
		Body: "api_key=test-reporter-key&service_code=tree&lat=40.7101&long=-74.0102&description=Branch+on+the+path"},
	{Name: "post-idempotent-retry.json", Method: "POST", Path: "/requests.json", ContentType: form, Header: map[string]string{"Idempotency-Key": "app-7f3a"},
		Body: "api_key=test-reporter-key&service_code=tree&lat=40.7101&long=-74.0102&description=Branch+on+the+path"},
	{Name: "requests-after-retry.json", Path: "/requests.json?service_code=tree"},

	// Encodings clients use: PHP's indexed list fields, an unquoted multipart boundary holding
	// "=", an offset whose "+" was not escaped in the query string; and a key in the URL.
	creates(post("post-indexed-attributes.json", "json", "api_key=test-reporter-key&service_code=streetlight&lat=40.7133&long=-74.0051&attribute%5Bpole_number%5D=P-77&attribute%5Bproblem%5D%5B1%5D=flickering&attribute%5Bproblem%5D%5B0%5D=out"), "20000031", ""),
	{Name: "post-unquoted-boundary.xml", ID: "20000032", Method: "POST", Path: "/requests.xml", ContentType: "multipart/form-data; boundary====1796160280327===",
		Body: strings.ReplaceAll(multipartBody("api_key", "test-reporter-key", "service_code", "graffiti", "address_string", "Pier 17",
			"attribute[surface]", "wall"), "BOUNDARY", "===1796160280327===")},
	{Name: "requests-offset-unescaped.json", Path: "/requests.json?service_code=streetlight&extensions=true&updated_after=2026-11-02T10:00:00-05:00&updated_before=2026-11-02T17:00:00+01:00"},
	{Name: "post-key-in-url.json", Method: "POST", Path: "/requests.json?api_key=test-reporter-key", ContentType: form,
		Body: "service_code=tree&lat=40.71&long=-74.01"},

	{Name: "double-slash.json", Path: "//services.json"},
	// The version prefix and HEAD are routes on API Gateway too (api.GatewayRoutes).
	{Name: "prefix-definition.xml", Path: "/open311/v2/services/pothole.xml"},
	{Name: "head-request.json", Method: "HEAD", Path: "/requests/100003.json"},
	{Name: "unknown-route.json", Path: "/nothing/here.json"},
	{Name: "unknown-route.xml", Path: "/requests"},
	{Name: "wrong-method.xml", Method: "DELETE", Path: "/requests.xml"},
	{Name: "wrong-method.json", Method: "PUT", Path: "/services/pothole.json"},

	// Staff move a request whose pin was on the wrong block (its area feeds follow: issue 15).
	staff("update-move.json", "/requests/100002.json", "lat=40.7101&long=-73.99&comment=The+pin+was+on+the+wrong+block"),
	staff("update-move-half.xml", "/requests/100002.xml", "lat=40.7101"),
}

// FeedCases are the golden exchanges of GET /feeds, sent to a world that publishes feeds
// (api.Options.FeedBase FeedBase), in order, after none of Cases.
var FeedCases = []Case{
	{Name: "feeds-at-point.json", Path: "/feeds.json?lat=40.71455&long=-74.00712"},
	{Name: "feeds-at-point.xml", Path: "/feeds.xml?lat=40.7&long=-74"},
	{Name: "feeds-in-box.xml", Path: "/feeds.xml?bbox=-74.006,40.713,-74.004,40.716"},
	{Name: "feeds-outside-areas.json", Path: "/feeds.json?lat=40.60&long=-73.90"},
	{Name: "feeds-box-too-big.json", Path: "/feeds.json?bbox=-74.03,40.69,-73.97,40.75"},
	{Name: "feeds-bad-bbox.xml", Path: "/feeds.xml?bbox=-74.01,40.72,-74.00"},
	{Name: "feeds-half-point.json", Path: "/feeds.json?lat=40.7"},
	{Name: "feeds-no-place.xml", Path: "/feeds.xml"},
	{Name: "feeds-point-and-box.json", Path: "/feeds.json?lat=40.7&long=-74&bbox=-74.01,40.70,-74.00,40.72"},
	{Name: "feeds-unknown-jurisdiction.xml", Path: "/feeds.xml?jurisdiction_id=nowhere.example&lat=40.7&long=-74"},
}

// FeedBase is where the world of FeedCases publishes its feeds.
const FeedBase = "https://feeds.city.example.org/"
