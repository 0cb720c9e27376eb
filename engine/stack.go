package engine

import (
	"regexp"
	"strings"
)

// internalSource starts the names of the engine's own JavaScript sources
// (its guards on built-ins, its modules), which stack traces hide as
// native code.
const internalSource = "hookengine:"

var (
	// NAME (FILE:LINE:COLUMN(PC)) and FILE:LINE:COLUMN(PC), as goja writes
	// frames; the (PC) part is goja's and optional.
	namedFrame = regexp.MustCompile(`^(.+) \((.+):(\d+):(\d+)(?:\(\d+\))?\)$`)
	anonFrame  = regexp.MustCompile(`^(.+):(\d+):(\d+)(?:\(\d+\))?$`)
)

// stackFrame is one parsed line of a stack trace.
type stackFrame struct {
	text     string // the line as written out
	native   bool   // native code, internal JavaScript included
	named    bool
	internal bool // an unnamed frame of the engine's own JavaScript
}

// cleanStack rewrites a JavaScript stack trace as goja writes it into the
// form Node writes, showing nothing of how the engine is built: frames are
// "    at NAME (FILE:LINE:COLUMN)" or "    at FILE:LINE:COLUMN" without
// goja's program counters; frames of Go functions (whose names are Go
// package paths, github.com/dop251/goja... or the engine's own) and of the
// engine's own JavaScript become "    at native", or "    at NAME (native)"
// when they have a JavaScript name; consecutive native frames of the
// engine's wrappers are one "    at native". Lines that are not frames (the
// message) are kept as they are. Safe on any text: a line is rewritten
// only when it reads as a frame.
func cleanStack(s string) string {
	if !strings.Contains(s, "at ") {
		return s
	}
	lines := strings.Split(s, "\n")
	frames := make([]*stackFrame, len(lines))
	for i, l := range lines {
		frames[i] = parseFrame(l)
	}
	out := make([]string, 0, len(lines))
	for i, f := range frames {
		switch {
		case f == nil:
			out = append(out, lines[i])
			continue
		case f.native && f.named && i+1 < len(frames) && frames[i+1] != nil && frames[i+1].internal:
			// A built-in the engine's wrapper called (apply, call): part of
			// the wrapper.
			f.text = "    at native"
		}
		if f.text == "    at native" && len(out) > 0 && out[len(out)-1] == f.text {
			continue
		}
		out = append(out, f.text)
	}
	return strings.Join(out, "\n")
}

// parseFrame parses one line of a stack trace; nil when it is not a frame.
func parseFrame(line string) *stackFrame {
	rest, ok := strings.CutPrefix(strings.TrimLeft(line, " \t"), "at ")
	if !ok || len(line) == len(strings.TrimLeft(line, " \t")) {
		return nil // frames are indented
	}
	native := &stackFrame{text: "    at native", native: true}
	switch {
	case rest == "native":
		return native
	case strings.HasSuffix(rest, " (native)"):
		name := strings.TrimSuffix(rest, " (native)")
		if goName(name) {
			return native
		}
		return &stackFrame{text: "    at " + name + " (native)", native: true, named: true}
	}
	if m := namedFrame.FindStringSubmatch(rest); m != nil {
		name, file := m[1], m[2]
		if strings.HasPrefix(file, internalSource) {
			return &stackFrame{text: "    at " + name + " (native)", native: true, named: true}
		}
		return &stackFrame{text: "    at " + name + " (" + file + ":" + m[3] + ":" + m[4] + ")", named: true}
	}
	if m := anonFrame.FindStringSubmatch(rest); m != nil {
		if strings.HasPrefix(m[1], internalSource) {
			return &stackFrame{text: native.text, native: true, internal: true}
		}
		return &stackFrame{text: "    at " + m[1] + ":" + m[2] + ":" + m[3]}
	}
	return nil
}

// goName reports whether a frame's function name is a Go name, as goja
// names Go functions it wraps: a package path, a method expression or a
// closure.
func goName(name string) bool {
	for _, s := range []string{"/", "(*", ").", ".func", "-fm"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}
