package integrations

import (
	"context"
	"errors"
	"slices"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/integrations"
)

// IntegrationChanges are the settings one update changes; a nil field is
// left as it is. The provider type and the status are not settings: the
// first is fixed at creation, the second has its own actions.
type IntegrationChanges struct {
	Name *string
	// SetDefaultModel says whether DefaultModel replaces the default model;
	// a nil DefaultModel then clears it.
	SetDefaultModel  bool
	DefaultModel     *string
	BudgetLimitCents *int64
	TokenLimitMonth  *int64
	RateLimitRPM     *int
}

// changed names the fields the changes touch, as clients spell them.
func (c IntegrationChanges) changed() []string {
	var names []string
	add := func(name string, set bool) {
		if set {
			names = append(names, name)
		}
	}
	add("name", c.Name != nil)
	add("default_model", c.SetDefaultModel)
	add("budget_limit_cents", c.BudgetLimitCents != nil)
	add("token_limit_month", c.TokenLimitMonth != nil)
	add("rate_limit_rpm", c.RateLimitRPM != nil)
	return names
}

// UpdateIntegration applies changes to the tenant's live integration id and
// returns the result. Changed fields are judged by the rules of creation,
// every failing one reported; fields the update leaves alone are not judged
// again. A name that another live integration of the tenant has is CONFLICT.
// Changing nothing writes nothing.
func (e *Engine) UpdateIntegration(ctx context.Context, tenantID, id string, changes IntegrationChanges) (Integration, error) {
	current, err := e.GetIntegration(ctx, tenantID, id)
	if err != nil {
		return Integration{}, err
	}
	changed := changes.changed()
	if len(changed) == 0 {
		return current, nil
	}
	next := current
	if changes.Name != nil {
		next.Name = *changes.Name
	}
	if changes.SetDefaultModel {
		next.DefaultModel = changes.DefaultModel
	}
	if changes.BudgetLimitCents != nil {
		next.BudgetLimitCents = *changes.BudgetLimitCents
	}
	if changes.TokenLimitMonth != nil {
		next.TokenLimitMonth = *changes.TokenLimitMonth
	}
	if changes.RateLimitRPM != nil {
		next.RateLimitRPM = *changes.RateLimitRPM
	}
	fields := integrationFields(NewIntegration{
		TenantID: next.TenantID, Name: next.Name, ProviderType: next.ProviderType, DefaultModel: next.DefaultModel,
		BudgetLimitCents: next.BudgetLimitCents, TokenLimitMonth: next.TokenLimitMonth, RateLimitRPM: next.RateLimitRPM,
	})
	fields = slices.DeleteFunc(fields, func(f fault.FieldError) bool { return !slices.Contains(changed, f.Field) })
	if err := fields.Err(); err != nil {
		return Integration{}, err
	}
	row, err := e.integrations.UpdateIntegration(ctx, store.IntegrationRow{
		ID: next.ID, TenantID: next.TenantID, Name: next.Name, DefaultModel: next.DefaultModel,
		BudgetLimitCents: next.BudgetLimitCents, TokenLimitMonth: next.TokenLimitMonth, RateLimitRPM: next.RateLimitRPM,
	}, changed)
	switch {
	case errors.Is(err, store.ErrNameTaken):
		return Integration{}, fault.Conflict("an integration with this name already exists").WithDetail("field", "name")
	case err != nil:
		return Integration{}, notFoundOr(err)
	}
	return integrationFromRow(row), nil
}

// notFoundOr turns the store's "no such live integration" into NOT_FOUND:
// the integration was deleted between the read and the write.
func notFoundOr(err error) error {
	if errors.Is(err, store.ErrIntegrationNotFound) {
		return fault.NotFound("integration")
	}
	return err
}
