package server

import (
	"bytes"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.yaml.in/yaml/v3"

	"github.com/hookengine/hookengine/mgmtapi"
)

// Environment variables the server reads.
const (
	// EnvSecretsKey holds the secrets key (32 bytes in base64 or hex) when
	// the configuration gives none.
	EnvSecretsKey = "HOOKENGINE_SECRETS_KEY"
	// EnvToken holds an API token granting every scope, in addition to
	// the configured ones.
	EnvToken = "HOOKENGINE_TOKEN"
)

// Defaults of Config.
const (
	DefaultDataDir           = "hookengine-data"
	DefaultAddr              = "127.0.0.1:8080"
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	// DefaultWriteTimeout leaves a hook run its whole 20-second limit.
	DefaultWriteTimeout    = 60 * time.Second
	DefaultIdleTimeout     = 2 * time.Minute
	DefaultShutdownTimeout = 30 * time.Second
	// DefaultSpareRuntimes keeps two runtimes ready for first runs.
	DefaultSpareRuntimes = 2
)

// Files in the data directory.
const (
	// DatabaseFile is the SQLite database.
	DatabaseFile = "hooks.db"
	// DevKeyFile holds the secrets key generated in development mode.
	DevKeyFile = "dev-secrets.key"
	// DevTokenFile holds the SHA-256 digest of the development token.
	DevTokenFile = "dev-token.sha256"
)

// Config configures a Server. It reads from YAML (LoadConfig) or JSON; zero
// fields take the documented defaults.
type Config struct {
	// DataDir holds the database and, in development mode, the generated
	// key. Default DefaultDataDir.
	DataDir string `yaml:"data_dir" json:"data_dir"`
	// Addr is the address to listen on. Default DefaultAddr: only this
	// machine can connect.
	Addr string `yaml:"addr" json:"addr"`
	// SecretsKey encrypts hook secrets at rest: 32 bytes in base64 or hex.
	// Default: the file SecretsKeyFile, else $HOOKENGINE_SECRETS_KEY.
	SecretsKey string `yaml:"secrets_key" json:"secrets_key"`
	// SecretsKeyFile is a file holding the secrets key. Default none.
	SecretsKeyFile string `yaml:"secrets_key_file" json:"secrets_key_file"`
	// Dev is development mode: without a secrets key, one is generated and
	// kept in DataDir/DevKeyFile, beside the database it protects, which
	// is no protection at all; the server says so loudly at every start.
	// Default false: without a key the server refuses to start.
	Dev bool `yaml:"dev" json:"dev"`
	// Tokens are static API tokens and their scopes. Default none.
	Tokens []mgmtapi.StaticToken `yaml:"tokens" json:"tokens"`
	// JWT accepts JWT access tokens. Default nil: none.
	JWT *JWTConfig `yaml:"jwt" json:"jwt"`
	// ReadHeaderTimeout bounds reading a request's headers. Default
	// DefaultReadHeaderTimeout.
	ReadHeaderTimeout Duration `yaml:"read_header_timeout" json:"read_header_timeout"`
	// ReadTimeout bounds reading a whole request. Default
	// DefaultReadTimeout.
	ReadTimeout Duration `yaml:"read_timeout" json:"read_timeout"`
	// WriteTimeout bounds a request's handling and answer; keep it above
	// HookWallTime. Default DefaultWriteTimeout.
	WriteTimeout Duration `yaml:"write_timeout" json:"write_timeout"`
	// IdleTimeout bounds an idle keep-alive connection. Default
	// DefaultIdleTimeout.
	IdleTimeout Duration `yaml:"idle_timeout" json:"idle_timeout"`
	// ShutdownTimeout bounds the wait for requests in progress on shutdown;
	// the hook runs still going then are ended, their requests answered,
	// and Serve returns at most ShutdownGrace later (see Server.Serve).
	// Default DefaultShutdownTimeout.
	ShutdownTimeout Duration `yaml:"shutdown_timeout" json:"shutdown_timeout"`
	// HookWallTime and HookCPUTime are the limits of hook runs. Defaults
	// engine.DefaultWallTime and engine.DefaultCPUTime.
	HookWallTime Duration `yaml:"hook_wall_time" json:"hook_wall_time"`
	// HookCPUTime: see HookWallTime.
	HookCPUTime Duration `yaml:"hook_cpu_time" json:"hook_cpu_time"`
	// Isolation is where hooks run: "in-process" (the default, also for
	// "") or "process", in worker processes of this program (see
	// engine.WithProcessIsolation; its main must call
	// engine.RunWorkerIfChild, as hooks does).
	Isolation string `yaml:"isolation" json:"isolation"`
	// IsolationWorkers is how many worker processes run hooks with
	// isolation "process". Default: engine.ProcessIsolation's.
	IsolationWorkers int `yaml:"isolation_workers" json:"isolation_workers"`
	// SpareRuntimes is how many runtimes are kept set up in advance, with
	// no hook loaded, so that the first run of a new or changed hook does
	// not build one on its request path (engine.WithSpareRuntimes; with
	// isolation "process", in each worker). Each costs about 17 KiB at
	// rest. Default (nil) DefaultSpareRuntimes; 0 keeps none.
	SpareRuntimes *int `yaml:"spare_runtimes" json:"spare_runtimes"`
	// IdleRuntimes bounds the warm runtimes kept between runs across all
	// hooks: the memory budget for warm hooks, least recently used hook
	// evicted first (engine.WithIdleRuntimes; with isolation "process", in
	// each worker). One warm hook keeps about 35 KiB. Default
	// engine.DefaultMaxIdleRuntimes.
	IdleRuntimes int `yaml:"idle_runtimes" json:"idle_runtimes"`
	// IdleRuntimesPerHook bounds the warm runtimes of any one hook.
	// Default twice GOMAXPROCS.
	IdleRuntimesPerHook int `yaml:"idle_runtimes_per_hook" json:"idle_runtimes_per_hook"`
	// NodeModules is a node_modules directory, or a project directory
	// holding one, whose pure-JavaScript packages hooks may require and
	// against which their declared dependencies are checked (see
	// engine.WithNodeModules and OpenNodeModules). Default none: hooks
	// require only the engine's own modules. With isolation "process",
	// the worker processes get it in WorkerModulesEnv and must open it
	// themselves, as hooks does.
	NodeModules string `yaml:"node_modules" json:"node_modules"`

	// Store is where hooks are kept: empty for the SQLite database in
	// DataDir (the default), or a PostgreSQL URL (postgres://...), which
	// several replicas share (see store.Postgres).
	Store string `yaml:"store" json:"store"`
	// StoreSchema is the PostgreSQL schema of the tables, created if
	// needed. Default: the connection's search_path (normally public).
	StoreSchema string `yaml:"store_schema" json:"store_schema"`
	// Throttle is where the hooks' fetch keeps each origin's rate-limit
	// budget: empty for this process alone (the default), or a Redis URL
	// (redis://...) that replicas share, so that together they keep
	// within each API's budget (see package redisbudget).
	Throttle string `yaml:"throttle" json:"throttle"`
	// ThrottlePrefix starts the throttle's Redis keys. Default
	// redisbudget.DefaultPrefix.
	ThrottlePrefix string `yaml:"throttle_prefix" json:"throttle_prefix"`
	// MetricsAddr is the address of a listener of its own serving the
	// Prometheus metrics at /metrics, without authentication: give it an
	// address only the Prometheus server reaches. Default "": no metrics
	// listener.
	MetricsAddr string `yaml:"metrics_addr" json:"metrics_addr"`
	// OTLPEndpoint turns tracing on: the URL of an OpenTelemetry collector
	// receiving OTLP over HTTP (such as http://127.0.0.1:4318; /v1/traces
	// is added to a URL without a path), to which
	// the server sends a span per hook run and per fetch request of a
	// hook. Requests carrying a W3C traceparent header continue their
	// trace, and fetch sends it on to the APIs hooks call. Default "": no
	// tracing.
	OTLPEndpoint string `yaml:"otlp_endpoint" json:"otlp_endpoint"`

	// Production settings: HTTPS, client-credentials tokens, and the
	// operator's policy for what hooks may reach and spend.

	// TLS serves HTTPS. Default nil: plain HTTP.
	TLS *TLSConfig `yaml:"tls" json:"tls"`
	// OAuth serves POST /oauth/token (client credentials) and
	// /.well-known/jwks.json. Default nil: neither; static tokens and JWT
	// keep working either way.
	OAuth *OAuthConfig `yaml:"oauth" json:"oauth"`
	// Network is what hooks' fetch may reach and how much it may fetch.
	Network NetworkConfig `yaml:"network" json:"network"`
	// HookMemory bounds the memory of a run, in bytes. Default
	// engine.DefaultMemory.
	HookMemory int64 `yaml:"hook_memory" json:"hook_memory"`
	// HookLimits override the limits of single hooks, by hook id or name
	// (the id wins). Only the operator sets them: the Management API has no
	// way to. Zero fields keep the server's limits.
	HookLimits map[string]HookLimits `yaml:"hook_limits" json:"hook_limits"`
}

// NetworkConfig is the operator's policy for the requests hooks make.
type NetworkConfig struct {
	// AllowHosts lists host names, IPs and CIDR networks that fetch (and
	// every HTTP module) may reach although they are loopback, private or
	// otherwise special-purpose addresses, which stay refused unless
	// listed; public addresses are always reachable. Default none.
	AllowHosts []string `yaml:"allow_hosts" json:"allow_hosts"`
	// MaxRequests bounds the requests of one run. Default 50.
	MaxRequests int `yaml:"max_requests" json:"max_requests"`
	// MaxResponseBytes bounds one response body, in bytes. Default
	// fetch.DefaultMaxBodyBytes.
	MaxResponseBytes int64 `yaml:"max_response_bytes" json:"max_response_bytes"`
	// MaxRunBytes bounds the response bytes of one run, summed over its
	// requests. Default sandbox.DefaultMaxRunBytes (32 MiB).
	MaxRunBytes int64 `yaml:"max_run_bytes" json:"max_run_bytes"`
}

// HookLimits are the limits of one hook's runs.
type HookLimits struct {
	// WallTime bounds a run. Default: Config.HookWallTime.
	WallTime Duration `yaml:"wall_time" json:"wall_time"`
	// CPUTime bounds a run's JavaScript time. Default: Config.HookCPUTime.
	CPUTime Duration `yaml:"cpu_time" json:"cpu_time"`
	// Memory bounds a run's memory in bytes. Default: Config.HookMemory.
	Memory int64 `yaml:"memory" json:"memory"`
	// MaxRequests bounds a run's fetch requests. Default:
	// Network.MaxRequests.
	MaxRequests int `yaml:"max_requests" json:"max_requests"`
	// MaxRunBytes bounds a run's response bytes. Default:
	// Network.MaxRunBytes.
	MaxRunBytes int64 `yaml:"max_run_bytes" json:"max_run_bytes"`
}

// JWTConfig configures JWT access tokens (see mgmtapi.JWTConfig).
type JWTConfig struct {
	// Audience is the aud tokens must carry. Required.
	Audience string `yaml:"audience" json:"audience"`
	// Issuer is the iss tokens must carry. Default: any.
	Issuer string `yaml:"issuer" json:"issuer"`
	// HS256SecretFile holds the HS256 secret (at least 32 bytes; a
	// trailing newline is ignored). Default none.
	HS256SecretFile string `yaml:"hs256_secret_file" json:"hs256_secret_file"`
	// RS256PublicKeyFiles are PEM files of RS256 public keys, by key id
	// (the kid header). Default none.
	RS256PublicKeyFiles map[string]string `yaml:"rs256_public_key_files" json:"rs256_public_key_files"`
	// Leeway tolerates clock skew. Default 0.
	Leeway Duration `yaml:"leeway" json:"leeway"`
}

// Duration is a time.Duration written as in Go ("30s", "1m").
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	if v < 0 {
		return fmt.Errorf("negative duration %s", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// LoadConfig reads a YAML configuration file. Unknown keys are errors.
func LoadConfig(path string) (Config, error) {
	var c Config
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	// An empty file is an empty configuration.
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return c, fmt.Errorf("server: %s: %w", path, err)
	}
	return c, nil
}

func orDefault(d Duration, def time.Duration) time.Duration {
	if d > 0 {
		return time.Duration(d)
	}
	return def
}

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	return c
}

// jwtAuthenticator builds the JWT authenticator of the configuration.
func (j *JWTConfig) authenticator() (*mgmtapi.JWT, error) {
	cfg := mgmtapi.JWTConfig{Audience: j.Audience, Issuer: j.Issuer, Leeway: time.Duration(j.Leeway)}
	if j.HS256SecretFile != "" {
		b, err := os.ReadFile(j.HS256SecretFile)
		if err != nil {
			return nil, fmt.Errorf("server: jwt.hs256_secret_file: %w", err)
		}
		cfg.HS256Secret = []byte(strings.TrimRight(string(b), "\r\n"))
	}
	if len(j.RS256PublicKeyFiles) > 0 {
		cfg.RS256Keys = map[string]*rsa.PublicKey{}
		for kid, file := range j.RS256PublicKeyFiles {
			b, err := os.ReadFile(file)
			if err != nil {
				return nil, fmt.Errorf("server: jwt.rs256_public_key_files[%s]: %w", kid, err)
			}
			k, err := jwt.ParseRSAPublicKeyFromPEM(b)
			if err != nil {
				return nil, fmt.Errorf("server: jwt.rs256_public_key_files[%s]: %w", kid, err)
			}
			cfg.RS256Keys[kid] = k
		}
	}
	return mgmtapi.NewJWT(cfg)
}
