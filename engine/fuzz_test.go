package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/triggers"
)

// fuzzEngine builds an engine for a fuzz target, with short limits so a
// script found by the fuzzer cannot stall it.
func fuzzEngine(f *testing.F) *engine.Engine {
	e, err := engine.New(engine.WithLimits(engine.Limits{CPUTime: 20 * time.Millisecond, WallTime: 100 * time.Millisecond, Memory: 16 << 20}))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = e.Close() })
	return e
}

// Whatever the input, the checks of every point either accept it or refuse
// it with an *InputError and an error envelope; the engine never panics.
func FuzzRunInput(f *testing.F) {
	for _, id := range triggers.IDs() {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "inputs", string(id)+".json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(len(id)), b)
	}
	for _, seed := range []string{`null`, `[]`, `{"user":1}`, `{"user":{},"context":{"connection":[]}}`, `{"client":{},"scope":"x","audience":""}`, `{`, `"\ud800"`} {
		f.Add(uint8(0), []byte(seed))
		f.Add(uint8(3), []byte(seed))
	}
	e := fuzzEngine(f)
	ids := triggers.IDs()
	f.Fuzz(func(t *testing.T, which uint8, input []byte) {
		id := ids[int(which)%len(ids)]
		res, err := e.Run(context.Background(), engine.Hook{Trigger: id, Script: ran}, input)
		if res == nil {
			t.Fatalf("no result: %v", err)
		}
		var ie *engine.InputError
		switch {
		case err == nil:
			if !res.Envelope.Succeeded() {
				t.Fatalf("accepted input, error envelope %s", res.Envelope.Data)
			}
		case errors.As(err, &ie):
			if res.Envelope.Succeeded() || !json.Valid(res.Envelope.Data) {
				t.Fatalf("refused input, envelope %s %s", res.Envelope.Status, res.Envelope.Data)
			}
		default:
			t.Fatalf("err = %v, want nil or an *InputError", err)
		}
	})
}

// Whatever the input, an Action that reads its event on any point runs to
// an envelope or is refused by the point's checks: building event and api
// from outside input never panics and never fails otherwise.
func FuzzActionInput(f *testing.F) {
	for _, id := range triggers.IDs() {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "inputs", string(id)+".json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(len(id)), b)
	}
	for _, seed := range []string{`{"user":{"id":7,"user_metadata":[],"app_metadata":"x"},"context":{"connection":{"strategy":null},"request":{"geoip":[]},"client":"c"}}`,
		`{"client":{"metadata":null,"tenant":{}},"scope":[1,{}],"audience":"","context":{"request":"r","transaction":{"requested_scopes":"x"}}}`,
		`{"recipient":"","text":"","context":{"message_type":"sms","action":"enrollment","language":"","code":"","ip":"","user_agent":"","user":{"id":"a|b"},"request":{"ip":1}}}`} {
		f.Add(uint8(0), []byte(seed))
		f.Add(uint8(1), []byte(seed))
		f.Add(uint8(4), []byte(seed))
	}
	e := fuzzEngine(f)
	ids := triggers.IDs()
	f.Fuzz(func(t *testing.T, which uint8, input []byte) {
		id := ids[int(which)%len(ids)]
		tr, _ := triggers.Lookup(id)
		src := "exports." + tr.ActionHandler() + ` = async (event, api) => {
  JSON.stringify(event);
  if (api.user) { api.user.setUserMetadata('seen', true); api.user.setAppMetadata('n', 1); }
  if (api.accessToken) { api.accessToken.setCustomClaim('https://example.com/c', event.client); }
};`
		res, err := e.Run(context.Background(), engine.Hook{Trigger: id, Script: src}, input)
		if res == nil {
			t.Fatalf("no result: %v", err)
		}
		var ie *engine.InputError
		switch {
		case err == nil:
			if res.Form != triggers.FormAction {
				t.Fatalf("form %q", res.Form)
			}
		case errors.As(err, &ie), errors.Is(err, engine.ErrCPUTimeExceeded), errors.Is(err, engine.ErrMemoryExceeded), errors.Is(err, engine.ErrWallTimeExceeded):
		default:
			t.Fatalf("err = %v; envelope %s", err, res.Envelope.Data)
		}
		if !json.Valid(res.Envelope.Data) && len(res.Envelope.Data) > 0 {
			t.Fatalf("envelope data is not JSON: %q", res.Envelope.Data)
		}
	})
}

// What a hook calls back with comes out as the JSON JSON.stringify makes of
// it: for JSON input, the same value.
func FuzzEnvelope(f *testing.F) {
	for _, seed := range []string{`{}`, `[1,2.5,-0,1e300,"x"]`, `{"a":{"b":[null,true,false]}}`, `"\u2028\u0000é😀"`, `{"__proto__":{"x":1},"a":1,"a":2}`, `12345678901234567890`} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	e := fuzzEngine(f)
	h := engine.Hook{Trigger: triggers.PostChangePassword, Script: `module.exports = function (user, context, cb) {
  if (user.asError) { cb({ message: JSON.stringify(user.value) }); } else { cb(null, user.value); }
};`}
	f.Fuzz(func(t *testing.T, value string, asError bool) {
		if !json.Valid([]byte(value)) {
			return
		}
		in, _ := json.Marshal(map[string]any{"user": map[string]any{"value": json.RawMessage(value), "asError": asError}, "context": map[string]any{"connection": map[string]any{}}})
		res, err := e.Run(context.Background(), h, in)
		if err != nil {
			if errors.Is(err, engine.ErrInvalidInput) || errors.Is(err, engine.ErrCPUTimeExceeded) || errors.Is(err, engine.ErrMemoryExceeded) {
				return // too deep to parse, or too big for the limits
			}
			t.Fatalf("Run: %v", err)
		}
		if !json.Valid(res.Envelope.Data) {
			t.Fatalf("envelope data is not JSON: %q", res.Envelope.Data)
		}
		if asError {
			var d map[string]any
			if err := json.Unmarshal(res.Envelope.Data, &d); err != nil || res.Envelope.Succeeded() || d["message"] == nil {
				t.Fatalf("error envelope %s %s", res.Envelope.Status, res.Envelope.Data)
			}
			return
		}
		var want, got any
		if err := json.Unmarshal([]byte(value), &want); err != nil {
			// A number beyond float64 (1E1000) is Infinity to the script,
			// which JSON.stringify writes as null, as in Node.
			return
		}
		if err := json.Unmarshal(res.Envelope.Data, &got); err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = map[string]any{} // cb(null, null) gives {} on the user points
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip of %s gave %s", value, res.Envelope.Data)
		}
	})
}

// Whatever the script text, the engine compiles it or refuses it, and runs
// it to an end within its limits: it never panics and never hangs.
func FuzzScript(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "hooks", "*", "*.js"))
	actions, _ := filepath.Glob(filepath.Join("..", "testdata", "hooks", "actions", "*", "*.js"))
	conformance, _ := filepath.Glob(filepath.Join("..", "testdata", "conformance", "*", "*.js"))
	hostile, _ := filepath.Glob(filepath.Join("..", "testdata", "hostile", "*.js"))
	files = append(append(append(files, actions...), conformance...), hostile...)
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) < 4096 {
			f.Add(string(b))
		}
	}
	e := fuzzEngine(f)
	in, err := os.ReadFile(filepath.Join("..", "testdata", "inputs", "pre-user-registration.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		start := time.Now()
		res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: src}, in)
		if res == nil {
			t.Fatalf("no result: %v", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Fatalf("run took %v", took)
		}
		if !json.Valid(res.Envelope.Data) && len(res.Envelope.Data) > 0 {
			t.Fatalf("envelope data is not JSON: %q", res.Envelope.Data)
		}
	})
}
