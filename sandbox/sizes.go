package sandbox

import (
	"github.com/dop251/goja"
)

// Bounds on the size of single values, enforced inside goja (see
// third_party/goja/PATCHES.md) on the value a built-in or an operator is
// about to make, before it makes it. An execution's memory limit lowers
// them further (see sizeLimitsFor). Going over any of them throws a
// RangeError and ends the execution with ErrMemoryExceeded, even if the
// script catches the error.
const (
	// MaxBigIntBits bounds the size of a BigInt. math/big computes each
	// operator in one call that no limit can interrupt, and parses decimal
	// digits in quadratic time: at 2¹⁸ bits (78,914 decimal digits) the
	// slowest single step, parsing or printing the decimal form, takes about
	// 15 ms; at 2²⁰ it took 230 ms on a 2-core test machine, more than the
	// 100 ms a limit may be overshot. V8 allows 2³⁰ bits; a hook has no use
	// for numbers of more than a few thousand.
	MaxBigIntBits = 1 << 18
	// MaxStringLength bounds the length of a string in UTF-16 code units
	// (2 MiB of non-ASCII text). The built-ins goja cannot interrupt take
	// time linear in a string's length, up to 50 ns per unit (a regular
	// expression search over non-ASCII text): at this length each call ends
	// within about 50 ms.
	MaxStringLength = 1 << 20
	// MaxCollateLength bounds the combined length of the two strings
	// String.prototype.localeCompare compares: the collator takes up to
	// 400 ns per unit and cannot be interrupted. Longer strings throw a
	// RangeError.
	MaxCollateLength = 1 << 17
	// minArrayLength is the lowest array cap a small memory limit leads to.
	minArrayLength = 1 << 16
)

// sizeLimitsFor returns the goja size limits of an execution with the given
// memory limit (no limit when memory is zero or negative): a BigInt of at
// most 2 bits per byte of memory (math/big's temporaries take several times
// the result), a string of at most memory/2 code units (goja keeps a string
// with any non-ASCII character at 2 bytes per unit, and concatenation holds
// both operands and the result at once), and lists natives allocate of at
// most memory/16 elements (a goja Value is 16 bytes), never under 2¹⁶ nor
// over MaxArrayLength.
func sizeLimitsFor(memory int64) (bigIntBits, stringLength, arrayLength int) {
	bigIntBits, stringLength, arrayLength = MaxBigIntBits, MaxStringLength, MaxArrayLength
	if memory <= 0 {
		return
	}
	bigIntBits = int(max(min(int64(bigIntBits), 2*memory), 64))
	stringLength = int(max(min(int64(stringLength), memory/2), 1))
	arrayLength = int(max(min(int64(arrayLength), memory/16), minArrayLength))
	return
}

// setSizeLimits applies sizeLimitsFor(memory) to the runtime.
func (r *Runtime) setSizeLimits(memory int64) {
	bits, str, arr := sizeLimitsFor(memory)
	r.maxString = str
	r.vm.SetMaxBigIntBits(bits)
	r.vm.SetMaxStringLength(str)
	r.vm.SetMaxArrayLength(arr)
}

// onSizeLimit ends the execution when goja refuses to make a value over one
// of the size limits: the RangeError it throws could be caught, and a
// script trying to exhaust memory should not be able to retry.
func (r *Runtime) onSizeLimit(goja.SizeLimit) {
	if !r.running {
		return
	}
	what := "the size of one value"
	if limit, _ := r.wd.memoryLimits(); limit > 0 {
		what = formatBytes(limit)
	}
	r.Stop(&LimitError{Err: ErrMemoryExceeded, Limit: what})
}

// hostString returns s as a script string, ending the execution as goja
// would if s is longer than the execution's string length limit: goja's
// limit covers the strings goja builds, not those a host function (a
// Buffer's toString, TextDecoder, atob, fetch's text, JSON.stringify) hands
// the script.
func (r *Runtime) hostString(s string) goja.Value {
	if len(s) > r.maxString {
		r.checkStringUnits(utf16Len(s))
	}
	return r.vm.ToValue(s)
}

// hostValue is hostString for a value already made: a string over the limit
// ends the execution, anything else is returned as is.
func (r *Runtime) hostValue(v goja.Value) goja.Value {
	if s, ok := v.(goja.String); ok {
		r.checkStringUnits(s.Length())
	}
	return v
}

// checkStringUnits ends the execution if a string of n UTF-16 units is
// over its string length limit.
func (r *Runtime) checkStringUnits(n int) {
	if n <= r.maxString {
		return
	}
	r.onSizeLimit(goja.SizeLimitString)
	panic(r.rangeError("Invalid string length: %d characters, at most %d", n, r.maxString))
}

// utf16Len returns the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, c := range s {
		n++
		if c >= 0x10000 {
			n++
		}
	}
	return n
}
