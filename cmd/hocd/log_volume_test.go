package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"go.uber.org/fx"

	"hoc/l6_drivers/db"
)

// lockedBuffer collects log output from every goroutine of the server.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the JSON log lines written since the last call, and forgets them.
func (b *lockedBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(&b.buf)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		out = append(out, m)
	}
	b.buf.Reset()
	return out
}

// TestLogVolume_OneInfoLinePerSuccessfulRequest checks that a protected,
// successful request writes one line at info (the access line) and that
// the audit lines of the operations it ran (credential verification,
// protection decision, ingest) appear only at debug, each with the request
// id; a refused request's audit line stays at info.
func TestLogVolume_OneInfoLinePerSuccessfulRequest(t *testing.T) {
	t.Parallel()
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		t.Run(level.String(), func(t *testing.T) {
			t.Parallel()
			logs := &lockedBuffer{}
			h := newHarnessWithLogger(t, testConfig(t, db.DialectSQLite), slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level})))
			f := h.newTenant("logs")
			h.do(http.MethodPost, "/api/v1/fdr/tenants/"+f.TenantID+"/onboarding",
				map[string]any{"target_state": "COMPLETE", "reason": "test"}, h.founder()...)
			logs.lines(t)

			r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("log-1"), append(f.integrationKeyHeader(), "X-Request-ID", "req-log-1")...)
			if r.Status != http.StatusCreated {
				t.Fatalf("ingest: %s", r.Raw)
			}
			var info, operations []map[string]any
			for _, l := range logs.lines(t) {
				if l["level"] == "INFO" {
					info = append(info, l)
				}
				if l["msg"] == "operation" {
					operations = append(operations, l)
				}
			}
			if len(info) != 1 || info[0]["msg"] != "request" || info[0]["request_id"] != "req-log-1" {
				t.Fatalf("info lines of a successful request: %v; want only the access line", info)
			}
			wantOps := 0
			if level == slog.LevelDebug {
				wantOps = 3 // verify the key, decide, ingest
			}
			if len(operations) != wantOps {
				t.Fatalf("%d operation audit lines at %s, want %d: %v", len(operations), level, wantOps, operations)
			}
			for _, op := range operations {
				if op["level"] != "DEBUG" || op["request_id"] != "req-log-1" {
					t.Fatalf("audit line %v: want debug with the request id", op)
				}
			}

			h.do(http.MethodGet, "/api/v1/integrations", nil, append(f.readKeyHeader(), "X-Request-ID", "req-log-2")...) // lacks the scope
			var refused []string
			for _, l := range logs.lines(t) {
				if l["msg"] == "operation" && l["level"] == "INFO" {
					refused = append(refused, l["operation"].(string)+" "+l["error_code"].(string))
				}
			}
			if strings.Join(refused, ",") != "integrations.integrations.list FORBIDDEN" {
				t.Fatalf("refused operations logged at info: %v", refused)
			}
		})
	}
}

// TestLogVolume_AnOutageIsOneErrorLine: with the database gone, every
// request is answered 503 UNAVAILABLE with its access line, and the outage
// is one error line (with the first request's id and cause), not three per
// request from L6, L4 and L2 (2,756 lines for 920 answers before).
func TestLogVolume_AnOutageIsOneErrorLine(t *testing.T) {
	t.Parallel()
	logs := &lockedBuffer{}
	var d *db.DB
	h := newHarnessWithLogger(t, testConfig(t, db.DialectSQLite), slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})), fx.Populate(&d))
	f := h.newTenant("outage")
	logs.lines(t)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	const requests = 40
	for i := range requests {
		r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage(fmt.Sprint("outage-", i)), f.integrationKeyHeader()...)
		r.expectError(t, http.StatusServiceUnavailable, "UNAVAILABLE")
	}
	var errorLines, accessLines int
	for _, l := range logs.lines(t) {
		switch {
		case l["level"] == "ERROR":
			errorLines++
			if l["request_id"] == nil || l["error"] == nil {
				t.Errorf("the outage's line lacks the request id or the cause: %v", l)
			}
		case l["msg"] == "request" && l["status"] == float64(http.StatusServiceUnavailable):
			accessLines++
		}
	}
	if errorLines != 1 || accessLines != requests {
		t.Fatalf("%d error lines and %d access lines of 503 for %d failed requests; want 1 and %d", errorLines, accessLines, requests, requests)
	}
}
