package goja

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"golang.org/x/text/transform"
	"sync/atomic"
)

// SizeLimit identifies one of the size limits a Runtime can enforce (see SetMaxBigIntBits,
// SetMaxStringLength and SetMaxArrayLength).
type SizeLimit int

const (
	// SizeLimitBigInt is the limit set by SetMaxBigIntBits.
	SizeLimitBigInt SizeLimit = iota + 1
	// SizeLimitString is the limit set by SetMaxStringLength.
	SizeLimitString
	// SizeLimitArray is the limit set by SetMaxArrayLength.
	SizeLimitArray
)

func (l SizeLimit) String() string {
	switch l {
	case SizeLimitBigInt:
		return "BigInt size"
	case SizeLimitString:
		return "string length"
	case SizeLimitArray:
		return "array length"
	}
	return "unknown limit"
}

// sizeLimits holds the limits of a Runtime; the zero value means no limits.
type sizeLimits struct {
	maxBigIntBits   int
	maxStringLength int
	maxArrayLength  int64
	onExceeded      func(SizeLimit)
}

// SetMaxBigIntBits limits the size, in bits, of every BigInt value the script can create. An operator or
// a conversion whose result would be larger throws a RangeError ("Maximum BigInt size exceeded", as V8 does)
// before computing it: math/big runs one operator as a single Go call, which Interrupt() cannot stop, so
// without a limit `10n ** 100000000n` or `1n << 10000000000n` can run for minutes or exhaust the memory.
// The check is a cheap bound on the size of the result (for example bitlen(x)×y for x ** y). Parsing a
// string or a literal of more digits than the limit allows throws too (for eval and Function, and for
// Compile* calls made with the parser option parser.WithMaxBigIntBits).
// Zero (the default) or a negative value means no limit. This method is not safe for concurrent use.
func (r *Runtime) SetMaxBigIntBits(n int) {
	r.limits.maxBigIntBits = max(n, 0)
}

// SetMaxStringLength limits the length (in UTF-16 code units) of the strings that string concatenation
// (+, +=, template literals) and the built-ins that build a string whose size the script controls
// (String.prototype.repeat, padStart, padEnd, concat, replace, replaceAll, normalize, the case
// conversions, Array.prototype.join, String.raw, the URI encoding functions) can produce. Exceeding it
// throws a RangeError ("Invalid string length", as V8 does) before the string is built.
// Zero (the default) or a negative value means no limit. This method is not safe for concurrent use.
func (r *Runtime) SetMaxStringLength(n int) {
	r.limits.maxStringLength = max(n, 0)
}

// SetMaxArrayLength limits the length of the arrays and array-likes the Array.prototype methods and
// Array.from accept, and the size of the lists the built-ins allocate from a length the script controls
// (typed arrays included). A length read from an object may come from a getter that answers differently
// each time, so the built-in checks the value it actually uses. Exceeding the limit throws a RangeError
// ("Invalid array length"). Zero (the default) or a negative value means no limit.
// This method is not safe for concurrent use.
func (r *Runtime) SetMaxArrayLength(n int) {
	r.limits.maxArrayLength = int64(max(n, 0))
}

// SetSizeLimitCallback sets a function called, on the goroutine running the script, whenever one of the
// limits above is exceeded, just before the RangeError is thrown. It lets the host react to the attempt
// even if the script catches the error, for example by calling Interrupt(). Nil (the default) means no callback.
// This method is not safe for concurrent use.
func (r *Runtime) SetSizeLimitCallback(f func(SizeLimit)) {
	r.limits.onExceeded = f
}

// sizeLimitExceeded calls the callback and throws the RangeError for limit.
func (r *Runtime) sizeLimitExceeded(limit SizeLimit) {
	if f := r.limits.onExceeded; f != nil {
		f(limit)
	}
	var msg string
	switch limit {
	case SizeLimitBigInt:
		msg = "Maximum BigInt size exceeded"
	case SizeLimitString:
		msg = "Invalid string length"
	default:
		msg = "Invalid array length"
	}
	panic(r.newError(r.getRangeError(), msg))
}

// checkBigIntBits throws if a BigInt of (at least) bits bits is over the limit.
func (r *Runtime) checkBigIntBits(bits uint64) {
	if m := r.limits.maxBigIntBits; m > 0 && bits > uint64(m) {
		r.sizeLimitExceeded(SizeLimitBigInt)
	}
}

// checkBigInt throws if x is over the BigInt size limit and returns it.
func (r *Runtime) checkBigInt(x *big.Int) *valueBigInt {
	r.checkBigIntBits(uint64(x.BitLen()))
	return (*valueBigInt)(x)
}

// bigIntExpBits returns a lower bound on the size in bits of x ** y (y >= 0), saturating at MaxUint64.
func bigIntExpBits(x, y *big.Int) uint64 {
	b := x.BitLen()
	if b <= 1 || y.Sign() == 0 { // 0, 1, -1, or x ** 0
		return 1
	}
	if !y.IsUint64() {
		return math.MaxUint64
	}
	e := y.Uint64()
	// |x| >= 2^(b-1), so |x ** y| >= 2^((b-1)*y).
	if e > math.MaxUint64/uint64(b-1) {
		return math.MaxUint64
	}
	return uint64(b-1)*e + 1
}

// bigIntShift returns x << y (left) or x >> y, checking the size of the result first.
func (r *Runtime) bigIntShift(x, y *big.Int, left bool) *valueBigInt {
	if y.Sign() < 0 {
		left = !left
	}
	if y.CmpAbs(big.NewInt(math.MaxInt32)) > 0 {
		// Shifts this long only make sense where the result is 0 or -1 (math/big would take the
		// count modulo 2^64 and try to allocate the result).
		if left {
			if x.Sign() != 0 {
				r.sizeLimitExceeded(SizeLimitBigInt)
			}
			return (*valueBigInt)(new(big.Int))
		}
		if x.Sign() < 0 {
			return (*valueBigInt)(big.NewInt(-1))
		}
		return (*valueBigInt)(new(big.Int))
	}
	n := uint(new(big.Int).Abs(y).Uint64())
	if !left {
		return (*valueBigInt)(new(big.Int).Rsh(x, n))
	}
	if x.Sign() != 0 {
		r.checkBigIntBits(uint64(x.BitLen()) + uint64(n))
	}
	return (*valueBigInt)(new(big.Int).Lsh(x, n))
}

// bigIntDigitsBits returns a lower bound on the size in bits of the integer written by the BigInt
// literal or string s (with an optional sign, radix prefix and trailing 'n'), without parsing it.
func bigIntDigitsBits(s string) uint64 {
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if len(s) > 0 && s[len(s)-1] == 'n' {
		s = s[:len(s)-1]
	}
	radix := 10.0
	if len(s) > 2 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X':
			radix, s = 16, s[2:]
		case 'o', 'O':
			radix, s = 8, s[2:]
		case 'b', 'B':
			radix, s = 2, s[2:]
		}
	}
	for len(s) > 0 && (s[0] == '0' || s[0] == '_') {
		s = s[1:]
	}
	if len(s) <= 1 {
		return uint64(len(s))
	}
	// A number of n significant digits is at least radix^(n-1).
	return uint64(float64(len(s)-1)*math.Log2(radix)) + 1
}

// checkBigIntString throws if the BigInt written by s would be over the limit.
func (r *Runtime) checkBigIntString(s string) {
	if r.limits.maxBigIntBits > 0 {
		r.checkBigIntBits(bigIntDigitsBits(s))
	}
}

// checkStringLength throws if a string of n code units is over the limit.
func (r *Runtime) checkStringLength(n int64) {
	if m := r.limits.maxStringLength; m > 0 && n > int64(m) {
		r.sizeLimitExceeded(SizeLimitString)
	}
}

// checkStringFloat is checkStringLength for a length computed in floating point (it may be huge or NaN).
func (r *Runtime) checkStringFloat(n float64) {
	if m := r.limits.maxStringLength; m > 0 && n > float64(m) {
		r.sizeLimitExceeded(SizeLimitString)
	}
}

// checkArrayLength throws if an array (or a list a built-in allocates) of n elements is over the limit,
// and returns n.
func (r *Runtime) checkArrayLength(n int64) int64 {
	if m := r.limits.maxArrayLength; m > 0 && n > m {
		r.sizeLimitExceeded(SizeLimitArray)
	}
	return n
}

// lengthOf reads the length of an array-like for a built-in that loops over or copies its elements,
// checking it against the array length limit.
func (r *Runtime) lengthOf(o *Object) int64 {
	return r.checkArrayLength(toLength(o.self.getStr("length", nil)))
}

// checkInterrupt lets a long loop inside a built-in stop when Interrupt() was called: the VM only sees
// the interrupt flag between instructions. It panics the way the VM does.
func (r *Runtime) checkInterrupt() {
	vm := r.vm
	if atomic.LoadUint32(&vm.interrupted) == 0 {
		return
	}
	vm.interruptLock.Lock()
	v := &InterruptedError{
		iface: vm.interruptVal,
	}
	v.stack = vm.captureStack(nil, 0)
	vm.interruptLock.Unlock()
	panic(v)
}

// toBigInt is the package-level toBigInt with the BigInt size limit applied to strings.
func (r *Runtime) toBigInt(v Value) *valueBigInt {
	if o, ok := v.(*Object); ok {
		v = o.toPrimitiveNumber()
	}
	if s, ok := v.(String); ok {
		r.checkBigIntString(s.toTrimmedUTF8())
	}
	return toBigInt(v)
}

// stringToBigIntNear is stringToBigInt for a comparison with y. A string certainly larger in magnitude
// than y is not parsed (parsing is quadratic in the number of digits): a value of the same sign and a
// magnitude just above y's stands in for it.
func stringToBigIntNear(s string, y *big.Int) (*big.Int, error) {
	if bigIntDigitsBits(s) <= uint64(y.BitLen())+1 {
		return stringToBigInt(s)
	}
	if !bigIntStringValid(s) {
		return nil, strconv.ErrSyntax
	}
	x := new(big.Int).Lsh(big.NewInt(1), uint(y.BitLen()+1))
	if s[0] == '-' {
		x.Neg(x)
	}
	return x, nil
}

// bigIntStringValid reports whether stringToBigInt accepts the (trimmed, non-empty) string s.
func bigIntStringValid(s string) bool {
	radix := 10
	if len(s) > 2 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X':
			radix = 16
		case 'o', 'O':
			radix = 8
		case 'b', 'B':
			radix = 2
		}
	}
	if radix != 10 {
		s = s[2:]
	} else if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		var d int
		switch {
		case '0' <= c && c <= '9':
			d = int(c - '0')
		case 'a' <= c && c <= 'z':
			d = int(c-'a') + 10
		case 'A' <= c && c <= 'Z':
			d = int(c-'A') + 10
		default:
			return false
		}
		if d >= radix {
			return false
		}
	}
	return true
}

// Constant expressions are folded by the compiler, outside any runtime and its limits; those whose value
// would be larger than this are left to be computed when run.
const (
	constMaxBigIntBits   = 1 << 16
	constMaxStringLength = 1 << 16
)

// countCopied counts one more property copied by a built-in (Object.assign, object spread): it makes
// as many properties as the source has, which the array length limit bounds too, and checks for an
// interrupt now and then.
func (r *Runtime) countCopied(n *int64) {
	*n++
	r.checkArrayLength(*n)
	if *n%1024 == 0 {
		r.checkInterrupt()
	}
}

// sortStep is called on each comparison of a sort: sorting millions of elements is one long native call,
// so it checks for an interrupt now and then.
func (r *Runtime) sortStep(calls *int) {
	if *calls++; *calls%4096 == 0 {
		r.checkInterrupt()
	}
}

// collectStep is called by a built-in loop before it adds element n (counting from 0) to a list it
// builds or walks: it checks the list against the array length limit and, now and then, checks for an
// interrupt.
func (r *Runtime) collectStep(n int) {
	r.checkArrayLength(int64(n) + 1)
	if n%1024 == 1023 {
		r.checkInterrupt()
	}
}

// transformString applies t (a case mapping, a normalization) to s a chunk at a time, checking for an
// interrupt between chunks: on a long string it is otherwise one native call of hundreds of milliseconds.
// The result is the same as t's String method gives.
func (r *Runtime) transformString(t transform.Transformer, s string) string {
	const chunk = 64 << 10
	if len(s) <= chunk {
		res, _, _ := transform.String(t, s)
		return res
	}
	rd := transform.NewReader(strings.NewReader(s), t)
	var sb strings.Builder
	sb.Grow(len(s))
	buf := make([]byte, chunk)
	for {
		n, err := rd.Read(buf)
		sb.Write(buf[:n])
		r.checkInterrupt()
		if err != nil {
			break // io.EOF; t.Transform never fails on valid UTF-8, which s.String() always is
		}
	}
	return sb.String()
}
