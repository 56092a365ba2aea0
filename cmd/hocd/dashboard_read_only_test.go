package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"hoc/l6_drivers/db"
	"hoc/testkit"
)

// TestDashboard_BrowserOffersAReadOnlyKeyNoWrites signs in with a key that
// may read integrations but not change them: the page lists them with
// their gauges, says which scope changes need, and offers no create form
// and no button that would only be refused.
func TestDashboard_BrowserOffersAReadOnlyKeyNoWrites(t *testing.T) {
	t.Parallel()
	requireChromium(t)
	cfg := testConfig(t, db.DialectSQLite)
	cfg.Addr = testkit.FreeAddr(t)
	h := newHarnessWithConfig(t, cfg)
	b := newBrowser(t)
	f := h.newTenant("Read Only Ltd")
	h.newIntegration(f.TenantID, "staging")
	key := h.newAPIKey(f.TenantID, "telemetry:read", "integrations:read", "protection:read")

	b.signIn("http://"+cfg.Addr, key)
	b.rerender("open integrations", "integrations", chromedp.Click(chromedp.CSS(`#nav a[href="#/integrations"]`)))
	var list []struct {
		ID string `json:"id"`
	}
	h.do(http.MethodGet, "/api/v1/integrations", nil, "X-AOS-Key", key).decode(t, &list)
	if got := b.texts("#integrations-list .card h3"); len(got) != len(list) || len(list) != 2 {
		t.Fatalf("cards %v, the API lists %d integrations", got, len(list))
	}
	if n := evalJS[int](b, `document.querySelectorAll("#integrations-list .card [data-gauge]").length`); n != 3*len(list) {
		t.Errorf("%d gauges for %d integrations", n, len(list))
	}
	if writes := b.texts(`#create-integration, #page-integrations [data-action]`); len(writes) != 0 {
		t.Errorf("a key without integrations:write is offered %q", writes)
	}
	if got := b.text("#integrations-read-only"); !strings.Contains(got, "integrations:write") {
		t.Errorf("the page does not say what changes need: %q", got)
	}
	b.checkAxe("the integrations of a read-only key")
	b.screenshot("integrations-read-only")
}
