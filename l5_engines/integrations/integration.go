package integrations

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/integrations"
)

// The integration statuses.
const (
	StatusEnabled  = "enabled"
	StatusDisabled = "disabled"
)

// maxRateLimitRPM is the largest requests-per-minute limit an integration
// may set, the same ceiling machine API keys have.
const maxRateLimitRPM = 1_000_000

// maxBudgetLimitCents ($10 billion a month) and maxTokenLimitMonth bound an
// integration's monthly limits far above any real one, so that every limit
// has a maximum a client can read in the API's description and arithmetic
// on it cannot overflow.
const (
	maxBudgetLimitCents = 1_000_000_000_000
	maxTokenLimitMonth  = 1_000_000_000_000_000
)

// providerTypes are the providers an integration may name.
var providerTypes = func() map[string]bool {
	m := make(map[string]bool, len(ProviderTypes))
	for _, p := range ProviderTypes {
		m[p] = true
	}
	return m
}()

// ProviderTypes are the providers an integration may name, in the order
// messages list them: the providers the price table prices, and custom.
var ProviderTypes = []string{"openai", "anthropic", "azure_openai", "bedrock", "google", "mistral", "cohere", "groq",
	"deepseek", "xai", "together", "fireworks", "custom"}

// Integration is one of a tenant's connections to an LLM provider.
type Integration struct {
	ID               string
	TenantID         string
	Name             string
	ProviderType     string
	DefaultModel     *string
	Status           string
	BudgetLimitCents int64
	TokenLimitMonth  int64
	RateLimitRPM     int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// NewIntegration is the request to create an integration.
type NewIntegration struct {
	TenantID         string
	Name             string
	ProviderType     string
	DefaultModel     *string
	BudgetLimitCents int64
	TokenLimitMonth  int64
	RateLimitRPM     int
}

// CreateIntegration stores a new, enabled integration with its first key,
// and returns the key in full: the only time it is ever shown.
func (e *Engine) CreateIntegration(ctx context.Context, in NewIntegration) (Integration, string, error) {
	if err := validateIntegration(in); err != nil {
		return Integration{}, "", err
	}
	row, err := e.integrations.CreateIntegration(ctx, store.IntegrationRow{
		TenantID:         in.TenantID,
		Name:             in.Name,
		ProviderType:     in.ProviderType,
		DefaultModel:     in.DefaultModel,
		Status:           StatusEnabled,
		BudgetLimitCents: in.BudgetLimitCents,
		TokenLimitMonth:  in.TokenLimitMonth,
		RateLimitRPM:     in.RateLimitRPM,
	})
	if errors.Is(err, store.ErrNameTaken) {
		return Integration{}, "", fault.Conflict("an integration with this name already exists").WithDetail("field", "name")
	}
	if err != nil {
		return Integration{}, "", err
	}
	key, err := e.newIntegrationKey(ctx, row.TenantID, row.ID)
	if err != nil {
		return Integration{}, "", err
	}
	return integrationFromRow(row), key, nil
}

// newIntegrationKey stores a new key for an integration and returns it in
// the form SDKs split on ':' to learn their tenant and integration.
func (e *Engine) newIntegrationKey(ctx context.Context, tenantID, integrationID string) (string, error) {
	secret := newSecret()
	if _, err := e.keys.CreateIntegrationKey(ctx, tenantID, integrationID, hashSecret(secret)); err != nil {
		return "", fmt.Errorf("create integration key: %w", err)
	}
	return tenantID + ":" + integrationID + ":" + secret, nil
}

// GetIntegration returns a live integration of the tenant, or NOT_FOUND.
func (e *Engine) GetIntegration(ctx context.Context, tenantID, id string) (Integration, error) {
	if uuid.Validate(id) != nil {
		return Integration{}, fault.NotFound("integration")
	}
	row, err := e.integrations.GetIntegration(ctx, tenantID, id)
	if errors.Is(err, store.ErrIntegrationNotFound) {
		return Integration{}, fault.NotFound("integration")
	}
	if err != nil {
		return Integration{}, err
	}
	return integrationFromRow(row), nil
}

// GetIntegrations returns the tenant's live integrations among ids, in one
// read; ids that name none are simply absent from the result.
func (e *Engine) GetIntegrations(ctx context.Context, tenantID string, ids []string) (map[string]Integration, error) {
	valid := ids[:0:0]
	for _, id := range ids {
		if uuid.Validate(id) == nil {
			valid = append(valid, id)
		}
	}
	out := make(map[string]Integration, len(valid))
	if len(valid) == 0 {
		return out, nil
	}
	rows, err := e.integrations.GetIntegrationsByIDs(ctx, tenantID, valid)
	if err != nil {
		return nil, err
	}
	for id, row := range rows {
		out[id] = integrationFromRow(row)
	}
	return out, nil
}

func validateIntegration(in NewIntegration) error {
	return integrationFields(in).Err()
}

// integrationFields lists every field of in that breaks a rule.
func integrationFields(in NewIntegration) fault.Fields {
	var fields fault.Fields
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > 100 {
		fields.Add("name", "must be 1..100 characters")
	}
	if !providerTypes[in.ProviderType] {
		fields.Add("provider_type", "must be one of %s", strings.Join(ProviderTypes, ", "))
	}
	if in.DefaultModel != nil && utf8.RuneCountInString(*in.DefaultModel) > 100 {
		fields.Add("default_model", "must be at most 100 characters")
	}
	if in.BudgetLimitCents < 0 || in.BudgetLimitCents > maxBudgetLimitCents {
		fields.Add("budget_limit_cents", "must be between 0 and %d", int64(maxBudgetLimitCents))
	}
	if in.TokenLimitMonth < 0 || in.TokenLimitMonth > maxTokenLimitMonth {
		fields.Add("token_limit_month", "must be between 0 and %d", int64(maxTokenLimitMonth))
	}
	if in.RateLimitRPM < 0 || in.RateLimitRPM > maxRateLimitRPM {
		fields.Add("rate_limit_rpm", "must be between 0 and %d", maxRateLimitRPM)
	}
	return fields
}

func integrationFromRow(r store.IntegrationRow) Integration {
	return Integration{
		ID: r.ID, TenantID: r.TenantID, Name: r.Name, ProviderType: r.ProviderType, DefaultModel: r.DefaultModel,
		Status: r.Status, BudgetLimitCents: r.BudgetLimitCents, TokenLimitMonth: r.TokenLimitMonth,
		RateLimitRPM: r.RateLimitRPM, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// HasLiveEnabledIntegration reports whether the tenant has an enabled
// integration with a live key (onboarding's COMPLETE rule).
func (e *Engine) HasLiveEnabledIntegration(ctx context.Context, tenantID string) (bool, error) {
	return e.integrations.HasLiveKeyOnEnabledIntegration(ctx, tenantID)
}
