package modules_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	{
		name: "aws-sdk SNS", trigger: triggers.SendPhoneMessage, script: "aws-sns-sms.js",
		handle: func(w http.ResponseWriter, r *http.Request) {
			if r.Method != "POST" || r.PostFormValue("Action") != "Publish" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "text/xml")
			io.WriteString(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult><ResponseMetadata><RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata></PublishResponse>`)
		},
		check: func(t *testing.T, reqs []recorded) {
			form, _ := url.ParseQuery(reqs[0].Body)
			if form.Get("Version") != "2010-03-31" || form.Get("PhoneNumber") != "+15555550100" || form.Get("Message") != "Your verification code is 123456" ||
				form.Get("MessageAttributes.entry.1.Name") != "AWS.SNS.SMS.SMSType" ||
				!strings.HasPrefix(reqs[0].Auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(reqs[0].Auth, "/us-east-1/sns/aws4_request") {
				t.Errorf("request %+v", reqs[0])
			}
		},
		secrets: func(base string) map[string]string {
			return map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "SNS_ENDPOINT": base}
		},
		want: `{"messageId":"94f20ce6-13c5-43a0-9a9e-ca52d816e90b"}`,
	},
	{
		name: "@sendgrid/mail", trigger: triggers.PostUserRegistration, script: "sendgrid-welcome.js",
		handle: func(w http.ResponseWriter, r *http.Request) {
			if r.Method != "POST" || r.URL.Path != "/v3/mail/send" || r.Header.Get("Authorization") != "Bearer SG.test-key" {
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"errors":[{"message":"The provided authorization grant is invalid, expired, or revoked","field":null,"help":null}]}`)
				return
			}
			w.Header().Set("X-Message-Id", "sg-msg-1")
			w.WriteHeader(http.StatusAccepted)
		},
		check: func(t *testing.T, reqs []recorded) {
			var mail struct {
				Personalizations []struct {
					To []struct{ Email string } `json:"to"`
				} `json:"personalizations"`
				From    struct{ Email string } `json:"from"`
				Subject string                 `json:"subject"`
				Content []struct{ Type, Value string }
			}
			if err := json.Unmarshal([]byte(reqs[0].Body), &mail); err != nil || len(mail.Personalizations) != 1 || len(mail.Personalizations[0].To) != 1 ||
				mail.Personalizations[0].To[0].Email == "" || mail.From.Email != "welcome@example.com" || len(mail.Content) != 2 || mail.Content[0].Type != "text/plain" {
				t.Errorf("request %v %+v", err, reqs[0])
			}
		},
		secrets: func(base string) map[string]string {
			return map[string]string{"SENDGRID_API_KEY": "SG.test-key", "SENDGRID_BASE_URL": base}
		},
		want: `{"messageId":"sg-msg-1","status":202}`,
	},
	{
		name: "@slack/webhook", trigger: triggers.PostUserRegistration, script: "slack-notify.js",
		handle: func(w http.ResponseWriter, r *http.Request) {
			if r.Method != "POST" || r.URL.Path != "/services/T000/B000/XXXX" {
				w.WriteHeader(http.StatusNotFound)
				io.WriteString(w, "no_service")
				return
			}
			io.WriteString(w, "ok")
		},
		check: func(t *testing.T, reqs []recorded) {
			var msg map[string]any
			if err := json.Unmarshal([]byte(reqs[0].Body), &msg); err != nil || !strings.HasPrefix(msg["text"].(string), "New user: ") || msg["username"] != "auth0" ||
				!strings.HasPrefix(reqs[0].ContentType, "application/json") {
				t.Errorf("request %v %+v", err, reqs[0])
			}
		},
		secrets: func(base string) map[string]string {
			return map[string]string{"SLACK_WEBHOOK_URL": base + "/services/T000/B000/XXXX"}
		},
		want: `{"text":"ok"}`,
	},
	{
		name: "stripe", trigger: triggers.PreUserRegistration, script: "stripe-customer.js",
		handle: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.Method != "POST" || r.URL.Path != "/v1/customers" || r.Header.Get("Authorization") != "Bearer sk_test_123" {
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"error":{"message":"Invalid API Key provided","type":"invalid_request_error"}}`)
				return
			}
			io.WriteString(w, `{"id":"cus_NffrFeUfNV2Hib","object":"customer","email":"`+r.PostFormValue("email")+`","livemode":false}`)
		},
		check: func(t *testing.T, reqs []recorded) {
			form, _ := url.ParseQuery(reqs[0].Body)
			if form.Get("email") == "" || form.Get("metadata[connection]") == "" || reqs[0].Header.Get("Stripe-Version") != "2023-10-16" {
				t.Errorf("request %+v", reqs[0])
			}
		},
		secrets: func(base string) map[string]string {
			u, _ := url.Parse(base)
			return map[string]string{"STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_HOST": u.Hostname(), "STRIPE_PORT": u.Port(), "STRIPE_PROTOCOL": "http"}
		},
		want: `{"user":{"app_metadata":{"stripe_customer_id":"cus_NffrFeUfNV2Hib"}}}`,
	},
	{
		name: "jsonwebtoken and node-fetch", trigger: triggers.CredentialsExchange, script: "jwt-api.js",
		handle: func(w http.ResponseWriter, r *http.Request) {
			claims, ok := verifyHS256(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), "k3y")
			if r.URL.Path != "/entitlements" || !ok || claims["iss"] != "auth0-hooks" || claims["aud"] != "internal-api" || claims["client_id"] != "kS1N2dQwCl3uVhXyJxZ7Fz9aBcDeFgHi" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"grant":"`+signHS256(`{"plan":"gold","iss":"internal-api"}`, "k3y")+`"}`)
		},
		check: func(t *testing.T, reqs []recorded) {
			if reqs[0].Body != `{"audience":"https://api.example.com"}` && !strings.Contains(reqs[0].Body, `"audience"`) {
				t.Errorf("request %+v", reqs[0])
			}
		},
		secrets: func(base string) map[string]string { return map[string]string{"SIGNING_KEY": "k3y", "API_URL": base} },
		want:    `{"https://example.com/forged":"JsonWebTokenError: invalid signature","https://example.com/plan":"gold"}`,
	},
	{
		name: "superagent", trigger: triggers.PreUserRegistration, script: "superagent-crm.js",
		handle: func(w http.ResponseWriter, r *http.Request) {
			if r.Method != "POST" || r.URL.Path != "/lookup" || r.URL.Query().Get("source") != "auth0" || r.Header.Get("Authorization") != "Token crm-t0ken" {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, `{"tier":"enterprise"}`)
		},
		check: func(t *testing.T, reqs []recorded) {
			var body map[string]any
			if err := json.Unmarshal([]byte(reqs[0].Body), &body); err != nil || body["email"] == "" || !strings.HasPrefix(reqs[0].ContentType, "application/json") {
				t.Errorf("request %v %+v", err, reqs[0])
			}
		},
		secrets: func(base string) map[string]string {
			return map[string]string{"CRM_URL": base, "CRM_TOKEN": "crm-t0ken"}
		},
		want: `{"user":{"app_metadata":{"tier":"enterprise"}}}`,
	},
	{
		name: "form-data", trigger: triggers.PostUserRegistration, script: "form-data-upload.js",
		handle: func(w http.ResponseWriter, r *http.Request) {
			if err := r.ParseMultipartForm(1 << 20); err != nil || r.FormValue("subject") != "Welcome" || r.MultipartForm.File["attachment"] == nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusCreated)
		},
		check: func(t *testing.T, reqs []recorded) {
			if len(reqs) != 2 || reqs[0].Path != "/submit" || reqs[1].Path != "/fetch" {
				t.Fatalf("requests %+v", reqs)
			}
			for _, r := range reqs {
				if !strings.HasPrefix(r.ContentType, "multipart/form-data; boundary=") || !strings.Contains(r.Body, `filename="welcome.txt"`) {
					t.Errorf("request %+v", r)
				}
			}
		},
		secrets: func(base string) map[string]string { return map[string]string{"UPLOAD_URL": base} },
		want:    `{"fetch":201,"submit":201}`,
	},
}

// signHS256 signs payload (JSON) as a JWT with key.
func signHS256(payload, key string) string {
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil))
}

// verifyHS256 checks a JWT's HS256 signature with key and returns its
// claims.
func verifyHS256(token, key string) (map[string]any, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, false
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	if err != nil || json.Unmarshal(payload, &claims) != nil {
		return nil, false
	}
	return claims, true
}

// TestNPMHooks runs, for each package, a hook using it against a local
// server speaking its API, and checks the request the server received and
// the hook's answer.
func TestNPMHooks(t *testing.T) {
	e := npmEngine(t, allowLocal)
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

// TestNPMPackagesNotSupported: the packages of testdata/npm that do not
// load say why, as the README's module table does.
func TestNPMPackagesNotSupported(t *testing.T) {
	e := npmEngine(t)
	for _, tt := range []struct{ pkg, name, message string }{
		// got 11 and jose (under jwks-rsa 3) use for await and async
		// generators, which goja does not parse.
		{"got", "SyntaxError", "Unexpected token await"},
		{"jwks-rsa", "SyntaxError", "Async generators are not supported yet"},
	} {
		t.Run(tt.pkg, func(t *testing.T) {
			d := run(t, e, `module.exports = (u, c, cb) => { try { require('`+tt.pkg+`'); cb(null, {}); } catch (e) { cb(null, { name: e.name, message: e.message }); } };`, nil)
			if d["name"] != tt.name || !strings.Contains(d["message"].(string), tt.message) {
				t.Errorf("got %v, want %s containing %q", d, tt.name, tt.message)
			}
		})
	}
}
