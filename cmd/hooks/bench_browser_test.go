package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hookengine/hookengine/mgmtapi"
)

// TestBenchmarkInBrowser: the runner shows a run's CPU time beside its
// duration, and the Benchmark button draws the warm runs' histogram with
// p50 and p99 beside the hook's limits.
func TestBenchmarkInBrowser(t *testing.T) {
	exe := requireBrowser(t)
	t.Setenv("HOOKENGINE_SECRETS_KEY", "")
	t.Setenv("HOOKENGINE_TOKEN", "")
	srv := startServer(t, "--data", t.TempDir(), "--dev")
	if srv.token == "" {
		t.Fatalf("no development token in:\n%s", srv.stdout)
	}
	var h mgmtapi.Hook
	if code := call(t, "POST", srv.url+"/api/v2/hooks", srv.token,
		`{"name":"bench-me","script":"module.exports = function (u, c, cb) { cb(null, { user: { app_metadata: { n: 1 } } }); };","triggerId":"pre-user-registration"}`, &h); code != http.StatusCreated {
		t.Fatalf("creating the hook: %d", code)
	}
	b := newBrowserTab(t, exe, srv.url)
	b.do("open the page", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(srv.url+"/dashboard/#token="+srv.token))
	b.wait("signed in", `!document.getElementById('app-view').hidden`)
	b.openHook(h.ID)
	b.wait("the hook", `document.getElementById('hook-title').textContent === 'bench-me'`)
	b.do("the Runner tab", chromedp.Click(chromedp.CSS("#tab-runner")))

	b.do("run", chromedp.Click(chromedp.CSS("#run")))
	b.wait("the run's result", `document.querySelector('#run-result .run-head .badge') !== null`)
	if head := b.text(`document.querySelector('#run-result .run-head').innerText`); !strings.Contains(head, " ms") || !strings.Contains(head, "CPU ") {
		t.Errorf("the run's head shows no wall and CPU time: %q", head)
	}

	b.do("benchmark", chromedp.Click(chromedp.CSS("#bench")))
	b.wait("the benchmark", `document.querySelector('#bench-result .histogram') !== null`)
	if bars := b.text(`document.querySelectorAll('#bench-result .histogram .bar').length`); bars != "20" {
		t.Errorf("the histogram has %s bars, want 20", bars)
	}
	// The bars' heights are set through the CSSOM, which the page's
	// Content-Security-Policy allows: the tallest is drawn.
	if tallest := b.text(`Math.max(...[...document.querySelectorAll('#bench-result .histogram .bar')].map((e) => e.offsetHeight))`); tallest == "0" {
		t.Errorf("the histogram's bars are not drawn")
	}
	out := b.text(`document.getElementById('bench-result').innerText`)
	for _, want := range []string{"200 warm runs", "p50", "p99", "CPU p50", "CPU p99", "of the 20.00 s limit", "of the 2.00 s limit", "success 200"} {
		if !strings.Contains(out, want) {
			t.Errorf("the benchmark lacks %q:\n%s", want, out)
		}
	}
}
