package api

import (
	"embed"

	"github.com/gofiber/fiber/v2"
)

// dashboardFiles holds the customer dashboard: plain HTML, CSS and
// JavaScript modules (no build step, so what is reviewed is what runs) and
// uPlot, the charting library, vendored by scripts/vendor-uplot (its
// version and licence are uPlot.VERSION and uPlot.LICENSE).
//
//go:embed dashboard
var dashboardFiles embed.FS

// dashboardSite is GET /dashboard and /dashboard/{asset}. The names carry
// no version and the modules import each other, so a cached copy could mix
// two releases: every asset is revalidated (the set is under 100 KB).
//
// Its policy lets the page run its own scripts and call this server's API,
// and nothing from anywhere else: a credential typed into the page can only
// ever be sent here. Styles may be inline because uPlot sizes its canvas
// and legend with style attributes.
var dashboardSite = staticSite{
	files: dashboardFiles, dir: "dashboard", page: "index.html", cache: "no-cache",
	policy: "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	assets: map[string]string{
		"dashboard.css":     mimeCSS,
		"app.js":            mimeJS,
		"api.js":            mimeJS,
		"dom.js":            mimeJS,
		"overview.js":       mimeJS,
		"breakdowns.js":     mimeJS,
		"calls.js":          mimeJS,
		"integrations.js":   mimeJS,
		"protection.js":     mimeJS,
		"uPlot.iife.min.js": mimeJS,
		"uPlot.min.css":     mimeCSS,
		"uPlot.LICENSE":     fiber.MIMETextPlainCharsetUTF8,
		"uPlot.VERSION":     fiber.MIMETextPlainCharsetUTF8,
	},
}
