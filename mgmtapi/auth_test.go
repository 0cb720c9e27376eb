package mgmtapi_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/store"
)

const audience = "https://hooks.example/api/v2/"

var hsSecret = []byte("0123456789abcdef0123456789abcdef")

func sign(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJWT(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	auth, err := mgmtapi.NewJWT(mgmtapi.JWTConfig{
		Audience:    audience,
		Issuer:      "https://tenant.example/",
		HS256Secret: hsSecret,
		RS256Keys:   map[string]*rsa.PublicKey{"k1": &rsaKey.PublicKey},
		Now:         func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "client@clients", "aud": audience, "iss": "https://tenant.example/",
			"iat": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(), "scope": "read:hooks update:hooks"}
		if edit != nil {
			edit(c)
		}
		return c
	}
	tests := []struct {
		desc   string
		token  string
		ok     bool
		scopes []string
	}{
		{"HS256", sign(t, jwt.SigningMethodHS256, hsSecret, "", claims(nil)), true, []string{"read:hooks", "update:hooks"}},
		{"RS256 with kid", sign(t, jwt.SigningMethodRS256, rsaKey, "k1", claims(nil)), true, []string{"read:hooks", "update:hooks"}},
		{"RS256 without kid", sign(t, jwt.SigningMethodRS256, rsaKey, "", claims(nil)), true, []string{"read:hooks", "update:hooks"}},
		{"audience in a list", sign(t, jwt.SigningMethodHS256, hsSecret, "", claims(func(c jwt.MapClaims) { c["aud"] = []string{"x", audience} })), true, []string{"read:hooks", "update:hooks"}},
		{"permissions claim", sign(t, jwt.SigningMethodHS256, hsSecret, "", claims(func(c jwt.MapClaims) {
			delete(c, "scope")
			c["permissions"] = []string{"delete:hooks"}
		})), true, []string{"delete:hooks"}},
		{"scope as a list", sign(t, jwt.SigningMethodHS256, hsSecret, "", claims(func(c jwt.MapClaims) { c["scope"] = []string{"run:hooks"} })), true, []string{"run:hooks"}},
		{"expired", sign(t, jwt.SigningMethodHS256, hsSecret, "", claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Second).Unix() })), false, nil},
		{"no expiry", sign(t, jwt.SigningMethodHS256, hsSecret, "", claims(func(c jwt.MapClaims) { delete(c, "exp") })), false, nil},
		{"issued in the future", sign(t, jwt.SigningMethodHS256, hsSecret, "", claims(func(c jwt.MapClaims) { c["iat"] = now.Add(time.Hour).Unix() })), false, nil},
		{"other audience", sign(t, jwt.SigningMethodHS256, hsSecret, "", claims(func(c jwt.MapClaims) { c["aud"] = "https://other/" })), false, nil},
		{"no audience", sign(t, jwt.SigningMethodHS256, hsSecret, "", claims(func(c jwt.MapClaims) { delete(c, "aud") })), false, nil},
		{"other issuer", sign(t, jwt.SigningMethodHS256, hsSecret, "", claims(func(c jwt.MapClaims) { c["iss"] = "https://evil/" })), false, nil},
		{"other HS256 secret", sign(t, jwt.SigningMethodHS256, []byte("another secret of thirty-two bytes!"), "", claims(nil)), false, nil},
		{"other RSA key", sign(t, jwt.SigningMethodRS256, otherKey, "", claims(nil)), false, nil},
		{"unknown kid", sign(t, jwt.SigningMethodRS256, rsaKey, "k2", claims(nil)), false, nil},
		{"HS384 not allowed", sign(t, jwt.SigningMethodHS384, hsSecret, "", claims(nil)), false, nil},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", claims(nil)), false, nil},
		{"garbage", "not.a.jwt", false, nil},
	}
	for _, tt := range tests {
		p, err := auth.Authenticate(context.Background(), tt.token)
		if tt.ok != (err == nil) {
			t.Errorf("%s: error %v, want ok=%v", tt.desc, err, tt.ok)
			continue
		}
		if err != nil {
			if !errors.Is(err, mgmtapi.ErrInvalidToken) {
				t.Errorf("%s: %v does not wrap ErrInvalidToken", tt.desc, err)
			}
			if strings.Contains(err.Error(), tt.token) {
				t.Errorf("%s: the error holds the token", tt.desc)
			}
			continue
		}
		if p.Subject != "client@clients" || !slices.Equal(p.Scopes, tt.scopes) {
			t.Errorf("%s: principal %+v, want scopes %v", tt.desc, p, tt.scopes)
		}
	}
}

func TestNewJWTConfig(t *testing.T) {
	for desc, cfg := range map[string]mgmtapi.JWTConfig{
		"no audience":  {HS256Secret: hsSecret},
		"no key":       {Audience: audience},
		"short secret": {Audience: audience, HS256Secret: []byte("short")},
	} {
		if _, err := mgmtapi.NewJWT(cfg); err == nil {
			t.Errorf("%s: NewJWT succeeded", desc)
		}
	}
}

func TestStaticTokensConfig(t *testing.T) {
	for desc, tok := range map[string]mgmtapi.StaticToken{
		"neither":       {Name: "x"},
		"both":          {Token: "a", SHA256: mgmtapi.TokenDigest("a")},
		"bad digest":    {SHA256: "abc"},
		"unknown scope": {Token: "a", Scopes: []string{"read:users"}},
	} {
		if _, err := mgmtapi.NewStaticTokens(tok); err == nil {
			t.Errorf("%s: NewStaticTokens succeeded", desc)
		}
	}
}

// TestJWTOverHTTP checks JWTs and static tokens together on the handler:
// scopes from the token decide 403 or success.
func TestJWTOverHTTP(t *testing.T) {
	now := time.Now()
	jwtAuth, err := mgmtapi.NewJWT(mgmtapi.JWTConfig{Audience: audience, HS256Secret: hsSecret})
	if err != nil {
		t.Fatal(err)
	}
	static, _ := mgmtapi.NewStaticTokens(mgmtapi.StaticToken{Name: "ci", Token: "static-token"})
	h := mgmtapi.NewHandler(store.NewMemory(), mgmtapi.WithAuthenticator(mgmtapi.AnyOf(jwtAuth, static)))
	readOnly := sign(t, jwt.SigningMethodHS256, hsSecret, "", jwt.MapClaims{"sub": "s", "aud": audience,
		"exp": now.Add(time.Hour).Unix(), "scope": "read:hooks"})
	for _, tt := range []struct {
		token, method, body string
		want                int
	}{
		{readOnly, "GET", "", 200},
		{readOnly, "POST", `{"name":"x","script":"x","triggerId":"pre-user-registration"}`, 403},
		{"static-token", "POST", `{"name":"x","script":"x","triggerId":"pre-user-registration"}`, 201},
		{readOnly + "x", "GET", "", 401},
	} {
		req := httptest.NewRequest(tt.method, "/api/v2/hooks", strings.NewReader(tt.body))
		req.Header.Set("Authorization", "bearer "+tt.token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s with %.10s...: %d %s, want %d", tt.method, tt.token, rec.Code, rec.Body, tt.want)
		}
	}
}
