package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	spine "hoc/l4_spine"
)

// maxJSONDepth is the deepest nesting of objects and arrays accepted (SPEC §1.4).
const maxJSONDepth = 32

// object is a JSON object whose fields are decoded one by one, so that every
// field with a wrong type is reported (no silent coercion) instead of only
// the first one encoding/json would stop at.
type object map[string]json.RawMessage

// decodeObject checks the content type and parses the body as one JSON
// object. A body that is not JSON is 400; JSON that is not an object or nests
// too deeply is 422.
func decodeObject(c *fiber.Ctx) (object, error) {
	if err := checkContentType(c); err != nil {
		return nil, err
	}
	body, err := requestBody(c)
	if err != nil {
		return nil, err
	}
	if err := checkDepth(body); err != nil {
		return nil, err
	}
	if !json.Valid(body) {
		return nil, spine.InvalidRequest("request body is not valid JSON")
	}
	var obj object
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return nil, spine.Validation(spine.FieldError{Field: "body", Message: "must be a JSON object"})
	}
	return obj, nil
}

// checkContentType refuses a body that is not declared as JSON.
func checkContentType(c *fiber.Ctx) error {
	if mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType)); err != nil || mt != fiber.MIMEApplicationJSON {
		return spine.InvalidRequest("Content-Type must be application/json")
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
		return spine.InvalidRequest("request body is not valid JSON")
	}
	return spine.Validation(spine.FieldError{Field: "body", Message: fmt.Sprintf("nests deeper than %d levels", maxJSONDepth)})
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

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// str reads an optional string field; absent or null leaves dst alone.
func (o object) str(name string, dst *string, fields *spine.Fields) {
	raw, ok := o[name]
	if !ok || isNull(raw) {
		return
	}
	if s, ok := textField(name, raw, fields); ok {
		*dst = s
	}
}

// optStr reads an optional, nullable string field into a pointer.
func (o object) optStr(name string, dst **string, fields *spine.Fields) {
	raw, ok := o[name]
	if !ok || isNull(raw) {
		return
	}
	if s, ok := textField(name, raw, fields); ok {
		*dst = &s
	}
}

// textField decodes a JSON string strictly (SPEC §1.4): valid UTF-8 — never
// silently replaced — and no NUL, which Postgres cannot store; a failing
// value adds the field error that says why.
func textField(name string, raw json.RawMessage, fields *spine.Fields) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		fields.Add(name, "must be a string")
		return "", false
	}
	s, ok := unquote(raw)
	switch {
	case !ok:
		fields.Add(name, "must be valid UTF-8")
	case strings.IndexByte(s, 0) >= 0:
		fields.Add(name, "must not contain NUL characters")
	default:
		return s, true
	}
	return "", false
}

// maxOffset bounds the offset of a list: offset paging that deep reads and
// skips a billion rows; history has cursors for walking far.
const maxOffset = 1_000_000_000

// listParams reads limit (1..1000, default 100) and offset (0..maxOffset) (SPEC §7).
// A value that is not an integer is 400; one out of range is 422.
func listParams(c *fiber.Ctx) (limit, offset int, err error) {
	limit, offset = 100, 0
	var fields spine.Fields
	if v := c.Query("limit"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil {
			return 0, 0, spine.InvalidRequest("limit must be an integer")
		}
		if n < 1 || n > 1000 {
			fields.Add("limit", "must be between 1 and 1000")
		}
		limit = n
	}
	if v := c.Query("offset"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil {
			return 0, 0, spine.InvalidRequest("offset must be an integer")
		}
		if n < 0 || n > maxOffset {
			fields.Add("offset", "must be between 0 and %d", maxOffset)
		}
		offset = n
	}
	return limit, offset, fields.Err()
}

// integer reads an optional whole-number field. Fractions, exponents that do
// not give a whole number, strings and anything else are refused: integers
// are never coerced.
func (o object) integer(name string, dst *int64, fields *spine.Fields) {
	raw, ok := o[name]
	if !ok || isNull(raw) {
		return
	}
	n, ok := parseInteger(raw)
	if !ok {
		fields.Add(name, "must be an integer")
		return
	}
	*dst = n
}

// parseInteger accepts a JSON number that is a whole number within int64,
// decided on its literal (see wholeNumber): 1e3 and 10.0 are whole numbers
// written another way, 1e-400 is not one.
func parseInteger(raw json.RawMessage) (int64, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, false
	}
	n, whole, fits := wholeNumber(raw)
	return n, whole && fits
}

// strList reads an optional array of strings.
func (o object) strList(name string, dst *[]string, fields *spine.Fields) {
	raw, ok := o[name]
	if !ok || isNull(raw) {
		return
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		fields.Add(name, "must be an array of strings")
		return
	}
	list := make([]string, 0, len(items))
	for i, item := range items {
		s, ok := textField(name+"["+strconv.Itoa(i)+"]", item, fields)
		if !ok {
			return
		}
		list = append(list, s)
	}
	*dst = list
}

// optTime reads an optional RFC 3339 timestamp.
func (o object) optTime(name string, dst **time.Time, fields *spine.Fields) {
	raw, ok := o[name]
	if !ok || isNull(raw) {
		return
	}
	s, ok := unquote(bytes.TrimSpace(raw))
	t, err := time.Parse(time.RFC3339Nano, s)
	if !ok || err != nil {
		fields.Add(name, "must be an RFC 3339 timestamp")
		return
	}
	t = t.UTC()
	*dst = &t
}
