package engine

import (
	"encoding/json"

	"github.com/dop251/goja"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/hookengine/hookengine/internal/redact"
	"github.com/hookengine/hookengine/sandbox"
)

// logger returns the run's logger, with its identifying fields. Every line
// it writes has the hook's secret values redacted from its fields (see
// redactCore); its messages are the engine's own text, or script output
// that record has already redacted.
func (x *execution) logger() *zap.Logger {
	x.zlogOnce.Do(func() {
		log := x.e.log
		if red := x.secrets(); red != nil {
			log = log.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core {
				return &redactCore{Core: c, red: red}
			}))
		}
		x.zlog = log.With(
			zap.String("hook_id", x.hook.ID),
			zap.String("hook_name", x.hook.Name),
			zap.String("trigger", string(x.t.ID)),
			zap.String("execution_id", x.id),
		)
	})
	return x.zlog
}

// secrets returns the redactor of the hook's secret values; nil when it has
// none long enough to redact (see redact.MinLen).
// It is safe to call from the goroutine that abandons a run.
func (x *execution) secrets() *redact.Redactor {
	x.redactOnce.Do(func() {
		if len(x.hook.Secrets) > 0 {
			x.redactor = redact.FromMap(x.hook.Secrets)
		}
	})
	return x.redactor
}

// redact removes the hook's secret values from s, in every form the
// engine's encoders give them (see package redact).
func (x *execution) redact(s string) string {
	if len(x.hook.Secrets) == 0 {
		return s
	}
	return x.secrets().Value(s)
}

// Redact implements sandbox.Redactor: console output redacts the strings
// it quotes before escaping them.
func (x *execution) Redact(s string) string { return x.redact(s) }

// Console records one console call: in the result until it is returned, and
// in the logger, both bounded by the engine's log capture limits. Stack
// traces in it are cleaned (see cleanStack).
func (x *execution) Console(level sandbox.Level, msg string) {
	x.record(level, x.redact(cleanStack(msg)), zap.String("source", "console"))
}

// scriptError describes a value the script threw: its message and stack,
// secret values redacted and the stack cleaned, for RunError and the logs.
// (The envelope keeps the message as the hook wrote it, as Auth0's did.)
func (x *execution) scriptError(se *ScriptError) *ScriptError {
	se.Message = x.redact(se.Message)
	se.Stack = x.redact(cleanStack(se.Stack))
	return se
}

// cleanErrorData cleans the stack trace of an error the hook called back
// with or threw, as it goes into the envelope (see cleanStack).
func cleanErrorData(plain *goja.Object) {
	if s, ok := plain.Get("stack").(goja.String); ok {
		_ = plain.Set("stack", cleanStack(s.String()))
	}
}

// redactEnvelope is an envelope's data for the logs: decoded, every string
// redacted, encoded again.
func (x *execution) redactEnvelope(data json.RawMessage) string {
	if len(x.hook.Secrets) == 0 {
		return string(data)
	}
	return string(x.secrets().JSON(data))
}

// redactCore redacts the secret values of one run from every field
// written through it: strings, byte strings, errors and Stringers become
// redacted strings; other fields are numbers, durations and the like, which
// cannot hold a secret's text. Messages are left alone: the only ones that
// carry script text are record's, redacted once before they are kept in the
// result and logged.
type redactCore struct {
	zapcore.Core
	red *redact.Redactor
}

func (c *redactCore) With(fields []zapcore.Field) zapcore.Core {
	return &redactCore{Core: c.Core.With(c.fields(fields)), red: c.red}
}

func (c *redactCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(ent.Level) {
		return ce.AddCore(ent, c)
	}
	return ce
}

func (c *redactCore) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	return c.Core.Write(ent, c.fields(fields))
}

func (c *redactCore) fields(fields []zapcore.Field) []zapcore.Field {
	out := make([]zapcore.Field, len(fields))
	for i, f := range fields {
		switch f.Type {
		case zapcore.StringType:
			f.String = c.red.Value(f.String)
		case zapcore.ByteStringType, zapcore.BinaryType:
			if b, ok := f.Interface.([]byte); ok {
				f = zap.String(f.Key, c.red.Value(string(b)))
			}
		case zapcore.ErrorType:
			if err, ok := f.Interface.(error); ok && err != nil {
				f = zap.String(f.Key, c.red.Value(err.Error()))
			}
		case zapcore.StringerType:
			if s, ok := f.Interface.(interface{ String() string }); ok && s != nil {
				f = zap.String(f.Key, c.red.Value(s.String()))
			}
		case zapcore.ReflectType:
			if b, err := json.Marshal(f.Interface); err == nil {
				f = zap.Any(f.Key, json.RawMessage(c.red.JSON(b)))
			}
		}
		out[i] = f
	}
	return out
}

// record keeps a line of the run's output, within the capture bounds.
// Only the drive goroutine records, but an abandoning goroutine may take
// the lines at any time.
func (x *execution) record(level sandbox.Level, msg string, fields ...zap.Field) {
	x.mu.Lock()
	room := x.e.cfg.maxLogBytes - x.bytes
	if x.lines >= x.e.cfg.maxLogLines || room <= 0 {
		x.dropped++
		first := !x.capped
		x.capped = true
		x.mu.Unlock()
		if first {
			x.logger().Warn("console output limit reached; further lines are dropped",
				zap.Int("max_lines", x.e.cfg.maxLogLines), zap.Int("max_bytes", x.e.cfg.maxLogBytes))
		}
		return
	}
	if len(msg) > room {
		msg = msg[:room]
	}
	x.lines++
	x.bytes += len(msg)
	if !x.sealed {
		x.logs = append(x.logs, LogEntry{Time: x.e.cfg.clock.Now(), Level: level, Message: msg})
	}
	x.mu.Unlock()
	if ce := x.logger().Check(zapLevel(level), msg); ce != nil {
		ce.Write(fields...)
	}
}

func zapLevel(l sandbox.Level) zapcore.Level {
	switch l {
	case sandbox.LevelDebug:
		return zapcore.DebugLevel
	case sandbox.LevelWarn:
		return zapcore.WarnLevel
	case sandbox.LevelError:
		return zapcore.ErrorLevel
	}
	return zapcore.InfoLevel
}

// Uncaught handles an exception thrown by a timer or other asynchronous
// callback: before the hook called back it ends the run, as a synchronous
// throw does; after, it is logged.
func (x *execution) Uncaught(exc *goja.Exception) {
	x.threw(exc.Value(), "uncaught exception after the hook called back")
}

// Unhandled handles a promise rejection nothing handled. Before the hook
// called back it ends the run with the reason, as Node (15 and later) ends
// the process: a throw inside a module's callback (request, axios, https, a
// fetch .then) reaches the script as such a rejection. After, it is logged.
func (x *execution) Unhandled(reason goja.Value) {
	x.threw(reason, "unhandled promise rejection")
}

// errorLog records an error the script caused but did not print itself.
func (x *execution) errorLog(what, detail string) {
	x.record(sandbox.LevelError, x.redact(what+": "+cleanStack(detail)), zap.String("source", "engine"))
}

// warn records an engine warning about the script.
func (x *execution) warn(msg string) {
	x.record(sandbox.LevelWarn, msg, zap.String("source", "engine"))
}

// logEnd logs how the run ended: failures of asynchronous runs, which nobody
// else sees, at error level; everything else at debug level.
func (x *execution) logEnd(res *Result, err error) {
	x.observe(res, err)
	level := zapcore.DebugLevel
	if x.async && (err != nil || !res.Envelope.Succeeded()) {
		level = zapcore.ErrorLevel
	}
	if !x.e.log.Core().Enabled(level) {
		return // without building the run's logger
	}
	ce := x.logger().Check(level, "hook run finished")
	if ce == nil {
		return
	}
	fields := []zap.Field{
		zap.String("status", string(res.Envelope.Status)),
		zap.Duration("duration", res.Duration),
		zap.Duration("cpu_time", res.CPUTime),
	}
	if err != nil {
		fields = append(fields, zap.String("error", cleanStack(err.Error()))) // redacted by the logger
	}
	if !res.Envelope.Succeeded() {
		fields = append(fields, zap.String("envelope", x.redactEnvelope(res.Envelope.Data)))
	}
	ce.Write(fields...)
}
