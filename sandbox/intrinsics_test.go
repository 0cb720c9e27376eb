package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
)

// sabotage replaces the built-ins the runtime captured when it was created.
const sabotage = `
	JSON.stringify = () => 'hijacked';
	JSON.parse = () => ({hijacked: true});
	Promise.prototype.then = function () { throw new Error('then hijacked') };
	Object.getOwnPropertyDescriptor = () => undefined;
	globalThis.Error = function () { return {fake: true} };
`

func TestIntrinsicsSurviveSabotage(t *testing.T) {
	for _, sabotaged := range []bool{false, true} {
		name := "untouched built-ins"
		if sabotaged {
			name = "replaced built-ins"
		}
		t.Run(name, func(t *testing.T) {
			rt := newRuntime(t, nil)
			h := &recorder{}
			begin(t, rt, context.Background(), roomy, h)
			if sabotaged {
				mustRun(t, rt, sabotage)
			}
			err := rt.Do(func(vm *goja.Runtime) error {
				v, err := vm.RunString(`({a: [1, 'x'], b: {get c() { return 1 }}})`)
				if err != nil {
					return err
				}
				if s, ok, err := rt.Stringify(v); s != `{"a":[1,"x"],"b":{"c":1}}` || !ok || err != nil {
					t.Errorf("Stringify: got (%q, %v, %v), want the JSON text", s, ok, err)
				}
				parsed, err := rt.ParseJSON(`{"k": [true, null]}`)
				if err != nil {
					return fmt.Errorf("ParseJSON: %w", err)
				}
				if got, want := rt.Inspect(parsed), "{ k: [ true, null ] }"; got != want {
					t.Errorf("ParseJSON: got %s, want %s", got, want)
				}
				if got, want := rt.Inspect(v), "{ a: [ 1, 'x' ], b: { c: [Getter] } }"; got != want {
					t.Errorf("Inspect: got %s, want %s", got, want)
				}
				e, err := rt.NewError("made by the host")
				if err != nil {
					return fmt.Errorf("NewError: %w", err)
				}
				if !sandbox.IsError(e) || e.Get("message").String() != "made by the host" {
					t.Errorf("NewError: got %s, want an Error with the message", rt.Inspect(e))
				}
				return nil
			})
			if err != nil {
				t.Fatalf("Do: got %v, want nil", err)
			}

			// Then attaches reactions with the original then, and marks a
			// rejected promise as handled.
			var fulfilled, rejected string
			err = rt.Do(func(vm *goja.Runtime) error {
				ok, err := vm.RunString(`Promise.resolve('yes')`)
				if err != nil {
					return err
				}
				bad, err := vm.RunString(`Promise.reject('no')`)
				if err != nil {
					return err
				}
				if err := rt.Then(ok, func(v goja.Value) { fulfilled = v.String() }, nil); err != nil {
					return err
				}
				return rt.Then(bad, nil, func(v goja.Value) { rejected = v.String() })
			})
			if err != nil {
				t.Fatalf("Do with Then: got %v, want nil", err)
			}
			if fulfilled != "yes" || rejected != "no" {
				t.Errorf("Then: got fulfilled %q and rejected %q, want yes and no", fulfilled, rejected)
			}
			if len(h.unhandled) != 0 {
				t.Errorf("Unhandled: got %q, want nothing (Then handled it)", h.unhandled)
			}

			// require still throws a real Error with its code.
			if got, want := eval(t, rt, `try { require('fs') } catch (e) { [Object.prototype.toString.call(e), e.code].join() }`), "[object Error],MODULE_NOT_FOUND"; got != want {
				t.Errorf("require('fs'): got %q, want %q", got, want)
			}
			// Timers and queueMicrotask do not use the replaced then.
			mustRun(t, rt, `var order = []; queueMicrotask(() => order.push('micro')); process.nextTick(() => order.push('tick'));`)
			if got, want := eval(t, rt, `order.join()`), "micro,tick"; got != want {
				t.Errorf("microtasks: got %q, want %q", got, want)
			}
		})
	}
}

func TestStringifyEdgeCases(t *testing.T) {
	rt := newRuntime(t, nil)
	begin(t, rt, context.Background(), roomy, nil)
	tests := []struct {
		src     string
		want    string
		wantOK  bool
		wantErr bool
	}{
		{src: `undefined`},
		{src: `(() => {})`},
		{src: `Symbol('s')`},
		{src: `'text'`, want: `"text"`, wantOK: true},
		{src: `({toJSON() { return 7 }})`, want: `7`, wantOK: true},
		{src: `(() => { const a = {}; a.a = a; return a })()`, wantErr: true},
		{src: `({n: 1n})`, wantErr: true},
		{src: `({toJSON() { throw new Error('no') }})`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			var (
				s   string
				ok  bool
				err error
			)
			doErr := rt.Do(func(vm *goja.Runtime) error {
				v, err2 := vm.RunString("(" + tt.src + ")")
				if err2 != nil {
					return err2
				}
				s, ok, err = rt.Stringify(v)
				return nil
			})
			if doErr != nil {
				t.Fatalf("Do: got %v, want nil", doErr)
			}
			var exc *goja.Exception
			if tt.wantErr != errors.As(err, &exc) {
				t.Errorf("error: got %v, want an exception: %v", err, tt.wantErr)
			}
			if s != tt.want || ok != tt.wantOK {
				t.Errorf("got (%q, %v), want (%q, %v)", s, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestIsError(t *testing.T) {
	rt := newRuntime(t, nil)
	begin(t, rt, context.Background(), roomy, nil)
	tests := []struct {
		src  string
		want bool
	}{
		{`new Error('x')`, true},
		{`new RangeError('x')`, true},
		{`(() => { class Mine extends TypeError {} return new Mine() })()`, true},
		{`({message: 'x', stack: 'y'})`, false},
		{`'Error: x'`, false},
		{`Object.create(Error.prototype)`, false},
	}
	for _, tt := range tests {
		if got := sandbox.IsError(mustRun(t, rt, "("+tt.src+")")); got != tt.want {
			t.Errorf("IsError(%s): got %v, want %v", tt.src, got, tt.want)
		}
	}
}

func TestThrowAndFunc(t *testing.T) {
	rt := newRuntime(t, nil)
	begin(t, rt, context.Background(), roomy, nil)
	err := rt.Do(func(vm *goja.Runtime) error {
		return vm.Set("fail", rt.Func("fail", func(call goja.FunctionCall) goja.Value {
			rt.Throw("failed: " + call.Argument(0).String())
			return nil
		}))
	})
	if err != nil {
		t.Fatalf("Do: got %v, want nil", err)
	}
	got := eval(t, rt, `try { fail('x') } catch (e) { [e instanceof Error, e.message, fail.name].join('|') }`)
	if want := "true|failed: x|fail"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
