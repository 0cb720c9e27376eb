package mgmtapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/mgmtapi"
)

func TestBenchEndpoint(t *testing.T) {
	f := newFixture(t)
	input := enginetest.ReadFile(t, "../testdata/inputs/pre-user-registration.json")
	const path = "/hookengine/v1/hooks/{A}/bench"
	tests := []struct {
		desc, path, token, body string
		status                  int
		code                    string
	}{
		{"not JSON", path, runToken, "{user:", 400, mgmtapi.CodeInvalidBody},
		{"runs 0", path + "?runs=0", runToken, input, 400, mgmtapi.CodeInvalidQuery},
		{"runs too many", path + "?runs=1001", runToken, input, 400, mgmtapi.CodeInvalidQuery},
		{"runs not a number", path + "?runs=ten", runToken, input, 400, mgmtapi.CodeInvalidQuery},
		{"unknown hook", "/hookengine/v1/hooks/01ABCDEFGHJKMNPQRSTVWXYZ00/bench", runToken, input, 404, mgmtapi.CodeHookNotFound},
		{"read only", path, readToken, input, 403, mgmtapi.CodeInsufficientScope},
		{"GET", path, runToken, "", 405, mgmtapi.CodeMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			method := "POST"
			if tt.desc == "GET" {
				method = "GET"
			}
			r := f.do(method, tt.path, tt.token, tt.body)
			var e mgmtapi.Error
			if err := json.Unmarshal([]byte(r.body), &e); err != nil || r.status != tt.status || e.ErrorCode != tt.code {
				t.Errorf("%d %s, want %d %s", r.status, r.body, tt.status, tt.code)
			}
		})
	}

	r := f.do("POST", path+"?runs=7", runToken, input)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var res mgmtapi.BenchResult
	if err := json.Unmarshal([]byte(r.body), &res); err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, n := range res.Histogram.Counts {
		sum += n
	}
	if res.HookID != f.hookA.ID || res.Requested != 7 || res.Runs != 7 || res.Wall.N != 7 || res.CPU.N != 7 || sum != 7 ||
		res.Outcomes["success"] != 7 || res.WallLimitNs != float64(5e9) || res.CPULimitNs != float64(engine.DefaultCPUTime) ||
		res.Wall.Median <= 0 || res.Wall.P99 < res.Wall.Median {
		t.Errorf("bench result %+v", res)
	}
	if strings.Contains(r.body, "abcd-secret-1234") {
		t.Errorf("the answer shows the secret: %s", r.body)
	}
	// Run answers carry the CPU time too.
	r = f.do("POST", "/hookengine/v1/hooks/{A}/run", runToken, input)
	var run map[string]any
	if err := json.Unmarshal([]byte(r.body), &run); err != nil {
		t.Fatal(err)
	}
	if cpu, ok := run["cpu_ms"].(float64); !ok || cpu < 0 {
		t.Errorf("run answer without cpu_ms: %s", r.body)
	}
}
