package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// openAPIDocument is the hand-written OpenAPI 3.1 description of every
// route. cmd/hocd's tests compare its paths with the routes the app
// registers, so a route cannot be added without documenting it.
//
//go:embed openapi.json
var openAPIDocument []byte

// docsPage is the /docs page. The document is fixed at build time, so the
// page is rendered once; a document that does not parse or render is a
// build bug and stops the process at start instead of failing per request.
var docsPage = mustRenderDocs(openAPIDocument)

// openAPI handles GET /openapi.json: public, no envelope.
func openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(openAPIDocument)
}

// docs handles GET /docs: a self-contained HTML index of the document. The
// policy forbids every script and remote resource; the page needs none.
func docs(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	return c.Send(docsPage)
}

// httpMethods are the operation keys of an OpenAPI path item, in the order
// the docs page lists them; other keys (parameters, summary) are not
// operations.
var httpMethods = []string{"get", "post", "put", "patch", "delete", "head", "options", "trace"}

// apiDocument is the part of the OpenAPI document the docs page shows.
type apiDocument struct {
	OpenAPI string `json:"openapi"`
	Info    struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Description string `json:"description"`
	} `json:"info"`
	Paths map[string]map[string]json.RawMessage `json:"paths"`
}

type apiOperation struct {
	Summary  string                `json:"summary"`
	Security []map[string][]string `json:"security"`
}

// docsRow is one line of the docs page.
type docsRow struct {
	Method, Path, Summary, Credentials string
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} API {{.Version}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:76rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}
td.method{font:bold .9em monospace;text-transform:uppercase}
code{font-size:.95em}
</style>
</head>
<body>
<h1>{{.Title}} API <small>{{.Version}}</small></h1>
<p>{{.Description}}</p>
<p>Machine-readable OpenAPI {{.OpenAPI}} document: <a href="/openapi.json">/openapi.json</a>.</p>
<table>
<thead><tr><th>Method</th><th>Path</th><th>Summary</th><th>Credentials</th></tr></thead>
<tbody>
{{- range .Rows}}
<tr><td class="method">{{.Method}}</td><td><code>{{.Path}}</code></td><td>{{.Summary}}</td><td>{{.Credentials}}</td></tr>
{{- end}}
</tbody>
</table>
</body>
</html>
`))

// mustRenderDocs parses the document and renders the docs page, panicking
// when the embedded document is broken.
func mustRenderDocs(raw []byte) []byte {
	page, err := renderDocs(raw)
	if err != nil {
		panic(fmt.Sprintf("api: embedded openapi.json: %v", err))
	}
	return page
}

func renderDocs(raw []byte) ([]byte, error) {
	var doc apiDocument
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	rows, err := docsRows(doc)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = docsTemplate.Execute(&buf, struct {
		Title, Version, Description, OpenAPI string
		Rows                                 []docsRow
	}{doc.Info.Title, doc.Info.Version, doc.Info.Description, doc.OpenAPI, rows})
	if err != nil {
		return nil, fmt.Errorf("render docs: %w", err)
	}
	return buf.Bytes(), nil
}

// docsRows lists every operation sorted by path, then by method.
func docsRows(doc apiDocument) ([]docsRow, error) {
	var rows []docsRow
	for path, item := range doc.Paths {
		for _, method := range httpMethods {
			raw, ok := item[method]
			if !ok {
				continue
			}
			var op apiOperation
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, path, err)
			}
			rows = append(rows, docsRow{Method: method, Path: path, Summary: op.Summary, Credentials: credentials(op.Security)})
		}
	}
	slices.SortFunc(rows, func(a, b docsRow) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return slices.Index(httpMethods, a.Method) - slices.Index(httpMethods, b.Method)
	})
	return rows, nil
}

// credentials describes an operation's security requirements: any one of
// them admits the request, and an empty list means the path is public.
func credentials(security []map[string][]string) string {
	if len(security) == 0 {
		return "public"
	}
	alternatives := make([]string, 0, len(security))
	for _, req := range security {
		names := make([]string, 0, len(req))
		for name, scopes := range req {
			if len(scopes) > 0 {
				name += " (" + strings.Join(scopes, ", ") + ")"
			}
			names = append(names, name)
		}
		slices.Sort(names)
		alternatives = append(alternatives, strings.Join(names, " + "))
	}
	return strings.Join(alternatives, " or ")
}
