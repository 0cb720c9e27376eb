package soak

import "sync"

// problems counts what went wrong, by category, and keeps the first few
// descriptions of each.
type problems struct {
	mu      sync.Mutex
	counts  map[string]int64
	samples map[string][]string
}

// maxSamples is how many descriptions of each category are kept.
const maxSamples = 10

// The categories of problems. Each fails the soak.
const (
	probMismatch     = "mismatch"     // a result that does not match its input
	probCrossed      = "crossed"      // a result carrying another run's token
	probDuplicated   = "duplicated"   // a second result for one run
	probLost         = "lost"         // a run that produced no result
	probUnexpected   = "unexpected"   // a run that ended in a way its hook cannot
	probInconsistent = "inconsistent" // a result that disagrees with its error
	probStuck        = "stuck"        // a run far past its wall-time limit
	probInternal     = "internal"     // a panic in the engine
)

// probMemoryCharged is not a failure: a hostile run that ended at the memory
// limit although its script does not grow the heap. The engine watches the
// process's live heap, and documents that growth by other goroutines
// counts too: while memory bombs run beside it, a busy loop (which would
// have ended at its CPU limit) may be charged for their growth.
const probMemoryCharged = "memory charged"

func newProblems() *problems {
	return &problems{counts: make(map[string]int64), samples: make(map[string][]string)}
}

func (p *problems) add(category, detail string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[category]++
	if len(p.samples[category]) < maxSamples {
		p.samples[category] = append(p.samples[category], detail)
	}
}

func (p *problems) count(category string) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[category]
}
