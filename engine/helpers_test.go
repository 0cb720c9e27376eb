package engine_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/triggers"
)

// script returns a hook fixture from testdata/hooks.
func script(t testing.TB, name string) string {
	t.Helper()
	return enginetest.ReadFile(t, filepath.Join("..", "testdata", "hooks", name))
}

// input returns the sample input of a trigger from testdata/inputs.
func input(t testing.TB, id triggers.ID) string {
	t.Helper()
	return enginetest.ReadFile(t, filepath.Join("..", "testdata", "inputs", string(id)+".json"))
}

// data decodes an envelope's data.
func data(t testing.TB, raw json.RawMessage) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("envelope data %s: %v", raw, err)
	}
	return m
}

// jsonEqual reports whether two JSON texts hold the same value.
func jsonEqual(t testing.TB, got json.RawMessage, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return string(gb) == string(wb)
}

const millisecond = time.Millisecond

// orderedKeys returns the keys of a JSON object in document order.
func orderedKeys(t testing.TB, obj string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", obj)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func mustJSON(t testing.TB, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func toString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func zapString(k, v string) zapcore.Field { return zap.String(k, v) }

func jsonRaw(s string) json.RawMessage { return json.RawMessage(s) }
