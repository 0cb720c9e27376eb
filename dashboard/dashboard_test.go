package dashboard_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hookengine/hookengine/dashboard"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/triggers"
)

func get(t *testing.T, h http.Handler, method, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandler(t *testing.T) {
	h := dashboard.Handler()
	tests := []struct {
		path, contentType, contains string
	}{
		{"/dashboard/", "text/html; charset=utf-8", `<script type="module" src="app.js"></script>`},
		{"/dashboard/index.html", "text/html; charset=utf-8", "Create a Hook"},
		{"/dashboard/app.js", "text/javascript; charset=utf-8", "sessionStorage"},
		{"/dashboard/app.css", "text/css; charset=utf-8", ":focus-visible"},
		{"/dashboard/icon.svg", "image/svg+xml", "<svg"},
		{"/dashboard/points.json", "application/json; charset=utf-8", `"id":"credentials-exchange"`},
		// The name rule of the page is store.CheckName's.
		{"/dashboard/points.json", "application/json; charset=utf-8", `"nameRule":{"pattern":"^[a-zA-Z0-9]([ \\-a-zA-Z0-9]*[a-zA-Z0-9])?$","maxLength":200}`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := get(t, h, "GET", tt.path)
			hdr := rec.Header()
			if rec.Code != 200 || hdr.Get("Content-Type") != tt.contentType || !strings.Contains(rec.Body.String(), tt.contains) {
				t.Fatalf("%d %q, body %.200s", rec.Code, hdr.Get("Content-Type"), rec.Body)
			}
			for k, v := range map[string]string{
				"Content-Security-Policy": dashboard.ContentSecurityPolicy,
				"X-Content-Type-Options":  "nosniff",
				"X-Frame-Options":         "DENY",
				"Referrer-Policy":         "no-referrer",
				"Cache-Control":           "no-cache",
			} {
				if got := hdr.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			// Revalidation: the same ETag gives 304.
			etag := hdr.Get("ETag")
			if rec := get(t, h, "GET", tt.path, "If-None-Match", etag); etag == "" || rec.Code != http.StatusNotModified {
				t.Errorf("If-None-Match %s: %d", etag, rec.Code)
			}
		})
	}

	// Compressed for browsers that accept it, identical once inflated.
	plain := get(t, h, "GET", "/dashboard/app.js").Body.Bytes()
	rec := get(t, h, "GET", "/dashboard/app.js", "Accept-Encoding", "br, gzip")
	if rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Vary") != "Accept-Encoding" || rec.Body.Len() >= len(plain) {
		t.Fatalf("gzip: %v, %d bytes", rec.Header(), rec.Body.Len())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if inflated, _ := io.ReadAll(zr); !bytes.Equal(inflated, plain) {
		t.Error("the gzipped app.js differs")
	}
	if rec := get(t, h, "GET", "/dashboard/app.js", "Accept-Encoding", "gzip;q=0"); rec.Header().Get("Content-Encoding") != "" {
		t.Error("gzip sent to a client that refuses it")
	}

	for _, tt := range []struct {
		method, path string
		status       int
		location     string
	}{
		{"GET", "/dashboard", http.StatusMovedPermanently, "/dashboard/"},
		{"GET", "/dashboard/nope.js", http.StatusNotFound, ""},
		{"GET", "/dashboard/static/app.js", http.StatusNotFound, ""},
		{"GET", "/dashboard/../go.mod", http.StatusNotFound, ""},
		{"GET", "/elsewhere", http.StatusNotFound, ""},
		{"POST", "/dashboard/", http.StatusMethodNotAllowed, ""},
		{"HEAD", "/dashboard/", http.StatusOK, ""},
	} {
		rec := get(t, h, tt.method, tt.path)
		if rec.Code != tt.status || rec.Header().Get("Location") != tt.location || rec.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("%s %s: %d %v", tt.method, tt.path, rec.Code, rec.Header())
		}
	}
}

// TestPoints checks the five points: in the triggers' order, each with a
// starter script that runs on its sample input and succeeds.
func TestPoints(t *testing.T) {
	points, err := dashboard.Points()
	if err != nil {
		t.Fatal(err)
	}
	all := triggers.All()
	if len(points) != len(all) {
		t.Fatalf("%d points, want %d", len(points), len(all))
	}
	for i, p := range points {
		t.Run(string(p.ID), func(t *testing.T) {
			if p.ID != all[i].ID || p.Summary == "" || len(p.Params) == 0 {
				t.Fatalf("point %d: %+v", i, p)
			}
			if !strings.Contains(p.Starter, "module.exports = ") || !strings.Contains(p.Starter, string(p.ID)) {
				t.Errorf("starter:\n%s", p.Starter)
			}
			if !strings.Contains(p.ActionStarter, "exports."+all[i].ActionHandler()+" = async (event, api)") {
				t.Errorf("Action starter:\n%s", p.ActionStarter)
			}
			action, err := enginetest.Run(t, p.ID, p.ActionStarter, p.Sample)
			if err != nil || !action.Envelope.Succeeded() || action.Form != triggers.FormAction {
				t.Fatalf("the Action starter on the sample: %v %s", err, action.Envelope.Data)
			}
			res, err := enginetest.Run(t, p.ID, p.Starter, p.Sample)
			if err != nil || !res.Envelope.Succeeded() {
				t.Fatalf("the starter on the sample: %v %s", err, res.Envelope.Data)
			}
			switch o := res.Outcome().(type) {
			case *triggers.CredentialsExchangeOutcome:
				// Scope pass-through.
				var in struct{ Scope []string }
				json.Unmarshal(p.Sample, &in)
				if strings.Join(o.Scope, " ") != strings.Join(in.Scope, " ") || len(in.Scope) == 0 {
					t.Errorf("scope %v, input %v", o.Scope, in.Scope)
				}
			case *triggers.PreUserRegistrationOutcome:
				// Metadata objects, empty to start with.
				if o.Denied() || o.UserMetadata == nil || o.AppMetadata == nil {
					t.Errorf("outcome %+v", o)
				}
			}
		})
	}
}

// TestAssetsStayHome checks the page's own files: no address outside the
// origin, no inline script or style, no HTML built from strings.
func TestAssetsStayHome(t *testing.T) {
	absolute := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}|\burl\(`)
	err := fs.WalkDir(os.DirFS("static"), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile("static/" + name)
		if err != nil {
			return err
		}
		text := string(b)
		if name == "icon.svg" {
			text = strings.Replace(text, `xmlns="http://www.w3.org/2000/svg"`, "", 1)
		}
		if name == "editor.js" {
			// The CodeMirror bundle: its lint markers are SVG images in
			// data: URLs, which the CSP refuses and editor.js's theme
			// replaces (the browser test sees no CSP violation), and its
			// objects have style properties.
			text = strings.ReplaceAll(text, `url('data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg"`, "")
			text = strings.ReplaceAll(text, "this.style=", "")
		}
		if m := absolute.FindString(text); m != "" {
			t.Errorf("%s refers to %q", name, m)
		}
		for _, bad := range []string{"innerHTML", "outerHTML =", "insertAdjacentHTML", "document.write", "eval(", "new Function", "<script>", "style=", "localStorage.setItem", "document.cookie"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s uses %s", name, bad)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
