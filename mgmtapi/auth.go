package mgmtapi

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The scopes of the Management API's hooks endpoints, as the security blocks
// of Auth0's API description assign them, and ScopeRun for the run
// endpoints, a hookengine extension.
const (
	ScopeRead   = "read:hooks"
	ScopeCreate = "create:hooks"
	ScopeUpdate = "update:hooks"
	ScopeDelete = "delete:hooks"
	ScopeRun    = "run:hooks"
)

// AllScopes are every scope the handler checks.
var AllScopes = []string{ScopeRead, ScopeCreate, ScopeUpdate, ScopeDelete, ScopeRun}

// ErrInvalidToken is what an Authenticator returns for a token it does not
// accept: unknown, expired, for another audience, badly signed...
var ErrInvalidToken = errors.New("mgmtapi: invalid token")

// Principal is who presented an accepted token, and what it may do.
type Principal struct {
	// Subject identifies the caller: the JWT's sub claim, or the name of a
	// static token. Safe to log.
	Subject string
	// Scopes are the scopes the token grants.
	Scopes []string
}

// HasScope reports whether p was granted scope.
func (p *Principal) HasScope(scope string) bool { return slices.Contains(p.Scopes, scope) }

// An Authenticator checks the bearer token of a request. It returns the
// token's Principal, or an error wrapping ErrInvalidToken. Implementations
// must be safe for concurrent use and must never log the token.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*Principal, error)
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(ctx context.Context, token string) (*Principal, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(ctx context.Context, token string) (*Principal, error) {
	return f(ctx, token)
}

// AnyOf accepts a token that one of auths accepts, trying them in order.
func AnyOf(auths ...Authenticator) Authenticator {
	return AuthenticatorFunc(func(ctx context.Context, token string) (*Principal, error) {
		var errs []error
		for _, a := range auths {
			p, err := a.Authenticate(ctx, token)
			if err == nil {
				return p, nil
			}
			errs = append(errs, err)
		}
		if len(errs) == 0 {
			return nil, ErrInvalidToken
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, errors.Join(errs...))
	})
}

// StaticToken is an API token given in configuration, and its scopes.
type StaticToken struct {
	// Name identifies the token in logs (never the token itself).
	Name string `json:"name" yaml:"name"`
	// Token is the token itself. Prefer SHA256, which keeps the token
	// out of configuration files.
	Token string `json:"token,omitempty" yaml:"token,omitempty"`
	// SHA256 is the hex SHA-256 digest of the token.
	SHA256 string `json:"sha256,omitempty" yaml:"sha256,omitempty"`
	// Scopes are the scopes the token grants; empty means all of
	// AllScopes.
	Scopes []string `json:"scopes,omitempty" yaml:"scopes,omitempty"`
}

// StaticTokens accepts a fixed set of tokens. Only their SHA-256 digests are
// kept, and a token is looked up by its digest, so neither the tokens nor
// timing reveal them. StaticTokens is safe for concurrent use.
type StaticTokens struct {
	byDigest map[[sha256.Size]byte]*Principal
}

// TokenDigest returns the hex SHA-256 digest of token, the form
// StaticToken.SHA256 takes.
func TokenDigest(token string) string {
	d := sha256.Sum256([]byte(token))
	return hex.EncodeToString(d[:])
}

// NewStaticTokens returns an authenticator of tokens.
func NewStaticTokens(tokens ...StaticToken) (*StaticTokens, error) {
	s := &StaticTokens{byDigest: map[[sha256.Size]byte]*Principal{}}
	for i, t := range tokens {
		var d [sha256.Size]byte
		switch {
		case t.Token != "" && t.SHA256 != "":
			return nil, fmt.Errorf("mgmtapi: static token %d (%s) has both token and sha256", i, t.Name)
		case t.Token != "":
			d = sha256.Sum256([]byte(t.Token))
		case t.SHA256 != "":
			b, err := hex.DecodeString(strings.TrimSpace(t.SHA256))
			if err != nil || len(b) != sha256.Size {
				return nil, fmt.Errorf("mgmtapi: static token %d (%s): sha256 is not 64 hex digits", i, t.Name)
			}
			copy(d[:], b)
		default:
			return nil, fmt.Errorf("mgmtapi: static token %d (%s) has neither token nor sha256", i, t.Name)
		}
		scopes := t.Scopes
		if len(scopes) == 0 {
			scopes = AllScopes
		}
		for _, sc := range scopes {
			if !slices.Contains(AllScopes, sc) {
				return nil, fmt.Errorf("mgmtapi: static token %d (%s): unknown scope %q", i, t.Name, sc)
			}
		}
		name := t.Name
		if name == "" {
			name = fmt.Sprintf("static-token-%d", i)
		}
		s.byDigest[d] = &Principal{Subject: name, Scopes: slices.Clone(scopes)}
	}
	return s, nil
}

// Authenticate implements Authenticator.
func (s *StaticTokens) Authenticate(_ context.Context, token string) (*Principal, error) {
	if p, ok := s.byDigest[sha256.Sum256([]byte(token))]; ok {
		return &Principal{Subject: p.Subject, Scopes: slices.Clone(p.Scopes)}, nil
	}
	return nil, fmt.Errorf("%w: not a known static token", ErrInvalidToken)
}

// JWTConfig configures JWT access tokens, as Auth0 issued them for its
// Management API.
type JWTConfig struct {
	// Audience is the aud the tokens must carry. Required.
	Audience string
	// Issuer is the iss the tokens must carry; empty accepts any.
	Issuer string
	// HS256Secret verifies HS256 tokens; nil refuses them.
	HS256Secret []byte
	// RS256Keys verify RS256 tokens, by key id (the kid header); a token
	// without kid is tried with every key. Empty refuses RS256 tokens.
	RS256Keys map[string]*rsa.PublicKey
	// Leeway tolerates clock skew on exp, nbf and iat. Default 0.
	Leeway time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// JWT accepts JWT access tokens signed with HS256 or RS256 by a configured
// key, for the configured audience, with an expiry (exp is required) that
// has not passed. The scopes are the space-separated scope claim, plus the
// permissions claim (a list) that Auth0 adds when RBAC is on. JWT is safe
// for concurrent use.
type JWT struct {
	cfg    JWTConfig
	parser *jwt.Parser
}

// NewJWT returns an authenticator of JWT access tokens.
func NewJWT(cfg JWTConfig) (*JWT, error) {
	if cfg.Audience == "" {
		return nil, errors.New("mgmtapi: JWT verification needs an audience")
	}
	var methods []string
	if len(cfg.HS256Secret) > 0 {
		if len(cfg.HS256Secret) < 32 {
			return nil, errors.New("mgmtapi: an HS256 secret must be at least 32 bytes")
		}
		methods = append(methods, jwt.SigningMethodHS256.Alg())
	}
	if len(cfg.RS256Keys) > 0 {
		methods = append(methods, jwt.SigningMethodRS256.Alg())
	}
	if len(methods) == 0 {
		return nil, errors.New("mgmtapi: JWT verification needs an HS256 secret or RS256 keys")
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(methods),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.Leeway),
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Now != nil {
		opts = append(opts, jwt.WithTimeFunc(cfg.Now))
	}
	return &JWT{cfg: cfg, parser: jwt.NewParser(opts...)}, nil
}

// accessClaims are the claims read from an access token.
type accessClaims struct {
	jwt.RegisteredClaims
	Scope       scopeClaim `json:"scope"`
	Permissions []string   `json:"permissions"`
}

// scopeClaim reads a scope claim written as a space-separated string (the
// OAuth form) or as a list.
type scopeClaim []string

func (s *scopeClaim) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		*s = strings.Fields(str)
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return errors.New("scope is neither a string nor a list of strings")
	}
	*s = list
	return nil
}

// Authenticate implements Authenticator.
func (j *JWT) Authenticate(_ context.Context, token string) (*Principal, error) {
	var claims accessClaims
	_, err := j.parser.ParseWithClaims(token, &claims, j.key)
	if err != nil {
		// jwt's errors describe the check that failed, never the token.
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	scopes := slices.Clone([]string(claims.Scope))
	for _, p := range claims.Permissions {
		if !slices.Contains(scopes, p) {
			scopes = append(scopes, p)
		}
	}
	return &Principal{Subject: claims.Subject, Scopes: scopes}, nil
}

// key picks the verification key of a token by its algorithm (already
// restricted to the configured ones) and key id.
func (j *JWT) key(t *jwt.Token) (any, error) {
	switch t.Method.Alg() {
	case jwt.SigningMethodHS256.Alg():
		return j.cfg.HS256Secret, nil
	case jwt.SigningMethodRS256.Alg():
		if kid, ok := t.Header["kid"].(string); ok {
			if k, ok := j.cfg.RS256Keys[kid]; ok {
				return k, nil
			}
			return nil, fmt.Errorf("unknown key id %q", kid)
		}
		var keys jwt.VerificationKeySet
		for _, k := range j.cfg.RS256Keys {
			keys.Keys = append(keys.Keys, k)
		}
		return keys, nil
	}
	return nil, fmt.Errorf("unexpected algorithm %s", t.Method.Alg())
}
