package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

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
	// envScreenshotDir is where the screenshots of a failed run go;
	// default: the system's temporary directory.
	envScreenshotDir = "HOOKENGINE_SCREENSHOT_DIR"
	// envPageScreenshot, when set, is a file to write a screenshot of the
	// page at 1280×800 to, taken once the runner shows a result (the
	// README's docs/dashboard.png), and one at 400×860 beside it (with
	// -narrow added to its name).
	envPageScreenshot = "HOOKENGINE_PAGE_SCREENSHOT"
)

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
	b := &browserTab{t: t, origin: origin}
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
		b.t.Fatalf("%s: waiting for %s: %v\npage says: %s", step, expr, err, b.text("document.body.innerText.slice(0, 3000)"))
	}
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
	srv := startServer(t, "--data", t.TempDir(), "--dev")
	if srv.token == "" {
		t.Fatalf("no development token in:\n%s", srv.stdout)
	}
	link := srv.url + "/dashboard/#token=" + srv.token
	if !strings.Contains(srv.stdout.String(), link) {
		t.Errorf("hooks serve does not print the sign-in link %s:\n%s", link, srv.stdout)
	}
	b := newBrowserTab(t, exe, srv.url)
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
	b.do("sign in", chromedp.SendKeys(chromedp.CSS("#token"), srv.token), chromedp.Click(chromedp.CSS("#signin-form button[type=submit]")))
	b.wait("signed in", `!document.getElementById('app-view').hidden && document.querySelectorAll('#point-list .point').length === 5`)
	if got := b.text(`sessionStorage.getItem('hookengine.token')`); got != srv.token {
		t.Errorf("session storage holds %q, want the token", got)
	}

	// Create a pre-user-registration hook: a name the API refuses first.
	b.do("open Create a Hook", chromedp.Click(chromedp.CSS(`section[data-point="pre-user-registration"] button.link`)))
	b.wait("the create form", `!document.getElementById('create-view').hidden && document.getElementById('new-point-pre-user-registration').checked`)
	b.do("a bad name", chromedp.SendKeys(chromedp.CSS("#new-name"), "signup_metadata"), chromedp.Click(chromedp.CSS("#create-form button[type=submit]")))
	b.wait("the name error", `document.getElementById('new-name').getAttribute('aria-invalid') === 'true' && document.getElementById('new-name-error').textContent.includes('Only letters')`)
	b.typeInto("a good name", "new-name", "Signup Metadata v2")
	b.do("create", chromedp.Click(chromedp.CSS("#create-form button[type=submit]")))
	b.wait("the new hook", `!document.getElementById('hook-view').hidden && document.getElementById('hook-title').textContent === 'Signup Metadata v2'`)
	if got := b.text(`document.getElementById('script').value`); !strings.Contains(got, "pre-user-registration") || !strings.Contains(got, "app_metadata") {
		t.Errorf("the new hook does not start from the point's starter script:\n%s", got)
	}
	hooks := listHooksOver(t, srv)
	if len(hooks) != 1 || hooks[0].Name != "Signup Metadata v2" || hooks[0].TriggerID != "pre-user-registration" || hooks[0].Enabled {
		t.Fatalf("hooks after creating: %+v", hooks)
	}
	id := hooks[0].ID

	// The editor: Tab indents; then a new script, saved with Ctrl+S.
	b.text(`(() => { const t = document.getElementById('script'); t.focus(); t.setSelectionRange(0, 0); return ''; })()`)
	b.do("Tab in the editor", chromedp.KeyEvent("\t"))
	if got := b.text(`document.getElementById('script').value.slice(0, 5)`); got != "  /**" {
		t.Errorf("Tab did not indent the line: it starts with %q", got)
	}
	b.wait("unsaved changes", `document.getElementById('save-state').textContent === 'Unsaved changes'`)
	b.typeInto("write the script", "script", browserScript)
	b.wait("the script compiles", `document.getElementById('compile-text').textContent === 'Compiles.'`)
	b.do("save with Ctrl+S", chromedp.KeyEvent("s", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	b.wait("saved", `document.getElementById('save-state').textContent === 'Saved'`)
	if h := getHookOver(t, srv, id); h.Script != browserScript {
		t.Fatalf("the server has the script %q", h.Script)
	}

	// A compile error, shown at its line and column, and not saved.
	b.typeInto("break the script", "script", brokenScript)
	b.wait("the compile error", `document.getElementById('compile-text').textContent === 'Line 3, column 13: Unexpected token ;'`)
	if got := b.text(`(() => { const m = document.querySelector('#script-editor .marker');
		const t = document.getElementById('script'); const cs = getComputedStyle(t);
		const line = Math.round((new DOMMatrix(getComputedStyle(m).transform).m42 - parseFloat(cs.paddingTop)) / parseFloat(cs.lineHeight)) + 1;
		return (m.hidden ? 'hidden' : 'line ' + line); })()`); got != "line 3" {
		t.Errorf("the error marker: %s, want line 3", got)
	}
	b.do("save the broken script", chromedp.Click(chromedp.CSS("#save")))
	b.wait("not saved", `document.getElementById('save-state').textContent.startsWith('Not saved')`)
	if h := getHookOver(t, srv, id); h.Script != browserScript {
		t.Fatalf("a script that does not compile was saved: %q", h.Script)
	}
	b.do("go to the error", chromedp.Click(chromedp.CSS("#compile-goto")))
	if got := b.text(`(() => { const t = document.getElementById('script'); const before = t.value.slice(0, t.selectionStart).split('\n');
		return document.activeElement.id + ' ' + before.length + ':' + (before[before.length - 1].length + 1); })()`); got != "script 3:13" {
		t.Errorf("Go to the error put the caret at %s, want script 3:13", got)
	}
	b.typeInto("fix the script", "script", browserScript)
	b.wait("the script compiles again", `document.getElementById('compile-text').textContent === 'Compiles.'`)
	b.wait("no unsaved changes", `document.getElementById('save-state').textContent === 'Saved'`)

	// A secret: its name is listed, its value never shown.
	b.do("the Secrets tab", chromedp.Click(chromedp.CSS("#tab-secrets")))
	b.wait("the secret form", `!document.getElementById('panel-secrets').hidden`)
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
	if got := b.text(`document.getElementById('run-input').value`); !strings.Contains(got, `"email": "grace@example.com"`) {
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
	b.do("wide", chromedp.EmulateViewport(1280, 800))

	// Every field has a label.
	if got := b.text(`[...document.querySelectorAll('input, textarea, select')].filter((e) => e.type !== 'hidden' &&
		e.labels.length === 0 && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')).map((e) => e.id || e.name).join(',')`); got != "" {
		t.Errorf("fields without a label: %s", got)
	}

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
	b.do("open the hook", chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-hook-id="%s"] .hook-link`, h.ID))))
	b.wait("no compile check", `document.getElementById('compile-text').textContent ===
		'Compile check unavailable: Not allowed with this token (403): Insufficient scope; expected any of: create:hooks, update:hooks.'`)
	b.wait("no log stream", `document.getElementById('logs-state').textContent === 'not allowed: Insufficient scope; expected any of: run:hooks.'`)
	b.typeInto("edit", "script", "module.exports = function (user, context, cb) { cb(null, {}); };")
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
