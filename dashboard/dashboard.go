package dashboard

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

// Path is where the page is served. The handler answers the paths under
// it; mount it on Path (a request for Path without its trailing slash is
// redirected).
const Path = "/dashboard/"

// ContentSecurityPolicy is the Content-Security-Policy of every answer:
// everything from the page's own origin, nothing inline, nothing from
// elsewhere, and DOM text only through Trusted Types (the page builds its
// DOM with textContent and never needs them).
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; " +
	"require-trusted-types-for 'script'; trusted-types 'none'"

//go:embed static starters samples
var files embed.FS

// asset is one file the handler serves, ready to send.
type asset struct {
	contentType string
	body        []byte
	gzipped     []byte // nil when compressing does not pay
	etag        string
}

var (
	assetsOnce sync.Once
	assets     map[string]*asset
	assetsErr  error
)

// Point is an extensibility point as the page shows it.
type Point struct {
	// ID names the point.
	ID triggers.ID `json:"id"`
	// Params are the script's parameters, the callback last.
	Params []string `json:"params"`
	// Blocking reports whether Auth0 waited for the hook.
	Blocking bool `json:"blocking"`
	// Summary says when the hook runs.
	Summary string `json:"summary"`
	// Starter is the script a new hook of the point starts from.
	Starter string `json:"starter"`
	// ActionStarter is the same in the Actions form
	// (exports.onExecuteXxx = async (event, api) => {...}).
	ActionStarter string `json:"action_starter"`
	// Sample is a request body the runner starts from.
	Sample json.RawMessage `json:"sample"`
}

// Points returns the five extensibility points with their starter scripts
// and sample inputs, in the order of triggers.All.
func Points() ([]Point, error) {
	var points []Point
	for _, t := range triggers.All() {
		starter, err := files.ReadFile("starters/" + string(t.ID) + ".js")
		if err != nil {
			return nil, fmt.Errorf("dashboard: no starter script for %s: %w", t.ID, err)
		}
		action, err := files.ReadFile("starters/actions/" + string(t.ID) + ".js")
		if err != nil {
			return nil, fmt.Errorf("dashboard: no Action starter script for %s: %w", t.ID, err)
		}
		sample, err := files.ReadFile("samples/" + string(t.ID) + ".json")
		if err != nil {
			return nil, fmt.Errorf("dashboard: no sample input for %s: %w", t.ID, err)
		}
		if !json.Valid(sample) {
			return nil, fmt.Errorf("dashboard: the sample input for %s is not JSON", t.ID)
		}
		points = append(points, Point{ID: t.ID, Params: t.Params, Blocking: t.Blocking, Summary: t.Summary,
			Starter: string(starter), ActionStarter: string(action), Sample: json.RawMessage(sample)})
	}
	return points, nil
}

// load prepares every asset once: the static files and points.json.
func load() (map[string]*asset, error) {
	out := map[string]*asset{}
	static, err := fs.Sub(files, "static")
	if err != nil {
		return nil, err
	}
	err = fs.WalkDir(static, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static, name)
		if err != nil {
			return err
		}
		out[name] = newAsset(mime.TypeByExtension(path.Ext(name)), b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	points, err := Points()
	if err != nil {
		return nil, err
	}
	type nameRule struct {
		Pattern   string `json:"pattern"`
		MaxLength int    `json:"maxLength"`
	}
	b, err := json.Marshal(struct {
		Points   []Point  `json:"points"`
		NameRule nameRule `json:"nameRule"`
	}{points, nameRule{store.NamePattern.String(), store.MaxNameLength}})
	if err != nil {
		return nil, err
	}
	out["points.json"] = newAsset("application/json; charset=utf-8", b)
	out[""] = out["index.html"]
	return out, nil
}

func newAsset(contentType string, body []byte) *asset {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	if strings.HasPrefix(contentType, "text/") && !strings.Contains(contentType, "charset") {
		contentType += "; charset=utf-8"
	}
	sum := sha256.Sum256(body)
	a := &asset{contentType: contentType, body: body, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
	if len(body) > 1024 {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if b.Len() < len(body)*9/10 {
			a.gzipped = b.Bytes()
		}
	}
	return a
}

// Handler returns the handler of the page, to mount at Path. It answers
// GET and HEAD; the page and its assets are revalidated on every load
// (ETag), and sent compressed to browsers that accept gzip.
func Handler() http.Handler {
	return http.HandlerFunc(serve)
}

// setSecurityHeaders sets the headers every answer carries.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
}

func serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	setSecurityHeaders(h)
	if r.URL.Path+"/" == Path {
		http.Redirect(w, r, Path, http.StatusMovedPermanently)
		return
	}
	assetsOnce.Do(func() { assets, assetsErr = load() })
	if assetsErr != nil {
		http.Error(w, "the dashboard's files are broken: "+assetsErr.Error(), http.StatusInternalServerError)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, Path)
	a := assets[name]
	if !ok || a == nil {
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	h.Add("Vary", "Accept-Encoding")
	body := a.body
	if a.gzipped != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = a.gzipped
	}
	// ServeContent answers If-None-Match with 304 and handles HEAD and
	// ranges.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether the request accepts a gzip-encoded answer.
func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		for p := range strings.SplitSeq(params, ";") {
			if k, v, _ := strings.Cut(strings.TrimSpace(p), "="); strings.EqualFold(k, "q") {
				q, err := strconv.ParseFloat(v, 64)
				return err == nil && q > 0
			}
		}
		return true
	}
	return false
}
