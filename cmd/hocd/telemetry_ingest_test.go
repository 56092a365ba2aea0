package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"go.uber.org/fx"

	spine "hoc/l4_spine"
	telemetryops "hoc/l4_spine/telemetry"
)

// usage returns a valid record body; mod may change or delete fields. Its
// cost is the client's, exactly: cost_micros is cost_cents × 10,000 unless a
// mod sets it (or deletes cost_cents), so that tests of other things see the
// cents they send; the price table's tests send the SDKs' shape (cents only)
// with sdkUsage.
func usage(callID string, mod ...func(map[string]any)) map[string]any {
	rec := sdkUsage(callID, mod...)
	if cents, ok := rec["cost_cents"].(int); ok {
		if _, set := rec["cost_micros"]; !set {
			rec["cost_micros"] = cents * 10_000
		}
	}
	return rec
}

// sdkUsage is a record as the SDKs send one: the client's cents only, which
// hoc replaces with the price table's cost when a price covers the call.
func sdkUsage(callID string, mod ...func(map[string]any)) map[string]any {
	rec := map[string]any{"call_id": callID, "provider": "openai", "model": "gpt-4o",
		"tokens_in": 100, "tokens_out": 50, "cost_cents": 7}
	for _, m := range mod {
		m(rec)
	}
	return rec
}

// storedCount is how many records the tenant has, read through the API.
func (h *harness) storedCount(f tenantFixture) int64 {
	h.t.Helper()
	r := h.do(http.MethodGet, "/api/v1/telemetry/usage-history", nil, f.readKeyHeader()...)
	if r.Status != http.StatusOK {
		h.t.Fatalf("history: %s", r.Raw)
	}
	return *r.Meta.Total
}

func TestTelemetry_NothingStoredWithoutAValidCredential(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("Acme")
		parts := strings.Split(f.IntegrationKey, ":")
		wrongSecret := parts[0] + ":" + parts[1] + ":" + strings.Repeat("A", 43)

		deletedID, deletedKey := h.newIntegration(f.TenantID, "deleted")
		if err := h.integrationStore().SoftDeleteIntegration(context.Background(), f.TenantID, deletedID); err != nil {
			t.Fatal(err)
		}
		disabledID, disabledKey := h.newIntegration(f.TenantID, "disabled")
		if err := h.integrationStore().SetIntegrationStatus(context.Background(), f.TenantID, disabledID, "disabled"); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name    string
			headers []string
			status  int
			code    string
		}{
			{"missing key", nil, 401, "MISSING_AUTH"},
			{"wrong secret", []string{"X-CUS-Integration-Key", wrongSecret}, 401, "INVALID_CREDENTIALS"},
			{"deleted integration", []string{"X-CUS-Integration-Key", deletedKey}, 401, "INVALID_CREDENTIALS"},
			{"disabled integration", []string{"X-CUS-Integration-Key", disabledKey}, 403, "INTEGRATION_DISABLED"},
			{"read-only machine key", f.readKeyHeader(), 403, "FORBIDDEN"},
		}
		for _, tc := range cases {
			h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("c-"+tc.name), tc.headers...).expectError(t, tc.status, tc.code)
			r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": []any{usage("b-" + tc.name)}}, tc.headers...)
			if tc.code == "INTEGRATION_DISABLED" {
				// A batch judges records one by one: the record is rejected.
				if r.Status != 207 || !strings.Contains(r.Raw, `"code":"INTEGRATION_DISABLED"`) {
					t.Fatalf("%s batch: %s", tc.name, r.Raw)
				}
				continue
			}
			r.expectError(t, tc.status, tc.code)
		}
		if n := h.storedCount(f); n != 0 {
			t.Fatalf("%d records stored by refused requests", n)
		}
	})
}

func TestTelemetry_IdempotentSingleIngest(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		a, b := h.newTenant("A"), h.newTenant("B")
		first := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("call-1"), a.integrationKeyHeader()...)
		var accepted struct{ Status, ID, CallID string }
		first.decode(t, &accepted)
		if first.Status != 201 || accepted.Status != "accepted" || accepted.ID == "" {
			t.Fatalf("first: %s", first.Raw)
		}
		again := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("call-1"), a.integrationKeyHeader()...)
		var dup struct{ Status, ID string }
		again.decode(t, &dup)
		if again.Status != 200 || dup.Status != "duplicate" || dup.ID != accepted.ID {
			t.Fatalf("repeat: %s", again.Raw)
		}
		changed := usage("call-1", func(m map[string]any) { m["tokens_in"] = 101 })
		h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", changed, a.integrationKeyHeader()...).expectError(t, 409, "IDEMPOTENCY_CONFLICT")
		other := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("call-1"), b.integrationKeyHeader()...)
		if other.Status != 201 {
			t.Fatalf("another tenant's call_id: %s", other.Raw)
		}
		if n := h.storedCount(a); n != 1 {
			t.Fatalf("tenant A has %d records, want 1", n)
		}
	})
}

func TestTelemetry_BatchMixedOutcomesInInputOrder(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("Acme")
		if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("stored"), f.integrationKeyHeader()...); r.Status != 201 {
			t.Fatal(r.Raw)
		}
		records := []any{
			usage("n1"), usage("stored"), usage("n2"), usage("n1"),
			usage("bad", func(m map[string]any) { m["tokens_in"] = -1 }), usage("n3"),
		}
		r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": records}, f.integrationKeyHeader()...)
		var out struct {
			Accepted, Duplicates, Conflicts, Rejected, Errors, Total int
			Results                                                  []struct {
				Index  int
				CallID string `json:"call_id"`
				Status string
				ID     string
				Error  *struct{ Code string }
			}
		}
		r.decode(t, &out)
		if r.Status != 207 || out.Accepted != 3 || out.Duplicates != 2 || out.Rejected != 1 || out.Conflicts != 0 || out.Errors != 1 || out.Total != 6 {
			t.Fatalf("batch: %s", r.Raw)
		}
		want := []string{"accepted", "duplicate", "accepted", "duplicate", "rejected", "accepted"}
		for i, res := range out.Results {
			if res.Index != i || res.Status != want[i] {
				t.Fatalf("result %d = %+v, want %s", i, res, want[i])
			}
		}
		if out.Results[3].ID != out.Results[0].ID || out.Results[4].Error == nil || out.Results[4].Error.Code != "VALIDATION_FAILED" {
			t.Fatalf("in-batch repeat or rejection wrong: %s", r.Raw)
		}
		if !strings.Contains(r.Raw, `"field":"records[4].tokens_in"`) {
			t.Fatalf("rejection lacks its field: %s", r.Raw)
		}
		if n := h.storedCount(f); n != 4 {
			t.Fatalf("%d records stored, want 4", n)
		}
		allGood := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": []any{usage("n4"), usage("n1")}}, f.integrationKeyHeader()...)
		if allGood.Status != 200 {
			t.Fatalf("accepted+duplicate batch: %d %s", allGood.Status, allGood.Raw)
		}
	})
}

func TestTelemetry_BatchLimits(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	f := h.newTenant("Acme")
	h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": []any{}}, f.integrationKeyHeader()...).expectError(t, 422, "VALIDATION_FAILED")
	h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"other": 1}, f.integrationKeyHeader()...).expectError(t, 422, "VALIDATION_FAILED")
	h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", `[]`, f.integrationKeyHeader()...).expectError(t, 422, "VALIDATION_FAILED")
	many := make([]any, 1001)
	for i := range many {
		many[i] = usage(fmt.Sprintf("c%d", i))
	}
	h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": many}, f.integrationKeyHeader()...).expectError(t, 413, "PAYLOAD_TOO_LARGE")
	if n := h.storedCount(f); n != 0 {
		t.Fatalf("%d records stored by refused batches", n)
	}
}

func TestTelemetry_FieldRulesWithoutCoercion(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	f := h.newTenant("Acme")
	cases := map[string]func(map[string]any){
		"tokens_in":      func(m map[string]any) { m["tokens_in"] = "100" },
		"tokens_out":     func(m map[string]any) { m["tokens_out"] = 1.5 },
		"cost_cents":     func(m map[string]any) { m["cost_cents"] = 1_000_000_001 },
		"call_id":        func(m map[string]any) { m["call_id"] = strings.Repeat("x", 101) },
		"provider":       func(m map[string]any) { m["provider"] = 7 },
		"model":          func(m map[string]any) { delete(m, "model") },
		"policy_result":  func(m map[string]any) { m["policy_result"] = "maybe" },
		"metadata":       func(m map[string]any) { m["metadata"] = []int{1} },
		"occurred_at":    func(m map[string]any) { m["occurred_at"] = "yesterday" },
		"latency_ms":     func(m map[string]any) { m["latency_ms"] = 86_400_001 },
		"cost_micros":    func(m map[string]any) { m["cost_micros"] = 70_001 },
		"integration_id": func(m map[string]any) { m["integration_id"] = "nope" },
	}
	for field, mod := range cases {
		r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("c-"+field, mod), f.integrationKeyHeader()...)
		r.expectError(t, 422, "VALIDATION_FAILED")
		if !strings.Contains(r.Raw, `"field":"`+field+`"`) {
			t.Errorf("%s: %s", field, r.Raw)
		}
	}
	old := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("old", func(m map[string]any) { m["occurred_at"] = "2020-01-01T00:00:00Z" }), f.integrationKeyHeader()...)
	old.expectError(t, 422, "VALIDATION_FAILED")
	big := map[string]any{"blob": strings.Repeat("x", 17<<10)}
	h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("big", func(m map[string]any) { m["metadata"] = big }), f.integrationKeyHeader()...).expectError(t, 422, "VALIDATION_FAILED")
	if n := h.storedCount(f); n != 0 {
		t.Fatalf("%d invalid records stored", n)
	}
}

func TestTelemetry_IntegrationIDRules(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		a, b := h.newTenant("A"), h.newTenant("B")
		writer := []string{"X-AOS-Key", h.newAPIKey(a.TenantID, "telemetry:write")}
		h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("m1"), writer...).expectError(t, 422, "MISSING_INTEGRATION_ID")
		withA := usage("m2", func(m map[string]any) { m["integration_id"] = a.IntegrationID })
		if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", withA, writer...); r.Status != 201 {
			t.Fatalf("machine key with its tenant's integration: %s", r.Raw)
		}
		withB := usage("m3", func(m map[string]any) { m["integration_id"] = b.IntegrationID })
		h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", withB, writer...).expectError(t, 404, "NOT_FOUND")
		mismatch := usage("m4", func(m map[string]any) { m["integration_id"] = b.IntegrationID })
		r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", mismatch, a.integrationKeyHeader()...)
		r.expectError(t, 403, "FORBIDDEN")
		if r.Error.Details["reason"] != "integration_mismatch" {
			t.Fatalf("mismatch: %s, want details.reason integration_mismatch (SPEC §3.1)", r.Raw)
		}
		batch := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": []any{mismatch}}, a.integrationKeyHeader()...)
		if !strings.Contains(batch.Raw, `"reason":"integration_mismatch"`) {
			t.Fatalf("batch mismatch: %s", batch.Raw)
		}
	})
}

func TestTelemetry_IngestMetricsByProviderAndModel(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	f := h.newTenant("Acme")
	rec := usage("m1", func(m map[string]any) { m["latency_ms"] = 1500; m["error_code"] = "timeout"; m["cost_micros"] = 65000 })
	h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", rec, f.integrationKeyHeader()...)
	h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", rec, f.integrationKeyHeader()...) // a duplicate counts nothing
	metrics := h.do(http.MethodGet, "/metrics", nil).Raw
	for _, want := range []string{
		`hoc_llm_calls_total{model="gpt-4o",provider="openai"} 1`,
		`hoc_llm_tokens_total{direction="in",model="gpt-4o",provider="openai"} 100`,
		`hoc_llm_tokens_total{direction="out",model="gpt-4o",provider="openai"} 50`,
		`hoc_llm_cost_micros_total{model="gpt-4o",provider="openai"} 65000`,
		`hoc_llm_errors_total{model="gpt-4o",provider="openai"} 1`,
		`hoc_llm_latency_seconds_count{model="gpt-4o",provider="openai"} 1`,
		`hoc_operation_duration_seconds_count{operation="telemetry.records.ingest",outcome="ok"} 2`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(metrics, f.TenantID) || strings.Contains(metrics, f.IntegrationID) {
		t.Error("/metrics is labelled with tenant-controlled ids")
	}
}

// TestTelemetry_MetricLabelsAreBounded sends a batch of records with a
// thousand distinct model names and made-up providers: /metrics, which is
// public, must show none of them, only "other", and keep its size.
func TestTelemetry_MetricLabelsAreBounded(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	f := h.newTenant("Acme")
	before := len(h.do(http.MethodGet, "/metrics", nil).Raw)
	records := make([]any, 1000)
	for i := range records {
		records[i] = usage(fmt.Sprint("secret-", i), func(m map[string]any) {
			m["model"] = fmt.Sprintf("acme-private-model-%04d", i)
			m["provider"] = fmt.Sprintf("acme-gateway-%d", i%7)
		})
	}
	if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": records}, f.integrationKeyHeader()...); r.Status != 200 {
		t.Fatalf("batch: %s", r.Raw)
	}
	metrics := h.do(http.MethodGet, "/metrics", nil).Raw
	if strings.Contains(metrics, "acme-") {
		t.Fatal("/metrics shows a tenant's model or provider names")
	}
	if want := `hoc_llm_calls_total{model="other",provider="other"} 1000`; !strings.Contains(metrics, want) {
		t.Fatalf("/metrics lacks %s", want)
	}
	if grown := len(metrics) - before; grown > 20_000 {
		t.Fatalf("/metrics grew by %d bytes for 1000 distinct models; the series must stay a fixed set", grown)
	}
}

// TestTelemetry_ConcurrentSameCallIDStoresOne sends one record many times at
// once: the database decides, exactly one is accepted, the rest are
// duplicates of it.
func TestTelemetry_ConcurrentSameCallIDStoresOne(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("Acme")
		const n = 8
		statuses := make(chan int, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses <- h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("same"), f.integrationKeyHeader()...).Status
			}()
		}
		wg.Wait()
		close(statuses)
		counts := map[int]int{}
		for s := range statuses {
			counts[s]++
		}
		if counts[201] != 1 || counts[200] != n-1 || h.storedCount(f) != 1 {
			t.Fatalf("statuses %v, stored %d", counts, h.storedCount(f))
		}
	})
}

// TestTelemetry_IngestMetricsCountOnlyWhatCommits ingests inside a caller's
// transaction that rolls back: the records are gone, so the LLM call
// metrics must not count them; the same ingest committed counts both.
func TestTelemetry_IngestMetricsCountOnlyWhatCommits(t *testing.T) {
	t.Parallel()
	var reg *spine.Registry
	h := newHarness(t, "sqlite", fx.Populate(&reg))
	f := h.newTenant("Acme")
	ctx := spine.WithActor(context.Background(), spine.Actor{Type: spine.ActorMachine, ID: "k", TenantID: f.TenantID,
		IntegrationID: f.IntegrationID, Credential: spine.CredentialIntegrationKey, Scopes: []string{"telemetry:write"}})
	items := func() []telemetryops.Item {
		var out []telemetryops.Item
		for _, id := range []string{"tx-1", "tx-2"} {
			out = append(out, telemetryops.Item{CallID: id, Record: &telemetryops.Record{CallID: id, Provider: "openai",
				Model: "gpt-4o-mini", TokensIn: 10, TokensOut: 5, CostCents: 1}})
		}
		return out
	}
	ingest := func(ctx context.Context) error {
		res, err := telemetryops.Ingest.Call(ctx, reg, telemetryops.IngestInput{TenantID: f.TenantID,
			KeyIntegrationID: f.IntegrationID, Items: items()})
		if err == nil && res.Accepted != 2 {
			err = fmt.Errorf("accepted %d of 2", res.Accepted)
		}
		return err
	}
	rollBack := errors.New("roll back")
	if err := spine.InTx(ctx, h.db, func(ctx context.Context) error {
		if err := ingest(ctx); err != nil {
			return err
		}
		return rollBack
	}); !errors.Is(err, rollBack) {
		t.Fatalf("InTx = %v, want the rollback", err)
	}
	calls := `hoc_llm_calls_total{model="gpt-4o-mini",provider="openai"}`
	if m := h.do(http.MethodGet, "/metrics", nil).Raw; strings.Contains(m, calls) {
		t.Fatalf("/metrics counts records that were rolled back:\n%s", grepLines(m, calls))
	}
	if err := ingest(ctx); err != nil {
		t.Fatal(err)
	}
	if m := h.do(http.MethodGet, "/metrics", nil).Raw; !strings.Contains(m, calls+" 2") {
		t.Fatalf("/metrics after the committed ingest:\n%s", grepLines(m, calls))
	}
}

// grepLines returns the lines of s that contain substr.
func grepLines(s, substr string) string {
	var out []string
	for line := range strings.Lines(s) {
		if strings.Contains(line, substr) {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return strings.Join(out, "\n")
}
