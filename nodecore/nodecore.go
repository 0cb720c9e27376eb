package nodecore

import (
	"embed"
	"fmt"
	"maps"
	"slices"

	"github.com/hookengine/hookengine/internal/jsmodule"
	"github.com/hookengine/hookengine/sandbox"
)

//go:embed js
var sources embed.FS

// all lists the modules of this package by name.
var all = map[string]sandbox.RuntimeModule{}

func init() {
	js := func(file string) *jsmodule.Module { return jsmodule.New(sources, "js/"+file) }
	crypto := js("crypto.js")
	crypto.Native = cryptoNative
	http := js("http.js")
	http.Host, http.Network = map[string]any{"protocol": "http:"}, true
	https := js("http.js")
	https.Share(http)
	https.Host, https.Network = map[string]any{"protocol": "https:"}, true
	stream := js("stream.js")
	stream.Native = bundleNative
	decoder := js("string_decoder.js")
	decoder.Native = bundleNative
	zlib := js("zlib.js")
	zlib.Native = zlibNative
	fs := js("fs.js")
	fs.Native = fsNative
	url := js("url.js")
	url.Native = urlNative
	probe := func(name string, throwing, callback []string) *jsmodule.Module {
		m := js("probes.js")
		m.Host = map[string]any{"name": name, "throwing": throwing, "callback": callback}
		return m
	}
	for name, m := range map[string]*jsmodule.Module{
		"child_process": probe("child_process", []string{"exec", "execSync", "execFile", "execFileSync", "spawn", "spawnSync", "fork"}, nil),
		"dgram":         probe("dgram", []string{"createSocket", "Socket"}, nil),
		"dns": probe("dns", []string{"getServers", "setServers", "setDefaultResultOrder"},
			[]string{"lookup", "lookupService", "resolve", "resolve4", "resolve6", "resolveAny", "resolveCname", "resolveMx", "resolveNs", "resolveSrv", "resolveTxt", "reverse"}),
		"http2":           probe("http2", []string{"connect", "createServer", "createSecureServer"}, nil),
		"process":         js("process.js"),
		"assert":          js("assert.js"),
		"assert/strict":   js("assert_strict.js"),
		"domain":          js("domain.js"),
		"fs":              fs,
		"fs/promises":     js("fs_promises.js"),
		"net":             js("net.js"),
		"os":              js("os.js"),
		"timers":          js("timers.js"),
		"timers/promises": js("timers_promises.js"),
		"tls":             js("tls.js"),
		"tty":             js("tty.js"),
		"url":             url,
		"zlib":            zlib,
		"stream":          stream,
		"stream/promises": js("stream_promises.js"),
		"string_decoder":  decoder,
		"events":          js("events.js"),
		"querystring":     js("querystring.js"),
		"path":            js("path.js"),
		"crypto":          crypto,
		"http":            http,
		"https":           https,
	} {
		all[name] = m.Load
	}
}

// Names returns the names of the modules Register adds, sorted.
func Names() []string {
	return slices.Sorted(maps.Keys(all))
}

// Register adds the modules of this package to reg, replacing modules of
// the same names.
func Register(reg *sandbox.Registry) error {
	for _, name := range Names() {
		if err := reg.RegisterRuntimeModule(name, all[name]); err != nil {
			return fmt.Errorf("nodecore: %w", err)
		}
	}
	return nil
}

// NewRegistry returns sandbox.NewRegistry's built-in modules (buffer, url,
// util) plus the modules of this package.
func NewRegistry() *sandbox.Registry {
	reg := sandbox.NewRegistry()
	if err := Register(reg); err != nil {
		panic(err) // the names are valid
	}
	return reg
}
