package api

// Every JSON request body is read here: in one pass over its tokens
// (go-json-experiment's jsontext), by a table of the fields its route takes
// (schema) — name, whether it is required, what a null means, and the rule
// and target of its value. Measured on a usage record, the path every SDK
// call takes: decoding into a map of raw values with encoding/json and then
// reading each field cost 8.5 µs and 80 allocations a record, one pass over
// the tokens 2.5 µs and 36 (BenchmarkReadRecord), most of a batch's CPU.
//
// The rules hold for every body alike (SPEC §1.4): strings valid UTF-8 —
// refused, never silently replaced — without NUL; integers decided on the
// JSON literal (wholeNumber), never coerced from a string or a fraction;
// every failing field reported at once, named with its path. Unknown
// members are skipped, duplicate names allowed (the last wins), as with
// encoding/json.

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/gofiber/fiber/v2"

	"hoc/l5_engines/fault"
)

// field is one member of an object a route reads into a T.
type field[T any] struct {
	name     string
	required bool
	// null is what a JSON null does to dst; nil means the same as leaving
	// the member out.
	null func(dst *T, r *valueReader)
	// read reads the member's value (r.value, or r.dec for a value read in
	// parts) and stores it in dst, or adds why it cannot.
	read func(dst *T, r *valueReader)
}

// schema is the fields of one body, indexed by name.
type schema[T any] struct {
	fields []field[T]
	index  map[string]int
}

func newSchema[T any](fields ...field[T]) *schema[T] {
	if len(fields) > 64 {
		panic("a schema holds at most 64 fields") // the required set is a uint64
	}
	s := &schema[T]{fields: fields, index: make(map[string]int, len(fields))}
	for i, f := range fields {
		s.index[f.name] = i
	}
	return s
}

// names lists the fields' names in the schema's order.
func (s *schema[T]) names() []string {
	out := make([]string, len(s.fields))
	for i, f := range s.fields {
		out[i] = f.name
	}
	return out
}

// read reads the next value of dec, which must be an object, into dst.
// Field errors name prefix+field ("records[3].tokens_in"). A value that is
// not an object is one field error naming the prefix (or "body"); only JSON
// that does not parse returns an error, which ends the request.
func (s *schema[T]) read(dec *jsontext.Decoder, prefix string, dst *T) (fault.Fields, error) {
	r := &valueReader{dec: dec, prefix: prefix}
	if dec.PeekKind() != '{' {
		if _, err := dec.ReadValue(); err != nil {
			return nil, err
		}
		return fault.Fields{{Field: trimDot(prefix), Message: "must be a JSON object"}}, nil
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	var seen uint64
	for dec.PeekKind() != '}' {
		name, err := r.memberName()
		if err != nil {
			return nil, err
		}
		i, known := s.index[string(name)] // no allocation: the conversion is only a map key
		if !known {
			if err := dec.SkipValue(); err != nil {
				return nil, err
			}
			continue
		}
		f := s.fields[i]
		r.name = f.name
		if dec.PeekKind() == 'n' {
			if _, err := dec.ReadToken(); err != nil {
				return nil, err
			}
			if f.null != nil {
				f.null(dst, r)
				seen |= 1 << i
			}
			continue
		}
		seen |= 1 << i
		f.read(dst, r)
		if r.err != nil {
			return nil, r.err
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	for i, f := range s.fields {
		if f.required && seen&(1<<i) == 0 {
			r.name = f.name
			r.fail("is required")
		}
	}
	return r.fields, nil
}

// valueReader reads the value of one member at a time and checks it against
// the rules, collecting a field error for each that breaks one.
type valueReader struct {
	dec    *jsontext.Decoder
	prefix string
	name   string // the member being read
	fields fault.Fields
	err    error // the body is not JSON
	// nameBuf holds the current member's name: a value read from dec is
	// valid only until the next read.
	nameBuf []byte
}

// memberName reads the next member's name, unescaped when it has to be,
// into a buffer that the next call reuses.
func (r *valueReader) memberName() ([]byte, error) {
	raw, err := r.dec.ReadValue()
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(raw, '\\') >= 0 {
		r.nameBuf, _ = jsontext.AppendUnquote(r.nameBuf[:0], raw)
	} else {
		r.nameBuf = append(r.nameBuf[:0], raw[1:len(raw)-1]...)
	}
	return r.nameBuf, nil
}

func (r *valueReader) fail(format string, args ...any) {
	r.fields.Add(r.prefix+r.name, format, args...)
}

// value reads the member's value; nil (with r.err set) when the body is not
// JSON.
func (r *valueReader) value() jsontext.Value {
	v, err := r.dec.ReadValue()
	if err != nil {
		r.err = err
		return nil
	}
	return v
}

// text reads a string of min..max characters that is valid UTF-8 and holds
// no NUL, reporting the first rule it breaks.
func (r *valueReader) text(min, max int) (string, bool) {
	v := r.value()
	if v == nil {
		return "", false
	}
	if v.Kind() != '"' {
		r.fail("must be a string")
		return "", false
	}
	s, ok := unquote(v)
	switch n := utf8.RuneCountInString(s); {
	case !ok:
		r.fail("must be valid UTF-8")
	case strings.IndexByte(s, 0) >= 0:
		r.fail("must not contain NUL characters")
	case n > max:
		r.fail("must be at most %d characters", max)
	case n < min && n == 0:
		r.fail("must not be empty")
	case n < min:
		r.fail("must be at least %d characters", min)
	default:
		return s, true
	}
	return "", false
}

// optText is text into a pointer, nil when the value breaks a rule.
func (r *valueReader) optText(max int) *string {
	if s, ok := r.text(0, max); ok {
		return &s
	}
	return nil
}

// noLimit is the length limit of a string field whose length the engine
// decides.
const noLimit = 1 << 30

// integer reads a whole number in min..max, decided on the literal
// (wholeNumber): 1e3 and 10.0 are whole numbers written another way,
// 1e-400, 5.5 and "5" are not integers.
func (r *valueReader) integer(min, max int64) (int64, bool) {
	v := r.value()
	if v == nil {
		return 0, false
	}
	if v.Kind() != '0' {
		r.fail("must be an integer")
		return 0, false
	}
	n, whole, fits := wholeNumber(v)
	switch {
	case !whole:
		r.fail("must be an integer")
	case v[0] == '-' && (n < min || !fits):
		r.fail("must be >= %d", min)
	case !fits || n > max:
		r.fail("must be <= %d", max)
	case n < min:
		r.fail("must be >= %d", min)
	default:
		return n, true
	}
	return 0, false
}

// anyInteger reads a whole number in the range of an int64, whose range the
// engine decides.
func (r *valueReader) anyInteger() (int64, bool) {
	v := r.value()
	if v == nil {
		return 0, false
	}
	if v.Kind() == '0' {
		if n, whole, fits := wholeNumber(v); whole && fits {
			return n, true
		}
	}
	r.fail("must be an integer")
	return 0, false
}

// boolean reads true or false.
func (r *valueReader) boolean() (bool, bool) {
	switch v := r.value(); {
	case v == nil:
	case v.Kind() == 't':
		return true, true
	case v.Kind() == 'f':
		return false, true
	default:
		r.fail("must be a boolean")
	}
	return false, false
}

// timestamp reads an RFC 3339 time, in UTC.
func (r *valueReader) timestamp() (time.Time, bool) {
	v := r.value()
	if v == nil {
		return time.Time{}, false
	}
	s, ok := unquote(v)
	t, err := time.Parse(time.RFC3339Nano, s)
	if v.Kind() != '"' || !ok || err != nil {
		r.fail("must be an RFC 3339 timestamp")
		return time.Time{}, false
	}
	return t.UTC(), true
}

// textList reads an array of strings, each checked as text is and named
// with its index.
func (r *valueReader) textList(max int) ([]string, bool) {
	if r.dec.PeekKind() != '[' {
		if r.value() != nil {
			r.fail("must be an array of strings")
		}
		return nil, false
	}
	if _, err := r.dec.ReadToken(); err != nil {
		r.err = err
		return nil, false
	}
	name, list, ok := r.name, []string{}, true
	for i := 0; r.dec.PeekKind() != ']'; i++ {
		r.name = name + "[" + strconv.Itoa(i) + "]"
		s, good := r.text(0, max)
		if r.err != nil {
			return nil, false
		}
		ok = ok && good
		list = append(list, s)
	}
	r.name = name
	if _, err := r.dec.ReadToken(); err != nil {
		r.err = err
		return nil, false
	}
	return list, ok
}

// decimalText reads a number as its literal, or a string holding one, for a
// value the engine reads exactly (a price): never through a float.
func (r *valueReader) decimalText() string {
	v := r.value()
	if v == nil {
		return ""
	}
	switch v.Kind() {
	case '0':
		return string(v)
	case '"':
		if s, ok := unquote(v); ok && s != "" && strings.IndexByte(s, 0) < 0 {
			return s
		}
	}
	r.fail("must be a decimal number, or a string holding one")
	return ""
}

// readNested reads an object member with s into dst, naming its fields
// under the member ("usd_per_mtok.input").
func readNested[T any](r *valueReader, s *schema[T], dst *T) {
	if r.dec.PeekKind() != '{' {
		if r.value() != nil {
			r.fail("must be a JSON object")
		}
		return
	}
	fields, err := s.read(r.dec, r.prefix+r.name+".", dst)
	if err != nil {
		r.err = err
		return
	}
	r.fields = append(r.fields, fields...)
}

// nullIsWrong is a field's null handler when null is not one of its values
// (a PATCH field that is present changes the setting, and null is no value
// for it).
func nullIsWrong[T any](message string) func(*T, *valueReader) {
	return func(_ *T, r *valueReader) { r.fail("%s", message) }
}

// readBody reads the request's JSON body into dst with s: 400 when it is not
// JSON (or not declared as JSON), 422 when it nests too deeply, is not an
// object or breaks a field rule.
func readBody[T any](c *fiber.Ctx, s *schema[T], dst *T) error {
	dec, err := jsonBody(c)
	if err != nil {
		return err
	}
	fields, err := s.read(dec, "", dst)
	if err = endOfBody(dec, err); err != nil {
		return err
	}
	return fields.Err()
}

// jsonBody checks the content type and the nesting depth of the body and
// returns a decoder over it (SPEC §1.4).
func jsonBody(c *fiber.Ctx) (*jsontext.Decoder, error) {
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
	return newJSONDecoder(body), nil
}

// endOfBody turns a decoding error, or anything after the one top-level
// value, into 400: the body is not JSON.
func endOfBody(dec *jsontext.Decoder, err error) error {
	if err == nil {
		if _, err = dec.ReadToken(); err == io.EOF {
			return nil
		}
	}
	return fault.InvalidRequest("request body is not valid JSON")
}

// newJSONDecoder reads a request body token by token. Invalid UTF-8 does not
// stop it: every string is checked where it is used, so that the error names
// the field (SPEC §1.4) and, in a batch, stays with its record. Duplicate
// names are allowed and the last one wins, as with encoding/json.
func newJSONDecoder(body []byte) *jsontext.Decoder {
	return jsontext.NewDecoder(bytes.NewReader(body), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
}

// unquote returns the text of a JSON string literal, and false when it is
// not valid UTF-8 (raw invalid bytes, or an escaped lone surrogate), which
// must be refused rather than silently replaced.
func unquote(v []byte) (string, bool) {
	if len(v) >= 2 && bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v[1:len(v)-1]) {
		return string(v[1 : len(v)-1]), true
	}
	b, err := jsontext.AppendUnquote(nil, v)
	return string(b), err == nil
}

func trimDot(prefix string) string {
	if prefix == "" {
		return "body"
	}
	return prefix[:len(prefix)-1]
}
