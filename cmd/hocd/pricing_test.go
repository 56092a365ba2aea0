package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.uber.org/fx"

	"hoc/l6_drivers/db/dbtest"
	"hoc/testkit"
)

// historyCost is the part of a usage-history item that says what a call
// cost and who decided it.
type historyCost struct {
	CallID           string  `json:"call_id"`
	Model            string  `json:"model"`
	TokensIn         int64   `json:"tokens_in"`
	TokensOut        int64   `json:"tokens_out"`
	CostCents        int64   `json:"cost_cents"`
	CostMicros       int64   `json:"cost_micros"`
	CostSource       string  `json:"cost_source"`
	ClientCostCents  *int64  `json:"client_cost_cents"`
	PriceID          *string `json:"price_id"`
	CacheReadTokens  int64   `json:"cache_read_tokens"`
	CacheWriteTokens int64   `json:"cache_write_tokens"`
	ReasoningTokens  int64   `json:"reasoning_tokens"`
}

// costs reads the tenant's history (newest first is irrelevant here) keyed
// by call id.
func (h *harness) costs(f tenantFixture) map[string]historyCost {
	h.t.Helper()
	r := h.do(http.MethodGet, "/api/v1/telemetry/usage-history?limit=1000", nil, f.readKeyHeader()...)
	var items []historyCost
	r.decode(h.t, &items)
	if r.Status != http.StatusOK {
		h.t.Fatalf("history: %s", r.Raw)
	}
	out := make(map[string]historyCost, len(items))
	for _, it := range items {
		out[it.CallID] = it
	}
	return out
}

func (h *harness) ingestSDK(f tenantFixture, rec map[string]any) response {
	h.t.Helper()
	r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", rec, f.integrationKeyHeader()...)
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		h.t.Fatalf("ingest %v: %d %s", rec["call_id"], r.Status, r.Raw)
	}
	return r
}

// TestPricing_SDKRecordsArePricedAtListPrice sends the SDK's record shape
// (the client's cents, no cost_micros) for the five models the issue names,
// with the names SDKs really send (dated, prefixed), and checks each stored
// cost against the list price worked out by hand.
func TestPricing_SDKRecordsArePricedAtListPrice(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("Acme")
		cases := []struct {
			name, provider, model string
			in, out, cacheRead    int64
			cacheWrite, reasoning int64
			clientCents           int64
			micros, cents         int64
		}{
			// 600 × 2.50 + 400 × 1.25 + 200 × 10.00 = 4,000 µ$.
			{"gpt-4o with a cache hit", "openai", "gpt-4o-2024-08-06", 1000, 200, 400, 0, 0, 2, 4_000, 0},
			// The SDK's "gpt-4" substring match made this 3 ¢; the list price is 2000 × 0.15 + 500 × 0.60 = 600 µ$.
			{"gpt-4o-mini, never gpt-4o", "openai", "gpt-4o-mini-2024-07-18", 2000, 500, 0, 0, 0, 3, 600, 0},
			{"a provider prefix", "openai", "openai/gpt-4o", 1000, 0, 0, 0, 0, 0, 2_500, 0},
			// 2000 × 3.00 + 6000 × 0.30 + 2000 × 3.75 + 1000 × 15.00 = 30,300 µ$ = 3.03 ¢.
			{"claude-sonnet-4 with cache reads and writes", "anthropic", "claude-sonnet-4-20250514", 10_000, 1000, 6000, 2000, 0, 3, 30_300, 3},
			// 3000 × 0.25 + 800 × 1.25 = 1,750 µ$, which the SDK truncated to 0 ¢.
			{"claude-3-haiku", "anthropic", "claude-3-haiku-20240307", 3000, 800, 0, 0, 0, 0, 1_750, 0},
			// At the threshold the base prices apply: 200,000 × 1.25 + 1000 × 10.00 = 260,000 µ$.
			{"gemini-2.5-pro at its tier's threshold", "google", "gemini-2.5-pro", 200_000, 1000, 0, 0, 600, 20, 260_000, 26},
			// Above it the tier prices the whole call: 200,001 × 2.50 + 1000 × 15.00 = 515,002.5 → 515,003 µ$ (half up).
			{"gemini-2.5-pro above its tier", "google", "gemini-2.5-pro", 200_001, 1000, 0, 0, 600, 20, 515_003, 52},
		}
		for i, c := range cases {
			rec := sdkUsage(fmt.Sprintf("sdk-%d", i), func(m map[string]any) {
				m["provider"], m["model"], m["tokens_in"], m["tokens_out"], m["cost_cents"] = c.provider, c.model, c.in, c.out, c.clientCents
				if c.cacheRead > 0 {
					m["cache_read_tokens"] = c.cacheRead
				}
				if c.cacheWrite > 0 {
					m["cache_write_tokens"] = c.cacheWrite
				}
				if c.reasoning > 0 {
					m["reasoning_tokens"] = c.reasoning
				}
			})
			h.ingestSDK(f, rec)
		}
		got := h.costs(f)
		for i, c := range cases {
			r := got[fmt.Sprintf("sdk-%d", i)]
			if r.CostMicros != c.micros || r.CostCents != c.cents || r.CostSource != "price_table" ||
				r.ClientCostCents == nil || *r.ClientCostCents != c.clientCents || r.PriceID == nil ||
				r.CacheReadTokens != c.cacheRead || r.CacheWriteTokens != c.cacheWrite || r.ReasoningTokens != c.reasoning {
				t.Errorf("%s: stored %+v, want %d µ$, %d ¢, price_table, client %d ¢", c.name, r, c.micros, c.cents, c.clientCents)
			}
		}
	})
}

// TestPricing_ClientDecidesWhatThePriceTableCannot: a record with
// cost_micros keeps it, an unpriced model keeps the client's cents (or is
// "unpriced" at 0 ¢), and a tenant set to cost_source "client" keeps the
// client's figures even for priced models.
func TestPricing_ClientDecidesWhatThePriceTableCannot(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("Acme")
		h.ingestSDK(f, sdkUsage("micros", func(m map[string]any) { m["cost_cents"], m["cost_micros"] = 1, 1234 }))
		h.ingestSDK(f, sdkUsage("unknown-cents", func(m map[string]any) { m["model"], m["cost_cents"] = "in-house-7b", 5 }))
		h.ingestSDK(f, sdkUsage("unknown-zero", func(m map[string]any) { m["model"], m["cost_cents"] = "in-house-7b", 0 }))

		r := h.do(http.MethodPatch, "/api/v1/fdr/tenants/"+f.TenantID, map[string]any{"cost_source": "client"}, h.founder()...)
		if r.Status != http.StatusOK || !strings.Contains(r.Raw, `"cost_source":"client"`) {
			t.Fatalf("patch cost_source: %d %s", r.Status, r.Raw)
		}
		h.ingestSDK(f, sdkUsage("client-tenant", func(m map[string]any) { m["cost_cents"] = 7 }))

		got := h.costs(f)
		for id, want := range map[string]struct {
			micros, cents int64
			source        string
		}{
			"micros":        {1234, 1, "client"},
			"unknown-cents": {50_000, 5, "client"},
			"unknown-zero":  {0, 0, "unpriced"},
			"client-tenant": {70_000, 7, "client"},
		} {
			r := got[id]
			if r.CostMicros != want.micros || r.CostCents != want.cents || r.CostSource != want.source || r.PriceID != nil {
				t.Errorf("%s: stored %+v, want %d µ$ %d ¢ %s", id, r, want.micros, want.cents, want.source)
			}
		}

		var unpriced []struct {
			Provider string `json:"provider"`
			Model    string `json:"model"`
			Calls    int64  `json:"calls"`
		}
		u := h.do(http.MethodGet, "/api/v1/telemetry/unpriced-models", nil, f.readKeyHeader()...)
		u.decode(t, &unpriced)
		// Unpriced means hoc has no cost for the call: the 5 ¢ one has the client's.
		if u.Status != http.StatusOK || len(unpriced) != 1 || unpriced[0].Model != "in-house-7b" || unpriced[0].Calls != 1 {
			t.Errorf("unpriced models: %s", u.Raw)
		}
	})
}

// TestPricing_ATenantPriceAddedLaterPricesLaterCallsOnly adds a tenant row
// for gpt-4o effective an hour ago: calls that occurred before keep the list
// price, later ones take the tenant's, a retry of an old call stays a
// duplicate of what was stored, and another tenant is untouched.
func TestPricing_ATenantPriceAddedLaterPricesLaterCallsOnly(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f, other := h.newTenant("Acme"), h.newTenant("Other")
		now := time.Now().UTC()
		at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339Nano) }
		call := func(f tenantFixture, id, occurred string) map[string]any {
			return sdkUsage(id, func(m map[string]any) {
				m["tokens_in"], m["tokens_out"] = 1000, 100
				if occurred != "" {
					m["occurred_at"] = occurred
				}
			})
		}
		old := call(f, "before", at(-2*time.Hour))
		h.ingestSDK(f, old)

		writeKey := []string{"X-AOS-Key", h.newAPIKey(f.TenantID, "prices:read", "prices:write")}
		add := h.do(http.MethodPost, "/api/v1/prices", map[string]any{
			"provider": "openai", "model": "gpt-4o", "effective_from": at(-time.Hour),
			"usd_per_mtok": map[string]any{"input": "2", "output": 8},
		}, writeKey...)
		if add.Status != http.StatusCreated || !strings.Contains(add.Raw, `"scope":"tenant"`) ||
			!strings.Contains(add.Raw, `"cache_read":"2.00"`) {
			t.Fatalf("add tenant price: %d %s", add.Status, add.Raw)
		}

		h.ingestSDK(f, call(f, "between", at(-90*time.Minute)))
		h.ingestSDK(f, call(f, "after", at(-30*time.Minute)))
		h.ingestSDK(f, call(f, "now", ""))
		if r := h.ingestSDK(f, old); !strings.Contains(r.Raw, `"status":"duplicate"`) {
			t.Errorf("the old call sent again: %s, want a duplicate", r.Raw)
		}
		h.ingestSDK(other, call(other, "other-now", ""))

		const list = 3_500   // 1000 × 2.50 + 100 × 10.00 µ$
		const tenant = 2_800 // 1000 × 2 + 100 × 8 µ$
		got := h.costs(f)
		for id, want := range map[string]int64{"before": list, "between": list, "after": tenant, "now": tenant} {
			if got[id].CostMicros != want {
				t.Errorf("%s: %d µ$, want %d", id, got[id].CostMicros, want)
			}
		}
		if got["after"].PriceID == nil || !strings.Contains(add.Raw, *got["after"].PriceID) {
			t.Errorf("after: price_id %v, want the tenant row %s", got["after"].PriceID, add.Raw)
		}
		if c := h.costs(other)["other-now"]; c.CostMicros != list {
			t.Errorf("another tenant's call: %d µ$, want the list price", c.CostMicros)
		}

		resolve := func(at string) string {
			q := url.Values{"provider": {"openai"}, "model": {"GPT-4o-2024-11-20"}, "at": {at}}
			return h.do(http.MethodGet, "/api/v1/prices/resolve?"+q.Encode(), nil, writeKey...).Raw
		}
		if r := resolve(at(-90 * time.Minute)); !strings.Contains(r, `"scope":"global"`) || !strings.Contains(r, `"input":"2.50"`) {
			t.Errorf("resolve before the tenant row: %s", r)
		}
		if r := resolve(at(0)); !strings.Contains(r, `"scope":"tenant"`) {
			t.Errorf("resolve now: %s", r)
		}
		q := url.Values{"provider": {"openai"}, "model": {"gpt-4"}}
		if r := h.do(http.MethodGet, "/api/v1/prices/resolve?"+q.Encode(), nil, writeKey...); r.Status != 200 || !strings.Contains(r.Raw, `"price":null`) {
			t.Errorf("gpt-4 must not match gpt-4o: %s", r.Raw)
		}
	})
}

// TestPricing_TotalsAreTheSumOfMicros sends records with precise cost_micros
// (several sub-cent) to two integrations and three models, and checks every
// total of the summary and each of its entries, the daily series, the
// integration limits and /metrics against the sum of the micros, with cents
// rounded once from that sum.
func TestPricing_TotalsAreTheSumOfMicros(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("Acme")
		secondID, secondKey := h.newIntegration(f.TenantID, "batch-jobs")
		keys := map[string]string{f.IntegrationID: f.IntegrationKey, secondID: secondKey}
		type rec struct {
			integration, model string
			micros             int64
		}
		recs := []rec{
			// 400 calls of gpt-4o-mini at 1,234 µ$: rounding each up to 1 ¢ would make 400 ¢ of 49.36 ¢.
			{f.IntegrationID, "gpt-4o-mini", 1_234},
			{f.IntegrationID, "gpt-4o", 2_990_000},
			{secondID, "gpt-4o", 5_001},
			{secondID, "o3", 4_999},
		}
		want := map[string]int64{}
		var total int64
		n := 0
		for _, r := range recs {
			count := 1
			if r.model == "gpt-4o-mini" {
				count = 400
			}
			records := make([]any, count)
			for i := range records {
				n++
				records[i] = sdkUsage(fmt.Sprintf("m-%d", n), func(m map[string]any) {
					m["model"], m["cost_cents"], m["cost_micros"] = r.model, (r.micros+9_999)/10_000, r.micros
				})
			}
			b := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": records}, "X-CUS-Integration-Key", keys[r.integration])
			if b.Status != http.StatusOK && b.Status != http.StatusCreated {
				t.Fatalf("batch: %d %s", b.Status, b.Raw)
			}
			want[r.integration] += int64(count) * r.micros
			want[r.model] += int64(count) * r.micros
			total += int64(count) * r.micros
		}
		cents := func(micros int64) int64 { return (micros + 5_000) / 10_000 }

		var summary struct {
			TotalCostCents  int64 `json:"total_cost_cents"`
			TotalCostMicros int64 `json:"total_cost_micros"`
			ByIntegration   []struct {
				ID     string `json:"integration_id"`
				Cents  int64  `json:"total_cost_cents"`
				Micros int64  `json:"total_cost_micros"`
			} `json:"by_integration"`
			ByModel []struct {
				Model  string `json:"model"`
				Cents  int64  `json:"total_cost_cents"`
				Micros int64  `json:"total_cost_micros"`
			} `json:"by_model"`
		}
		s := h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, f.readKeyHeader()...)
		s.decode(t, &summary)
		if summary.TotalCostMicros != total || summary.TotalCostCents != cents(total) {
			t.Errorf("summary total %d µ$ %d ¢, want %d µ$ %d ¢", summary.TotalCostMicros, summary.TotalCostCents, total, cents(total))
		}
		if len(summary.ByIntegration) != 2 || len(summary.ByModel) != 3 {
			t.Fatalf("summary entries: %s", s.Raw)
		}
		for _, e := range summary.ByIntegration {
			if e.Micros != want[e.ID] || e.Cents != cents(want[e.ID]) {
				t.Errorf("by_integration %s: %d µ$ %d ¢, want %d µ$", e.ID, e.Micros, e.Cents, want[e.ID])
			}
		}
		for i, e := range summary.ByModel {
			if e.Micros != want[e.Model] || e.Cents != cents(want[e.Model]) {
				t.Errorf("by_model %s: %d µ$ %d ¢, want %d µ$", e.Model, e.Micros, e.Cents, want[e.Model])
			}
			if i > 0 && e.Micros > summary.ByModel[i-1].Micros {
				t.Errorf("by_model is not ordered by cost: %s", s.Raw)
			}
		}
		if last := summary.ByModel[len(summary.ByModel)-1]; last.Model != "o3" {
			t.Errorf("the cheapest model is %s, want o3 (gpt-4o-mini's 400 sub-cent calls cost 49.36 ¢)", last.Model)
		}

		var daily []struct {
			IntegrationID string `json:"integration_id"`
			Cents         int64  `json:"total_cost_cents"`
			Micros        int64  `json:"total_cost_micros"`
		}
		d := h.do(http.MethodGet, "/api/v1/telemetry/daily-aggregates", nil, f.readKeyHeader()...)
		d.decode(t, &daily)
		if len(daily) != 2 {
			t.Fatalf("daily: %s", d.Raw)
		}
		for _, row := range daily {
			if row.Micros != want[row.IntegrationID] || row.Cents != cents(want[row.IntegrationID]) {
				t.Errorf("daily row of %s: %d µ$ %d ¢, want %d µ$", row.IntegrationID, row.Micros, row.Cents, want[row.IntegrationID])
			}
		}

		admin := h.integrationsAdmin(f.TenantID)
		for id := range keys {
			var limits struct {
				Micros int64 `json:"budget_used_micros"`
				Cents  int64 `json:"budget_used_cents"`
			}
			l := h.do(http.MethodGet, "/api/v1/integrations/"+id+"/limits", nil, admin...)
			l.decode(t, &limits)
			if limits.Micros != want[id] || limits.Cents != cents(want[id]) {
				t.Errorf("limits of %s: %s, want %d µ$", id, l.Raw, want[id])
			}
		}

		for _, model := range []string{"gpt-4o-mini", "gpt-4o", "o3"} {
			name := fmt.Sprintf(`hoc_llm_cost_micros_total{model=%q,provider="openai"}`, model)
			if got := metricValue(t, h, name); got != float64(want[model]) {
				t.Errorf("/metrics %s %v, want %d", name, got, want[model])
			}
		}
	})
}

// TestPricing_BudgetsActOnComputedCost: an integration with a 1 ¢ budget is
// over it once hoc's price of the calls reaches 10,000 µ$, though the SDK
// reported 0 ¢ for each; the SDK's inflated cents for gpt-4o-mini spend
// nothing of another integration's budget.
func TestPricing_BudgetsActOnComputedCost(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			clk := testkit.NewClock(time.Now().UTC())
			h := newHarnessWithConfig(t, testConfig(t, dialect), fx.Decorate(func(func() time.Time) func() time.Time { return clk.Now }))
			budgetsActOnComputedCost(t, h, clk)
		})
	}
}

func budgetsActOnComputedCost(t *testing.T, h *harness, clk *testkit.Clock) {
	f := h.completeTenant("Acme", "free")
	admin := h.integrationsAdmin(f.TenantID)
	_, haiku := h.createIntegration(admin, map[string]any{"name": "haiku", "provider_type": "anthropic", "budget_limit_cents": 1})
	_, mini := h.createIntegration(admin, map[string]any{"name": "mini", "provider_type": "openai", "budget_limit_cents": 100})
	send := func(key, id string, m map[string]any) response {
		rec := sdkUsage(id, func(r map[string]any) {
			for k, v := range m {
				r[k] = v
			}
		})
		return h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", rec, "X-CUS-Integration-Key", key)
	}
	// 7 × (3000 × 0.25 + 800 × 1.25) = 12,250 µ$ ≥ the 10,000 µ$ budget; the SDK said 0 ¢.
	haikuCall := map[string]any{"provider": "anthropic", "model": "claude-3-haiku-20240307", "tokens_in": 3000, "tokens_out": 800, "cost_cents": 0}
	for i := range 7 {
		if r := send(haiku, fmt.Sprintf("h-%d", i), haikuCall); r.Status != 201 || r.Header.Get("X-HOC-Budget") != "" {
			t.Fatalf("haiku call %d under budget: %d %q %s", i, r.Status, r.Header.Get("X-HOC-Budget"), r.Raw)
		}
	}
	clk.Advance(3 * time.Second) // past the facts cache
	if r := send(haiku, "h-over", haikuCall); r.Status != 201 || r.Header.Get("X-HOC-Budget") != "exceeded" {
		t.Errorf("haiku over its budget on hoc's price: %d %q %s", r.Status, r.Header.Get("X-HOC-Budget"), r.Raw)
	}
	// The SDK says 3 ¢ a call (its "gpt-4" price); the list price is 600 µ$: 200 calls are 12 ¢ of 100.
	miniCall := map[string]any{"model": "gpt-4o-mini", "tokens_in": 2000, "tokens_out": 500, "cost_cents": 3}
	records := make([]any, 200)
	for i := range records {
		records[i] = sdkUsage(fmt.Sprintf("mini-%d", i), func(r map[string]any) {
			for k, v := range miniCall {
				r[k] = v
			}
		})
	}
	h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": records}, "X-CUS-Integration-Key", mini)
	clk.Advance(3 * time.Second)
	if r := send(mini, "mini-last", miniCall); r.Status != 201 || r.Header.Get("X-HOC-Budget") != "" {
		t.Errorf("mini on 12 ¢ of a 100 ¢ budget: %d %q %s", r.Status, r.Header.Get("X-HOC-Budget"), r.Raw)
	}
}

// TestPricing_TokenDetailIsValidated: cache
// and reasoning tokens larger than the whole they belong to, or out of
// range, are 422 naming the field, and nothing is stored.
func TestPricing_TokenDetailIsValidated(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("Acme")
		for name, c := range map[string]struct {
			fields map[string]any
			field  string
		}{
			"cache reads over tokens_in":        {map[string]any{"cache_read_tokens": 101}, "cache_read_tokens"},
			"cache reads and writes over input": {map[string]any{"cache_read_tokens": 60, "cache_write_tokens": 41}, "cache_write_tokens"},
			"reasoning over tokens_out":         {map[string]any{"reasoning_tokens": 51}, "reasoning_tokens"},
			"negative":                          {map[string]any{"cache_write_tokens": -1}, "cache_write_tokens"},
			"over 10^9":                         {map[string]any{"cache_read_tokens": 1_000_000_001}, "cache_read_tokens"},
			"not an integer":                    {map[string]any{"reasoning_tokens": 1.5}, "reasoning_tokens"},
		} {
			rec := sdkUsage("bad-"+strings.ReplaceAll(name, " ", "-"), func(m map[string]any) {
				for k, v := range c.fields {
					m[k] = v
				}
			})
			r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", rec, f.integrationKeyHeader()...)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Raw, `"field":"`+c.field+`"`) {
				t.Errorf("%s: %d %s, want 422 naming %s", name, r.Status, r.Raw, c.field)
			}
		}
		if n := h.storedCount(f); n != 0 {
			t.Errorf("%d records stored from refused input", n)
		}
		h.ingestSDK(f, sdkUsage("exact", func(m map[string]any) {
			m["cache_read_tokens"], m["cache_write_tokens"], m["reasoning_tokens"] = 60, 40, 50
		}))
	})
}
