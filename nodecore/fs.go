package nodecore

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
)

// nodeModulesRoot is where scripts see the operator's node_modules
// directory, as require does.
const nodeModulesRoot = "/node_modules"

// maxFSFile bounds one file fs reads, as require bounds the files it loads.
const maxFSFile = 16 << 20

// fsNative gives fs.js read, stat and readdir on the runtime's node_modules
// directory, read-only. A path is absolute, already resolved against the
// working directory "/". Paths outside /node_modules do not exist.
func fsNative(r *sandbox.Runtime) *goja.Object {
	vm := r.VM()
	o := vm.NewObject()
	fsys := r.NodeModules()
	// name maps a script path to one in fsys, or throws ENOENT.
	name := func(syscall, p string) string {
		p = path.Clean(p)
		rest, ok := strings.CutPrefix(p, nodeModulesRoot+"/")
		if p == nodeModulesRoot {
			rest, ok = ".", true
		}
		if fsys == nil || !ok || !fs.ValidPath(rest) {
			throwFS(r, "ENOENT", -2, "no such file or directory", syscall, p)
		}
		return rest
	}
	fail := func(err error, syscall, p string) {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			throwFS(r, "ENOENT", -2, "no such file or directory", syscall, p)
		case errors.Is(err, fs.ErrPermission):
			throwFS(r, "EACCES", -13, "permission denied", syscall, p)
		}
		throwFS(r, "EIO", -5, "i/o error", syscall, p)
	}
	set := func(fname string, fn func(goja.FunctionCall) goja.Value) { _ = o.Set(fname, r.Func(fname, fn)) }
	set("read", func(call goja.FunctionCall) goja.Value {
		p := call.Argument(0).String()
		n := name("open", p)
		st, err := fs.Stat(fsys, n)
		if err != nil {
			fail(err, "open", p)
		}
		if st.IsDir() {
			throwFS(r, "EISDIR", -21, "illegal operation on a directory", "read", "")
		}
		f, err := fsys.Open(n)
		if err != nil {
			fail(err, "open", p)
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxFSFile+1))
		if err != nil {
			fail(err, "read", p)
		}
		if len(b) > maxFSFile {
			throwFS(r, "EFBIG", -27, "file too large for hooks", "read", p)
		}
		return vm.ToValue(vm.NewArrayBuffer(b))
	})
	set("stat", func(call goja.FunctionCall) goja.Value {
		p := call.Argument(0).String()
		st, err := fs.Stat(fsys, name("stat", p))
		if err != nil {
			fail(err, "stat", p)
		}
		res := vm.NewObject()
		_ = res.Set("dir", st.IsDir())
		_ = res.Set("size", st.Size())
		_ = res.Set("mtimeMs", st.ModTime().UnixMilli())
		mode := int64(st.Mode().Perm()) &^ 0o222 // read-only
		if st.IsDir() {
			mode |= 0o040000
		} else {
			mode |= 0o100000
		}
		_ = res.Set("mode", mode)
		return res
	})
	set("readdir", func(call goja.FunctionCall) goja.Value {
		p := call.Argument(0).String()
		entries, err := fs.ReadDir(fsys, name("scandir", p))
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) && !errors.Is(err, fs.ErrNotExist) {
				throwFS(r, "ENOTDIR", -20, "not a directory", "scandir", p)
			}
			fail(err, "scandir", p)
		}
		list := make([]any, 0, len(entries))
		for _, e := range entries {
			list = append(list, []any{e.Name(), e.IsDir()})
		}
		return vm.ToValue(list)
	})
	return o
}

// throwFS throws Node's error for a failed file operation:
// "ENOENT: no such file or directory, open '/node_modules/x'".
func throwFS(r *sandbox.Runtime, code string, errno int, text, syscall, p string) {
	msg := code + ": " + text + ", " + syscall
	if p != "" {
		msg += " '" + p + "'"
	}
	e, err := r.NewError(msg)
	if err != nil {
		panic(err)
	}
	_ = e.Set("code", code)
	_ = e.Set("errno", errno)
	_ = e.Set("syscall", syscall)
	if p != "" {
		_ = e.Set("path", p)
	}
	panic(e)
}
