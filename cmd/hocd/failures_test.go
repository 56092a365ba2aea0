package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/fx"

	accountengine "hoc/l5_engines/account"
	accountdb "hoc/l6_drivers/account"
	"hoc/l6_drivers/db"
)

// brokenStore fails the tenant reads and writes in the way a test chooses;
// the embedded port is nil, so any other method would panic (and fail).
type brokenStore struct {
	accountengine.Store
	fail func() error
}

func (b brokenStore) CreateTenant(context.Context, accountdb.TenantRow) (accountdb.TenantRow, error) {
	return accountdb.TenantRow{}, b.fail()
}
func (b brokenStore) GetTenant(context.Context, string) (accountdb.TenantRow, error) {
	return accountdb.TenantRow{}, b.fail()
}
func (b brokenStore) ListTenants(context.Context, int, int) ([]accountdb.TenantRow, int64, error) {
	return nil, 0, b.fail()
}

func withStore(fail func() error) fx.Option {
	return fx.Decorate(func(accountengine.Store) accountengine.Store { return brokenStore{fail: fail} })
}

// leaky is what must never reach a client: driver text, SQL, file paths.
const leaky = `ERROR: relation "tenants" does not exist (SQLSTATE 42P01) at /root/hoc/l6_drivers/account/tenants.go:42`

func TestFailures_NoInternalTextReachesTheClient(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		fail   func() error
		status int
		code   string
	}{
		{"query error", func() error { return errors.New(leaky) }, 500, "INTERNAL"},
		{"panic", func() error { panic(leaky) }, 500, "INTERNAL"},
		{"database down", func() error { return &db.UnavailableError{Err: errors.New(leaky)} }, 503, "UNAVAILABLE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, "sqlite", withStore(tc.fail))
			for i := 0; i < 2; i++ { // the process survives and answers again
				r := h.do(http.MethodGet, "/api/v1/fdr/tenants", nil, h.founder()...)
				r.expectError(t, tc.status, tc.code)
				for _, secret := range []string{"relation", "SQLSTATE", "/root", ".go", "panic"} {
					if strings.Contains(r.Raw, secret) {
						t.Fatalf("response leaks %q: %s", secret, r.Raw)
					}
				}
			}
		})
	}
}

func TestFailures_ClosedDatabaseIsUnavailableAndNotReady(t *testing.T) {
	t.Parallel()
	var d *db.DB
	h := newHarness(t, "sqlite", fx.Populate(&d))
	if r := h.do(http.MethodGet, "/ready", nil); r.Status != 200 {
		t.Fatalf("ready before: %d %s", r.Status, r.Raw)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if r := h.do(http.MethodGet, "/ready", nil); r.Status != 503 || strings.Contains(r.Raw, "closed") {
		t.Fatalf("ready after close: %d %s", r.Status, r.Raw)
	}
	h.do(http.MethodGet, "/api/v1/fdr/tenants", nil, h.founder()...).expectError(t, 503, "UNAVAILABLE")
	if r := h.do(http.MethodGet, "/health", nil); r.Status != 200 {
		t.Fatalf("health must not depend on the database: %d", r.Status)
	}
}
