package api

import (
	"encoding/json"
	"io"
	"maps"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gofiber/fiber/v2"

	"hoc/l5_engines/fault"
)

// parsedOpenAPI decodes the embedded document into plain JSON values.
func parsedOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	return doc
}

// httpMethods are the operation keys of an OpenAPI path item; other keys
// (parameters, summary) are not operations.
var httpMethods = []string{"get", "post", "put", "patch", "delete", "head", "options", "trace"}

// operationsOf returns every operation of the document keyed "METHOD path".
func operationsOf(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok || len(paths) == 0 {
		t.Fatal("the document has no paths")
	}
	ops := map[string]map[string]any{}
	for path, rawItem := range paths {
		item, ok := rawItem.(map[string]any)
		if !ok {
			t.Fatalf("path item %s is not an object", path)
		}
		for _, method := range httpMethods {
			if raw, ok := item[method]; ok {
				op, ok := raw.(map[string]any)
				if !ok {
					t.Fatalf("%s %s is not an object", method, path)
				}
				ops[strings.ToUpper(method)+" "+path] = op
			}
		}
	}
	return ops
}

func TestOpenAPI_DocumentIsOpenAPI31(t *testing.T) {
	t.Parallel()
	doc := parsedOpenAPI(t)
	version, _ := doc["openapi"].(string)
	if !strings.HasPrefix(version, "3.1.") {
		t.Fatalf("openapi = %q, want 3.1.x", version)
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] == nil || info["version"] == nil {
		t.Fatalf("info needs a title and a version: %v", info)
	}
}

func TestOpenAPI_EveryOperationHasSummaryAndResponse(t *testing.T) {
	t.Parallel()
	for key, op := range operationsOf(t, parsedOpenAPI(t)) {
		if s, _ := op["summary"].(string); strings.TrimSpace(s) == "" {
			t.Errorf("%s has no summary", key)
		}
		responses, _ := op["responses"].(map[string]any)
		if len(responses) == 0 {
			t.Errorf("%s has no responses", key)
		}
		for status := range responses {
			if n, err := strconv.Atoi(status); err != nil || n < 100 || n > 599 {
				t.Errorf("%s: response key %q is not an HTTP status", key, status)
			}
		}
	}
}

// Every operation states its security explicitly (an empty list for the
// public paths), and names only declared schemes.
func TestOpenAPI_EveryOperationNamesDeclaredSecuritySchemes(t *testing.T) {
	t.Parallel()
	doc := parsedOpenAPI(t)
	components, _ := doc["components"].(map[string]any)
	schemes, _ := components["securitySchemes"].(map[string]any)
	for _, name := range []string{"founderToken", "customerToken", "apiKey", "integrationKey"} {
		if schemes[name] == nil {
			t.Errorf("security scheme %s is not declared", name)
		}
	}
	for key, op := range operationsOf(t, doc) {
		security, ok := op["security"].([]any)
		if !ok {
			t.Errorf("%s does not state its security", key)
			continue
		}
		public := !strings.HasPrefix(strings.Fields(key)[1], "/api/v1/")
		if public != (len(security) == 0) {
			t.Errorf("%s: public=%v but security=%v", key, public, security)
		}
		for _, req := range security {
			for name := range req.(map[string]any) {
				if schemes[name] == nil {
					t.Errorf("%s names undeclared security scheme %s", key, name)
				}
			}
		}
	}
}

func TestOpenAPI_EveryRefResolvesWithinTheDocument(t *testing.T) {
	t.Parallel()
	doc := parsedOpenAPI(t)
	refs := 0
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				refs++
				if _, err := resolvePointer(doc, ref); err != "" {
					t.Errorf("%s: $ref %q: %s", at, ref, err)
				}
			}
			for k, child := range v {
				walk(child, at+"/"+k)
			}
		case []any:
			for i, child := range v {
				walk(child, at+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(doc, "#")
	if refs == 0 {
		t.Fatal("no $ref found; the walk is broken")
	}
}

// TestOpenAPI_EveryComponentIsUsed fails on a component nothing refers to:
// a schema left behind when an operation changed describes nothing the
// server sends, and misleads whoever reads it.
func TestOpenAPI_EveryComponentIsUsed(t *testing.T) {
	t.Parallel()
	doc := parsedOpenAPI(t)
	used := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				used[ref] = true
			}
			for _, child := range v {
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(doc)
	// Security schemes are named by security requirements, not by $ref.
	for _, op := range operationsOf(t, doc) {
		reqs, _ := op["security"].([]any)
		for _, req := range reqs {
			for name := range req.(map[string]any) {
				used["#/components/securitySchemes/"+name] = true
			}
		}
	}
	components, _ := doc["components"].(map[string]any)
	for kind, group := range components {
		for name := range group.(map[string]any) {
			if ref := "#/components/" + kind + "/" + name; !used[ref] {
				t.Errorf("%s is not used by any operation or component", ref)
			}
		}
	}
}

// resolvePointer follows a local JSON pointer reference (RFC 6901); it
// returns a non-empty reason when the reference does not resolve.
func resolvePointer(doc any, ref string) (any, string) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, "is not a reference within the document"
	}
	cur := doc
	for _, token := range strings.Split(ref[2:], "/") {
		token = strings.ReplaceAll(strings.ReplaceAll(token, "~1", "/"), "~0", "~")
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, "passes through a non-object at " + token
		}
		if cur, ok = obj[token]; !ok {
			return nil, "has no " + token
		}
	}
	return cur, ""
}

// The document's error codes are exactly the closed set the code uses.
func TestOpenAPI_ErrorCodesAreTheSpineCodes(t *testing.T) {
	t.Parallel()
	doc := parsedOpenAPI(t)
	enum, errMsg := resolvePointer(doc, "#/components/schemas/ErrorCode/enum")
	if errMsg != "" {
		t.Fatal(errMsg)
	}
	var got []string
	for _, v := range enum.([]any) {
		got = append(got, v.(string))
	}
	want := []string{
		fault.CodeInvalidRequest, fault.CodeMixedAuth, fault.CodeMissingAuth, fault.CodeInvalidCredentials,
		fault.CodeForbidden, fault.CodeTenantSuspended, fault.CodeIntegrationDisabled, fault.CodeNotFound,
		fault.CodeConflict, fault.CodeIdempotencyConflict, fault.CodePayloadTooLarge, fault.CodeValidationFailed,
		fault.CodeMissingIntegrationID, fault.CodeRateLimited, fault.CodeCostLimitExceeded, fault.CodeThrottled,
		fault.CodeInternal, fault.CodeUnavailable, fault.CodeRequestTimeout, fault.CodeURITooLong,
		fault.CodeHeadersTooLarge, fault.CodeMethodNotAllowed, fault.CodeUnsupportedMedia,
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("ErrorCode enum = %v, want %v", got, want)
	}
}

// get runs one request against an app that serves only the two handlers.
func get(t *testing.T, path string) (status int, contentType, body string) {
	t.Helper()
	app := fiber.New()
	app.Get("/openapi.json", openAPI)
	app.Get("/docs", docsSite.servePage)
	app.Get("/docs/:asset", docsSite.serveAsset)
	resp, err := app.Test(httptest.NewRequest(fiber.MethodGet, path, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get(fiber.HeaderContentType), string(raw)
}

func TestOpenAPI_ServedAsJSON(t *testing.T) {
	t.Parallel()
	status, contentType, body := get(t, "/openapi.json")
	if status != fiber.StatusOK || contentType != fiber.MIMEApplicationJSON || body != string(openAPIDocument) {
		t.Fatalf("got %d %q, %d bytes; want 200 application/json with the embedded document", status, contentType, len(body))
	}
}

// TestDocs_ServesSwaggerUIFromThisServerOnly: the page and every asset it
// names are served here, the page feeds Swagger UI /openapi.json, and
// neither the page, nor the stylesheet, nor the policy lets it load
// anything from elsewhere (so it works offline).
func TestDocs_ServesSwaggerUIFromThisServerOnly(t *testing.T) {
	t.Parallel()
	status, contentType, page := get(t, "/docs")
	if status != fiber.StatusOK || !strings.HasPrefix(contentType, "text/html") {
		t.Fatalf("got %d %q, want 200 text/html", status, contentType)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(refs) != 3 {
		t.Fatalf("the page names %d resources, want the stylesheet and two scripts: %s", len(refs), page)
	}
	for _, ref := range refs {
		url := ref[1]
		if !strings.HasPrefix(url, "/docs/") {
			t.Errorf("the page loads %q, which is not this server's", url)
			continue
		}
		status, contentType, body := get(t, url)
		if status != fiber.StatusOK || len(body) == 0 || !(strings.HasPrefix(contentType, "text/javascript") || strings.HasPrefix(contentType, "text/css")) {
			t.Errorf("GET %s: %d %q, %d bytes", url, status, contentType, len(body))
		}
	}
	if _, _, init := get(t, "/docs/init.js"); !strings.Contains(init, `url: "/openapi.json"`) || !strings.Contains(init, "validatorUrl: null") {
		t.Errorf("init.js does not feed Swagger UI this server's document with the online validator off:\n%s", init)
	}
	_, _, css := get(t, "/docs/swagger-ui.css")
	for _, u := range regexp.MustCompile(`url\(\s*["']?([^"')]*)`).FindAllStringSubmatch(css, -1) {
		if !strings.HasPrefix(u[1], "data:") {
			t.Errorf("the stylesheet loads %q", u[1])
		}
	}
	if status, _, _ := get(t, "/docs/../openapi.go"); status != fiber.StatusNotFound {
		t.Errorf("a file outside the assets: %d", status)
	}
	if status, _, licence := get(t, "/docs/LICENSE"); status != fiber.StatusOK || !strings.Contains(licence, "Apache License") {
		t.Errorf("licence: %d", status)
	}
}

func TestDocs_PolicyAllowsOnlyThisOrigin(t *testing.T) {
	t.Parallel()
	for _, directive := range strings.Split(docsPolicy, ";") {
		for _, source := range strings.Fields(directive)[1:] {
			if !slices.Contains([]string{"'self'", "'none'", "'unsafe-inline'", "data:"}, source) {
				t.Errorf("directive %q allows %s", strings.TrimSpace(directive), source)
			}
		}
	}
	if !strings.HasPrefix(docsPolicy, "default-src 'none'") || strings.Contains(docsPolicy, "script-src 'self' 'unsafe") {
		t.Errorf("policy %q", docsPolicy)
	}
}

// TestOpenAPI_IntegersHaveAFormatAndInputsAMaximum: every integer the
// document describes says its width (format int64), and every integer a
// client sends — in a parameter or a request body, following references —
// says its maximum, so that generated clients and API linters (OWASP's
// unbounded-integer rule) know what is accepted.
func TestOpenAPI_IntegersHaveAFormatAndInputsAMaximum(t *testing.T) {
	t.Parallel()
	doc := parsedOpenAPI(t)
	followed := map[string]bool{}
	var walk func(path string, v any, input bool)
	walk = func(path string, v any, input bool) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok && input && !followed[ref] {
				followed[ref] = true
				target, errMsg := resolvePointer(doc, ref)
				if errMsg != "" {
					t.Fatal(errMsg)
				}
				walk(ref, target, true)
			}
			if isIntegerSchema(v["type"]) {
				if v["format"] != "int64" {
					t.Errorf("%s: an integer without format int64", path)
				}
				if _, ok := v["maximum"]; input && !ok {
					t.Errorf("%s: an integer a client sends, without a maximum", path)
				}
			}
			for k, child := range v {
				walk(path+"/"+k, child, input || k == "parameters" || k == "requestBody")
			}
		case []any:
			for i, child := range v {
				walk(path+"/"+strconv.Itoa(i), child, input)
			}
		}
	}
	walk("#", doc, false)
	if len(followed) == 0 {
		t.Fatal("no request body or parameter refers to a schema: the walk found no inputs")
	}
}

func isIntegerSchema(typ any) bool {
	switch typ := typ.(type) {
	case string:
		return typ == "integer"
	case []any:
		return slices.Contains(typ, any("integer"))
	}
	return false
}

// TestOpenAPI_FragmentsMergeIntoOneDocument: the fragments' paths and
// components end up in the served document, and a name defined in two
// fragments, or a fragment member other than paths and components, is
// refused rather than silently overwritten or dropped.
func TestOpenAPI_FragmentsMergeIntoOneDocument(t *testing.T) {
	t.Parallel()
	base := `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "components": {"schemas": {"Shared": {}}}}`
	good := fstest.MapFS{
		"openapi/base.json": {Data: []byte(base)},
		"openapi/a.json":    {Data: []byte(`{"paths": {"/a": {}}, "components": {"schemas": {"A": {}}, "responses": {"RA": {}}}}`)},
		"openapi/b.json":    {Data: []byte(`{"paths": {"/b": {}}}`)},
	}
	raw, err := mergeOpenAPI(good)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths      map[string]any
		Components map[string]map[string]any
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Paths) != 2 || len(doc.Components["schemas"]) != 2 || len(doc.Components["responses"]) != 1 {
		t.Fatalf("merged %s", raw)
	}
	for name, frag := range map[string]string{
		"a path twice":                `{"paths": {"/a": {}}}`,
		"a schema twice":              `{"components": {"schemas": {"Shared": {}}}}`,
		"a member of its own":         `{"info": {"title": "mine"}}`,
		"a fragment that is not JSON": `{"paths": `,
	} {
		bad := maps.Clone(good)
		bad["openapi/c.json"] = &fstest.MapFile{Data: []byte(frag)}
		if _, err := mergeOpenAPI(bad); err == nil {
			t.Errorf("%s: merged without an error", name)
		}
	}
}
