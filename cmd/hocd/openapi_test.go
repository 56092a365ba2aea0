package main

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	api "hoc/l2_api"
	integrationsengine "hoc/l5_engines/integrations"
)

// documentedPrefixes are the path families the OpenAPI document must cover
// exactly; a prefix matches whole path segments.
var documentedPrefixes = []string{"/api/v1", "/health", "/ready", "/metrics", "/openapi.json", "/docs", "/dashboard"}

// fiberParam matches a Fiber route parameter such as ":id".
var fiberParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// registeredRoutes lists "METHOD /path" for every route the running app
// registered with a handler of ours, in OpenAPI path syntax. HEAD routes are
// the ones Fiber adds beside every GET, and middleware (Use, groups with
// handlers) is left out by GetRoutes(true).
func registeredRoutes(h *harness) []string {
	var out []string
	for _, r := range h.app.GetRoutes(true) {
		if r.Method == "HEAD" || len(r.Handlers) == 0 || !documentedFamily(r.Path) {
			continue
		}
		out = append(out, r.Method+" "+fiberParam.ReplaceAllString(r.Path, "{$1}"))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func documentedFamily(path string) bool {
	for _, p := range documentedPrefixes {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// documentedOperations lists "METHOD /path" for every operation of the
// document the server serves.
func documentedOperations(t *testing.T, raw string) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("/openapi.json does not parse: %v", err)
	}
	methods := []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	var out []string
	for path, item := range doc.Paths {
		for key := range item {
			if slices.Contains(methods, key) {
				out = append(out, strings.ToUpper(key)+" "+path)
			}
		}
	}
	slices.Sort(out)
	return out
}

// The document describes exactly the routes the server registers: adding a
// route without documenting it, or documenting one that does not exist,
// fails the build.
func TestOpenAPI_DocumentsExactlyTheRegisteredRoutes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	resp := h.do("GET", "/openapi.json", nil)
	if resp.Status != 200 {
		t.Fatalf("GET /openapi.json = %d", resp.Status)
	}
	registered := registeredRoutes(h)
	documented := documentedOperations(t, resp.Raw)
	if len(registered) == 0 {
		t.Fatal("no routes registered; the route listing is broken")
	}
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is registered but not in l2_api/openapi/ (add it to the fragment of its routes file)", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("operation %s is in l2_api/openapi/ but no such route is registered", d)
		}
	}
}

func TestOpenAPI_AndDocsArePublic(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	for _, tc := range []struct{ path, contentType string }{
		{"/openapi.json", "application/json"},
		{"/docs", "text/html"},
	} {
		resp := h.do("GET", tc.path, nil)
		if resp.Status != 200 {
			t.Errorf("GET %s without credentials = %d, want 200\n%s", tc.path, resp.Status, resp.Raw)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
			t.Errorf("GET %s Content-Type = %q, want %s", tc.path, ct, tc.contentType)
		}
		if resp.Header.Get("X-RateLimit-Limit") != "" {
			t.Errorf("GET %s carries rate-limit headers; it is exempt from protection", tc.path)
		}
	}
}

// TestStaticSites_CannotBeFramed: /docs and /dashboard, where users paste
// keys, refuse to be shown in a frame of another page (clickjacking), with
// both the CSP directive and the older header, on the page and its assets.
func TestStaticSites_CannotBeFramed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	for _, path := range []string{"/docs", "/docs/init.js", "/dashboard", "/dashboard/app.js"} {
		r := h.do("GET", path, nil)
		if r.Status != 200 {
			t.Fatalf("GET %s = %d", path, r.Status)
		}
		if got := r.Header.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("GET %s: X-Frame-Options %q, want DENY", path, got)
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q lacks frame-ancestors 'none'", path, csp)
		}
	}
}

// TestOpenAPI_ScopeIsEveryGrantableScope: the document's Scope enum lists
// exactly the scopes a key may be given, so a new scope cannot be granted
// in a response the document refuses.
func TestOpenAPI_ScopeIsEveryGrantableScope(t *testing.T) {
	t.Parallel()
	var doc struct {
		Components struct {
			Schemas struct {
				Scope struct {
					Enum []string `json:"enum"`
				} `json:"Scope"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	got, want := slices.Sorted(slices.Values(doc.Components.Schemas.Scope.Enum)), slices.Sorted(slices.Values(integrationsengine.Grantable()))
	if !slices.Equal(got, want) {
		t.Errorf("Scope enum %v, want %v", got, want)
	}
}
