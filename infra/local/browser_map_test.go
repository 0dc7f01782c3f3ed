package main

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/civicworks/open311/pkg/webapp"
)

// slippyTile is the OpenStreetMap tile holding lat/long at zoom z, by the wiki's formula.
func slippyTile(lat, long float64, z int) (int, int) {
	n := math.Exp2(float64(z))
	x := int((long + 180) / 360 * n)
	r := lat * math.Pi / 180
	y := int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n)
	return x, y
}

// TestBrowserMap checks the map's Web Mercator maths in the page against the slippy-map
// formula, and that the list's map asks the configured tile server for the tiles around its
// requests (and shows them) with {z}/{x}/{y} filled in.
func TestBrowserMap(t *testing.T) {
	exe := chromium(t)
	var mu sync.Mutex
	var asked []string
	tiles := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "image/png")
		_ = png.Encode(w, image.NewGray(image.Rect(0, 0, 256, 256)))
	}))
	defer tiles.Close()
	s := startStack(t, Config{Data: t.TempDir(), TileURL: tiles.URL + "/{z}/{x}/{y}.png"})

	alloc, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true))...)
	defer cancel()
	ctx, cancel := context.WithTimeout(alloc, time.Minute)
	defer cancel()
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(s.base+"/#/requests")); err != nil {
		t.Fatal(err)
	}

	// The maths: known places, at several zooms.
	for _, p := range []struct{ lat, long float64 }{{40.7128, -74.006}, {51.5074, -0.1278}, {-33.8688, 151.2093}, {0, 0}} {
		for _, z := range []int{3, 12, 17} {
			got, err := chromedp.Run(tab, chromedp.Evaluate[[]float64](fmt.Sprintf(`import("./app/js/map.js").then((m) => {
				const p = m.project(%[1]g, %[2]g, %[3]d), back = m.unproject(p.x, p.y, %[3]d);
				return [Math.floor(p.x / 256), Math.floor(p.y / 256), back.lat, back.lon]; })`, p.lat, p.long, z), chromedp.EvalAsValue, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			x, y := slippyTile(p.lat, p.long, z)
			if len(got) != 4 || int(got[0]) != x || int(got[1]) != y || math.Abs(got[2]-p.lat) > 1e-9 || math.Abs(got[3]-p.long) > 1e-9 {
				t.Errorf("%v at zoom %d: page %v, want tile %d/%d and the point back", p, z, got, x, y)
			}
		}
	}

	// The keyboard: on the report page's map, two steps right and Enter pick a point east of the
	// centre.
	if err := chromedp.Do(tab, chromedp.Navigate(s.base+"/#/")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`!!document.querySelector(".map-pick")`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	// With a reporter key (the local server's), the form can be sent.
	if off, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector("form.report button[type=submit]").disabled`)); err != nil || off {
		t.Errorf("the report form's button is disabled (%v) though the page has a reporter key", err)
	}
	if err := chromedp.Do(tab, chromedp.Focus(chromedp.CSS(".map-view")), chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	picked, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`[document.querySelector("input[name=lat]").value, document.querySelector("input[name=long]").value]`))
	if err != nil {
		t.Fatal(err)
	}
	var lat, long float64
	if _, err := fmt.Sscan(picked[0]+" "+picked[1], &lat, &long); err != nil || math.Abs(lat-40.72) > 1e-3 || long <= -74 || long > -73.9 {
		t.Errorf("picked with the keyboard %v (%v), want east of the centre 40.72,-74", picked, err)
	}
	// The web app on another origin (as on the CDN), published without a reporter key: it reads
	// the API across origins, and its report page says it cannot send rather than failing.
	bare, err := webapp.Handler(webapp.Config{APIBase: s.base, TileURL: "none"}, http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	cdn := httptest.NewServer(bare)
	defer cdn.Close()
	if err := chromedp.Do(tab, chromedp.Navigate(cdn.URL+"/#/")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`document.querySelectorAll("select[name=service_code] option").length > 5 &&
		document.querySelector("form.report button[type=submit]").disabled && document.querySelector(".form-errors").innerText.includes("no API key")`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		body, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById("main").innerText`))
		t.Errorf("the keyless page from another origin: %v\n%s", err, body)
	}

	if err := chromedp.Do(tab, chromedp.Navigate(s.base+"/#/requests")); err != nil {
		t.Fatal(err)
	}

	// The tiles: the list's map fits the demo requests and loads the tiles around them.
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`document.querySelectorAll(".map-tiles img").length > 0 &&
		[...document.querySelectorAll(".map-tiles img")].every((i) => i.complete && i.naturalWidth === 256) && document.querySelectorAll(".marker").length > 0`,
		chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("the map's tiles: %v", err)
	}
	srcs, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".map-tiles img")].map((i) => new URL(i.src).pathname)`))
	if err != nil {
		t.Fatal(err)
	}
	zoom, err := chromedp.Run(tab, chromedp.Evaluate[[]float64](`(() => { const m = document.querySelector(".marker"); const v = document.querySelector(".map-view").getBoundingClientRect();
		const r = m.getBoundingClientRect(); return [r.left - v.left, r.top - v.top, v.width, v.height]; })()`))
	if err != nil {
		t.Fatal(err)
	}
	if len(zoom) != 4 || zoom[0] < 0 || zoom[1] < -20 || zoom[0] > zoom[2] || zoom[1] > zoom[3] {
		t.Errorf("a marker at %v, outside the map", zoom)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range srcs {
		if !slices.Contains(asked, p) {
			t.Errorf("tile %s shown but never asked for (asked %v)", p, asked)
		}
	}
	if len(srcs) < 4 {
		t.Errorf("only %d tiles on a 1280-pixel-wide map: %v", len(srcs), srcs)
	}
}
