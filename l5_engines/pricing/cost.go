package pricing

import (
	"math"
	"math/bits"
)

// Tokens are what a call used, as its record reports them. CacheRead and
// CacheWrite are part of In, Reasoning part of Out (the record's rules
// guarantee it); reasoning tokens are billed as the output they are.
type Tokens struct {
	In, Out, CacheRead, CacheWrite, Reasoning int64
}

// Cost is what a call of these tokens costs at rates, in micro-dollars:
// round_half_up(Σ tokens × rate / 10^6), with uncached input = In −
// CacheRead − CacheWrite (SPEC §8). The sum is computed exactly in 128 bits
// (tokens up to 10^9 each at MaxRate make 10^20 pico-dollars, past int64),
// and the result fits an int64 with room to spare.
func Cost(r Rates, t Tokens) int64 {
	uncached := t.In - t.CacheRead - t.CacheWrite
	var hi, lo uint64
	for _, term := range [4][2]int64{
		{uncached, int64(r.Input)}, {t.CacheRead, int64(r.CacheRead)}, {t.CacheWrite, int64(r.CacheWrite)}, {t.Out, int64(r.Output)},
	} {
		if term[0] <= 0 || term[1] <= 0 {
			continue
		}
		h, l := bits.Mul64(uint64(term[0]), uint64(term[1]))
		var carry uint64
		lo, carry = bits.Add64(lo, l, 0)
		hi, _ = bits.Add64(hi, h, carry)
	}
	// Round half up: add half the divisor, then divide.
	var carry uint64
	lo, carry = bits.Add64(lo, 500_000, 0)
	hi += carry
	if hi >= 1_000_000 { // cannot happen within the record's limits; Div64 would panic
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, 1_000_000)
	return int64(q)
}

// MicrosToCents rounds micro-dollars half up to cents: the cents of a
// priced record, and of every total (never a sum of rounded cents).
func MicrosToCents(micros int64) int64 {
	return (micros + 5_000) / 10_000
}
