package main

import (
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"testing"
	"time"
)

type totals struct {
	TotalCalls      int64  `json:"total_calls"`
	TotalTokensIn   int64  `json:"total_tokens_in"`
	TotalTokensOut  int64  `json:"total_tokens_out"`
	TotalCostCents  int64  `json:"total_cost_cents"`
	TotalCostMicros int64  `json:"total_cost_micros"`
	AvgLatencyMS    *int64 `json:"avg_latency_ms"`
	ErrorCount      int64  `json:"error_count"`
	BlockedCount    int64  `json:"blocked_count"`
}

type summaryOut struct {
	TenantID    string `json:"tenant_id"`
	PeriodStart string `json:"period_start"`
	PeriodEnd   string `json:"period_end"`
	totals
	ByIntegration []struct {
		IntegrationID   string `json:"integration_id"`
		IntegrationName string `json:"integration_name"`
		ProviderType    string `json:"provider_type"`
		TotalCalls      int64  `json:"total_calls"`
		TotalTokens     int64  `json:"total_tokens"`
		TotalCostCents  int64  `json:"total_cost_cents"`
		ErrorCount      int64  `json:"error_count"`
		BlockedCount    int64  `json:"blocked_count"`
	} `json:"by_integration"`
	ByModel []struct {
		Provider       string `json:"provider"`
		Model          string `json:"model"`
		TotalCalls     int64  `json:"total_calls"`
		TotalCostCents int64  `json:"total_cost_cents"`
	} `json:"by_model"`
}

type dailyOut struct {
	Date          string `json:"date"`
	IntegrationID string `json:"integration_id"`
	totals
}

func ptr[T any](v T) *T { return &v }

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// seedFixedUsage ingests the fixed data set the summary figures below are
// computed from by hand.
func seedFixedUsage(t *testing.T, h *harness, f tenantFixture, now time.Time) (stagingID string) {
	stagingID, stagingKey := h.newIntegration(f.TenantID, "staging")
	at := func(daysAgo int) string {
		return now.Add(-time.Duration(daysAgo) * 24 * time.Hour).Format(time.RFC3339Nano)
	}
	prod := []any{
		usage("r1", func(m map[string]any) { m["latency_ms"] = 100; m["occurred_at"] = at(0) }),
		usage("r2", func(m map[string]any) {
			m["tokens_in"], m["tokens_out"], m["cost_cents"], m["latency_ms"] = 200, 100, 10, 301
			m["error_code"], m["occurred_at"] = "rate_limit", at(1)
		}),
		usage("r4", func(m map[string]any) {
			m["model"], m["tokens_in"], m["tokens_out"], m["cost_cents"], m["cost_micros"] = "gpt-4o-mini", 1, 1, 1, 5000
			m["latency_ms"], m["occurred_at"] = 0, at(29)
		}),
	}
	if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": prod}, f.integrationKeyHeader()...); r.Status != 200 {
		t.Fatalf("seed prod: %s", r.Raw)
	}
	staging := usage("r3", func(m map[string]any) {
		m["provider"], m["model"], m["tokens_in"], m["tokens_out"], m["cost_cents"] = "anthropic", "claude", 10, 5, 20
		m["policy_result"], m["occurred_at"] = "blocked", at(2)
	})
	if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", staging, "X-CUS-Integration-Key", stagingKey); r.Status != 201 {
		t.Fatalf("seed staging: %s", r.Raw)
	}
	return stagingID
}

func TestTelemetry_SummaryMatchesHandComputation(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		now := time.Now().UTC()
		a, b := h.newTenant("A"), h.newTenant("B")
		stagingID := seedFixedUsage(t, h, a, now)

		r := h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, a.readKeyHeader()...)
		var s summaryOut
		r.decode(t, &s)
		want := totals{TotalCalls: 4, TotalTokensIn: 311, TotalTokensOut: 156, TotalCostCents: 38, TotalCostMicros: 375000,
			AvgLatencyMS: ptr[int64](133), ErrorCount: 1, BlockedCount: 1}
		if !reflect.DeepEqual(s.totals, want) || s.TenantID != a.TenantID {
			t.Fatalf("totals = %+v\nwant     %+v", s.totals, want)
		}
		if s.PeriodEnd != day(now) || s.PeriodStart != day(now.AddDate(0, 0, -29)) {
			t.Fatalf("default window %s..%s", s.PeriodStart, s.PeriodEnd)
		}
		if len(s.ByIntegration) != 2 || s.ByIntegration[0].IntegrationID != stagingID || s.ByIntegration[0].IntegrationName != "staging" ||
			s.ByIntegration[0].TotalCostCents != 20 || s.ByIntegration[0].BlockedCount != 1 ||
			s.ByIntegration[1].IntegrationID != a.IntegrationID || s.ByIntegration[1].TotalCalls != 3 ||
			s.ByIntegration[1].TotalTokens != 452 || s.ByIntegration[1].ErrorCount != 1 {
			t.Fatalf("by_integration: %s", r.Raw)
		}
		models := fmt.Sprint(s.ByModel)
		if models != "[{anthropic claude 1 20} {openai gpt-4o 2 17} {openai gpt-4o-mini 1 1}]" {
			t.Fatalf("by_model = %s", models)
		}

		recent := h.do(http.MethodGet, "/api/v1/telemetry/usage-summary?start_date="+day(now.AddDate(0, 0, -1))+"&end_date="+day(now), nil, a.readKeyHeader()...)
		var rs summaryOut
		recent.decode(t, &rs)
		if rs.TotalCalls != 2 || rs.TotalCostCents != 17 || *rs.AvgLatencyMS != 200 {
			t.Fatalf("two-day window: %s", recent.Raw)
		}
		one := h.do(http.MethodGet, "/api/v1/telemetry/usage-summary?integration_id="+stagingID, nil, a.readKeyHeader()...)
		var os summaryOut
		one.decode(t, &os)
		if os.TotalCalls != 1 || os.ByIntegration != nil || os.AvgLatencyMS != nil || string(one.Data) == "" {
			t.Fatalf("one integration: %s", one.Raw)
		}

		// Tenant B sees nothing of A, even when naming A's integration.
		other := h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, b.readKeyHeader()...)
		var bs summaryOut
		other.decode(t, &bs)
		if bs.TotalCalls != 0 || len(bs.ByIntegration) != 0 || len(bs.ByModel) != 0 || bs.AvgLatencyMS != nil {
			t.Fatalf("tenant B: %s", other.Raw)
		}
		for _, path := range []string{"usage-summary", "daily-aggregates", "usage-history"} {
			h.do(http.MethodGet, "/api/v1/telemetry/"+path+"?integration_id="+a.IntegrationID, nil, b.readKeyHeader()...).expectError(t, 404, "NOT_FOUND")
		}
	})
}

func TestTelemetry_DailyRowsAddUpToTheSummary(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		now := time.Now().UTC()
		f := h.newTenant("A")
		stagingID := seedFixedUsage(t, h, f, now)
		r := h.do(http.MethodGet, "/api/v1/telemetry/daily-aggregates", nil, f.readKeyHeader()...)
		var rows []dailyOut
		r.decode(t, &rows)
		wantKeys := []string{day(now.AddDate(0, 0, -29)) + "/" + f.IntegrationID, day(now.AddDate(0, 0, -2)) + "/" + stagingID,
			day(now.AddDate(0, 0, -1)) + "/" + f.IntegrationID, day(now) + "/" + f.IntegrationID}
		var sum totals
		for i, row := range rows {
			if i >= len(wantKeys) || row.Date+"/"+row.IntegrationID != wantKeys[i] {
				t.Fatalf("rows: %s", r.Raw)
			}
			sum.TotalCalls += row.TotalCalls
			sum.TotalTokensIn += row.TotalTokensIn
			sum.TotalTokensOut += row.TotalTokensOut
			sum.TotalCostCents += row.TotalCostCents
			sum.TotalCostMicros += row.TotalCostMicros
			sum.ErrorCount += row.ErrorCount
			sum.BlockedCount += row.BlockedCount
		}
		var s summaryOut
		h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, f.readKeyHeader()...).decode(t, &s)
		s.AvgLatencyMS = nil
		if len(rows) != 4 || sum != s.totals {
			t.Fatalf("daily sum %+v != summary %+v", sum, s.totals)
		}
	})
}

func TestTelemetry_WindowRules(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	f := h.newTenant("A")
	for _, path := range []string{"usage-summary", "daily-aggregates"} {
		base := "/api/v1/telemetry/" + path
		h.do(http.MethodGet, base+"?start_date=2026-02-01&end_date=2026-01-01", nil, f.readKeyHeader()...).expectError(t, 422, "VALIDATION_FAILED")
		h.do(http.MethodGet, base+"?start_date=2025-01-01&end_date=2026-01-02", nil, f.readKeyHeader()...).expectError(t, 422, "VALIDATION_FAILED")
		if r := h.do(http.MethodGet, base+"?start_date=2025-01-02&end_date=2026-01-02", nil, f.readKeyHeader()...); r.Status != 200 {
			t.Fatalf("366-day window refused: %s", r.Raw)
		}
		h.do(http.MethodGet, base+"?start_date=01/02/2026", nil, f.readKeyHeader()...).expectError(t, 400, "INVALID_REQUEST")
	}
}

// TestTelemetry_HistoryWindowIsTheSummarysWindow: with start_date and
// end_date, usage-history lists (by offset and by cursor) and counts the
// records the summary counts for the same days, and nothing else; without
// them it lists every record, as before.
func TestTelemetry_HistoryWindowIsTheSummarysWindow(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		now := time.Now().UTC()
		f := h.newTenant("A")
		seedFixedUsage(t, h, f, now)
		type item struct {
			CallID string `json:"call_id"`
		}
		walk := func(query string) (ids []string, total int64) {
			t.Helper()
			cursor := ""
			for range 10 {
				r := h.do(http.MethodGet, "/api/v1/telemetry/usage-history?limit=1&"+query+"&cursor="+cursor, nil, f.readKeyHeader()...)
				var page []item
				r.decode(t, &page)
				for _, it := range page {
					ids = append(ids, it.CallID)
				}
				total = *r.Meta.Total
				if cursor = r.Meta.NextCursor; cursor == "" {
					break
				}
			}
			return ids, total
		}
		for _, tt := range []struct {
			query string
			want  []string
		}{
			{"start_date=" + day(now.AddDate(0, 0, -1)) + "&end_date=" + day(now), []string{"r1", "r2"}},
			{"start_date=" + day(now.AddDate(0, 0, -2)) + "&end_date=" + day(now.AddDate(0, 0, -2)), []string{"r3"}},
			{"end_date=" + day(now.AddDate(0, 0, -1)), []string{"r2", "r3", "r4"}},
			{"start_date=" + day(now.AddDate(0, 0, -28)), []string{"r1", "r2", "r3"}},
		} {
			ids, total := walk(tt.query)
			var s summaryOut
			h.do(http.MethodGet, "/api/v1/telemetry/usage-summary?"+tt.query, nil, f.readKeyHeader()...).decode(t, &s)
			if !reflect.DeepEqual(ids, tt.want) || total != int64(len(tt.want)) || total != s.TotalCalls {
				t.Errorf("%s: history %v of %d, want %v; the summary counts %d", tt.query, ids, total, tt.want, s.TotalCalls)
			}
			r := h.do(http.MethodGet, "/api/v1/telemetry/usage-history?offset=1&"+tt.query, nil, f.readKeyHeader()...)
			var rest []item
			r.decode(t, &rest)
			if len(rest) != len(tt.want)-1 || *r.Meta.Total != total {
				t.Errorf("%s, offset 1: %s", tt.query, r.Raw)
			}
		}
		if ids, total := walk(""); len(ids) != 4 || total != 4 {
			t.Errorf("without a window: %v of %d, want all 4", ids, total)
		}
		hist := "/api/v1/telemetry/usage-history"
		h.do(http.MethodGet, hist+"?start_date=2026-02-01&end_date=2026-01-01", nil, f.readKeyHeader()...).expectError(t, 422, "VALIDATION_FAILED")
		h.do(http.MethodGet, hist+"?start_date=2025-01-01&end_date=2026-01-02", nil, f.readKeyHeader()...).expectError(t, 422, "VALIDATION_FAILED")
		h.do(http.MethodGet, hist+"?end_date=01/02/2026", nil, f.readKeyHeader()...).expectError(t, 400, "INVALID_REQUEST")
	})
}

func TestTelemetry_HistoryPagesReturnEveryRecordOnceNewestFirst(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("A")
		base := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		var records []any
		for i := 0; i < 11; i++ {
			at := base.Add(time.Duration(i/3) * time.Minute) // groups of three share a timestamp
			records = append(records, usage(fmt.Sprintf("h%02d", i), func(m map[string]any) { m["occurred_at"] = at.Format(time.RFC3339) }))
		}
		if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": records}, f.integrationKeyHeader()...); r.Status != 200 {
			t.Fatal(r.Raw)
		}
		type item struct {
			ID         string `json:"id"`
			OccurredAt string `json:"occurred_at"`
		}
		var byOffset, byCursor []item
		for offset := 0; ; offset += 4 {
			r := h.do(http.MethodGet, fmt.Sprintf("/api/v1/telemetry/usage-history?limit=4&offset=%d", offset), nil, f.readKeyHeader()...)
			var page []item
			r.decode(t, &page)
			byOffset = append(byOffset, page...)
			if *r.Meta.Total != 11 || *r.Meta.Page != offset/4+1 || *r.Meta.HasMore != (offset+len(page) < 11) {
				t.Fatalf("offset %d meta: %s", offset, r.Raw)
			}
			if !*r.Meta.HasMore {
				break
			}
		}
		cursor := ""
		for pages := 0; pages < 10; pages++ {
			r := h.do(http.MethodGet, "/api/v1/telemetry/usage-history?limit=4&cursor="+cursor, nil, f.readKeyHeader()...)
			var page []item
			r.decode(t, &page)
			byCursor = append(byCursor, page...)
			if *r.Meta.Total != 11 || *r.Meta.HasMore != (r.Meta.NextCursor != "") {
				t.Fatalf("cursor meta: %s", r.Raw)
			}
			if r.Meta.NextCursor == "" {
				break
			}
			cursor = r.Meta.NextCursor
		}
		if len(byOffset) != 11 || !reflect.DeepEqual(byOffset, byCursor) {
			t.Fatalf("offset walk %v\ncursor walk %v", byOffset, byCursor)
		}
		sorted := sort.SliceIsSorted(byOffset, func(i, j int) bool {
			if byOffset[i].OccurredAt != byOffset[j].OccurredAt {
				return byOffset[i].OccurredAt > byOffset[j].OccurredAt
			}
			return byOffset[i].ID > byOffset[j].ID
		})
		seen := map[string]bool{}
		for _, it := range byOffset {
			seen[it.ID] = true
		}
		if !sorted || len(seen) != 11 {
			t.Fatalf("not newest first or repeated: %v", byOffset)
		}
		h.do(http.MethodGet, "/api/v1/telemetry/usage-history?cursor=garbage", nil, f.readKeyHeader()...).expectError(t, 400, "INVALID_REQUEST")
		h.do(http.MethodGet, "/api/v1/telemetry/usage-history?limit=1001", nil, f.readKeyHeader()...).expectError(t, 422, "VALIDATION_FAILED")
	})
}
