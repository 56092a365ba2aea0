package integrations_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"hoc/l6_drivers/db/dbtest"
	"hoc/l6_drivers/integrations"
)

func TestIntegrations_CreateThenGet(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		model := "gpt-4o"
		in := integrations.IntegrationRow{TenantID: f.acme, Name: "Prod", ProviderType: "anthropic", DefaultModel: &model,
			Status: "enabled", BudgetLimitCents: 5000, TokenLimitMonth: 1_000_000, RateLimitRPM: 60}
		created, err := f.s.CreateIntegration(f.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if uuid.Validate(created.ID) != nil || created.CreatedAt.IsZero() || created.CreatedAt.Location().String() != "UTC" ||
			!created.UpdatedAt.Equal(created.CreatedAt) {
			t.Fatalf("created = %+v", created)
		}
		got, err := f.s.GetIntegration(f.ctx, f.acme, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Prod" || got.TenantID != f.acme || got.ProviderType != "anthropic" || *got.DefaultModel != model ||
			got.Status != "enabled" || got.BudgetLimitCents != 5000 || got.TokenLimitMonth != 1_000_000 ||
			got.RateLimitRPM != 60 || !got.CreatedAt.Equal(created.CreatedAt) {
			t.Fatalf("got = %+v, want %+v", got, created)
		}
	})
}

func TestIntegrations_GetIsTenantScoped(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		row := f.mustCreate(t, f.acme, "prod")
		if _, err := f.s.GetIntegration(f.ctx, f.other, row.ID); !errors.Is(err, integrations.ErrIntegrationNotFound) {
			t.Fatalf("other tenant's get: err = %v, want ErrIntegrationNotFound", err)
		}
		if got, err := f.s.GetIntegrationsByIDs(f.ctx, f.other, []string{row.ID}); err != nil || len(got) != 0 {
			t.Fatalf("other tenant's batch get = %+v, %v", got, err)
		}
		if err := f.s.SoftDeleteIntegration(f.ctx, f.other, row.ID); !errors.Is(err, integrations.ErrIntegrationNotFound) {
			t.Fatalf("other tenant's delete: err = %v", err)
		}
		if err := f.s.SetIntegrationStatus(f.ctx, f.other, row.ID, "disabled"); !errors.Is(err, integrations.ErrIntegrationNotFound) {
			t.Fatalf("other tenant's disable: err = %v", err)
		}
	})
}

func TestIntegrations_NonCanonicalIDIsNotFoundOnEveryBackend(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		row := f.mustCreate(t, f.acme, "prod")
		for _, id := range []string{"", "not-a-uuid", strings.ToUpper(row.ID), uuid.MustParse(row.ID).URN(), "{" + row.ID + "}"} {
			if _, err := f.s.GetIntegration(f.ctx, f.acme, id); !errors.Is(err, integrations.ErrIntegrationNotFound) {
				t.Errorf("get %q: err = %v, want ErrIntegrationNotFound", id, err)
			}
		}
		got, err := f.s.GetIntegrationsByIDs(f.ctx, f.acme, []string{"nope", row.ID})
		if err != nil || len(got) != 1 {
			t.Fatalf("batch get with a malformed id = %v, %v", got, err)
		}
	})
}

func TestIntegrations_ListLiveOnesOldestFirstWithTotal(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		var ids []string
		for _, name := range []string{"a", "b", "c", "d"} {
			ids = append(ids, f.mustCreate(t, f.acme, name).ID)
		}
		f.mustCreate(t, f.other, "elsewhere")
		if err := f.s.SoftDeleteIntegration(f.ctx, f.acme, ids[1]); err != nil {
			t.Fatal(err)
		}
		page, total, err := f.s.ListIntegrations(f.ctx, f.acme, 2, 1)
		if err != nil {
			t.Fatal(err)
		}
		if total != 3 || len(page) != 2 || page[0].ID != ids[2] || page[1].ID != ids[3] {
			t.Fatalf("page = %+v, total = %d; want c, d of 3", page, total)
		}
	})
}

func TestIntegrations_SoftDeletedIsInvisible(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		row := f.mustCreate(t, f.acme, "prod")
		if err := f.s.SoftDeleteIntegration(f.ctx, f.acme, row.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.GetIntegration(f.ctx, f.acme, row.ID); !errors.Is(err, integrations.ErrIntegrationNotFound) {
			t.Fatalf("get deleted: err = %v", err)
		}
		if got, err := f.s.GetIntegrationsByIDs(f.ctx, f.acme, []string{row.ID}); err != nil || len(got) != 0 {
			t.Fatalf("batch get deleted = %+v, %v", got, err)
		}
		if _, total, err := f.s.ListIntegrations(f.ctx, f.acme, 10, 0); err != nil || total != 0 {
			t.Fatalf("list counts the deleted integration: total = %d, err %v", total, err)
		}
		for name, err := range map[string]error{
			"second delete": f.s.SoftDeleteIntegration(f.ctx, f.acme, row.ID),
			"enable":        f.s.SetIntegrationStatus(f.ctx, f.acme, row.ID, "enabled"),
		} {
			if !errors.Is(err, integrations.ErrIntegrationNotFound) {
				t.Errorf("%s of a deleted integration: err = %v", name, err)
			}
		}
		if _, err := f.s.CreateIntegrationKey(f.ctx, f.acme, row.ID, hash("s")); !errors.Is(err, integrations.ErrIntegrationNotFound) {
			t.Fatalf("key for a deleted integration: err = %v", err)
		}
	})
}

func TestIntegrations_LiveNameIsUniquePerTenant(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		first := f.mustCreate(t, f.acme, "prod")
		if _, err := f.s.CreateIntegration(f.ctx, newIntegration(f.acme, "prod")); !errors.Is(err, integrations.ErrNameTaken) {
			t.Fatalf("duplicate name: err = %v, want ErrNameTaken", err)
		}
		f.mustCreate(t, f.other, "prod") // another tenant may use it
		if err := f.s.SoftDeleteIntegration(f.ctx, f.acme, first.ID); err != nil {
			t.Fatal(err)
		}
		f.mustCreate(t, f.acme, "prod") // a deleted integration's name is free again
	})
}

func TestIntegrations_UpdateOverwritesSettings(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		row := f.mustCreate(t, f.acme, "prod")
		f.mustCreate(t, f.acme, "staging")
		model := "claude"
		row.Name, row.DefaultModel, row.BudgetLimitCents, row.TokenLimitMonth, row.RateLimitRPM = "live", &model, 1, 2, 3
		updated, err := f.s.UpdateIntegration(f.ctx, row, allSettings)
		if err != nil {
			t.Fatal(err)
		}
		if updated.Name != "live" || *updated.DefaultModel != "claude" || updated.BudgetLimitCents != 1 ||
			updated.TokenLimitMonth != 2 || updated.RateLimitRPM != 3 || updated.UpdatedAt.Before(row.UpdatedAt) {
			t.Fatalf("updated = %+v", updated)
		}
		updated.DefaultModel = nil
		if cleared, err := f.s.UpdateIntegration(f.ctx, updated, allSettings); err != nil || cleared.DefaultModel != nil {
			t.Fatalf("clear default model = %+v, %v", cleared, err)
		}
		updated.Name = "staging"
		if _, err := f.s.UpdateIntegration(f.ctx, updated, allSettings); !errors.Is(err, integrations.ErrNameTaken) {
			t.Fatalf("rename onto a taken name: err = %v, want ErrNameTaken", err)
		}
	})
}

func TestIntegrations_SetStatus(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		row := f.mustCreate(t, f.acme, "prod")
		if err := f.s.SetIntegrationStatus(f.ctx, f.acme, row.ID, "disabled"); err != nil {
			t.Fatal(err)
		}
		if got, err := f.s.GetIntegration(f.ctx, f.acme, row.ID); err != nil || got.Status != "disabled" {
			t.Fatalf("status = %q (%v), want disabled", got.Status, err)
		}
		if err := f.s.SetIntegrationStatus(f.ctx, f.acme, row.ID, "paused"); err == nil {
			t.Fatal("unknown status accepted")
		}
	})
}

func TestIntegrations_DatabaseEnforcesDomains(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		long := strings.Repeat("x", 101)
		bad := map[string]func(r *integrations.IntegrationRow){
			"empty name":       func(r *integrations.IntegrationRow) { r.Name = "" },
			"long name":        func(r *integrations.IntegrationRow) { r.Name = long },
			"unknown provider": func(r *integrations.IntegrationRow) { r.ProviderType = "openia" },
			"unknown status":   func(r *integrations.IntegrationRow) { r.Status = "paused" },
			"negative budget":  func(r *integrations.IntegrationRow) { r.BudgetLimitCents = -1 },
			"negative tokens":  func(r *integrations.IntegrationRow) { r.TokenLimitMonth = -1 },
			"negative rpm":     func(r *integrations.IntegrationRow) { r.RateLimitRPM = -1 },
			"unknown tenant":   func(r *integrations.IntegrationRow) { r.TenantID = uuid.NewString() },
		}
		for name, mutate := range bad {
			row := newIntegration(f.acme, "x")
			mutate(&row)
			if _, err := f.s.CreateIntegration(f.ctx, row); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
	})
}

// allSettings names every settings column.
var allSettings = []string{"name", "default_model", "budget_limit_cents", "token_limit_month", "rate_limit_rpm"}

func TestIntegrations_UpdateWritesOnlyTheNamedColumns(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		tenant := dbtest.SeedTenant(t, f.ctx, f.d, "upd")
		row := f.mustCreate(t, tenant, "prod")
		// Two updates prepared from the same read, each changing one field.
		a, b := row, row
		a.BudgetLimitCents = 500
		b.RateLimitRPM = 60
		if _, err := f.s.UpdateIntegration(f.ctx, a, []string{"budget_limit_cents"}); err != nil {
			t.Fatal(err)
		}
		got, err := f.s.UpdateIntegration(f.ctx, b, []string{"rate_limit_rpm"})
		if err != nil || got.BudgetLimitCents != 500 || got.RateLimitRPM != 60 {
			t.Fatalf("both updates must stand: %+v %v", got, err)
		}
		if _, err := f.s.UpdateIntegration(f.ctx, b, []string{"status"}); err == nil {
			t.Fatal("a column that is not a setting was accepted")
		}
	})
}
