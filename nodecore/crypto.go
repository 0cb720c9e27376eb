package nodecore

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"hash"
	"maps"
	"math/big"
	"slices"
	"strings"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
)

// hashes are the digests createHash and createHmac know, by Node's names.
var hashes = map[string]func() hash.Hash{
	"md5":        md5.New,
	"sha1":       sha1.New,
	"sha224":     sha256.New224,
	"sha256":     sha256.New,
	"sha384":     sha512.New384,
	"sha512":     sha512.New,
	"sha512-224": sha512.New512_224,
	"sha512-256": sha512.New512_256,
}

// hashAliases are other spellings Node accepts.
var hashAliases = map[string]string{
	"rsa-md5": "md5", "rsa-sha1": "sha1", "rsa-sha224": "sha224", "rsa-sha256": "sha256",
	"rsa-sha384": "sha384", "rsa-sha512": "sha512", "sha-1": "sha1", "sha-256": "sha256",
	"sha-384": "sha384", "sha-512": "sha512", "sha512/224": "sha512-224", "sha512/256": "sha512-256",
}

// hashState is the Go side of a Hash or Hmac; scripts only pass it back.
type hashState struct {
	h   hash.Hash
	new func() hash.Hash
	key []byte // for Hmac, which cannot be copied
}

func hashByName(name string) (string, func() hash.Hash) {
	n := strings.ToLower(name)
	if a, ok := hashAliases[n]; ok {
		n = a
	}
	return n, hashes[n]
}

// cryptoNative builds the helpers of js/crypto.js.
func cryptoNative(r *sandbox.Runtime) *goja.Object {
	vm := r.VM()
	native := vm.NewObject()
	state := func(v goja.Value) *hashState {
		s, ok := v.Export().(*hashState)
		if !ok {
			panic(vm.NewTypeError("not a hash"))
		}
		return s
	}
	byteView := func(v goja.Value) []byte {
		b, _ := v.Export().([]byte) // a Uint8Array, sharing its memory
		return b
	}
	set := func(name string, fn func(goja.FunctionCall) goja.Value) {
		_ = native.Set(name, r.Func(name, fn))
	}
	set("hash", func(call goja.FunctionCall) goja.Value {
		_, newHash := hashByName(call.Argument(0).String())
		if newHash == nil {
			return goja.Null()
		}
		s := &hashState{new: newHash}
		if key := call.Argument(1); !goja.IsNull(key) && !goja.IsUndefined(key) {
			s.key = append([]byte(nil), byteView(key)...)
			s.h = hmac.New(newHash, s.key)
		} else {
			s.h = newHash()
		}
		return vm.ToValue(s)
	})
	set("update", func(call goja.FunctionCall) goja.Value {
		state(call.Argument(0)).h.Write(byteView(call.Argument(1)))
		return goja.Undefined()
	})
	set("digest", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(vm.NewArrayBuffer(state(call.Argument(0)).h.Sum(nil)))
	})
	set("copy", func(call goja.FunctionCall) goja.Value {
		s := state(call.Argument(0))
		// hash.Hash implementations of the standard library can be cloned
		// through their binary encoding.
		type cloner interface {
			MarshalBinary() ([]byte, error)
			UnmarshalBinary([]byte) error
		}
		src, ok := s.h.(cloner)
		if !ok {
			panic(vm.NewTypeError("this hash cannot be copied"))
		}
		data, err := src.MarshalBinary()
		if err != nil {
			panic(vm.NewGoError(err))
		}
		c := &hashState{new: s.new, h: s.new()}
		if err := c.h.(cloner).UnmarshalBinary(data); err != nil {
			panic(vm.NewGoError(err))
		}
		return vm.ToValue(c)
	})
	set("hashes", func(goja.FunctionCall) goja.Value {
		names := make([]any, 0, len(hashes)+len(hashAliases))
		for _, n := range sortedKeys(hashes) {
			names = append(names, n)
		}
		for _, n := range sortedKeys(hashAliases) {
			names = append(names, strings.ToUpper(n[:3])+n[3:])
		}
		return vm.NewArray(names...)
	})
	set("fill", func(call goja.FunctionCall) goja.Value {
		_, _ = rand.Read(byteView(call.Argument(0)))
		return goja.Undefined()
	})
	set("randomInt", func(call goja.FunctionCall) goja.Value {
		n, err := rand.Int(rand.Reader, big.NewInt(call.Argument(0).ToInteger()))
		if err != nil {
			panic(vm.NewGoError(err))
		}
		return vm.ToValue(n.Int64())
	})
	set("uuid", func(goja.FunctionCall) goja.Value {
		return vm.ToValue(uuid4())
	})
	set("equal", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(subtle.ConstantTimeCompare(byteView(call.Argument(0)), byteView(call.Argument(1))) == 1)
	})
	return native
}

// uuid4 returns a random version 4 UUID in its canonical form.
func uuid4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexdigits = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexdigits[c>>4], hexdigits[c&0xf])
	}
	return string(out)
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
