package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// zoned is a date-time with a zone, as the page must send a datetime attribute.
var zoned = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$`)

// chromium finds Debian's chromium; without it the test skips, except under CI.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is needed under CI: apt-get install -y chromium")
	}
	t.Skip("needs chromium: apt-get install -y chromium")
	return ""
}

// browserSizes are the two sizes every page is photographed at.
var browserSizes = []struct {
	name   string
	w, h   int64
	mobile bool
}{{"phone", 390, 844, true}, {"desktop", 1280, 800, false}}

// TestBrowser drives the web app in headless chromium: a citizen files a report with a photo;
// staff sign in in another tab, find it in the queue, assign it and close it; the citizen's page
// shows each status, and the request's feed has an entry for each. Every page is saved as a
// screenshot at a phone's and a desktop's size in $WEBAPP_SCREENSHOTS (else a temporary folder).
func TestBrowser(t *testing.T) {
	exe := chromium(t)
	shots := os.Getenv("WEBAPP_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	const staffKey = "staff-browser-key"
	cfg := Config{Data: t.TempDir(), ReporterKey: "reporter-browser-key", StaffKey: staffKey, TileURL: "none"}
	s := startStack(t, cfg)
	cfg.Addr = strings.TrimPrefix(s.base, "http://") // a restart listens where the page calls

	photo := filepath.Join(t.TempDir(), "pothole.jpg")
	writeJPEG(t, photo)

	alloc, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true), chromedp.Flag("lang", "en-US"))...)
	defer cancel()
	ctx, cancel := context.WithTimeout(alloc, 3*time.Minute)
	defer cancel()
	citizen, cancel := chromedp.NewContext(ctx)
	defer cancel()
	staff, cancel := chromedp.NewContext(citizen) // another tab: its own sessionStorage
	defer cancel()

	do := func(tab context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tab, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	until := func(tab context.Context, what, js string) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
			body, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById("main").innerText`))
			t.Fatalf("%s: %v; the page says:\n%s", what, err, body)
		}
	}
	shot := func(tab context.Context, name string) {
		t.Helper()
		// Every control of every page has a name a screen reader reads.
		unlabelled, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`[...document.querySelectorAll("input, select, textarea, button")]
			.filter((e) => e.type !== "hidden" && !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.textContent.trim())
			.map((e) => e.outerHTML.slice(0, 80))`))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(unlabelled) > 0 {
			t.Errorf("%s: controls without a label: %v", name, unlabelled)
		}
		for _, size := range browserSizes {
			opts := []chromedp.EmulateViewportOption{}
			if size.mobile {
				opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			do(tab, "resize", chromedp.EmulateViewport(size.w, size.h, opts...), chromedp.Sleep(150*time.Millisecond))
			png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot %s: %v", name, err)
			}
			if err := os.WriteFile(filepath.Join(shots, fmt.Sprintf("%s-%s.png", name, size.name)), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	detailed := func(status string) string {
		return `document.querySelector("[data-detailed-status]")?.dataset.detailedStatus === "` + status + `"`
	}

	choose := func(tab context.Context, sel, value string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector(`+"`"+sel+"`"+`);
				s.value = "`+value+`"; s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`))
			return err
		})
	}

	// A streetlight report, every other datatype: a string, two values of a multivaluelist, a
	// datetime; located by address. The connection drops as it is sent: the page says so and
	// keeps every field; once the server is back, the same click files it.
	do(citizen, "open the report page", chromedp.Navigate(s.base+"/#/"))
	until(citizen, "the services", `document.querySelectorAll("select[name=service_code] option").length > 5`)
	do(citizen, "choose streetlight", choose(citizen, "select[name=service_code]", "streetlight"))
	until(citizen, "the streetlight's attributes", `!!document.querySelector("input[name='attribute[noticed_at]'][type=datetime-local]") && document.querySelectorAll("input[name='attribute[problem]'][type=checkbox]").length > 1`)
	do(citizen, "fill it in",
		chromedp.SendKeys(chromedp.CSS("input[name='attribute[pole_number]']"), "SL-1042"),
		chromedp.Click(chromedp.CSS("input[name='attribute[problem]'][type=checkbox]:nth-of-type(1)")),
		chromedp.SendKeys(chromedp.CSS("input[name=address_string]"), "5 Centre Street"),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
				const boxes = document.querySelectorAll("input[name='attribute[problem]']"); boxes[boxes.length - 1].click();
				document.querySelector("input[name='attribute[noticed_at]']").value = "2026-11-30T21:30"; return true; })()`))
			return err
		}))
	if err := s.stop(nil); err != nil {
		t.Fatal(err)
	}
	do(citizen, "send while the server is down", chromedp.Click(chromedp.CSS("form.report button[type=submit]")))
	until(citizen, "the lost connection said", `document.querySelector(".form-errors").innerText.includes("connection to the server was lost")`)
	if v, _ := chromedp.Run(citizen, chromedp.Value(chromedp.CSS("input[name='attribute[pole_number]']"))); v != "SL-1042" {
		t.Errorf("after the lost connection the pole number is %q: what the user typed must stay", v)
	}
	shot(citizen, "0-report-offline")
	s = startStack(t, cfg)
	do(citizen, "send again", chromedp.Click(chromedp.CSS("form.report button[type=submit]")))
	until(citizen, "the streetlight answer", `!!document.querySelector("#request-link")`)
	href, err := chromedp.Run(citizen, chromedp.AttributeValue(chromedp.CSS("#request-link"), "href"))
	if err != nil {
		t.Fatal(err)
	}
	status, body := get(t, s.base+"/requests/"+strings.TrimPrefix(href.Value, "#/requests/")+".json?extensions=true")
	var sent []struct {
		Address  string `json:"address"`
		Extended struct {
			Attributes map[string][]string `json:"attributes"`
		} `json:"extended_attributes"`
	}
	if err := json.Unmarshal([]byte(body), &sent); status != 200 || err != nil || len(sent) != 1 {
		t.Fatalf("the streetlight request: %d %v %s", status, err, body)
	}
	a := sent[0].Extended.Attributes
	if sent[0].Address != "5 Centre Street" || strings.Join(a["pole_number"], ",") != "SL-1042" || len(a["problem"]) != 2 ||
		len(a["noticed_at"]) != 1 || !zoned.MatchString(a["noticed_at"][0]) {
		t.Errorf("the streetlight request as stored: %s", body)
	}

	// The citizen: the report form, built from the pothole's definition.
	do(citizen, "open the report page again", chromedp.Navigate(s.base+"/#/requests"), chromedp.Navigate(s.base+"/#/"))
	until(citizen, "the services", `document.querySelectorAll("select[name=service_code] option").length > 5`)
	do(citizen, "choose pothole", choose(citizen, "select[name=service_code]", "pothole"))
	until(citizen, "the pothole's attributes", `!!document.querySelector("select[name='attribute[size]']")`)
	do(citizen, "describe it",
		chromedp.SendKeys(chromedp.CSS("textarea[name=description]"), "A deep hole by the crossing"),
		chromedp.Click(chromedp.CSS(".map-view")),
		chromedp.SetUploadFiles(chromedp.CSS("input[type=file][name=media]"), []string{photo}))
	until(citizen, "a point picked on the map", `document.querySelector("input[name=lat]").value !== "" && document.querySelector("input[name=long]").value !== ""`)
	shot(citizen, "1-report-form")

	// Sent without the required size: the server's error, next to the Size field.
	do(citizen, "send without a size", chromedp.Click(chromedp.CSS("form.report button[type=submit]")))
	until(citizen, "the error next to Size", `!!document.querySelector('[data-field="attribute-size"] .field-error')`)
	if v, _ := chromedp.Run(citizen, chromedp.Value(chromedp.CSS("textarea[name=description]"))); v != "A deep hole by the crossing" {
		t.Errorf("after the error the description is %q: what the user typed must stay", v)
	}
	shot(citizen, "2-report-errors")
	do(citizen, "choose a size and send", choose(citizen, "select[name='attribute[size]']", "large"), chromedp.Click(chromedp.CSS("form.report button[type=submit]")))
	until(citizen, "the answer", `!!document.querySelector("#request-link") && !!document.querySelector("#feed-link")`)
	shot(citizen, "3-report-sent")
	href, err = chromedp.Run(citizen, chromedp.AttributeValue(chromedp.CSS("#request-link"), "href"))
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(href.Value, "#/requests/")
	if id == "" || id == href.Value {
		t.Fatalf("request link %q", href.Value)
	}

	// Its page: open, with the photo.
	do(citizen, "open its page", chromedp.Click(chromedp.CSS("#request-link")))
	until(citizen, "open on its page", detailed("open"))
	until(citizen, "its photo", `!!document.querySelector(".photos img") && document.querySelector(".photos img").naturalWidth > 0`)
	shot(citizen, "4-request-open")

	// The public list holds it.
	do(citizen, "open the list", chromedp.Navigate(s.base+"/#/requests?service_code=pothole"))
	until(citizen, "the list with it", `!!document.querySelector('table.requests a[href="#/requests/`+id+`"]') && document.querySelectorAll(".marker").length > 0`)
	shot(citizen, "5-list")

	// Staff: sign in, the queue, the request.
	do(staff, "open the console", chromedp.Navigate(s.base+"/#/staff"))
	until(staff, "the sign-in form", `!!document.querySelector("#staff-key")`)
	shot(staff, "6-staff-signin")
	do(staff, "sign in with a wrong key", chromedp.SendKeys(chromedp.CSS("#staff-key"), "not-a-key"), chromedp.Click(chromedp.CSS("form.signin button")))
	until(staff, "the refusal", `document.querySelector(".form-errors").innerText.includes("api_key")`)
	do(staff, "sign in", chromedp.SetValue(chromedp.CSS("#staff-key"), staffKey), chromedp.Click(chromedp.CSS("form.signin button")))
	until(staff, "the queue with it", `!!document.querySelector('table.queue tr[data-id="`+id+`"]')`)
	if stored, _ := chromedp.Run(staff, chromedp.Evaluate[string](`sessionStorage.getItem("open311.staffKey") + "|" + localStorage.length`)); stored != staffKey+"|0" {
		t.Errorf("the staff key is kept as %q (sessionStorage only)", stored)
	}
	shot(staff, "7-staff-queue")
	do(staff, "open it", chromedp.Click(chromedp.CSS(`table.queue a[href="#/staff/`+id+`"]`)))
	until(staff, "its moves", `!!document.querySelector('[data-move="assigned"]') && !document.querySelector('[data-move="submitted"]')`)
	shot(staff, "8-staff-request")
	do(staff, "assign it", chromedp.SendKeys(chromedp.CSS("#assign-agency"), "Street Maintenance"), chromedp.Click(chromedp.CSS("form.assign button[type=submit]")))
	until(staff, "assigned", detailed("assigned"))

	do(citizen, "the citizen's page again", chromedp.Navigate(s.base+"/#/requests/"+id))
	until(citizen, "assigned on the citizen's page", detailed("assigned")+` && document.querySelector(".facts").innerText.includes("Street Maintenance")`)
	shot(citizen, "9-request-assigned")

	do(staff, "close it", chromedp.SendKeys(chromedp.CSS("#move-notes"), "Filled this morning"), chromedp.Click(chromedp.CSS(`[data-move="closed"]`)))
	until(staff, "closed", detailed("closed")+` && !!document.querySelector('[data-move="open"]')`)
	shot(staff, "10-staff-closed")

	do(citizen, "refresh the citizen's page", chromedp.Click(chromedp.CSS("#refresh")))
	until(citizen, "closed on the citizen's page", detailed("closed")+` && document.querySelector(".facts").innerText.includes("Filled this morning")`)
	shot(citizen, "11-request-closed")
	feedURL, err := chromedp.Run(citizen, chromedp.AttributeValue(chromedp.CSS("#feed-link"), "href"))
	if err != nil {
		t.Fatal(err)
	}
	// The feed has an entry for each change, newest first: closed, assigned, open.
	feedHas(t, feedURL.Value, "closed assigned open")

	// A batch request: the citizen gets a token; staff find it in the queue as submitted, accept
	// it, and then it is public.
	do(citizen, "report a bulk pickup", chromedp.Navigate(s.base+"/#/requests"), chromedp.Navigate(s.base+"/#/"))
	until(citizen, "the services", `document.querySelectorAll("select[name=service_code] option").length > 5`)
	do(citizen, "choose bulk pickup", choose(citizen, "select[name=service_code]", "bulk-pickup"))
	until(citizen, "its items", `document.querySelectorAll("input[name='attribute[items]']").length > 0`)
	do(citizen, "fill it in and send", chromedp.Click(chromedp.CSS("input[name='attribute[items]']")),
		chromedp.SendKeys(chromedp.CSS("input[name=address_string]"), "12 Park Row"),
		chromedp.Click(chromedp.CSS("form.report button[type=submit]")))
	until(citizen, "the token", `document.getElementById("main").innerText.includes("reviewed before it is published")`)
	shot(citizen, "12-report-batch-token")
	do(staff, "the queue of submitted requests", chromedp.Navigate(s.base+"/#/staff?detailed_status=submitted"))
	until(staff, "the batch request in the queue", `!!document.querySelector('table.queue tr[data-service="bulk-pickup"] a')`)
	batch, err := chromedp.Run(staff, chromedp.Evaluate[string](`document.querySelector('table.queue tr[data-service="bulk-pickup"]').dataset.id`))
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := get(t, s.base+"/requests/"+batch+".json"); status != 404 {
		t.Errorf("the batch request before acceptance: %d, want 404 for the public", status)
	}
	do(staff, "open it", chromedp.Click(chromedp.CSS(`table.queue a[href="#/staff/`+batch+`"]`)))
	until(staff, "Accept and Reject", `document.querySelector('[data-move="open"]')?.textContent === "Accept" && document.querySelector('[data-move="rejected"]')?.textContent === "Reject"`)
	shot(staff, "13-staff-batch")
	do(staff, "accept it", chromedp.Click(chromedp.CSS(`[data-move="open"]`)))
	until(staff, "accepted", detailed("open"))
	if status, _ := get(t, s.base+"/requests/"+batch+".json"); status != 200 {
		t.Errorf("the batch request after acceptance: %d, want 200", status)
	}

	// A second report at the same spot: staff see the first among the nearby requests and mark
	// this one its duplicate, which closes it and links the two.
	do(citizen, "report the pothole again", chromedp.Navigate(s.base+"/#/requests"), chromedp.Navigate(s.base+"/#/"))
	until(citizen, "the services", `document.querySelectorAll("select[name=service_code] option").length > 5`)
	do(citizen, "choose pothole", choose(citizen, "select[name=service_code]", "pothole"))
	until(citizen, "the pothole's attributes", `!!document.querySelector("select[name='attribute[size]']")`)
	do(citizen, "fill it in and send", choose(citizen, "select[name='attribute[size]']", "small"), chromedp.EmulateViewport(1280, 800),
		chromedp.Click(chromedp.CSS(".map-view")), chromedp.Click(chromedp.CSS("form.report button[type=submit]")))
	until(citizen, "the second answer", `!!document.querySelector("#request-link")`)
	href, err = chromedp.Run(citizen, chromedp.AttributeValue(chromedp.CSS("#request-link"), "href"))
	if err != nil {
		t.Fatal(err)
	}
	second := strings.TrimPrefix(href.Value, "#/requests/")
	do(staff, "open the second", chromedp.Navigate(s.base+"/#/staff/"+second))
	until(staff, "the first among the nearby", `!!document.querySelector('[data-duplicate-of="`+id+`"]')`)
	shot(staff, "14-staff-nearby")
	do(staff, "mark it a duplicate", chromedp.Click(chromedp.CSS(`[data-duplicate-of="`+id+`"]`)))
	until(staff, "closed as a duplicate", detailed("closed")+` && document.body.innerText.includes("Duplicate of `+id+`")`)
	do(citizen, "the first's page", chromedp.Navigate(s.base+"/#/requests/"+id))
	until(citizen, "the duplicate linked on the first's page", `!!document.querySelector('a[href="#/requests/`+second+`"]')`)

	// The first request's feed now has the link too: an entry more, newest first.
	feedHas(t, feedURL.Value, "closed closed assigned open")

	// Staff remove the first request's photo: the first press asks, the second removes it; the
	// citizen's page has no photo then, its URL answers 404, and the feed says so.
	photoURL, err := chromedp.Run(citizen, chromedp.AttributeValue(chromedp.CSS(".photos a"), "href"))
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := get(t, photoURL.Value); status != 200 {
		t.Fatalf("the photo %s before its removal: %d", photoURL.Value, status)
	}
	do(staff, "the first request in the console", chromedp.Navigate(s.base+"/#/staff/"+id))
	until(staff, "its photo with a remove button", `!!document.querySelector(".photos-staff img") && !!document.querySelector("[data-remove-photo]")`)
	do(staff, "press remove once", chromedp.Click(chromedp.CSS("[data-remove-photo]")))
	until(staff, "the question", `document.querySelector("[data-remove-photo]").textContent.includes("again")`)
	shot(staff, "15-staff-remove-photo")
	if status, _ := get(t, photoURL.Value); status != 200 {
		t.Errorf("the photo after one press: %d, want it still there", status)
	}
	do(staff, "press remove again", chromedp.Click(chromedp.CSS("[data-remove-photo]")))
	until(staff, "the photo gone from the console", `!document.querySelector(".photos-staff") && document.body.innerText.includes("removed")`)
	do(citizen, "the first's page again", chromedp.Navigate(s.base+"/#/requests"), chromedp.Navigate(s.base+"/#/requests/"+id))
	until(citizen, "no photo on the citizen's page", `!!document.querySelector(".facts") && !document.querySelector(".photos")`)
	if status, _ := get(t, photoURL.Value); status != 404 {
		t.Errorf("the removed photo %s: %d, want 404", photoURL.Value, status)
	}
	feedHas(t, feedURL.Value, "closed closed closed assigned open")
}

// feedHas waits (the feeds are rebuilt moments after a write) for the feed at u to have entries
// of the categories want, newest first.
func feedHas(t *testing.T, u, want string) {
	t.Helper()
	var cats []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if cats = feedCategories(t, u); strings.Join(cats, " ") == want {
			return
		}
	}
	t.Errorf("feed %s: entries %v, want %s", u, cats, want)
}

// feedCategories reads an Atom feed's entries' categories (the status after each activity).
func feedCategories(t *testing.T, u string) []string {
	t.Helper()
	status, body := get(t, u)
	if status != 200 {
		return nil
	}
	var f struct {
		Entries []struct {
			Category struct {
				Term string `xml:"term,attr"`
			} `xml:"category"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatalf("feed %s: %v", u, err)
	}
	var cats []string
	for _, e := range f.Entries {
		cats = append(cats, e.Category.Term)
	}
	return cats
}

// writeJPEG writes a small JPEG photo.
func writeJPEG(t *testing.T, name string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 90))
	for y := range 90 {
		for x := range 120 {
			img.Set(x, y, color.RGBA{uint8(x * 2), uint8(y * 2), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
