package api

import (
	"strings"
	"testing"
)

func TestWholeNumber_DecidesOnTheLiteral(t *testing.T) {
	t.Parallel()
	cases := []struct {
		lit         string
		n           int64
		whole, fits bool
	}{
		{"5", 5, true, true},
		{"5.0", 5, true, true},
		{"5e0", 5, true, true},
		{"50e-1", 5, true, true},
		{"0.5e1", 5, true, true},
		{"-0", 0, true, true},
		{"0.000", 0, true, true},
		{"0e-400", 0, true, true},
		{"-12", -12, true, true},
		{"1E3", 1000, true, true},
		{"1e+3", 1000, true, true},
		{"9223372036854775807", 1<<63 - 1, true, true},
		{"-9223372036854775808", -1 << 63, true, true},
		{"9223372036854775808", 0, true, false},
		{"1e19", 0, true, false},
		{"1e400", 0, true, false},
		{"1e131000", 0, true, false},
		{"5.5", 0, false, false},
		{"1e-400", 0, false, false},
		{"1000000000.0000000001", 0, false, false},
		{"0.1", 0, false, false},
		{"123.4560000", 0, false, false},
	}
	// Digit runs longer than the old exponent cap (found by FuzzWholeNumber).
	cases = append(cases,
		struct {
			lit         string
			n           int64
			whole, fits bool
		}{"1" + strings.Repeat("0", 1<<20) + "e-10485760", 0, false, false},
		struct {
			lit         string
			n           int64
			whole, fits bool
		}{"0." + strings.Repeat("0", 1<<20) + "1e10485760", 0, true, false},
	)
	for _, tc := range cases {
		n, whole, fits := wholeNumber([]byte(tc.lit))
		if n != tc.n || whole != tc.whole || fits != tc.fits {
			t.Errorf("wholeNumber(%s) = %d, %v, %v; want %d, %v, %v", tc.lit, n, whole, fits, tc.n, tc.whole, tc.fits)
		}
	}
}
