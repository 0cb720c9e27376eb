package redisbudget

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hookengine/hookengine/sandbox/fetch"
)

// Defaults of Options.
const (
	DefaultPrefix  = "hookengine:fetch:"
	DefaultTimeout = 500 * time.Millisecond
)

// idleTTL is how long an origin's keys live after their last use.
const idleTTL = 10 * time.Minute

// processTTL is how long a process counts among an origin's users after its
// last request.
const processTTL = 10 * time.Second

// Options configure a Budget.
type Options struct {
	// Prefix starts every key. Default DefaultPrefix. Processes share
	// budgets when they use the same Redis and the same prefix.
	Prefix string
	// Timeout bounds each call to Redis: past it, the call fails and the
	// Throttle falls back on its local state. Default DefaultTimeout.
	Timeout time.Duration
}

// Budget is a fetch.SharedBudget in Redis. It is safe for concurrent use.
type Budget struct {
	rdb     redis.Scripter
	prefix  string
	timeout time.Duration
	process string
	leases  atomic.Int64
}

var _ fetch.SharedBudget = (*Budget)(nil)

// New returns a Budget keeping its state in rdb (a *redis.Client, a cluster
// client or any redis.Scripter).
func New(rdb redis.Scripter, opts Options) *Budget {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	return &Budget{rdb: rdb, prefix: opts.Prefix, timeout: opts.Timeout, process: hex.EncodeToString(id)}
}

// ErrBadURL reports a Redis URL go-redis cannot read.
var ErrBadURL = errors.New("redisbudget: bad Redis URL")

// Open connects to the Redis server at url (redis://[user:password@]host:port/db,
// or rediss:// for TLS) with short timeouts, so an unreachable Redis fails
// fast and the Throttles fall back on their local state; the client is
// returned for the caller to close.
func Open(url string, opts Options) (*Budget, *redis.Client, error) {
	ro, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	ro.DialTimeout = 250 * time.Millisecond
	ro.ReadTimeout = 500 * time.Millisecond
	ro.WriteTimeout = 500 * time.Millisecond
	ro.MaxRetries = -1 // a failure falls back at once; the Throttle retries later
	rdb := redis.NewClient(ro)
	return New(rdb, opts), rdb, nil
}

func (b *Budget) keys(origin string) []string {
	base := b.prefix + "{" + origin + "}:"
	return []string{base + "state", base + "inflight", base + "processes"}
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// acquireScript decides for one request; see fetch.SharedBudget. It
// returns {ok, until (ms, 0: none), processes}.
var acquireScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local reserve = tonumber(ARGV[2])
local initial = tonumber(ARGV[3])
local lease = tonumber(ARGV[4])
local ttl = tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[8]), ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('PEXPIRE', KEYS[3], ttl)
local procs = redis.call('ZCARD', KEYS[3])
local s = redis.call('HMGET', KEYS[1], 'known', 'limit', 'remaining', 'reset', 'blocked')
local known = s[1] == '1'
local limit = tonumber(s[2]) or -1
local remaining = tonumber(s[3]) or -1
local reset = tonumber(s[4]) or 0
local blocked = tonumber(s[5]) or 0
local inflight = redis.call('ZCARD', KEYS[2])
if now < blocked then
	return {0, blocked, procs}
end
if known and reset > 0 and now >= reset then
	if limit >= 0 then
		remaining = limit
		reset = 0
		redis.call('HSET', KEYS[1], 'remaining', remaining, 'reset', 0)
	else
		known = false
		redis.call('HSET', KEYS[1], 'known', 0)
	end
end
local ok = false
local untilv = 0
if not known then
	ok = inflight < initial
elseif remaining - reserve - inflight > 0 then
	ok = true
elseif reset > 0 then
	untilv = reset
elseif inflight == 0 then
	redis.call('HSET', KEYS[1], 'known', 0)
	ok = inflight < initial
end
if ok then
	redis.call('ZADD', KEYS[2], now + lease, ARGV[5])
	redis.call('PEXPIRE', KEYS[2], ttl)
	redis.call('PEXPIRE', KEYS[1], ttl)
	return {1, 0, procs}
end
return {0, untilv, procs}
`)

// releaseScript ends a request and records its reading: a reading of a
// window already over, or older than the one known, is ignored; one of the
// same window only lowers the remaining budget.
var releaseScript = redis.NewScript(`
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[2] ~= '1' then
	return 0
end
local limit = tonumber(ARGV[3])
local remaining = tonumber(ARGV[4])
local reset = tonumber(ARGV[5])
local now = tonumber(ARGV[6])
if reset > 0 and reset <= now then
	return 0
end
local s = redis.call('HMGET', KEYS[1], 'known', 'remaining', 'reset')
local known = s[1] == '1'
local curRemaining = tonumber(s[2]) or -1
local curReset = tonumber(s[3]) or 0
if known and curReset > 0 and reset > 0 then
	if reset < curReset - 1000 then
		return 0
	end
	if reset <= curReset + 1000 and curRemaining < remaining then
		remaining = curRemaining
	end
end
redis.call('HSET', KEYS[1], 'known', 1, 'limit', limit, 'remaining', remaining, 'reset', reset)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[7]))
return 1
`)

// blockScript holds the origin until ARGV[1] (ms), unless it already is
// held longer.
var blockScript = redis.NewScript(`
local cur = tonumber(redis.call('HGET', KEYS[1], 'blocked')) or 0
if tonumber(ARGV[1]) > cur then
	redis.call('HSET', KEYS[1], 'blocked', ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
`)

// Acquire implements fetch.SharedBudget.
func (b *Budget) Acquire(ctx context.Context, origin string, p fetch.SharedPolicy, now time.Time) (fetch.Grant, error) {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	lease := b.process + ":" + strconv.FormatInt(b.leases.Add(1), 10)
	if p.Lease <= 0 {
		p.Lease = fetch.DefaultLease
	}
	res, err := acquireScript.Run(ctx, b.rdb, b.keys(origin), now.UnixMilli(), p.Reserve, p.InitialConcurrency,
		p.Lease.Milliseconds(), lease, b.process, idleTTL.Milliseconds(), processTTL.Milliseconds()).Int64Slice()
	if err != nil {
		return fetch.Grant{}, fmt.Errorf("redisbudget: %w", err)
	}
	if len(res) != 3 {
		return fetch.Grant{}, fmt.Errorf("redisbudget: unexpected answer %v", res)
	}
	g := fetch.Grant{OK: res[0] == 1, Processes: int(res[2])}
	if g.OK {
		g.Lease = lease
	}
	if res[1] > 0 {
		g.Until = time.UnixMilli(res[1])
	}
	return g, nil
}

// Release implements fetch.SharedBudget.
func (b *Budget) Release(ctx context.Context, origin, lease string, l fetch.Limits, now time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	known := 0
	if l.Known() {
		known = 1
	}
	err := releaseScript.Run(ctx, b.rdb, b.keys(origin), lease, known, l.Limit, l.Remaining, ms(l.Reset), now.UnixMilli(),
		idleTTL.Milliseconds()).Err()
	if err != nil {
		return fmt.Errorf("redisbudget: %w", err)
	}
	return nil
}

// Block implements fetch.SharedBudget.
func (b *Budget) Block(ctx context.Context, origin string, until time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	if err := blockScript.Run(ctx, b.rdb, b.keys(origin)[:1], until.UnixMilli(), idleTTL.Milliseconds()).Err(); err != nil {
		return fmt.Errorf("redisbudget: %w", err)
	}
	return nil
}
