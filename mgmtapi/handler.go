package mgmtapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.uber.org/zap"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/internal/redact"
	"github.com/hookengine/hookengine/runner"
	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

// MaxBodyBytes is the largest request body accepted: Auth0's Management API
// accepted at most one megabyte.
const MaxBodyBytes = 1 << 20

// Paths of the endpoints. The hooks endpoints are Auth0's; RunPrefix starts
// the hookengine extension (see the package documentation).
const (
	HooksPath = "/api/v2/hooks"
	RunPrefix = "/hookengine/v1"
)

// Handler serves the Management API's hooks endpoints and the run
// extension. It is safe for concurrent use; make one with NewHandler.
type Handler struct {
	store      store.Store
	runner     *runner.Runner
	runTimeout time.Duration
	// runFunc replaces runner.Run in tests.
	runFunc  func(context.Context, *store.Hook, any) (*engine.Result, error)
	compiler Compiler
	logs     *RunLogs
	// benching is set while a benchmark runs (see benchHook).
	benching atomic.Bool
	auth     Authenticator
	noAuth   bool
	log      *zap.Logger
}

var _ http.Handler = (*Handler)(nil)

// An Option configures a Handler.
type Option interface {
	applyHandlerOption(*Handler)
}

type optionFunc func(*Handler)

func (f optionFunc) applyHandlerOption(h *Handler) { f(h) }

// WithAuthenticator makes the handler accept the bearer tokens a accepts.
// Without it (and without WithoutAuthentication), every request is refused
// with 401.
func WithAuthenticator(a Authenticator) Option {
	return optionFunc(func(h *Handler) { h.auth = a })
}

// WithoutAuthentication serves every request as if its token had every
// scope. Use it only behind authentication of your own, or in tests.
func WithoutAuthentication() Option {
	return optionFunc(func(h *Handler) { h.noAuth = true })
}

// WithRunner enables the run endpoints, which run hooks with r. Without it
// they answer 404.
func WithRunner(r *runner.Runner) Option {
	return optionFunc(func(h *Handler) { h.runner = r })
}

// RunGrace is how long a run endpoint waits for the engine to return a run
// after the run's context ended (its deadline passed, the client went
// away), before it answers 504 without the result.
const RunGrace = 500 * time.Millisecond

// WithRunTimeout bounds the run endpoints: each run gets a context that
// ends d after the request started (set d to the hooks' wall-time limit
// plus a margin), and a request whose run the engine has not returned
// RunGrace after that context ended is answered 504 (errorCode
// hookengine_run_timeout) at once, leaving the run to the engine. Without
// it (or with d <= 0) only the request's own context bounds a run; the
// RunGrace answer applies all the same when that context ends.
func WithRunTimeout(d time.Duration) Option {
	return optionFunc(func(h *Handler) { h.runTimeout = d })
}

// WithCompiler enables the check endpoint, which compiles scripts with c
// (an *engine.Engine). Without it the endpoint answers 404.
func WithCompiler(c Compiler) Option {
	return optionFunc(func(h *Handler) { h.compiler = c })
}

// WithRunLogs enables the log stream endpoint, which streams what l
// collects (see RunLogs). Without it the endpoint answers 404.
func WithRunLogs(l *RunLogs) Option {
	return optionFunc(func(h *Handler) { h.logs = l })
}

// WithLogger sends the handler's logs to l: one debug line per request
// (method, path, status, duration, caller's subject) and errors. Tokens,
// bodies and secret values are never logged. The default discards logs.
func WithLogger(l *zap.Logger) Option {
	return optionFunc(func(h *Handler) {
		if l != nil {
			h.log = l
		}
	})
}

// NewHandler returns a handler of the hooks in s.
func NewHandler(s store.Store, opts ...Option) *Handler {
	h := &Handler{store: s, log: zap.NewNop()}
	for _, o := range opts {
		o.applyHandlerOption(h)
	}
	return h
}

// request is what an operation gets.
type request struct {
	r         *http.Request
	param     string // the {id} or {triggerId} of the path
	body      []byte
	principal *Principal
}

// operation is one method of one route.
type operation struct {
	scopes []string // any of them will do
	body   bool     // reads a request body
	serve  func(h *Handler, w http.ResponseWriter, req *request)
}

// route is a path pattern and its operations by method.
type route struct {
	pattern string
	ops     map[string]operation
}

var (
	hooksRoute = &route{pattern: HooksPath, ops: map[string]operation{
		http.MethodGet:  {scopes: []string{ScopeRead}, serve: (*Handler).listHooks},
		http.MethodPost: {scopes: []string{ScopeCreate}, body: true, serve: (*Handler).createHook},
	}}
	hookRoute = &route{pattern: HooksPath + "/{id}", ops: map[string]operation{
		http.MethodGet:    {scopes: []string{ScopeRead}, serve: (*Handler).getHook},
		http.MethodPatch:  {scopes: []string{ScopeUpdate}, body: true, serve: (*Handler).updateHook},
		http.MethodDelete: {scopes: []string{ScopeDelete}, serve: (*Handler).deleteHook},
	}}
	secretsRoute = &route{pattern: HooksPath + "/{id}/secrets", ops: map[string]operation{
		http.MethodGet:    {scopes: []string{ScopeRead}, serve: (*Handler).getSecrets},
		http.MethodPost:   {scopes: []string{ScopeUpdate}, body: true, serve: (*Handler).addSecrets},
		http.MethodPatch:  {scopes: []string{ScopeUpdate}, body: true, serve: (*Handler).updateSecrets},
		http.MethodDelete: {scopes: []string{ScopeDelete}, body: true, serve: (*Handler).deleteSecrets},
	}}
	runHookRoute = &route{pattern: RunPrefix + "/hooks/{id}/run", ops: map[string]operation{
		http.MethodPost: {scopes: []string{ScopeRun}, body: true, serve: (*Handler).runHook},
	}}
	runTriggerRoute = &route{pattern: RunPrefix + "/triggers/{triggerId}/run", ops: map[string]operation{
		http.MethodPost: {scopes: []string{ScopeRun}, body: true, serve: (*Handler).runTrigger},
	}}
	checkRoute = &route{pattern: RunPrefix + "/triggers/{triggerId}/check", ops: map[string]operation{
		http.MethodPost: {scopes: []string{ScopeCreate, ScopeUpdate}, body: true, serve: (*Handler).checkScript},
	}}
	logsRoute = &route{pattern: RunPrefix + "/hooks/{id}/logs", ops: map[string]operation{
		http.MethodGet: {scopes: []string{ScopeRun}, serve: (*Handler).streamLogs},
	}}
)

// match finds the route of the request's path and its parameter. It
// routes on the path as the client sent it (URL.EscapedPath), one segment
// at a time, so an encoded slash is part of a segment and never separates
// two: /api/v2/hooks/ID%2Fsecrets is no route. A segment that decodes to a
// slash, a backslash or a percent sign (an encoded slash, encoded twice) is
// no route either, nor is one that is not a valid escape.
func (h *Handler) match(u *url.URL) (*route, string) {
	seg := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	for i, s := range seg {
		v, err := url.PathUnescape(s)
		if err != nil || strings.ContainsAny(v, "/\\%") {
			return nil, ""
		}
		seg[i] = v
	}
	switch {
	case len(seg) >= 3 && seg[0] == "api" && seg[1] == "v2" && seg[2] == "hooks":
		switch {
		case len(seg) == 3:
			return hooksRoute, ""
		case len(seg) == 4 && seg[3] != "":
			return hookRoute, seg[3]
		case len(seg) == 5 && seg[3] != "" && seg[4] == "secrets":
			return secretsRoute, seg[3]
		}
	case len(seg) == 5 && seg[0] == "hookengine" && seg[1] == "v1" && seg[3] != "":
		switch {
		case h.runner != nil && seg[2] == "hooks" && seg[4] == "run":
			return runHookRoute, seg[3]
		case h.runner != nil && seg[2] == "hooks" && seg[4] == "bench":
			return benchRoute, seg[3]
		case h.runner != nil && seg[2] == "triggers" && seg[4] == "run":
			return runTriggerRoute, seg[3]
		case h.compiler != nil && seg[2] == "triggers" && seg[4] == "check":
			return checkRoute, seg[3]
		case h.logs != nil && seg[2] == "hooks" && seg[4] == "logs":
			return logsRoute, seg[3]
		}
	}
	return nil, ""
}

// statusWriter remembers the status of the response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer, to
// flush the log stream and move its deadlines.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	var subject string
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			stack := make([]byte, 64<<10)
			stack = stack[:runtime.Stack(stack, false)]
			h.log.Error("panic serving a request", zap.String("method", r.Method), zap.String("path", r.URL.Path),
				zap.Any("panic", v), zap.ByteString("stack", stack))
			if sw.status == 0 {
				writeError(sw, newError(http.StatusInternalServerError, CodeInternal, messageInternal))
			}
		}
		if ce := h.log.Check(zap.DebugLevel, "request"); ce != nil {
			ce.Write(zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.Int("status", sw.status),
				zap.Duration("duration", time.Since(start)), zap.String("subject", subject))
		}
	}()
	subject = h.serve(sw, r)
}

// serve routes, authenticates, authorises, reads the body and runs the
// operation. It returns the caller's subject, for the log.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) string {
	rt, param := h.match(r.URL)
	if rt == nil {
		if res, ok := otherResource(r.URL.EscapedPath()); ok {
			writeError(w, newError(http.StatusNotFound, CodeOnlyHooks, fmt.Sprintf(messageOnlyHooks, res)))
			return ""
		}
		writeError(w, newError(http.StatusNotFound, CodeNotFound, "Not Found"))
		return ""
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	op, ok := rt.ops[method]
	if !ok {
		allowed := slices.Sorted(maps.Keys(rt.ops))
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, newError(http.StatusMethodNotAllowed, CodeMethodNotAllowed,
			fmt.Sprintf("Method %s is not allowed on %s; allowed: %s.", r.Method, rt.pattern, strings.Join(allowed, ", "))))
		return ""
	}
	p, aerr := h.authenticate(r)
	if aerr != nil {
		writeError(w, aerr)
		return ""
	}
	if !slices.ContainsFunc(op.scopes, p.HasScope) {
		writeError(w, newError(http.StatusForbidden, CodeInsufficientScope, messageInsufficientPre+strings.Join(op.scopes, ", ")+"."))
		return p.Subject
	}
	req := &request{r: r, param: param, principal: p}
	if op.body {
		body, berr := readBody(w, r)
		if berr != nil {
			writeError(w, berr)
			return p.Subject
		}
		req.body = body
	}
	op.serve(h, w, req)
	return p.Subject
}

// otherResource returns the resource of a Management API path other than
// hooks (/api/v2/rules/... gives "rules"), when it is one: a name of
// lower-case letters, '-' and '_'.
func otherResource(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/api/v2/")
	if !ok {
		return "", false
	}
	res, _, _ := strings.Cut(rest, "/")
	if res == "" || res == "hooks" || len(res) > 64 || strings.Trim(res, "abcdefghijklmnopqrstuvwxyz-_") != "" {
		return "", false
	}
	return res, true
}

// authenticate checks the request's bearer token.
func (h *Handler) authenticate(r *http.Request) (*Principal, *Error) {
	if h.noAuth {
		return &Principal{Subject: "unauthenticated", Scopes: AllScopes}, nil
	}
	header := r.Header.Get("Authorization")
	if header == "" {
		return nil, newError(http.StatusUnauthorized, CodeMissingAuth, messageMissingAuth)
	}
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, newError(http.StatusUnauthorized, CodeInvalidToken, messageInvalidToken)
	}
	if h.auth == nil {
		return nil, newError(http.StatusUnauthorized, CodeInvalidToken, messageInvalidToken)
	}
	p, err := h.auth.Authenticate(r.Context(), token)
	if err != nil || p == nil {
		// The reason says which check failed; it never holds the token.
		h.log.Debug("token refused", zap.String("path", r.URL.Path), zap.Error(err))
		if errors.Is(err, jwt.ErrTokenExpired) {
			return nil, newError(http.StatusUnauthorized, CodeInvalidToken, messageExpiredToken)
		}
		return nil, newError(http.StatusUnauthorized, CodeInvalidToken, messageInvalidToken)
	}
	return p, nil
}

// readBody reads the request body, up to MaxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *Error) {
	tooLarge := newError(http.StatusRequestEntityTooLarge, CodePayloadTooLarge, fmt.Sprintf(messagePayloadTooLarge, MaxBodyBytes))
	if r.ContentLength > MaxBodyBytes {
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge
	case err != nil:
		return nil, newError(http.StatusBadRequest, CodeInvalidBody, "Cannot read the request body.")
	}
	return body, nil
}

// storeError answers the error of a store call. conflict is the message of
// a name conflict, which differs between POST and PATCH.
func (h *Handler) storeError(w http.ResponseWriter, r *http.Request, err error, conflict string) {
	var e *Error
	switch {
	case errors.Is(err, store.ErrNotFound):
		e = newError(http.StatusNotFound, CodeHookNotFound, messageHookNotFound)
	case errors.Is(err, store.ErrNameTaken):
		// Auth0's message, then which hook has the name.
		e = newError(http.StatusConflict, CodeHookConflict, strings.TrimSuffix(conflict, ".")+": "+strings.TrimPrefix(err.Error(), store.ErrNameTaken.Error()+": ")+".")
	case errors.Is(err, store.ErrSecretExists):
		e = newError(http.StatusConflict, CodeSecretConflict, messageSecretConflict)
	case errors.Is(err, store.ErrSecretNotFound):
		e = newError(http.StatusNotFound, CodeSecretNotFound, messageSecretNotFound)
	case errors.Is(err, store.ErrTooManySecrets):
		e = newError(http.StatusBadRequest, CodeTooManySecrets, messageTooManySecrets)
	case errors.Is(err, store.ErrInvalid):
		e = newError(http.StatusBadRequest, CodeInvalidBody, "Payload validation error: '"+strings.TrimPrefix(err.Error(), "store: ")+"'.")
	case errors.Is(err, store.ErrClosed), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// Shutting down, or the client went away.
		h.log.Debug("request ended early", zap.String("path", r.URL.Path), zap.Error(err))
		e = newError(http.StatusServiceUnavailable, CodeUnavailable, "The service is shutting down or the request was cancelled.")
	default:
		h.log.Error("store error", zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.Error(err))
		e = newError(http.StatusInternalServerError, CodeInternal, messageInternal)
	}
	writeError(w, e)
}

// hookView encodes a hook's properties in the order Auth0's API wrote them,
// limited to fields (nil: all).
type hookView struct {
	h      *store.Hook
	fields fieldSet
}

func (v hookView) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	n := 0
	for _, f := range hookFields {
		if v.fields != nil && !v.fields[f] {
			continue
		}
		var val any
		switch f {
		case "id":
			val = v.h.ID
		case "name":
			val = v.h.Name
		case "script":
			val = v.h.Script
		case "dependencies":
			deps := v.h.Dependencies
			if deps == nil {
				deps = map[string]string{}
			}
			val = deps
		case "enabled":
			val = v.h.Enabled
		case "triggerId":
			val = string(v.h.TriggerID)
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		b.WriteString(`"` + f + `":`)
		if err := encodeNoEscape(&b, val); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func encodeNoEscape(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}

// hookPage is the body of GET /api/v2/hooks?include_totals=true, in the
// order Auth0's API wrote it.
type hookPage struct {
	Total int        `json:"total"`
	Start int        `json:"start"`
	Limit int        `json:"limit"`
	Hooks []hookView `json:"hooks"`
}

func (h *Handler) listHooks(w http.ResponseWriter, req *request) {
	lq, qerr := parseListQuery(req.r.URL.Query())
	if qerr != nil {
		writeError(w, qerr)
		return
	}
	opts := lq.opts
	if lq.perPage == 0 {
		opts.Limit = 1 // for the total; no hook is returned
	}
	list, err := h.store.ListHooks(req.r.Context(), opts)
	if err != nil {
		h.storeError(w, req.r, err, "")
		return
	}
	views := []hookView{}
	if lq.perPage > 0 {
		for _, hk := range list.Hooks {
			views = append(views, hookView{h: hk, fields: lq.fields})
		}
	}
	if lq.includeTotals {
		writeJSON(w, http.StatusOK, hookPage{Total: list.Total, Start: lq.opts.Offset, Limit: lq.perPage, Hooks: views})
		return
	}
	writeJSON(w, http.StatusOK, views)
}

func (h *Handler) createHook(w http.ResponseWriter, req *request) {
	in, perr := parseCreate(req.body)
	if perr != nil {
		writeError(w, perr)
		return
	}
	created, err := h.store.CreateHook(req.r.Context(), in)
	if err != nil {
		h.storeError(w, req.r, err, messageCreateConflict)
		return
	}
	h.log.Info("hook created", zap.String("hook_id", created.ID), zap.String("hook_name", created.Name),
		zap.String("trigger", string(created.TriggerID)), zap.Bool("enabled", created.Enabled), zap.String("subject", req.principal.Subject))
	writeJSON(w, http.StatusCreated, hookView{h: created})
}

func (h *Handler) getHook(w http.ResponseWriter, req *request) {
	fields, qerr := parseFields(req.r.URL.Query())
	if qerr != nil {
		writeError(w, qerr)
		return
	}
	hk, err := h.store.GetHook(req.r.Context(), req.param)
	if err != nil {
		h.storeError(w, req.r, err, "")
		return
	}
	writeJSON(w, http.StatusOK, hookView{h: hk, fields: fields})
}

func (h *Handler) updateHook(w http.ResponseWriter, req *request) {
	p, perr := parsePatch(req.body)
	if perr != nil {
		writeError(w, perr)
		return
	}
	updated, err := h.store.UpdateHook(req.r.Context(), req.param, p)
	if err != nil {
		h.storeError(w, req.r, err, messageUpdateConflict)
		return
	}
	h.log.Info("hook updated", zap.String("hook_id", updated.ID), zap.String("hook_name", updated.Name),
		zap.Int64("version", updated.Version), zap.Bool("enabled", updated.Enabled), zap.String("subject", req.principal.Subject))
	writeJSON(w, http.StatusOK, hookView{h: updated})
}

func (h *Handler) deleteHook(w http.ResponseWriter, req *request) {
	if err := h.store.DeleteHook(req.r.Context(), req.param); err != nil {
		h.storeError(w, req.r, err, "")
		return
	}
	h.log.Info("hook deleted", zap.String("hook_id", req.param), zap.String("subject", req.principal.Subject))
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) getSecrets(w http.ResponseWriter, req *request) {
	names, err := h.store.SecretNames(req.r.Context(), req.param)
	if err != nil {
		h.storeError(w, req.r, err, "")
		return
	}
	hidden := make(map[string]string, len(names))
	for _, n := range names {
		hidden[n] = store.HiddenSecretValue
	}
	writeJSON(w, http.StatusOK, hidden)
}

func (h *Handler) addSecrets(w http.ResponseWriter, req *request) {
	secrets, perr := parseSecrets(req.body)
	if perr != nil {
		writeError(w, perr)
		return
	}
	if err := h.store.AddSecrets(req.r.Context(), req.param, secrets); err != nil {
		h.storeError(w, req.r, err, "")
		return
	}
	h.logSecrets("hook secrets added", req, secrets)
	writeRaw(w, http.StatusCreated, []byte("{}\n"))
}

func (h *Handler) updateSecrets(w http.ResponseWriter, req *request) {
	secrets, perr := parseSecrets(req.body)
	if perr != nil {
		writeError(w, perr)
		return
	}
	if err := h.store.UpdateSecrets(req.r.Context(), req.param, secrets); err != nil {
		h.storeError(w, req.r, err, "")
		return
	}
	h.logSecrets("hook secrets updated", req, secrets)
	// Auth0's API answered 201 here too, as recorded.
	writeRaw(w, http.StatusCreated, []byte("{}\n"))
}

func (h *Handler) deleteSecrets(w http.ResponseWriter, req *request) {
	names, perr := parseSecretNames(req.body)
	if perr != nil {
		writeError(w, perr)
		return
	}
	if err := h.store.DeleteSecrets(req.r.Context(), req.param, names); err != nil {
		h.storeError(w, req.r, err, "")
		return
	}
	h.log.Info("hook secrets deleted", zap.String("hook_id", req.param), zap.Strings("names", names),
		zap.String("subject", req.principal.Subject))
	w.WriteHeader(http.StatusNoContent)
}

// logSecrets logs a change of secrets: their names, never their values.
func (h *Handler) logSecrets(msg string, req *request, secrets map[string]string) {
	names := slices.Sorted(maps.Keys(secrets))
	h.log.Info(msg, zap.String("hook_id", req.param), zap.Strings("names", names), zap.String("subject", req.principal.Subject))
}

// RunResult is the body of the run endpoints' answer: the envelope Auth0's
// runtime would have answered (status and data), the console output, and
// what the run cost. Secret values of the hook are replaced by [REDACTED]
// everywhere in it.
type RunResult struct {
	// Status is "success" or "error", as in the envelope.
	Status triggers.Status `json:"status"`
	// Data is the envelope's data: what the hook called back with, or the
	// properties of its error. Absent when the hook called back with
	// undefined.
	Data json.RawMessage `json:"data,omitempty"`
	// Outcome is what the envelope means for the trigger, the engine's
	// triggers.Outcome in JSON: the scope and claims a token would get, the
	// metadata a signup would save, the provider's answer, or the failure
	// (see the package documentation for the shapes).
	Outcome json.RawMessage `json:"outcome,omitempty"`
	// Form is the form the script was found in: "hook", "action" or
	// "rule" (see triggers.Form); absent when the run ended before the
	// script's module ran, as on a compile error.
	Form triggers.Form `json:"form,omitempty"`
	// Logs is the hook's console output.
	Logs []RunLog `json:"logs"`
	// LogsDropped counts console lines beyond the engine's capture limits.
	LogsDropped int `json:"logs_dropped,omitempty"`
	// DurationMS is the run's duration in milliseconds.
	DurationMS float64 `json:"duration_ms"`
	// CPUMS is the CPU time the run was charged, in milliseconds.
	CPUMS float64 `json:"cpu_ms"`
	// ExecutionID identifies the run in the server's logs.
	ExecutionID string `json:"execution_id"`
	// HookID is the hook that ran.
	HookID string `json:"hook_id"`
	// Error says why the run ended without the hook calling back (a limit,
	// a compile error, an exception, input the trigger rejects); absent
	// when the hook called back.
	Error string `json:"error,omitempty"`
}

// RunLog is one line of a hook's console output.
type RunLog struct {
	// Level is debug, info, warn or error.
	Level string `json:"level"`
	// Message is the line, secret values redacted.
	Message string `json:"message"`
}

func (h *Handler) runHook(w http.ResponseWriter, req *request) {
	hk, err := h.store.GetHook(req.r.Context(), req.param)
	if err != nil {
		h.storeError(w, req.r, err, "")
		return
	}
	h.run(w, req, hk)
}

func (h *Handler) runTrigger(w http.ResponseWriter, req *request) {
	t := triggers.ID(req.param)
	if _, ok := triggers.Lookup(t); !ok {
		writeError(w, newError(http.StatusNotFound, CodeUnknownTrigger, fmt.Sprintf(messageUnknownTrigger, req.param, triggerList())))
		return
	}
	hk, err := h.store.EnabledHook(req.r.Context(), t)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, newError(http.StatusNotFound, CodeNoHookEnabled, fmt.Sprintf(messageNoHookEnabled, t)))
		return
	}
	if err != nil {
		h.storeError(w, req.r, err, "")
		return
	}
	h.run(w, req, hk)
}

// run runs hk on the request body and answers a RunResult.
func (h *Handler) run(w http.ResponseWriter, req *request, hk *store.Hook) {
	if len(bytes.TrimSpace(req.body)) == 0 || !json.Valid(req.body) {
		writeError(w, newError(http.StatusBadRequest, CodeInvalidBody, messageInvalidJSON))
		return
	}
	res, ok, runErr := h.runBounded(req.r.Context(), hk, json.RawMessage(req.body))
	if !ok {
		h.log.Warn("hook run did not return by its deadline; answered without it",
			zap.String("hook_id", hk.ID), zap.Duration("run_timeout", h.runTimeout), zap.Duration("grace", RunGrace))
		writeError(w, newError(http.StatusGatewayTimeout, CodeRunTimeout, messageRunTimeout))
		return
	}
	if res == nil {
		h.log.Warn("hook could not run", zap.String("hook_id", hk.ID), zap.Error(runErr))
		writeError(w, newError(http.StatusServiceUnavailable, CodeEngineUnavailable, messageEngineNotRunning))
		return
	}
	red := redact.FromMap(hk.Secrets)
	out := RunResult{
		Status:      res.Envelope.Status,
		Data:        red.JSON(res.Envelope.Data),
		Logs:        make([]RunLog, len(res.Logs)),
		LogsDropped: res.LogsDropped,
		DurationMS:  float64(res.Duration.Microseconds()) / 1000,
		CPUMS:       float64(res.CPUTime.Microseconds()) / 1000,
		ExecutionID: res.ExecutionID,
		HookID:      hk.ID,
		Form:        res.Form,
	}
	for i, l := range res.Logs {
		out.Logs[i] = RunLog{Level: string(l.Level), Message: red.Value(l.Message)}
	}
	if v := outcomeView(res.Outcome()); v != nil {
		var b bytes.Buffer
		if encodeNoEscape(&b, v) == nil {
			out.Outcome = red.JSON(b.Bytes())
		}
	}
	if runErr != nil {
		out.Error = red.Value(runErr.Error())
	}
	h.log.Info("hook run", zap.String("hook_id", hk.ID), zap.String("trigger", string(hk.TriggerID)),
		zap.String("execution_id", res.ExecutionID), zap.String("status", string(res.Envelope.Status)),
		zap.String("subject", req.principal.Subject))
	writeJSON(w, http.StatusOK, out)
}

// runBounded runs hk within the handler's run timeout. ok is false when the
// engine did not return the run RunGrace after its context ended; the run
// goes on in the engine, which ends it and discards its result.
func (h *Handler) runBounded(ctx context.Context, hk *store.Hook, input json.RawMessage) (res *engine.Result, ok bool, err error) {
	if h.runTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, h.runTimeout)
		defer cancel()
	}
	type answer struct {
		res *engine.Result
		err error
	}
	done := make(chan answer, 1)
	run := h.runner.Run
	if h.runFunc != nil {
		run = h.runFunc
	}
	go func() {
		res, err := run(ctx, hk, input)
		done <- answer{res, err}
	}()
	select {
	case a := <-done:
		return a.res, true, a.err
	case <-ctx.Done():
	}
	grace := time.NewTimer(RunGrace)
	defer grace.Stop()
	select {
	case a := <-done:
		return a.res, true, a.err
	case <-grace.C:
		return nil, false, ctx.Err()
	}
}
