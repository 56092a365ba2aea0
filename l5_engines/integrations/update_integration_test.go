package integrations

import (
	"context"
	"slices"
	"strings"
	"testing"

	"hoc/l5_engines/fault"
)

func TestUpdateIntegration_ChangesOnlyThePresentFields(t *testing.T) {
	t.Parallel()
	e, _ := newManageEngine(t)
	ctx := context.Background()
	integ, _, err := e.CreateIntegration(ctx, NewIntegration{TenantID: tenantA, Name: "prod", ProviderType: "anthropic",
		DefaultModel: ptr("claude"), BudgetLimitCents: 500, TokenLimitMonth: 1000, RateLimitRPM: 60})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.UpdateIntegration(ctx, tenantA, integ.ID, IntegrationChanges{BudgetLimitCents: ptr[int64](900)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "prod" || *got.DefaultModel != "claude" || got.BudgetLimitCents != 900 || got.TokenLimitMonth != 1000 ||
		got.RateLimitRPM != 60 || got.ProviderType != "anthropic" || got.Status != StatusEnabled {
		t.Fatalf("after a budget change: %+v", got)
	}
	got, err = e.UpdateIntegration(ctx, tenantA, integ.ID, IntegrationChanges{Name: ptr("renamed"), SetDefaultModel: true, RateLimitRPM: ptr(0)})
	if err != nil || got.Name != "renamed" || got.DefaultModel != nil || got.RateLimitRPM != 0 || got.BudgetLimitCents != 900 {
		t.Fatalf("after clearing the model: %+v %v", got, err)
	}
}

func TestUpdateIntegration_NothingToChangeWritesNothing(t *testing.T) {
	t.Parallel()
	e, s := newManageEngine(t)
	integ := seed(t, e, "prod")[0]
	got, err := e.UpdateIntegration(context.Background(), tenantA, integ.ID, IntegrationChanges{})
	if err != nil || got != integ || s.writes != 0 {
		t.Fatalf("got %+v, %v, %d writes", got, err, s.writes)
	}
}

func TestUpdateIntegration_ReportsEveryFailingFieldAndNameConflicts(t *testing.T) {
	t.Parallel()
	e, s := newManageEngine(t)
	ctx := context.Background()
	ints := seed(t, e, "prod", "dev")
	_, err := e.UpdateIntegration(ctx, tenantA, ints[0].ID, IntegrationChanges{
		Name: ptr(""), SetDefaultModel: true, DefaultModel: ptr(strings.Repeat("m", 101)),
		BudgetLimitCents: ptr[int64](-1), TokenLimitMonth: ptr[int64](-1), RateLimitRPM: ptr(1_000_001),
	})
	if got := fieldsOf(err); !slices.Equal(got, []string{"name", "default_model", "budget_limit_cents", "token_limit_month", "rate_limit_rpm"}) {
		t.Fatalf("fields = %v (%v)", got, err)
	}
	if s.writes != 0 {
		t.Fatalf("%d writes by an invalid update", s.writes)
	}
	_, err = e.UpdateIntegration(ctx, tenantA, ints[0].ID, IntegrationChanges{Name: ptr("dev")})
	if fe, _ := fault.As(err); fe == nil || fe.Kind != fault.KindConflict || fe.Details["field"] != "name" {
		t.Fatalf("rename onto a live name: %v", err)
	}
	if got := s.integrations[ints[0].ID].Name; got != "prod" {
		t.Fatalf("the refused rename stored %q", got)
	}
	if _, err := e.UpdateIntegration(ctx, tenantA, ints[0].ID, IntegrationChanges{Name: ptr("prod")}); err != nil {
		t.Fatalf("keeping its own name: %v", err)
	}
}

func TestUpdateIntegration_OldValuesAreNotJudgedAgain(t *testing.T) {
	t.Parallel()
	e, s := newManageEngine(t)
	integ := seed(t, e, "prod")[0]
	// A limit stored before today's ceiling existed.
	row := s.integrations[integ.ID]
	row.RateLimitRPM = 2_000_000
	s.integrations[integ.ID] = row
	if _, err := e.UpdateIntegration(context.Background(), tenantA, integ.ID, IntegrationChanges{Name: ptr("renamed")}); err != nil {
		t.Fatalf("renaming: %v", err)
	}
}
