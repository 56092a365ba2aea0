package api

import (
	"embed"

	"github.com/gofiber/fiber/v2"

	"hoc/l5_engines/fault"
)

// staticSite serves one embedded folder as a page and a closed set of
// assets, under a content security policy: /docs (Swagger UI) and
// /dashboard. The set is closed so that nothing else of the binary can be
// asked for by name; openapi.json lists the same names.
type staticSite struct {
	files  embed.FS
	dir    string            // the folder inside files
	page   string            // the file GET /<site> answers
	assets map[string]string // what GET /<site>/{asset} serves, with its content type
	policy string            // Content-Security-Policy of the page and its assets
	cache  string            // Cache-Control of the assets
}

// servePage handles GET /<site>.
func (s staticSite) servePage(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-cache") // always the page of the binary serving the API
	return s.send(c, s.page, fiber.MIMETextHTMLCharsetUTF8)
}

// serveAsset handles GET /<site>/{asset}.
func (s staticSite) serveAsset(c *fiber.Ctx) error {
	name := c.Params("asset")
	contentType, ok := s.assets[name]
	if !ok {
		return fault.New(fault.KindNotFound, fault.CodeNotFound, "no such asset")
	}
	c.Set(fiber.HeaderCacheControl, s.cache)
	return s.send(c, name, contentType)
}

func (s staticSite) send(c *fiber.Ctx, name, contentType string) error {
	body, err := s.files.ReadFile(s.dir + "/" + name)
	if err != nil {
		return err // embedded at build time: missing is a build bug
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set("Content-Security-Policy", s.policy)
	// Both sites take keys: no page of another origin may frame them
	// (frame-ancestors in the policy; this header for browsers without it).
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	return c.Send(body)
}

const (
	mimeJS  = "text/javascript; charset=utf-8"
	mimeCSS = "text/css; charset=utf-8"
)
