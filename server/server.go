package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/hookengine/hookengine/dashboard"
	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/metrics"
	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/runner"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/sandbox/fetch"
	"github.com/hookengine/hookengine/sandbox/fetch/redisbudget"
	"github.com/hookengine/hookengine/store"
)

// ErrNoSecretsKey reports a configuration without a secrets key outside
// development mode.
var ErrNoSecretsKey = errors.New("server: no secrets key: set " + EnvSecretsKey +
	" to 32 random bytes in base64 (for instance the output of: head -c 32 /dev/urandom | base64), " +
	"or secrets_key_file in the configuration; or run in development mode (--dev), which keeps a generated key beside the database")

// OpenStore opens the store of the configuration: the PostgreSQL database
// of cfg.Store when it is a postgres:// (or postgresql://) URL, else the
// SQLite database in the data directory, creating both if needed. The data
// directory is created in both cases (development mode keeps its key and
// token there). The secrets key comes from
// cfg.SecretsKey, else cfg.SecretsKeyFile, else $HOOKENGINE_SECRETS_KEY;
// without one, development mode (cfg.Dev) generates one in the data
// directory and logs a loud warning, and otherwise OpenStore fails with
// ErrNoSecretsKey.
func OpenStore(ctx context.Context, cfg Config, log *zap.Logger) (store.Store, error) {
	cfg = cfg.withDefaults()
	if log == nil {
		log = zap.NewNop()
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("server: data directory: %w", err)
	}
	key, err := secretsKey(cfg, log)
	if err != nil {
		return nil, err
	}
	c, err := store.NewCipher(key)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.Store == "" || cfg.Store == "sqlite":
		st, err := store.OpenSQLite(ctx, filepath.Join(cfg.DataDir, DatabaseFile), store.SQLiteOptions{Cipher: c})
		if err != nil {
			return nil, err
		}
		for _, r := range st.RestoredNames() {
			log.Warn("hook name restored: older versions stored names rewritten; check it is the name clients use, and rename the hook if not",
				zap.String("hook_id", r.ID), zap.String("stored", r.From), zap.String("restored", r.To))
		}
		return st, nil
	case strings.HasPrefix(cfg.Store, "postgres://") || strings.HasPrefix(cfg.Store, "postgresql://"):
		return store.OpenPostgres(ctx, cfg.Store, store.PostgresOptions{Cipher: c, Schema: cfg.StoreSchema})
	}
	return nil, fmt.Errorf("server: store %q: use a postgres:// URL, or nothing for SQLite in the data directory", redactURL(cfg.Store))
}

// redactURL hides the password of a URL, for messages.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return u.Redacted()
	}
	return s
}

// secretsKey finds the secrets key, or makes one in development mode.
func secretsKey(cfg Config, log *zap.Logger) ([]byte, error) {
	source, text := "", ""
	switch {
	case cfg.SecretsKey != "":
		source, text = "secrets_key", cfg.SecretsKey
	case cfg.SecretsKeyFile != "":
		b, err := os.ReadFile(cfg.SecretsKeyFile)
		if err != nil {
			return nil, fmt.Errorf("server: secrets_key_file: %w", err)
		}
		source, text = cfg.SecretsKeyFile, string(b)
	case os.Getenv(EnvSecretsKey) != "":
		source, text = EnvSecretsKey, os.Getenv(EnvSecretsKey)
	}
	if source != "" {
		key, err := store.ParseKey(text)
		if err != nil {
			return nil, fmt.Errorf("server: the secrets key from %s: %w", source, err)
		}
		return key, nil
	}
	if !cfg.Dev {
		return nil, ErrNoSecretsKey
	}
	path := filepath.Join(cfg.DataDir, DevKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		key := store.GenerateKey()
		if err := writeNew(path, store.EncodeKey(key)+"\n"); err != nil {
			return nil, fmt.Errorf("server: writing the development key: %w", err)
		}
		b = []byte(store.EncodeKey(key))
	case err != nil:
		return nil, fmt.Errorf("server: reading the development key: %w", err)
	}
	key, err := store.ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("server: %s: %w", path, err)
	}
	log.Warn("DEVELOPMENT MODE: hook secrets are encrypted with a key kept beside the database; anyone who can read the data directory can read them. Do not use this mode in production: set "+EnvSecretsKey+" instead.",
		zap.String("key_file", path))
	return key, nil
}

// writeNew creates a file readable by its owner only; it fails if the file
// exists.
func writeNew(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, content); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Authenticator builds the authenticator of the configuration: its static
// tokens, its JWT settings, and $HOOKENGINE_TOKEN (every scope). When none
// is configured, it uses the development token: made on first start, its
// SHA-256 digest kept in DataDir/DevTokenFile, and the token itself written
// once to announce, which the caller shows the user. The token is never
// logged.
func Authenticator(cfg Config, log *zap.Logger, announce io.Writer) (mgmtapi.Authenticator, error) {
	a, _, err := authenticator(cfg, log, announce, nil)
	return a, err
}

// authenticator is Authenticator, plus the development token when it was
// made by this call.
// issuer, when not nil, accepts the tokens of /oauth/token too.
func authenticator(cfg Config, log *zap.Logger, announce io.Writer, issuer *TokenIssuer) (mgmtapi.Authenticator, string, error) {
	cfg = cfg.withDefaults()
	if log == nil {
		log = zap.NewNop()
	}
	var auths []mgmtapi.Authenticator
	tokens := append([]mgmtapi.StaticToken(nil), cfg.Tokens...)
	if t := os.Getenv(EnvToken); t != "" {
		tokens = append(tokens, mgmtapi.StaticToken{Name: EnvToken, Token: t})
	}
	if len(tokens) > 0 {
		s, err := mgmtapi.NewStaticTokens(tokens...)
		if err != nil {
			return nil, "", err
		}
		auths = append(auths, s)
	}
	if cfg.JWT != nil {
		j, err := cfg.JWT.authenticator()
		if err != nil {
			return nil, "", err
		}
		auths = append(auths, j)
	}
	if issuer != nil {
		auths = append(auths, issuer)
	}
	if len(auths) > 0 {
		return mgmtapi.AnyOf(auths...), "", nil
	}
	digest, token, err := devTokenDigest(cfg.DataDir, announce)
	if err != nil {
		return nil, "", err
	}
	log.Info("no tokens configured: the development token (all scopes) is accepted", zap.String("digest_file", filepath.Join(cfg.DataDir, DevTokenFile)))
	auth, err := mgmtapi.NewStaticTokens(mgmtapi.StaticToken{Name: "development-token", SHA256: digest})
	if err != nil {
		return nil, "", err
	}
	return auth, token, nil
}

// devTokenDigest returns the digest of the development token, making the
// token (and announcing and returning it) when there is none yet.
func devTokenDigest(dir string, announce io.Writer) (digest, token string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", err
	}
	path := filepath.Join(dir, DevTokenFile)
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), "", nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", "", fmt.Errorf("server: reading the development token's digest: %w", err)
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	token = "hkdev_" + base64.RawURLEncoding.EncodeToString(raw)
	digest = mgmtapi.TokenDigest(token)
	if err := writeNew(path, digest+"\n"); err != nil {
		return "", "", fmt.Errorf("server: writing the development token's digest: %w", err)
	}
	if announce != nil {
		fmt.Fprintf(announce, "development token (all scopes; shown this once, only its SHA-256 is kept in %s):\n  %s\n", path, token)
	}
	return digest, token, nil
}

// Server is the Management API, the run endpoints and the Hooks page on an
// HTTP server, over a SQLite store in a data directory. Make one with New,
// run it with Serve. A Server is safe for concurrent use; Serve is called
// once.
type Server struct {
	cfg      Config
	tls      *tls.Config
	devCert  string
	issuer   *TokenIssuer
	log      *zap.Logger
	store    store.Store
	engine   *engine.Engine
	modules  *os.Root // Config.NodeModules, or nil
	runLogs  *mgmtapi.RunLogs
	devToken string
	handler  http.Handler
	http     *http.Server
	// engineShutdown is engine.Shutdown; tests replace it.
	engineShutdown func(context.Context) error
	// cancelRequests ends the context of every request.
	cancelRequests context.CancelFunc
	// watchDone is closed when the store's Watch returns (nil when the
	// store has none).
	watchDone chan struct{}
	// closeRedis closes the throttle's Redis client, if any.
	closeRedis func()
	// metrics observes the engine; metricsHandler serves its registry.
	metrics        *metrics.Collector
	metricsHandler http.Handler
	// metricsLn is the metrics listener (see ListenMetrics), or nil.
	metricsLn net.Listener
	// tracerProvider exports spans when tracing is on, else nil.
	tracerProvider *sdktrace.TracerProvider
}

// tracerProvider returns a tracer provider exporting spans over OTLP/HTTP
// to endpoint, or nil when endpoint is empty.
func tracerProvider(ctx context.Context, endpoint string) (*sdktrace.TracerProvider, error) {
	if endpoint == "" {
		return nil, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server: otlp_endpoint %q: use an http:// or https:// URL", redactURL(endpoint))
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/traces" // OTLP/HTTP's path for traces
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(u.String()))
	if err != nil {
		return nil, fmt.Errorf("server: otlp_endpoint: %w", err)
	}
	res := resource.NewSchemaless(attribute.String("service.name", "hookengine"))
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res)), nil
}

// WorkerModulesEnv is the environment variable in which a worker process
// (isolation "process") gets Config.NodeModules, to open with
// OpenNodeModules and give its engine with engine.WithNodeModules: an
// fs.FS does not cross the pipe to it.
const WorkerModulesEnv = "HOOKS_WORKER_MODULES"

// OpenNodeModules opens a node_modules directory: dir itself, or
// dir/node_modules when dir is a project directory that has one (what npm
// install --prefix dir creates). The *os.Root keeps every read, symbolic
// links included, inside the directory.
func OpenNodeModules(dir string) (*os.Root, error) {
	if filepath.Base(filepath.Clean(dir)) != "node_modules" {
		if st, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil && st.IsDir() {
			dir = filepath.Join(dir, "node_modules")
		}
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	return os.OpenRoot(dir)
}

// RunMargin is added to the hooks' wall-time limit to bound each run
// request (see mgmtapi.WithRunTimeout): a run request is answered by
// HookWallTime + RunMargin + mgmtapi.RunGrace at the latest, even if the
// engine has not returned the run.
const RunMargin = time.Second

// ShutdownGrace is how long Serve goes on after the shutdown timeout: the
// requests still in progress at the timeout have their runs ended and are
// answered in it (the engine's runs end within milliseconds of its close;
// a run the engine does not return is answered 504 after
// mgmtapi.RunGrace). Then the remaining connections are closed and Serve
// returns, whatever is still running.
const ShutdownGrace = mgmtapi.RunGrace + 500*time.Millisecond

// ErrShutdownIncomplete reports a shutdown that had to leave something
// running at its deadline: hook runs the engine did not return, requests
// that did not end, or a store that did not close. Serve returns it (the
// process should then exit, which ends them).
var ErrShutdownIncomplete = errors.New("server: shutdown incomplete")

// New opens the store, builds the engine and the handler. announce receives
// the development token when one is made (see Authenticator). log receives
// the server's logs, never tokens or secret values; nil discards them.
func New(ctx context.Context, cfg Config, log *zap.Logger, announce io.Writer) (_ *Server, retErr error) {
	cfg = cfg.withDefaults()
	if log == nil {
		log = zap.NewNop()
	}
	// The store first: a server that cannot start must not announce a
	// development token it will never show again.
	st, err := OpenStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	var (
		tlsCfg  *tls.Config
		devCert string
		issuer  *TokenIssuer
	)
	if cfg.TLS.enabled() {
		if tlsCfg, devCert, err = tlsSetup(cfg, log.Named("tls")); err != nil {
			st.Close()
			return nil, err
		}
	}
	if cfg.OAuth != nil {
		if issuer, err = NewTokenIssuer(*cfg.OAuth, cfg.DataDir, cfg.Addr, nil); err != nil {
			st.Close()
			return nil, err
		}
	}
	auth, devToken, err := authenticator(cfg, log, announce, issuer)
	if err != nil {
		st.Close()
		return nil, err
	}
	// Every line the engine logs about a run also goes to the log streams
	// of the page's real-time logs panel.
	runLogs := mgmtapi.NewRunLogs(mgmtapi.RunLogsConfig{})
	engineLog := log.Named("engine").WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core {
		return zapcore.NewTee(c, runLogs.Core())
	}))
	var modules *os.Root
	var rdb io.Closer
	closeRedis := func() {
		if rdb != nil {
			rdb.Close()
		}
	}
	closeAll := func() {
		st.Close()
		closeRedis()
		if modules != nil {
			modules.Close()
		}
	}
	if _, err := fetch.NewGuard(cfg.Network.AllowHosts...); err != nil {
		closeAll()
		return nil, fmt.Errorf("server: network.allow_hosts: %w", err)
	}
	if cfg.Network.MaxRunBytes < 0 {
		closeAll()
		return nil, fmt.Errorf("server: network.max_run_bytes: negative (%d); 0 is the default, %d bytes", cfg.Network.MaxRunBytes, sandbox.DefaultMaxRunBytes)
	}
	collector := metrics.NewCollector()
	fo := fetch.Options{Allow: cfg.Network.AllowHosts, MaxBodyBytes: cfg.Network.MaxResponseBytes, Observer: collector.ObserveFetch}
	if cfg.Throttle != "" {
		if !strings.HasPrefix(cfg.Throttle, "redis://") && !strings.HasPrefix(cfg.Throttle, "rediss://") {
			closeAll()
			return nil, fmt.Errorf("server: throttle %q: use a redis:// URL, or nothing for this process alone", redactURL(cfg.Throttle))
		}
		budget, client, err := redisbudget.Open(cfg.Throttle, redisbudget.Options{Prefix: cfg.ThrottlePrefix})
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("server: throttle: %w", err)
		}
		fo.Shared, rdb = budget, client
	}
	var tp *sdktrace.TracerProvider
	defer func() {
		// From here on, what fails closes the tracer provider too; once
		// New succeeds, closeStore does.
		if retErr != nil && tp != nil {
			_ = tp.Shutdown(context.Background())
		}
	}()
	tp, err = tracerProvider(ctx, cfg.OTLPEndpoint)
	if err != nil {
		closeAll()
		return nil, err
	}
	engineOpts := []engine.Option{engine.WithLogger(engineLog),
		engine.WithLimits(engine.Limits{WallTime: time.Duration(cfg.HookWallTime), CPUTime: time.Duration(cfg.HookCPUTime), Memory: cfg.HookMemory}),
		engine.WithFetch(engine.FetchOptions{Options: fo, MaxRequests: cfg.Network.MaxRequests, MaxRunBytes: cfg.Network.MaxRunBytes}),
		engine.WithObserver(collector)}
	if tp != nil {
		engineOpts = append(engineOpts, engine.WithTracerProvider(tp))
	}
	spares := DefaultSpareRuntimes
	if cfg.SpareRuntimes != nil {
		spares = *cfg.SpareRuntimes
	}
	if spares < 0 {
		closeAll()
		return nil, fmt.Errorf("server: spare_runtimes: negative count %d", spares)
	}
	engineOpts = append(engineOpts, engine.WithSpareRuntimes(spares))
	if cfg.IdleRuntimes != 0 || cfg.IdleRuntimesPerHook != 0 {
		if cfg.IdleRuntimes < 0 || cfg.IdleRuntimesPerHook < 0 {
			closeAll()
			return nil, fmt.Errorf("server: idle_runtimes and idle_runtimes_per_hook: negative count")
		}
		total := cfg.IdleRuntimes
		if total == 0 {
			total = engine.DefaultMaxIdleRuntimes
		}
		engineOpts = append(engineOpts, engine.WithIdleRuntimes(total, cfg.IdleRuntimesPerHook))
	}
	hookLimits := map[string]engine.Limits{}
	for k, l := range cfg.HookLimits {
		if l.Memory < 0 || l.MaxRequests < 0 || l.MaxRunBytes < 0 {
			closeAll()
			return nil, fmt.Errorf("server: hook_limits[%q]: negative limit", k)
		}
		hookLimits[k] = engine.Limits{WallTime: time.Duration(l.WallTime), CPUTime: time.Duration(l.CPUTime), Memory: l.Memory,
			FetchRequests: l.MaxRequests, FetchRunBytes: l.MaxRunBytes}
	}
	if cfg.NodeModules != "" {
		if modules, err = OpenNodeModules(cfg.NodeModules); err != nil {
			closeAll()
			return nil, fmt.Errorf("node_modules: %w", err)
		}
		engineOpts = append(engineOpts, engine.WithNodeModules(modules.FS()))
	}
	switch cfg.Isolation {
	case "", "in-process":
	case "process":
		iso := engine.ProcessIsolation{Workers: cfg.IsolationWorkers}
		if cfg.NodeModules != "" {
			dir, err := filepath.Abs(cfg.NodeModules)
			if err != nil {
				closeAll()
				return nil, fmt.Errorf("node_modules: %w", err)
			}
			iso.Env = []string{WorkerModulesEnv + "=" + dir}
		}
		engineOpts = append(engineOpts, engine.WithProcessIsolation(iso))
	default:
		closeAll()
		return nil, fmt.Errorf("isolation %q: must be in-process or process", cfg.Isolation)
	}
	e, err := engine.New(engineOpts...)
	if err != nil {
		closeAll()
		return nil, err
	}
	collector.SetEngine(e)
	registry := prometheus.NewRegistry()
	registry.MustRegister(collector, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	wall := time.Duration(cfg.HookWallTime)
	if wall <= 0 {
		wall = engine.DefaultWallTime
	}
	for _, l := range hookLimits {
		wall = max(wall, l.WallTime)
	}
	api := mgmtapi.NewHandler(st, mgmtapi.WithAuthenticator(auth), mgmtapi.WithRunner(runner.New(st, e, runner.WithHookLimits(hookLimits))),
		mgmtapi.WithCompiler(e), mgmtapi.WithRunLogs(runLogs), mgmtapi.WithLogger(log.Named("api")),
		mgmtapi.WithRunTimeout(wall+RunMargin))
	page := dashboard.Handler()
	base, cancelRequests := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, tls: tlsCfg, devCert: devCert, issuer: issuer, log: log, store: st, engine: e, modules: modules, runLogs: runLogs, devToken: devToken,
		engineShutdown: e.Shutdown, cancelRequests: cancelRequests, closeRedis: closeRedis,
		tracerProvider: tp, metrics: collector, metricsHandler: promhttp.HandlerFor(registry, promhttp.HandlerOpts{ErrorLog: zap.NewStdLog(log.Named("metrics"))})}
	s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tp != nil {
			// A caller's trace continues in the runs it asks for.
			r = r.WithContext(propagation.TraceContext{}.Extract(r.Context(), propagation.HeaderCarrier(r.Header)))
		}
		// Routing reads the path as sent: an encoded slash (%2F) or
		// backslash never separates segments, so /dashboard%2F... or
		// /healthz%2F... reach no page; the API handler, which gets
		// everything else, routes the same way and answers 404.
		switch p := r.URL.EscapedPath(); {
		case p == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, `{"status":"ok"}`+"\n")
		case issuer != nil && p == TokenPath:
			issuer.ServeToken(w, r)
		case issuer != nil && p == JWKSPath:
			issuer.ServeJWKS(w, r)
		case p == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			http.Redirect(w, r, dashboard.Path, http.StatusFound)
		case p+"/" == dashboard.Path || strings.HasPrefix(p, dashboard.Path):
			page.ServeHTTP(w, r)
		default:
			api.ServeHTTP(w, r)
		}
	})
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: orDefault(cfg.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		ReadTimeout:       orDefault(cfg.ReadTimeout, DefaultReadTimeout),
		WriteTimeout:      orDefault(cfg.WriteTimeout, DefaultWriteTimeout),
		IdleTimeout:       orDefault(cfg.IdleTimeout, DefaultIdleTimeout),
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          zap.NewStdLog(log.Named("http")),
		// Every request's context ends when shutdown reaches its deadline
		// (see Serve), so the requests still waiting for a run answer.
		BaseContext: func(net.Listener) context.Context { return base },
		TLSConfig:   tlsCfg,
	}
	// Log streams never end by themselves: shutting down ends them, so
	// that Shutdown does not wait for them.
	s.http.RegisterOnShutdown(runLogs.Close)
	if w, ok := st.(store.Watcher); ok {
		// A hook changed through another replica: drop its compiled
		// programs and warm runtimes here too. Closing the store ends
		// Watch. New returns once the watcher has read where the hooks
		// stand (a ReadyWatcher), so no change made after New returns
		// goes unreported.
		s.watchDone = make(chan struct{})
		wlog := log.Named("store")
		ready := make(chan struct{})
		var once sync.Once
		markReady := func() { once.Do(func() { close(ready) }) }
		changed := func(id string) {
			wlog.Debug("hook changed", zap.String("hook_id", id))
			e.Forget(id)
		}
		go func() {
			defer close(s.watchDone)
			defer markReady()
			var err error
			if rw, ok := w.(store.ReadyWatcher); ok {
				err = rw.WatchReady(context.Background(), changed, markReady)
			} else {
				markReady()
				err = w.Watch(context.Background(), changed)
			}
			if err != nil {
				wlog.Error("watching the store's changes stopped", zap.Error(err))
			}
		}()
		t := time.NewTimer(watchReadyTimeout)
		select {
		case <-ready:
		case <-ctx.Done():
		case <-t.C:
			wlog.Warn("the store's watcher has not read the hooks' versions yet; serving without waiting longer",
				zap.Duration("waited", watchReadyTimeout))
		}
		t.Stop()
	}
	return s, nil
}

// DevToken returns the development token when New made it, for the caller
// to show the user (hooks serve prints a sign-in link to the Hooks page
// with it); "" when tokens are configured or the token was made at an
// earlier start, since only its digest is kept.
func (s *Server) DevToken() string { return s.devToken }

// Scheme is "https" when the server speaks TLS, else "http".
func (s *Server) Scheme() string {
	if s.tls != nil {
		return "https"
	}
	return "http"
}

// DevCertificate is the path of the self-signed development certificate
// the server uses (TLSConfig.SelfSigned), "" when it uses none.
func (s *Server) DevCertificate() string { return s.devCert }

// TokenIssuer is the issuer of client-credentials tokens (Config.OAuth),
// nil when none is configured.
func (s *Server) TokenIssuer() *TokenIssuer { return s.issuer }

// Handler returns the server's handler: the Management API, the
// hookengine endpoints, the Hooks page under dashboard.Path (GET / leads
// there) and GET /healthz.
func (s *Server) Handler() http.Handler { return s.handler }

// Store returns the server's store.
func (s *Server) Store() store.Store { return s.store }

// Listen opens the configured address.
// When tokens are issued (Config.OAuth) without a configured domain, the
// domain becomes the address listened on, port included.
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return nil, err
	}
	if s.issuer != nil && s.cfg.OAuth.Domain == "" {
		if err := s.issuer.setDomain(ln.Addr().String()); err != nil {
			ln.Close()
			return nil, err
		}
	}
	return ln, nil
}

// Metrics returns the server's metrics collector, registered in the
// registry MetricsHandler serves.
func (s *Server) Metrics() *metrics.Collector { return s.metrics }

// MetricsHandler serves the Prometheus metrics (the engine's, and the Go
// runtime's and the process's), without authentication.
func (s *Server) MetricsHandler() http.Handler { return s.metricsHandler }

// ListenMetrics opens the metrics address of the configuration, which
// Serve then serves GET /metrics on; it returns nil and no error when the
// configuration has none. Call it before Serve.
func (s *Server) ListenMetrics() (net.Listener, error) {
	if s.cfg.MetricsAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", s.cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("server: metrics_addr: %w", err)
	}
	s.metricsLn = ln
	return ln, nil
}

// Serve serves on ln until ctx is done, then shuts down gracefully: it stops
// accepting connections and gives the requests in progress, and the hook
// runs they wait for, the configured shutdown timeout to finish. At the
// timeout the engine is closed, which ends the runs still going, and every
// request's context ends, so those requests are answered (see
// ShutdownGrace); then the remaining connections are closed and the store
// too. Serve returns within the shutdown timeout plus ShutdownGrace even if
// a run never returns, with an error wrapping ErrShutdownIncomplete in that
// case (plus at most 200 ms to close the store when the runs took all of
// the grace); it returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() {
		if s.tls != nil {
			// The certificate comes from TLSConfig.GetCertificate.
			errc <- s.http.ServeTLS(ln, "", "")
			return
		}
		errc <- s.http.Serve(ln)
	}()
	if s.metricsLn != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", s.metricsHandler)
		ms := &http.Server{Handler: mux, ReadHeaderTimeout: DefaultReadHeaderTimeout, WriteTimeout: DefaultReadTimeout,
			ErrorLog: zap.NewStdLog(s.log.Named("metrics"))}
		mdone := make(chan struct{})
		go func() {
			defer close(mdone)
			_ = ms.Serve(s.metricsLn)
		}()
		defer func() {
			_ = ms.Close()
			<-mdone
		}()
	}
	s.log.Info("serving", zap.String("addr", ln.Addr().String()), zap.String("data_dir", s.cfg.DataDir))
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
		s.log.Info("shutting down")
	}
	timeout := orDefault(s.cfg.ShutdownTimeout, DefaultShutdownTimeout)
	deadline := time.Now().Add(timeout)
	hard := deadline.Add(ShutdownGrace)
	bg := context.WithoutCancel(ctx)
	// The engine refuses new runs now and closes at the deadline, ending
	// the runs still going.
	sctx, cancel := context.WithDeadline(bg, deadline)
	defer cancel()
	engc := make(chan error, 1)
	go func() { engc <- s.engineShutdown(sctx) }()
	// At the deadline, the requests still waiting for a run are told to
	// stop waiting, so each is answered within mgmtapi.RunGrace.
	stopRequests := context.AfterFunc(sctx, s.cancelRequests)
	defer stopRequests()
	hctx, hcancel := context.WithDeadline(bg, hard)
	defer hcancel()
	var incomplete []string
	shutErr := s.http.Shutdown(hctx)
	if shutErr != nil {
		// Requests that did not end by the hard deadline: close their
		// connections and go on.
		_ = s.http.Close()
		incomplete = append(incomplete, "requests still in progress were cut off")
		shutErr = nil
	}
	if serveErr == nil {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			serveErr = err
		}
	}
	ok, engErr := waitUntil(engc, hard)
	if !ok {
		incomplete = append(incomplete, "hook runs the engine did not return were abandoned")
	} else if engErr != nil {
		engErr = fmt.Errorf("server: hook runs still in progress at the shutdown timeout were ended: %w", engErr)
	}
	if ok && s.modules != nil {
		// No run reads node_modules any more (an abandoned one might).
		s.modules.Close()
	}
	stc := make(chan error, 1)
	go func() { stc <- s.closeStore() }()
	ok, stErr := waitUntil(stc, later(hard, time.Now().Add(storeCloseTime)))
	if !ok {
		incomplete = append(incomplete, "the store did not close")
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	var incErr error
	if len(incomplete) > 0 {
		incErr = fmt.Errorf("%w: %s", ErrShutdownIncomplete, strings.Join(incomplete, "; "))
		s.log.Error("shutdown incomplete", zap.Strings("left", incomplete), zap.Duration("shutdown_timeout", timeout))
	}
	return errors.Join(serveErr, shutErr, engErr, stErr, incErr)
}

// storeCloseTime is the least time Serve gives the store to close, even
// past ShutdownGrace.
const storeCloseTime = 200 * time.Millisecond

// watchReadyTimeout bounds New's wait for the store's watcher to read the
// hooks' versions (see store.ReadyWatcher).
const watchReadyTimeout = 10 * time.Second

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// waitUntil receives from c until the deadline; ok is false when the
// deadline came first.
func waitUntil(c <-chan error, deadline time.Time) (ok bool, err error) {
	t := time.NewTimer(max(time.Until(deadline), 0))
	defer t.Stop()
	select {
	case err := <-c:
		return true, err
	case <-t.C:
		return false, nil
	}
}

// Close releases what New opened, for a Server that will not Serve (or
// whose Handler was served elsewhere): it ends the log streams too.
func (s *Server) Close() error {
	s.cancelRequests()
	s.runLogs.Close()
	if s.metricsLn != nil {
		s.metricsLn.Close()
	}
	err := errors.Join(s.engine.Close(), s.closeStore())
	if s.modules != nil {
		s.modules.Close()
	}
	return err
}

// closeStore closes the store, waits for its Watch to return, and closes
// the throttle's Redis client (the engine is closed by then).
func (s *Server) closeStore() error {
	s.closeRedis()
	if s.tracerProvider != nil {
		ctx, cancel := context.WithTimeout(context.Background(), storeCloseTime)
		_ = s.tracerProvider.Shutdown(ctx) // flushes the spans left
		cancel()
	}
	err := s.store.Close()
	if s.watchDone != nil {
		<-s.watchDone
	}
	return err
}
