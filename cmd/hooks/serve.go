package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/hookengine/hookengine/dashboard"
	"github.com/hookengine/hookengine/server"
)

var serveCommand = &command{
	name:    "serve",
	summary: "serve the Management API for hooks (/api/v2/hooks) over a local database",
	run:     serveRun,
	usage:   serveUsage,
}

// storeFlags are the flags that choose and open the local database, shared
// by serve, import and export.
type storeFlags struct {
	config string
	data   string
	store  string
	dev    bool
}

func (s *storeFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&s.config, "config", "", "YAML configuration file")
	fs.StringVar(&s.data, "data", "", "data directory")
	fs.StringVar(&s.store, "store", "", "PostgreSQL URL of the store")
	fs.BoolVar(&s.dev, "dev", false, "development mode")
}

// load reads the configuration file, if any, and applies the flags over it.
func (s *storeFlags) load() (server.Config, error) {
	var cfg server.Config
	if s.config != "" {
		c, err := server.LoadConfig(s.config)
		if err != nil {
			return cfg, err
		}
		cfg = c
	}
	if s.data != "" {
		cfg.DataDir = s.data
	}
	if s.store != "" {
		cfg.Store = s.store
	}
	if s.dev {
		cfg.Dev = true
	}
	return cfg, nil
}

type serveOptions struct {
	storeFlags
	prod      prodFlags
	addr      string
	verbose   bool
	isolation isolationFlag
	modules   string
	throttle  string
	metrics   string
}

func newServeFlags(o *serveOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("hooks serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	o.define(fs)
	fs.StringVar(&o.addr, "addr", "", "address to listen on")
	fs.BoolVar(&o.verbose, "verbose", false, "debug logs")
	fs.Var(&o.isolation, "isolation", "where hooks run: in-process or process")
	fs.StringVar(&o.modules, "modules", "", "node_modules directory")
	o.prod.define(fs)
	fs.StringVar(&o.throttle, "throttle", "", "Redis URL of the shared fetch throttle")
	fs.StringVar(&o.metrics, "metrics-addr", "", "address of the Prometheus metrics listener")
	return fs
}

// serveRun implements hooks serve: it serves until SIGINT or SIGTERM.
func serveRun(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signalContext()
	defer stop()
	return serve(ctx, args, stdout, stderr)
}

// serve runs the server until ctx is done.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o := &serveOptions{}
	fs := newServeFlags(o)
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		serveUsage(stdout)
		return exitOK
	} else if err != nil {
		return usageErrorf(stderr, "serve", "%v", err)
	}
	if fs.NArg() > 0 {
		return usageErrorf(stderr, "serve", "unexpected arguments %q", fs.Args())
	}
	cfg, err := o.load()
	if err != nil {
		return usageErrorf(stderr, "serve", "%v", err)
	}
	if o.addr != "" {
		cfg.Addr = o.addr
	}
	if o.isolation != "" {
		cfg.Isolation = string(o.isolation)
	}
	if o.modules != "" {
		cfg.NodeModules = o.modules
	}
	o.prod.apply(&cfg)
	if o.throttle != "" {
		cfg.Throttle = o.throttle
	}
	if o.metrics != "" {
		cfg.MetricsAddr = o.metrics
	}
	logger := newServerLogger(stderr, o.verbose)
	defer func() { _ = logger.Sync() }()
	if cfg.Dev {
		fmt.Fprintln(stderr, "hooks: DEVELOPMENT MODE: do not use it in production (see hooks serve --help)")
	}
	srv, err := server.New(ctx, cfg, logger, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "hooks: %v\n", err)
		return exitFailure
	}
	ln, err := srv.Listen()
	if err != nil {
		srv.Close()
		fmt.Fprintf(stderr, "hooks: %v\n", err)
		return exitFailure
	}
	mln, err := srv.ListenMetrics()
	if err != nil {
		ln.Close()
		srv.Close()
		fmt.Fprintf(stderr, "hooks: %v\n", err)
		return exitFailure
	}
	if mln != nil {
		fmt.Fprintf(stdout, "hooks: Prometheus metrics on http://%s/metrics\n", mln.Addr())
	}
	fmt.Fprintf(stdout, "hooks: serving the Management API on %s://%s/api/v2/hooks\n", srv.Scheme(), ln.Addr())
	o.prod.announce(stdout, srv)
	page := fmt.Sprintf("%s://%s%s", srv.Scheme(), ln.Addr(), dashboard.Path)
	if tok := srv.DevToken(); tok != "" {
		// The token rides in the fragment, which the browser never sends;
		// the page moves it to the tab's session storage at once.
		fmt.Fprintf(stdout, "hooks: the Hooks page, signed in with the development token: %s#token=%s\n", page, tok)
	} else {
		fmt.Fprintf(stdout, "hooks: the Hooks page: %s (sign in with a token)\n", page)
	}
	if err := srv.Serve(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "hooks: %v\n", err)
		return exitFailure
	}
	fmt.Fprintln(stdout, "hooks: stopped")
	return exitOK
}

// newServerLogger is a JSON logger on w, at info level (debug when verbose).
func newServerLogger(w io.Writer, verbose bool) *zap.Logger {
	level := zapcore.InfoLevel
	if verbose {
		level = zapcore.DebugLevel
	}
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	out := zapcore.Lock(zapcore.AddSync(w))
	return zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(enc), out, level), zap.ErrorOutput(out))
}

func serveUsage(w io.Writer) {
	var b strings.Builder
	fmt.Fprintf(&b, `Usage: hooks serve [--data DIR] [--store postgres://...] [--addr HOST:PORT]
                   [--config FILE] [--dev] [--isolation in-process|process]
                   [--modules DIR] [--verbose]
                   [--tls-cert FILE --tls-key FILE | --tls-self-signed]
                   [--allow-host HOST|CIDR]... [--throttle redis://...]
                   [--metrics-addr HOST:PORT]

Serve Auth0's Management API for hooks (/api/v2/hooks and its secrets), the
hookengine endpoints (/hookengine/v1/...: run, compile check, log stream),
and the Hooks page (/dashboard/), over a SQLite database in a data
directory, or over PostgreSQL (--store), which several replicas share.
Hooks enabled there run by trigger. Stop with SIGINT or SIGTERM:
requests in progress finish first, for up to shutdown_timeout (30s by
default); hook runs still going then are ended and their requests
answered, and the process exits at most 1s later, even if a run never
returns (exit status 1 when runs had to be ended).

Flags:
  --data DIR        data directory, created if needed (default %s)
  --store URL       keep hooks in PostgreSQL (postgres://...), shared by
                    several replicas, instead of SQLite in the data
                    directory (default: the configuration's store key,
                    else SQLite)
  --throttle URL    keep the hooks' fetch rate-limit budgets in Redis
                    (redis://...), shared by several replicas (default:
                    the configuration's throttle key, else this process
                    alone)
  --allow-host HOST|CIDR
                    a host name, IP or network the hooks' fetch may reach
                    although it is private or special-purpose, such as an
                    internal API; repeatable, added to the configuration's
                    allow_hosts (default: none)
  --metrics-addr HOST:PORT
                    serve Prometheus metrics at /metrics on a listener of
                    their own, without authentication: bind it where only
                    Prometheus reaches (default: the configuration's
                    metrics_addr, else no metrics listener)
  --addr HOST:PORT  address to listen on (default %s: this
                    machine only; port 0 picks a free one)
  --config FILE     YAML configuration: data_dir, store, store_schema,
                    throttle, throttle_prefix, metrics_addr, otlp_endpoint
                    (tracing), addr, secrets_key_file, tokens, jwt,
                    timeouts, hook limits, isolation, node_modules, tls,
                    oauth, network (default: none);
                    flags override it
  --dev             development mode (default false): without a secrets
                    key, generate one and keep it in the data directory
  --isolation MODE  where hooks run: in-process, or process: in worker
                    processes killed when a run passes its limits and held
                    by the kernel to their memory limit (default: the
                    configuration's isolation key, else in-process)
  --modules DIR     a node_modules directory (or a project directory
                    holding one): hooks may require its pure-JavaScript
                    packages, and their declared dependencies are checked
                    against it (default: the configuration's node_modules
                    key, else none)
  --verbose         debug logs, one per request (default false: info)
  --tls-cert FILE   serve HTTPS (TLS 1.2 or later, HTTP/2) with this PEM
  --tls-key FILE    certificate chain and key; both files are read again
                    when they change, so a renewed certificate needs no
                    restart (config: tls.cert_file, tls.key_file)
  --tls-self-signed with --dev: serve HTTPS with a self-signed certificate
                    for the listen address, made in the data directory;
                    its path and the NODE_EXTRA_CA_CERTS line for Node
                    clients are printed (config: tls.self_signed)
  --allow-host HOST|CIDR
                    a host name, IP or network that hooks' fetch may reach
                    although it is loopback or private, repeatable (config:
                    network.allow_hosts; public addresses are always
                    reachable)
  -h, --help        show this help

Client credentials: with an oauth: section in the configuration (clients,
their secrets' SHA-256 and scopes), POST /oauth/token answers the
client-credentials grant as Auth0 does, with RS256 tokens for the audience
https://DOMAIN/api/v2/ (signed with %s in the data
directory; the public key is served at /.well-known/jwks.json), so the
Deploy CLI and Auth0's SDKs log in with AUTH0_CLIENT_ID and
AUTH0_CLIENT_SECRET unchanged.

Limits: hook_wall_time, hook_cpu_time, hook_memory, network.max_requests,
network.max_response_bytes and network.max_run_bytes (response bytes per
run) set every run's limits; hook_limits gives single hooks (by id or
name) their own wall_time, cpu_time, memory, max_requests and
max_run_bytes.
Only the configuration sets them; the API cannot.

Secrets key: hook secrets are encrypted at rest with AES-256-GCM. The key,
32 bytes in base64 or hex, comes from the configuration (secrets_key_file)
or from $%s. Without one, hooks serve refuses to start,
unless --dev is given.

Tokens: requests carry "Authorization: Bearer TOKEN" with the scopes
read:hooks, create:hooks, update:hooks, delete:hooks and run:hooks. Tokens
come from the configuration (tokens: static tokens and their scopes; jwt:
HS256 or RS256 access tokens for an audience) and from $%s
(all scopes). With none of them, a development token with all scopes is
made on first start and printed once on stdout; only its SHA-256 is kept in
the data directory (delete %s there to make a new one).

Output: "hooks: serving the Management API on http://ADDR/api/v2/hooks" on
stdout once listening, then the address of the Hooks page (with the
development token in its fragment when it was just made: opening that link
signs in); JSON logs on stderr (never tokens or secret values).

Exit status:
  0  stopped by SIGINT or SIGTERM after a clean shutdown
  1  could not start (no secrets key, address in use, wrong key for the
     database...) or did not shut down cleanly
  2  usage error

Example:
  head -c 32 /dev/urandom | base64 > secrets.key   # once; keep it safe
  HOOKENGINE_SECRETS_KEY=$(cat secrets.key) hooks serve --data ./hookengine-data
`, server.DefaultDataDir, server.DefaultAddr, server.SigningKeyFile, server.EnvSecretsKey, server.EnvToken, server.DevTokenFile)
	io.WriteString(w, b.String())
}
