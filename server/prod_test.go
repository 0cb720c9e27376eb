package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.uber.org/zap"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/server"
	"github.com/hookengine/hookengine/store"
)

// startServer runs a server of cfg on a free local port until the test
// ends, and returns it with its base URL.
func startServer(t *testing.T, cfg server.Config) (*server.Server, string) {
	t.Helper()
	t.Setenv(server.EnvSecretsKey, store.EncodeKey(store.GenerateKey()))
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.Addr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, zap.NewNop(), io.Discard)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(cancel)
	base, done := serve(t, ctx, srv)
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, base
}

// serve serves srv on its listener until ctx ends, and returns its base
// URL and the channel that receives what Serve returns.
func serve(t *testing.T, ctx context.Context, srv *server.Server) (string, <-chan error) {
	t.Helper()
	ln, err := srv.Listen()
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	return srv.Scheme() + "://" + ln.Addr().String(), done
}

// writeCert writes a self-signed certificate for 127.0.0.1 with the given
// serial, and returns its pool.
func writeCert(t *testing.T, certFile, keyFile string, serial int64) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kd, _ := x509.MarshalPKCS8PrivateKey(key)
	// The key first, then the certificate: the server sees a mismatched
	// pair in between, which it must survive.
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// handshake connects to base over TLS with cfg and returns the state.
func handshake(t *testing.T, base string, cfg *tls.Config) (tls.ConnectionState, error) {
	t.Helper()
	conn, err := tls.Dial("tcp", strings.TrimPrefix(base, "https://"), cfg)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer conn.Close()
	return conn.ConnectionState(), nil
}

func TestTLSFromFilesReloaded(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	pool := writeCert(t, certFile, keyFile, 1)
	t.Setenv(server.EnvToken, "tls-token")
	srv, base := startServer(t, server.Config{TLS: &server.TLSConfig{CertFile: certFile, KeyFile: keyFile}})
	if srv.Scheme() != "https" || !strings.HasPrefix(base, "https://") {
		t.Fatalf("scheme %s", srv.Scheme())
	}

	// HTTP/2 over TLS, and the API answers.
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	req, _ := http.NewRequest("GET", base+"/api/v2/hooks", nil)
	req.Header.Set("Authorization", "Bearer tls-token")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
		t.Errorf("GET over TLS: %d %s, want 200 over HTTP/2", resp.StatusCode, resp.Proto)
	}
	// TLS 1.1 is refused.
	if _, err := handshake(t, base, &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11}); err == nil {
		t.Error("a TLS 1.1 handshake succeeded")
	}
	// Plain HTTP gets no API answer.
	if resp, err := http.Get("http" + strings.TrimPrefix(base, "https") + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("plain HTTP answered 200")
		}
	}

	// A renewed certificate is served to new connections without a restart.
	pool2 := writeCert(t, certFile, keyFile, 2)
	// Files may keep the same modification time on coarse clocks; the size
	// or the content's time differ in practice, but make sure.
	future := time.Now().Add(time.Minute)
	os.Chtimes(certFile, future, future)
	os.Chtimes(keyFile, future, future)
	st, err := handshake(t, base, &tls.Config{RootCAs: pool2})
	if err != nil {
		t.Fatalf("handshake after the renewal: %v", err)
	}
	if got := st.PeerCertificates[0].SerialNumber.Int64(); got != 2 {
		t.Errorf("serial %d after the renewal, want 2", got)
	}
	// A broken file keeps the last good certificate.
	os.WriteFile(certFile, []byte("not a certificate"), 0o644)
	if st, err := handshake(t, base, &tls.Config{RootCAs: pool2}); err != nil || st.PeerCertificates[0].SerialNumber.Int64() != 2 {
		t.Errorf("with a broken certificate file: %v", err)
	}
}

func TestTLSConfigErrors(t *testing.T) {
	t.Setenv(server.EnvSecretsKey, store.EncodeKey(store.GenerateKey()))
	t.Setenv(server.EnvToken, "x")
	dir := t.TempDir()
	tests := []struct {
		desc string
		cfg  server.Config
		want string
	}{
		{"self-signed outside dev", server.Config{TLS: &server.TLSConfig{SelfSigned: true}}, "development mode only"},
		{"cert without key", server.Config{TLS: &server.TLSConfig{CertFile: "c.pem"}}, "both cert_file"},
		{"missing files", server.Config{TLS: &server.TLSConfig{CertFile: filepath.Join(dir, "none.pem"), KeyFile: filepath.Join(dir, "none.key")}}, "none.pem"},
	}
	for _, tt := range tests {
		tt.cfg.DataDir = t.TempDir()
		srv, err := server.New(context.Background(), tt.cfg, nil, io.Discard)
		if err == nil {
			srv.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error saying %q", tt.desc, err, tt.want)
		}
	}
}

func TestDevSelfSignedCertificate(t *testing.T) {
	t.Setenv(server.EnvToken, "dev-tls")
	data := t.TempDir()
	srv, base := startServer(t, server.Config{DataDir: data, Dev: true, TLS: &server.TLSConfig{SelfSigned: true}})
	want := filepath.Join(data, server.DevCertFile)
	if srv.DevCertificate() != want {
		t.Fatalf("DevCertificate() = %q, want %q", srv.DevCertificate(), want)
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatal("the development certificate is not PEM")
	}
	// Trusting the file, as NODE_EXTRA_CA_CERTS does, is enough.
	if _, err := handshake(t, base, &tls.Config{RootCAs: pool}); err != nil {
		t.Errorf("handshake trusting the development certificate: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(data, server.DevCertKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the key file: %v %v", fi, err)
	}
	// The next start keeps it; another host makes a new one.
	now := time.Now()
	c1, _, err := server.EnsureDevCertificate(data, "127.0.0.1:0", now)
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(c1)
	if string(b1) != string(b) {
		t.Error("the certificate was made again for the same address")
	}
	c2, _, err := server.EnsureDevCertificate(data, "hooks.internal.example:8443", now)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := os.ReadFile(c2)
	block, _ := pem.Decode(b2)
	cert, _ := x509.ParseCertificate(block.Bytes)
	if cert.VerifyHostname("hooks.internal.example") != nil || cert.VerifyHostname("127.0.0.1") != nil {
		t.Errorf("the certificate for another host names %v %v", cert.DNSNames, cert.IPAddresses)
	}
	// Close to its expiry, it is made again.
	c3, _, _ := server.EnsureDevCertificate(data, "hooks.internal.example:8443", now.Add(365*24*time.Hour))
	if b3, _ := os.ReadFile(c3); string(b3) == string(b2) {
		t.Error("an expiring certificate was kept")
	}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// tokenReply is the answer of /oauth/token.
type tokenReply struct {
	status int
	body   map[string]any
}

func postToken(t *testing.T, client *http.Client, base, contentType, body string, basic ...string) tokenReply {
	t.Helper()
	req, _ := http.NewRequest("POST", base+server.TokenPath, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("token answer not JSON: %v", err)
	}
	return tokenReply{resp.StatusCode, m}
}

func TestClientCredentials(t *testing.T) {
	t.Setenv(server.EnvToken, "static-token")
	oauth := &server.OAuthConfig{Clients: []server.OAuthClient{
		{ClientID: "deployer", ClientSecretSHA256: sha("s3cret-deployer"), Scopes: []string{"read:hooks", "create:hooks", "update:hooks", "delete:hooks"}},
		{ClientID: "reader", ClientSecretSHA256: sha("s3cret-reader"), Scopes: []string{"read:hooks"}},
	}}
	srv, base := startServer(t, server.Config{OAuth: oauth})
	domain := strings.TrimPrefix(base, "http://")
	client := &http.Client{}
	defer client.CloseIdleConnections()
	form := func(v url.Values) string { return v.Encode() }

	// Errors, as Auth0 answers them.
	errs := []struct {
		desc, ctype, body string
		status            int
		code, descr       string
	}{
		{"no grant type", "application/x-www-form-urlencoded", form(url.Values{"client_id": {"deployer"}}), 400, "invalid_request", "Missing required parameter: grant_type"},
		{"password grant", "application/x-www-form-urlencoded", form(url.Values{"grant_type": {"password"}}), 403, "unauthorized_client", "Grant type 'password' not allowed for the client."},
		{"unknown grant", "application/json", `{"grant_type":"magic"}`, 400, "unsupported_grant_type", "Unsupported grant type: magic"},
		{"unknown client", "application/json", `{"grant_type":"client_credentials","client_id":"nobody","client_secret":"x"}`, 401, "access_denied", "Unauthorized"},
		{"wrong secret", "application/json", `{"grant_type":"client_credentials","client_id":"deployer","client_secret":"wrong"}`, 401, "access_denied", "Unauthorized"},
		{"no secret", "application/json", `{"grant_type":"client_credentials","client_id":"deployer"}`, 401, "access_denied", "Unauthorized"},
		{"other audience", "application/json", `{"grant_type":"client_credentials","client_id":"deployer","client_secret":"s3cret-deployer","audience":"https://api.example/"}`, 403, "access_denied", "Service not enabled within domain: https://api.example/"},
		{"scope not granted", "application/json", `{"grant_type":"client_credentials","client_id":"reader","client_secret":"s3cret-reader","scope":"read:hooks delete:hooks"}`, 403, "access_denied", "Client has not been granted scopes: delete:hooks"},
		{"not JSON", "application/json", `{`, 400, "invalid_request", "The request body must be a JSON object or a form (application/x-www-form-urlencoded)."},
	}
	for _, tt := range errs {
		r := postToken(t, client, base, tt.ctype, tt.body)
		if r.status != tt.status || r.body["error"] != tt.code || r.body["error_description"] != tt.descr || len(r.body) != 2 {
			t.Errorf("%s: %d %v, want %d {error: %s, error_description: %s}", tt.desc, r.status, r.body, tt.status, tt.code, tt.descr)
		}
	}

	// A token, as Auth0 answers it, by form (the Deploy CLI) and by JSON
	// with Basic authentication.
	aud := "https://" + domain + "/api/v2/"
	r := postToken(t, client, base, "application/x-www-form-urlencoded",
		form(url.Values{"grant_type": {"client_credentials"}, "client_id": {"deployer"}, "client_secret": {"s3cret-deployer"}, "audience": {aud}}))
	if r.status != 200 || r.body["token_type"] != "Bearer" || r.body["expires_in"] != float64(86400) ||
		r.body["scope"] != "read:hooks create:hooks update:hooks delete:hooks" || r.body["access_token"] == "" || len(r.body) != 4 {
		t.Fatalf("token: %d %v", r.status, r.body)
	}
	deployerToken := r.body["access_token"].(string)
	r = postToken(t, client, base, "application/json", `{"grant_type":"client_credentials","scope":"read:hooks"}`, "reader", "s3cret-reader")
	if r.status != 200 || r.body["scope"] != "read:hooks" {
		t.Fatalf("token by Basic authentication: %d %v", r.status, r.body)
	}
	readerToken := r.body["access_token"].(string)

	// The token is an RS256 JWT for the Management API, verifiable with
	// the JWKS.
	resp, err := client.Get(base + server.JWKSPath)
	if err != nil {
		t.Fatal(err)
	}
	var jwks struct {
		Keys []struct{ Kty, Kid, Alg, N, E string }
	}
	json.NewDecoder(resp.Body).Decode(&jwks)
	resp.Body.Close()
	if len(jwks.Keys) != 1 || jwks.Keys[0].Kty != "RSA" || jwks.Keys[0].Alg != "RS256" {
		t.Fatalf("jwks %+v", jwks)
	}
	var claims jwt.MapClaims
	tok, err := jwt.ParseWithClaims(deployerToken, &claims, func(tk *jwt.Token) (any, error) {
		if tk.Header["kid"] != jwks.Keys[0].Kid {
			return nil, fmt.Errorf("kid %v", tk.Header["kid"])
		}
		return srv.TokenIssuer().PublicKey(), nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(aud), jwt.WithIssuer("https://"+domain+"/"))
	if err != nil || !tok.Valid || claims["sub"] != "deployer@clients" || claims["gty"] != "client-credentials" {
		t.Errorf("the access token: %v %v", claims, err)
	}

	// Each token works on the API within its scopes; static tokens still work.
	use := func(token, method, body string) int {
		req, _ := http.NewRequest(method, base+"/api/v2/hooks", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	create := `{"name":"Audit Hook v2","script":"module.exports = function (u, c, cb) { cb(); };","triggerId":"post-change-password"}`
	if got := use(deployerToken, "POST", create); got != 201 {
		t.Errorf("create with the deployer's token: %d", got)
	}
	if got := use(readerToken, "GET", ""); got != 200 {
		t.Errorf("list with the reader's token: %d", got)
	}
	if got := use(readerToken, "POST", strings.Replace(create, "v2", "v3", 1)); got != 403 {
		t.Errorf("create with the reader's token: %d, want 403", got)
	}
	if got := use("static-token", "GET", ""); got != 200 {
		t.Errorf("the static token: %d", got)
	}
	if got := use(deployerToken[:len(deployerToken)-4]+"AAAA", "GET", ""); got != 401 {
		t.Errorf("a tampered token: %d", got)
	}
}

// TestExpiredToken issues a token on a clock, moves the clock past its
// expiry, and checks Auth0's answer to it.
func TestExpiredToken(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	iss, err := server.NewTokenIssuer(server.OAuthConfig{TokenLifetime: server.Duration(time.Hour),
		Clients: []server.OAuthClient{{ClientID: "c", ClientSecretSHA256: sha("s"), Scopes: []string{"read:hooks"}}}},
		t.TempDir(), "tenant.example", clock)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	iss.ServeToken(rec, httptest.NewRequest("POST", server.TokenPath, strings.NewReader("grant_type=client_credentials&client_id=c&client_secret=s")))
	var r struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || r.ExpiresIn != 3600 {
		t.Fatalf("token: %s %v", rec.Body, err)
	}
	if p, err := iss.Authenticate(context.Background(), r.AccessToken); err != nil || !p.HasScope("read:hooks") {
		t.Fatalf("a fresh token: %v %v", p, err)
	}
	now = now.Add(2 * time.Hour)
	h := mgmtapi.NewHandler(store.NewMemory(), mgmtapi.WithAuthenticator(iss))
	rec = httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/v2/hooks", nil)
	req.Header.Set("Authorization", "Bearer "+r.AccessToken)
	h.ServeHTTP(rec, req)
	var e mgmtapi.Error
	json.Unmarshal(rec.Body.Bytes(), &e)
	if rec.Code != 401 || e.Message != "Expired token received for JSON Web Token validation" {
		t.Errorf("an expired token: %d %s", rec.Code, rec.Body)
	}
	if _, err := iss.Authenticate(context.Background(), r.AccessToken); !errors.Is(err, jwt.ErrTokenExpired) {
		t.Errorf("expired: %v", err)
	}
}

func TestOAuthConfigErrors(t *testing.T) {
	good := server.OAuthClient{ClientID: "c", ClientSecretSHA256: sha("s"), Scopes: []string{"read:hooks"}}
	tests := []struct {
		desc string
		cfg  server.OAuthConfig
		want string
	}{
		{"no clients", server.OAuthConfig{}, "no clients"},
		{"plain secret", server.OAuthConfig{Clients: []server.OAuthClient{{ClientID: "c", ClientSecretSHA256: "s"}}}, "64 hex digits"},
		{"unknown scope", server.OAuthConfig{Clients: []server.OAuthClient{{ClientID: "c", ClientSecretSHA256: sha("s"), Scopes: []string{"read:rules"}}}}, `unknown scope "read:rules"`},
		{"twice", server.OAuthConfig{Clients: []server.OAuthClient{good, good}}, "appears twice"},
		{"bad domain", server.OAuthConfig{Domain: "https://x/", Clients: []server.OAuthClient{good}}, "a host name"},
	}
	for _, tt := range tests {
		if _, err := server.NewTokenIssuer(tt.cfg, t.TempDir(), "d.example", nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error saying %q", tt.desc, err, tt.want)
		}
	}
}

// TestOAuth2ClientCredentials logs in with golang.org/x/oauth2's client
// credentials, the library go-auth0's management.WithClientCredentials
// uses, over HTTPS, in both ways it sends the secret, and calls the API
// with the token it got.
func TestOAuth2ClientCredentials(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	pool := writeCert(t, certFile, keyFile, 1)
	_, base := startServer(t, server.Config{TLS: &server.TLSConfig{CertFile: certFile, KeyFile: keyFile},
		OAuth: &server.OAuthConfig{Clients: []server.OAuthClient{{ClientID: "go-auth0", ClientSecretSHA256: sha("go-secret"), Scopes: []string{"read:hooks"}}}}})
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	defer tr.CloseIdleConnections()
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: tr})
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInParams, oauth2.AuthStyleInHeader} {
		cc := clientcredentials.Config{ClientID: "go-auth0", ClientSecret: "go-secret", TokenURL: base + server.TokenPath,
			EndpointParams: url.Values{"audience": {base + "/api/v2/"}}, AuthStyle: style}
		resp, err := cc.Client(ctx).Get(base + "/api/v2/hooks")
		if err != nil {
			t.Fatalf("auth style %d: %v", style, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("auth style %d: GET /api/v2/hooks %d", style, resp.StatusCode)
		}
	}
	bad := clientcredentials.Config{ClientID: "go-auth0", ClientSecret: "wrong", TokenURL: base + server.TokenPath, AuthStyle: oauth2.AuthStyleInParams}
	_, err := bad.Token(ctx)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != 401 || re.ErrorCode != "access_denied" || re.ErrorDescription != "Unauthorized" {
		t.Errorf("a wrong secret: %v", err)
	}
}
