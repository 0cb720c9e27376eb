package soak

import (
	"sync"
	"time"

	"go.uber.org/zap/zapcore"
)

// lineLedger matches the console lines of notify.js (written after the
// callback, by the run's background work) and audit.js (run with RunAsync)
// with the runs that must write them: exactly one line per run, carrying
// the run's token, logged with the run's execution id. It is the engine's
// logger core.
type lineLedger struct {
	mu      sync.Mutex
	pending map[string]*lineRun // by token
	// stopped are the execution ids of runs whose background work a limit
	// stopped, so that their line will never come.
	stopped map[string]bool
	async   histogram // RunAsync start to line

	lines, duplicated, crossed int64
	asyncFailed                int64
	warnings, errors           int64 // other engine log lines
	internal                   int64 // "internal error while running a hook"
	problems                   *problems
}

type lineRun struct {
	spec     int
	start    time.Time
	async    bool
	execID   string // from the result; "" until Run returns, or for RunAsync
	seenExec string // from the line
	seen     int
}

func newLineLedger(p *problems) *lineLedger {
	return &lineLedger{pending: make(map[string]*lineRun), stopped: make(map[string]bool), problems: p}
}

// expect registers a run that must write a line, before it starts.
func (l *lineLedger) expect(tok string, spec int, start time.Time, async bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending[tok] = &lineRun{spec: spec, start: start, async: async}
}

// forget drops the expectation of a run that failed: its failure is
// reported as such.
func (l *lineLedger) forget(tok string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.pending, tok)
}

// result records the execution id of a finished synchronous run.
func (l *lineLedger) result(tok, execID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.pending[tok]
	if r == nil {
		return
	}
	r.execID = execID
	l.settle(tok, r)
}

// settle closes a run whose line and result are both known. Callers hold
// mu.
func (l *lineLedger) settle(tok string, r *lineRun) {
	if r.seen == 0 || (!r.async && r.execID == "") {
		return
	}
	if !r.async && r.seenExec != r.execID {
		l.crossed++
		l.problems.add(probCrossed, "line of run "+tok+" logged by execution "+r.seenExec+", the run's result is execution "+r.execID)
	}
	delete(l.pending, tok)
}

// line records a console line of a run.
func (l *lineLedger) line(msg, execID string) {
	m := lineRe.FindStringSubmatch(msg)
	if m == nil {
		return
	}
	tok := m[1]
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines++
	r := l.pending[tok]
	if r == nil {
		// The run is settled, or never expected a line: a second line.
		l.duplicated++
		l.problems.add(probDuplicated, "line for run "+tok+" with no run waiting for it (execution "+execID+"): "+msg)
		return
	}
	r.seen++
	r.seenExec = execID
	if r.async {
		l.async.record(now.Sub(r.start))
	}
	l.settle(tok, r)
}

// finish reports the runs still waiting for their line once every run
// and its background work ended: lost lines, unless a limit stopped the
// background work. It returns how many were lost and how many stopped.
func (l *lineLedger) finish() (lost, stopped int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	failed := l.asyncFailed
	for tok, r := range l.pending {
		switch {
		case r.execID != "" && l.stopped[r.execID]:
			stopped++
		case r.async && failed > 0:
			// An async run that failed logs its failure without a
			// token: count it as failed (an unexpected ending), not
			// lost, up to the failures.
			failed--
			stopped++
		default:
			lost++
			l.problems.add(probLost, "no line from run "+tok+" (execution "+r.execID+")")
		}
		delete(l.pending, tok)
	}
	clear(l.stopped)
	return lost, stopped
}

// The zapcore.Core the engine logs to.

type ledgerCore struct {
	l      *lineLedger
	fields []zapcore.Field
}

func (c *ledgerCore) Enabled(level zapcore.Level) bool { return level >= zapcore.InfoLevel }

func (c *ledgerCore) With(fields []zapcore.Field) zapcore.Core {
	return &ledgerCore{l: c.l, fields: append(c.fields[:len(c.fields):len(c.fields)], fields...)}
}

func (c *ledgerCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(ent.Level) {
		return ce.AddCore(ent, c)
	}
	return ce
}

func (c *ledgerCore) Sync() error { return nil }

func (c *ledgerCore) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	field := func(key string) string {
		for _, fs := range [][]zapcore.Field{fields, c.fields} {
			for _, f := range fs {
				if f.Key == key {
					return f.String
				}
			}
		}
		return ""
	}
	execID := field("execution_id")
	switch {
	case ent.Level == zapcore.InfoLevel && field("source") == "console":
		c.l.line(ent.Message, execID)
		return nil
	case ent.Message == "work the hook left running after calling back was stopped":
		c.l.mu.Lock()
		c.l.stopped[execID] = true
		c.l.warnings++
		c.l.mu.Unlock()
		c.l.problems.add(probUnexpected, field("hook_name")+" execution "+execID+": background work stopped: "+errorField(fields))
		return nil
	case ent.Message == "hook run finished" && ent.Level >= zapcore.ErrorLevel:
		// A RunAsync run that failed.
		c.l.mu.Lock()
		c.l.asyncFailed++
		c.l.mu.Unlock()
		c.l.problems.add(probUnexpected, field("hook_name")+" execution "+execID+" (RunAsync) failed: "+field("error")+" "+field("envelope"))
		return nil
	case ent.Message == "internal error while running a hook":
		c.l.mu.Lock()
		c.l.internal++
		c.l.mu.Unlock()
		c.l.problems.add(probInternal, field("hook_name")+" execution "+execID+": "+errorField(fields))
	}
	c.l.mu.Lock()
	if ent.Level >= zapcore.ErrorLevel {
		c.l.errors++
	} else if ent.Level == zapcore.WarnLevel {
		c.l.warnings++
	}
	c.l.mu.Unlock()
	return nil
}

// errorField returns the text of a zap.Error field.
func errorField(fields []zapcore.Field) string {
	for _, f := range fields {
		if f.Key == "error" {
			if err, ok := f.Interface.(error); ok {
				return err.Error()
			}
			return f.String
		}
	}
	return ""
}
