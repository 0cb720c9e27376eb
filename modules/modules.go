package modules

import (
	"embed"
	"fmt"
	"maps"
	"slices"

	"github.com/hookengine/hookengine/internal/jsmodule"
	"github.com/hookengine/hookengine/nodecore"
	"github.com/hookengine/hookengine/sandbox"
)

//go:embed js
var sources embed.FS

// all lists the modules of this package by name.
var all = map[string]*jsmodule.Module{}

func init() {
	for name, file := range map[string]string{
		"node-fetch": "node-fetch.js",
		"axios":      "axios.js",
		"request":    "request.js",
		"auth0":      "auth0.js",
	} {
		m := jsmodule.New(sources, "js/"+file)
		m.Network = true
		all[name] = m
	}
	all["async-generator-function"] = jsmodule.New(sources, "js/async-generator-function.js")
}

// Names returns the names of the modules Register adds, sorted.
func Names() []string {
	return slices.Sorted(maps.Keys(all))
}

// Register adds the modules of this package to reg, replacing modules of
// the same names.
func Register(reg *sandbox.Registry) error {
	for _, name := range Names() {
		if err := reg.RegisterRuntimeModule(name, all[name].Load); err != nil {
			return fmt.Errorf("modules: %w", err)
		}
	}
	return nil
}

// NewRegistry returns everything a hook can require by default:
// sandbox.NewRegistry's built-in modules (buffer, url, util), the Node.js
// core modules of package nodecore and the npm packages of this package.
func NewRegistry() *sandbox.Registry {
	reg := nodecore.NewRegistry()
	if err := Register(reg); err != nil {
		panic(err) // the names are valid
	}
	return reg
}
