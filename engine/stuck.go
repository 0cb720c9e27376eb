package engine

import (
	"sync"
	"sync/atomic"
)

// stuckRuntimes counts the runtimes that were abandoned while stuck in a
// native operation, by hook. It is safe for concurrent use.
type stuckRuntimes struct {
	total     atomic.Int64 // stuck now, readable without mu
	abandoned atomic.Int64 // runs abandoned so far

	mu     sync.Mutex
	byHook map[string]int
}

// quarantineKey names the hook a stuck runtime belongs to: its id, or for a
// hook without one its name and script.
func quarantineKey(h *Hook) string {
	if h.ID != "" {
		return h.ID
	}
	return "\x00" + h.Name + "\x00" + h.Script
}

// refuses reports whether a run of h must be refused: h owns stuck runtimes
// and the engine holds max of them or more.
func (s *stuckRuntimes) refuses(h *Hook, max int) bool {
	if s.total.Load() < int64(max) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byHook[quarantineKey(h)] > 0
}

func (s *stuckRuntimes) add(h *Hook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byHook == nil {
		s.byHook = make(map[string]int)
	}
	s.byHook[quarantineKey(h)]++
	s.total.Add(1)
	s.abandoned.Add(1)
}

func (s *stuckRuntimes) done(h *Hook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := quarantineKey(h)
	if s.byHook[k]--; s.byHook[k] <= 0 {
		delete(s.byHook, k)
	}
	s.total.Add(-1)
}

func (s *stuckRuntimes) count() int { return int(s.total.Load()) }
