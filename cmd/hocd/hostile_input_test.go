package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"hoc/l6_drivers/db/dbtest"
)

// hostileCase is one request an attacker (or a broken SDK) might send, and
// what the server must answer: the status and code, and the field the error
// names when it is a validation failure.
type hostileCase struct {
	name   string
	method string
	path   string
	body   string
	auth   string // "founder", "integration" or "admin" (an integrations:write API key)
	status int
	code   string
	field  string
}

// leaks are texts that must never reach a client: driver errors, SQL, stack
// traces, file paths.
var leaks = []string{"SQLSTATE", "pq:", "sqlite", "invalid byte sequence", "syntax error", "goroutine", ".go:", "/root", "panic"}

// TestHostileInput_AnswersTheSameOnEveryDatabase sends inputs that broke
// earlier versions (NUL bytes and invalid UTF-8 that Postgres refuses and
// SQLite stores, numbers beyond what Postgres' numeric or a float64 holds,
// fractions dressed as integers, nesting deeper than any parser follows)
// through the whole HTTP stack on each database: each is a 4xx naming the
// field, never a 500, nothing internal leaks, and both databases answer alike.
func TestHostileInput_AnswersTheSameOnEveryDatabase(t *testing.T) {
	t.Parallel()
	rec := func(extra string) string {
		return `{"call_id":"c-` + fmt.Sprint(len(extra)) + `","provider":"openai","model":"gpt-4o","tokens_in":1,"tokens_out":1,"cost_cents":0` + extra + `}`
	}
	deep := strings.Repeat(`{"a":`, 10_001) + "1" + strings.Repeat("}", 10_001)
	cases := []hostileCase{
		{"NUL in a telemetry string", "POST", "/api/v1/telemetry/llm-usage", rec(`,"session_id":"a\u0000b"`), "integration", 422, "VALIDATION_FAILED", "session_id"},
		{"NUL in a metadata value", "POST", "/api/v1/telemetry/llm-usage", rec(`,"metadata":{"k":"\u0000"}`), "integration", 422, "VALIDATION_FAILED", "metadata.k"},
		{"NUL in a metadata key", "POST", "/api/v1/telemetry/llm-usage", rec(`,"metadata":{"\u0000":1}`), "integration", 422, "VALIDATION_FAILED", "metadata"},
		{"a number beyond numeric", "POST", "/api/v1/telemetry/llm-usage", rec(`,"metadata":{"n":1e1000000}`), "integration", 422, "VALIDATION_FAILED", "metadata.n"},
		{"a number that expands", "POST", "/api/v1/telemetry/llm-usage", rec(`,"metadata":{"n":1e131000}`), "integration", 422, "VALIDATION_FAILED", "metadata.n"},
		{"invalid UTF-8 in a call id", "POST", "/api/v1/telemetry/llm-usage", strings.Replace(rec(""), `"c-0"`, "\"x\xff\"", 1), "integration", 422, "VALIDATION_FAILED", "call_id"},
		{"a lone surrogate", "POST", "/api/v1/telemetry/llm-usage", rec(`,"agent_id":"\udc00"`), "integration", 422, "VALIDATION_FAILED", "agent_id"},
		{"an underflowing integer", "POST", "/api/v1/telemetry/llm-usage", strings.Replace(rec(""), `"tokens_in":1`, `"tokens_in":1e-400`, 1), "integration", 422, "VALIDATION_FAILED", "tokens_in"},
		{"an integer with a fraction", "POST", "/api/v1/telemetry/llm-usage", strings.Replace(rec(""), `"cost_cents":0`, `"cost_cents":1000000000.0000000001`, 1), "integration", 422, "VALIDATION_FAILED", "cost_cents"},
		{"nesting past 10,000 levels", "POST", "/api/v1/telemetry/llm-usage", deep, "integration", 422, "VALIDATION_FAILED", "body"},
		{"nesting past 10,000 levels, batch", "POST", "/api/v1/telemetry/llm-usage/batch", deep, "integration", 422, "VALIDATION_FAILED", "body"},
		{"nesting past 10,000 levels, tenants", "POST", "/api/v1/fdr/tenants", deep, "founder", 422, "VALIDATION_FAILED", "body"},
		{"truncated JSON", "POST", "/api/v1/telemetry/llm-usage", `{"call_id":"x"`, "integration", 400, "INVALID_REQUEST", ""},
		{"NUL in a tenant name", "POST", "/api/v1/fdr/tenants", `{"name":"ac\u0000me"}`, "founder", 422, "VALIDATION_FAILED", "name"},
		{"invalid UTF-8 in a tenant name", "POST", "/api/v1/fdr/tenants", "{\"name\":\"ac\xfeme\"}", "founder", 422, "VALIDATION_FAILED", "name"},
		{"NUL in a lifecycle reason", "POST", "/api/v1/fdr/tenants/{tenant}/lifecycle", `{"action":"suspend","reason":"\u0000"}`, "founder", 422, "VALIDATION_FAILED", "reason"},
		{"NUL in an integration name", "POST", "/api/v1/integrations", `{"name":"p\u0000","provider_type":"openai"}`, "admin", 422, "VALIDATION_FAILED", "name"},
		{"NUL in an API key scope", "POST", "/api/v1/fdr/tenants/{tenant}/api-keys", `{"name":"k","scopes":["telemetry:read\u0000"]}`, "founder", 422, "VALIDATION_FAILED", "scopes[0]"},
		{"a fractional rate limit", "POST", "/api/v1/integrations", `{"name":"q","provider_type":"openai","rate_limit_rpm":1e-400}`, "admin", 422, "VALIDATION_FAILED", "rate_limit_rpm"},
	}
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, dialect)
			f := h.newTenant("hostile")
			auth := map[string][]string{
				"founder":     h.founder(),
				"integration": f.integrationKeyHeader(),
				"admin":       {"X-AOS-Key", h.newAPIKey(f.TenantID, "integrations:write")},
			}
			for _, tc := range cases {
				r := h.do(tc.method, strings.ReplaceAll(tc.path, "{tenant}", f.TenantID), tc.body, auth[tc.auth]...)
				r.expectError(t, tc.status, tc.code)
				if tc.field != "" && !strings.Contains(r.Raw, `"field":"`+tc.field+`"`) {
					t.Errorf("%s: %s does not name the field %s", tc.name, r.Raw, tc.field)
				}
				for _, leak := range leaks {
					if strings.Contains(r.Raw, leak) {
						t.Errorf("%s: the answer leaks %q: %s", tc.name, leak, r.Raw)
					}
				}
			}
			if n := h.storedCount(f); n != 0 {
				t.Fatalf("%d records stored by refused requests", n)
			}
		})
	}
}

// TestHostileInput_OneBadRecordDoesNotSinkItsBatch sends 999 good records
// and one with a NUL, which Postgres would refuse for the whole statement:
// the bad one is rejected on its own and the 999 are stored, on both
// databases, so a retrying SDK is not stuck.
func TestHostileInput_OneBadRecordDoesNotSinkItsBatch(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("batch")
		records := make([]any, 1000)
		for i := range records {
			records[i] = usage(fmt.Sprint("b-", i))
		}
		records[500] = usage("b-500", func(m map[string]any) { m["error_message"] = "bad\x00byte" })
		r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": records}, f.integrationKeyHeader()...)
		var out struct {
			Accepted, Rejected int
			Results            []struct {
				Index  int
				Status string
				Error  *struct{ Fields []struct{ Field string } }
			}
		}
		r.decode(t, &out)
		if r.Status != http.StatusMultiStatus || out.Accepted != 999 || out.Rejected != 1 {
			t.Fatalf("%d: %d accepted, %d rejected; want 207 with 999 and 1", r.Status, out.Accepted, out.Rejected)
		}
		if bad := out.Results[500]; bad.Status != "rejected" || bad.Error.Fields[0].Field != "records[500].error_message" {
			t.Fatalf("record 500: %+v", bad)
		}
		if n := h.storedCount(f); n != 999 {
			t.Fatalf("%d records stored, want 999", n)
		}
	})
}

// TestHostileInput_DistinctInvalidCallIDsDoNotCollide: "x\xff" and "x\xfe"
// would both become "x\uFFFD" if invalid UTF-8 were replaced, and the second
// would be answered as a duplicate of the first. Both must be refused.
func TestHostileInput_DistinctInvalidCallIDsDoNotCollide(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	f := h.newTenant("utf8")
	for _, id := range []string{"x\xff", "x\xfe"} {
		body := `{"call_id":"` + id + `","provider":"openai","model":"gpt-4o","tokens_in":1,"tokens_out":1,"cost_cents":0}`
		h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", body, f.integrationKeyHeader()...).expectError(t, 422, "VALIDATION_FAILED")
	}
}

// TestHostileInput_MetadataComesBackAsSmallAsItWentIn stores metadata of
// 2,740 '<' (2.7 KB, which HTML escaping would count as 16 KB) and reads it
// back: the answer carries it unescaped, byte for byte, on both databases.
func TestHostileInput_MetadataComesBackAsSmallAsItWentIn(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("meta")
		lt := strings.Repeat("<", 2740)
		r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("m", func(m map[string]any) {
			m["metadata"] = map[string]any{"z": lt, "a": json.Number("1e308")}
		}), f.integrationKeyHeader()...)
		if r.Status != http.StatusCreated {
			t.Fatalf("ingest: %s", r.Raw)
		}
		history := h.do(http.MethodGet, "/api/v1/telemetry/usage-history", nil, f.readKeyHeader()...)
		if want := `"metadata":{"a":1e308,"z":"` + lt + `"}`; !strings.Contains(history.Raw, want) {
			t.Fatalf("history does not return the stored metadata as stored:\n%.300s", history.Raw)
		}
	})
}
