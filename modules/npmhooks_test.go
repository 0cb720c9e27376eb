package modules_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/triggers"
)

// npmHook is a hook using a real npm package against a local server that
// speaks the package's API.
type npmHook struct {
	name    string // test name: the package
	trigger triggers.ID
	script  string // under testdata/hooks/npm
	// handle answers the package's requests; check inspects what the
	// server received.
	handle  http.HandlerFunc
	check   func(t *testing.T, reqs []recorded)
	secrets func(base string) map[string]string
	want    string // the hook's answer, canonical JSON
}

var npmHooks = []npmHook{
	{
		name: "twilio", trigger: triggers.SendPhoneMessage, script: "twilio-sms.js",
		handle: func(w http.ResponseWriter, r *http.Request) {
			user, pass, _ := r.BasicAuth()
			if r.Method != "POST" || r.URL.Path != "/2010-04-01/Accounts/AC123/Messages.json" || user != "AC123" || pass != "tw-token" {
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"code":20003,"message":"Authenticate","status":401}`)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued","to":"`+r.PostFormValue("To")+`","from":"+15005550006","body":"`+r.PostFormValue("Body")+`","account_sid":"AC123","num_segments":"1"}`)
		},
		check: func(t *testing.T, reqs []recorded) {
			form, _ := url.ParseQuery(reqs[0].Body)
			if form.Get("To") != "+15555550100" || form.Get("From") != "+15005550006" || form.Get("Body") != "Your verification code is 123456" ||
				!strings.HasPrefix(reqs[0].ContentType, "application/x-www-form-urlencoded") || !strings.HasPrefix(reqs[0].Header.Get("User-Agent"), "twilio-node/4.23.0") {
				t.Errorf("request %+v", reqs[0])
			}
		},
		secrets: func(base string) map[string]string {
			return map[string]string{"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "tw-token", "TWILIO_FROM": "+15005550006", "TWILIO_BASE_URL": base}
		},
		want: `{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued","to":"+15555550100"}`,
	},
}

// TestNPMHooks runs, for each package, a hook using it against a local
// server speaking its API, and checks the request the server received and
// the hook's answer.
func TestNPMHooks(t *testing.T) {
	dir := installNPM(t)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	e := enginetest.New(t, engine.WithNodeModules(root.FS()), allowLocal)
	for _, h := range npmHooks {
		t.Run(h.name, func(t *testing.T) {
			rec := newRecorder()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				rec.add(r, body)
				r.Body = io.NopCloser(strings.NewReader(string(body)))
				h.handle(w, r)
			}))
			defer srv.Close()
			res, err := e.Run(context.Background(), engine.Hook{Name: h.name, Trigger: h.trigger,
				Script:  enginetest.ReadFile(t, filepath.Join("..", "testdata", "hooks", "npm", h.script)),
				Secrets: h.secrets(srv.URL)}, input(t, h.trigger))
			if err != nil {
				t.Fatalf("%v %s (logs %v)", err, res.Envelope.Data, res.Logs)
			}
			var got any
			if err := json.Unmarshal(res.Envelope.Data, &got); err != nil {
				t.Fatal(err)
			}
			if c := canon(t, got); c != h.want {
				t.Errorf("answer %s\nwant   %s", c, h.want)
			}
			reqs := rec.all()
			if len(reqs) == 0 {
				t.Fatal("the server got no request")
			}
			h.check(t, reqs)
		})
	}
}
