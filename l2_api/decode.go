package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"strconv"
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
	if mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType)); err != nil || mt != fiber.MIMEApplicationJSON {
		return nil, spine.InvalidRequest("Content-Type must be application/json")
	}
	body := c.Body()
	if !json.Valid(body) {
		return nil, spine.InvalidRequest("request body is not valid JSON")
	}
	if jsonDepth(body) > maxJSONDepth {
		return nil, spine.Validation(spine.FieldError{Field: "body", Message: fmt.Sprintf("nests deeper than %d levels", maxJSONDepth)})
	}
	var obj object
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return nil, spine.Validation(spine.FieldError{Field: "body", Message: "must be a JSON object"})
	}
	return obj, nil
}

// jsonDepth returns the maximum nesting depth of valid JSON.
func jsonDepth(b []byte) int {
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
		}
	}
	return maxDepth
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// str reads an optional string field; absent or null leaves dst alone.
func (o object) str(name string, dst *string, fields *spine.Fields) {
	raw, ok := o[name]
	if !ok || isNull(raw) {
		return
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		fields.Add(name, "must be a string")
	}
}

// optStr reads an optional, nullable string field into a pointer.
func (o object) optStr(name string, dst **string, fields *spine.Fields) {
	raw, ok := o[name]
	if !ok || isNull(raw) {
		return
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		fields.Add(name, "must be a string")
		return
	}
	*dst = &s
}

// listParams reads limit (1..1000, default 100) and offset (>= 0) (SPEC §7).
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
		if n < 0 {
			fields.Add("offset", "must be >= 0")
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

// optInteger reads an optional, nullable whole-number field into a pointer.
func (o object) optInteger(name string, dst **int64, fields *spine.Fields) {
	raw, ok := o[name]
	if !ok || isNull(raw) {
		return
	}
	n, ok := parseInteger(raw)
	if !ok {
		fields.Add(name, "must be an integer")
		return
	}
	*dst = &n
}

// parseInteger accepts a JSON number that is a whole number within int64.
func parseInteger(raw json.RawMessage) (int64, bool) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	// 1e3 and 10.0 are whole numbers written another way.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// strList reads an optional array of strings.
func (o object) strList(name string, dst *[]string, fields *spine.Fields) {
	raw, ok := o[name]
	if !ok || isNull(raw) {
		return
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		fields.Add(name, "must be an array of strings")
	}
}

// optTime reads an optional RFC 3339 timestamp.
func (o object) optTime(name string, dst **time.Time, fields *spine.Fields) {
	var s string
	raw, ok := o[name]
	if !ok || isNull(raw) {
		return
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		fields.Add(name, "must be an RFC 3339 timestamp")
		return
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		fields.Add(name, "must be an RFC 3339 timestamp")
		return
	}
	t = t.UTC()
	*dst = &t
}
