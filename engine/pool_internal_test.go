package engine

import "testing"

// TestRuntimePoolIndex: pools sharing a key (a hash collision) are found,
// indexed and unindexed independently, and the least recently used pool's
// runtimes are the ones evicted.
func TestRuntimePoolIndex(t *testing.T) {
	rp := newRuntimePool(3, 2)
	hooks := []*Hook{{ID: "a", Script: "a"}, {ID: "b", Script: "b"}, {ID: "c", Script: "c"}, {ID: "d", Script: "d"}}
	const collide = 42
	put := func(h *Hook) {
		hr := rp.get(h)
		if hr.owner.indexed {
			t.Fatalf("%s: a new runtime came from an indexed pool", h.ID)
		}
		hr.owner.key = collide
		rp.mu.Lock()
		rp.current[h.ID] = collide
		rp.mu.Unlock()
		rp.put(hr)
	}
	for _, h := range hooks[:3] {
		put(h)
	}
	for _, h := range hooks[:3] {
		if rp.find(collide, h) == nil {
			t.Fatalf("%s not found among colliding pools", h.ID)
		}
	}
	// A second idle runtime of a joins a's pool and makes it the most recent;
	// past the bound of 3, b, now the least recently used, is evicted.
	put(hooks[0])
	if idle, evicted := rp.counts(); idle != 3 || evicted != 1 {
		t.Fatalf("idle %d, evicted %d; want 3, 1", idle, evicted)
	}
	if rp.find(collide, hooks[1]) != nil {
		t.Fatalf("b still indexed after its eviction")
	}
	if p := rp.find(collide, hooks[0]); p == nil || len(p.idle) != 2 || rp.newest != p {
		t.Fatalf("a's pool: %+v, want two idle runtimes, most recent", p)
	}
	// Dropping c's runtimes unindexes c; a and the chain stay intact.
	c := rp.find(collide, hooks[2])
	rp.mu.Lock()
	rp.evict(c)
	rp.mu.Unlock()
	if rp.find(collide, hooks[2]) != nil || rp.find(collide, hooks[0]) == nil {
		t.Fatalf("chain broken after unindexing c")
	}
	if rp.oldest != rp.newest || rp.newest.id != "a" || rp.newest.newer != nil || rp.newest.older != nil {
		t.Fatalf("LRU list is not just a")
	}
	rp.forget("a")
	if rp.newest != nil || rp.oldest != nil || len(rp.pools) != 0 {
		t.Fatalf("index not empty after forgetting a: %d keys", len(rp.pools))
	}
	put(hooks[3])
	if rp.find(collide, hooks[3]) == nil || rp.newest != rp.oldest {
		t.Fatalf("d not indexed alone")
	}
	rp.clear()
	if idle, _ := rp.counts(); idle != 0 || len(rp.pools) != 0 || rp.newest != nil {
		t.Fatalf("clear left %d idle", idle)
	}
}

// TestRuntimePoolRetiresVersions: the first run of a new version of a hook
// (same id, another script or other secrets) drops the idle runtimes of
// its other versions, and a runtime of an old version whose run ends
// afterwards is not kept. Hooks without an id are left alone.
func TestRuntimePoolRetiresVersions(t *testing.T) {
	rp := newRuntimePool(10, 2)
	v1 := &Hook{ID: "h", Script: "v1", Secrets: map[string]string{"K": "1"}}
	v2 := &Hook{ID: "h", Script: "v2", Secrets: map[string]string{"K": "1"}}
	v3 := &Hook{ID: "h", Script: "v2", Secrets: map[string]string{"K": "2"}}
	other := &Hook{ID: "other", Script: "v1"}
	rp.put(rp.get(v1))
	rp.put(rp.get(other))
	inFlight := rp.get(v1) // v1's idle runtime, taken by a run
	rp.put(rp.get(v1))     // and a second one, idle
	if idle, _ := rp.counts(); idle != 2 {
		t.Fatalf("%d idle, want 2", idle)
	}
	rp.put(rp.get(v2))
	if rp.find(rp.key(v1), v1) != nil || rp.find(rp.key(v2), v2) == nil || rp.find(rp.key(other), other) == nil {
		t.Fatal("after v2's first run: want v1's runtimes gone, v2's and the other hook's kept")
	}
	rp.put(inFlight) // the run of v1 ends after v2 started
	if idle, _ := rp.counts(); idle != 2 || rp.find(rp.key(v1), v1) != nil {
		t.Fatalf("%d idle, want 2 (v2, other): v1's runtime was kept", idle)
	}
	rp.put(rp.get(v3)) // new secrets: a new version too
	if rp.find(rp.key(v2), v2) != nil || rp.find(rp.key(v3), v3) == nil {
		t.Fatal("after v3's first run: want v2's runtimes gone")
	}
	// Without an id, versions are not told apart: both stay warm.
	a, b := &Hook{Name: "x", Script: "a"}, &Hook{Name: "x", Script: "b"}
	rp.put(rp.get(a))
	rp.put(rp.get(b))
	if rp.find(rp.key(a), a) == nil || rp.find(rp.key(b), b) == nil {
		t.Fatal("hooks without an id lost their runtimes to each other")
	}
}
