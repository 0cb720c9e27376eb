package server

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hookengine/hookengine/mgmtapi"
)

// Paths of the token endpoint and of its public keys.
const (
	TokenPath = "/oauth/token"
	JWKSPath  = "/.well-known/jwks.json"
)

// SigningKeyFile is the RSA key, in the data directory, that signs the
// access tokens of TokenPath. It is made on first start.
const SigningKeyFile = "oauth-signing-key.pem"

// DefaultTokenLifetime is how long an access token is valid: Auth0's
// default for its Management API, 24 hours.
const DefaultTokenLifetime = 24 * time.Hour

// OAuthConfig configures POST /oauth/token, the client-credentials grant as
// Auth0's Authentication API answers it, for the clients the operator
// lists. Tokens are RS256 JWTs for the audience https://DOMAIN/api/v2/,
// signed with the key in SigningKeyFile, whose public half is served at
// /.well-known/jwks.json.
type OAuthConfig struct {
	// Domain is the DOMAIN clients are given (AUTH0_DOMAIN): the issuer
	// is https://DOMAIN/ and the audience https://DOMAIN/api/v2/. Default:
	// the listen address (host:port).
	Domain string `yaml:"domain" json:"domain"`
	// TokenLifetime is the expires_in of the tokens. Default
	// DefaultTokenLifetime.
	TokenLifetime Duration `yaml:"token_lifetime" json:"token_lifetime"`
	// Clients may ask for tokens. At least one is required.
	Clients []OAuthClient `yaml:"clients" json:"clients"`
}

// OAuthClient is a client allowed to use the client-credentials grant.
type OAuthClient struct {
	// ClientID is the client_id.
	ClientID string `yaml:"client_id" json:"client_id"`
	// ClientSecretSHA256 is the hex SHA-256 digest of the client_secret;
	// the secret itself is never stored (printf %s "$SECRET" | sha256sum).
	ClientSecretSHA256 string `yaml:"client_secret_sha256" json:"client_secret_sha256"`
	// Scopes are those the client may be granted, among read:hooks,
	// create:hooks, update:hooks, delete:hooks and run:hooks.
	Scopes []string `yaml:"scopes" json:"scopes"`
}

// TokenIssuer answers POST /oauth/token (client credentials) and GET
// /.well-known/jwks.json, and verifies the tokens it issued. It is safe
// for concurrent use.
type TokenIssuer struct {
	domain   string
	lifetime time.Duration
	clients  map[string]OAuthClient
	key      *rsa.PrivateKey
	kid      string
	verifier *mgmtapi.JWT
	now      func() time.Time
	jwks     []byte
}

// NewTokenIssuer checks cfg and loads (or makes, on first use) the signing
// key in dataDir. domain is used when cfg.Domain is empty (Server uses its
// listen address, port included). now is the clock (nil: time.Now).
func NewTokenIssuer(cfg OAuthConfig, dataDir, domain string, now func() time.Time) (*TokenIssuer, error) {
	if now == nil {
		now = time.Now
	}
	if cfg.Domain != "" {
		domain = cfg.Domain
	}
	t := &TokenIssuer{lifetime: orDefault(cfg.TokenLifetime, DefaultTokenLifetime),
		clients: map[string]OAuthClient{}, now: now}
	if len(cfg.Clients) == 0 {
		return nil, errors.New("server: oauth: no clients configured")
	}
	for i, c := range cfg.Clients {
		if c.ClientID == "" {
			return nil, fmt.Errorf("server: oauth.clients[%d]: client_id is required", i)
		}
		if _, dup := t.clients[c.ClientID]; dup {
			return nil, fmt.Errorf("server: oauth.clients[%d]: client_id %q appears twice", i, c.ClientID)
		}
		if d, err := hex.DecodeString(c.ClientSecretSHA256); err != nil || len(d) != sha256.Size {
			return nil, fmt.Errorf("server: oauth.clients[%d] (%s): client_secret_sha256 must be 64 hex digits", i, c.ClientID)
		}
		for _, sc := range c.Scopes {
			if !slices.Contains(mgmtapi.AllScopes, sc) {
				return nil, fmt.Errorf("server: oauth.clients[%d] (%s): unknown scope %q", i, c.ClientID, sc)
			}
		}
		c.ClientSecretSHA256 = strings.ToLower(c.ClientSecretSHA256)
		t.clients[c.ClientID] = c
	}
	key, err := loadSigningKey(filepath.Join(dataDir, SigningKeyFile))
	if err != nil {
		return nil, err
	}
	t.key = key
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(der)
	t.kid = base64.RawURLEncoding.EncodeToString(sum[:16])
	if err := t.setDomain(domain); err != nil {
		return nil, err
	}
	t.jwks, err = json.Marshal(map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": t.kid,
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
	}}})
	return t, err
}

// setDomain sets the domain of the issuer and the audience, before the
// issuer is used.
func (t *TokenIssuer) setDomain(domain string) error {
	if domain == "" || strings.ContainsAny(domain, "/ ") {
		return fmt.Errorf("server: oauth.domain %q: a host name, with a port if needed", domain)
	}
	t.domain = domain
	v, err := mgmtapi.NewJWT(mgmtapi.JWTConfig{Audience: t.Audience(), Issuer: t.Issuer(),
		RS256Keys: map[string]*rsa.PublicKey{t.kid: &t.key.PublicKey}, Now: t.now})
	if err != nil {
		return err
	}
	t.verifier = v
	return nil
}

// loadSigningKey reads the RSA key at path, making a 2048-bit one when the
// file does not exist.
func loadSigningKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := writeNew(path, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))); err != nil {
			return nil, fmt.Errorf("server: writing the token signing key: %w", err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("server: reading the token signing key: %w", err)
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM(b)
	if err != nil {
		return nil, fmt.Errorf("server: %s: %w", path, err)
	}
	return key, nil
}

// PublicKey is the public half of the signing key, as the JWKS gives it.
func (t *TokenIssuer) PublicKey() *rsa.PublicKey { return &t.key.PublicKey }

// Domain is the DOMAIN of the issuer and the audience.
func (t *TokenIssuer) Domain() string { return t.domain }

// Issuer is the iss of the tokens: https://DOMAIN/.
func (t *TokenIssuer) Issuer() string { return "https://" + t.domain + "/" }

// Audience is the aud of the tokens: https://DOMAIN/api/v2/, the audience
// of Auth0's Management API.
func (t *TokenIssuer) Audience() string { return "https://" + t.domain + "/api/v2/" }

// Authenticate implements mgmtapi.Authenticator for the tokens t issued.
func (t *TokenIssuer) Authenticate(ctx context.Context, token string) (*mgmtapi.Principal, error) {
	return t.verifier.Authenticate(ctx, token)
}

// tokenError is an error of the token endpoint, in Auth0's shape.
type tokenError struct {
	status      int
	code        string
	description string
}

func writeTokenError(w http.ResponseWriter, e tokenError) {
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// otherGrants are grant types Auth0 knows, refused as not allowed for the
// client rather than as unsupported.
var otherGrants = []string{"authorization_code", "password", "refresh_token", "implicit",
	"http://auth0.com/oauth/grant-type/password-realm", "urn:ietf:params:oauth:grant-type:device_code",
	"http://auth0.com/oauth/grant-type/passwordless/otp", "http://auth0.com/oauth/grant-type/mfa-otp",
	"urn:ietf:params:oauth:grant-type:token-exchange"}

// unauthorized is Auth0's answer to an unknown client or a wrong secret.
var unauthorized = tokenError{http.StatusUnauthorized, "access_denied", "Unauthorized"}

// ServeToken answers POST /oauth/token. The parameters come as a form or as
// JSON, the client's credentials in them or in HTTP Basic authentication.
func (t *TokenIssuer) ServeToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeTokenError(w, tokenError{http.StatusMethodNotAllowed, "invalid_request", "Method " + r.Method + " is not allowed on " + TokenPath + "; use POST."})
		return
	}
	params, terr := tokenParams(w, r)
	if terr != nil {
		writeTokenError(w, *terr)
		return
	}
	grant := params["grant_type"]
	switch {
	case grant == "":
		writeTokenError(w, tokenError{http.StatusBadRequest, "invalid_request", "Missing required parameter: grant_type"})
		return
	case slices.Contains(otherGrants, grant):
		writeTokenError(w, tokenError{http.StatusForbidden, "unauthorized_client", "Grant type '" + grant + "' not allowed for the client."})
		return
	case grant != "client_credentials":
		writeTokenError(w, tokenError{http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type: " + grant})
		return
	}
	id, secret := params["client_id"], params["client_secret"]
	if u, p, ok := r.BasicAuth(); ok && id == "" {
		id, secret = u, p
	}
	client, ok := t.clients[id]
	sum := sha256.Sum256([]byte(secret))
	want, _ := hex.DecodeString(client.ClientSecretSHA256)
	if !ok || secret == "" || subtle.ConstantTimeCompare(sum[:], want) != 1 {
		writeTokenError(w, unauthorized)
		return
	}
	if aud := params["audience"]; aud != "" && aud != t.Audience() && aud != strings.TrimSuffix(t.Audience(), "/") {
		writeTokenError(w, tokenError{http.StatusForbidden, "access_denied", "Service not enabled within domain: " + aud})
		return
	}
	scopes := client.Scopes
	if asked := strings.Fields(params["scope"]); len(asked) > 0 {
		var missing []string
		for _, s := range asked {
			if !slices.Contains(client.Scopes, s) {
				missing = append(missing, s)
			}
		}
		if len(missing) > 0 {
			writeTokenError(w, tokenError{http.StatusForbidden, "access_denied", "Client has not been granted scopes: " + strings.Join(missing, ", ")})
			return
		}
		scopes = asked
	}
	now := t.now()
	claims := jwt.MapClaims{
		"iss":   t.Issuer(),
		"sub":   id + "@clients",
		"aud":   t.Audience(),
		"iat":   now.Unix(),
		"exp":   now.Add(t.lifetime).Unix(),
		"scope": strings.Join(scopes, " "),
		"gty":   "client-credentials",
		"azp":   id,
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = t.kid
	signed, err := tok.SignedString(t.key)
	if err != nil {
		writeTokenError(w, tokenError{http.StatusInternalServerError, "server_error", "The token could not be signed."})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": signed,
		"scope":        strings.Join(scopes, " "),
		"expires_in":   int64(t.lifetime / time.Second),
		"token_type":   "Bearer",
	})
}

// maxTokenBody bounds the body of a token request.
const maxTokenBody = 64 << 10

// tokenParams reads the request's parameters, from a JSON object or a form.
func tokenParams(w http.ResponseWriter, r *http.Request) (map[string]string, *tokenError) {
	bad := &tokenError{http.StatusBadRequest, "invalid_request", "The request body must be a JSON object or a form (application/x-www-form-urlencoded)."}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxTokenBody))
	if err != nil {
		return nil, bad
	}
	params := map[string]string{}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		var raw map[string]any
		if err := json.Unmarshal(body, &raw); err != nil {
			return nil, bad
		}
		for k, v := range raw {
			if s, ok := v.(string); ok {
				params[k] = s
			}
		}
		return params, nil
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, bad
	}
	for k, v := range values {
		params[k] = v[0]
	}
	return params, nil
}

// ServeJWKS answers GET /.well-known/jwks.json with the public signing key.
func (t *TokenIssuer) ServeJWKS(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(t.jwks)
}
