package server_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookengine/hookengine/server"
)

// FuzzTokenEndpoint sends POST /oauth/token any body under any content
// type: the answer is always JSON in Auth0's shape, never a server error,
// and a token it issues is one the issuer accepts.
func FuzzTokenEndpoint(f *testing.F) {
	iss, err := server.NewTokenIssuer(server.OAuthConfig{Clients: []server.OAuthClient{
		{ClientID: "c", ClientSecretSHA256: sha("s"), Scopes: []string{"read:hooks", "update:hooks"}}}},
		f.TempDir(), "tenant.example", func() time.Time { return time.Unix(1_800_000_000, 0) })
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []struct{ ctype, body string }{
		{"application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=c&client_secret=s"},
		{"application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=c&client_secret=s&scope=update:hooks"},
		{"application/json", `{"grant_type":"client_credentials","client_id":"c","client_secret":"s","audience":"https://tenant.example/api/v2/"}`},
		{"application/json", `{"grant_type":"password","client_id":"c"}`},
		{"application/json", `{"grant_type":["client_credentials"]}`},
		{"text/plain", "%zz&&=="},
		{"application/json; charset=utf-8", `[1,2]`},
	} {
		f.Add(seed.ctype, seed.body)
	}
	f.Fuzz(func(t *testing.T, ctype, body string) {
		req := httptest.NewRequest("POST", server.TokenPath, strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		rec := httptest.NewRecorder()
		iss.ServeToken(rec, req)
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("%d: not JSON: %q", rec.Code, rec.Body)
		}
		switch rec.Code {
		case 200:
			tok, _ := m["access_token"].(string)
			if _, err := iss.Authenticate(context.Background(), tok); err != nil || m["token_type"] != "Bearer" {
				t.Fatalf("issued %v, refused: %v", m, err)
			}
		case 400, 401, 403:
			if _, ok := m["error"].(string); !ok || len(m) != 2 {
				t.Fatalf("%d: %v", rec.Code, m)
			}
		default:
			t.Fatalf("status %d: %v", rec.Code, m)
		}
	})
}
