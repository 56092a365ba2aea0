package protection

import "strings"

// exemptPrefixes are never limited (SPEC §4.1): operational endpoints, the
// onboarding flow and the founder API, with everything below them.
var exemptPrefixes = []string{"/health", "/ready", "/metrics", "/docs", "/openapi.json", "/api/v1/onboarding", "/api/v1/fdr"}

// Exempt reports whether path is exempt from protection. Matching respects
// path segments: "/health" and "/health/x" are exempt, "/healthz-x" is not.
func Exempt(path string) bool {
	for _, p := range exemptPrefixes {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}
