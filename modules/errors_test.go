package modules_test

import (
	"context"
	"errors"
	"github.com/hookengine/hookengine/internal/testenv"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/triggers"
)

var errorModules = []string{"request", "axios", "https", "fetch", "node-fetch"}

// TestThrowInModuleCallback: a throw inside a module's callback ends the
// run with that error, as it ends a Node process and as a throw inside
// setTimeout does, instead of leaving the hook without a callback.
func TestThrowInModuleCallback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	e := enginetest.New(t, allowLocal)
	for _, m := range errorModules {
		t.Run(m, func(t *testing.T) {
			res, err := e.Run(context.Background(), engine.Hook{Name: "throw", Trigger: triggers.PreUserRegistration, Script: hookScript(t, "throw-in-callback.js"),
				Secrets: map[string]string{"URL": srv.URL, "MODULE": m}}, input(t, triggers.PreUserRegistration))
			if !errors.Is(err, engine.ErrThrown) {
				t.Fatalf("err = %v, want ErrThrown (logs %v)", err, res.Logs)
			}
			if d := decode(t, res.Envelope.Data); d["message"] != "boom in "+m+" callback" {
				t.Errorf("envelope %s", res.Envelope.Data)
			}
		})
	}
}

// TestNetworkErrorShapes: every module reports a network failure with
// Node's code and message, naming nothing of the engine's machine.
func TestNetworkErrorShapes(t *testing.T) {
	closedAddr := testenv.ClosedAddr(t)
	hangup := testenv.HangupServer(t)
	e := enginetest.New(t, allowLocal)
	tests := []struct {
		desc, url, code, message string
	}{
		{"refused", "http://" + closedAddr + "/x", "ECONNREFUSED", "connect ECONNREFUSED " + closedAddr},
		{"hang up", hangup.URL + "/x", "ECONNRESET", "socket hang up"},
		{"placeholder host", "https://<tenant>/api/v2/users", "ERR_INVALID_URL", "Invalid URL"},
		// Resolved by the machine's resolver, whose address no message names.
		{"unknown host", "http://no-such-host.invalid/x", "ENOTFOUND", "getaddrinfo ENOTFOUND no-such-host.invalid"},
	}
	for _, tt := range tests {
		for _, m := range errorModules {
			t.Run(tt.desc+"/"+m, func(t *testing.T) {
				d := run(t, e, hookScript(t, "network-error.js"), map[string]string{"URL": tt.url, "MODULE": m})
				msg, _ := d["message"].(string)
				if m == "node-fetch" && tt.code != "ERR_INVALID_URL" {
					msg = strings.TrimPrefix(msg, "request to "+tt.url+" failed, reason: ")
				}
				code, message := tt.code, tt.message
				if code == "ENOTFOUND" && d["code"] == "EAI_AGAIN" {
					// The machine's resolver did not answer: Node says EAI_AGAIN.
					code, message = "EAI_AGAIN", strings.Replace(message, "ENOTFOUND", "EAI_AGAIN", 1)
				}
				if d["code"] != code || msg != message {
					t.Errorf("got %v, want %s %q", d, code, message)
				}
				if tt.code == "ECONNREFUSED" && m != "node-fetch" && d["syscall"] != "connect" {
					t.Errorf("syscall %v", d["syscall"])
				}
				if tt.desc == "unknown host" && m != "node-fetch" &&
					(d["syscall"] != "getaddrinfo" || d["hostname"] != "no-such-host.invalid") {
					t.Errorf("syscall %v hostname %v", d["syscall"], d["hostname"])
				}
			})
		}
	}
}
