package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hookengine/hookengine/mgmtapi"
)

// Environment variables of the browser test.
const (
	// envChromium names the browser binary; default: chromium (Debian's
	// package), chromium-browser or google-chrome on PATH.
	envChromium = "HOOKENGINE_CHROMIUM"
	// envRequireBrowser, when set, fails the test instead of skipping it
	// when no browser is found (CI sets it after installing Chromium).
	envRequireBrowser = "HOOKENGINE_REQUIRE_BROWSER"
	// envScreenshotDir is where the test's screenshots go: one per step
	// it checks the page's looks at (see browserTab.artefact), and those
	// of a failed run. Default: the artefacts under the test's temporary
	// directory (removed after the test), the failure's in the system's
	// temporary directory.
	envScreenshotDir = "HOOKENGINE_SCREENSHOT_DIR"
	// envPageScreenshot, when set, is a file to write a screenshot of the
	// page at 1280×800 to, taken once the runner shows a result (the
	// README's docs/dashboard.png), and one at 400×860 beside it (with
	// -narrow added to its name).
	envPageScreenshot = "HOOKENGINE_PAGE_SCREENSHOT"
	// envAxe names axe-core's axe.min.js, which the browser test runs in
	// the page to check its accessibility; default: the one npm ci
	// installs in dashboard/editor/node_modules from its lock file (CI
	// does). Without it the test skips that check, or fails where
	// envRequireBrowser is set.
	envAxe = "HOOKENGINE_AXE"
)

// axeSource returns axe-core's source, or "" when it is not installed.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv(envAxe)
	if path == "" {
		path = filepath.Join("..", "..", "dashboard", "editor", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		msg := fmt.Sprintf("no axe-core (%v; run npm ci in dashboard/editor, or set %s): the page's accessibility is not checked", err, envAxe)
		if os.Getenv(envRequireBrowser) != "" {
			t.Fatal(msg)
		}
		t.Log(msg)
		return ""
	}
	return string(b)
}

// findBrowser returns the path of a Chromium-family browser, or "".
func findBrowser() string {
	if p := os.Getenv(envChromium); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// requireBrowser returns the browser to test with, or skips the test
// saying why (fails it where envRequireBrowser is set).
func requireBrowser(t *testing.T) string {
	t.Helper()
	exe := findBrowser()
	if exe == "" {
		msg := "no Chromium found (install Debian's chromium package, or set " + envChromium +
			" to a Chromium or Chrome binary): the Hooks page is not tested in a browser"
		if os.Getenv(envRequireBrowser) != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return exe
}

// browserTab is one headless browser tab, driven by the test.
type browserTab struct {
	t      *testing.T
	ctx    context.Context
	origin string

	shots    string // the directory of artefact screenshots
	mu       sync.Mutex
	requests []string // every URL the page asked for
	problems []string // console errors, exceptions, CSP violations
	logs     strings.Builder
}

// newBrowserTab starts a headless Chromium with a fresh profile. The
// browser and its helper processes are killed, and the profile removed,
// when the test ends.
func newBrowserTab(t *testing.T, exe, origin string) *browserTab {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// No UserDataDir: chromedp then makes a fresh profile directory,
		// and at the end kills every process still using it (Chromium's
		// helpers can outlive the main process) and removes it.
		chromedp.WindowSize(1280, 800),
		// The machine's network is closed: without these, Chromium's
		// background connections fail and slow it down.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browserTab{t: t, origin: origin, shots: os.Getenv(envScreenshotDir)}
	if b.shots == "" {
		b.shots = filepath.Join(t.TempDir(), "screenshots")
	}
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	logf := func(format string, args ...any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		fmt.Fprintf(&b.logs, format+"\n", args...)
	}
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(logf), chromedp.WithErrorf(logf))
	// Cancelling the allocator's context kills the browser and waits for
	// it to exit.
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	b.ctx = ctx
	if err := chromedp.Listen(ctx, b.observe); err != nil {
		t.Fatalf("starting %s: %v\n%s", exe, err, b.logs.String())
	}
	return b
}

// observe records what the page requests and what goes wrong in it. It
// runs on chromedp's reading goroutine, so it only appends under the lock.
func (b *browserTab) observe(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, ev.Request.URL)
	case *runtime.EventExceptionThrown:
		b.problems = append(b.problems, "exception: "+ev.ExceptionDetails.Text+" "+exceptionText(ev.ExceptionDetails))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			b.problems = append(b.problems, "console."+string(ev.Type)+": "+strings.Join(parts, " "))
		}
	case *log.EventEntryAdded:
		// Failed requests (the 401 the sign-in test provokes) are logged
		// as network errors; everything else at error level, such as a
		// Content-Security-Policy violation, is a problem.
		if ev.Entry.Level == log.EntryLevelError && ev.Entry.Source != log.EntrySourceNetwork {
			b.problems = append(b.problems, "log "+string(ev.Entry.Source)+": "+ev.Entry.Text)
		}
	}
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}

// do runs actions, failing the test with the step's name.
func (b *browserTab) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
}

// wait waits until the JavaScript expression is true; an expression that
// throws (an element not there yet) counts as false.
func (b *browserTab) wait(step, expr string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	pred := "(() => { try { return !!(" + expr + "); } catch (e) { return false; } })()"
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](pred, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		b.mu.Lock()
		requests, problems := append([]string(nil), b.requests...), append([]string(nil), b.problems...)
		b.mu.Unlock()
		b.t.Fatalf("%s: waiting for %s: %v\npage says: %s\nproblems in the page: %q\nrequests: %q", step, expr, err,
			b.text("document.body.innerText.slice(0, 3000)"), problems, requests)
	}
}

// openHook clicks the link of hook id in the list, once, and waits until
// the page shows the hook. A click is lost when what is under the pointer
// changes between the press and the release: it goes to the element both
// were on. So first the link is scrolled into view, as chromedp.Click does,
// and must not move once the page has handled the scroll (it moved when the
// hint below the list vanished and the list grew).
func (b *browserTab) openHook(id string) {
	b.t.Helper()
	sel := fmt.Sprintf(`[data-hook-id="%s"] .hook-link`, id)
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	moved, err := chromedp.Run(ctx, chromedp.Evaluate[string](`new Promise((done) => {
		const link = document.querySelector(`+js(sel)+`);
		link.scrollIntoView({ block: 'center' });
		const before = link.getBoundingClientRect().y;
		// The scroll event comes with the next frame; what it changes is laid out by the one after.
		requestAnimationFrame(() => requestAnimationFrame(() => {
			const after = link.getBoundingClientRect().y;
			done(after === before ? '' : 'from y=' + before + ' to y=' + after);
		}));
	})`, chromedp.EvalAsValue, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("scrolling to the link of hook %s: %v", id, err)
	}
	if moved != "" {
		b.t.Fatalf("the link of hook %s moved after it was scrolled into view, %s: a click on it would be lost", id, moved)
	}
	b.do("open the hook", chromedp.Click(chromedp.CSS(sel)))
	b.wait("the hook open", "!document.getElementById('hook-view').hidden")
}

// text evaluates a JavaScript expression whose value is a string.
func (b *browserTab) text(expr string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string]("String("+expr+")"))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return s
}

// js quotes s as a JavaScript string.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// typeInto replaces the text of an input or textarea as typing would
// (input events, undo history), through the editing command the page's
// editor uses itself.
func (b *browserTab) typeInto(step, id, text string) {
	b.t.Helper()
	b.text(`(() => { const e = document.getElementById(` + js(id) + `); e.focus(); e.select();
		document.execCommand('insertText', false, ` + js(text) + `); return e.value; })()`)
	if got := b.text(`document.getElementById(` + js(id) + `).value`); got != text {
		b.t.Fatalf("%s: #%s holds %q, want %q", step, id, got, text)
	}
}

// editorValue returns the text of the code editor in the element with id.
func (b *browserTab) editorValue(id string) string {
	b.t.Helper()
	return b.text(`document.getElementById(` + js(id) + `).hookEditor.value()`)
}

// setEditor replaces the text of the code editor in the element with id
// as typing would (the page sees a change it can undo).
func (b *browserTab) setEditor(step, id, text string) {
	b.t.Helper()
	b.text(`document.getElementById(` + js(id) + `).hookEditor.replace(` + js(text) + `)`)
	if got := b.editorValue(id); got != text {
		b.t.Fatalf("%s: #%s holds %q, want %q", step, id, got, text)
	}
}

// pressKey presses and releases one key, as a keyboard does, without the
// character event chromedp.KeyEvent adds (an editor that handles the key
// down would see it twice).
func pressKey(key string, code int64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: typ, Key: key, Code: key, WindowsVirtualKeyCode: code}); err != nil {
				return err
			}
		}
		return nil
	})
}

// screenshot saves a screenshot of the page, or of one element, to path.
func (b *browserTab) screenshot(path, sel string) error {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	var shot []byte
	var err error
	if sel == "" {
		shot, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	} else {
		shot, err = chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel), chromedp.NodeVisible))
	}
	if err != nil {
		return err
	}
	return os.WriteFile(path, shot, 0o644)
}

// artefact saves a screenshot of the page (sel "") or of one element as
// NAME.png in the screenshot directory (envScreenshotDir), after letting
// the page paint.
func (b *browserTab) artefact(name, sel string) {
	b.t.Helper()
	b.do("let the page paint", chromedp.Sleep(300*time.Millisecond))
	path := filepath.Join(b.shots, name+".png")
	if err := b.screenshot(path, sel); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	b.t.Logf("screenshot: %s", path)
}

// axe runs axe-core on the page as it is (WCAG 2.1 A and AA rules, and
// best practices) and fails the test with each violation. It loads axe
// once per page load.
func (b *browserTab) axe(step, src string) {
	b.t.Helper()
	if src == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	// Evaluated through the DevTools protocol, which the page's CSP does
	// not restrict (the page itself could not load it).
	if loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe === 'object'`)); err != nil {
		b.t.Fatalf("%s: %v", step, err)
	} else if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](src+"\n;true")); err != nil {
			b.t.Fatalf("%s: loading axe-core: %v", step, err)
		}
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
		.then((r) => JSON.stringify(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ': ' + n.failureSummary.replace(/\s+/g, ' ')) }))))`,
		chromedp.EvalAsValue, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: running axe-core: %v", step, err)
	}
	var violations []struct {
		ID, Impact, Help string
		Nodes            []string
	}
	if err := json.Unmarshal([]byte(res), &violations); err != nil {
		b.t.Fatalf("%s: axe-core's answer: %v: %s", step, err, res)
	}
	for _, v := range violations {
		b.t.Errorf("%s: axe-core: %s (%s): %s\n\t%s", step, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
	}
}

// keyboardWalk tabs through the page from its start, as a keyboard-only
// user does (Esc, then Tab, leaves a code editor), and returns the
// controls it reached, in order, as "tag#id.class: text". It fails the
// test when focus lands somewhere with no visible focus indicator, or when
// the order goes back up the page before it wraps.
func (b *browserTab) keyboardWalk(step string, max int) []string {
	b.t.Helper()
	// The walk starts at the first control, the skip link.
	b.text(`(() => { document.querySelector('a.skip').focus(); return ''; })()`)
	var seen []string
	var last string
	for i := 0; i < max; i++ {
		if i > 0 {
			if b.text(`!!(document.activeElement && document.activeElement.closest('.cm-editor'))`) == "true" {
				b.do(step+": leave the editor", pressKey("Escape", 27))
			}
			b.do(step+": Tab", pressKey("Tab", 9))
		}
		got := b.text(`(() => { const e = document.activeElement; if (!e || e === document.body) return '';
			const cs = getComputedStyle(e); const ring = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0 ||
				cs.boxShadow !== 'none' || (e.closest('.editor') && getComputedStyle(e.closest('.editor')).boxShadow !== 'none');
			const name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : '') +
				': ' + (e.getAttribute('aria-label') || e.textContent || e.placeholder || '').trim().slice(0, 40);
			return JSON.stringify({ name, ring, key: [...document.querySelectorAll('*')].indexOf(e) }); })()`)
		if got == "" {
			continue
		}
		var f struct {
			Name string
			Ring bool
			Key  int
		}
		json.Unmarshal([]byte(got), &f)
		if f.Name == last {
			break
		}
		if len(seen) > 0 && strings.HasPrefix(seen[0], f.Name+" @") {
			break // wrapped around
		}
		if !f.Ring && i > 0 { // the first was focused by a script, not a key
			b.t.Errorf("%s: %s has no visible focus indicator", step, f.Name)
		}
		seen = append(seen, fmt.Sprintf("%s @%d", f.Name, f.Key))
		last = f.Name
	}
	prev := -1
	for _, s := range seen {
		var at int
		fmt.Sscanf(s[strings.LastIndex(s, "@")+1:], "%d", &at)
		if at < prev {
			b.t.Errorf("%s: focus went back up the page at %s:\n%s", step, s, strings.Join(seen, "\n"))
			break
		}
		prev = at
	}
	return seen
}

// rect is an element's box in the viewport.
type rect struct{ Top, Bottom, Left, Right, Width, Height float64 }

// rects returns the boxes of the elements the selectors name, failing the
// test when one is missing.
func (b *browserTab) rects(sels ...string) map[string]rect {
	b.t.Helper()
	list, _ := json.Marshal(sels)
	var out map[string]rect
	text := b.text(`JSON.stringify(Object.fromEntries(` + string(list) + `.map((s) => { const e = document.querySelector(s);
		const r = e ? e.getBoundingClientRect() : null;
		return [s, r && {Top: r.top, Bottom: r.bottom, Left: r.left, Right: r.right, Width: r.width, Height: r.height}]; })))`)
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		b.t.Fatalf("rects: %v: %s", err, text)
	}
	for _, sel := range sels {
		if r := out[sel]; r.Width == 0 && r.Height == 0 {
			b.t.Fatalf("%s is not on the page", sel)
		}
	}
	return out
}

// overlap reports whether two boxes share any area.
func overlap(a, b rect) bool {
	return a.Left < b.Right && b.Left < a.Right && a.Top < b.Bottom && b.Top < a.Bottom
}

// checkLayout checks what must be readable at once in a window of the
// given size: the script (at least minColumns characters of it), the
// runner's result, logLines log lines; notices that cover none of them;
// nothing wider than the window.
func (b *browserTab) checkLayout(w, h, minColumns, logLines int) {
	b.t.Helper()
	size := fmt.Sprintf("%d×%d", w, h)
	if got := b.text(`document.documentElement.scrollWidth <= window.innerWidth`); got != "true" {
		b.t.Errorf("%s: the page is wider than the window", size)
	}
	r := b.rects("#script-editor .cm-content", "#run-result .run-head", "#logs", "#logs li", ".notices", "#workspace")
	for _, sel := range []string{"#script-editor .cm-content", "#run-result .run-head", "#logs"} {
		if x := r[sel]; x.Top < 0 || x.Top > float64(h)-20 || x.Left < 0 || x.Left > float64(w)-20 {
			b.t.Errorf("%s: %s is out of the window: %+v", size, sel, x)
		}
	}
	if overlap(r[".notices"], r["#workspace"]) {
		b.t.Errorf("%s: the notices cover the workspace: %+v and %+v", size, r[".notices"], r["#workspace"])
	}
	cols := b.text(`(() => { const v = document.getElementById('script-editor').hookEditor.view;
		const g = v.dom.querySelector('.cm-gutters'); return Math.floor((v.scrollDOM.clientWidth - g.offsetWidth - 8) / v.defaultCharacterWidth); })()`)
	if n, _ := strconv.Atoi(cols); n < minColumns {
		b.t.Errorf("%s: the editor shows %s columns of the script, want at least %d", size, cols, minColumns)
	}
	logs := r["#logs"]
	visible := float64(h) - logs.Top
	if logs.Height < visible {
		visible = logs.Height
	}
	if n := int(visible / r["#logs li"].Height); n < logLines {
		b.t.Errorf("%s: the log pane shows %d lines, want at least %d", size, n, logLines)
	}
}

// noSecretShown fails the test when the page shows or holds a secret value
// anywhere: its text, its markup, or the values of its fields.
func (b *browserTab) noSecretShown(step, secret string) {
	b.t.Helper()
	found := b.text(`(() => {
		const s = ` + js(secret) + `;
		if (document.documentElement.outerHTML.includes(s)) return 'the markup';
		for (const e of document.querySelectorAll('input, textarea')) if (e.value.includes(s)) return '#' + e.id;
		for (let i = 0; i < sessionStorage.length; i++) if (sessionStorage.getItem(sessionStorage.key(i)).includes(s)) return 'session storage';
		return '';
	})()`)
	if found != "" {
		b.t.Fatalf("%s: the secret value is in %s", step, found)
	}
}

// The script the test writes: it sets metadata, prints a console line, and
// reads a secret (whose value the engine redacts from the line).
const browserScript = `module.exports = function (user, context, cb) {
  const key = context.webtask.secrets.API_KEY;
  console.log('signup of ' + user.email + ' with key ' + key);
  cb(null, {
    user: {
      user_metadata: { greeted: true },
      app_metadata: { plan: 'pro', keyLength: key ? key.length : 0 },
    },
  });
};
`

// The same script with a syntax error on line 3, column 13.
const brokenScript = `module.exports = function (user, context, cb) {
  const plan = 'pro';
  const y = ;
  cb();
};
`

// TestDashboardInBrowser drives the Hooks page in headless Chromium against
// a real hooks serve on a temporary directory: sign in, create a
// pre-user-registration hook, edit and save it, see a compile error at its
// line and column, add a secret, run the hook and see its metadata and its
// console line, enable it, see a run's log line arrive, delete it. It
// checks on the way that the page never shows a secret value, keeps the
// token in session storage only, and requests nothing from another origin.
// On failure it saves a screenshot of the runner.
func TestDashboardInBrowser(t *testing.T) {
	exe := requireBrowser(t)
	start := time.Now()
	// Development mode with no token configured: hooks serve makes the
	// development token and prints the sign-in link.
	t.Setenv("HOOKENGINE_SECRETS_KEY", "")
	t.Setenv("HOOKENGINE_TOKEN", "")
	srv := startServer(t, "--data", t.TempDir(), "--dev", "--modules", fixtureModules())
	if srv.token == "" {
		t.Fatalf("no development token in:\n%s", srv.stdout)
	}
	link := srv.url + "/dashboard/#token=" + srv.token
	if !strings.Contains(srv.stdout.String(), link) {
		t.Errorf("hooks serve does not print the sign-in link %s:\n%s", link, srv.stdout)
	}
	b := newBrowserTab(t, exe, srv.url)
	axeSrc := axeSource(t)
	defer func() {
		if !t.Failed() {
			return
		}
		dir := os.Getenv(envScreenshotDir)
		if dir == "" {
			dir = os.TempDir()
		}
		runnerShot := filepath.Join(dir, "hookengine-dashboard-runner.png")
		pageShot := filepath.Join(dir, "hookengine-dashboard-page.png")
		// The runner, when the page shows it (a failure with the hook
		// already deleted has none), and the whole page.
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const p = document.getElementById('panel-runner'); return !!(p && p.offsetParent); })()`))
		cancel()
		if err != nil || !shown {
			t.Logf("no screenshot of the runner: the page does not show it")
		} else if err := b.screenshot(runnerShot, "#panel-runner"); err != nil {
			t.Logf("no screenshot of the runner: %v", err)
		} else {
			t.Logf("screenshot of the runner: %s", runnerShot)
		}
		if err := b.screenshot(pageShot, ""); err == nil {
			t.Logf("screenshot of the page: %s", pageShot)
		}
		b.mu.Lock()
		t.Logf("browser log:\n%s", b.logs.String())
		b.mu.Unlock()
	}()
	const secret, changed, temporary = "s3cr3t-Value-9c41e", "n3w-Value-7f2", "t3mp-Value-0d"

	// Sign in: a refused token first, then the development token.
	b.do("open the page", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(srv.url+"/dashboard/"), chromedp.WaitVisible(chromedp.CSS("#signin-form")))
	b.do("sign in with a bad token", chromedp.SendKeys(chromedp.CSS("#token"), "not-a-token"), chromedp.Click(chromedp.CSS("#signin-form button[type=submit]")))
	b.wait("a refused token", `document.getElementById('signin-error').textContent.includes('401')`)
	b.axe("the sign-in page", axeSrc)
	b.do("sign in", chromedp.SendKeys(chromedp.CSS("#token"), srv.token), chromedp.Click(chromedp.CSS("#signin-form button[type=submit]")))
	b.wait("signed in", `!document.getElementById('app-view').hidden && document.querySelectorAll('#point-list .point').length === 5`)
	if got := b.text(`sessionStorage.getItem('hookengine.token')`); got != srv.token {
		t.Errorf("session storage holds %q, want the token", got)
	}

	// Create a pre-user-registration hook: a name the API refuses first.
	b.do("open Create a Hook", chromedp.Click(chromedp.CSS(`section[data-point="pre-user-registration"] button.link`)))
	b.wait("the create form", `!document.getElementById('create-view').hidden && document.getElementById('new-point-pre-user-registration').checked`)
	// A bad name, then a click on another point: the name's error shows
	// as the field loses focus, and moves nothing: the click lands.
	radioTop := `document.getElementById('new-point-post-user-registration').getBoundingClientRect().top`
	b.do("a bad name", chromedp.SendKeys(chromedp.CSS("#new-name"), "signup_metadata"))
	before := b.text(radioTop)
	b.do("click another point", chromedp.Click(chromedp.CSS("#new-point-post-user-registration")))
	b.wait("the name error", `document.getElementById('new-name').getAttribute('aria-invalid') === 'true' && document.getElementById('new-name-error').textContent.includes('Only letters')`)
	if after := b.text(radioTop); after != before {
		t.Errorf("the name's error moved the points from %s to %s", before, after)
	}
	if got := b.text(`document.getElementById('new-point-post-user-registration').checked`); got != "true" {
		t.Errorf("the click on a point, as the name's error appeared, was lost")
	}
	b.artefact("create-name-error", "#create-view")
	b.axe("Create a Hook, with an error", axeSrc)
	b.do("back to pre-user-registration", chromedp.Click(chromedp.CSS("#new-point-pre-user-registration")))
	b.do("create with the bad name", chromedp.Click(chromedp.CSS("#create-form button[type=submit]")))
	b.wait("still the name error", `document.activeElement.id === 'new-name' && document.getElementById('new-name-error').textContent.includes('Only letters')`)
	b.typeInto("a good name", "new-name", "Signup Metadata v2")
	b.do("create", chromedp.Click(chromedp.CSS("#create-form button[type=submit]")))
	b.wait("the new hook", `!document.getElementById('hook-view').hidden && document.getElementById('hook-title').textContent === 'Signup Metadata v2'`)
	if got := b.editorValue("script-editor"); !strings.Contains(got, "pre-user-registration") || !strings.Contains(got, "app_metadata") {
		t.Errorf("the new hook does not start from the point's starter script:\n%s", got)
	}
	hooks := listHooksOver(t, srv)
	if len(hooks) != 1 || hooks[0].Name != "Signup Metadata v2" || hooks[0].TriggerID != "pre-user-registration" || hooks[0].Enabled {
		t.Fatalf("hooks after creating: %+v", hooks)
	}
	id := hooks[0].ID

	// The editor: Tab indents; then a new script, saved with Ctrl+S.
	b.text(`document.getElementById('script-editor').hookEditor.goTo(1, 1)`)
	b.do("Tab in the editor", chromedp.KeyEvent("\t"))
	if got := b.text(`document.getElementById('script-editor').hookEditor.value().slice(0, 5)`); got != "  /**" {
		t.Errorf("Tab did not indent the line: it starts with %q", got)
	}
	b.wait("unsaved changes", `document.getElementById('save-state').textContent === 'Unsaved changes'`)
	b.setEditor("write the script", "script-editor", browserScript)
	b.wait("the script compiles", `document.getElementById('compile-text').textContent === 'Compiles.'`)
	b.do("save with Ctrl+S", chromedp.KeyEvent("s", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	b.wait("saved", `document.getElementById('save-state').textContent === 'Saved'`)
	if h := getHookOver(t, srv, id); h.Script != browserScript {
		t.Fatalf("the server has the script %q", h.Script)
	}

	// A compile error, shown at its line and column, and not saved.
	b.setEditor("break the script", "script-editor", brokenScript)
	b.wait("the compile error", `document.getElementById('compile-text').textContent === 'Line 3, column 13: Unexpected token ;'`)
	// The lint marker: the error's character underlined on its line, and
	// a marker in the gutter beside that line.
	b.wait("the lint marker", `document.querySelector('#script-editor .cm-lintRange-error') !== null`)
	if got := b.text(`(() => { const r = document.querySelector('#script-editor .cm-lintRange-error');
		const lines = [...document.querySelectorAll('#script-editor .cm-line')];
		const g = document.querySelector('#script-editor .cm-lint-marker-error');
		const row = lines[lines.findIndex((l) => l.contains(r))].getBoundingClientRect();
		const mark = g ? g.getBoundingClientRect() : null;
		return 'line ' + (lines.findIndex((l) => l.contains(r)) + 1) + ' ' + r.textContent + (mark && Math.abs(mark.top + mark.height / 2 - (row.top + row.height / 2)) < row.height ? ' gutter' : ' no gutter marker'); })()`); got != "line 3 ; gutter" {
		t.Errorf("the error marker: %s, want line 3 ; gutter", got)
	}
	b.do("save the broken script", chromedp.Click(chromedp.CSS("#save")))
	b.wait("not saved", `document.getElementById('save-state').textContent.startsWith('Not saved')`)
	if h := getHookOver(t, srv, id); h.Script != browserScript {
		t.Fatalf("a script that does not compile was saved: %q", h.Script)
	}
	b.do("go to the error", chromedp.Click(chromedp.CSS("#compile-goto")))
	if got := b.text(`(() => { const c = document.getElementById('script-editor').hookEditor.caret();
		return document.activeElement.id + ' ' + c.line + ':' + c.column; })()`); got != "script 3:13" {
		t.Errorf("Go to the error put the caret at %s, want script 3:13", got)
	}
	b.setEditor("fix the script", "script-editor", browserScript)
	b.wait("the script compiles again", `document.getElementById('compile-text').textContent === 'Compiles.'`)
	b.wait("no unsaved changes", `document.getElementById('save-state').textContent === 'Saved'`)

	// The editor: JavaScript highlighting, bracket matching, search, and
	// Enter at the end of a long line brings column 1 back into view.
	if got := b.text(`document.querySelectorAll('#script-editor .cm-line span[class]').length > 10 && document.querySelectorAll('#script-editor .cm-lineNumbers .cm-gutterElement').length >= 10`); got != "true" {
		t.Errorf("the script is not highlighted or has no line numbers")
	}
	b.text(`document.getElementById('script-editor').hookEditor.goTo(1, 49)`) // after the {
	b.wait("bracket matching", `document.querySelectorAll('#script-editor .cm-matchingBracket').length === 2`)
	b.do("open search", chromedp.KeyEvent("f", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	b.wait("the search panel", `document.activeElement && document.activeElement.matches('#script-editor .cm-search input[name=search]')`)
	b.do("search", chromedp.KeyEvent("API_KEY"), chromedp.KeyEvent("\r"))
	b.wait("found", `(() => { const e = document.getElementById('script-editor').hookEditor; const s = e.view.state.selection.main;
		return e.value().slice(s.from, s.to) === 'API_KEY'; })()`)
	b.do("close search", chromedp.KeyEvent(kb.Escape))
	b.wait("search closed", `document.querySelector('#script-editor .cm-search') === null`)
	long := "module.exports = function (user, context, cb) {\n  const s = '" + strings.Repeat("x", 300) + "';\n  cb();\n};\n"
	b.setEditor("a long line", "script-editor", long)
	b.text(`document.getElementById('script-editor').hookEditor.goTo(2, 400)`)
	b.wait("scrolled sideways", `document.querySelector('#script-editor .cm-scroller').scrollLeft > 100`)
	b.do("Enter at the end of the long line", pressKey("Enter", 13))
	b.wait("column 1 in view", `(() => { const e = document.getElementById('script-editor').hookEditor; const c = e.caret();
		const sc = document.querySelector('#script-editor .cm-scroller');
		const at = e.view.coordsAtPos(e.view.state.selection.main.head); const box = e.view.contentDOM.getBoundingClientRect();
		const view = sc.getBoundingClientRect();
		return c.line === 3 && c.column === 3 && sc.scrollLeft === 0 && at && at.left >= view.left && at.left < view.right && box.left >= view.left; })()`)
	b.setEditor("the saved script again", "script-editor", browserScript)
	b.wait("no unsaved changes", `document.getElementById('save-state').textContent === 'Saved'`)

	// A secret: its name is listed, its value never shown.
	b.do("the Secrets tab", chromedp.Click(chromedp.CSS("#tab-secrets")))
	b.wait("the secret form", `!document.getElementById('panel-secrets').hidden`)
	b.axe("the Secrets tab", axeSrc)
	b.do("add a secret", chromedp.SendKeys(chromedp.CSS("#secret-name"), "API_KEY"), chromedp.SendKeys(chromedp.CSS("#secret-value"), secret),
		chromedp.Click(chromedp.CSS("#secret-submit")))
	b.wait("the secret is listed", `document.querySelector('#secret-rows tr[data-secret="API_KEY"]') !== null && document.getElementById('secret-value').value === ''`)
	b.noSecretShown("after adding a secret", secret)
	// Change its value; add another and delete it.
	b.do("change the value", chromedp.Click(chromedp.CSS(`#secret-rows tr[data-secret="API_KEY"] button[aria-label^="Change"]`)))
	b.wait("the change form", `document.getElementById('secret-name').disabled && document.getElementById('secret-submit').textContent === 'Save value'`)
	b.do("save the value", chromedp.SendKeys(chromedp.CSS("#secret-value"), changed), chromedp.Click(chromedp.CSS("#secret-submit")))
	b.wait("changed", `document.getElementById('toast').textContent === 'Changed the value of API_KEY.' && document.getElementById('secret-value').value === ''`)
	b.do("add another", chromedp.SendKeys(chromedp.CSS("#secret-name"), "TEMP"), chromedp.SendKeys(chromedp.CSS("#secret-value"), temporary),
		chromedp.Click(chromedp.CSS("#secret-submit")))
	b.wait("two secrets", `document.querySelectorAll('#secret-rows tr').length === 2 && document.getElementById('secret-count').textContent === '(2)'`)
	b.do("delete it", chromedp.Click(chromedp.CSS(`#secret-rows tr[data-secret="TEMP"] button[aria-label^="Delete"]`)))
	b.wait("the confirmation", `document.getElementById('confirm').open`)
	b.do("confirm", chromedp.Click(chromedp.CSS("#confirm-ok")))
	b.wait("one secret", `document.querySelectorAll('#secret-rows tr').length === 1 && document.querySelector('#secret-rows tr[data-secret="API_KEY"]') !== null`)
	var names map[string]string
	if code := call(t, "GET", srv.url+"/api/v2/hooks/"+id+"/secrets", srv.token, "", &names); code != http.StatusOK || len(names) != 1 || names["API_KEY"] != "_VALUE_NOT_SHOWN_" {
		t.Fatalf("secrets on the server: %d %v", code, names)
	}
	for _, v := range []string{secret, changed, temporary} {
		b.noSecretShown("after changing secrets", v)
	}

	// Run with the sample input: the metadata outcome and the console line.
	b.do("the Runner tab", chromedp.Click(chromedp.CSS("#tab-runner")))
	if got := b.editorValue("input-editor"); !strings.Contains(got, `"email": "grace@example.com"`) {
		t.Errorf("the runner's input is not the point's sample:\n%s", got)
	}
	b.do("run", chromedp.Click(chromedp.CSS("#run")))
	b.wait("the run's result", `document.querySelector('#run-result .run-head .badge') !== null`)
	result := b.text(`document.getElementById('run-result').innerText`)
	for _, want := range []string{"success", "The metadata that would be saved on the new user", `"plan": "pro"`, `"keyLength": 13`, `"greeted": true`,
		"signup of grace@example.com with key [REDACTED]", " ms", `"status": "success"`} {
		if !strings.Contains(result, want) {
			t.Errorf("the run's result lacks %q:\n%s", want, result)
		}
	}
	b.noSecretShown("after running", changed)

	// Enable it; then enable another hook of the point, which disables it
	// (the one-enabled rule, as it happens), and enable it again.
	sw := fmt.Sprintf(`document.querySelector('[data-hook-id="%s"] .switch')?.`, id)
	b.do("enable", chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-hook-id="%s"] .switch`, id))))
	b.wait("enabled", sw+`getAttribute('aria-checked') === 'true' && document.getElementById('hook-state').textContent === 'enabled'`)
	if !getHookOver(t, srv, id).Enabled {
		t.Fatal("the server did not enable the hook")
	}
	var other mgmtapi.Hook
	if code := call(t, "POST", srv.url+"/api/v2/hooks", srv.token,
		`{"name":"other-signup","script":"module.exports = function (u, c, cb) { cb(); };","triggerId":"pre-user-registration"}`, &other); code != http.StatusCreated {
		t.Fatalf("creating a second hook: %d", code)
	}
	b.do("refresh", chromedp.Click(chromedp.CSS("#refresh")))
	b.wait("the second hook", fmt.Sprintf(`document.querySelector('[data-hook-id="%s"] .switch') !== null`, other.ID))
	b.do("enable the second hook", chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-hook-id="%s"] .switch`, other.ID))))
	b.wait("the first one disabled", sw+`getAttribute('aria-checked') === 'false' && document.getElementById('toast').textContent.includes('Signup Metadata v2 was disabled')`)
	b.do("enable the first again", chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-hook-id="%s"] .switch`, id))))
	b.wait("enabled again", sw+`getAttribute('aria-checked') === 'true'`)

	// Real-time logs: a run of the point, started elsewhere, shows up.
	b.wait("the log stream", `document.getElementById('logs-state').textContent === 'live'`)
	var run mgmtapi.RunResult
	input, err := os.ReadFile("../../testdata/inputs/pre-user-registration.json")
	if err != nil {
		t.Fatal(err)
	}
	if code := call(t, "POST", srv.url+"/hookengine/v1/triggers/pre-user-registration/run", srv.token, string(input), &run); code != http.StatusOK || run.HookID != id {
		t.Fatalf("running the trigger: %d %+v", code, run)
	}
	b.wait("the run's log line", fmt.Sprintf(`[...document.querySelectorAll('#logs li[data-execution-id="%s"]')].some((li) =>
		li.textContent.includes('signup of ada@example.com with key [REDACTED]') && li.textContent.includes(%s))`, run.ExecutionID, js(id)))
	if path := os.Getenv(envPageScreenshot); path != "" {
		// The page scrolled the runner to the result; headless Chromium
		// paints the scrolled panel a moment later.
		b.do("let the page paint", chromedp.Sleep(500*time.Millisecond))
		if err := b.screenshot(path, ""); err != nil {
			t.Errorf("screenshot: %v", err)
		}
	}

	// The layout at 1280×800: the script (80 columns), the runner's
	// result and 8 log lines at once; the toast in the top bar; the
	// envelope of the run whole inside the runner's panel, which scrolls.
	b.checkLayout(1280, 800, 80, 8)
	b.artefact("layout-1280x800", "")
	if got := b.text(`(() => { const p = document.getElementById('panel-runner'); const e = document.querySelector('#run-result .envelope');
		e.scrollIntoView({ block: 'end' }); const pr = p.getBoundingClientRect(), er = e.getBoundingClientRect();
		const pre = e.querySelector('pre');
		return er.top >= pr.top - 1 && er.bottom <= pr.bottom + 1 && pre.scrollHeight <= pre.clientHeight + 1 && pre.textContent.includes('"status": "success"'); })()`); got != "true" {
		t.Errorf("the run's envelope is cut off in the runner's panel")
	}
	b.artefact("runner-envelope", ".side")
	b.axe("the hook, with a run's result and logs", axeSrc)
	// Keyboard only: every control of the hook's page is reached with
	// Tab, in the page's order, each showing where the focus is.
	walk := b.keyboardWalk("keyboard", 120)
	for _, want := range []string{"a.skip", "button#sign-out", "button#refresh", "button#create-open", "button.switch", "button.hook-link",
		"button#rename-open", "button#delete-open", "button#save", "div#script.cm-content", "button#tab-runner", "div#panel-runner",
		"div#run-input.cm-content", "button#run.", "button#run-reset", "button#logs-clear", "ol#logs"} {
		found := false
		for _, w := range walk {
			found = found || strings.HasPrefix(w, want)
		}
		if !found {
			t.Errorf("Tab never reaches %s; it reaches:\n%s", want, strings.Join(walk, "\n"))
		}
	}
	// The skip link takes the keyboard to the hook.
	b.text(`(() => { document.querySelector('a.skip').focus(); return ''; })()`)
	b.do("follow the skip link", pressKey("Enter", 13))
	b.wait("the hook", `document.activeElement.id === 'workspace'`)
	b.do("Tab into the hook", pressKey("Tab", 9))
	b.wait("the hook's first control", `document.activeElement.id === 'rename-open'`)
	// send-phone-message, last in the list of points, is in view, or a
	// hint at the bottom of the list names it and brings it into view.
	b.wait("send-phone-message in view or hinted", `(() => { const nav = document.getElementById('points-body').getBoundingClientRect();
		const sec = document.querySelector('#point-list .point[data-point="send-phone-message"]').getBoundingClientRect();
		const hint = document.getElementById('points-more');
		return (sec.top < nav.bottom - 40 && hint.hidden) || (!hint.hidden && hint.textContent.includes('send-phone-message') &&
			hint.getBoundingClientRect().top >= nav.bottom - 1 && hint.getBoundingClientRect().bottom <= window.innerHeight); })()`)
	if b.text(`document.getElementById('points-more').hidden`) == "false" {
		b.artefact("points-hint", "#points")
		b.do("the hint", chromedp.Click(chromedp.CSS("#points-more")))
		b.wait("send-phone-message shown", `(() => { const nav = document.getElementById('points-body').getBoundingClientRect();
			const sec = document.querySelector('#point-list .point[data-point="send-phone-message"]').getBoundingClientRect();
			return sec.top >= nav.top && sec.top < nav.bottom - 60 && document.getElementById('points-more').hidden &&
				document.activeElement.closest('#point-list .point') !== null; })()`)
		b.text(`document.getElementById('points-body').scrollTo(0, 0)`)
	}
	// 1024×768: narrower, still side by side.
	b.do("1024 wide", chromedp.EmulateViewport(1024, 768))
	b.wait("the layout at 1024", `getComputedStyle(document.querySelector('.layout')).display === 'grid'`)
	// As after a run: the result at the top of the runner's panel.
	b.text(`(() => { const p = document.getElementById('panel-runner'); p.scrollTop = 0;
		p.scrollTop = document.getElementById('run-result').getBoundingClientRect().top - p.getBoundingClientRect().top; return ''; })()`)
	b.checkLayout(1024, 768, 55, 6)
	b.artefact("layout-1024x768", "")
	b.do("back to 1280", chromedp.EmulateViewport(1280, 800))
	// The runner of a second hook starts at the top of its input, though
	// the first one's panel and input were scrolled down.
	b.text(`(() => { document.getElementById('panel-runner').scrollTop = 1e6;
		document.querySelector('#input-editor .cm-scroller').scrollTop = 1e6; return ''; })()`)
	b.do("open the second hook", chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-hook-id="%s"] .hook-link`, other.ID))))
	b.wait("the second hook", `document.getElementById('hook-title').textContent === 'other-signup'`)
	b.wait("its runner at the top", `document.getElementById('panel-runner').scrollTop === 0 &&
		document.querySelector('#input-editor .cm-scroller').scrollTop === 0 &&
		document.querySelector('#input-editor .cm-line').textContent === '{' &&
		document.querySelector('#input-editor .cm-line').getBoundingClientRect().top >= document.querySelector('#input-editor .cm-scroller').getBoundingClientRect().top`)
	b.artefact("runner-second-hook", ".side")
	b.do("back to the first hook", chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-hook-id="%s"] .hook-link`, id))))
	b.wait("the first hook", `document.getElementById('hook-title').textContent === 'Signup Metadata v2' && document.getElementById('logs-state').textContent === 'live'`)
	b.do("clear the logs", chromedp.Click(chromedp.CSS("#logs-clear")))
	b.wait("no log lines", `document.getElementById('logs').childElementCount === 0`)

	// A narrow window: one column, nothing wider than the window.
	b.do("narrow", chromedp.EmulateViewport(400, 860))
	b.wait("narrow layout", `document.documentElement.scrollWidth <= window.innerWidth && getComputedStyle(document.querySelector('.layout')).display === 'block'`)
	if path := os.Getenv(envPageScreenshot); path != "" {
		b.text(`(() => { document.getElementById('hook-view').scrollIntoView(); return ''; })()`)
		b.do("let the page paint", chromedp.Sleep(500*time.Millisecond))
		if err := b.screenshot(strings.TrimSuffix(path, ".png")+"-narrow.png", ""); err != nil {
			t.Errorf("screenshot: %v", err)
		}
	}
	// On a phone, the notices take the top bar's full width, above the
	// page, covering nothing.
	b.text(`(() => { document.getElementById('hook-view').scrollIntoView(); return ''; })()`)
	b.artefact("layout-400x860", "")
	if got := b.text(`getComputedStyle(document.querySelector('.notices')).position + ' ' + (document.querySelector('.notices').closest('.topbar') !== null)`); got != "static true" {
		t.Errorf("the notices on a phone: %s", got)
	}
	b.do("wide", chromedp.EmulateViewport(1280, 800))

	// Every field has a label.
	if got := b.text(`[...document.querySelectorAll('input, textarea, select')].filter((e) => e.type !== 'hidden' &&
		e.labels.length === 0 && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')).map((e) => e.id || e.name).join(',')`); got != "" {
		t.Errorf("fields without a label: %s", got)
	}

	// Dependencies: each one declared is stored on the hook and gets the
	// engine's verdict (testdata/modules is the server's node_modules).
	b.do("the Dependencies tab", chromedp.Click(chromedp.CSS("#tab-deps")))
	b.wait("the dependency form", `!document.getElementById('panel-deps').hidden && !document.getElementById('deps-empty').hidden`)
	b.axe("the Dependencies tab", axeSrc)
	deps := []struct{ name, version, verdict, text string }{
		{"greet", "^1.2.0", "ok", "Satisfied"},
		{"@acme/strings", "9.0.0", "wrong_version", "Wrong version: 0.4.2 is installed"},
		{"esm-only", "2.0.0", "esm_only", "ES module only"},
		{"native-addon", "5.0.1", "native_addon", "Native addon"},
		{"left-pad", "1.3.0", "missing", "Missing: not installed on the server"},
	}
	for _, d := range deps {
		b.typeInto("a package name", "dep-name", d.name)
		b.typeInto("a version", "dep-version", d.version)
		b.do("add "+d.name, chromedp.Click(chromedp.CSS("#dep-submit")))
		b.wait("the verdict on "+d.name, fmt.Sprintf(`(() => { const r = document.querySelector('#dep-rows li[data-dependency=' + JSON.stringify(%s) + ']');
			return r && r.dataset.verdict === %s && r.textContent.includes(%s) && document.getElementById('dep-name').value === ''; })()`, js(d.name), js(d.verdict), js(d.text)))
	}
	b.wait("the summary", `document.getElementById('deps-summary').textContent.startsWith('4 of 5 not satisfied') && document.getElementById('dep-count').textContent === '(5)'`)
	b.text(`(() => { document.getElementById('panel-deps').scrollTop = 0; return ''; })()`)
	b.artefact("dependencies", ".side")
	if path := os.Getenv(envPageScreenshot); path != "" {
		if err := b.screenshot(strings.TrimSuffix(path, ".png")+"-dependencies.png", ".side"); err != nil {
			t.Errorf("screenshot: %v", err)
		}
	}
	if h := getHookOver(t, srv, id); len(h.Dependencies) != 5 || h.Dependencies["esm-only"] != "2.0.0" {
		t.Errorf("dependencies on the server: %v", h.Dependencies)
	}
	b.do("remove left-pad", chromedp.Click(chromedp.CSS(`#dep-rows li[data-dependency="left-pad"] button`)))
	b.wait("removed", `document.querySelector('#dep-rows li[data-dependency="left-pad"]') === null && document.getElementById('dep-count').textContent === '(4)'`)
	if h := getHookOver(t, srv, id); len(h.Dependencies) != 4 || h.Dependencies["left-pad"] != "" {
		t.Errorf("dependencies on the server after removing one: %v", h.Dependencies)
	}
	b.do("an empty version", chromedp.SendKeys(chromedp.CSS("#dep-name"), "lodash"), chromedp.Click(chromedp.CSS("#dep-submit")))
	b.wait("the version error", `document.getElementById('dep-error').textContent.startsWith('Enter a version') && document.activeElement.id === 'dep-version'`)
	// A run of a hook whose dependencies are not satisfied does not start.
	b.do("the Runner tab", chromedp.Click(chromedp.CSS("#tab-runner")))
	b.do("run", chromedp.Click(chromedp.CSS("#run")))
	b.wait("not run", `document.getElementById('run-result').textContent.includes("The hook's dependencies are not satisfied")`)

	// Rename: a name the API refuses, then one kept exactly as typed.
	b.do("rename", chromedp.Click(chromedp.CSS("#rename-open")))
	b.typeInto("a bad name", "rename-name", "-signup")
	b.do("save the bad name", chromedp.Click(chromedp.CSS("#rename-form button[type=submit]")))
	b.wait("the name error", `document.getElementById('rename-error').textContent.includes('starts and ends with a letter or a digit')`)
	b.typeInto("a good name", "rename-name", "Signup Metadata Renamed 3rd")
	b.do("save the name", chromedp.Click(chromedp.CSS("#rename-form button[type=submit]")))
	b.wait("renamed", `document.getElementById('hook-title').textContent === 'Signup Metadata Renamed 3rd' &&
		document.querySelector('[data-hook-id="`+id+`"] .hook-link').textContent === 'Signup Metadata Renamed 3rd'`)
	if h := getHookOver(t, srv, id); h.Name != "Signup Metadata Renamed 3rd" {
		t.Errorf("renamed to %q on the server", h.Name)
	}

	// Delete, after confirming.
	b.do("delete", chromedp.Click(chromedp.CSS("#delete-open")))
	b.wait("the confirmation", `document.getElementById('confirm').open`)
	b.do("confirm", chromedp.Click(chromedp.CSS("#confirm-ok")))
	b.wait("deleted", fmt.Sprintf(`!document.getElementById('empty-view').hidden && document.querySelector('[data-hook-id="%s"]') === null`, id))
	if code := call(t, "GET", srv.url+"/api/v2/hooks/"+id, srv.token, "", nil); code != http.StatusNotFound {
		t.Errorf("GET of the deleted hook: %d", code)
	}
	for _, v := range []string{secret, changed, temporary} {
		b.noSecretShown("at the end", v)
	}

	// The token lives in session storage only; nothing else is stored.
	if got := b.text(`JSON.stringify({local: localStorage.length, session: Object.keys(sessionStorage), cookie: document.cookie})`); got != `{"local":0,"session":["hookengine.token"],"cookie":""}` {
		t.Errorf("the page stores %s", got)
	}
	b.do("sign out", chromedp.Click(chromedp.CSS("#sign-out")))
	b.wait("signed out", `!document.getElementById('signin-view').hidden && sessionStorage.length === 0`)

	n := b.checkClean()
	t.Logf("%d requests; %s in all", n, time.Since(start).Round(time.Millisecond))
}

// checkClean fails the test if the page requested anything outside its
// origin, or if anything went wrong in it (an exception, a console error,
// a Content-Security-Policy violation). It returns how many requests the
// page made.
func (b *browserTab) checkClean() int {
	b.t.Helper()
	b.mu.Lock()
	requests, problems := append([]string(nil), b.requests...), append([]string(nil), b.problems...)
	b.mu.Unlock()
	if len(requests) < 5 {
		b.t.Errorf("only %d requests seen: %q", len(requests), requests)
	}
	for _, u := range requests {
		if !strings.HasPrefix(u, b.origin+"/") {
			b.t.Errorf("the page requested %s, outside %s", u, b.origin)
		}
	}
	for _, p := range problems {
		b.t.Errorf("in the page: %s", p)
	}
	return len(requests)
}

// TestDashboardScopesInBrowser signs in with tokens that lack scopes: the
// page says what the server refused, in words, where it happened.
func TestDashboardScopesInBrowser(t *testing.T) {
	exe := requireBrowser(t)
	t.Setenv("HOOKENGINE_SECRETS_KEY", "")
	t.Setenv("HOOKENGINE_TOKEN", "")
	dir := t.TempDir()
	cfg := writeConfig(t, dir, `tokens:
  - {name: admin, token: admin-token}
  - {name: reader, token: reader-token, scopes: [read:hooks]}
  - {name: runner, token: runner-token, scopes: [run:hooks]}
`)
	srv := startServer(t, "--config", cfg)
	var h mgmtapi.Hook
	if code := call(t, "POST", srv.url+"/api/v2/hooks", "admin-token",
		`{"name":"audit","script":"module.exports = function (user, context, cb) { cb(); };","triggerId":"post-change-password"}`, &h); code != http.StatusCreated {
		t.Fatalf("creating a hook: %d", code)
	}
	b := newBrowserTab(t, exe, srv.url)
	b.do("open the page", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(srv.url+"/"), chromedp.WaitVisible(chromedp.CSS("#signin-form")))

	// A token that may not read hooks cannot sign in.
	b.do("sign in without read:hooks", chromedp.SendKeys(chromedp.CSS("#token"), "runner-token"), chromedp.Click(chromedp.CSS("#signin-form button[type=submit]")))
	b.wait("refused", `document.getElementById('signin-error').textContent ===
		'This token may not read hooks (403): Insufficient scope; expected any of: read:hooks.'`)

	// A read-only token: it sees the hook, and every change is refused
	// with the scope it lacks.
	b.do("sign in read-only", chromedp.SendKeys(chromedp.CSS("#token"), "reader-token"), chromedp.Click(chromedp.CSS("#signin-form button[type=submit]")))
	b.wait("signed in", `!document.getElementById('app-view').hidden`)
	b.openHook(h.ID)
	b.wait("no compile check", `document.getElementById('compile-text').textContent ===
		'Compile check unavailable: Not allowed with this token (403): Insufficient scope; expected any of: create:hooks, update:hooks.'`)
	b.wait("no log stream", `document.getElementById('logs-state').textContent === 'not allowed: Insufficient scope; expected any of: run:hooks.'`)
	b.setEditor("edit", "script-editor", "module.exports = function (user, context, cb) { cb(null, {}); };")
	b.do("save", chromedp.Click(chromedp.CSS("#save")))
	b.wait("not saved", `document.getElementById('alert').textContent ===
		'Could not save: Not allowed with this token (403): Insufficient scope; expected any of: update:hooks.' &&
		document.getElementById('save-state').textContent === 'Not saved'`)
	b.do("enable", chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-hook-id="%s"] .switch`, h.ID))))
	b.wait("not enabled", `document.getElementById('alert').textContent.startsWith('Could not enable audit: Not allowed with this token (403)')`)
	b.do("run", chromedp.Click(chromedp.CSS("#run")))
	b.wait("not run", `document.querySelector('#run-result .error')?.textContent ===
		'Could not run: Not allowed with this token (403): Insufficient scope; expected any of: run:hooks.'`)
	if got := getHookOver(t, &testServer{url: srv.url, token: "admin-token"}, h.ID); got.Enabled || !strings.Contains(got.Script, "cb(); };") {
		t.Errorf("the read-only token changed the hook: %+v", got)
	}
	b.checkClean()
}

// listHooksOver lists the server's hooks through the API.
func listHooksOver(t *testing.T, srv *testServer) []mgmtapi.Hook {
	t.Helper()
	var hooks []mgmtapi.Hook
	if code := call(t, "GET", srv.url+"/api/v2/hooks", srv.token, "", &hooks); code != http.StatusOK {
		t.Fatalf("listing hooks: %d", code)
	}
	return hooks
}

// getHookOver reads one hook through the API.
func getHookOver(t *testing.T, srv *testServer, id string) mgmtapi.Hook {
	t.Helper()
	var h mgmtapi.Hook
	if code := call(t, "GET", srv.url+"/api/v2/hooks/"+id, srv.token, "", &h); code != http.StatusOK {
		t.Fatalf("reading hook %s: %d", id, code)
	}
	return h
}
