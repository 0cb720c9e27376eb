package engine

import (
	"hash/maphash"
	"maps"
	"slices"
	"sync"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/triggers"
)

// hookRuntime is a runtime set up for one hook: its script has run and
// module.exports is the hook function.
type hookRuntime struct {
	rt     *sandbox.Runtime
	fn     goja.Callable // nil until the module has been set up
	form   triggers.Form // the form fn was found in, once set up
	owner  *hookPool
	pooled bool // set up by a run that was allowed to keep it
}

// hookPool holds the idle runtimes of one hook. A hook is its identity (id
// and name), trigger, script and secrets: runtimes are never shared between
// hooks that differ in any of them, so no hook sees another's globals,
// prototypes or secrets.
type hookPool struct {
	key     uint64
	id      string
	name    string
	trigger triggers.ID
	form    triggers.Form
	script  string
	secrets map[string]string
	keys    []string     // secret names, sorted
	values  []goja.Value // the secrets as script strings, in the order of keys
	meta    []goja.Value // the values of context.webtask.meta
	idle    []*hookRuntime
	// indexed while it has idle runtimes: in runtimePool.pools, chained by
	// sameKey to the other indexed pools of its key, and in the LRU list.
	indexed      bool
	sameKey      *hookPool
	newer, older *hookPool
}

func (p *hookPool) matches(h *Hook) bool {
	return p.id == h.ID && p.name == h.Name && p.trigger == h.Trigger &&
		p.form == h.Form && p.script == h.Script && maps.Equal(p.secrets, h.Secrets)
}

// runtimePool keeps idle runtimes by hook, bounded per hook and in total;
// when full it drops the runtimes of the least recently used hooks. It is
// safe for concurrent use.
type runtimePool struct {
	seed    maphash.Seed
	maxIdle int
	perHook int

	mu    sync.Mutex
	pools map[uint64]*hookPool // the indexed pools, by key (chained by sameKey)
	// newest and oldest end the LRU list of the indexed pools (linked by
	// newer and older): no allocation when a pool comes and goes, as it
	// does on every run of a hook with one runtime.
	newest, oldest *hookPool
	idle           int
	evicted        int64 // idle runtimes dropped to keep idle within maxIdle
	// current is, by hook id, the key of the version of the hook whose
	// first run came last: the runtimes of its other versions are dropped
	// (see retire).
	current map[string]uint64
}

func newRuntimePool(maxIdle, perHook int) *runtimePool {
	return &runtimePool{seed: maphash.MakeSeed(), maxIdle: maxIdle, perHook: perHook, pools: make(map[uint64]*hookPool),
		current: make(map[string]uint64)}
}

func (rp *runtimePool) key(h *Hook) uint64 {
	var hh maphash.Hash
	hh.SetSeed(rp.seed)
	for _, s := range []string{h.ID, h.Name, string(h.Trigger), string(h.Form), h.Script} {
		hh.WriteString(s)
		hh.WriteByte(0)
	}
	k := hh.Sum64()
	// Secrets are combined order-independently, so no sorting is needed.
	for name, value := range h.Secrets {
		k ^= maphash.String(rp.seed, name+"\x00"+value) * 0x9E3779B97F4A7C15
	}
	return k
}

// get returns an idle runtime of hook h, or a new hookRuntime (with no
// runtime yet) for h. Only pools holding idle runtimes are indexed, so the
// index never grows past the idle bound however many hooks come and go.
func (rp *runtimePool) get(h *Hook) *hookRuntime {
	k := rp.key(h)
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if p := rp.find(k, h); p != nil {
		n := len(p.idle)
		hr := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		rp.idle--
		if n == 1 {
			rp.unindex(p)
		} else {
			rp.toFront(p)
		}
		return hr
	}
	if h.ID != "" {
		rp.retire(h, k)
	}
	keys := slices.Sorted(maps.Keys(h.Secrets))
	return &hookRuntime{owner: &hookPool{
		key: k, id: h.ID, name: h.Name, trigger: h.Trigger, form: h.Form, script: h.Script,
		secrets: maps.Clone(h.Secrets), keys: keys, values: secretValues(keys, h.Secrets),
		meta: webtaskMeta(h.Trigger),
	}}
}

// find returns the indexed pool of hook h. Callers hold mu.
func (rp *runtimePool) find(k uint64, h *Hook) *hookPool {
	for p := rp.pools[k]; p != nil; p = p.sameKey {
		if p.matches(h) {
			return p
		}
	}
	return nil
}

// put returns a runtime to its hook's pool, or drops it when the pool is at
// its bound.
func (rp *runtimePool) put(hr *hookRuntime) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.maxIdle == 0 {
		return
	}
	p := hr.owner
	if cur, ok := rp.current[p.id]; ok && cur != p.key {
		// The run of a version the hook has since left behind.
		return
	}
	if !p.indexed {
		// Not indexed: join the indexed pool of the same hook, or index this one.
		h := Hook{ID: p.id, Name: p.name, Trigger: p.trigger, Script: p.script, Secrets: p.secrets}
		if q := rp.find(p.key, &h); q != nil {
			p, hr.owner = q, q
		} else {
			rp.index(p)
		}
	}
	if len(p.idle) >= rp.perHook {
		return
	}
	p.idle = append(p.idle, hr)
	rp.idle++
	rp.toFront(p)
	for rp.idle > rp.maxIdle {
		p := rp.oldest
		rp.evicted += int64(len(p.idle))
		rp.evict(p)
	}
}

// evict drops every idle runtime of p and unindexes it. Callers hold mu.
func (rp *runtimePool) evict(p *hookPool) {
	rp.idle -= len(p.idle)
	clear(p.idle)
	p.idle = nil
	rp.unindex(p)
}

// index adds p to the index, as the most recently used. Callers hold mu.
func (rp *runtimePool) index(p *hookPool) {
	p.indexed = true
	p.sameKey = rp.pools[p.key]
	rp.pools[p.key] = p
	p.older = rp.newest
	if rp.newest != nil {
		rp.newest.newer = p
	} else {
		rp.oldest = p
	}
	rp.newest = p
}

// toFront makes indexed p the most recently used. Callers hold mu.
func (rp *runtimePool) toFront(p *hookPool) {
	if rp.newest == p {
		return
	}
	rp.unlink(p)
	p.older = rp.newest
	rp.newest.newer = p
	rp.newest = p
}

// unlink takes p out of the LRU list. Callers hold mu.
func (rp *runtimePool) unlink(p *hookPool) {
	if p.newer != nil {
		p.newer.older = p.older
	} else {
		rp.newest = p.older
	}
	if p.older != nil {
		p.older.newer = p.newer
	} else {
		rp.oldest = p.newer
	}
	p.newer, p.older = nil, nil
}

// unindex removes p from the index and the LRU list. Callers hold mu.
func (rp *runtimePool) unindex(p *hookPool) {
	rp.unlink(p)
	p.indexed = false
	switch head := rp.pools[p.key]; {
	case head == p && p.sameKey == nil:
		delete(rp.pools, p.key)
	case head == p:
		rp.pools[p.key] = p.sameKey
	default:
		for q := head; q != nil; q = q.sameKey {
			if q.sameKey == p {
				q.sameKey = p.sameKey
				break
			}
		}
	}
	p.sameKey = nil
}

// clear drops every idle runtime.
func (rp *runtimePool) clear() {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	for rp.oldest != nil {
		rp.evict(rp.oldest)
	}
}

// retire makes h, of key k, the current version of its hook: a hook id
// has one script, secrets and settings at a time, and when a run finds
// none of h's runtimes idle, the runtimes other versions of the hook (an
// earlier script, changed secrets) keep are dropped, and so are those
// their runs still hold when they end. Without it a hook changed through
// a store that does not call Engine.Forget would keep its old versions'
// runtimes until the idle bound pushed them out, and the collector would
// go on scanning them. Two versions run alternately under one id only
// lose their warm runtimes to each other. Callers hold mu.
func (rp *runtimePool) retire(h *Hook, k uint64) {
	if cur, ok := rp.current[h.ID]; ok && cur == k {
		return
	}
	if len(rp.current) >= 4*max(rp.maxIdle, 64) {
		// Ids whose runtimes are all gone need no entry.
		live := make(map[string]bool, rp.idle)
		for p := rp.newest; p != nil; p = p.older {
			live[p.id] = true
		}
		maps.DeleteFunc(rp.current, func(id string, _ uint64) bool { return !live[id] })
	}
	rp.current[h.ID] = k
	rp.evictIf(func(p *hookPool) bool { return p.id == h.ID && !p.matches(h) })
}

// evictIf evicts the indexed pools drop chooses. Callers hold mu.
func (rp *runtimePool) evictIf(drop func(*hookPool) bool) {
	for p := rp.newest; p != nil; {
		older := p.older
		if drop(p) {
			rp.evict(p)
		}
		p = older
	}
}

// forget drops the idle runtimes of the hook with the given id.
func (rp *runtimePool) forget(id string) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.evictIf(func(p *hookPool) bool { return p.id == id })
	delete(rp.current, id)
}

// counts returns how many runtimes are idle and how many were evicted.
func (rp *runtimePool) counts() (idle int, evicted int64) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return rp.idle, rp.evicted
}
