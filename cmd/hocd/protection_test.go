package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/fx"

	protectionengine "hoc/l5_engines/protection"
	"hoc/testkit"
)

// protectedHarness is a server with small limits, an injected clock and the
// event recorder at hand.
func protectedHarness(t *testing.T, routeRPM, burstRPS int, mod ...func(*Config)) (*harness, *testkit.Clock, *protectionengine.Recorder) {
	t.Helper()
	cfg := testConfig(t, "sqlite")
	cfg.Protection = ProtectionConfig{RoutePerMinute: routeRPM, BurstPerSecond: burstRPS}
	for _, m := range mod {
		m(&cfg)
	}
	clk := testkit.NewClock(time.Now().UTC())
	var rec *protectionengine.Recorder
	h := newHarnessWithConfig(t, cfg, fx.Populate(&rec),
		fx.Decorate(func(func() time.Time) func() time.Time { return clk.Now }))
	return h, clk, rec
}

// completeTenant is a tenant whose onboarding is COMPLETE, so protection
// applies to it.
func (h *harness) completeTenant(name string, plan string) tenantFixture {
	h.t.Helper()
	f := h.newTenant(name)
	h.do(http.MethodPost, "/api/v1/fdr/tenants/"+f.TenantID+"/onboarding", map[string]any{"target_state": "COMPLETE", "reason": "test"}, h.founder()...)
	if plan != "free" {
		h.setPlan(f.TenantID, plan)
	}
	return f
}

func (h *harness) setPlan(tenantID, plan string) {
	h.t.Helper()
	if err := h.db.Conn(context.Background()).Exec("UPDATE tenants SET plan = ? WHERE id = ?", plan, tenantID).Error; err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) events(t *testing.T, rec *protectionengine.Recorder, tenantID, dimension string) eventList {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return h.listEvents("/api/v1/fdr/protection/events", url.Values{"tenant_id": {tenantID}, "dimension": {dimension}}, h.founder())
}

func TestProtection_RateLimitRejectsNPlusOneAndRecoversAsTheWindowSlides(t *testing.T) {
	t.Parallel()
	h, clk, rec := protectedHarness(t, 3, 100)
	a, b := h.completeTenant("A", "free"), h.completeTenant("B", "free")
	summary := "/api/v1/telemetry/usage-summary"
	for i := 0; i < 3; i++ {
		r := h.do(http.MethodGet, summary, nil, a.readKeyHeader()...)
		if r.Status != 200 || r.Header.Get("X-RateLimit-Limit") != "3" || r.Header.Get("X-RateLimit-Remaining") != strconv.Itoa(2-i) ||
			r.Header.Get("RateLimit-Policy") != `"minute";q=3;w=60` || r.Header.Get("RateLimit") == "" || r.Header.Get("X-RateLimit-Reset") == "" {
			t.Fatalf("request %d: %d %v", i+1, r.Status, r.Header)
		}
	}
	// Another tenant's id in a header or the query changes nothing.
	r := h.do(http.MethodGet, summary+"?tenant_id="+b.TenantID, nil, append(a.readKeyHeader(), "X-Tenant-ID", b.TenantID)...)
	r.expectError(t, 429, "RATE_LIMITED")
	retryMS, _ := r.Error.Details["retry_after_ms"].(float64)
	if r.Error.Details["dimension"] != "rate" || retryMS <= 0 || r.Header.Get("Retry-After") != strconv.Itoa(int((time.Duration(retryMS)*time.Millisecond+time.Second-1)/time.Second)) {
		t.Fatalf("rejection: %s %v", r.Raw, r.Header)
	}
	if r := h.do(http.MethodGet, summary, nil, b.readKeyHeader()...); r.Status != 200 || r.Header.Get("X-RateLimit-Remaining") != "2" {
		t.Fatalf("tenant B was charged for A: %d %v", r.Status, r.Header)
	}
	if r := h.do(http.MethodGet, "/api/v1/telemetry/daily-aggregates", nil, a.readKeyHeader()...); r.Status != 200 {
		t.Fatalf("another route has its own bucket: %s", r.Raw)
	}
	clk.Advance(time.Duration(retryMS) * time.Millisecond)
	if r := h.do(http.MethodGet, summary, nil, a.readKeyHeader()...); r.Status != 200 {
		t.Fatalf("after the window slid: %s", r.Raw)
	}
	if n := len(h.events(t, rec, a.TenantID, "rate").events); n != 1 {
		t.Fatalf("%d rate events, want 1", n)
	}
}

func TestProtection_BurstThrottles(t *testing.T) {
	t.Parallel()
	h, clk, _ := protectedHarness(t, 100, 2)
	a := h.completeTenant("A", "free")
	for i := 0; i < 2; i++ {
		h.do(http.MethodGet, "/api/v1/telemetry/usage-history", nil, a.readKeyHeader()...)
	}
	r := h.do(http.MethodGet, "/api/v1/telemetry/usage-history", nil, a.readKeyHeader()...)
	r.expectError(t, 503, "THROTTLED")
	if r.Error.Details["dimension"] != "burst" || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("throttle: %s %v", r.Raw, r.Header)
	}
	clk.Advance(time.Second)
	if r := h.do(http.MethodGet, "/api/v1/telemetry/usage-history", nil, a.readKeyHeader()...); r.Status != 200 {
		t.Fatalf("after a second: %s", r.Raw)
	}
}

func TestProtection_CostLimitRejectsWritesWarnsIngestSparesReadsAndEnterprise(t *testing.T) {
	t.Parallel()
	h, clk, rec := protectedHarness(t, 1000, 100)
	for _, plan := range []string{"free", "enterprise"} {
		f := h.completeTenant("T "+plan, plan)
		admin := []string{"X-AOS-Key", h.newAPIKey(f.TenantID, "integrations:write", "integrations:read")}
		spend := usage(plan+"-spend", func(m map[string]any) { m["cost_cents"] = 40 }) // free: $10/30 = $0.33 a day
		if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", spend, f.integrationKeyHeader()...); r.Status != 201 {
			t.Fatalf("%s spend: %s", plan, r.Raw)
		}
		clk.Advance(3 * time.Second) // past the facts cache (2 s)
		create := h.do(http.MethodPost, "/api/v1/integrations", map[string]any{"name": "more", "provider_type": "openai"}, admin...)
		if plan == "enterprise" {
			if create.Status != 201 {
				t.Fatalf("enterprise is never cost-limited: %s", create.Raw)
			}
			continue
		}
		create.expectError(t, 429, "COST_LIMIT_EXCEEDED")
		d := create.Error.Details
		if d["dimension"] != "cost" || d["limit"] != "daily_budget" || d["current_value"] != 0.4 || d["allowed_value"] != 0.33 || create.Header.Get("Retry-After") == "" {
			t.Fatalf("cost rejection: %s", create.Raw)
		}
		for i := 0; i < 2; i++ {
			r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage(plan+"-more-"+strconv.Itoa(i)), f.integrationKeyHeader()...)
			if r.Status != 201 || r.Header.Get("X-HOC-Budget") != "exceeded" {
				t.Fatalf("ingest over budget: %d %v", r.Status, r.Header)
			}
		}
		if r := h.do(http.MethodGet, "/api/v1/integrations", nil, admin...); r.Status != 200 {
			t.Fatalf("reads over budget: %s", r.Raw)
		}
		events := h.events(t, rec, f.TenantID, "cost").events
		decisions := map[string]int{}
		for _, e := range events {
			decisions[e.Decision]++
			// The event is in the budget's unit, cents; the 429 above in dollars.
			if e.Decision == "reject" && (e.Details["current_cents"] != 40.0 || e.Details["allowed_cents"] != 33.3333) {
				t.Errorf("cost event details %v, want current_cents 40 and allowed_cents 33.3333", e.Details)
			}
		}
		if decisions["reject"] != 1 || decisions["warn"] != 1 {
			t.Fatalf("cost events %v, want one reject and one warn", decisions)
		}
	}
}

func TestProtection_ExemptionsAndHeaders(t *testing.T) {
	t.Parallel()
	h, _, _ := protectedHarness(t, 1, 100)
	onboarding := h.newTenant("Onboarding") // below COMPLETE: never limited
	for i := 0; i < 4; i++ {
		r := h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, onboarding.readKeyHeader()...)
		if r.Status != 200 || r.Header.Get("RateLimit") != "" {
			t.Fatalf("tenant in onboarding, request %d: %d %v", i+1, r.Status, r.Header)
		}
	}
	done := h.completeTenant("Done", "free")
	for i := 0; i < 3; i++ {
		for _, path := range []string{"/health", "/metrics", "/api/v1/session/context", "/api/v1/fdr/tenants"} {
			headers := done.readKeyHeader()
			if path == "/api/v1/fdr/tenants" {
				headers = h.founder()
			}
			r := h.do(http.MethodGet, path, nil, headers...)
			if r.Status != 200 || r.Header.Get("RateLimit-Policy") != "" || r.Header.Get("X-RateLimit-Limit") != "" {
				t.Fatalf("%s must be exempt: %d %v", path, r.Status, r.Header)
			}
		}
	}
}

// TestProtection_RedisDownFailsOpenAndRecordsIt: with Redis down every
// request is let through and counted, and the outage is one event per
// tenant per minute carrying that tenant's own number of failures, not one
// per request: each tenant lists its own event and count and nobody
// else's, and the founder lists both.
func TestProtection_RedisDownFailsOpenAndRecordsIt(t *testing.T) {
	t.Parallel()
	var rec *protectionengine.Recorder
	cfg := testConfig(t, "sqlite")
	cfg.RedisURL = "redis://127.0.0.1:1/0"
	clk := testkit.NewClock(time.Now().UTC())
	h := newHarnessWithConfig(t, cfg, fx.Populate(&rec), fx.Decorate(func(func() time.Time) func() time.Time { return clk.Now }))
	a, b := h.completeTenant("A", "free"), h.completeTenant("B", "free")
	summary := func(f tenantFixture) {
		if r := h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, f.readKeyHeader()...); r.Status != 200 {
			t.Fatalf("with Redis down: %s", r.Raw)
		}
	}
	summary(a) // A fails first: its event must not carry B's failures
	for i := range 20 {
		summary(b)
		if i%5 == 0 {
			summary(a)
		}
	}
	clk.Advance(time.Minute)
	summary(a) // the first decision after the interval records it
	failures := func(l eventList) map[string]string {
		t.Helper()
		if l.Status != http.StatusOK {
			t.Fatalf("event list: %s", l.Raw)
		}
		got := map[string]string{}
		for _, e := range l.events {
			if e.Decision != "warn" {
				t.Errorf("fail-open outage event %+v, want decision warn", e)
			}
			got[e.TenantID] += fmt.Sprint(e.Details["failures"])
		}
		return got
	}
	founder := failures(h.events(t, rec, "", "backend_unavailable"))
	if want := map[string]string{a.TenantID: "5", b.TenantID: "20"}; fmt.Sprint(founder) != fmt.Sprint(want) {
		t.Fatalf("founder sees failures by tenant %v, want %v", founder, want)
	}
	metrics := h.do(http.MethodGet, "/metrics", nil).Raw
	if !strings.Contains(metrics, "hoc_protection_backend_errors_total 26") {
		t.Fatal("backend errors not counted")
	}
	for _, tc := range []struct {
		f    tenantFixture
		want string
	}{{a, "5"}, {b, "20"}} {
		key := []string{"X-AOS-Key", h.newAPIKey(tc.f.TenantID, "protection:read")}
		own := failures(h.listEvents(tenantEventsPath, url.Values{"dimension": {"backend_unavailable"}}, key))
		if want := map[string]string{tc.f.TenantID: tc.want}; fmt.Sprint(own) != fmt.Sprint(want) {
			t.Errorf("tenant %s lists failures %v, want only its own %v", tc.f.TenantID, own, want)
		}
	}
}

// requireRedis fails the test when the local Redis is not there in CI (it is
// part of the machine), and skips it with a message elsewhere.
func requireRedis(t *testing.T) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second)
	if err == nil {
		testkit.Close(t, conn)
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI needs Redis at 127.0.0.1:6379: %v", err)
	}
	t.Skipf("no Redis at 127.0.0.1:6379: %v", err)
}
