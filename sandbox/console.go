package sandbox

import (
	"strconv"
	"time"

	"github.com/dop251/goja"
)

// Level is the severity of a console call.
type Level string

// Console levels. console.log and console.info are LevelInfo; console.trace
// and console.debug are LevelDebug; console.assert failures are LevelError.
const (
	LevelDebug Level = "debug"
	LevelInfo  Level = "info"
	LevelWarn  Level = "warn"
	LevelError Level = "error"
)

// installConsole defines the global console object. Its output goes to the
// current execution's Host.
func (r *Runtime) installConsole() error {
	return r.lazyValue("console", r.newConsole)
}

// newConsole makes the console object.
func (r *Runtime) newConsole() goja.Value {
	vm := r.vm
	c := vm.NewObject()
	emit := func(level Level) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			r.host.Console(level, r.Format(call.Arguments))
			return goja.Undefined()
		}
	}
	timers := map[string]time.Time{}
	counts := map[string]int{}
	label := func(call goja.FunctionCall) string {
		if a := call.Argument(0); !goja.IsUndefined(a) {
			return a.String()
		}
		return "default"
	}
	elapsed := func(l string) (string, bool) {
		start, ok := timers[l]
		if !ok {
			r.host.Console(LevelWarn, "Warning: No such label '"+l+"' for console.timeEnd()")
			return "", false
		}
		d := r.loop.clock.Now().Sub(start)
		return l + ": " + strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64) + "ms", true
	}
	methods := map[string]func(goja.FunctionCall) goja.Value{
		"log":   emit(LevelInfo),
		"info":  emit(LevelInfo),
		"debug": emit(LevelDebug),
		"warn":  emit(LevelWarn),
		"error": emit(LevelError),
		"trace": func(call goja.FunctionCall) goja.Value {
			msg := "Trace"
			if len(call.Arguments) > 0 {
				msg += ": " + r.Format(call.Arguments)
			}
			for _, f := range vm.CaptureCallStack(10, nil) {
				pos := f.Position()
				if pos.Line == 0 {
					continue // a native frame, such as console.trace itself
				}
				msg += "\n    at "
				if name := f.FuncName(); name != "<anonymous>" {
					msg += name + " (" + pos.String() + ")"
				} else {
					msg += pos.String()
				}
			}
			r.host.Console(LevelDebug, msg)
			return goja.Undefined()
		},
		"dir": func(call goja.FunctionCall) goja.Value {
			r.host.Console(LevelInfo, r.Inspect(call.Argument(0)))
			return goja.Undefined()
		},
		"assert": func(call goja.FunctionCall) goja.Value {
			if call.Argument(0).ToBoolean() {
				return goja.Undefined()
			}
			msg := "Assertion failed"
			if len(call.Arguments) > 1 {
				msg += ": " + r.Format(call.Arguments[1:])
			}
			r.host.Console(LevelError, msg)
			return goja.Undefined()
		},
		"time": func(call goja.FunctionCall) goja.Value {
			timers[label(call)] = r.loop.clock.Now()
			return goja.Undefined()
		},
		"timeLog": func(call goja.FunctionCall) goja.Value {
			if msg, ok := elapsed(label(call)); ok {
				if len(call.Arguments) > 1 {
					msg += " " + r.Format(call.Arguments[1:])
				}
				r.host.Console(LevelInfo, msg)
			}
			return goja.Undefined()
		},
		"timeEnd": func(call goja.FunctionCall) goja.Value {
			l := label(call)
			if msg, ok := elapsed(l); ok {
				delete(timers, l)
				r.host.Console(LevelInfo, msg)
			}
			return goja.Undefined()
		},
		"count": func(call goja.FunctionCall) goja.Value {
			l := label(call)
			counts[l]++
			r.host.Console(LevelInfo, l+": "+strconv.Itoa(counts[l]))
			return goja.Undefined()
		},
		"countReset": func(call goja.FunctionCall) goja.Value {
			delete(counts, label(call))
			return goja.Undefined()
		},
	}
	for _, name := range consoleMethods {
		_ = c.Set(name, r.Func(name, methods[name]))
	}
	return c
}

// consoleMethods are the console's methods in the order scripts see its
// keys in: Node's, for those it has.
var consoleMethods = []string{"log", "warn", "dir", "time", "timeEnd", "timeLog", "trace", "assert", "count", "countReset", "debug", "info", "error"}
