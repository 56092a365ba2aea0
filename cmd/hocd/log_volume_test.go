package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/fx"

	"hoc/l6_drivers/db"
	"hoc/testkit"
)

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
			logs := &testkit.LockedBuffer{}
			h := newHarnessWithLogger(t, testConfig(t, db.DialectSQLite), slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level})))
			f := h.newTenant("logs")
			h.do(http.MethodPost, "/api/v1/fdr/tenants/"+f.TenantID+"/onboarding",
				map[string]any{"target_state": "COMPLETE", "reason": "test"}, h.founder()...)
			logs.JSONLines(t)

			r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("log-1"), append(f.integrationKeyHeader(), "X-Request-ID", "req-log-1")...)
			if r.Status != http.StatusCreated {
				t.Fatalf("ingest: %s", r.Raw)
			}
			var info, operations []map[string]any
			for _, l := range logs.JSONLines(t) {
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
			for _, l := range logs.JSONLines(t) {
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
	logs := &testkit.LockedBuffer{}
	var d *db.DB
	h := newHarnessWithLogger(t, testConfig(t, db.DialectSQLite), slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})), fx.Populate(&d))
	f := h.newTenant("outage")
	logs.JSONLines(t)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	const requests = 40
	for i := range requests {
		r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage(fmt.Sprint("outage-", i)), f.integrationKeyHeader()...)
		r.expectError(t, http.StatusServiceUnavailable, "UNAVAILABLE")
	}
	var errorLines, accessLines int
	for _, l := range logs.JSONLines(t) {
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
