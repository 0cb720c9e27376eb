package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
	"go.uber.org/zap"

	"github.com/hookengine/hookengine/internal/redact"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/triggers"
)

// execution is one run of a hook. Its script is driven by one goroutine at
// a time (the drive goroutine, which Run starts and waits for), while the
// caller's goroutine waits for the result. When a limit ends the run and the
// runtime does not stop within the engine's grace, the waiting side abandons
// the run (see WithStuckRuntimes); mu guards what both sides may touch then:
// the phase and the captured output. It implements sandbox.Host.
type execution struct {
	e     *Engine
	hook  *Hook
	t     *triggers.Trigger
	id    string
	start time.Time
	async bool
	// seenForm is the form the script was found in: set by the drive
	// goroutine once the module is set up (under mu, as abandon reads it),
	// or by a worker's answer.
	seenForm triggers.Form

	hr   *hookRuntime
	rt   *sandbox.Runtime
	warm bool // hr came set up from the pool

	finished    bool // the result is decided
	viaCallback bool // ... by the hook's callback
	env         triggers.Envelope
	err         error // what ended the run, when not the callback

	done   chan struct{} // closed once res and resErr are set by the drive goroutine
	res    *Result
	resErr error

	mu      sync.Mutex
	phase   phase
	logs    []LogEntry
	sealed  bool // logs belong to the result now
	lines   int
	bytes   int
	dropped int
	capped  bool

	zlogOnce   sync.Once
	zlog       *zap.Logger
	redactOnce sync.Once
	redactor   *redact.Redactor
}

// phase is where a run stands, as far as abandoning it goes.
type phase uint8

const (
	phaseForeground phase = iota // running until the result is known
	phaseBackground              // running what the script left after calling back
	phaseOver                    // ended normally
	phaseAbandoned               // stuck: answered without its runtime
)

// run runs the hook to its result. The engine's wait group has counted the
// run; run, the background work it leaves, or its abandonment releases it.
func (x *execution) run(ctx context.Context, input any) (*Result, error) {
	prog := x.e.program(x.t, x.hook)
	if prog.err != nil {
		x.end(prog.err)
		return x.concludeEarly()
	}
	if x.e.stuck.refuses(x.hook, x.e.cfg.maxStuck) {
		x.end(ErrHookQuarantined)
		return x.concludeEarly()
	}
	fresh := x.e.cfg.fresh || x.hook.FreshRuntime
	if fresh {
		x.hr = &hookRuntime{}
	} else {
		x.hr = x.e.runtimes.get(x.hook)
		x.warm = x.hr.fn != nil
	}
	if x.hr.rt == nil {
		rt, err := x.e.newRuntime()
		if err != nil {
			x.end(x.internal(err, nil))
			return x.concludeEarly()
		}
		x.e.created.Add(1)
		x.hr.rt = rt
	}
	x.rt = x.hr.rt
	lim := x.e.cfg.limits.merge(x.hook.Limits)
	x.rt.Begin(ctx, sandbox.Limits{WallTime: lim.WallTime, CPUTime: lim.CPUTime, StackDepth: lim.StackDepth, Memory: lim.Memory,
		FetchRequests: lim.FetchRequests, FetchRunBytes: lim.FetchRunBytes}, x)
	stopped := x.rt.Stopped()
	x.done = make(chan struct{})
	x.e.drivers.run(func() { x.drive(prog, input) })
	select {
	case <-x.done:
	case <-stopped:
		// A limit, the context or Close ended the run: it has the grace
		// to stop before the run is answered without it.
		x.waitStuck(x.done, phaseForeground)
	}
	return x.res, x.resErr
}

// drive runs the script until the result is known, then answers the run and
// goes on with the work the script left, if any.
func (x *execution) drive(prog *program, input any) {
	err := x.rt.Do(func(vm *goja.Runtime) error { return x.startHook(vm, prog, input) })
	if err == nil && !x.finished {
		err = x.rt.Wait(func() bool { return x.finished })
	}
	if err != nil && !x.finished {
		if errors.Is(err, sandbox.ErrIdle) {
			err = ErrNoCallback
		}
		x.end(x.classify(err))
	}
	background := err == nil && x.viaCallback && x.rt.Busy()
	x.mu.Lock()
	if x.phase == phaseAbandoned {
		x.mu.Unlock()
		x.reap()
		return
	}
	x.sealed = true
	x.phase = phaseOver
	if background {
		x.phase = phaseBackground
	}
	x.mu.Unlock()
	x.res, x.resErr = x.result()
	x.res.CPUTime = x.rt.Usage().CPUTime
	x.logEnd(x.res, x.resErr)
	if !background {
		// Released before the caller has the result, so that the caller's
		// next run of the hook finds the runtime warm.
		x.release()
		close(x.done)
		return
	}
	x.rt.Detach()
	close(x.done)
	x.background()
}

// result builds the run's result from what the run decided.
func (x *execution) result() (*Result, error) {
	return x.resultOf(x.env, x.err, x.logs, x.dropped)
}

// resultOf builds a result of the run with envelope env, ending with err
// (nil when the hook called back) and the given console output.
func (x *execution) resultOf(env triggers.Envelope, err error, logs []LogEntry, dropped int) (*Result, error) {
	form := x.form()
	// One allocation for the result and its outcome.
	both := &struct {
		res     Result
		outcome lazyOutcome
	}{outcome: lazyOutcome{t: x.t, form: form, env: env}}
	res := &both.res
	*res = Result{
		ExecutionID: x.id,
		Trigger:     x.t.ID,
		Envelope:    env,
		Form:        form,
		outcome:     &both.outcome,
		Logs:        logs,
		LogsDropped: dropped,
		Duration:    time.Since(x.start),
	}
	if err == nil {
		return res, nil
	}
	return res, &RunError{HookID: x.hook.ID, HookName: x.hook.Name, Trigger: x.t.ID, ExecutionID: x.id, Err: err}
}

// form is the form the run's script turned out to be in, as far as known.
func (x *execution) form() triggers.Form {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.seenForm != "" {
		return x.seenForm
	}
	return x.hook.Form
}

// concludeEarly answers a run that ended before it had a runtime.
func (x *execution) concludeEarly() (*Result, error) {
	x.sealed = true
	res, err := x.result()
	x.logEnd(res, err)
	x.e.wg.Done()
	return res, err
}

// background drives what the script left running after it called back,
// until it is done or a limit stops it.
func (x *execution) background() {
	finished, stopped := make(chan struct{}), x.rt.Stopped()
	go func() {
		select {
		case <-finished:
		case <-stopped:
			x.waitStuck(finished, phaseBackground)
		}
	}()
	err := x.rt.Wait(nil)
	close(finished)
	x.mu.Lock()
	abandoned := x.phase == phaseAbandoned
	x.phase = phaseOver
	x.mu.Unlock()
	if abandoned {
		x.reap()
		return
	}
	if err != nil && !errors.Is(err, sandbox.ErrIdle) {
		x.logger().Warn("work the hook left running after calling back was stopped", zap.Error(x.classify(err)))
	}
	x.release()
}

// release ends the execution and returns the runtime to its pool when it can
// serve the hook again.
func (x *execution) release() {
	u := x.rt.End()
	if u.Err == nil && x.hr.fn != nil && x.hr.owner != nil && x.rt.Reusable() {
		x.e.runtimes.put(x.hr)
	}
	x.e.wg.Done()
}

// waitStuck gives a run that a limit ended the engine's grace to stop (to
// close done), and abandons it in phase p when it does not.
func (x *execution) waitStuck(done <-chan struct{}, p phase) {
	t := time.NewTimer(x.e.cfg.stuckGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		if !x.abandon(p) {
			// The run left phase p in time (a slow machine, not a stuck
			// native): it is answering, and done closes once it has.
			<-done
		}
	}
}

// abandon answers a run whose runtime is stuck in a native operation
// without waiting for it, unless the run has left phase p meanwhile, and
// reports whether it did. The runtime is counted as stuck until reap and
// never used again.
func (x *execution) abandon(p phase) bool {
	x.mu.Lock()
	if x.phase != p {
		x.mu.Unlock()
		return false
	}
	x.phase = phaseAbandoned
	x.sealed = true
	logs, dropped := x.logs, x.dropped
	x.mu.Unlock()
	x.e.stuck.add(x.hook)
	if x.e.onStuck != nil {
		x.e.onStuck()
	}
	cause := x.rt.Cause()
	u := x.rt.Usage()
	x.logger().Error("the hook's runtime did not stop at its limit; it is abandoned and quarantined",
		zap.NamedError("limit", cause), zap.Duration("grace", x.e.cfg.stuckGrace), zap.Duration("cpu_time", u.CPUTime),
		zap.Int("stuck_runtimes", x.e.stuck.count()))
	if p == phaseForeground {
		err := x.classify(cause)
		res, rerr := x.resultOf(envelopeFor(err), err, logs, dropped)
		res.CPUTime = u.CPUTime
		x.logEnd(res, rerr)
		x.res, x.resErr = res, rerr
	}
	x.e.wg.Done()
	return true
}

// reap ends an abandoned run once its runtime has come back from the
// native operation: the runtime is dropped.
func (x *execution) reap() {
	u := x.rt.End()
	x.logger().Warn("an abandoned runtime came back and was dropped",
		zap.Duration("after", time.Since(x.start)), zap.Duration("cpu_time", u.CPUTime))
	x.e.stuck.done(x.hook)
}

// startHook is the first turn: it parses and checks the input, sets the
// module up on a new runtime, and calls the hook function.
func (x *execution) startHook(vm *goja.Runtime, prog *program, input any) error {
	body, err := x.parseInput(input)
	if err != nil {
		x.end(err)
		return nil
	}
	args, err := x.t.Args(vm, body, x.webtask(vm))
	if err != nil {
		var ie *triggers.InputError
		if errors.As(err, &ie) {
			x.end(&InputError{Message: ie.Message})
			return nil
		}
		return err
	}
	if x.hr.fn == nil {
		if err := x.setup(vm, prog); err != nil || x.finished {
			return err
		}
	}
	x.mu.Lock()
	x.seenForm = x.hr.form
	x.mu.Unlock()
	args = append(args, x.rt.Func("callback", x.callback))
	ret, err := x.hr.fn(goja.Undefined(), args...)
	if err != nil {
		var exc *goja.Exception
		if errors.As(err, &exc) {
			x.threw(exc.Value(), "the hook threw after calling back")
			return nil
		}
		return err
	}
	if !x.finished && sandbox.IsPromise(ret) {
		return x.rt.Then(ret.(*goja.Object), nil, func(reason goja.Value) {
			x.threw(reason, "the promise returned by the hook rejected after it called back")
		})
	}
	return nil
}

// setup runs the script's module code once per runtime and keeps the hook
// function it exports: the module.exports function (Hooks form), the
// function a bare-function script is (Rules form), or the point's Action
// handler adapted to the Hooks calling convention (Actions form).
func (x *execution) setup(vm *goja.Runtime, prog *program) error {
	classes, err := x.t.DefineErrorClasses(vm)
	if err != nil {
		return err
	}
	wrapper, err := vm.RunProgram(prog.prog)
	if err != nil {
		return err
	}
	call, ok := goja.AssertFunction(wrapper)
	if !ok {
		x.end(ErrNoHookFunction)
		return nil
	}
	module, exports := vm.NewObject(), vm.NewObject()
	if err := module.Set("exports", exports); err != nil {
		return err
	}
	args := append([]goja.Value{module, exports, x.rt.RequireFunction()}, classes...)
	ret, err := call(exports, args...)
	if err != nil {
		var exc *goja.Exception
		if errors.As(err, &exc) {
			x.threw(exc.Value(), "")
			return nil
		}
		return err
	}
	if prog.form == triggers.FormRule {
		fn, ok := goja.AssertFunction(ret)
		if !ok {
			x.end(ErrNoHookFunction)
			return nil
		}
		x.hr.fn, x.hr.form = fn, triggers.FormRule
		return nil
	}
	exported := module.Get("exports")
	if fn, ok := goja.AssertFunction(exported); ok && prog.form != triggers.FormAction {
		x.hr.fn, x.hr.form = fn, triggers.FormHook
		return nil
	}
	if prog.form != triggers.FormHook {
		if obj, ok := exported.(*goja.Object); ok {
			if handler := obj.Get(x.t.ActionHandler()); handler != nil {
				if _, ok := goja.AssertFunction(handler); ok {
					fn, err := x.t.ActionFunction(vm, handler, classes, x.e.actionCache(x.t.ID))
					if err != nil {
						// The module may have broken the globals the adapter
						// uses: that is the script's exception.
						var exc *goja.Exception
						if errors.As(err, &exc) {
							x.threw(exc.Value(), "")
							return nil
						}
						return err
					}
					x.hr.fn, x.hr.form = fn, triggers.FormAction
					return nil
				}
			}
		}
	}
	x.end(x.handlerError(prog.form, exported))
	return nil
}

// handlerError says what a script exports when it is not what its form
// needs.
func (x *execution) handlerError(form triggers.Form, exported goja.Value) error {
	want := x.t.ActionHandler()
	var found []string
	if obj, ok := exported.(*goja.Object); ok {
		for _, k := range obj.Keys() {
			if strings.HasPrefix(k, "onExecute") {
				found = append(found, k)
			}
		}
	}
	switch {
	case form == triggers.FormHook:
		return &HandlerError{Message: "The hook script must set module.exports to a function"}
	case len(found) > 0:
		return &HandlerError{Message: fmt.Sprintf("The Action exports %s, but a %s Action must export %s",
			strings.Join(found, ", "), x.t.ID, want)}
	case form == triggers.FormAction:
		return &HandlerError{Message: fmt.Sprintf("The Action must export %s as a function", want)}
	}
	return &HandlerError{Message: fmt.Sprintf("The script must set module.exports to a function, or export %s as a function", want)}
}

// parseInput turns the caller's input into a script value.
func (x *execution) parseInput(input any) (goja.Value, error) {
	var text string
	switch v := input.(type) {
	case nil:
		return goja.Null(), nil
	case string:
		text = v
	case []byte:
		text = string(v)
	case json.RawMessage:
		text = string(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, &InputError{Message: "Body received by extensibility point cannot be encoded as JSON: " + err.Error()}
		}
		text = string(b)
	}
	body, err := x.rt.ParseJSON(text)
	if err != nil {
		msg := err.Error()
		var exc *goja.Exception
		if errors.As(err, &exc) {
			msg = exc.Value().String()
		}
		return nil, &InputError{Message: "Body received by extensibility point is not valid JSON: " + msg}
	}
	return body, nil
}

// webtask builds context.webtask: the hook's secrets (also as data, where
// webtask put them for older scripts) and its metadata.
func (x *execution) webtask(vm *goja.Runtime) *goja.Object {
	var keys []string
	var values, metaValues []goja.Value
	if x.hr.owner != nil {
		keys, values, metaValues = x.hr.owner.keys, x.hr.owner.values, x.hr.owner.meta
	} else {
		keys = slices.Sorted(maps.Keys(x.hook.Secrets))
		values, metaValues = secretValues(keys, x.hook.Secrets), webtaskMeta(x.t.ID)
	}
	secrets, data := vm.NewPlainObject(keys, values), vm.NewPlainObject(keys, values)
	meta := vm.NewPlainObject(metaKeys[:], metaValues)
	return vm.NewPlainObject(webtaskKeys[:], []goja.Value{secrets, data, meta})
}

var (
	metaKeys    = [...]string{"auth0-extension", "auth0-extension-name"}
	webtaskKeys = [...]string{"secrets", "data", "meta"}
)

// webtaskMeta is the values of context.webtask.meta for a hook of the given
// point, in the order of metaKeys.
func webtaskMeta(id triggers.ID) []goja.Value {
	return []goja.Value{goja.StringValue("runtime"), goja.StringValue(string(id))}
}

// secretValues is the script strings of the secrets named by keys.
func secretValues(keys []string, secrets map[string]string) []goja.Value {
	values := make([]goja.Value, len(keys))
	for i, k := range keys {
		values[i] = goja.StringValue(secrets[k])
	}
	return values
}

// callback is the cb the hook calls. The first call decides the result; the
// value is serialised at once, as Auth0 did, so later changes to it do not
// count. Later calls are logged and ignored.
func (x *execution) callback(call goja.FunctionCall) goja.Value {
	if x.finished {
		x.warn("the hook called its callback again; only the first call counts")
		return goja.Undefined()
	}
	vm := x.rt.VM()
	if errv := call.Argument(0); errv.ToBoolean() {
		env, ok := x.errorEnvelope(errv)
		if ok {
			x.finish(env)
		}
		return goja.Undefined()
	}
	v := x.t.SuccessValue(vm, call.Argument(1))
	text, defined, err := x.rt.Stringify(v)
	switch {
	case uncatchable(err):
		// The run is being stopped; let the interruption unwind.
	case err != nil:
		x.finish(triggers.ErrorEnvelope("message", serializationError))
	case !defined:
		x.finish(triggers.Envelope{Status: triggers.StatusSuccess})
	default:
		x.finish(triggers.Envelope{Status: triggers.StatusSuccess, Data: json.RawMessage(text)})
	}
	return goja.Undefined()
}

// serializationError is Auth0's message for a result JSON cannot represent.
const serializationError = "Error when JSON serializing the result of the extension point"

func uncatchable(err error) bool {
	if err == nil {
		return false
	}
	var i *goja.InterruptedError
	var s *goja.StackOverflowError
	return errors.As(err, &i) || errors.As(err, &s)
}

func (x *execution) finish(env triggers.Envelope) {
	x.finished, x.viaCallback, x.env = true, true, env
}

// end decides the result for a run that ends without its callback.
func (x *execution) end(err error) {
	if x.finished {
		return
	}
	x.finished, x.err, x.env = true, err, envelopeFor(err)
}

// threw ends the run with an exception the script threw or a promise
// rejection, before the callback; after it, the value is only logged with
// the given note.
func (x *execution) threw(v goja.Value, after string) {
	if err := x.rt.Err(); err != nil && !x.finished {
		// A limit was reached and the exception is how the native that
		// noticed it got out: the limit is what ended the run.
		x.end(x.classify(err))
		return
	}
	if x.finished {
		if after != "" {
			x.errorLog(after, x.rt.Inspect(v))
		}
		return
	}
	env, ok := x.errorEnvelope(v)
	if !ok {
		return
	}
	se := &ScriptError{Message: x.rt.Inspect(v)}
	if o, isObj := v.(*goja.Object); isObj && sandbox.IsError(v) {
		se.Message = o.Get("message").String()
		if s := o.Get("stack"); s != nil && !goja.IsUndefined(s) {
			se.Stack = s.String()
		}
	}
	x.finished, x.err, x.env = true, x.scriptError(se), env
}

// errorEnvelope turns what the hook passed as an error into an error
// envelope holding every own property of the error, as Auth0 did. A value
// that is not an Error becomes a new Error whose message is the value's
// message property, else its string form, else "Unknown error". ok is false
// when the run is being interrupted.
func (x *execution) errorEnvelope(v goja.Value) (env triggers.Envelope, ok bool) {
	vm := x.rt.VM()
	var text string
	var failed, stopped bool
	exc := vm.Try(func() {
		obj, _ := v.(*goja.Object)
		if !sandbox.IsError(v) {
			e, err := x.rt.NewError(messageOf(vm, v))
			if err != nil {
				failed, stopped = true, uncatchable(err)
				return
			}
			obj = e
		}
		plain := vm.NewObject()
		for _, k := range obj.GetOwnPropertyNames() {
			_ = plain.Set(k, obj.Get(k))
		}
		cleanErrorData(plain)
		s, defined, err := x.rt.Stringify(plain)
		switch {
		case err != nil:
			failed, stopped = true, uncatchable(err)
		case !defined:
			failed = true
		default:
			text = s
		}
	})
	if exc != nil || failed {
		if stopped || (exc != nil && x.rt.Err() != nil) {
			return env, false
		}
		return triggers.ErrorEnvelope("message", serializationError), true
	}
	return triggers.Envelope{Status: triggers.StatusError, Data: json.RawMessage(text)}, true
}

// messageOf is the message of the Error Auth0 made from a non-Error value.
func messageOf(vm *goja.Runtime, v goja.Value) string {
	if sym, ok := v.(*goja.Symbol); ok {
		return "Symbol(" + sym.String() + ")"
	}
	if o, ok := v.(*goja.Object); ok {
		if m := o.Get("message"); m != nil && !goja.IsUndefined(m) && !goja.IsNull(m) {
			if s := m.String(); s != "" {
				return s
			}
		}
	}
	var s string
	if vm.Try(func() { s = v.String() }) != nil || s == "" {
		return "Unknown error"
	}
	return s
}

// classify maps what a sandbox reports to the engine's errors.
func (x *execution) classify(err error) error {
	var p *sandbox.PanicError
	switch {
	case errors.Is(err, sandbox.ErrStopped):
		return ErrClosed
	case errors.As(err, &p):
		return x.internal(p, p.Stack)
	}
	return err
}

func (x *execution) internal(err error, stack []byte) error {
	x.logger().Error("internal error while running a hook", zap.Error(err), zap.ByteString("stack", stack))
	return fmt.Errorf("%w: %v", ErrInternal, err)
}

// envelopeFor describes, as an error envelope, why a run ended without its
// callback. Each error carries a code naming the reason.
func envelopeFor(err error) triggers.Envelope {
	var (
		ie    *InputError
		ce    *CompileError
		limit *sandbox.LimitError
		he    *HandlerError
	)
	errors.As(err, &limit)
	switch {
	case errors.As(err, &ie):
		return triggers.ErrorEnvelope("message", ie.Message, "code", "invalid_input")
	case errors.As(err, &ce):
		return triggers.ErrorEnvelope("message", "Unable to compile the extensibility code as javascript",
			"error_description", ce.Error(), "code", "compile_error")
	case errors.Is(err, ErrWallTimeExceeded):
		return triggers.ErrorEnvelope("message", "Request to Webtask exceeded allowed execution time",
			"code", "wall_time_exceeded", "limit", limit.Limit)
	case errors.Is(err, ErrCPUTimeExceeded):
		return triggers.ErrorEnvelope("message", "Script exceeded its CPU time limit",
			"code", "cpu_time_exceeded", "limit", limit.Limit)
	case errors.Is(err, ErrMemoryExceeded):
		return triggers.ErrorEnvelope("name", "RangeError", "message", "Script exceeded its memory limit",
			"code", "memory_exceeded", "limit", limit.Limit)
	case errors.Is(err, ErrStackDepthExceeded):
		return triggers.ErrorEnvelope("name", "RangeError", "message", "Maximum call stack size exceeded",
			"code", "stack_depth_exceeded", "limit", limit.Limit)
	case errors.Is(err, ErrNoCallback):
		return triggers.ErrorEnvelope("message", "The hook finished without calling its callback", "code", "no_callback")
	case errors.As(err, &he):
		return triggers.ErrorEnvelope("name", "TypeError", "message", he.Message, "code", "no_hook_function")
	case errors.Is(err, ErrNoHookFunction):
		return triggers.ErrorEnvelope("name", "TypeError", "message", "The hook script must set module.exports to a function",
			"code", "no_hook_function")
	case errors.Is(err, ErrClosed):
		return triggers.ErrorEnvelope("message", "The engine closed while the hook was running", "code", "engine_closed")
	case errors.Is(err, ErrHookQuarantined):
		return triggers.ErrorEnvelope("message", "The hook is quarantined: earlier runs of it did not stop at their limits", "code", "hook_quarantined")
	case errors.Is(err, context.DeadlineExceeded):
		return triggers.ErrorEnvelope("message", "The hook run was cancelled: its context's deadline passed", "code", "cancelled")
	case errors.Is(err, context.Canceled):
		return triggers.ErrorEnvelope("message", "The hook run was cancelled", "code", "cancelled")
	}
	return triggers.ErrorEnvelope("message", "Internal error while running the hook", "code", "internal_error")
}
