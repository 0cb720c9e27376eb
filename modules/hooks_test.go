package modules_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/triggers"
)

// These tests run hook scripts written as real ones are (testdata/hooks/modules)
// unchanged against local servers.

func TestAxiosHook(t *testing.T) {
	rec := newRecorder()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.add(r, nil)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-Engine", "test-engine")
		switch r.URL.Query().Get("email") {
		case "ada@example.com":
			io.WriteString(w, `{"score":0.25}`)
		case "nobody@example.com":
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":"unknown address"}`)
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":"maintenance"}`)
		}
	}))
	defer srv.Close()
	e := enginetest.New(t, allowLocal)
	hook := engine.Hook{Name: "risk", Trigger: triggers.PreUserRegistration, Script: hookScript(t, "risk-axios.js"),
		Secrets: map[string]string{"RISK_API": srv.URL, "RISK_API_KEY": "k3y"}}
	signup := func(email string) *engine.Result {
		t.Helper()
		in := strings.Replace(input(t, triggers.PreUserRegistration), "ada@example.com", email, 1)
		res, err := e.Run(context.Background(), hook, in)
		if err != nil {
			t.Fatalf("%s: %v", email, err)
		}
		return res
	}

	res := signup("ada@example.com")
	if got, want := canon(t, decode(t, res.Envelope.Data)), `{"user":{"app_metadata":{"checked_by":"test-engine","risk":0.25}}}`; got != want {
		t.Errorf("success: got %s, want %s", got, want)
	}
	r := rec.all()[0]
	if r.Method != "GET" || r.Path != "/v1/score" || r.Query != "email=ada%40example.com&ip=2001:db8::1" ||
		r.Header.Get("X-Api-Key") != "k3y" || r.Header.Get("Accept") != "application/json, text/plain, */*" {
		t.Errorf("the API got %+v", r)
	}
	if len(res.Logs) != 1 || res.Logs[0].Message != "risk score for ada@example.com: 0.25" {
		t.Errorf("logs: %v", res.Logs)
	}

	// An error status reaches the hook as an AxiosError with its response.
	res = signup("nobody@example.com")
	if got, want := canon(t, decode(t, res.Envelope.Data)), `{"user":{"app_metadata":{"risk":"unknown"}}}`; got != want {
		t.Errorf("404: got %s, want %s", got, want)
	}
	res = signup("eve@example.com")
	d := decode(t, res.Envelope.Data)
	if d["name"] != "PreUserRegistrationError" || d["friendlyMessage"] != "We cannot create your account right now." {
		t.Errorf("503: got %s", res.Envelope.Data)
	}
	if len(res.Logs) != 1 || res.Logs[0].Message != "risk check failed: Request failed with status code 503 { error: 'maintenance' }" {
		t.Errorf("503 logs: %v", res.Logs)
	}
}

func TestAxiosErrorShape(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		io.WriteString(w, `{"message":"email is invalid"}`)
	}))
	defer srv.Close()
	e := enginetest.New(t, allowLocal)
	d := run(t, e, `
const axios = require('axios');
module.exports = async function (user, context, cb) {
  try {
    await axios.post(context.webtask.secrets.API + '/users', { email: 'x' });
    cb(null, { thrown: false });
  } catch (error) {
    cb(null, {
      isAxiosError: error.isAxiosError, viaHelper: axios.isAxiosError(error), name: error.name, message: error.message,
      code: error.code, status: error.response.status, data: error.response.data, method: error.config.method,
      hasRequest: Boolean(error.request), instance: error instanceof axios.AxiosError && error instanceof Error,
      json: error.toJSON().status,
    });
  }
};`, map[string]string{"API": srv.URL})
	want := `{"code":"ERR_BAD_REQUEST","data":{"message":"email is invalid"},"hasRequest":true,"instance":true,"isAxiosError":true,` +
		`"json":422,"message":"Request failed with status code 422","method":"post","name":"AxiosError","status":422,"viaHelper":true}`
	if got := canon(t, d); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestAsyncTokenThenLookupHook(t *testing.T) {
	rec := newRecorder()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.add(r, body)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/oauth/token":
			var req map[string]string
			if json.Unmarshal(body, &req) != nil || req["grant_type"] != "client_credentials" || req["client_secret"] != "s3cret" {
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"error":"access_denied"}`)
				return
			}
			io.WriteString(w, `{"access_token":"mgmt-token","token_type":"Bearer","expires_in":86400}`)
		case "/api/v2/users":
			if r.Header.Get("Authorization") != "Bearer mgmt-token" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			io.WriteString(w, `[{"email":"owner@acme.example","user_id":"auth0|42"}]`)
		}
	}))
	defer srv.Close()
	e := enginetest.New(t, allowLocal)
	secrets := map[string]string{"AUTH0_DOMAIN": srv.URL, "MGMT_CLIENT_ID": "cid", "MGMT_CLIENT_SECRET": "s3cret"}
	res, err := e.Run(context.Background(), engine.Hook{Name: "owner", Trigger: triggers.CredentialsExchange,
		Script: hookScript(t, "token-then-lookup.js"), Secrets: secrets}, input(t, triggers.CredentialsExchange))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"https://example.com/owner":"owner@acme.example","scope":["read:users","update:users","reports:own"]}`
	if got := canon(t, decode(t, res.Envelope.Data)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	reqs := rec.all()
	if len(reqs) != 2 {
		t.Fatalf("server got %d requests", len(reqs))
	}
	if reqs[0].ContentType != "application/json" || !strings.Contains(reqs[0].Body, `"audience":"`+srv.URL+`/api/v2/"`) {
		t.Errorf("token request: %+v", reqs[0])
	}
	if q := reqs[1].Query; q != `q=app_metadata.owned_client:%22kS1N2dQwCl3uVhXyJxZ7Fz9aBcDeFgHi%22&search_engine=v3&fields=email,user_id` {
		t.Errorf("lookup query %q", q)
	}

	// A failing token endpoint ends in the hook's ServerError.
	secrets["MGMT_CLIENT_SECRET"] = "wrong"
	res, err = e.Run(context.Background(), engine.Hook{Name: "owner", Trigger: triggers.CredentialsExchange,
		Script: hookScript(t, "token-then-lookup.js"), Secrets: secrets}, input(t, triggers.CredentialsExchange))
	if err != nil {
		t.Fatal(err)
	}
	if d := decode(t, res.Envelope.Data); d["name"] != "ServerError" || d["message"] != "owner lookup failed: 401" {
		t.Errorf("got %s", res.Envelope.Data)
	}
}

func TestRequestNotificationHook(t *testing.T) {
	rec := newRecorder()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
		rec.add(r, body)
	}))
	defer srv.Close()
	e, logs := enginetest.NewObserved(t, allowLocal)
	res, err := e.Run(context.Background(), engine.Hook{Name: "notify", Trigger: triggers.PostUserRegistration,
		Script: hookScript(t, "notify-request.js"), Secrets: map[string]string{"CHAT_WEBHOOK_URL": srv.URL + "/hooks/T0/B0"}},
		input(t, triggers.PostUserRegistration))
	if err != nil || !res.Envelope.Succeeded() {
		t.Fatalf("%v %s", err, res.Envelope.Data)
	}
	rec.wait(t, 1)
	r := rec.all()[0]
	if r.Method != "POST" || r.Path != "/hooks/T0/B0" || r.ContentType != "application/json" || r.Header.Get("Accept") != "application/json" {
		t.Errorf("webhook got %+v", r)
	}
	if got, want := canon(t, r.Body), `{"channel":"#signups","text":"New signup: ada@example.com (Username-Password-Authentication)"}`; got != want {
		t.Errorf("webhook body %s, want %s", got, want)
	}
	// The hook answered before the request finished; its log comes after.
	deadline := time.Now().Add(5 * time.Second)
	for logs.FilterMessageSnippet("notification sent: 200 true").Len() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no log of the finished notification: %v", logs.All())
		}
		time.Sleep(time.Millisecond)
	}
}

func TestRequestJSON(t *testing.T) {
	rec := newRecorder()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.add(r, body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"received":%s}`, body)
	}))
	defer srv.Close()
	e := enginetest.New(t, allowLocal)
	d := run(t, e, `
const request = require('request');
module.exports = function (user, context, cb) {
  request({
    method: 'POST',
    uri: context.webtask.secrets.API + '/crm/contacts',
    json: true,
    body: { email: user.email, tags: ['signup'] },
    qs: { source: 'auth0', list: ['a', 'b'] },
    auth: { bearer: context.webtask.secrets.TOKEN },
  }, function (err, response, body) {
    if (err) return cb(err);
    cb(null, { status: response.statusCode, body, type: typeof body, header: response.headers['content-type'] });
  });
};`, map[string]string{"API": srv.URL, "TOKEN": "crm-token"})
	want := `{"body":{"received":{"email":"ada@example.com","tags":["signup"]}},"header":"application/json","status":201,"type":"object"}`
	if got := canon(t, d); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	r := rec.all()[0]
	if r.Auth != "Bearer crm-token" || r.ContentType != "application/json" || r.Query != "source=auth0&list%5B0%5D=a&list%5B1%5D=b" {
		t.Errorf("server got %+v", r)
	}
}

func TestAuth0ManagementClient429ThenSuccess(t *testing.T) {
	clk := enginetest.NewClock(time.Unix(1_764_158_400, 0))
	var tokens, lookups atomic.Int64
	var firstAt, secondAt atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/oauth/token":
			tokens.Add(1)
			io.WriteString(w, `{"access_token":"mgmt-token","expires_in":86400,"token_type":"Bearer"}`)
		case "/api/v2/users-by-email":
			if r.Header.Get("Authorization") != "Bearer mgmt-token" || r.URL.Query().Get("email") == "" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			now := clk.Now().Unix()
			w.Header().Set("X-RateLimit-Limit", "10")
			if lookups.Add(1) == 1 {
				firstAt.Store(now)
				w.Header().Set("X-RateLimit-Remaining", "0")
				w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(now+2, 10))
				w.WriteHeader(http.StatusTooManyRequests)
				io.WriteString(w, `{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}`)
				return
			}
			secondAt.Store(now)
			w.Header().Set("X-RateLimit-Remaining", "9")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(now+1, 10))
			// ada signed up with Google before; grace only has the database
			// account being created.
			conn := map[string]string{"ada@example.com": "google-oauth2", "grace@example.com": "Username-Password-Authentication"}
			email := r.URL.Query().Get("email")
			fmt.Fprintf(w, `[{"user_id":"auth0|1","email":%q,"identities":[{"connection":%q}]}]`, email, conn[email])
		}
	}))
	defer srv.Close()
	e := enginetest.New(t, engine.WithClock(clk), allowLocal)
	for _, tt := range []struct {
		desc, email, want string
	}{
		{"another connection's user, after a 429", "ada@example.com", `{"friendlyMessage":"An account with this email already exists.","message":"duplicate email","name":"PreUserRegistrationError"}`},
		{"same connection", "grace@example.com", `{"user":{"app_metadata":{"existing_accounts":1}}}`},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			var res *engine.Result
			var err error
			driveClock(t, clk, e, func() {
				res, err = e.Run(context.Background(), engine.Hook{Name: "unique-email", Trigger: triggers.PreUserRegistration,
					Script:  hookScript(t, "unique-email-auth0.js"),
					Secrets: map[string]string{"AUTH0_DOMAIN": srv.URL, "CLIENT_ID": "cid", "CLIENT_SECRET": "csecret"}},
					strings.Replace(input(t, triggers.PreUserRegistration), "ada@example.com", tt.email, 1))
			})
			if err != nil {
				t.Fatal(err)
			}
			d := decode(t, res.Envelope.Data)
			delete(d, "stack")
			if got := canon(t, d); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	if tokens.Load() != 2 || lookups.Load() != 3 {
		t.Errorf("server got %d token and %d lookup requests, want 2 and 3", tokens.Load(), lookups.Load())
	}
	if wait := secondAt.Load() - firstAt.Load(); wait < 2 {
		t.Errorf("the retry came %ds after the 429, want at least the 2s to the reset", wait)
	}
	if st := e.FetchStats(); st.TooManyRequests != 1 || st.Retries != 1 {
		t.Errorf("FetchStats = %+v, want one 429 and one retry", st)
	}
}

// driveClock runs fn while moving clk to its next timer whenever the
// engine's fetch is waiting for it (a 429's reset time).
func driveClock(t testing.TB, clk *enginetest.Clock, e *engine.Engine, fn func()) {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Microsecond):
			}
			if e.FetchStats().Waiting > 0 {
				clk.AdvanceToNext()
			}
		}
	}()
	defer func() {
		close(stop)
		<-done
	}()
	fn()
}

func TestHTTPSStreamingHook(t *testing.T) {
	rec := newRecorder()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.add(r, body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		// The answer comes in pieces, flushed apart, over 16 KiB in all.
		io.WriteString(w, `{"id":"SM0042","log":[`)
		for i := range 600 {
			if i > 0 {
				io.WriteString(w, ",")
			}
			fmt.Fprintf(w, `{"step":%d,"status":"queued for delivery to the carrier"}`, i)
			if i%100 == 0 {
				w.(http.Flusher).Flush()
			}
		}
		io.WriteString(w, `]}`)
	}))
	defer srv.Close()
	e := enginetest.New(t, allowTLS(srv))
	res, err := e.Run(context.Background(), engine.Hook{Name: "sms", Trigger: triggers.SendPhoneMessage, Script: hookScript(t, "sms-https.js"),
		Secrets: map[string]string{"SMS_API": srv.URL, "SMS_TOKEN": "sms-token"}}, input(t, triggers.SendPhoneMessage))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := canon(t, decode(t, res.Envelope.Data)), `{"MessageID":"SM0042","chunks":3,"segments":600}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	r := rec.all()[0]
	wantBody := `{"to":"+15555550100","body":"Your verification code is 123456","reference":"123456"}`
	if r.Method != "POST" || r.Path != "/v2/messages" || r.Query != "priority=high" || r.Body != wantBody ||
		r.Auth != "Bearer sms-token" || r.Header.Get("Content-Length") != strconv.Itoa(len(wantBody)) {
		t.Errorf("provider got %+v", r)
	}
}

func TestNodeFetchHook(t *testing.T) {
	rec := newRecorder()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.add(r, body)
		io.WriteString(w, `{"id":"evt_7"}`)
	}))
	defer srv.Close()
	e := enginetest.New(t, allowLocal)
	res, err := e.Run(context.Background(), engine.Hook{Name: "audit", Trigger: triggers.PostChangePassword, Script: hookScript(t, "node-fetch-webhook.js"),
		Secrets: map[string]string{"AUDIT_URL": srv.URL}}, input(t, triggers.PostChangePassword))
	if err != nil {
		t.Fatal(err)
	}
	if got := canon(t, decode(t, res.Envelope.Data)); got != `{"recorded":"evt_7"}` {
		t.Errorf("got %s", got)
	}
	if r := rec.all()[0]; r.Path != "/events" || !strings.Contains(r.Body, `"type":"password_changed"`) || r.ContentType != "application/json" {
		t.Errorf("audit service got %+v", r)
	}
}
