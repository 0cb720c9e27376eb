package modules_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/modules"
	"github.com/hookengine/hookengine/nodecore"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/sandbox/fetch"
	"github.com/hookengine/hookengine/triggers"
)

// Engines have the modules by default: a hook written for Auth0 with axios
// runs as it is, its requests going through the engine's fetch.
func Example() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"plan":"pro"}`)
	}))
	defer api.Close()

	e, err := engine.New(engine.WithFetch(engine.FetchOptions{Options: fetch.Options{Allow: []string{"127.0.0.1"}}}))
	if err != nil {
		panic(err)
	}
	defer e.Close()
	res, err := e.Run(context.Background(), engine.Hook{
		Trigger: triggers.PreUserRegistration,
		Secrets: map[string]string{"CRM": api.URL},
		Script: `
const axios = require('axios');
module.exports = async function (user, context, cb) {
  const { data } = await axios.get(context.webtask.secrets.CRM + '/accounts', { params: { email: user.email } });
  cb(null, { user: { app_metadata: { plan: data.plan } } });
};`,
	}, `{"user":{"email":"ada@example.com"},"context":{"connection":{"id":"con_1","name":"db","tenant":"acme"}}}`)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(res.Envelope.Data))
	// Output: {"user":{"app_metadata":{"plan":"pro"}}}
}

// Register adds the modules to a sandbox registry of one's own, here next
// to the Node.js core modules of package nodecore.
func ExampleRegister() {
	reg := nodecore.NewRegistry()
	if err := modules.Register(reg); err != nil {
		panic(err)
	}
	rt, err := sandbox.New(&sandbox.Config{Modules: reg})
	if err != nil {
		panic(err)
	}
	rt.Begin(context.Background(), sandbox.Limits{WallTime: time.Second, CPUTime: time.Second}, nil)
	defer rt.End()
	_ = rt.Do(func(vm *goja.Runtime) error {
		v, err := vm.RunString(`const axios = require('axios'); axios.isAxiosError(new axios.AxiosError('no', 'ERR_BAD_REQUEST'))`)
		fmt.Println(v, err)
		return err
	})
	// Output: true <nil>
}
