package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"reflect"
	"testing"
	"time"

	models "hoc/l7_models"
)

// TestTelemetry_RollupEqualsAFullScanAfterARandomMix ingests a seeded random
// mix of singles, batches, in-batch repeats, retries and conflicting repeats
// over two integrations and ten days, then checks that the daily series and
// the by-model breakdown (both read from the rollup) equal a full scan of the
// stored records.
func TestTelemetry_RollupEqualsAFullScanAfterARandomMix(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("A")
		_, secondKey := h.newIntegration(f.TenantID, "second")
		keys := [][]string{f.integrationKeyHeader(), {"X-CUS-Integration-Key", secondKey}}
		rng := rand.New(rand.NewPCG(42, 7))
		now := time.Now().UTC()
		sent := map[string]map[string]any{} // call_id → first body sent, to repeat or alter
		record := func() map[string]any {
			var callID string
			if len(sent) > 0 && rng.IntN(4) == 0 { // reuse an old call_id: retry or conflict
				callID = fmt.Sprintf("c%03d", rng.IntN(len(sent)))
				if prev, ok := sent[callID]; ok {
					if rng.IntN(2) == 0 {
						return prev
					}
					changed := map[string]any{}
					for k, v := range prev {
						changed[k] = v
					}
					changed["tokens_in"] = rng.IntN(1000)
					return changed
				}
			}
			callID = fmt.Sprintf("c%03d", len(sent))
			m := usage(callID, func(m map[string]any) {
				m["model"] = []string{"gpt-4o", "gpt-4o-mini", "o1"}[rng.IntN(3)]
				m["tokens_in"], m["tokens_out"], m["cost_cents"] = rng.IntN(5000), rng.IntN(5000), rng.IntN(300)
				m["occurred_at"] = now.Add(-time.Duration(rng.IntN(10*24)) * time.Hour).Format(time.RFC3339Nano)
				if rng.IntN(2) == 0 {
					m["latency_ms"] = rng.IntN(3000)
				}
				if rng.IntN(5) == 0 {
					m["error_code"] = "timeout"
				}
				if rng.IntN(6) == 0 {
					m["policy_result"] = "blocked"
				}
			})
			sent[callID] = m
			return m
		}
		for step := 0; step < 40; step++ {
			key := keys[rng.IntN(2)]
			if rng.IntN(3) == 0 {
				h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", record(), key...)
				continue
			}
			batch := make([]any, 1+rng.IntN(30))
			for i := range batch {
				batch[i] = record()
			}
			if rng.IntN(4) == 0 { // a record repeated inside the batch
				batch = append(batch, batch[0])
			}
			if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": batch}, key...); r.Status != 200 && r.Status != 207 {
				t.Fatalf("batch: %s", r.Raw)
			}
		}

		var stored []models.UsageRecord
		if err := h.db.Conn(context.Background()).Where("tenant_id = ?", f.TenantID).Find(&stored).Error; err != nil {
			t.Fatal(err)
		}
		type key struct{ Day, Integration string }
		scan := map[key]totals{}
		byModel := map[string]int64{}
		for _, r := range stored {
			k := key{r.OccurredAt.UTC().Format("2006-01-02"), r.IntegrationID}
			s := scan[k]
			s.TotalCalls++
			s.TotalTokensIn += r.TokensIn
			s.TotalTokensOut += r.TokensOut
			s.TotalCostCents += r.CostCents
			s.TotalCostMicros += r.CostMicros
			if r.ErrorCode != nil {
				s.ErrorCount++
			}
			if r.PolicyResult == "blocked" {
				s.BlockedCount++
			}
			scan[k] = s
			byModel[r.Provider+"/"+r.Model] += r.CostCents
		}
		var rows []dailyOut
		h.do(http.MethodGet, "/api/v1/telemetry/daily-aggregates", nil, f.readKeyHeader()...).decode(t, &rows)
		rollup := map[key]totals{}
		for _, row := range rows {
			row.AvgLatencyMS = nil
			rollup[key{row.Date, row.IntegrationID}] = row.totals
		}
		if len(stored) < 100 || !reflect.DeepEqual(scan, rollup) {
			t.Fatalf("%d records; rollup differs from the scan:\nscan   %v\nrollup %v", len(stored), scan, rollup)
		}
		var s summaryOut
		h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, f.readKeyHeader()...).decode(t, &s)
		fromSummary := map[string]int64{}
		for _, m := range s.ByModel {
			fromSummary[m.Provider+"/"+m.Model] = m.TotalCostCents
		}
		if !reflect.DeepEqual(byModel, fromSummary) || s.TotalCalls != int64(len(stored)) {
			t.Fatalf("by_model %v, scan %v", fromSummary, byModel)
		}
	})
}
