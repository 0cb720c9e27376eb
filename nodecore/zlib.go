package nodecore

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"hash/crc32"
	"io"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
)

// maxZlibOutput bounds what one zlib call may produce, so that a small
// compressed body cannot expand into gigabytes. A script's
// maxOutputLength option lowers it.
const maxZlibOutput = 16 << 20

// zlibError is a failure as Node's zlib reports it.
type zlibError struct {
	msg, code string
	errno     int
}

// zlibNative gives zlib.js native.run(kind, bytes, level, maxOutput), which
// compresses or decompresses bytes whole with Go's compress packages and
// returns an ArrayBuffer, or throws Node's error.
func zlibNative(r *sandbox.Runtime) *goja.Object {
	vm := r.VM()
	o := vm.NewObject()
	_ = o.Set("run", r.Func("run", func(call goja.FunctionCall) goja.Value {
		in, _ := call.Argument(1).Export().([]byte)
		level := int(call.Argument(2).ToInteger())
		limit := int(call.Argument(3).ToInteger())
		if limit <= 0 || limit > maxZlibOutput {
			limit = maxZlibOutput
		}
		out, zerr := zlibRun(call.Argument(0).String(), in, level, limit)
		if zerr != nil {
			e, err := r.NewError(zerr.msg)
			if err != nil {
				panic(err)
			}
			_ = e.Set("code", zerr.code)
			_ = e.Set("errno", zerr.errno)
			panic(e)
		}
		return vm.ToValue(vm.NewArrayBuffer(out))
	}))
	_ = o.Set("crc32", r.Func("crc32", func(call goja.FunctionCall) goja.Value {
		in, _ := call.Argument(0).Export().([]byte)
		return vm.ToValue(crc32.Update(uint32(call.Argument(1).ToInteger()), crc32.IEEETable, in))
	}))
	return o
}

func zlibRun(kind string, in []byte, level, limit int) ([]byte, *zlibError) {
	if level < -1 || level > 9 {
		level = -1
	}
	var buf bytes.Buffer
	compress := func(w io.WriteCloser, err error) ([]byte, *zlibError) {
		if err != nil {
			return nil, &zlibError{msg: err.Error(), code: "ERR_OUT_OF_RANGE"}
		}
		_, _ = w.Write(in)
		_ = w.Close()
		if buf.Len() > limit {
			return nil, tooLarge()
		}
		return buf.Bytes(), nil
	}
	switch kind {
	case "gzip":
		return compress(gzip.NewWriterLevel(&buf, level))
	case "deflate":
		return compress(zlib.NewWriterLevel(&buf, level))
	case "deflateRaw":
		return compress(flate.NewWriter(&buf, level))
	case "gunzip":
		if len(in) >= 2 && (in[0] != 0x1f || in[1] != 0x8b) {
			return nil, decodeError(gzip.ErrHeader)
		}
		zr, err := gzip.NewReader(bytes.NewReader(in))
		if err != nil {
			return nil, decodeError(err)
		}
		zr.Multistream(true)
		return readAll(zr, limit)
	case "inflate":
		zr, err := zlib.NewReader(bytes.NewReader(in))
		if err != nil {
			return nil, decodeError(err)
		}
		return readAll(zr, limit)
	case "inflateRaw":
		return readAll(flate.NewReader(bytes.NewReader(in)), limit)
	case "unzip":
		if len(in) >= 2 && in[0] == 0x1f && in[1] == 0x8b {
			return zlibRun("gunzip", in, level, limit)
		}
		return zlibRun("inflate", in, level, limit)
	}
	return nil, &zlibError{msg: "zlib: " + kind + " is not available to hooks", code: "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"}
}

func readAll(r io.Reader, limit int) ([]byte, *zlibError) {
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, decodeError(err)
	}
	if len(out) > limit {
		return nil, tooLarge()
	}
	return out, nil
}

func tooLarge() *zlibError {
	return &zlibError{msg: "Cannot create a Buffer larger than the output limit of zlib in hooks", code: "ERR_BUFFER_TOO_LARGE"}
}

func decodeError(err error) *zlibError {
	switch {
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, zlib.ErrHeader):
		return &zlibError{msg: "incorrect header check", code: "Z_DATA_ERROR", errno: -3}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &zlibError{msg: "unexpected end of file", code: "Z_BUF_ERROR", errno: -5}
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, zlib.ErrChecksum):
		return &zlibError{msg: "incorrect data check", code: "Z_DATA_ERROR", errno: -3}
	}
	return &zlibError{msg: "invalid compressed data", code: "Z_DATA_ERROR", errno: -3}
}
