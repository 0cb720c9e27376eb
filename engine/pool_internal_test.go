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
