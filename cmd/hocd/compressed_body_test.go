package main

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"hoc/l6_drivers/db"
)

// compress encodes body with one Content-Encoding.
func compress(t testing.TB, coding string, body []byte) string {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "br":
		w = brotli.NewWriter(&buf)
	default:
		t.Fatalf("no encoder for %q", coding)
	}
	if _, err := w.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// bombSize is what the bombs below expand to: 3 times the 8 MiB body limit,
// from about 24 KB (gzip) or a few hundred bytes (br) on the wire.
const bombSize = 24 << 20

// TestCompressedBody_BombsAreRefusedOnEveryRouteThatReadsABody posts a body
// that expands to 24 MiB to every route that reads one, with every coding
// the server decodes: each is 413 PAYLOAD_TOO_LARGE, decided after at most
// the body limit was decoded. Fiber's c.Body() decoded such bodies in full
// (a 1.7 KB brotli body took a replica to 6.7 GB).
func TestCompressedBody_BombsAreRefusedOnEveryRouteThatReadsABody(t *testing.T) {
	t.Parallel()
	h := newHarness(t, db.DialectSQLite)
	f := h.newTenant("bombs")
	admin := []string{"X-AOS-Key", h.newAPIKey(f.TenantID, "integrations:write")}
	routes := []struct {
		method, path string
		auth         []string
	}{
		{"POST", "/api/v1/telemetry/llm-usage", f.integrationKeyHeader()},
		{"POST", "/api/v1/telemetry/llm-usage/batch", f.integrationKeyHeader()},
		{"POST", "/api/v1/fdr/tenants", h.founder()},
		{"POST", "/api/v1/fdr/tenants/" + f.TenantID + "/lifecycle", h.founder()},
		{"POST", "/api/v1/fdr/tenants/" + f.TenantID + "/onboarding", h.founder()},
		{"POST", "/api/v1/fdr/tenants/" + f.TenantID + "/api-keys", h.founder()},
		{"POST", "/api/v1/integrations", admin},
		{"PATCH", "/api/v1/integrations/" + f.IntegrationID, admin},
		{"POST", "/api/v1/integrations/" + f.IntegrationID + "/keys", admin},
	}
	zeros := make([]byte, bombSize)
	bombs := map[string]string{}
	for _, coding := range []string{"gzip", "deflate", "br"} {
		bombs[coding] = compress(t, coding, zeros)
	}
	refused := func(method, path, coding string, auth []string) {
		t.Helper()
		r := h.do(method, path, bombs[coding], append([]string{"Content-Encoding", coding}, auth...)...)
		if r.Status != http.StatusRequestEntityTooLarge || r.Error == nil || r.Error.Code != "PAYLOAD_TOO_LARGE" {
			t.Errorf("%s %s with a %d-byte %s bomb: %d %s, want 413 PAYLOAD_TOO_LARGE", method, path, len(bombs[coding]), coding, r.Status, r.Raw)
		}
	}
	// Every route with gzip; the other codings (slow to decode under the
	// race detector) on the single-record route, the one SDKs call most.
	for _, rt := range routes {
		refused(rt.method, rt.path, "gzip", rt.auth)
	}
	for _, coding := range []string{"deflate", "br"} {
		refused(routes[0].method, routes[0].path, coding, routes[0].auth)
	}
	if n := h.storedCount(f); n != 0 {
		t.Fatalf("%d records stored", n)
	}
}

// TestCompressedBody_DecodedSizeIsLimitedLikeAPlainBody: a valid batch that
// is 9 MiB once decoded (whitespace compresses to almost nothing) is over
// the 8 MiB limit and stores nothing; it was accepted when only the bytes on
// the wire were counted.
func TestCompressedBody_DecodedSizeIsLimitedLikeAPlainBody(t *testing.T) {
	t.Parallel()
	h := newHarness(t, db.DialectSQLite)
	f := h.newTenant("decoded-size")
	body := `{"records":[` + recordJSON("big-1") + `]` + strings.Repeat(" ", 9<<20) + `}`
	h.do("POST", "/api/v1/telemetry/llm-usage/batch", compress(t, "gzip", []byte(body)),
		append([]string{"Content-Encoding", "gzip"}, f.integrationKeyHeader()...)...).expectError(t, 413, "PAYLOAD_TOO_LARGE")
	if n := h.storedCount(f); n != 0 {
		t.Fatalf("%d records stored", n)
	}
}

// TestCompressedBody_CodingsTheServerDecodes: a normal body in gzip (what
// OTLP exporters and most HTTP clients send), deflate or br is stored as if
// it had been sent plain; the coding's name is read case-insensitively.
func TestCompressedBody_CodingsTheServerDecodes(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("codings")
		for i, coding := range []string{"gzip", "deflate", "br", "identity"} {
			body := recordJSON("coded-" + coding)
			sent := body
			if coding != "identity" {
				sent = compress(t, coding, []byte(body))
			}
			r := h.do("POST", "/api/v1/telemetry/llm-usage", sent, append([]string{"Content-Encoding", strings.ToUpper(coding)}, f.integrationKeyHeader()...)...)
			if r.Status != http.StatusCreated {
				t.Fatalf("%s: %d %s", coding, r.Status, r.Raw)
			}
			if n := h.storedCount(f); n != int64(i+1) {
				t.Fatalf("after %s: %d records stored", coding, n)
			}
		}
		batch := `{"records":[` + recordJSON("coded-batch") + `]}`
		r := h.do("POST", "/api/v1/telemetry/llm-usage/batch", compress(t, "gzip", []byte(batch)), append([]string{"Content-Encoding", "x-gzip"}, f.integrationKeyHeader()...)...)
		if r.Status != http.StatusOK {
			t.Fatalf("gzip batch: %d %s", r.Status, r.Raw)
		}
	})
}

// TestCompressedBody_UnknownStackedAndBrokenCodings: a coding the server
// does not decode, or a list of codings (which Fiber would have unwrapped
// one by one), is 415; a body that is not what its coding says is 400.
// Nothing is stored.
func TestCompressedBody_UnknownStackedAndBrokenCodings(t *testing.T) {
	t.Parallel()
	h := newHarness(t, db.DialectSQLite)
	f := h.newTenant("codings-refused")
	record := recordJSON("refused-1")
	gz := compress(t, "gzip", []byte(record))
	cases := []struct {
		name, coding, body string
		status             int
		code               string
	}{
		{"unknown coding", "compress", record, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"zstd", "zstd", record, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"stacked codings", "gzip, br", compress(t, "br", []byte(gz)), 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"the same coding twice", "gzip, gzip", compress(t, "gzip", []byte(gz)), 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"plain text called gzip", "gzip", record, 400, "INVALID_REQUEST"},
		{"truncated gzip", "gzip", gz[:len(gz)/2], 400, "INVALID_REQUEST"},
		{"gzip called br", "br", gz, 400, "INVALID_REQUEST"},
	}
	for _, tc := range cases {
		r := h.do("POST", "/api/v1/telemetry/llm-usage", tc.body, append([]string{"Content-Encoding", tc.coding}, f.integrationKeyHeader()...)...)
		if r.Status != tc.status || r.Error == nil || r.Error.Code != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.Status, r.Raw, tc.status, tc.code)
		}
	}
	if n := h.storedCount(f); n != 0 {
		t.Fatalf("%d records stored", n)
	}
}

// recordJSON is one valid usage record.
func recordJSON(callID string) string {
	return `{"call_id":"` + callID + `","provider":"openai","model":"gpt-4o","tokens_in":10,"tokens_out":2,"cost_cents":1}`
}
