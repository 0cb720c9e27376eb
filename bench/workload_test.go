package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/hookengine/hookengine/triggers"
)

// workload is one hook script with its input and secrets, as listed in
// testdata/workloads.json (which the Node harness reads too).
type workload struct {
	Name    string            `json:"name"`
	Trigger triggers.ID       `json:"trigger"`
	Hook    string            `json:"hook"`
	Input   string            `json:"input"`
	Secrets map[string]string `json:"secrets"` // "@file" reads testdata/file
	ES5     bool              `json:"es5"`     // otto can run it
	Async   bool              `json:"async"`   // needs timers and promises
	Endless bool              `json:"endless"` // never calls back: only limits end it
	Fetch   bool              `json:"fetch"`   // calls fetch

	script      string
	input       []byte
	secrets     map[string]string
	secretsJSON string
}

var (
	workloadsOnce sync.Once
	workloadsErr  error
	workloadsByID map[string]*workload
)

// loadWorkload returns the workload called name, read from testdata.
func loadWorkload(tb testing.TB, name string) *workload {
	tb.Helper()
	workloadsOnce.Do(func() { workloadsByID, workloadsErr = readWorkloads("testdata") })
	if workloadsErr != nil {
		tb.Fatal(workloadsErr)
	}
	w, ok := workloadsByID[name]
	if !ok {
		tb.Fatalf("no workload %q in testdata/workloads.json", name)
	}
	return w
}

func readWorkloads(dir string) (map[string]*workload, error) {
	text, err := os.ReadFile(filepath.Join(dir, "workloads.json"))
	if err != nil {
		return nil, err
	}
	var list []*workload
	if err := json.Unmarshal(text, &list); err != nil {
		return nil, fmt.Errorf("workloads.json: %w", err)
	}
	byID := make(map[string]*workload, len(list))
	for _, w := range list {
		script, err := os.ReadFile(filepath.Join(dir, w.Hook))
		if err != nil {
			return nil, err
		}
		w.script = string(script)
		if w.input, err = os.ReadFile(filepath.Join(dir, w.Input)); err != nil {
			return nil, err
		}
		w.secrets = make(map[string]string, len(w.Secrets))
		for k, v := range w.Secrets {
			if file, ok := strings.CutPrefix(v, "@"); ok {
				b, err := os.ReadFile(filepath.Join(dir, file))
				if err != nil {
					return nil, err
				}
				// A JSON document is kept as a secret on one line.
				var buf bytes.Buffer
				if json.Compact(&buf, b) == nil {
					b = buf.Bytes()
				}
				v = string(b)
			}
			w.secrets[k] = v
		}
		sj, err := json.Marshal(w.secrets)
		if err != nil {
			return nil, err
		}
		w.secretsJSON = string(sj)
		byID[w.Name] = w
	}
	return byID, nil
}

// withSecret returns a copy of w with one secret changed.
func (w *workload) withSecret(name, value string) *workload {
	c := *w
	c.secrets = make(map[string]string, len(w.secrets))
	for k, v := range w.secrets {
		c.secrets[k] = v
	}
	c.secrets[name] = value
	sj, _ := json.Marshal(c.secrets)
	c.secretsJSON = string(sj)
	return &c
}

// sameJSON reports whether two JSON texts hold the same value, whatever the
// order of their object members.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
