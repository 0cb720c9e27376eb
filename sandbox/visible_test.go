package sandbox_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/sandbox/fetch"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of TestVisibleGlobals")

// TestVisibleGlobals pins what a script sees of a new runtime (see
// testdata/visible/snapshot.js): globals, their order and descriptors before
// and after first use, the guarded built-ins and the guards' errors. How the
// runtime installs them (eagerly, lazily, shared between runtimes) must not
// show. Run with -update to accept a deliberate change.
func TestVisibleGlobals(t *testing.T) {
	client, err := fetch.New(fetch.Options{})
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("testdata", "visible", "snapshot.js"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cfg  *sandbox.Config
	}{
		{"plain", &sandbox.Config{}},
		{"fetch", &sandbox.Config{Fetch: &sandbox.FetchConfig{Client: client}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRuntime(t, tc.cfg)
			begin(t, rt, context.Background(), roomy, nil)
			var got string
			err := rt.Do(func(vm *goja.Runtime) error {
				v, err := vm.RunScript("snapshot.js", string(src))
				if err != nil {
					return err
				}
				got = v.String()
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "visible", tc.name+".golden.json")
			if *updateGolden {
				if err := os.WriteFile(golden, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got+"\n" != string(want) {
				t.Errorf("what scripts see changed; got (want in %s):\n%s", golden, got)
			}
		})
	}
}
