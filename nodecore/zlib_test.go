package nodecore

import (
	"bytes"
	"compress/gzip"
	"testing"
)

// FuzzZlib: whatever a script hands zlib to decompress, it gets bytes
// within the limit or Node's error, never a crash; what it compresses comes
// back unchanged.
func FuzzZlib(f *testing.F) {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, _ = w.Write(bytes.Repeat([]byte("hook"), 1000))
	_ = w.Close()
	f.Add(gz.Bytes())
	f.Add([]byte("not compressed"))
	f.Add([]byte{0x78, 0x9c, 0x03, 0x00})
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, in []byte) {
		const limit = 1 << 12
		for _, kind := range []string{"gunzip", "inflate", "inflateRaw", "unzip"} {
			out, zerr := zlibRun(kind, in, -1, limit)
			if zerr == nil && len(out) > limit {
				t.Fatalf("%s: %d bytes past the limit", kind, len(out))
			}
			if zerr != nil && (zerr.msg == "" || zerr.code == "") {
				t.Fatalf("%s: error without message or code: %+v", kind, zerr)
			}
		}
		for _, pair := range [][2]string{{"gzip", "gunzip"}, {"deflate", "inflate"}, {"deflateRaw", "inflateRaw"}} {
			c, zerr := zlibRun(pair[0], in, 6, maxZlibOutput)
			if zerr != nil {
				t.Fatalf("%s: %+v", pair[0], zerr)
			}
			back, zerr := zlibRun(pair[1], c, 0, maxZlibOutput)
			if zerr != nil || !bytes.Equal(back, in) {
				t.Fatalf("%s round trip: %v %q", pair[0], zerr, back)
			}
		}
	})
}
