package engine

import (
	"strings"

	"github.com/dop251/goja"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/hookengine/hookengine/sandbox"
)

// redacted replaces secret values in everything the engine logs.
const redacted = "[REDACTED]"

// minRedactLen is the shortest secret value redacted; shorter values would
// blank out ordinary words.
const minRedactLen = 4

// logger returns the run's logger, with its identifying fields.
func (x *execution) logger() *zap.Logger {
	x.zlogOnce.Do(func() {
		x.zlog = x.e.log.With(
			zap.String("hook_id", x.hook.ID),
			zap.String("hook_name", x.hook.Name),
			zap.String("trigger", string(x.t.ID)),
			zap.String("execution_id", x.id),
		)
	})
	return x.zlog
}

// redact removes the hook's secret values from s.
func (x *execution) redact(s string) string {
	if len(x.hook.Secrets) == 0 {
		return s
	}
	x.redactOnce.Do(func() {
		var pairs []string
		for _, v := range x.hook.Secrets {
			if len(v) >= minRedactLen {
				pairs = append(pairs, v, redacted)
			}
		}
		x.redactor = strings.NewReplacer(pairs...)
	})
	return x.redactor.Replace(s)
}

// Console records one console call: in the result until it is returned, and
// in the logger, both bounded by the engine's log capture limits.
func (x *execution) Console(level sandbox.Level, msg string) {
	x.record(level, x.redact(msg), zap.String("source", "console"))
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

// Unhandled logs a promise rejection nothing handled, as Node reports it.
func (x *execution) Unhandled(reason goja.Value) {
	x.errorLog("unhandled promise rejection", x.rt.Inspect(reason))
}

// errorLog records an error the script caused but did not print itself.
func (x *execution) errorLog(what, detail string) {
	x.record(sandbox.LevelError, x.redact(what+": "+detail), zap.String("source", "engine"))
}

// warn records an engine warning about the script.
func (x *execution) warn(msg string) {
	x.record(sandbox.LevelWarn, msg, zap.String("source", "engine"))
}

// logEnd logs how the run ended: failures of asynchronous runs, which nobody
// else sees, at error level; everything else at debug level.
func (x *execution) logEnd(res *Result, err error) {
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
		fields = append(fields, zap.String("error", x.redact(err.Error())))
	}
	if !res.Envelope.Succeeded() {
		fields = append(fields, zap.String("envelope", x.redact(string(res.Envelope.Data))))
	}
	ce.Write(fields...)
}
