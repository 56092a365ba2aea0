package integrations

import (
	"context"
	"errors"
	"time"

	store "hoc/l6_drivers/integrations"
)

// The persistence ports of the integrations engine, one per resource, so
// that a test's fake implements only what the code it exercises calls. The
// L6 store implements them all (Store); cmd/hocd binds it.
type (
	// IntegrationStore keeps integrations.
	IntegrationStore interface {
		CreateIntegration(ctx context.Context, row store.IntegrationRow) (store.IntegrationRow, error)
		GetIntegration(ctx context.Context, tenantID, id string) (store.IntegrationRow, error)
		GetIntegrationsByIDs(ctx context.Context, tenantID string, ids []string) (map[string]store.IntegrationRow, error)
		ListIntegrations(ctx context.Context, tenantID string, limit, offset int) ([]store.IntegrationRow, int64, error)
		UpdateIntegration(ctx context.Context, row store.IntegrationRow, columns []string) (store.IntegrationRow, error)
		HasLiveKeyOnEnabledIntegration(ctx context.Context, tenantID string) (bool, error)
		SetIntegrationStatus(ctx context.Context, tenantID, id, status string) error
		SoftDeleteIntegration(ctx context.Context, tenantID, id string) error
	}
	// IntegrationKeyStore keeps the integrations' keys.
	IntegrationKeyStore interface {
		CreateIntegrationKey(ctx context.Context, tenantID, integrationID string, secretHash []byte) (store.IntegrationKeyRow, error)
		FindIntegrationKey(ctx context.Context, integrationID string, secretHash []byte) (store.IntegrationKeyMatch, error)
		TouchIntegrationKey(ctx context.Context, id string, at time.Time) error
		RevokeIntegrationKeys(ctx context.Context, tenantID, integrationID string) (int64, error)
	}
	// APIKeyStore keeps machine API keys.
	APIKeyStore interface {
		CreateAPIKey(ctx context.Context, row store.APIKeyRow) (store.APIKeyRow, error)
		FindAPIKeyByHash(ctx context.Context, secretHash []byte) (store.APIKeyRow, error)
		RevokeAPIKey(ctx context.Context, id string) error
		FreezeAPIKey(ctx context.Context, id string) error
		TouchAPIKey(ctx context.Context, id string, at time.Time) error
	}
	// Store is every port at once, as the database implements them.
	Store interface {
		IntegrationStore
		IntegrationKeyStore
		APIKeyStore
	}
)

// touchEvery limits how often a key's last-used time is written: at most
// once a minute per key, so that verifying a key stays a single read.
const touchEvery = time.Minute

// Engine makes the integrations domain's decisions.
type Engine struct {
	integrations IntegrationStore
	keys         IntegrationKeyStore
	apiKeys      APIKeyStore
	now          func() time.Time
}

// NewEngine returns an engine on s; now is the clock.
func NewEngine(s Store, now func() time.Time) (*Engine, error) {
	if s == nil || now == nil {
		return nil, errors.New("integrations engine: nil store or clock")
	}
	return &Engine{integrations: s, keys: s, apiKeys: s, now: now}, nil
}

// shouldTouch reports whether a key last used at last needs its time written.
func (e *Engine) shouldTouch(last *time.Time) bool {
	return last == nil || e.now().Sub(*last) >= touchEvery
}
