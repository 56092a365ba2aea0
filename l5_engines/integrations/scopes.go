package integrations

import (
	"slices"
	"strings"
)

// knownScopes are the scopes a machine key may hold (SPEC §2.1); "x:*"
// grants every "x:..." and "*" everything.
var knownScopes = map[string]bool{
	"telemetry:write": true, "telemetry:read": true,
	"integrations:read": true, "integrations:write": true,
	"protection:read": true, "prices:read": true, "prices:write": true, "*": true,
	"telemetry:*": true, "integrations:*": true, "protection:*": true, "prices:*": true,
}

// Scopes are the concrete scopes a key may hold — the ones an operation can
// require — sorted.
func Scopes() []string {
	var out []string
	for s := range knownScopes {
		if !strings.HasSuffix(s, "*") {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// Grantable is every scope a key may be given: the concrete ones, then the
// wildcards, each group sorted.
func Grantable() []string {
	var wild []string
	for s := range knownScopes {
		if strings.HasSuffix(s, "*") {
			wild = append(wild, s)
		}
	}
	slices.Sort(wild)
	return append(Scopes(), wild...)
}

// normalizeScopes returns the scopes sorted and de-duplicated, and the
// unknown ones.
func normalizeScopes(scopes []string) (sorted, unknown []string) {
	for _, s := range scopes {
		s = strings.TrimSpace(s)
		if !knownScopes[s] {
			unknown = append(unknown, s)
			continue
		}
		sorted = append(sorted, s)
	}
	slices.Sort(sorted)
	return slices.Compact(sorted), unknown
}
