package api

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"

	"github.com/gofiber/fiber/v2"
)

// openAPIFragments is the hand-written OpenAPI 3.1 description of every
// route, in one file per routes file of this package (openapi/tenants.json
// describes tenants.go's routes) and base.json, which holds what they share:
// the info, the security schemes, the envelope, the error responses. A
// route's fragment holds its paths and the components only it uses, so that
// an operation is described in one place. cmd/hocd's tests compare the
// document's paths with the routes the app registers, so a route cannot be
// added without documenting it, and validate every response against it.
//
//go:embed openapi/*.json
var openAPIFragments embed.FS

// openAPIDocument is the fragments merged into one document, as
// GET /openapi.json serves it.
var openAPIDocument = mustMergeOpenAPI(openAPIFragments)

// OpenAPIDocument returns the OpenAPI document the server serves, for tests
// and tools.
func OpenAPIDocument() []byte { return openAPIDocument }

// mustMergeOpenAPI merges base.json and every other fragment (in name order)
// into one document: their paths, and each section of their components. A
// name defined twice is a mistake in the fragments and stops the process at
// start, before any test or request could read half a document.
func mustMergeOpenAPI(fsys fs.FS) []byte {
	doc, err := mergeOpenAPI(fsys)
	if err != nil {
		panic("l2_api/openapi: " + err.Error())
	}
	return doc
}

func mergeOpenAPI(fsys fs.FS) ([]byte, error) {
	names, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := readFragment(fsys, "openapi/base.json", &doc); err != nil {
		return nil, err
	}
	paths := map[string]any{}
	components, _ := doc["components"].(map[string]any)
	for _, name := range names {
		if name == "openapi/base.json" {
			continue
		}
		var frag struct {
			Paths      map[string]any            `json:"paths"`
			Components map[string]map[string]any `json:"components"`
		}
		if err := readFragment(fsys, name, &frag); err != nil {
			return nil, err
		}
		if err := mergeNames(paths, frag.Paths, name, "paths"); err != nil {
			return nil, err
		}
		for _, section := range slices.Sorted(maps.Keys(frag.Components)) {
			into, _ := components[section].(map[string]any)
			if into == nil {
				into = map[string]any{}
				components[section] = into
			}
			if err := mergeNames(into, frag.Components[section], name, "components."+section); err != nil {
				return nil, err
			}
		}
	}
	doc["paths"] = paths
	return json.Marshal(doc)
}

// readFragment decodes one fragment into into, refusing members into has
// no field for (a fragment holds paths and components only; anything else
// would be silently left out of the document).
func readFragment(fsys fs.FS, name string, into any) error {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// mergeNames adds from's entries to into, refusing a name into has.
func mergeNames(into, from map[string]any, file, section string) error {
	for _, k := range slices.Sorted(maps.Keys(from)) {
		if _, dup := into[k]; dup {
			return fmt.Errorf("%s: %s %q is defined twice", file, section, k)
		}
		into[k] = from[k]
	}
	return nil
}

// swaggerUI holds the /docs page: Swagger UI's bundle, vendored by
// scripts/vendor-swagger-ui (the version is in VERSION, the licence next to
// it), and the two files that point it at /openapi.json.
//
//go:embed swagger-ui
var swaggerUI embed.FS

// docsPolicy lets the page load its own scripts and styles and call this
// server, and nothing from anywhere else (Swagger UI sets inline styles and
// draws icons from data: URLs); no other page may frame it, since users
// paste keys into it.
const docsPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; " +
	"frame-ancestors 'none'"

// docsSite is GET /docs and /docs/{asset}. The assets change only with the
// binary; a day of caching spares the 1.7 MB bundle on every visit.
var docsSite = staticSite{
	files: swaggerUI, dir: "swagger-ui", page: "index.html", policy: docsPolicy, cache: "public, max-age=86400",
	assets: map[string]string{
		"swagger-ui-bundle.js":             mimeJS,
		"swagger-ui.css":                   mimeCSS,
		"init.js":                          mimeJS,
		"LICENSE":                          fiber.MIMETextPlainCharsetUTF8,
		"NOTICE":                           fiber.MIMETextPlainCharsetUTF8,
		"swagger-ui-bundle.js.LICENSE.txt": fiber.MIMETextPlainCharsetUTF8,
		"VERSION":                          fiber.MIMETextPlainCharsetUTF8,
	},
}

// openAPI handles GET /openapi.json: public, no envelope.
func openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(openAPIDocument)
}
