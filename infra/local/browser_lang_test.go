package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserLanguages opens the report page in a browser whose language is Mexican Spanish:
// the page is in Spanish (es, its nearest language), left to right, its services in the demo
// catalog's Spanish ("Bache"); the switcher then picks Arabic, kept for the next visit, and the
// page and its services are in Arabic, laid out right to left. Each is saved as a screenshot at a phone's and a desktop's size.
func TestBrowserLanguages(t *testing.T) {
	exe := chromium(t)
	shots := os.Getenv("WEBAPP_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	s := startStack(t, Config{Data: t.TempDir(), ReporterKey: "reporter-lang-key", TileURL: "none"})
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true))...)
	defer cancel()
	ctx, cancel := context.WithTimeout(alloc, 2*time.Minute)
	defer cancel()
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	until := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
			body, _ := chromedp.Run(tab, chromedp.Evaluate[string](`JSON.stringify(navigator.languages) + " " + document.documentElement.lang + " " + !!document.querySelector("#language") + " " + document.body.innerText`))
			t.Fatalf("%s: %v; the page says:\n%s", what, err, body)
		}
	}
	shot := func(name string) {
		t.Helper()
		for _, size := range browserSizes {
			opts := []chromedp.EmulateViewportOption{}
			if size.mobile {
				opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			if err := chromedp.Do(tab, chromedp.EmulateViewport(size.w, size.h, opts...), chromedp.Sleep(150*time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot %s: %v", name, err)
			}
			if err := os.WriteFile(filepath.Join(shots, name+"-"+size.name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Headless chromium keeps en-US whatever --lang says: the browser's language is emulated.
	ua, err := chromedp.Run(tab, chromedp.Evaluate[string](`navigator.userAgent`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: "es-MX,es;q=0.9"})
		return err
	}), chromedp.Navigate(s.base+"/#/")); err != nil {
		t.Fatal(err)
	}
	until("the report page in Spanish", `document.documentElement.lang === "es" && document.documentElement.dir === "ltr" &&
		document.querySelector("#nav a[href='#/']").textContent === "Reportar un problema" &&
		[...document.querySelectorAll("select[name=service_code] option")].some((o) => o.textContent === "Bache") &&
		document.querySelector("#language").value === "es"`)
	asked, err := chromedp.Run(tab, chromedp.Evaluate[bool](`performance.getEntriesByType("resource").some((e) => e.name.includes("/services.json") && e.name.includes("locale=es"))`))
	if err != nil || !asked {
		t.Errorf("the page did not ask the catalog in Spanish (locale=es): %v", err)
	}
	shot("lang-1-report-es")

	if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`(() => { const s = document.querySelector("#language");
		s.value = "ar"; s.dispatchEvent(new Event("change")); return true; })()`)); err != nil {
		t.Fatal(err)
	}
	// The switch reloads the page: wait for the new one before looking at it.
	if err := chromedp.Do(tab, chromedp.Sleep(time.Second), chromedp.WaitReady(chromedp.CSS("#nav a"))); err != nil {
		t.Fatal(err)
	}
	until("the report page in Arabic, right to left", `document.documentElement.lang === "ar" && document.documentElement.dir === "rtl" &&
		document.querySelector("#nav a[href='#/']").textContent === "الإبلاغ عن مشكلة" &&
		getComputedStyle(document.querySelector("main")).direction === "rtl" &&
		[...document.querySelectorAll("select[name=service_code] option")].some((o) => o.textContent === "حفرة في الطريق")`)
	shot("lang-2-report-ar")
	if err := chromedp.Do(tab, chromedp.Navigate(s.base+"/#/requests")); err != nil {
		t.Fatal(err)
	}
	until("the list in Arabic, the choice kept", `document.documentElement.dir === "rtl" && document.querySelector("h1")?.textContent === "الطلبات الأخيرة"`)
	shot("lang-3-list-ar")
}
