package api

// Fuzz targets for the request decoders of the HTTP layer: the telemetry
// record and batch decoders, the metadata canonicalizer, the integer literal
// rule and the query-string parameters of the list and telemetry endpoints.
//
// Every target checks the same three things: no panic on any input; no
// "internal" verdict for client input (every refusal is a *fault.Error of a
// client kind); and the verdict is deterministic (the same input, decided
// again, gives exactly the same answer). Each also checks the rules of SPEC
// §1.4 / §3.1 on what it accepts. Seeds: the f.Add calls below (short ones)
// and testdata/fuzz/<FuzzName>/ (large ones: deep nesting, a 1001-record
// batch, long strings, metadata at the size limit).
//
// Run one with e.g.
//
//	go test -run '^$' -fuzz '^FuzzReadRecord$' -fuzztime 20s ./l2_api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/valyala/fasthttp"

	"hoc/l4_spine/telemetry"
	"hoc/l5_engines/fault"
)

// fzRecordBase is a valid record's required members, without braces.
const fzRecordBase = `"call_id":"c","provider":"openai","model":"gpt-4o","tokens_in":1,"tokens_out":2,"cost_cents":3`

// fzRecordSeeds are record bodies: valid ones, and the hostile inputs of
// SPEC §1.4 and the fuzzing brief, each in a field that must refuse it.
func fzRecordSeeds() []string {
	rec := func(extra string) string { return `{` + fzRecordBase + extra + `}` }
	return []string{
		rec(``),
		rec(`,"cost_micros":25000,"latency_ms":400,"session_id":"s","agent_id":"a","policy_result":"warned","error_code":"E","error_message":"m","occurred_at":"2026-11-25T10:30:00.5+02:00","integration_id":"0193a8e0-0000-7000-8000-00000000000a"}`),
		rec(`,"metadata":{"z":1.50,"a":{"y":[true,null,"<&>"],"b":"\u00e9\n"},"a":{"last":1}}`),
		// NUL, escaped and raw (a raw control character is not JSON).
		rec(`,"session_id":"a\u0000b"`),
		rec(`,"metadata":{"k":"a\u0000"}`),
		rec(`,"metadata":{"a\u0000":1}`),
		rec(`,"call_id":"a` + "\x00" + `b"`),
		"{\x00}",
		// Invalid UTF-8 and lone surrogates.
		rec(`,"agent_id":"x` + "\xff" + `"`),
		rec(`,"agent_id":"x` + "\xfe" + `"`),
		rec(`,"agent_id":"x\ud800"`),
		rec(`,"call_id":"\udc00"`),
		rec(`,"metadata":{"k":["` + "\xfe" + `"]}`),
		rec(`,"metadata":{"` + "\xff" + `":1}`),
		rec(`,"metadata":{"\ud800\u0041":1}`),
		`{"call_` + "\xff" + `id":"c"}`,
		// Huge and tiny exponents, long fractions, integers decided on the literal.
		rec(`,"metadata":{"n":1e1000000}`),
		rec(`,"metadata":{"n":1e131000}`),
		rec(`,"metadata":{"n":1e-400}`),
		rec(`,"metadata":{"n":1.00000000000000000000000000000001}`),
		rec(`,"latency_ms":1e1000000`),
		rec(`,"latency_ms":1e131000`),
		rec(`,"latency_ms":1e-400`),
		rec(`,"latency_ms":1000000000.0000000001`),
		rec(`,"cost_micros":10000000000000.0000000001`),
		`{"call_id":"c","provider":"p","model":"m","tokens_in":5.0,"tokens_out":5e0,"cost_cents":50e-1}`,
		`{"call_id":"c","provider":"p","model":"m","tokens_in":-0,"tokens_out":-0.0,"cost_cents":0e-400}`,
		`{"call_id":"c","provider":"p","model":"m","tokens_in":-1,"tokens_out":1000000001,"cost_cents":9223372036854775808}`,
		`{"call_id":"c","provider":"p","model":"m","tokens_in":-9223372036854775808,"tokens_out":-1e30,"cost_cents":5.5}`,
		rec(`,"cost_micros":30001`),
		// Leading zeros are not JSON.
		rec(`,"latency_ms":01`),
		rec(`,"metadata":{"n":-01}`),
		// HTML characters are never escaped, nor counted escaped.
		rec(`,"call_id":"<script>&amp;</script>","metadata":{"html":"<>&\u003c\u2028"}`),
		// Duplicate keys: the last one wins.
		rec(`,"call_id":"second","metadata":{"a":1,"a":2}`),
		rec(`,"metadata":{"a":1},"metadata":7`),
		rec(`,"metadata":7,"metadata":{"a":1}`),
		rec(`,"call_id":5`),
		// Wrong types, nulls, unknown fields.
		rec(`,"cost_micros":"5","provider":7,"occurred_at":12,"metadata":[]`),
		rec(`,"session_id":null,"metadata":null,"unknown":{"x":[1,2,{"y":"\u0000"}]}`),
		rec(`,"policy_result":"denied","integration_id":"not-a-uuid","occurred_at":"2026-11-25 10:30:00"`),
		rec(`,"call_id":"` + strings.Repeat("é", 101) + `","error_code":"` + strings.Repeat("x", 51) + `"`),
		`{}`,
		`{"call_id":""}`,
		// Not an object, empty, truncated, trailing data.
		``, ` `, `null`, `[]`, `7`, `"x"`, `[{}]`,
		`{`, `{"call_id":"c"`, `{"call_id":`, `{"metadata":{"a":[1,2`, `{"metadata":{"a":`,
		rec(``) + ` {}`, rec(``) + `x`,
		// Deep nesting: 33 levels in all (SPEC's limit is 32).
		rec(`,"metadata":` + strings.Repeat(`{"a":`, 31) + `1` + strings.Repeat(`}`, 31)),
		rec(`,"metadata":` + strings.Repeat(`[`, 32) + strings.Repeat(`]`, 32)),
	}
}

// fzNewCtx returns a request context of app whose body is body (sent as
// application/json) and whose query string is query.
func fzNewCtx(app *fiber.App, body []byte, query string) *fiber.Ctx {
	c := app.AcquireCtx(&fasthttp.RequestCtx{})
	c.Request().Header.SetContentType(fiber.MIMEApplicationJSON)
	c.Request().SetBody(body)
	c.Request().URI().SetQueryString(query)
	return c
}

// fzApp is an application like the server's for building request contexts.
func fzApp() *fiber.App { return fiber.New(fiber.Config{Immutable: true}) }

// fzErrVerdict describes an error as a client would see it, and fails t
// when it is not a *fault.Error of one of the kinds allowed.
func fzErrVerdict(t *testing.T, err error, kinds ...fault.Kind) string {
	t.Helper()
	if err == nil {
		return ""
	}
	fe, ok := fault.As(err)
	if !ok {
		t.Fatalf("error is not a *fault.Error: %T %v", err, err)
	}
	if !slices.Contains(kinds, fe.Kind) {
		t.Fatalf("error of kind %s (%v), want one of %v", fe.Kind, err, kinds)
	}
	if fe.Kind == fault.KindInternal || fe.Code == fault.CodeInternal {
		t.Fatalf("internal verdict for client input: %v", err)
	}
	if fe.Message == "" || fe.Code == "" {
		t.Fatalf("error without code or message: %+v", fe)
	}
	return fmt.Sprintf("%s|%s|%s|%v", fe.Kind, fe.Code, fe.Message, fe.Details)
}

// fzLenientJSON reports whether b is one JSON value as the decoders read
// bodies: invalid UTF-8 in strings and duplicate names allowed (they are
// refused per field later).
func fzLenientJSON(b []byte) bool {
	return jsontext.Value(b).IsValid(jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
}

// fzText checks an accepted string field: valid UTF-8, no NUL, between lo
// and hi characters.
func fzText(t *testing.T, name, s string, lo, hi int) {
	t.Helper()
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		t.Fatalf("accepted %s %q is not valid UTF-8 without NUL", name, s)
	}
	if n := utf8.RuneCountInString(s); n < lo || n > hi {
		t.Fatalf("accepted %s %q has %d characters, want %d..%d", name, s, n, lo, hi)
	}
}

func fzOptText(t *testing.T, name string, s *string, hi int) {
	t.Helper()
	if s != nil {
		fzText(t, name, *s, 0, hi)
	}
}

func fzCount(t *testing.T, name string, n, hi int64) {
	t.Helper()
	if n < 0 || n > hi {
		t.Fatalf("accepted %s = %d, want 0..%d", name, n, hi)
	}
}

// fzCheckRecord checks that an accepted record keeps every rule of SPEC
// §3.1 and §1.4 that the decoder decides.
func fzCheckRecord(t *testing.T, r *telemetry.Record) {
	t.Helper()
	fzText(t, "call_id", r.CallID, 1, 100)
	fzText(t, "provider", r.Provider, 1, 50)
	fzText(t, "model", r.Model, 1, 100)
	if r.IntegrationID != "" && (uuid.Validate(r.IntegrationID) != nil || len(r.IntegrationID) > 36) {
		t.Fatalf("accepted integration_id %q is not a UUID", r.IntegrationID)
	}
	fzCount(t, "tokens_in", r.TokensIn, 1_000_000_000)
	fzCount(t, "tokens_out", r.TokensOut, 1_000_000_000)
	fzCount(t, "cost_cents", r.CostCents, 1_000_000_000)
	if r.CostMicros != nil {
		fzCount(t, "cost_micros", *r.CostMicros, 10_000_000_000_000)
		if (*r.CostMicros+9_999)/10_000 > r.CostCents {
			t.Fatalf("accepted cost_micros %d that rounds up above cost_cents %d", *r.CostMicros, r.CostCents)
		}
	}
	if r.LatencyMS != nil {
		fzCount(t, "latency_ms", *r.LatencyMS, 86_400_000)
	}
	fzOptText(t, "session_id", r.SessionID, 100)
	fzOptText(t, "agent_id", r.AgentID, 100)
	fzOptText(t, "error_code", r.ErrorCode, 50)
	fzOptText(t, "error_message", r.ErrorMessage, 4096)
	if p := r.PolicyResult; p != nil && !slices.Contains([]string{"allowed", "warned", "blocked"}, *p) {
		t.Fatalf("accepted policy_result %q", *p)
	}
	if r.OccurredAt != nil && r.OccurredAt.Location() != time.UTC {
		t.Fatalf("occurred_at %v is not in UTC", r.OccurredAt)
	}
	if r.Metadata != nil {
		fzCheckCanonical(t, r.Metadata, true)
		if len(r.Metadata) > 16<<10 {
			t.Fatalf("accepted metadata of %d bytes", len(r.Metadata))
		}
	}
}

// fzCheckCanonical checks canonical JSON: valid (strict UTF-8, no duplicate
// names), an object when object is set, no NUL in any string or name,
// numbers of at most 32 characters within a float64, keys sorted, no
// insignificant whitespace nor longer escaping than needed, and a fixed
// point of canonicalJSON.
func fzCheckCanonical(t *testing.T, b []byte, object bool) {
	t.Helper()
	if !jsontext.Value(b).IsValid() {
		t.Fatalf("canonical form %q is not valid JSON", b)
	}
	if object && jsontext.Value(b).Kind() != '{' {
		t.Fatalf("canonical metadata %q is not an object", b)
	}
	if bytes.IndexByte(b, 0) >= 0 {
		t.Fatalf("canonical form %q holds a raw NUL", b)
	}
	dec := jsontext.NewDecoder(bytes.NewReader(b))
	type open struct {
		object, named bool
		last          string
	}
	var stack []open
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			break
		}
		switch tok.Kind() {
		case '{', '[':
			stack = append(stack, open{object: tok.Kind() == '{'})
		case '}', ']':
			stack = stack[:len(stack)-1]
		case '"':
			s := tok.String()
			if strings.IndexByte(s, 0) >= 0 {
				t.Fatalf("canonical form %q holds a NUL in %q", b, s)
			}
			// A name: the innermost object has read an odd number of tokens.
			if kind, n := dec.StackIndex(dec.StackDepth()); kind == '{' && n%2 == 1 {
				top := &stack[len(stack)-1]
				if top.named && strings.Compare(top.last, s) >= 0 {
					t.Fatalf("canonical form %q: key %q after %q", b, s, top.last)
				}
				top.named, top.last = true, s
			}
		case '0':
			lit := tok.String()
			if len(lit) > 32 {
				t.Fatalf("canonical form %q holds a number of %d characters", b, len(lit))
			}
			if _, err := strconv.ParseFloat(lit, 64); err != nil {
				t.Fatalf("canonical form %q holds %s beyond a float64", b, lit)
			}
		}
	}
	compact := jsontext.Value(bytes.Clone(b))
	if err := compact.Compact(); err != nil || !bytes.Equal(compact, b) {
		t.Fatalf("canonical form %q is not compact (%q, %v)", b, compact, err)
	}
	unbounded := fzUnbounded()
	again, problem := canonicalJSON(nil, newJSONDecoder(b), "metadata", &unbounded)
	if problem != nil || !bytes.Equal(again, b) {
		t.Fatalf("canonical form %q is not a fixed point: %q, %+v", b, again, problem)
	}
}

// fzCheckIntegers checks that every integer of an accepted record is the
// exact value of the literal sent (the last non-null member of that name),
// computed with math/big.
func fzCheckIntegers(t *testing.T, body []byte, r *telemetry.Record) {
	t.Helper()
	got := map[string]*int64{"tokens_in": &r.TokensIn, "tokens_out": &r.TokensOut, "cost_cents": &r.CostCents,
		"cost_micros": r.CostMicros, "latency_ms": r.LatencyMS}
	dec := jsontext.NewDecoder(bytes.NewReader(body), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return
	}
	sent := map[string]string{}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil {
			return
		}
		key, keyErr := jsontext.AppendUnquote(nil, name)
		v, err := dec.ReadValue()
		if err != nil {
			return
		}
		if keyErr != nil {
			continue // invalid UTF-8 in the name: none of the integers' names
		}
		if _, ok := got[string(key)]; ok && v.Kind() != 'n' {
			sent[string(key)] = string(v)
		}
	}
	for name, lit := range sent {
		x, ok := fzExact(lit)
		if !ok || got[name] == nil {
			continue
		}
		if !x.IsInt() || x.Cmp(new(big.Float).SetInt64(*got[name])) != 0 {
			t.Fatalf("%s %.80s accepted as %d, but the literal %s", name, lit, *got[name], fzDescribe(x))
		}
	}
}

// fzRecordResult is everything readRecord returns, for comparing two runs.
type fzRecordResult struct {
	Rec    *telemetry.Record
	CallID string
	Fields []fault.FieldError
	Err    string
}

func fzReadRecord(body []byte, prefix string) fzRecordResult {
	rec, callID, fields, err := readRecord(newJSONDecoder(body), prefix)
	r := fzRecordResult{Rec: rec, CallID: callID, Fields: fields}
	if err != nil {
		r.Err = err.Error()
	}
	return r
}

// fzRecordFieldNames are the field names a record's errors may carry after
// the prefix; metadata errors may also name a path inside it.
var fzRecordFieldNames = []string{"integration_id", "call_id", "provider", "model", "tokens_in", "tokens_out",
	"cost_cents", "cost_micros", "latency_ms", "session_id", "agent_id", "policy_result", "error_code",
	"error_message", "metadata", "occurred_at"}

// fzCheckFields checks that refused-record errors name the record: the
// prefix without its dot (not an object), or prefix + a record field.
func fzCheckFields(t *testing.T, fields []fault.FieldError, prefix string) {
	t.Helper()
	for _, fe := range fields {
		if fe.Message == "" {
			t.Fatalf("field error without message: %+v", fe)
		}
		if fe.Field == trimDot(prefix) {
			continue
		}
		rest, ok := strings.CutPrefix(fe.Field, prefix)
		if !ok {
			t.Fatalf("field error %+v does not start with the record's prefix %q", fe, prefix)
		}
		if !slices.Contains(fzRecordFieldNames, rest) && !strings.HasPrefix(rest, "metadata.") && !strings.HasPrefix(rest, "metadata[") {
			t.Fatalf("field error %+v names no record field", fe)
		}
	}
}

// fzCheckRecordResult checks one readRecord result read with prefix.
func fzCheckRecordResult(t *testing.T, body []byte, r fzRecordResult, prefix string) {
	t.Helper()
	switch {
	case r.Err != "":
		if r.Rec != nil || r.Fields != nil {
			t.Fatalf("an error with a record or fields: %+v", r)
		}
		if fzLenientJSON(body) {
			// Only a body that is not JSON ends the request.
			t.Fatalf("JSON %.200q ended with an error: %s", body, r.Err)
		}
	case r.Rec != nil:
		if len(r.Fields) > 0 {
			t.Fatalf("a record with field errors: %+v", r)
		}
		if r.CallID != r.Rec.CallID {
			t.Fatalf("call id %q for a record of call_id %q", r.CallID, r.Rec.CallID)
		}
		fzCheckRecord(t, r.Rec)
		fzCheckIntegers(t, body, r.Rec)
	default:
		if len(r.Fields) == 0 {
			t.Fatalf("neither a record, nor field errors, nor an error: %+v", r)
		}
		fzCheckFields(t, r.Fields, prefix)
	}
}

// FuzzReadRecord: readRecord never panics on any bytes; an accepted record
// satisfies every rule; refused records name their fields under the
// record's prefix; the single-ingest pipeline (jsonBody, readRecord,
// endOfBody) answers a record, field errors, or a validation / invalid
// request error, never anything else, and never "not JSON" for JSON; and
// every verdict is deterministic.
func FuzzReadRecord(f *testing.F) {
	for _, s := range fzRecordSeeds() {
		f.Add([]byte(s))
	}
	app := fzApp()
	pipeline := func(body []byte) (fzRecordResult, string, error) {
		c := fzNewCtx(app, body, "")
		defer app.ReleaseCtx(c)
		dec, err := jsonBody(c)
		if err != nil {
			return fzRecordResult{}, "", err
		}
		rec, callID, fields, err := readRecord(dec, "")
		if err = endOfBody(dec, err); err != nil {
			return fzRecordResult{}, "", err
		}
		return fzRecordResult{Rec: rec, CallID: callID, Fields: fields}, "", nil
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		// Directly, as a batch record would be read, on any bytes.
		const prefix = "records[7]."
		r := fzReadRecord(body, prefix)
		fzCheckRecordResult(t, body, r, prefix)
		if again := fzReadRecord(body, prefix); !reflect.DeepEqual(r, again) {
			t.Fatalf("readRecord is not deterministic:\n%+v\n%+v", r, again)
		}

		// As POST /api/v1/telemetry/llm-usage reads it.
		res, _, err := pipeline(body)
		verdict := fzErrVerdict(t, err, fault.KindValidation, fault.KindInvalidRequest)
		if err == nil {
			if !fzLenientJSON(body) {
				t.Fatalf("a body that is not JSON was not refused: %+v", res)
			}
			fzCheckRecordResult(t, body, res, "")
		} else if fe, _ := fault.As(err); fe.Kind == fault.KindInvalidRequest && fzLenientJSON(body) && fzDepth(body) <= maxJSONDepth {
			t.Fatalf("a JSON body refused as not JSON: %v", err)
		}
		res2, _, err2 := pipeline(body)
		if verdict2 := fzErrVerdict(t, err2, fault.KindValidation, fault.KindInvalidRequest); verdict != verdict2 || !reflect.DeepEqual(res, res2) {
			t.Fatalf("the single ingest's verdict is not deterministic:\n%s %+v\n%s %+v", verdict, res, verdict2, res2)
		}
	})
}

// fzDepth is the nesting depth of a JSON value, computed on its tokens.
func fzDepth(b []byte) int {
	dec := jsontext.NewDecoder(bytes.NewReader(b), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	deepest := 0
	for {
		if _, err := dec.ReadToken(); err != nil {
			return deepest
		}
		deepest = max(deepest, dec.StackDepth())
	}
}

// fzBatchSeeds are batch bodies; the large ones are in testdata.
func fzBatchSeeds() []string {
	good := `{` + fzRecordBase + `}`
	other := `{` + strings.Replace(fzRecordBase, `"c"`, `"d"`, 1) + `}`
	var out []string
	for _, s := range fzRecordSeeds() {
		if len(s) < 400 {
			out = append(out, `{"records":[`+good+`,`+s+`]}`)
		}
	}
	return append(out,
		`{"records":[`+good+`,`+other+`]}`,
		`{"ignored":{"x":1},"records":[`+good+`,7,{"call_id":"bad","tokens_in":-1},`+other+`]}`,
		`{"records":[`+good+`],"records":7}`,
		`{"records":7,"records":[`+good+`]}`,
		`{"record\u0073":[`+good+`]}`,
		`{"records`+"\xff"+`":[`+good+`]}`,
		`{"records":[]}`, `{"records":{}}`, `{"records":null}`, `{"records":"x"}`, `{}`, `[]`, `7`, ``, `null`,
		`{"records":[`, `{"records":[`+good, `{"records":[`+good+`]`, `{"records":[]} trailing`,
		`{"records":[`+good+`]}{}`, `{"records":[`+good+`,]}`, `{"records":[01]}`,
		`{"records":[`+strings.TrimSuffix(strings.Repeat(`{},`, 3), ",")+`]}`,
	)
}

// FuzzReadBatch: readBatch never panics on any bytes and returns either
// 1..1000 items, each a valid record or a refusal naming its index, or a
// *fault.Error of kind validation, invalid request or too large; JSON is
// never refused as "not JSON", and every verdict is deterministic.
func FuzzReadBatch(f *testing.F) {
	for _, s := range fzBatchSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := readBatch(context.Background(), newJSONDecoder(body))
		verdict := fzErrVerdict(t, err, fault.KindValidation, fault.KindInvalidRequest, fault.KindTooLarge)
		if err != nil {
			if _, ok := err.(*fault.Error); !ok {
				t.Fatalf("readBatch returned %T, want a *fault.Error", err)
			}
			if items != nil {
				t.Fatalf("items with an error: %v", err)
			}
			fe, _ := fault.As(err)
			if fe.Kind == fault.KindInvalidRequest && fzLenientJSON(body) {
				t.Fatalf("a JSON body refused as not JSON: %v", err)
			}
			if fe.Kind == fault.KindTooLarge && fe.Code != fault.CodePayloadTooLarge {
				t.Fatalf("too large with code %s", fe.Code)
			}
		} else {
			if !fzLenientJSON(body) {
				t.Fatalf("a body that is not JSON gave %d items", len(items))
			}
			if len(items) < 1 || len(items) > maxBatchRecords {
				t.Fatalf("%d items", len(items))
			}
			for i, it := range items {
				prefix := recordIndexPrefix(i)
				switch {
				case (it.Record == nil) == (it.Error == nil):
					t.Fatalf("item %d: record %v, error %v: want exactly one", i, it.Record, it.Error)
				case it.Record != nil:
					if it.CallID != it.Record.CallID {
						t.Fatalf("item %d: call id %q for call_id %q", i, it.CallID, it.Record.CallID)
					}
					fzCheckRecord(t, it.Record)
				default:
					fields, _ := it.Error.Details["fields"].([]fault.FieldError)
					if it.Error.Kind != fault.KindValidation || it.Error.Code != fault.CodeValidationFailed || len(fields) == 0 {
						t.Fatalf("item %d: refusal %+v", i, it.Error)
					}
					fzCheckFields(t, fields, prefix)
				}
			}
		}
		if n, ok := fzRecordsLength(body); ok && err == nil && n != len(items) {
			t.Fatalf("%d records read as %d items", n, len(items))
		} else if ok && n > maxBatchRecords && err == nil {
			t.Fatalf("%d records accepted", n)
		}
		items2, err2 := readBatch(context.Background(), newJSONDecoder(body))
		if verdict2 := fzErrVerdict(t, err2, fault.KindValidation, fault.KindInvalidRequest, fault.KindTooLarge); verdict != verdict2 || !reflect.DeepEqual(items, items2) {
			t.Fatalf("readBatch is not deterministic:\n%s %+v\n%s %+v", verdict, items, verdict2, items2)
		}
	})
}

// fzRecordsLength returns the length of the first "records" array of a
// JSON object body, read independently of readBatch.
func fzRecordsLength(body []byte) (int, bool) {
	if !fzLenientJSON(body) {
		return 0, false
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return 0, false
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil {
			return 0, false
		}
		key, err := jsontext.AppendUnquote(nil, name)
		if err != nil || string(key) != "records" {
			if dec.SkipValue() != nil {
				return 0, false
			}
			continue
		}
		v, err := dec.ReadValue()
		if err != nil || v.Kind() != '[' {
			return 0, false
		}
		arr := jsontext.NewDecoder(bytes.NewReader(v), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
		if _, err := arr.ReadToken(); err != nil {
			return 0, false
		}
		n := 0
		for arr.PeekKind() != ']' {
			if arr.SkipValue() != nil {
				return 0, false
			}
			n++
		}
		return n, true
	}
	return 0, false
}

// fzMetadataRulesHold reports whether the first JSON value of b keeps the
// metadata rules of SPEC §1.4, decided independently of canonicalJSON:
// strings and names valid UTF-8 without NUL, number literals of at most 32
// characters within a float64. It also returns that value.
func fzMetadataRulesHold(b []byte) (jsontext.Value, bool) {
	v, err := jsontext.NewDecoder(bytes.NewReader(b), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true)).ReadValue()
	if err != nil {
		return nil, false
	}
	v = v.Clone()
	dec := jsontext.NewDecoder(bytes.NewReader(v), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	for {
		switch dec.PeekKind() {
		case 0:
			return v, true
		case '{', '}', '[', ']':
			if _, err := dec.ReadToken(); err != nil {
				return v, false
			}
		default:
			raw, err := dec.ReadValue()
			if err != nil {
				return v, false
			}
			switch raw.Kind() {
			case '"':
				s, err := jsontext.AppendUnquote(nil, raw)
				if err != nil || bytes.IndexByte(s, 0) >= 0 {
					return v, false
				}
			case '0':
				if _, err := strconv.ParseFloat(string(raw), 64); err != nil || len(raw) > 32 {
					return v, false
				}
			}
		}
	}
}

// fzSemantic decodes JSON with encoding/json (last duplicate wins, numbers
// kept as their literals).
func fzSemantic(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("encoding/json cannot read %q: %v", b, err)
	}
	return v
}

// fzUnbounded is a budget no input reaches, for checking the rules of
// canonicalJSON apart from its limits.
func fzUnbounded() metadataBudget { return metadataBudget{bytes: math.MaxInt, items: math.MaxInt} }

// FuzzCanonicalJSON: canonicalJSON on any bytes never panics; without
// limits it accepts exactly the values that keep the metadata rules; what it
// returns is valid, compact JSON with sorted keys, means the same as its
// input (duplicates: the last wins; numbers as sent), and is a fixed point;
// a refusal names a path under "metadata"; the verdict is deterministic.
// With the limits it accepts the same output when that is within them, and
// refuses it when it is not; it may also refuse, as too large, an input
// whose duplicate names shrink it under the size limit only at the end,
// which needs an input longer than the limit.
func FuzzCanonicalJSON(f *testing.F) {
	seeds := []string{
		`{}`, `[]`, `{"b":1,"a":2}`, `{"a":{"y":[true,null,"<&>"],"b":"\u00e9\n"},"a":{"last":1},"z":1.50}`,
		`{"s":"<&> é \t \u2028 \u2029 \/ \u0041 \ud83d\ude00"}`, `{"":1,"\u0000":2}`, `{"a":"\u0000"}`,
		`{"a":"` + "\x00" + `"}`, `{"a":"x` + "\xff" + `"}`, `{"a":"x` + "\xfe" + `"}`, `{"a":"\ud800"}`, `{"\udfff":1}`,
		`{"n":1e1000000}`, `{"n":1e131000}`, `{"n":1e-400}`, `{"n":1000000000.0000000001}`, `{"n":-0}`, `{"n":-0.0E+00}`,
		`{"n":1.00000000000000000000000000000001}`, `{"n":1.7976931348623157e308}`, `{"n":1.7976931348623159e308}`,
		`{"n":01}`, `{"n":1.}`, `{"n":.5}`, `{"n":+1}`, `{"n":NaN}`, `{"n":Infinity}`,
		`{"a":1,"a":2,"a":{"b":[1,{"c":3,"c":4}]}}`, `{"B":1,"a":2,"é":3,"e":4,"\u00e9\u0301":5}`,
		strings.Repeat(`{"a":`, 33) + `1` + strings.Repeat(`}`, 33), strings.Repeat(`[`, 33) + strings.Repeat(`]`, 33),
		``, `{`, `{"a"`, `{"a":`, `{"a":[1,2`, `{"a":1}}`, `{"a":1} x`, `{"a" 1}`, `{'a':1}`, `{"a":1,}`,
		`"str"`, `7`, `true`, `null`, `[1,"2",{"3":4}]`,
		`{"html":"` + strings.Repeat("<", 300) + `"}`,
		// At and past the limits: size, members, elements, duplicates.
		`{"s":"` + strings.Repeat("x", maxMetadata-8) + `"}`, `{"s":"` + strings.Repeat("x", maxMetadata-7) + `"}`,
		`{"s":"` + strings.Repeat("x", maxMetadata) + `","s":1}`,
		`[` + strings.Repeat(`0,`, maxMetadataItems-1) + `0]`, `[` + strings.Repeat(`0,`, maxMetadataItems) + `0]`,
		`{` + strings.Repeat(`"a":1,`, maxMetadataItems) + `"a":1}`,
		fzManyKeys(smallObject + 1), fzManyKeys(3000),
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := newJSONDecoder(data)
		unbounded := fzUnbounded()
		out, problem := canonicalJSON(nil, dec, "metadata", &unbounded)
		consumed := data[:dec.InputOffset()]
		value, rulesHold := fzMetadataRulesHold(data)
		if problem != nil {
			if out != nil {
				t.Fatalf("output %q with a problem %+v", out, problem)
			}
			if problem.Field != "metadata" && !strings.HasPrefix(problem.Field, "metadata.") && !strings.HasPrefix(problem.Field, "metadata[") {
				t.Fatalf("problem %+v names no path under metadata", problem)
			}
			if problem.Message == "" {
				t.Fatalf("problem without a message: %+v", problem)
			}
			if rulesHold {
				t.Fatalf("%q keeps the metadata rules but was refused: %+v", value, problem)
			}
		} else {
			if !rulesHold {
				t.Fatalf("%q breaks the metadata rules but was accepted as %q", data, out)
			}
			fzCheckCanonical(t, out, false)
			if a, b := fzSemantic(t, consumed), fzSemantic(t, out); !reflect.DeepEqual(a, b) {
				t.Fatalf("canonical form %q does not mean what %q means:\n%v\n%v", out, consumed, a, b)
			}
		}
		again := fzUnbounded()
		out2, problem2 := canonicalJSON(nil, newJSONDecoder(data), "metadata", &again)
		if !bytes.Equal(out, out2) || !reflect.DeepEqual(problem, problem2) {
			t.Fatalf("canonicalJSON is not deterministic: %q %+v / %q %+v", out, problem, out2, problem2)
		}
		items := math.MaxInt - unbounded.items
		limits := newMetadataBudget()
		bounded, refusal := canonicalJSON(nil, newJSONDecoder(data), "metadata", &limits)
		switch {
		case problem != nil:
			if refusal == nil {
				t.Fatalf("%q is refused without limits (%+v) but accepted within them", data, problem)
			}
		case refusal == nil:
			if !bytes.Equal(bounded, out) || len(out) > maxMetadata || items > maxMetadataItems {
				t.Fatalf("within the limits %q became %q (%d bytes, %d items); without them %q", data, bounded, len(bounded), items, out)
			}
		case refusal.Field != "metadata":
			t.Fatalf("a refusal within the limits names %q, not metadata: %+v", refusal.Field, refusal)
		case refusal.Message == errMetadataTooMany:
			if items <= maxMetadataItems {
				t.Fatalf("%q has %d items, refused as too many", data, items)
			}
		case refusal.Message == errMetadataTooLarge:
			if len(out) <= maxMetadata && len(consumed) <= maxMetadata {
				t.Fatalf("%q is %d bytes canonical, %d sent, refused as too large", data, len(out), len(consumed))
			}
		default:
			t.Fatalf("unexpected refusal within the limits: %+v", refusal)
		}
	})
}

// fzManyKeys is an object of n distinct keys, in descending order.
func fzManyKeys(n int) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := n; i > 0; i-- {
		if i < n {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%05d":%d`, i, i)
	}
	b.WriteByte('}')
	return b.String()
}

// FuzzWholeNumber: for any valid JSON number literal, wholeNumber's verdict
// agrees with exact arithmetic (math/big): whole exactly when the value has
// no fractional part, fits exactly when it is also within int64, and then n
// is the value; strconv.ParseFloat agrees for |n| < 2^53; FormatInt(n) reads
// back as n. Deterministic.
func FuzzWholeNumber(f *testing.F) {
	for _, s := range []string{
		"0", "-0", "5", "5.0", "5e0", "50e-1", "0.5e1", "0.000", "0e-400", "-0.0e+0", "-12", "1E3", "1e+3",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
		"922337203685477580.7e1", "9223372036854775807.0000", "9.223372036854775808e18", "1e18", "1e19",
		"1e400", "1e131000", "1e1000000", "5.5", "1e-400", "1000000000.0000000001", "0.1", "123.4560000",
		"1000000000000000000000e-21", "100000000000000000000000000000e-29", "0.00000000000000000001e20",
		"9007199254740993", "-9007199254740993", "9007199254740992.5", "1e-1", "10e-1", "1E-0", "1e00000000000000000001",
		"1e99999999999999999999", "0e99999999999999999999", "0.0000000000000000000000000000000000000001e40",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lit string) {
		if lit == "" || !jsontext.Value(lit).IsValid() || jsontext.Value(lit).Kind() != '0' ||
			strings.TrimSpace(lit) != lit {
			return // not a JSON number literal
		}
		n, whole, fits := wholeNumber([]byte(lit))
		if n2, whole2, fits2 := wholeNumber([]byte(lit)); n2 != n || whole2 != whole || fits2 != fits {
			t.Fatalf("wholeNumber(%s) is not deterministic", lit)
		}
		if !whole && (fits || n != 0) || whole && !fits && n != 0 {
			t.Fatalf("wholeNumber(%.80s) = %d, %v, %v: n must be 0 unless it fits", lit, n, whole, fits)
		}
		if exact, ok := fzExact(lit); ok {
			if whole != exact.IsInt() {
				t.Fatalf("wholeNumber(%.80s): whole = %v, but the value %s", lit, whole, fzDescribe(exact))
			}
			if whole {
				inRange := exact.Cmp(new(big.Float).SetInt64(math.MinInt64)) >= 0 && exact.Cmp(new(big.Float).SetInt64(math.MaxInt64)) <= 0
				if fits != inRange {
					t.Fatalf("wholeNumber(%.80s): fits = %v, but the value %s", lit, fits, fzDescribe(exact))
				}
				if fits && exact.Cmp(new(big.Float).SetInt64(n)) != 0 {
					t.Fatalf("wholeNumber(%.80s) = %d, but the value %s", lit, n, fzDescribe(exact))
				}
			}
		}
		if whole && fits {
			// strconv.ParseFloat is wrong on literals of more than 800
			// digits (golang/go#42436: "1"+1000 zeros+"e-1000" parses as
			// 1e-201), so it is only asked about shorter ones.
			if n > -1<<53 && n < 1<<53 && len(lit) <= 500 {
				if fl, err := strconv.ParseFloat(lit, 64); err != nil || fl != float64(n) {
					t.Fatalf("wholeNumber(%.80s) = %d, but strconv.ParseFloat gives %v, %v", lit, n, fl, err)
				}
			}
			back := strconv.FormatInt(n, 10)
			if n2, whole2, fits2 := wholeNumber([]byte(back)); n2 != n || !whole2 || !fits2 {
				t.Fatalf("wholeNumber(%s) = %d, %v, %v; want %d", back, n2, whole2, fits2, n)
			}
		}
	})
}

// fzExact is the exact value of a JSON number literal, or near enough: the
// precision is high enough (4 bits per character and more) that a value
// with a fractional part never rounds to an integer and an integer within
// int64 is exact. It reports false when math/big cannot represent the
// exponent.
func fzExact(lit string) (*big.Float, bool) {
	if len(lit) > 4<<20 {
		return nil, false
	}
	x, _, err := big.ParseFloat(lit, 10, uint(4*len(lit)+128), big.ToNearestEven)
	if err != nil || x.IsInf() {
		return nil, false
	}
	return x, true
}

func fzDescribe(x *big.Float) string {
	if x.Sign() == 0 {
		return "is 0"
	}
	kind := "has a fractional part"
	if x.IsInt() {
		kind = "is an integer"
	}
	mant := new(big.Float)
	e := x.MantExp(mant)
	if e > -128 && e < 128 {
		return kind + ": " + new(big.Float).SetPrec(128).Set(x).Text('g', 25)
	}
	m, _ := mant.Float64()
	return fmt.Sprintf("%s of about 10^%.0f", kind, float64(e)*math.Log10(2)+math.Log10(math.Abs(m)))
}

// FuzzListParams: listParams on any query string never panics; it answers a
// limit in 1..1000 (100 when absent) and an offset >= 0 that are the
// decimal values sent, or an invalid request / validation error; and the
// verdict is deterministic.
func FuzzListParams(f *testing.F) {
	for _, q := range fzQuerySeeds("limit", "offset") {
		f.Add(q)
	}
	app := fzApp()
	decide := func(t *testing.T, q string) (lv, ov string, limit, offset int, verdict string) {
		c := fzNewCtx(app, nil, q)
		defer app.ReleaseCtx(c)
		limit, offset, err := listParams(c)
		return c.Query("limit"), c.Query("offset"), limit, offset, fzErrVerdict(t, err, fault.KindInvalidRequest, fault.KindValidation)
	}
	f.Fuzz(func(t *testing.T, q string) {
		lv, ov, limit, offset, verdict := decide(t, q)
		if verdict == "" {
			if limit < 1 || limit > 1000 || offset < 0 {
				t.Fatalf("%q: accepted limit %d, offset %d", q, limit, offset)
			}
			fzSameInteger(t, "limit", lv, limit, 100)
			fzSameInteger(t, "offset", ov, offset, 0)
		}
		for range 8 {
			_, _, l2, o2, v2 := decide(t, q)
			if v2 != verdict || verdict == "" && (l2 != limit || o2 != offset) {
				t.Fatalf("%q: listParams is not deterministic: %s (%d, %d) / %s (%d, %d)", q, verdict, limit, offset, v2, l2, o2)
			}
		}
	})
}

// fzSameInteger checks that an accepted integer parameter is the decimal
// value sent, or def when nothing was sent.
func fzSameInteger(t *testing.T, name, sent string, got, def int) {
	t.Helper()
	if sent == "" {
		if got != def {
			t.Fatalf("%s absent, got %d, want the default %d", name, got, def)
		}
		return
	}
	want, ok := new(big.Int).SetString(sent, 10)
	if !ok || !want.IsInt64() || want.Int64() != int64(got) {
		t.Fatalf("%s %q accepted as %d", name, sent, got)
	}
}

// fzQuerySeeds are query strings that give each of names hostile values.
func fzQuerySeeds(names ...string) []string {
	values := []string{
		"", "0", "1", "100", "1000", "1001", "-1", "-0", "+5", "007", "1e3", "1.0", "1.5", " 1", "1 ", "0x10",
		"9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999999999999",
		"%00", "1%00", "x%FF", "x%FE", "%ED%A0%80", "%3C%3E%26", "abc", strings.Repeat("9", 400), "١٢", "%",
		"2026-11-25", "2026-02-30", "0000-01-01", "9999-12-31", "2026-11-25T00:00:00Z", "20261125", "2026-1-5",
	}
	var out []string
	for _, n := range names {
		for _, v := range values {
			out = append(out, n+"="+v)
		}
	}
	return append(out, "", "&", "=", "==", "&&&", "limit", "limit=&offset=", "limit=5&limit=x", "limit=x&limit=5",
		"a=b&c", "limit=5;offset=2", "LIMIT=5", "limit%3D5", "lim%69t=5", "limit=1+0", "limit=%2B5",
		"limit=50&offset=950&cursor=abc&integration_id=x", "?limit=5", "limit=5#frag",
		"start_date=2025-11-25&end_date=2026-11-25", "start_date=2026-11-26&end_date=2026-11-25",
		"start_date=%00&end_date=2026-11-25", "integration_id=%00&start_date=2026-11-25",
	)
}

// FuzzRangeInput: rangeInput (usage-summary and daily-aggregates) on any
// query string never panics; it passes on exactly the parameters sent, with
// dates that are YYYY-MM-DD, or refuses with an invalid request; and the
// verdict is deterministic.
func FuzzRangeInput(f *testing.F) {
	for _, q := range fzQuerySeeds("start_date", "end_date") {
		f.Add(q)
	}
	app := fzApp()
	decide := func(t *testing.T, q string) (telemetry.RangeRequest, map[string]string, string) {
		c := fzNewCtx(app, nil, q)
		defer app.ReleaseCtx(c)
		in, err := rangeInput(c)
		sent := map[string]string{"integration_id": c.Query("integration_id"), "start_date": c.Query("start_date"), "end_date": c.Query("end_date")}
		return in, sent, fzErrVerdict(t, err, fault.KindInvalidRequest)
	}
	f.Fuzz(func(t *testing.T, q string) {
		in, sent, verdict := decide(t, q)
		if verdict == "" {
			if in.IntegrationID != sent["integration_id"] || in.StartDate != sent["start_date"] || in.EndDate != sent["end_date"] {
				t.Fatalf("%q: passed on %+v for %v", q, in, sent)
			}
			for _, d := range []string{in.StartDate, in.EndDate} {
				if _, err := time.Parse("2006-01-02", d); d != "" && err != nil {
					t.Fatalf("%q: accepted date %q", q, d)
				}
			}
		}
		for range 8 {
			if in2, _, v2 := decide(t, q); v2 != verdict || (verdict == "" && in2 != in) {
				t.Fatalf("%q: rangeInput is not deterministic:\n%s\n%s", q, verdict, v2)
			}
		}
	})
}

// FuzzHistoryParams: historyInput (usage-history) on any query string never
// panics; it passes on a limit in 1..1000 (50 when absent) and an offset
// >= 0 that are the decimal values sent, with the cursor and integration id
// as sent; or it refuses with an invalid request / validation error; and
// the verdict is deterministic.
func FuzzHistoryParams(f *testing.F) {
	for _, q := range fzQuerySeeds("limit", "offset", "cursor") {
		f.Add(q)
	}
	app := fzApp()
	type result struct {
		Verdict string
		In      telemetry.HistoryRequest
		Sent    [4]string
	}
	decide := func(t *testing.T, q string) result {
		c := fzNewCtx(app, nil, q)
		defer app.ReleaseCtx(c)
		in, err := historyInput(c)
		return result{
			Verdict: fzErrVerdict(t, err, fault.KindInvalidRequest, fault.KindValidation), In: in,
			Sent: [4]string{c.Query("limit"), c.Query("offset"), c.Query("cursor"), c.Query("integration_id")},
		}
	}
	f.Fuzz(func(t *testing.T, q string) {
		r := decide(t, q)
		if r.Verdict == "" {
			in := r.In
			if in.Limit < 1 || in.Limit > 1000 || in.Offset < 0 {
				t.Fatalf("%q: passed on limit %d, offset %d", q, in.Limit, in.Offset)
			}
			fzSameInteger(t, "limit", r.Sent[0], in.Limit, 50)
			fzSameInteger(t, "offset", r.Sent[1], in.Offset, 0)
			if in.Cursor != r.Sent[2] || in.IntegrationID != r.Sent[3] {
				t.Fatalf("%q: passed on cursor %q and integration %q", q, in.Cursor, in.IntegrationID)
			}
		}
		for range 8 {
			if r2 := decide(t, q); !reflect.DeepEqual(r, r2) {
				t.Fatalf("%q: the usage-history verdict is not deterministic:\n%+v\n%+v", q, r, r2)
			}
		}
	})
}
