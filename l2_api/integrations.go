package api

import (
	"hoc/l4_spine/integrations"
)

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

// LimitsJSON is an integration's limits against its usage in the current
// UTC calendar month (SPEC §2.3): the nine figures the SDKs' check_limits()
// reads, plus which integration and which days they cover. Percents are
// numbers with at most two decimals; a limit of 0 means unlimited and its
// percent is 0.
type LimitsJSON struct {
	IntegrationID    string  `json:"integration_id"`
	PeriodStart      string  `json:"period_start"`
	PeriodEnd        string  `json:"period_end"`
	BudgetLimitCents int64   `json:"budget_limit_cents"`
	BudgetUsedCents  int64   `json:"budget_used_cents"`
	BudgetUsedMicros int64   `json:"budget_used_micros"`
	BudgetPercent    float64 `json:"budget_percent"`
	TokenLimitMonth  int64   `json:"token_limit_month"`
	TokensUsedMonth  int64   `json:"tokens_used_month"`
	TokenPercent     float64 `json:"token_percent"`
	RateLimitRPM     int     `json:"rate_limit_rpm"`
	CurrentRPM       int64   `json:"current_rpm"`
	RatePercent      float64 `json:"rate_percent"`
}

// ToLimitsJSON presents an integration's limits.
func ToLimitsJSON(l integrations.IntegrationLimits) LimitsJSON {
	return LimitsJSON{
		IntegrationID: l.IntegrationID, PeriodStart: l.PeriodStart, PeriodEnd: l.PeriodEnd,
		BudgetLimitCents: l.BudgetLimitCents, BudgetUsedCents: l.BudgetUsedCents, BudgetUsedMicros: l.BudgetUsedMicros, BudgetPercent: l.BudgetPercent,
		TokenLimitMonth: l.TokenLimitMonth, TokensUsedMonth: l.TokensUsedMonth, TokenPercent: l.TokenPercent,
		RateLimitRPM: l.RateLimitRPM, CurrentRPM: l.CurrentRPM, RatePercent: l.RatePercent,
	}
}
