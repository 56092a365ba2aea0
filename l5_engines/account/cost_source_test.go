package account

import (
	"context"
	"testing"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/account"
)

func (f *fakeStore) SetCostSource(_ context.Context, id, source string) (store.TenantRow, error) {
	for i := range f.rows {
		if f.rows[i].ID == id {
			f.rows[i].CostSource = source
			return f.rows[i], nil
		}
	}
	return store.TenantRow{}, store.ErrTenantNotFound
}

func TestSetCostSource_OnlyTheTwoSettings(t *testing.T) {
	t.Parallel()
	s := &fakeStore{}
	e, err := NewEngine(s)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tenant, err := e.CreateTenant(ctx, NewTenant{Name: "Acme"})
	if err != nil || tenant.CostSource != CostSourcePriceTable {
		t.Fatalf("a new tenant: %+v, %v; want price_table", tenant, err)
	}
	if got, err := e.SetCostSource(ctx, tenant.ID, CostSourceClient); err != nil || got.CostSource != CostSourceClient {
		t.Fatalf("set client: %+v, %v", got, err)
	}
	if _, err := e.SetCostSource(ctx, tenant.ID, "guess"); fault.KindOf(err) != fault.KindValidation {
		t.Fatalf("an unknown setting: %v, want VALIDATION_FAILED", err)
	}
	if _, err := e.SetCostSource(ctx, "0193a8e0-0000-7000-8000-000000000000", CostSourceClient); fault.KindOf(err) != fault.KindNotFound {
		t.Fatalf("an unknown tenant: %v, want NOT_FOUND", err)
	}
}
