package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/engine"
)

// The benchmarks compare like with like only if every contender gives the
// same answer for every workload: these tests check it against native-go's.

// agreeWorkloads are the workloads the timed scenarios run.
var agreeWorkloads = []string{
	"credentials-exchange",
	"pre-user-registration",
	"post-user-registration",
	"post-change-password",
	"send-phone-message",
	"cpu-heavy",
	"async-timer",
}

func nativeAnswer(t *testing.T, w *workload) string {
	t.Helper()
	v, err := nativeHooks[w.Name](w.input, w.secrets)
	if err != nil {
		t.Fatalf("native-go: %v", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestContendersAgree(t *testing.T) {
	for _, name := range agreeWorkloads {
		w := loadWorkload(t, name)
		want := nativeAnswer(t, w)
		for _, m := range []mode{warm, cold} {
			for _, c := range goContenders() {
				if !c.supports(w, m) {
					continue
				}
				r := c.open(t, w, m)
				call := r.caller(t)
				// Twice: the second call runs on whatever the first set up.
				for i := range 2 {
					got, err := call()
					if err != nil {
						t.Errorf("%s/%s (mode %d, call %d): %v", name, c.name, m, i+1, err)
						break
					}
					if !sameJSON(got, want) {
						t.Errorf("%s/%s (mode %d, call %d) answered\n%s\nwant\n%s", name, c.name, m, i+1, got, want)
					}
				}
				r.close()
			}
		}
	}
}

// TestParallelCallers checks that callers of one runner may run at once,
// as BenchmarkParallelPreUserRegistration runs them.
func TestParallelCallers(t *testing.T) {
	w := loadWorkload(t, "pre-user-registration")
	want := nativeAnswer(t, w)
	for _, c := range goContenders() {
		if !c.supports(w, warm) {
			continue
		}
		r := c.open(t, w, warm)
		errs := make(chan error, 4)
		for range 4 {
			call := r.caller(t)
			go func() {
				for range 20 {
					got, err := call()
					if err == nil && !sameJSON(got, want) {
						err = errors.New("wrong answer " + got)
					}
					if err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for range 4 {
			if err := <-errs; err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		r.close()
	}
}

// TestEndlessHookStopped checks that each contender of the latency
// benchmark stops the endless hook, with a short limit.
func TestEndlessHookStopped(t *testing.T) {
	w := loadWorkload(t, "infinite-loop")
	const limit = 20 * time.Millisecond

	r := newHookengine(t, w, warm, engine.Limits{CPUTime: limit})
	_, err := r.e.Run(context.Background(), r.hook, r.input)
	r.close()
	if !errors.Is(err, engine.ErrCPUTimeExceeded) {
		t.Errorf("hookengine: %v, want %v", err, engine.ErrCPUTimeExceeded)
	}

	g, err := loadGoja(goja.New(), mustCompileHook(t, w.script), w)
	if err != nil {
		t.Fatal(err)
	}
	var ie *goja.InterruptedError
	if err := g.callWithTimeout(string(w.input), limit); !errors.As(err, &ie) {
		t.Errorf("goja: %v, want an interrupt", err)
	}

	h, err := loadOtto(w.script, w)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.callWithTimeout(string(w.Trigger), string(w.input), limit); !errors.Is(err, errOttoHalt) {
		t.Errorf("otto: %v, want the halt", err)
	}
}

// TestNodeContendersAgree runs node/harness.js --check, which runs every
// workload once through each Node contender. It skips when Node or the
// harness's packages are not installed (see README.md).
func TestNodeContendersAgree(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--no-node-snapshot", "harness.js", "--check")
	cmd.Dir = "node"
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node harness.js --check: %v\n%s", err, stderr.String())
	}
	type line struct {
		Workload  string `json:"workload"`
		Mode      string `json:"mode"`
		Contender string `json:"contender"`
		Result    string `json:"result"`
		Error     string `json:"error"`
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("harness printed %q: %v", sc.Text(), err)
		}
		seen[l.Contender] = true
		w := loadWorkload(t, l.Workload)
		if w.Endless {
			if l.Error == "" {
				t.Errorf("%s did not stop the endless hook", l.Contender)
			}
			continue
		}
		if l.Error != "" {
			t.Errorf("%s/%s (%s): %s", l.Workload, l.Contender, l.Mode, l.Error)
			continue
		}
		want := fetchAnswer
		if !w.Fetch {
			want = nativeAnswer(t, w)
		}
		if !sameJSON(l.Result, want) {
			t.Errorf("%s/%s (%s) answered\n%s\nwant\n%s", l.Workload, l.Contender, l.Mode, l.Result, want)
		}
	}
	if !seen["node-vm-reused"] {
		t.Error("the harness ran no Node vm contender")
	}
	if _, err := os.Stat(filepath.Join("node", "node_modules", "isolated-vm")); err == nil && !seen["ivm-reused-timeout"] {
		t.Error("isolated-vm is installed but the harness ran no isolated-vm contender")
	} else if err != nil {
		t.Log("isolated-vm is not installed in node/: its contenders were not checked")
	}
}
