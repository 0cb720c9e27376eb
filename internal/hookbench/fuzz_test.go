package hookbench_test

import (
	"testing"

	"github.com/hookengine/hookengine/internal/hookbench"
)

// FuzzParseStub: any stub file is either refused with an error or gives at
// least one response with a valid status, never a panic.
func FuzzParseStub(f *testing.F) {
	for _, s := range []string{`{}`, `{"status":201,"headers":{"RateLimit":"limit=10, remaining=0, reset=1"},"body":{"x":[1,2]},"delay":"1ms"}`,
		`[{"body":"a"},{"status":429,"headers":{"Retry-After":"2"}}]`, `null`, `[`, `{"delay":"9999h"}`} {
		f.Add("https://api.example.com/", []byte(s))
	}
	f.Fuzz(func(t *testing.T, url string, file []byte) {
		s, err := hookbench.ParseStub(url, file)
		if err != nil {
			return
		}
		if len(s.Responses) == 0 {
			t.Fatal("a stub without responses")
		}
		for _, r := range s.Responses {
			if r.Status < 100 || r.Status > 599 || r.Delay < 0 || r.Header == nil {
				t.Fatalf("response %+v", r)
			}
		}
	})
}
