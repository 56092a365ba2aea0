package api

import "hoc/l4_spine/integrations"

// IntegrationJSON is an integration object as SPEC §7 lists its fields.
type IntegrationJSON struct {
	ID               string  `json:"id"`
	TenantID         string  `json:"tenant_id"`
	Name             string  `json:"name"`
	ProviderType     string  `json:"provider_type"`
	DefaultModel     *string `json:"default_model"`
	Status           string  `json:"status"`
	BudgetLimitCents int64   `json:"budget_limit_cents"`
	TokenLimitMonth  int64   `json:"token_limit_month"`
	RateLimitRPM     int     `json:"rate_limit_rpm"`
	CreatedAt        string  `json:"created_at"`
	UpdatedAt        string  `json:"updated_at"`
}

// ToIntegrationJSON presents an integration.
func ToIntegrationJSON(i integrations.Integration) IntegrationJSON {
	return IntegrationJSON{
		ID: i.ID, TenantID: i.TenantID, Name: i.Name, ProviderType: i.ProviderType, DefaultModel: i.DefaultModel,
		Status: i.Status, BudgetLimitCents: i.BudgetLimitCents, TokenLimitMonth: i.TokenLimitMonth,
		RateLimitRPM: i.RateLimitRPM, CreatedAt: formatTime(i.CreatedAt), UpdatedAt: formatTime(i.UpdatedAt),
	}
}
