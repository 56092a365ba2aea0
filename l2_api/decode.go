package api

import (
	"fmt"
	"mime"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"hoc/l5_engines/fault"
)

// maxJSONDepth is the deepest nesting of objects and arrays accepted (SPEC §1.4).
const maxJSONDepth = 32

// checkContentType refuses a body that is not declared as JSON.
func checkContentType(c *fiber.Ctx) error {
	if mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType)); err != nil || mt != fiber.MIMEApplicationJSON {
		return fault.InvalidRequest("Content-Type must be application/json")
	}
	return nil
}

// checkDepth refuses JSON that nests deeper than maxJSONDepth with 422,
// however deep it goes (SPEC §1.4) — JSON parsers give up at some depth
// (10,000 for encoding/json), so the decision is made before any of them
// runs, on a scan of the brackets. Only a deep body whose brackets do not
// even balance is 400: it is not JSON.
func checkDepth(body []byte) error {
	depth, balanced := jsonDepth(body)
	switch {
	case depth <= maxJSONDepth:
		return nil
	case !balanced:
		return fault.InvalidRequest("request body is not valid JSON")
	}
	return fault.Validation(fault.FieldError{Field: "body", Message: fmt.Sprintf("nests deeper than %d levels", maxJSONDepth)})
}

// jsonDepth returns the maximum nesting depth of JSON text, and whether its
// brackets balance outside strings.
func jsonDepth(b []byte) (int, bool) {
	depth, maxDepth, inString, escaped := 0, 0, false, false
	for _, ch := range b {
		switch {
		case escaped:
			escaped = false
		case inString && ch == '\\':
			escaped = true
		case ch == '"':
			inString = !inString
		case inString:
		case ch == '{' || ch == '[':
			depth++
			maxDepth = max(maxDepth, depth)
		case ch == '}' || ch == ']':
			depth--
			if depth < 0 {
				return maxDepth, false
			}
		}
	}
	return maxDepth, depth == 0 && !inString
}

// maxOffset bounds the offset of a list: offset paging that deep reads and
// skips a billion rows; history has cursors for walking far.
const maxOffset = 1_000_000_000

// listParams reads limit (1..1000, default 100) and offset (0..maxOffset) (SPEC §7).
// A value that is not an integer is 400; one out of range is 422.
func listParams(c *fiber.Ctx) (limit, offset int, err error) {
	limit, offset = 100, 0
	var fields fault.Fields
	if v := c.Query("limit"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil {
			return 0, 0, fault.InvalidRequest("limit must be an integer")
		}
		if n < 1 || n > 1000 {
			fields.Add("limit", "must be between 1 and 1000")
		}
		limit = n
	}
	if v := c.Query("offset"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil {
			return 0, 0, fault.InvalidRequest("offset must be an integer")
		}
		if n < 0 || n > maxOffset {
			fields.Add("offset", "must be between 0 and %d", maxOffset)
		}
		offset = n
	}
	return limit, offset, fields.Err()
}
