package ulid

import (
	"math/rand/v2"
	"sync"
	"time"
)

const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Len is the length of every id.
const Len = 26

// Generator makes ids that sort in the order they were made, even within
// one millisecond: the random part of a later id in the same millisecond is
// the previous one plus one. A Generator is safe for concurrent use; the zero
// value is ready to use.
type Generator struct {
	mu     sync.Mutex
	lastMs uint64
	hi     uint16 // top 16 of the 80 random bits
	lo     uint64 // low 64 of the 80 random bits
}

// New returns the id for time t.
func (g *Generator) New(t time.Time) string {
	ms := uint64(t.UnixMilli())
	g.mu.Lock()
	if ms <= g.lastMs {
		ms = g.lastMs
		g.lo++
		if g.lo == 0 {
			g.hi++
		}
	} else {
		g.lastMs = ms
		g.hi, g.lo = uint16(rand.Uint32()), rand.Uint64()
	}
	hi, lo := g.hi, g.lo
	g.mu.Unlock()
	return encode(ms, hi, lo)
}

func encode(ms uint64, hi uint16, lo uint64) string {
	var b [Len]byte
	// 48-bit time in 10 characters (the first holds 3 bits).
	for i := 9; i >= 0; i-- {
		b[i] = alphabet[ms&31]
		ms >>= 5
	}
	// 80 random bits in 16 characters.
	for i := Len - 1; i >= 10; i-- {
		b[i] = alphabet[lo&31]
		lo = lo>>5 | uint64(hi&31)<<59
		hi >>= 5
	}
	return string(b[:])
}

// Valid reports whether s has the form of an id.
func Valid(s string) bool {
	if len(s) != Len || s[0] > '7' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') || c == 'I' || c == 'L' || c == 'O' || c == 'U' {
			return false
		}
	}
	return true
}
