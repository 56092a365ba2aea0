package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/fx"

	protectionengine "hoc/l5_engines/protection"
	"hoc/l6_drivers/db"
	"hoc/testkit"
)

// The dashboard (GET /dashboard, l2_api/dashboard/) is tested twice: its
// files as HTTP resources, and the page itself in Debian's chromium, driven
// through the DevTools protocol, against a real server on a loopback port.
// The browser checks compare what the page shows with what the API answers
// for the same question, so a page that computes or formats a figure wrong
// fails.

// chromiumPath is where Debian's chromium package puts the browser; .ci/run
// installs it when it is missing.
const chromiumPath = "/usr/bin/chromium"

// TestDashboard_ServedFromThisServerOnly: the page and every asset it
// names are served here under a policy that allows this origin only; the
// asset set, the files in l2_api/dashboard/ and the asset enum of
// openapi.json are the same set; and anything else is the API's NOT_FOUND.
func TestDashboard_ServedFromThisServerOnly(t *testing.T) {
	t.Parallel()
	h := newHarness(t, db.DialectSQLite)

	page := h.do(http.MethodGet, "/dashboard", nil)
	if page.Status != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /dashboard = %d %q", page.Status, page.Header.Get("Content-Type"))
	}
	checkDashboardPolicy(t, "/dashboard", page.Header.Get("Content-Security-Policy"))

	// Every file of the folder but the page is an asset, and is documented.
	entries, err := os.ReadDir("../../l2_api/dashboard")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if e.Name() != "index.html" {
			files = append(files, e.Name())
		}
	}
	documented := dashboardAssetEnum(t, h)
	slices.Sort(files)
	if !slices.Equal(files, documented) {
		t.Fatalf("l2_api/dashboard holds %v\nopenapi.json documents %v", files, documented)
	}

	// What the page and its modules load is among those assets.
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page.Raw, -1)
	if len(refs) < 4 {
		t.Fatalf("the page names %d resources: %s", len(refs), page.Raw)
	}
	for _, ref := range refs {
		name, ok := strings.CutPrefix(ref[1], "/dashboard/")
		if ref[1] != "data:," && (!ok || !slices.Contains(files, name)) && !strings.HasPrefix(ref[1], "#/") {
			t.Errorf("the page loads %q, which is not one of this server's dashboard assets", ref[1])
		}
	}
	imports := regexp.MustCompile(`(?m)^import .* from "\./([^"]+)";$`)
	for _, name := range files {
		r := h.do(http.MethodGet, "/dashboard/"+name, nil)
		ct := r.Header.Get("Content-Type")
		if r.Status != http.StatusOK || len(r.Raw) == 0 || !strings.Contains(ct, "charset=utf-8") {
			t.Errorf("GET /dashboard/%s = %d %q, %d bytes", name, r.Status, ct, len(r.Raw))
		}
		if strings.HasSuffix(name, ".js") != strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("GET /dashboard/%s has type %q", name, ct)
		}
		checkDashboardPolicy(t, "/dashboard/"+name, r.Header.Get("Content-Security-Policy"))
		for _, m := range imports.FindAllStringSubmatch(r.Raw, -1) {
			if !slices.Contains(files, m[1]) {
				t.Errorf("%s imports %s, which is not served", name, m[1])
			}
		}
		for _, u := range regexp.MustCompile(`url\(\s*["']?([^"')]*)`).FindAllStringSubmatch(r.Raw, -1) {
			if strings.HasSuffix(name, ".css") && !strings.HasPrefix(u[1], "data:") {
				t.Errorf("%s loads %q", name, u[1])
			}
		}
	}
	if r := h.do(http.MethodGet, "/dashboard/uPlot.LICENSE", nil); !strings.Contains(r.Raw, "The MIT License") {
		t.Errorf("uPlot's licence is not served: %.200s", r.Raw)
	}
	for _, path := range []string{"/dashboard/index.js", "/dashboard/index.html", "/dashboard/dashboard.go"} {
		h.do(http.MethodGet, path, nil).expectError(t, http.StatusNotFound, "NOT_FOUND")
	}
}

// checkDashboardPolicy fails unless the policy lets the page use this
// origin only, and never inline or evaluated script.
func checkDashboardPolicy(t *testing.T, path, policy string) {
	t.Helper()
	if !strings.HasPrefix(policy, "default-src 'none';") || !strings.Contains(policy, "script-src 'self';") ||
		!strings.Contains(policy, "connect-src 'self'") {
		t.Errorf("%s: policy %q", path, policy)
	}
	for _, directive := range strings.Split(policy, ";") {
		for _, source := range strings.Fields(directive)[1:] {
			if !slices.Contains([]string{"'self'", "'none'", "'unsafe-inline'", "data:"}, source) {
				t.Errorf("%s: directive %q allows %s", path, strings.TrimSpace(directive), source)
			}
		}
	}
}

func dashboardAssetEnum(t *testing.T, h *harness) []string {
	t.Helper()
	var doc struct {
		Paths map[string]struct {
			Get struct {
				Parameters []struct {
					Schema struct {
						Enum []string `json:"enum"`
					} `json:"schema"`
				} `json:"parameters"`
			} `json:"get"`
		} `json:"paths"`
	}
	if err := json.Unmarshal([]byte(h.do(http.MethodGet, "/openapi.json", nil).Raw), &doc); err != nil {
		t.Fatal(err)
	}
	params := doc.Paths["/dashboard/{asset}"].Get.Parameters
	if len(params) != 1 {
		t.Fatalf("/dashboard/{asset} has %d parameters", len(params))
	}
	enum := slices.Clone(params[0].Schema.Enum)
	slices.Sort(enum)
	return enum
}

// dashboardSeed is a tenant with two integrations, 30 records over seven
// days and three models, five protection events (three of them one burst)
// by two keys, and a key for every page.
type dashboardSeed struct {
	tenantID, tenantName, prodID, stagingID, key string
	errorCall                                    string
	errorMeta                                    map[string]any
}

func seedDashboard(t *testing.T, h *harness, rec *protectionengine.Recorder) dashboardSeed {
	t.Helper()
	f := h.newTenant("Dashboard Robotics")
	s := dashboardSeed{tenantID: f.TenantID, tenantName: "Dashboard Robotics", prodID: f.IntegrationID, errorCall: "dash-error",
		errorMeta: map[string]any{"route": "/chat", "attempt": float64(2), "tags": []any{"a", "b"}}}
	var stagingKey string
	s.stagingID, stagingKey = h.newIntegration(f.TenantID, "staging")
	// Past days' records are at their noon, today's between midnight and
	// now, so that which UTC day each falls on does not depend on the hour
	// the test runs.
	now := time.Now().UTC()
	midnight := now.Truncate(24 * time.Hour)
	at := func(daysAgo, minutes int) string {
		t := midnight.Add(-time.Duration(daysAgo)*24*time.Hour + 12*time.Hour - time.Duration(minutes)*time.Minute)
		if daysAgo == 0 {
			t = midnight.Add(now.Sub(midnight) * time.Duration(60-minutes) / 60)
		}
		return t.Format(time.RFC3339Nano)
	}
	var prod []any
	for i := range 26 {
		prod = append(prod, usage(fmt.Sprintf("dash-prod-%02d", i), func(m map[string]any) {
			m["model"] = []string{"gpt-4o", "gpt-4o-mini"}[i%2]
			m["tokens_in"], m["tokens_out"], m["cost_cents"], m["latency_ms"] = 100+i*10, 20+i, 2+i%5, 100+i*7
			m["occurred_at"] = at(1+i%6, i)
		}))
	}
	// The newest record failed, and its message is markup that must stay
	// text. Today's cost stays under the free plan's daily allowance (33
	// cents), over which protection would refuse the page's writes.
	prod = append(prod, usage(s.errorCall, func(m map[string]any) {
		m["error_code"], m["error_message"], m["metadata"] = "rate_limit", "upstream said <b>slow down</b>", s.errorMeta
		m["cost_cents"], m["occurred_at"] = 0, now.Format(time.RFC3339Nano)
	}))
	if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": prod}, f.integrationKeyHeader()...); r.Status != 200 {
		t.Fatalf("seed prod: %s", r.Raw)
	}
	var staging []any
	for i := range 3 {
		staging = append(staging, usage(fmt.Sprintf("dash-staging-%d", i), func(m map[string]any) {
			m["provider"], m["model"], m["tokens_in"], m["tokens_out"], m["cost_cents"] = "anthropic", "claude-sonnet", 300, 80, 9+i
			m["policy_result"], m["occurred_at"] = []string{"allowed", "blocked", "warned"}[i], at(i, 30)
		}))
	}
	if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": staging}, "X-CUS-Integration-Key", stagingKey); r.Status != 200 {
		t.Fatalf("seed staging: %s", r.Raw)
	}
	// Actors are key ids, as protection records them; the burst's three
	// refusals differ only in their time and retry_after_ms.
	reader, sdk := newEventID(t), newEventID(t)
	burst := func(retry int) protectionengine.Event {
		return protectionengine.Event{Endpoint: "/api/v1/telemetry/llm-usage/batch", Method: "POST", Decision: "throttle", Dimension: "burst",
			ActorID: sdk, Details: map[string]any{"limit": 20, "retry_after_ms": retry}}
	}
	for i, e := range []protectionengine.Event{
		{Endpoint: "/api/v1/telemetry/usage-summary", Method: "GET", Decision: "reject", Dimension: "rate", ActorID: reader,
			Details: map[string]any{"limit": 1000, "retry_after_ms": 812}},
		{Endpoint: "/api/v1/telemetry/llm-usage", Method: "POST", Decision: "warn", Dimension: "cost", ActorID: sdk,
			Details: map[string]any{"limit": "daily_budget", "current_value": 0.41, "allowed_value": 0.33}},
		burst(910), burst(120), burst(340),
	} {
		e.ID, e.TenantID, e.OccurredAt = newEventID(t), f.TenantID, now.Add(time.Duration(i-10)*time.Minute)
		e.ActorType = "machine"
		rec.Record(e)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if r := h.do(http.MethodPost, "/api/v1/fdr/tenants/"+f.TenantID+"/onboarding",
		map[string]any{"target_state": "COMPLETE", "reason": "dashboard test"}, h.founder()...); r.Status != 200 {
		t.Fatalf("onboarding: %s", r.Raw)
	}
	s.key = h.newAPIKey(f.TenantID, "telemetry:read", "integrations:read", "integrations:write", "protection:read")
	// A budget, so that the budget gauge has a percentage to show.
	if r := h.do(http.MethodPatch, "/api/v1/integrations/"+s.prodID, map[string]any{"budget_limit_cents": 10000}, "X-AOS-Key", s.key); r.Status != 200 {
		t.Fatalf("set budget: %s", r.Raw)
	}
	return s
}

// TestDashboard_BrowserShowsTheAPIsFiguresAndManagesIntegrations signs in
// with an API key through the form, opens every page, compares what each
// shows with the API's answer to the same request, and creates an
// integration and rotates its key through the page.
func TestDashboard_BrowserShowsTheAPIsFiguresAndManagesIntegrations(t *testing.T) {
	t.Parallel()
	requireChromium(t)
	cfg := testConfig(t, db.DialectSQLite)
	cfg.Addr = testkit.FreeAddr(t)
	var rec *protectionengine.Recorder
	h := newHarnessWithConfig(t, cfg, fx.Populate(&rec))
	b := newBrowser(t)
	base := "http://" + cfg.Addr
	seed := seedDashboard(t, h, rec)
	key := []string{"X-AOS-Key", seed.key}

	b.signIn(base, seed.key)
	var session sessionOut
	h.do(http.MethodGet, "/api/v1/session/context", nil, key...).decode(t, &session)
	if session.TenantName == nil || *session.TenantName != seed.tenantName {
		t.Fatalf("session context names the tenant %v, want %q", session.TenantName, seed.tenantName)
	}
	if got := b.text("#session-tenant"); got != *session.TenantName {
		t.Errorf("header tenant = %q, want its name %q", got, *session.TenantName)
	}
	if got := b.text("#session-actor"); got != "machine" {
		t.Errorf("header actor = %q", got)
	}
	if n := evalJS[int](b, `document.querySelectorAll("#banners .banner").length`); n != 0 {
		t.Errorf("an ACTIVE, onboarded tenant shows %d banners: %v", n, b.texts("#banners .banner"))
	}

	// The subtests share the one tab and its sign-in, so they run in order;
	// b.t is the running subtest's, so that a failure is reported there.
	t.Run("overview", func(t *testing.T) {
		b.t = t
		checkOverview(t, b, h, key)
		b.checkAxe("the overview")
		b.screenshot("overview")
		// The same page on a phone: nothing wider than the screen.
		b.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		b.rerender("re-render on a phone", "overview", chromedp.Evaluate[chromedp.Void](`window.dispatchEvent(new HashChangeEvent("hashchange"))`))
		if w := evalJS[[]int](b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); w[0] > w[1] {
			t.Errorf("on a 390 px screen the page is %d px wide", w[0])
		}
		b.checkAxe("the overview on a phone")
		b.screenshot("overview-phone")
		b.do("laptop viewport", chromedp.EmulateViewport(1280, 900))

		// A narrower range shows that range's figures.
		start, end := day(time.Now().AddDate(0, 0, -1)), day(time.Now())
		b.rerender("apply a two-day range", "overview", chromedp.Steps(
			chromedp.SetValue(chromedp.CSS("#range-start"), start),
			chromedp.SetValue(chromedp.CSS("#range-end"), end),
			chromedp.Click(chromedp.CSS("#range-apply"))))
		var narrow summaryOut
		h.do(http.MethodGet, "/api/v1/telemetry/usage-summary?start_date="+start+"&end_date="+end, nil, key...).decode(t, &narrow)
		var wide summaryOut
		h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, key...).decode(t, &wide)
		if narrow.TotalCalls == wide.TotalCalls {
			t.Fatalf("the seed puts every call in the last two days; the range check could not fail")
		}
		if got := b.text("#stat-calls"); got != shownCount(narrow.TotalCalls) {
			t.Errorf("two-day calls = %q, want %s", got, shownCount(narrow.TotalCalls))
		}
		if got := b.text("#stat-cost"); got != shownUSD(narrow.TotalCostCents) {
			t.Errorf("two-day cost = %q, want %s", got, shownUSD(narrow.TotalCostCents))
		}
		b.rerender("back to 30 days", "overview", chromedp.Steps(
			chromedp.SetValue(chromedp.CSS("#range-start"), day(time.Now().AddDate(0, 0, -29))),
			chromedp.Click(chromedp.CSS("#range-apply"))))
	})

	t.Run("breakdowns", func(t *testing.T) {
		b.t = t
		b.rerender("open breakdowns", "breakdowns", chromedp.Click(chromedp.CSS(`#nav a[href="#/breakdowns"]`)))
		checkBreakdowns(t, b, h, key)
		b.checkAxe("the breakdowns")
		b.screenshot("breakdowns")
	})

	t.Run("calls", func(t *testing.T) {
		b.t = t
		b.rerender("open calls", "calls", chromedp.Click(chromedp.CSS(`#nav a[href="#/calls"]`)))
		checkCalls(t, b, h, key, seed)
		b.checkAxe("the calls")
		b.screenshot("calls")
		checkCallsRange(t, b, h, key)
	})

	t.Run("integrations", func(t *testing.T) {
		b.t = t
		b.rerender("open integrations", "integrations", chromedp.Click(chromedp.CSS(`#nav a[href="#/integrations"]`)))
		checkIntegrations(t, b, h, key, seed)
	})

	t.Run("protection", func(t *testing.T) {
		b.t = t
		b.rerender("open protection", "protection", chromedp.Click(chromedp.CSS(`#nav a[href="#/protection"]`)))
		checkProtectionPage(t, b, h, key)
		b.checkAxe("the protection events")
		b.screenshot("protection")
		// On a phone the table scrolls sideways, by keyboard too.
		b.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		b.rerender("re-render on a phone", "protection", chromedp.Evaluate[chromedp.Void](`window.dispatchEvent(new HashChangeEvent("hashchange"))`))
		if w := evalJS[[]int](b, `(() => { const e = document.querySelector("#page-protection .table-wrap"); return [e.scrollWidth, e.clientWidth]; })()`); w[0] <= w[1] {
			t.Errorf("on a phone the events table (%d px) does not scroll in its %d px box: the checks below prove nothing", w[0], w[1])
		}
		checkDetailsWidth(t, b)
		b.checkAxe("the protection events on a phone")
		b.screenshot("protection-phone")
		b.do("laptop viewport", chromedp.EmulateViewport(1280, 900))
		b.rerender("re-render on a laptop", "protection", chromedp.Evaluate[chromedp.Void](`window.dispatchEvent(new HashChangeEvent("hashchange"))`))
		b.rerender("filter by dimension", "protection", b.choose("#protection-dimension", "cost"))
		rows := b.texts("#page-protection tbody tr td:nth-child(2)")
		if len(rows) != 1 || rows[0] != "cost" {
			t.Errorf("cost events: %v", rows)
		}
	})

	b.t = t
	b.do("sign out", chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#credential")))
	stored := evalJS[[]string](b, `[String(sessionStorage.getItem("hoc.credential")), String(localStorage.length), document.cookie]`)
	if !slices.Equal(stored, []string{"null", "0", ""}) {
		t.Errorf("after sign out the browser keeps [sessionStorage, localStorage entries, cookies] = %q", stored)
	}
	if n := evalJS[int](b, `document.querySelectorAll("#view .page").length`); n != 0 {
		t.Errorf("after sign out %d pages are still shown", n)
	}
}

func checkOverview(t *testing.T, b *browser, h *harness, key []string) {
	start, end := evalJS[string](b, `document.querySelector("#range-start").value`), evalJS[string](b, `document.querySelector("#range-end").value`)
	var s summaryOut
	h.do(http.MethodGet, "/api/v1/telemetry/usage-summary?start_date="+start+"&end_date="+end, nil, key...).decode(t, &s)
	if s.TotalCalls != 30 {
		t.Fatalf("the seed's calls are not all in the default range: %+v", s.totals)
	}
	latency := "—"
	if s.AvgLatencyMS != nil {
		latency = shownCount(*s.AvgLatencyMS) + " ms"
	}
	for id, want := range map[string]string{
		"calls": shownCount(s.TotalCalls), "tokens-in": shownCount(s.TotalTokensIn), "tokens-out": shownCount(s.TotalTokensOut),
		"cost": shownUSD(s.TotalCostCents), "errors": shownCount(s.ErrorCount), "blocked": shownCount(s.BlockedCount), "latency": latency,
	} {
		if got := b.text("#stat-" + id); got != want {
			t.Errorf("overview %s = %q, want %q", id, got, want)
		}
	}
	// uPlot drew the chart, and the table under it holds the same series.
	if n := evalJS[int](b, `document.querySelectorAll("#chart .uplot canvas").length`); n == 0 {
		t.Error("no chart was drawn")
	}
	var daily []dailyOut
	h.do(http.MethodGet, "/api/v1/telemetry/daily-aggregates?start_date="+start+"&end_date="+end, nil, key...).decode(t, &daily)
	want := map[string][2]int64{}
	for _, r := range daily {
		d := want[r.Date]
		want[r.Date] = [2]int64{d[0] + r.TotalCalls, d[1] + r.TotalCostCents}
	}
	rows := evalJS[[][]string](b, `[...document.querySelectorAll("details.daily tbody tr")].map((tr) => [...tr.cells].map((c) => c.textContent))`)
	if len(rows) != 30 {
		t.Errorf("%d days in the daily table, want the 30 of the range", len(rows))
	}
	shown := 0
	for _, r := range rows {
		w := want[r[0]]
		if r[1] != shownCount(w[0]) || r[2] != shownUSD(w[1]) {
			t.Errorf("day %s shows %s calls %s, the API %d calls %s", r[0], r[1], r[2], w[0], shownUSD(w[1]))
		}
		if w[0] > 0 {
			shown++
		}
	}
	if shown != len(want) || shown != 7 {
		t.Errorf("%d days with calls shown, the API has %d", shown, len(want))
	}
	if evalJS[int](b, `document.querySelectorAll("#first-record").length`) != 0 {
		t.Error("a tenant with telemetry is shown the first-record help")
	}
}

func checkBreakdowns(t *testing.T, b *browser, h *harness, key []string) {
	var s summaryOut
	h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, key...).decode(t, &s)
	rows := evalJS[[][]string](b, `[...document.querySelectorAll("#by-integration tbody tr")].map((tr) => [...tr.cells].map((c) => c.textContent))`)
	if len(rows) != len(s.ByIntegration) || len(rows) != 2 {
		t.Fatalf("%d integration rows, the API has %d", len(rows), len(s.ByIntegration))
	}
	for _, want := range s.ByIntegration {
		i := slices.IndexFunc(rows, func(r []string) bool { return r[0] == want.IntegrationName })
		if i < 0 {
			t.Errorf("integration %s is not shown: %v", want.IntegrationName, rows)
			continue
		}
		r := rows[i]
		if r[2] != shownCount(want.TotalCalls) || r[3] != shownCount(want.TotalTokens) || r[4] != shownUSD(want.TotalCostCents) {
			t.Errorf("%s shows %v, the API %+v", want.IntegrationName, r, want)
		}
		checkShare(t, r[5], want.TotalCostCents, s.TotalCostCents)
	}
	if rows[0][0] != "prod" {
		t.Errorf("the costliest integration (prod) is not first: %v", rows)
	}
	models := evalJS[[][]string](b, `[...document.querySelectorAll("#by-model tbody tr")].map((tr) => [...tr.cells].map((c) => c.textContent))`)
	if len(models) != len(s.ByModel) || len(models) != 3 {
		t.Fatalf("%d model rows, the API has %d", len(models), len(s.ByModel))
	}
	for _, want := range s.ByModel {
		i := slices.IndexFunc(models, func(r []string) bool { return r[1] == want.Model })
		if i < 0 || models[i][2] != shownCount(want.TotalCalls) || models[i][5] != shownUSD(want.TotalCostCents) {
			t.Errorf("model %s: shown %v, the API %+v", want.Model, models, want)
			continue
		}
		checkShare(t, models[i][6], want.TotalCostCents, s.TotalCostCents)
	}
	// Sorting by model name, with the keyboard's button.
	b.do("sort by model", chromedp.Click(chromedp.CSS(`#by-model th:nth-child(2) button`)))
	names := b.texts("#by-model tbody td:nth-child(2)")
	if !slices.IsSorted(names) || len(names) != 3 {
		t.Errorf("sorted by model: %v", names)
	}
	if got := evalJS[string](b, `document.querySelector("#by-model th:nth-child(2)").getAttribute("aria-sort")`); got != "ascending" {
		t.Errorf("aria-sort = %q", got)
	}
}

// checkShare compares a shown percentage with part/whole to its one decimal.
func checkShare(t *testing.T, shown string, part, whole int64) {
	t.Helper()
	v, err := strconv.ParseFloat(strings.TrimSuffix(shown, "%"), 64)
	if want := float64(part) * 100 / float64(whole); err != nil || !strings.HasSuffix(shown, "%") || v < want-0.051 || v > want+0.051 {
		t.Errorf("share %q, want %.2f%%", shown, float64(part)*100/float64(whole))
	}
}

func checkCalls(t *testing.T, b *browser, h *harness, key []string, seed dashboardSeed) {
	first := h.do(http.MethodGet, "/api/v1/telemetry/usage-history?limit=25", nil, key...)
	var page1 []struct {
		CallID    string  `json:"call_id"`
		CostCents int64   `json:"cost_cents"`
		ErrorCode *string `json:"error_code"`
	}
	first.decode(t, &page1)
	var want []string
	for _, r := range page1 {
		want = append(want, r.CallID)
	}
	if got := shownCallIDs(b); !slices.Equal(got, want) || len(got) != 25 {
		t.Errorf("page 1 shows %v\nthe API %v", got, want)
	}
	if got := b.text("#calls-count"); !strings.Contains(got, "of "+shownCount(*first.Meta.Total)+" records") {
		t.Errorf("count line %q, total %d", got, *first.Meta.Total)
	}
	if got := b.text("#calls-table tbody tr:nth-child(2) td:nth-child(6)"); got != shownUSD(page1[1].CostCents) {
		t.Errorf("second row cost %q, want %s", got, shownUSD(page1[1].CostCents))
	}
	if heads := b.texts("#calls-table thead th"); slices.Contains(heads, "") {
		t.Errorf("the calls table has a header cell without a name: %q", heads)
	}

	// The newest record's detail: the error and the metadata, as text.
	if want[0] != seed.errorCall {
		t.Fatalf("the newest record is %s, not the seeded error", want[0])
	}
	b.do("open a record", chromedp.Click(chromedp.CSS(`#calls-table tbody tr:first-child button`)), chromedp.WaitVisible(chromedp.CSS("#detail-metadata")))
	if got := b.text("#detail-error"); !strings.Contains(got, "rate_limit") || !strings.Contains(got, "upstream said <b>slow down</b>") {
		t.Errorf("detail error %q", got)
	}
	if n := evalJS[int](b, `document.querySelectorAll("#call-detail b").length`); n != 0 {
		t.Error("the record's error message was rendered as HTML")
	}
	var meta map[string]any
	if err := json.Unmarshal([]byte(b.text("#detail-metadata")), &meta); err != nil || fmt.Sprint(meta) != fmt.Sprint(seed.errorMeta) {
		t.Errorf("metadata shown %v (%v), want %v", meta, err, seed.errorMeta)
	}
	if !strings.Contains(b.text("#detail-metadata"), "\n  \"attempt\": 2,") {
		t.Errorf("metadata is not pretty-printed: %q", b.text("#detail-metadata"))
	}
	b.checkAxe("a call's detail")
	b.screenshot("call-detail")
	b.do("back to the list", chromedp.Click(chromedp.CSS("#detail-back")), chromedp.WaitVisible(chromedp.CSS("#calls-table")))
	checkCallWithoutError(t, b, page1[1].CallID, page1[1].ErrorCode)

	// The next page is the API's page behind meta.next_cursor.
	var page2 []struct {
		CallID string `json:"call_id"`
	}
	h.do(http.MethodGet, "/api/v1/telemetry/usage-history?limit=25&cursor="+first.Meta.NextCursor, nil, key...).decode(t, &page2)
	b.rerender("next page", "calls", chromedp.Click(chromedp.CSS("#calls-next")))
	want = want[:0]
	for _, r := range page2 {
		want = append(want, r.CallID)
	}
	if got := shownCallIDs(b); !slices.Equal(got, want) || len(got) != 5 {
		t.Errorf("page 2 shows %v\nthe API %v", got, want)
	}
	if evalJS[bool](b, `document.querySelector("#calls-next").disabled`) != true {
		t.Error("the last page offers a next page")
	}

	// Filtering by integration starts again at its first page.
	b.rerender("filter by staging", "calls", b.choose("#calls-integration", seed.stagingID))
	got := shownCallIDs(b)
	slices.Sort(got)
	if !slices.Equal(got, []string{"dash-staging-0", "dash-staging-1", "dash-staging-2"}) {
		t.Errorf("staging's calls: %v", got)
	}
	b.rerender("clear the filter", "calls", b.choose("#calls-integration", ""))
}

func checkIntegrations(t *testing.T, b *browser, h *harness, key []string, seed dashboardSeed) {
	var list []struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Status string `json:"status"`
	}
	h.do(http.MethodGet, "/api/v1/integrations", nil, key...).decode(t, &list)
	if got := b.texts("#integrations-list .card h3"); len(got) != len(list) || len(got) != 2 {
		t.Fatalf("cards %v, the API has %d integrations", got, len(list))
	}
	var limits struct {
		BudgetUsedCents  int64   `json:"budget_used_cents"`
		BudgetLimitCents int64   `json:"budget_limit_cents"`
		BudgetPercent    float64 `json:"budget_percent"`
		TokensUsedMonth  int64   `json:"tokens_used_month"`
	}
	h.do(http.MethodGet, "/api/v1/integrations/"+seed.prodID+"/limits", nil, key...).decode(t, &limits)
	prod := `#integrations-list .card[data-id="` + seed.prodID + `"] `
	wantBudget := fmt.Sprintf("%s of %s · %.2f%%", shownUSD(limits.BudgetUsedCents), shownUSD(limits.BudgetLimitCents), limits.BudgetPercent)
	if got := b.text(prod + `[data-gauge="budget"] .gauge-value`); got != wantBudget || limits.BudgetPercent == 0 {
		t.Errorf("prod budget gauge %q, want %q", got, wantBudget)
	}
	if got := b.text(prod + `[data-gauge="tokens"] .gauge-value`); got != shownCount(limits.TokensUsedMonth)+" · no limit" {
		t.Errorf("prod token gauge %q, want %s used", got, shownCount(limits.TokensUsedMonth))
	}

	// Budgets are shown and entered in dollars, and sent in cents. The
	// field is found by its name's start, whatever its unit.
	const budgetInput = `input[name^="budget"]`
	b.do("edit prod's limits", chromedp.Click(chromedp.CSS(prod+`[data-action="edit-limits"]`)),
		chromedp.WaitVisible(chromedp.CSS(prod+budgetInput)))
	if got := evalJS[string](b, `document.querySelector(`+strconv.Quote(prod+budgetInput)+`).value`); got != fmt.Sprintf("%d.%02d", limits.BudgetLimitCents/100, limits.BudgetLimitCents%100) {
		t.Errorf("prod's budget of %d cents is offered for editing as %q dollars", limits.BudgetLimitCents, got)
	}
	b.do("cancel", chromedp.Click(chromedp.CSS(prod+`[data-form="limits"] button.secondary`)),
		chromedp.WaitNotPresent(chromedp.CSS(prod+`[data-form="limits"]`)))

	// Create one: the key is shown once and works.
	b.do("create an integration",
		chromedp.SendKeys(chromedp.CSS("#new-name"), "ui-created"),
		chromedp.SetValue(chromedp.CSS("#new-provider"), "anthropic"),
		chromedp.SetValue(chromedp.CSS(`#create-integration `+budgetInput), "12.34"),
		chromedp.Click(chromedp.CSS("#create-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#new-key`)),
		chromedp.WaitVisible(chromedp.CSS(`#integrations-list .card[data-name="ui-created"] [data-gauge="budget"]`)))
	created := evalJS[string](b, `document.querySelector("#new-key").value`)
	h.do(http.MethodGet, "/api/v1/integrations", nil, key...).decode(t, &list)
	i := slices.IndexFunc(list, func(x struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Status string `json:"status"`
	}) bool {
		return x.Name == "ui-created"
	})
	if i < 0 {
		t.Fatalf("the API does not list the integration created in the page: %v", list)
	}
	id := list[i].ID
	if !strings.HasPrefix(created, seed.tenantID+":"+id+":") {
		t.Fatalf("shown key %q is not this integration's", created)
	}
	if r := h.do(http.MethodGet, "/api/v1/session/context", nil, "X-CUS-Integration-Key", created); r.Status != 200 {
		t.Fatalf("the created key does not authenticate: %s", r.Raw)
	}
	var made struct {
		BudgetLimitCents int64 `json:"budget_limit_cents"`
	}
	h.do(http.MethodGet, "/api/v1/integrations/"+id, nil, key...).decode(t, &made)
	if made.BudgetLimitCents != 1234 {
		t.Errorf("a budget entered as 12.34 dollars is %d cents", made.BudgetLimitCents)
	}
	b.checkAxe("the integrations with a new key")
	b.screenshot("integrations")
	b.do("dismiss the key", chromedp.Click(chromedp.CSS("#new-key-done")), chromedp.WaitNotPresent(chromedp.CSS("#new-key")))

	// Rotate it: a new key, and the old one no longer authenticates.
	card := `#integrations-list .card[data-id="` + id + `"] `
	b.do("rotate the key",
		chromedp.Click(chromedp.CSS(card+`[data-action="rotate"]`)),
		chromedp.Click(chromedp.CSS(card+`[data-action="rotate-confirm"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-key`)))
	rotated := evalJS[string](b, `document.querySelector("#new-key").value`)
	if rotated == created || !strings.HasPrefix(rotated, seed.tenantID+":"+id+":") {
		t.Fatalf("rotated key %q (was %q)", rotated, created)
	}
	h.do(http.MethodGet, "/api/v1/session/context", nil, "X-CUS-Integration-Key", created).expectError(t, http.StatusUnauthorized, "INVALID_CREDENTIALS")
	if r := h.do(http.MethodGet, "/api/v1/session/context", nil, "X-CUS-Integration-Key", rotated); r.Status != 200 {
		t.Errorf("the rotated key does not authenticate: %s", r.Raw)
	}

	// Change its limits, then disable it.
	b.do("edit limits",
		chromedp.Click(chromedp.CSS(card+`[data-action="edit-limits"]`)),
		chromedp.SetValue(chromedp.CSS(`[id="edit-`+id+`-rate_limit_rpm"]`), "120"),
		chromedp.SetValue(chromedp.CSS(card+budgetInput), "25"),
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll(".page").forEach((p) => { p.dataset.old = "1"; })`),
		chromedp.Click(chromedp.CSS(card+`[data-action="save-limits"]`)),
		chromedp.WaitVisible(chromedp.CSS(card+`[data-gauge="rate"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(card+`[data-action="save-limits"]`)))
	var one struct {
		Status           string `json:"status"`
		RateLimitRPM     int    `json:"rate_limit_rpm"`
		BudgetLimitCents int    `json:"budget_limit_cents"`
	}
	h.do(http.MethodGet, "/api/v1/integrations/"+id, nil, key...).decode(t, &one)
	if one.RateLimitRPM != 120 || one.BudgetLimitCents != 2500 {
		t.Errorf("after editing the limits the API has %+v", one)
	}
	b.do("disable", chromedp.Click(chromedp.CSS(card+`[data-action="disable"]`)), chromedp.WaitVisible(chromedp.CSS(card+`[data-action="enable"]`)))
	h.do(http.MethodGet, "/api/v1/integrations/"+id, nil, key...).decode(t, &one)
	if one.Status != "disabled" {
		t.Errorf("after disabling the API says %q", one.Status)
	}
}

// TestDashboard_BrowserExplainsMissingScopesAndSuspension signs in with a
// telemetry:read key of a suspended tenant that has sent nothing: the
// banner says SUSPENDED, the overview shows how to send a first record, and
// the pages the key may not read name the scope they need.
func TestDashboard_BrowserExplainsMissingScopesAndSuspension(t *testing.T) {
	t.Parallel()
	requireChromium(t)
	cfg := testConfig(t, db.DialectSQLite)
	cfg.Addr = testkit.FreeAddr(t)
	h := newHarnessWithConfig(t, cfg)
	b := newBrowser(t)
	base := "http://" + cfg.Addr
	f := h.newTenant("Sleepy Co")
	if r := h.lifecycle(f.TenantID, "suspend"); r.Status != 200 {
		t.Fatalf("suspend: %s", r.Raw)
	}

	// A refused credential: the form shows the server's own message.
	bad := h.do(http.MethodGet, "/api/v1/session/context", nil, "X-AOS-Key", "aos_not-a-key")
	bad.expectError(t, http.StatusUnauthorized, "INVALID_CREDENTIALS")
	b.do("sign in with a bad key",
		chromedp.Navigate(base+"/dashboard"),
		chromedp.WaitVisible(chromedp.CSS("#credential")),
		chromedp.SendKeys(chromedp.CSS("#credential"), "aos_not-a-key"),
		chromedp.Click(chromedp.CSS(`#signin-form button[type="submit"]`)),
		voidAction(chromedp.Poll[bool](`(() => { const e = document.querySelector("#signin-error").textContent; return e !== "" && e !== "Signing in…"; })()`)))
	if got := b.text("#signin-error"); got != bad.Error.Message {
		t.Errorf("sign-in error %q, want the server's %q", got, bad.Error.Message)
	}
	if got := evalJS[string](b, `String(sessionStorage.getItem("hoc.credential"))`); got != "null" {
		t.Errorf("a refused credential was stored: %q", got)
	}
	b.checkAxe("the sign-in form with an error")

	b.do("clear the field", chromedp.Evaluate[chromedp.Void](`document.querySelector("#credential").value = ""`))
	b.signIn(base, f.ReadKey)
	if got := b.text("#banner-lifecycle"); !strings.Contains(got, "SUSPENDED") {
		t.Errorf("lifecycle banner %q", got)
	}
	if got := b.text("#session-lifecycle"); got != "SUSPENDED" {
		t.Errorf("header lifecycle %q", got)
	}
	curl := b.text("#first-record-curl")
	if !strings.Contains(curl, base+"/api/v1/telemetry/llm-usage") || !strings.Contains(curl, "KEY='"+f.TenantID+":<integration_id>:") ||
		!strings.Contains(curl, `-H "X-CUS-Integration-Key: $KEY"`) {
		t.Errorf("first-record help:\n%s", curl)
	}
	b.checkAxe("a suspended tenant's empty overview")
	b.screenshot("suspended-new-tenant")

	for page, scope := range map[string]string{"integrations": "integrations:read", "protection": "protection:read"} {
		b.rerender("open "+page, page, chromedp.Click(chromedp.CSS(`#nav a[href="#/`+page+`"]`)))
		if got := b.text("#page-" + page + " .scope-missing"); !strings.Contains(got, scope) {
			t.Errorf("%s without %s says %q", page, scope, got)
		}
		b.checkAxe(page + " without " + scope)
	}
	b.screenshot("missing-scope")
}
