package pricing_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	"hoc/l6_drivers/pricing"
	models "hoc/l7_models"
)

func newStore(t *testing.T, d *db.DB) (*pricing.Store, string) {
	t.Helper()
	s, err := pricing.NewStore(d)
	if err != nil {
		t.Fatal(err)
	}
	now := db.UTC(time.Now())
	tenant := models.Tenant{ID: uuid.NewString(), Name: "acme", Slug: "acme", Plan: "free", LifecycleState: "ACTIVE",
		CreatedAt: now, UpdatedAt: now, CostSource: "price_table"}
	if err := d.Conn(context.Background()).Create(&tenant).Error; err != nil {
		t.Fatal(err)
	}
	return s, tenant.ID
}

var jan = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func row(tenantID, model string, from time.Time) pricing.PriceRow {
	return pricing.PriceRow{TenantID: tenantID, Provider: "openai", Model: model, EffectiveFrom: from,
		Rates: pricing.RateRow{Input: 2_500_000, Output: 10_000_000, CacheRead: 1_250_000, CacheWrite: 2_500_000}, Source: "test"}
}

func TestPrices_RoundTripAndOneRowPerScopeModelAndInstant(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, acme := newStore(t, d)
		tiered := row("", "gemini-2.5-pro", jan)
		tiered.Provider = "google"
		tiered.Tier = &pricing.TierRow{AboveInputTokens: 200_000, Rates: pricing.RateRow{Input: 2_500_000, Output: 15_000_000, CacheRead: 625_000, CacheWrite: 2_500_000}}
		for _, r := range []pricing.PriceRow{row("", "gpt-4o", jan), row(acme, "gpt-4o", jan), row("", "gpt-4o", jan.Add(time.Hour)), tiered} {
			if _, err := s.InsertPrice(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		for _, dup := range []pricing.PriceRow{row("", "gpt-4o", jan), row(acme, "gpt-4o", jan)} {
			if _, err := s.InsertPrice(ctx, dup); !errors.Is(err, pricing.ErrPriceExists) {
				t.Fatalf("a second row for %q gpt-4o at the same instant: %v, want ErrPriceExists", dup.TenantID, err)
			}
		}
		rows, err := s.ListPrices(ctx)
		if err != nil || len(rows) != 4 {
			t.Fatalf("%d rows, %v", len(rows), err)
		}
		var got *pricing.PriceRow
		for i := range rows {
			if rows[i].Model == "gemini-2.5-pro" {
				got = &rows[i]
			}
		}
		if got == nil || got.Tier == nil || *got.Tier != *tiered.Tier || got.Rates != tiered.Rates || !got.EffectiveFrom.Equal(jan) {
			t.Fatalf("tiered row came back as %+v", got)
		}
	})
}

func TestPrices_SeedAddsOnlyWhatIsMissingAndChangesNothing(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newStore(t, d)
		changed := row("", "gpt-4o", jan)
		changed.Rates.Input, changed.Source = 1, "operator"
		if _, err := s.InsertPrice(ctx, changed); err != nil {
			t.Fatal(err)
		}
		n, err := s.SeedPrices(ctx, []pricing.PriceRow{row("", "gpt-4o", jan), row("", "gpt-4o-mini", jan)})
		if err != nil || n != 1 {
			t.Fatalf("seeded %d, %v; want 1", n, err)
		}
		if n, err := s.SeedPrices(ctx, []pricing.PriceRow{row("", "gpt-4o", jan), row("", "gpt-4o-mini", jan)}); err != nil || n != 0 {
			t.Fatalf("seeding again added %d, %v", n, err)
		}
		rows, err := s.ListPrices(ctx)
		if err != nil || len(rows) != 2 || rows[0].Model != "gpt-4o" || rows[0].Rates.Input != 1 || rows[0].Source != "operator" {
			t.Fatalf("after seeding: %+v, %v; the operator's row must stay as it was", rows, err)
		}
	})
}

func TestPrices_DatabaseRefusesWhatTheEngineRefuses(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newStore(t, d)
		for name, mutate := range map[string]func(*pricing.PriceRow){
			"an upper-case model":   func(r *pricing.PriceRow) { r.Model = "GPT-4o" },
			"a negative price":      func(r *pricing.PriceRow) { r.Rates.Output = -1 },
			"a price over the cap":  func(r *pricing.PriceRow) { r.Rates.Input = 100_000_000_001 },
			"a tier of zero tokens": func(r *pricing.PriceRow) { r.Tier = &pricing.TierRow{AboveInputTokens: 0} },
			"an empty source":       func(r *pricing.PriceRow) { r.Source = "" },
			"an unknown tenant":     func(r *pricing.PriceRow) { r.TenantID = uuid.NewString() },
		} {
			r := row("", "m-"+uuid.NewString()[:8], jan)
			mutate(&r)
			if _, err := s.InsertPrice(ctx, r); err == nil {
				t.Errorf("%s: stored", name)
			}
		}
	})
}
