package api

// wholeNumber decides on a JSON number literal — never on a float it was
// rounded to — whether it is a whole number, and returns it when it fits in
// an int64 (SPEC §1.4): 5, 5.0, 5e0 and 50e-1 are 5; 5.5, 1e-400 and
// 1000000000.0000000001 are not whole; 1e30 is whole but does not fit. lit
// must be a valid JSON number.
func wholeNumber(lit []byte) (n int64, whole, fits bool) {
	neg := len(lit) > 0 && lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	// The digits of the integer and fraction parts, and the exponent.
	end := 0
	for end < len(lit) && lit[end] >= '0' && lit[end] <= '9' {
		end++
	}
	intPart, rest := lit[:end], lit[end:]
	var frac []byte
	if len(rest) > 0 && rest[0] == '.' {
		end = 1
		for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
			end++
		}
		frac, rest = rest[1:end], rest[end:]
	}
	var exp int64
	if len(rest) > 0 && (rest[0] == 'e' || rest[0] == 'E') {
		rest = rest[1:]
		expNeg := len(rest) > 0 && rest[0] == '-'
		if len(rest) > 0 && (rest[0] == '-' || rest[0] == '+') {
			rest = rest[1:]
		}
		for _, c := range rest {
			// Past 2^40, far beyond the digits any request body can hold,
			// the exponent decides alone, so it stops growing there.
			if exp < 1<<40 {
				exp = exp*10 + int64(c-'0')
			}
		}
		if expNeg {
			exp = -exp
		}
	}

	// The value is digits × 10^scale, with digits the integer and fraction
	// digits read as one number. Leading zeros say nothing; trailing zeros
	// move into the scale.
	digits := make([]byte, 0, len(intPart)+len(frac))
	digits = append(append(digits, intPart...), frac...)
	scale := exp - int64(len(frac))
	for len(digits) > 0 && digits[0] == '0' {
		digits = digits[1:]
	}
	if len(digits) == 0 {
		return 0, true, true
	}
	for digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		scale++
	}
	if scale < 0 {
		return 0, false, false // a non-zero digit is left after the point
	}
	if int64(len(digits))+scale > 19 { // int64 holds at most 19 digits
		return 0, true, false
	}
	var u uint64
	for _, c := range digits {
		u = u*10 + uint64(c-'0')
	}
	for range scale {
		u *= 10
	}
	switch {
	case !neg && u <= 1<<63-1:
		return int64(u), true, true
	case neg && u <= 1<<63:
		return int64(-u), true, true // -u wraps to -1<<63 for u = 1<<63
	}
	return 0, true, false
}
