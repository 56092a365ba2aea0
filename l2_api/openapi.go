package api

import (
	"embed"

	"github.com/gofiber/fiber/v2"
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
