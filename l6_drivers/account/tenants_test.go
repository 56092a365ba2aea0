package account_test

import (
	"context"
	"errors"
	"testing"

	"hoc/l6_drivers/account"
	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
)

func newTenant(name, slug string) account.TenantRow {
	return account.TenantRow{Name: name, Slug: slug, Plan: "free", LifecycleState: "ACTIVE", OnboardingState: 0}
}

// newStore is a tenant store on d.
func newStore(t *testing.T, d *db.DB) *account.Store {
	t.Helper()
	s, err := account.NewStore(d)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mustCreate creates a tenant or fails the test.
func mustCreate(t *testing.T, s *account.Store, row account.TenantRow) account.TenantRow {
	t.Helper()
	created, err := s.CreateTenant(context.Background(), row)
	if err != nil {
		t.Fatalf("create tenant %s: %v", row.Slug, err)
	}
	return created
}

func TestTenantStore_CreateThenGet(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newStore(t, d)
		ctx := context.Background()
		org := "org_123"
		in := newTenant("Acme", "acme")
		in.ExternalOrgID = &org
		created, err := s.CreateTenant(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if created.ID == "" || created.CreatedAt.IsZero() || created.CreatedAt.Location().String() != "UTC" {
			t.Fatalf("created = %+v", created)
		}
		got, err := s.GetTenant(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Acme" || got.Slug != "acme" || *got.ExternalOrgID != org || got.Plan != "free" ||
			got.LifecycleState != "ACTIVE" || got.OnboardingState != 0 || !got.CreatedAt.Equal(created.CreatedAt) {
			t.Fatalf("got = %+v, want %+v", got, created)
		}
	})
}

func TestTenantStore_GetUnknownIsNotFound(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newStore(t, d)
		_, err := s.GetTenant(context.Background(), "0193a8e0-0000-7000-8000-000000000001")
		if !errors.Is(err, account.ErrTenantNotFound) {
			t.Fatalf("err = %v, want ErrTenantNotFound", err)
		}
	})
}

func TestTenantStore_UniqueSlugAndExternalOrg(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newStore(t, d)
		ctx := context.Background()
		org := "org_1"
		first := newTenant("One", "one")
		first.ExternalOrgID = &org
		if _, err := s.CreateTenant(ctx, first); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateTenant(ctx, newTenant("Other", "one")); !errors.Is(err, account.ErrSlugTaken) {
			t.Fatalf("duplicate slug: err = %v", err)
		}
		second := newTenant("Two", "two")
		second.ExternalOrgID = &org
		if _, err := s.CreateTenant(ctx, second); !errors.Is(err, account.ErrExternalOrgTaken) {
			t.Fatalf("duplicate external org: err = %v", err)
		}
		// Two tenants without an external org id do not collide.
		if _, err := s.CreateTenant(ctx, newTenant("Three", "three")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateTenant(ctx, newTenant("Four", "four")); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTenantStore_DatabaseEnforcesStateDomains(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newStore(t, d)
		bad := []account.TenantRow{
			{Name: "x", Slug: "x", Plan: "gold", LifecycleState: "ACTIVE"},
			{Name: "x", Slug: "x", Plan: "free", LifecycleState: "PAUSED"},
			{Name: "x", Slug: "x", Plan: "free", LifecycleState: "ACTIVE", OnboardingState: 9},
			{Name: "x", Slug: "-x", Plan: "free", LifecycleState: "ACTIVE"},
			{Name: "x", Slug: "a--b", Plan: "free", LifecycleState: "ACTIVE"},
		}
		for _, row := range bad {
			if _, err := s.CreateTenant(context.Background(), row); err == nil {
				t.Errorf("row %+v was accepted", row)
			}
		}
	})
}

func TestTenantStore_ListPagesOldestFirstWithTotal(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newStore(t, d)
		ctx := context.Background()
		var ids []string
		for _, slug := range []string{"a", "b", "c"} {
			row, err := s.CreateTenant(ctx, newTenant(slug, slug))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, row.ID)
		}
		page, total, err := s.ListTenants(ctx, 2, 1)
		if err != nil {
			t.Fatal(err)
		}
		if total != 3 || len(page) != 2 || page[0].ID != ids[1] || page[1].ID != ids[2] {
			t.Fatalf("page = %+v total = %d", page, total)
		}
	})
}
