package pricing

import (
	"strconv"
	"strings"
)

// Rate is a price in micro-dollars per million tokens: USD 2.50 per million
// tokens is 2_500_000. It is also pico-dollars per token.
type Rate int64

// MaxRate is the largest price accepted, USD 100,000 per million tokens:
// two orders of magnitude above the dearest model on sale, and small enough
// that no call's cost overflows (see Cost).
const MaxRate Rate = 100_000 * 1_000_000

// Rates are the four prices of a row: input (uncached), output, cache read
// and cache write.
type Rates struct {
	Input, Output, CacheRead, CacheWrite Rate
}

// ParseRate reads a decimal number of dollars per million tokens exactly:
// "2.50", "0.075", "3", "1e-3" is refused (write it out), as are more than
// six decimals, a sign, and anything over MaxRate. It never goes through a
// float, so "0.1" is exactly 100_000.
func ParseRate(s string) (Rate, bool) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(frac) > 6 || (hasFrac && frac == "") || !digits(whole) || !digits(frac) {
		return 0, false
	}
	if len(whole) > 1 && whole[0] == '0' {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > int64(MaxRate/1_000_000) {
		return 0, false
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	}
	r := Rate(w*1_000_000 + f)
	if r > MaxRate {
		return 0, false
	}
	return r, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String writes the rate as dollars per million tokens with at least two
// decimals and no trailing zeros beyond them: 2_500_000 is "2.50", 75_000
// is "0.075", 625_000 is "0.625".
func (r Rate) String() string {
	s := strconv.FormatInt(int64(r)/1_000_000, 10) + "." + strconv.FormatInt(1_000_000+int64(r)%1_000_000, 10)[1:]
	for strings.HasSuffix(s, "0") && len(s)-strings.IndexByte(s, '.') > 3 {
		s = s[:len(s)-1]
	}
	return s
}
