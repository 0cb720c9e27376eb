package triggers

import (
	"sync"
	"time"
)

// The limits of api.cache, as Auth0's "Actions Limitations" page states
// them for each trigger.
const (
	// CacheMaxEntries is how many records one trigger's cache holds.
	CacheMaxEntries = 20
	// CacheMaxKeyBytes is the longest key, in bytes.
	CacheMaxKeyBytes = 64
	// CacheMaxValueBytes is the longest value, in bytes.
	CacheMaxValueBytes = 4 << 10
	// CacheMaxTotalBytes bounds the keys and values of a trigger's cache
	// together.
	CacheMaxTotalBytes = 8 << 10
	// CacheMaxLifetime is the longest a record stays, and the lifetime of a
	// record set without ttl or expires_at.
	CacheMaxLifetime = 24 * time.Hour
)

// Error codes of a CacheWriteResult with type "error". Auth0 documents that
// a failed write has a code but not which codes exist; these are
// hookengine's.
const (
	// CacheInvalidKey: the key is not a string, or is empty.
	CacheInvalidKey = "invalid_key"
	// CacheKeyTooLarge: the key is longer than CacheMaxKeyBytes.
	CacheKeyTooLarge = "key_too_large"
	// CacheInvalidValue: the value is not a string.
	CacheInvalidValue = "invalid_value"
	// CacheValueTooLarge: the value is longer than CacheMaxValueBytes.
	CacheValueTooLarge = "value_too_large"
	// CacheInvalidOptions: options is not an object, or its ttl or
	// expires_at is not a positive number.
	CacheInvalidOptions = "invalid_options"
)

// ActionCache is the store behind an Action's api.cache: string values by
// key, each with an expiry, bounded by Auth0's limits. When a new record
// does not fit, the records that expire soonest are evicted (Auth0's
// documentation warns that records may go before their lifetime ends). It
// is safe for concurrent use.
type ActionCache struct {
	now func() time.Time

	mu      sync.Mutex
	entries map[string]cacheEntry
	size    int
}

type cacheEntry struct {
	value     string
	expiresAt int64 // milliseconds since the Unix epoch
}

// NewActionCache returns an empty cache that reads the time from now
// (time.Now when nil).
func NewActionCache(now func() time.Time) *ActionCache {
	if now == nil {
		now = time.Now
	}
	return &ActionCache{now: now, entries: make(map[string]cacheEntry)}
}

// CacheRecord is what api.cache.get returns for a key that is present.
type CacheRecord struct {
	// Value is the string stored at the key.
	Value string `json:"value"`
	// ExpiresAt is the record's expiry in milliseconds since the Unix
	// epoch.
	ExpiresAt int64 `json:"expires_at"`
}

// Get returns the record at key, if there is one that has not expired.
func (c *ActionCache) Get(key string) (CacheRecord, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire()
	e, ok := c.entries[key]
	return CacheRecord{Value: e.value, ExpiresAt: e.expiresAt}, ok
}

// Set stores value at key. ttl (> 0) and expiresAt (milliseconds since the
// epoch, > 0) bound the record's lifetime, the earlier winning; with
// neither it lives CacheMaxLifetime, and never longer. It returns "" or one
// of the Cache* error codes.
func (c *ActionCache) Set(key, value string, ttl time.Duration, expiresAt int64) string {
	switch {
	case key == "":
		return CacheInvalidKey
	case len(key) > CacheMaxKeyBytes:
		return CacheKeyTooLarge
	case len(value) > CacheMaxValueBytes:
		return CacheValueTooLarge
	case ttl < 0 || expiresAt < 0:
		return CacheInvalidOptions
	}
	now := c.now()
	limit := now.Add(CacheMaxLifetime).UnixMilli()
	exp := limit
	if ttl > 0 {
		exp = min(exp, now.Add(ttl).UnixMilli())
	}
	if expiresAt > 0 {
		exp = min(exp, expiresAt)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire()
	c.remove(key)
	if exp <= now.UnixMilli() {
		return "" // already expired: stored and gone
	}
	need := len(key) + len(value)
	for len(c.entries) >= CacheMaxEntries || c.size+need > CacheMaxTotalBytes {
		c.evictOne()
	}
	c.entries[key] = cacheEntry{value: value, expiresAt: exp}
	c.size += need
	return ""
}

// Delete removes the record at key, if any.
func (c *ActionCache) Delete(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remove(key)
}

// Len returns how many records have not expired.
func (c *ActionCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire()
	return len(c.entries)
}

func (c *ActionCache) remove(key string) {
	if e, ok := c.entries[key]; ok {
		c.size -= len(key) + len(e.value)
		delete(c.entries, key)
	}
}

// expire drops the records whose time has passed.
func (c *ActionCache) expire() {
	now := c.now().UnixMilli()
	for k, e := range c.entries {
		if e.expiresAt <= now {
			c.remove(k)
		}
	}
}

// evictOne drops the record that expires soonest (by key on ties, so that
// eviction does not depend on map order).
func (c *ActionCache) evictOne() {
	var victim string
	var at int64
	first := true
	for k, e := range c.entries {
		if first || e.expiresAt < at || (e.expiresAt == at && k < victim) {
			victim, at, first = k, e.expiresAt, false
		}
	}
	c.remove(victim)
}
