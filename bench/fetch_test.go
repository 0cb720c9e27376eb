package bench

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/sandbox/fetch"
)

// ============================================================================
// FETCH SCENARIO
//
// fetch(url) returns a Promise of a Response in every hook.
// testdata/hooks/fetch.js awaits one GET to a local httptest server (its URL
// is the PROFILE_API secret) and stores the JSON answer. The contenders:
// hookengine, with loopback allowed (fetch reaches public addresses only by
// default); native-go, the same GET with net/http; and, in node/harness.js,
// Node vm with Node's own fetch handed to the context.
// ============================================================================

// fetchAnswer is what the fetch hook answers with profileServer's reply.
const fetchAnswer = `{"user":{"app_metadata":{"risk":12,"segment":"smb"}}}`

// fetchEngineOptions are the engine options the fetch scenario needs: the
// test server listens on 127.0.0.1.
var fetchEngineOptions = []engine.Option{
	engine.WithFetch(engine.FetchOptions{Options: fetch.Options{Allow: []string{"127.0.0.1"}}}),
}

// profileServer answers the fetch hook's request, as a tenant's profile
// service would. The caller closes it.
func profileServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/risk" || r.URL.Query().Get("email") == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"risk":12,"segment":"smb","email":`+jsonString(r.URL.Query().Get("email"))+`}`)
	}))
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// fetchWorkload starts the profile server and returns the fetch workload
// pointed at it.
func fetchWorkload(tb testing.TB) *workload {
	tb.Helper()
	srv := profileServer()
	tb.Cleanup(srv.Close)
	return loadWorkload(tb, "fetch").withSecret("PROFILE_API", srv.URL)
}

func fetchContenders() []contender {
	return []contender{
		{
			name:     "hookengine",
			supports: func(*workload, mode) bool { return true },
			open: func(tb testing.TB, w *workload, m mode) runner {
				return newHookengine(tb, w, m, hookengineLimits, fetchEngineOptions...)
			},
		},
		nativeContender,
	}
}

// BenchmarkFetch runs a hook that awaits one fetch to a local server.
func BenchmarkFetch(b *testing.B) {
	benchContenders(b, fetchWorkload(b), warm, fetchContenders())
}

func TestFetchAgrees(t *testing.T) {
	w := fetchWorkload(t)
	want := fetchAnswer
	for _, c := range fetchContenders() {
		r := c.open(t, w, warm)
		got, err := r.caller(t)()
		r.close()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !sameJSON(got, want) {
			t.Errorf("%s answered %s, want %s", c.name, got, want)
		}
	}
}
