package api

import (
	"embed"

	"github.com/gofiber/fiber/v2"

	spine "hoc/l4_spine"
)

// openAPIDocument is the hand-written OpenAPI 3.1 description of every
// route. cmd/hocd's tests compare its paths with the routes the app
// registers, so a route cannot be added without documenting it.
//
//go:embed openapi.json
var openAPIDocument []byte

// swaggerUI holds the /docs page: Swagger UI's bundle, vendored by
// scripts/vendor-swagger-ui (the version is in VERSION, the licence next to
// it), and the two files that point it at /openapi.json.
//
//go:embed swagger-ui
var swaggerUI embed.FS

// docsAssets are the files /docs/{asset} serves, with their types.
var docsAssets = map[string]string{
	"swagger-ui-bundle.js":             "text/javascript; charset=utf-8",
	"swagger-ui.css":                   "text/css; charset=utf-8",
	"init.js":                          "text/javascript; charset=utf-8",
	"LICENSE":                          fiber.MIMETextPlainCharsetUTF8,
	"NOTICE":                           fiber.MIMETextPlainCharsetUTF8,
	"swagger-ui-bundle.js.LICENSE.txt": fiber.MIMETextPlainCharsetUTF8,
	"VERSION":                          fiber.MIMETextPlainCharsetUTF8,
}

// docsPolicy lets the page load its own scripts and styles and call this
// server, and nothing from anywhere else (Swagger UI sets inline styles and
// draws icons from data: URLs).
const docsPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'"

// openAPI handles GET /openapi.json: public, no envelope.
func openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(openAPIDocument)
}

// docs handles GET /docs: the interactive API reference.
func docs(c *fiber.Ctx) error {
	return sendDocsFile(c, "index.html", fiber.MIMETextHTMLCharsetUTF8)
}

// docsAsset handles GET /docs/{asset}.
func docsAsset(c *fiber.Ctx) error {
	name := c.Params("asset")
	contentType, ok := docsAssets[name]
	if !ok {
		return spine.NewError(spine.KindNotFound, spine.CodeNotFound, "no such docs asset")
	}
	// The assets change only with the binary; a day of caching spares the
	// 1.7 MB bundle on every visit.
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return sendDocsFile(c, name, contentType)
}

func sendDocsFile(c *fiber.Ctx, name, contentType string) error {
	body, err := swaggerUI.ReadFile("swagger-ui/" + name)
	if err != nil {
		return err // embedded at build time: missing is a build bug
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set("Content-Security-Policy", docsPolicy)
	return c.Send(body)
}
