package api

import (
	"strings"
	"testing"
)

// TestCanonicalJSON_StopsAtTheFirstLimitPassed: metadata far over a limit is
// refused once the limit is passed, having read little more than the limit
// of the body, however much follows: 128,000 keys (1 MB) once cost up to a
// minute of CPU, a million copies of one name canonicalize to a few bytes
// but are a million steps.
func TestCanonicalJSON_StopsAtTheFirstLimitPassed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		value   string
		message string
	}{
		{"128,000 distinct keys", fzManyKeys(128_000), errMetadataTooLarge},
		{"a million copies of one name", "{" + strings.Repeat(`"a":1,`, 1_000_000) + `"a":1}`, errMetadataTooMany},
		{"a million elements", "[" + strings.Repeat(`0,`, 1_000_000) + "0]", errMetadataTooLarge},
		{"a 1 MB string", `{"s":"` + strings.Repeat("x", 1<<20) + `"}`, errMetadataTooLarge},
		{"a 1 MB string replacing a small one", `{"a":1,"a":"` + strings.Repeat("x", 1<<20) + `"}`, errMetadataTooLarge},
	}
	for _, tc := range cases {
		dec := newJSONDecoder([]byte(tc.value))
		b := newMetadataBudget()
		out, problem := canonicalJSON(nil, dec, "metadata", &b)
		if problem == nil || problem.Field != "metadata" || problem.Message != tc.message {
			t.Errorf("%s: %q, %+v; want metadata %q", tc.name, truncate(out), problem, tc.message)
			continue
		}
		// What was read is bounded by the limits: a 1 MB string is one
		// token, and each member or element is at most 6 bytes here.
		bound := int64(6*maxMetadataItems + 8)
		if strings.Contains(tc.name, "string") {
			bound = int64(len(tc.value))
		}
		if read := dec.InputOffset(); read > bound {
			t.Errorf("%s: read %d of %d bytes before refusing; want at most %d", tc.name, read, len(tc.value), bound)
		}
	}
}

// TestCanonicalJSON_WithinTheLimits: the largest metadata of each shape is
// accepted as it was before the limits were checked while reading, and
// duplicates refund what they replace.
func TestCanonicalJSON_WithinTheLimits(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"a string up to the size limit":             `{"s":"` + strings.Repeat("x", maxMetadata-8) + `"}`,
		"as many elements as the size limit holds":  "[" + strings.Repeat(`0,`, maxMetadataItems-2) + "0]",
		"a large value replaced by a small one":     `{"a":"` + strings.Repeat("x", maxMetadata-8) + `","a":1}`,
		"distinct keys, unsorted, past smallObject": fzManyKeys(smallObject * 3),
	}
	for name, value := range cases {
		b := newMetadataBudget()
		out, problem := canonicalJSON(nil, newJSONDecoder([]byte(value)), "metadata", &b)
		if problem != nil {
			t.Errorf("%s: refused: %+v", name, problem)
			continue
		}
		if len(out) > maxMetadata || maxMetadata-b.bytes != len(out) {
			t.Errorf("%s: %d bytes out, budget spent %d", name, len(out), maxMetadata-b.bytes)
		}
	}
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}
