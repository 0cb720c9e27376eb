package soak

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/triggers"
)

// Kind groups hooks in the report.
type Kind string

const (
	// Normal hooks answer through their callback, echoing their run's token.
	Normal Kind = "normal"
	// Hostile hooks end at a limit, throw, never call back, or tamper with
	// their built-ins.
	Hostile Kind = "hostile"
	// Async hooks run through Engine.RunAsync; their result is the console
	// line they write, and their latency the time until it is logged.
	Async Kind = "async"
)

// A token identifies one run: "t<worker>x<sequence>". Every normal run's
// input carries its token, and the hook echoes it into its result.
func token(worker int, seq uint64) string {
	return "t" + strconv.Itoa(worker) + "x" + strconv.FormatUint(seq, 10)
}

var tokenRe = regexp.MustCompile(`t\d+x\d+`)

// mismatch describes a result that does not match its own input.
type mismatch struct {
	field     string
	got, want string
	// crossed: the result carries another run's token.
	crossed bool
}

func (m *mismatch) Error() string {
	kind := "mismatch"
	if m.crossed {
		kind = "crossed result"
	}
	return fmt.Sprintf("%s: %s = %s, want %s", kind, m.field, m.got, m.want)
}

// differ compares a value the hook echoed with what its input implies. A
// difference is a crossed result when the value carries a token other than
// the run's own.
func differ(field string, got any, want any, tok string) error {
	g, w := canonical(got), canonical(want)
	if g == w {
		return nil
	}
	m := &mismatch{field: field, got: g, want: w}
	for _, other := range tokenRe.FindAllString(g, -1) {
		if other != tok {
			m.crossed = true
		}
	}
	return m
}

// canonical is JSON text with object keys sorted.
func canonical(v any) string {
	if raw, ok := v.(json.RawMessage); ok {
		var x any
		if err := json.Unmarshal(raw, &x); err != nil {
			return string(raw)
		}
		v = x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// A check inspects a run's result; it is called only when the run's error
// class was expected.
type check func(res *engine.Result, c class) error

// spec is one hook of the workload and how its runs are made and checked.
type spec struct {
	name    string
	kind    Kind
	weight  int
	trigger triggers.ID
	file    string // under the testdata directory
	// variants is how many distinct hooks (ids and secrets) run the
	// script; each run picks one.
	variants int
	secrets  func(variant int) map[string]string
	fresh    bool
	// line: the run's console line, carrying its token, is part of its
	// result: after the callback (background work) or for Async hooks.
	line bool
	// expect lists the error classes a run may end with; classOK alone for
	// a hook that must call back with a value.
	expect []class
	// input makes a run's input and the check of its result.
	input func(tok string, variant int, r *rand.Rand) ([]byte, check)

	hooks []engine.Hook // one per variant
}

func (s *spec) expects(c class) bool { return slices.Contains(s.expect, c) }

// workload is the mix of hooks a soak runs, by weight.
type workload struct {
	specs []*spec
	total int
}

func (w *workload) pick(r *rand.Rand) int {
	n := r.IntN(w.total)
	for i, s := range w.specs {
		if n < s.weight {
			return i
		}
		n -= s.weight
	}
	panic("unreachable")
}

// Inputs are built as JSON text from the sample inputs' shapes.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

const connectionName = "Username-Password-Authentication"

func signup(email, username, lang string) map[string]any {
	ctx := map[string]any{
		"requestLanguage": "en-us",
		"request":         map[string]any{"ip": "2001:db8::1", "language": "en"},
		"connection":      map[string]any{"id": "con_0123456789abcdef", "name": connectionName, "tenant": "acme"},
	}
	if lang != "" {
		ctx["renderLanguage"] = lang
	}
	return map[string]any{
		"user": map[string]any{
			"tenant": "acme", "username": username, "password": "correct horse battery staple", "email": email,
			"emailVerified": false, "phoneNumber": "+15555550100", "phoneNumberVerified": false,
			"user_metadata": map[string]any{"newsletter": true}, "app_metadata": map[string]any{},
		},
		"context": ctx,
	}
}

func userEvent(email string) map[string]any {
	return map[string]any{
		"user": map[string]any{
			"id": "5f1c7c1e2a3b4c5d6e7f8a9b", "tenant": "acme", "username": "ada", "email": email,
			"emailVerified": false, "last_password_reset": "2026-11-20T09:30:00.000Z",
			"user_metadata": map[string]any{}, "app_metadata": map[string]any{},
		},
		"context": map[string]any{
			"requestLanguage": "en-us",
			"connection":      map[string]any{"id": "con_0123456789abcdef", "name": connectionName, "tenant": "acme"},
		},
	}
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// outcome type-asserts a result's outcome.
func outcome[T triggers.Outcome](res *engine.Result) (T, error) {
	o, ok := res.Outcome().(T)
	if !ok {
		return o, fmt.Errorf("outcome is %T", res.Outcome())
	}
	return o, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// The normal hooks of testdata/soak.

func metadataInput(tok string, _ int, r *rand.Rand) ([]byte, check) {
	domain := pick(r, "example.com", "startup.example")
	lang := pick(r, "fr", "de", "")
	email := "soak+" + tok + "@" + domain
	plan := "free"
	if domain == "example.com" {
		plan = "enterprise"
	}
	wantLang := lang
	if lang == "" {
		wantLang = "en"
	}
	return mustJSON(signup(email, "soak_"+tok, lang)), func(res *engine.Result, c class) error {
		o, err := outcome[*triggers.PreUserRegistrationOutcome](res)
		if err != nil {
			return err
		}
		if o.Denied() {
			return fmt.Errorf("denied: %s", o.Failure.Message)
		}
		return firstErr(
			differ("app_metadata.signup_email", o.AppMetadata["signup_email"], email, tok),
			differ("app_metadata", o.AppMetadata, map[string]any{
				"signup_email": email, "plan": plan, "connection": connectionName, "tags": []string{"soak", tok},
			}, tok),
			differ("user_metadata", o.UserMetadata, map[string]any{"newsletter": true, "language": wantLang}, tok),
		)
	}
}

const claimsNS = "https://soak.example.com/"

func claimsSecrets(v int) map[string]string {
	return map[string]string{"TENANT": "tenant-" + strconv.Itoa(v)}
}

func claimsInput(tok string, v int, r *rand.Rand) ([]byte, check) {
	id, name := "cid-"+tok, "Reporting "+tok
	audience := pick(r, "https://api.acme.example/", "https://reports.acme.example/")
	in := map[string]any{
		"client":   map[string]any{"id": id, "name": name, "tenant": "acme", "metadata": map[string]any{"plan": "pro"}},
		"scope":    []string{"read:users", "update:users", "read:logs"},
		"audience": audience,
		"context":  map[string]any{},
	}
	return mustJSON(in), func(res *engine.Result, c class) error {
		o, err := outcome[*triggers.CredentialsExchangeOutcome](res)
		if err != nil {
			return err
		}
		if o.Failure != nil {
			return fmt.Errorf("failed: %s", o.Failure.Message)
		}
		return firstErr(
			differ("claims.client_name", o.Claims[claimsNS+"client_name"], name, tok),
			differ("claims", o.Claims, map[string]any{
				claimsNS + "client_name":   name,
				claimsNS + "client_digest": sha256Hex(id),
				claimsNS + "tenant":        claimsSecrets(v)["TENANT"],
				claimsNS + "audience":      audience,
			}, tok),
			differ("scope", o.Scope, []string{"read:users", "read:logs", "soak:run"}, tok),
			differ("ignored", o.Ignored, []string{"sub"}, tok),
		)
	}
}

func asyncRiskInput(tok string, _ int, _ *rand.Rand) ([]byte, check) {
	username := "soak_" + tok
	return mustJSON(signup("soak+"+tok+"@example.com", username, "")), func(res *engine.Result, c class) error {
		o, err := outcome[*triggers.PreUserRegistrationOutcome](res)
		if err != nil {
			return err
		}
		if o.Denied() {
			return fmt.Errorf("denied: %s", o.Failure.Message)
		}
		return firstErr(
			differ("app_metadata.reviewed_username", o.AppMetadata["reviewed_username"], username, tok),
			differ("app_metadata", o.AppMetadata, map[string]any{
				"reviewed_username": username, "risk": len(username) * 7 % 100, "reviewed": true,
			}, tok),
			differ("user_metadata", o.UserMetadata, nil, tok),
		)
	}
}

func smsInput(tok string, _ int, r *rand.Rand) ([]byte, check) {
	recipient := fmt.Sprintf("+1555%07d", r.IntN(10_000_000))
	code := fmt.Sprintf("%06d", r.IntN(1_000_000))
	text := "Your verification code is " + code + " (ref " + tok + ")"
	in := map[string]any{
		"recipient": recipient,
		"text":      text,
		"context": map[string]any{
			"message_type": "sms", "action": "second-factor-authentication", "language": "en", "code": code,
			"ip": "203.0.113.7", "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
			"client": map[string]any{"client_id": "kS1N2dQwCl3uVhXyJxZ7Fz9aBcDeFgHi", "name": "Acme Portal", "client_metadata": map[string]any{}},
			"user":   map[string]any{"user_id": "auth0|" + tok, "name": "Ada", "email": "soak+" + tok + "@example.com"},
		},
	}
	return mustJSON(in), func(res *engine.Result, c class) error {
		o, err := outcome[*triggers.SendPhoneMessageOutcome](res)
		if err != nil {
			return err
		}
		if o.Failure != nil {
			return fmt.Errorf("failed: %s", o.Failure.Message)
		}
		return firstErr(
			differ("body", o.Result["body"], text, tok),
			differ("result", o.Result, map[string]any{
				"MessageID": sha256Hex(recipient + "\n" + text)[:24], "to": recipient, "body": text,
			}, tok),
		)
	}
}

func denyInput(tok string, _ int, r *rand.Rand) ([]byte, check) {
	domain := pick(r, "disposable.example", "example.com")
	email := "soak+" + tok + "@" + domain
	return mustJSON(signup(email, "soak_"+tok, "")), func(res *engine.Result, c class) error {
		o, err := outcome[*triggers.PreUserRegistrationOutcome](res)
		if err != nil {
			return err
		}
		if domain == "example.com" {
			if o.Denied() {
				return differ("failure", o.Failure.Message, "none", tok)
			}
			return differ("app_metadata", o.AppMetadata, map[string]any{"checked_email": email}, tok)
		}
		if !o.Denied() {
			return differ("app_metadata", o.AppMetadata, "a denial", tok)
		}
		return firstErr(
			differ("failure.message", o.Failure.Message, "signup of "+email+" denied: disposable domain "+domain, tok),
			differ("failure", map[string]string{"name": o.Failure.Name, "friendly": o.Failure.FriendlyMessage},
				map[string]string{"name": "PreUserRegistrationError", "friendly": "Please sign up with a permanent email address."}, tok),
		)
	}
}

// notifyLine and auditLine are the console lines of notify.js and
// audit.js; the address carries the token.
var lineRe = regexp.MustCompile(`^(?:welcome notification queued for|password changed for) soak\+(t\d+x\d+)@`)

func notifyInput(tok string, _ int, _ *rand.Rand) ([]byte, check) {
	return mustJSON(userEvent("soak+" + tok + "@example.com")), func(res *engine.Result, c class) error {
		// The answer is empty: cb(); the console line, checked when it is
		// logged, carries the token.
		if _, err := outcome[*triggers.PostUserRegistrationOutcome](res); err != nil {
			return err
		}
		return firstErr(differ("data", res.Envelope.Data, map[string]any{}, tok), differ("logs", len(res.Logs), 0, tok))
	}
}

func auditInput(tok string, _ int, _ *rand.Rand) ([]byte, check) {
	return mustJSON(userEvent("soak+" + tok + "@example.com")), nil
}

func tamperEchoInput(tok string, _ int, _ *rand.Rand) ([]byte, check) {
	email := "soak+" + tok + "@example.com"
	return mustJSON(signup(email, "soak_"+tok, "")), func(res *engine.Result, c class) error {
		return differ("data", res.Envelope.Data, map[string]any{"user": map[string]any{"app_metadata": map[string]any{"tampered_by": email}}}, tok)
	}
}

// hostileInput is the sample input of testdata/inputs: hostile scripts of
// the corpus echo nothing, their check is how they end.
func hostileInput(sample []byte, data string, msg string) func(string, int, *rand.Rand) ([]byte, check) {
	return func(tok string, _ int, _ *rand.Rand) ([]byte, check) {
		return sample, func(res *engine.Result, c class) error {
			if data != "" && c == classOK {
				return differ("data", res.Envelope.Data, json.RawMessage(data), tok)
			}
			if msg != "" && c == classThrown && !strings.Contains(string(res.Envelope.Data), msg) {
				return differ("data", res.Envelope.Data, "containing "+msg, tok)
			}
			return nil
		}
	}
}

// newWorkload reads the scripts of the mix from testdata.
func newWorkload(testdata string, mix []MixEntry) (*workload, error) {
	sample, err := os.ReadFile(filepath.Join(testdata, "inputs", "pre-user-registration.json"))
	if err != nil {
		return nil, err
	}
	// A script that never stops ends at its CPU limit, or at its wall-time
	// limit on a machine too loaded to give it the CPU first; one that
	// grows the heap at whichever comes first.
	busy := []class{classCPU, classWall}
	growing := []class{classMemory, classCPU, classWall}
	hostile := func(name string, expect []class, data, msg string) *spec {
		return &spec{name: name, kind: Hostile, trigger: triggers.PreUserRegistration, file: "hostile/" + name + ".js",
			expect: expect, input: hostileInput(sample, data, msg)}
	}
	ok := []class{classOK}
	okOrDenied := []class{classOK, classCallbackError}
	all := []*spec{
		{name: "metadata", kind: Normal, trigger: triggers.PreUserRegistration, file: "soak/metadata.js", variants: 2, expect: ok, input: metadataInput},
		{name: "metadata-fresh", kind: Normal, trigger: triggers.PreUserRegistration, file: "soak/metadata.js", fresh: true, expect: ok, input: metadataInput},
		{name: "claims", kind: Normal, trigger: triggers.CredentialsExchange, file: "soak/claims.js", variants: 4, secrets: claimsSecrets, expect: ok, input: claimsInput},
		{name: "async-risk", kind: Normal, trigger: triggers.PreUserRegistration, file: "soak/async-risk.js", expect: ok, input: asyncRiskInput},
		{name: "sms", kind: Normal, trigger: triggers.SendPhoneMessage, file: "soak/sms.js", expect: ok, input: smsInput},
		{name: "deny", kind: Normal, trigger: triggers.PreUserRegistration, file: "soak/deny.js", expect: okOrDenied, input: denyInput},
		{name: "notify", kind: Normal, trigger: triggers.PostUserRegistration, file: "soak/notify.js", line: true, expect: ok, input: notifyInput},
		{name: "audit", kind: Async, trigger: triggers.PostChangePassword, file: "soak/audit.js", line: true, expect: ok, input: auditInput},

		{name: "tamper-echo", kind: Hostile, trigger: triggers.PreUserRegistration, file: "soak/tamper-echo.js", expect: ok, input: tamperEchoInput},
		hostile("loop-sync", busy, "", ""),
		hostile("loop-timer", busy, "", ""),
		hostile("loop-interval", []class{classWall}, "", ""),
		hostile("flood-promises", growing, "", ""),
		// The stack limit ends it within milliseconds, but building the
		// error's stack of thousands of frames on a loaded machine under
		// the race detector has taken longer than the CPU limit: either
		// limit is a correct end.
		hostile("recursion", []class{classStack, classCPU, classWall}, "", ""),
		hostile("mem-repeat", []class{classMemory}, "", ""),
		hostile("mem-array-growth", growing, "", ""),
		hostile("mem-small-objects", growing, "", ""),
		hostile("callback-never", []class{classNoCallback}, "", ""),
		hostile("callback-never-promise", []class{classNoCallback}, "", ""),
		// The match timeout (100 ms) is as long as the CPU limit: either
		// may end it first.
		hostile("redos", []class{classThrown, classCPU, classWall}, "", "Regular expression too complex"),
		hostile("throw-null", []class{classThrown}, "", "null"),
		// Its getter on Object.prototype is not configurable: a second run
		// on the same warm runtime throws when it defines it again, and
		// its own toJSON turns the error envelope into "hijacked" too.
		hostile("tamper-object-prototype", []class{classOK, classThrown}, `"hijacked"`, `"hijacked"`),
		hostile("tamper-array-prototype", ok, `{"user":{"app_metadata":{"tampered":"array"}}}`, ""),
		hostile("tamper-json", ok, `{"user":{"app_metadata":{"tampered":"json"}}}`, ""),
		hostile("read-other-secrets", ok, `{"found":[],"own":["MINE"]}`, ""),
	}
	for _, s := range all {
		if s.name == "read-other-secrets" {
			s.secrets = func(int) map[string]string { return map[string]string{"MINE": "own-secret"} }
		}
	}
	byName := make(map[string]*spec, len(all))
	for _, s := range all {
		byName[s.name] = s
	}
	w := &workload{}
	for _, m := range mix {
		s, found := byName[m.Hook]
		if !found {
			return nil, fmt.Errorf("soak: unknown hook %q in the mix", m.Hook)
		}
		if m.Weight <= 0 {
			continue
		}
		src, err := os.ReadFile(filepath.Join(testdata, filepath.FromSlash(s.file)))
		if err != nil {
			return nil, err
		}
		s.weight = m.Weight
		s.variants = max(s.variants, 1)
		for v := range s.variants {
			h := engine.Hook{
				ID:           fmt.Sprintf("soak-%s-%d", s.name, v),
				Name:         s.name,
				Trigger:      s.trigger,
				Script:       string(src),
				FreshRuntime: s.fresh,
			}
			if s.secrets != nil {
				h.Secrets = s.secrets(v)
			}
			s.hooks = append(s.hooks, h)
		}
		w.specs = append(w.specs, s)
		w.total += s.weight
	}
	if w.total == 0 {
		return nil, errors.New("soak: the mix has no hook with a positive weight")
	}
	return w, nil
}

// MixEntry weighs one hook of the workload.
type MixEntry struct {
	Hook   string `json:"hook"`
	Weight int    `json:"weight"`
}

// DefaultMix runs normal hooks 95% of the time and hostile ones 5%.
var DefaultMix = []MixEntry{
	{"metadata", 240}, {"metadata-fresh", 20}, {"claims", 240}, {"async-risk", 150}, {"sms", 100},
	{"deny", 80}, {"notify", 80}, {"audit", 40},
	{"tamper-echo", 3}, {"loop-sync", 4}, {"loop-timer", 3}, {"loop-interval", 2}, {"flood-promises", 2},
	{"recursion", 5}, {"mem-repeat", 4}, {"mem-array-growth", 4}, {"mem-small-objects", 3},
	{"callback-never", 4}, {"callback-never-promise", 3}, {"redos", 4}, {"throw-null", 3},
	{"tamper-object-prototype", 2}, {"tamper-array-prototype", 2}, {"tamper-json", 1}, {"read-other-secrets", 1},
}
