package integrations

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// joinScopes is the stored form of scopes: sorted, de-duplicated and joined
// by single spaces ("" for none). A scope that is empty or contains
// whitespace could not be split back out, so it is refused.
func joinScopes(scopes []string) (string, error) {
	sorted := slices.Clone(scopes)
	for _, sc := range sorted {
		if sc == "" || strings.ContainsFunc(sc, unicode.IsSpace) {
			return "", fmt.Errorf("scope %q is empty or contains whitespace", sc)
		}
	}
	slices.Sort(sorted)
	return strings.Join(slices.Compact(sorted), " "), nil
}

// splitScopes reverses joinScopes. It always returns a non-nil slice, so a
// key without scopes renders as [] rather than null; it sorts again so that
// the order never depends on how the row was written.
func splitScopes(stored string) []string {
	scopes := strings.Fields(stored)
	slices.Sort(scopes)
	return scopes
}
