package soak

import (
	"math/bits"
	"time"
)

// histogram counts durations in logarithmic buckets: exact below 64 ns, and
// above that 32 buckets per power of two, so a quantile read from it is
// within about 3% of the true value. It is a fixed-size value that needs no
// allocation to record, and is not safe for concurrent use.
type histogram struct {
	counts [histBuckets]uint32
	n      uint64
	sum    time.Duration
	max    time.Duration
}

const (
	histSubBits = 5
	histSub     = 1 << histSubBits
	// histMaxBits bounds what is recorded: durations of 2⁴⁰ ns (about 18
	// minutes) and more fall in the last bucket.
	histMaxBits = 40
	histBuckets = (histMaxBits-histSubBits)*histSub + histSub
)

// bucketOf returns the bucket of a duration in nanoseconds.
func bucketOf(v uint64) int {
	if v < 2*histSub {
		return int(v)
	}
	l := bits.Len64(v)
	if l > histMaxBits {
		return histBuckets - 1
	}
	shift := l - histSubBits - 1
	return shift<<histSubBits + int(v>>shift)
}

// bucketHigh returns the largest duration, in nanoseconds, of bucket i.
func bucketHigh(i int) uint64 {
	if i < 2*histSub {
		return uint64(i)
	}
	shift := i>>histSubBits - 1
	m := uint64(i&(histSub-1)) + histSub
	return (m+1)<<shift - 1
}

func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d))]++
	h.n++
	h.sum += d
	h.max = max(h.max, d)
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// quantile returns the duration below which a fraction q of the recorded
// durations fall, as the upper bound of its bucket (never above the
// maximum recorded).
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += uint64(c)
		if seen >= rank {
			return min(time.Duration(bucketHigh(i)), h.max)
		}
	}
	return h.max
}

// Latency summarises a histogram.
type Latency struct {
	Runs uint64        `json:"runs"`
	Mean time.Duration `json:"mean_ns"`
	P50  time.Duration `json:"p50_ns"`
	P99  time.Duration `json:"p99_ns"`
	Max  time.Duration `json:"max_ns"`
}

func (h *histogram) latency() Latency {
	l := Latency{Runs: h.n, P50: h.quantile(0.50), P99: h.quantile(0.99), Max: h.max}
	if h.n > 0 {
		l.Mean = h.sum / time.Duration(h.n)
	}
	return l
}
