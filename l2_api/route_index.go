package api

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// routeIndex knows the app's endpoints — its routes without the groups'
// middleware — once every route is registered (NewApp builds it last, before
// the app serves): which methods a path allows, for the Allow header of a
// 405, and whether a route is an endpoint, for the access log.
type routeIndex struct {
	routes    []fiber.Route
	endpoints map[string]bool // method + " " + pattern
}

func (ix *routeIndex) build(routes []fiber.Route) {
	ix.endpoints = make(map[string]bool, len(routes))
	for _, r := range routes {
		ix.routes = append(ix.routes, r)
		ix.endpoints[r.Method+" "+r.Path] = true
	}
}

// isEndpoint reports whether the route with this method and pattern is an
// endpoint (a request refused by a group's middleware stops at the group's
// pattern, "/api/v1", which says nothing about what was asked).
func (ix *routeIndex) isEndpoint(method, pattern string) bool {
	return ix.endpoints[method+" "+pattern]
}

// allow lists, sorted, the methods of the endpoints matching path.
func (ix *routeIndex) allow(path string) []string {
	var methods []string
	for _, r := range ix.routes {
		if matchPattern(r.Path, path) && !slices.Contains(methods, r.Method) {
			methods = append(methods, r.Method)
		}
	}
	slices.Sort(methods)
	return methods
}

// matchPattern matches a request path against a route pattern whose
// parameters are whole segments (":id"), the only kind hoc's routes use.
func matchPattern(pattern, path string) bool {
	pp, sp := strings.Split(strings.Trim(pattern, "/"), "/"), strings.Split(strings.Trim(path, "/"), "/")
	if len(pp) != len(sp) {
		return false
	}
	for i, seg := range pp {
		if seg != sp[i] && (!strings.HasPrefix(seg, ":") || sp[i] == "") {
			return false
		}
	}
	return true
}
