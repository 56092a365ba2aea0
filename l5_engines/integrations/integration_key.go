package integrations

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/integrations"
)

// ReasonIntegrationKeyInvalid is details.reason for a refused integration key.
const ReasonIntegrationKeyInvalid = "integration_key_invalid"

// KeyHolder is what a verified integration key proves.
type KeyHolder struct {
	KeyID             string
	TenantID          string
	IntegrationID     string
	IntegrationStatus string
	RateLimitRPM      int
}

// VerifyIntegrationKey checks a key of the form tenant:integration:secret.
// Nothing in the text is trusted until the secret matches a live key of that
// integration and the integration's stored tenant equals the first part. A
// disabled integration's key still verifies (telemetry for it is refused
// later with INTEGRATION_DISABLED); a deleted integration's does not.
func (e *Engine) VerifyIntegrationKey(ctx context.Context, key string) (KeyHolder, error) {
	parts := strings.Split(key, ":")
	if len(parts) != 3 || uuid.Validate(parts[0]) != nil || uuid.Validate(parts[1]) != nil || parts[2] == "" {
		return KeyHolder{}, invalidIntegrationKey(errors.New("malformed integration key"))
	}
	tenantID, integrationID, secret := parts[0], parts[1], parts[2]
	hash := hashSecret(secret)
	m, err := e.keys.FindIntegrationKey(ctx, integrationID, hash)
	if errors.Is(err, store.ErrIntegrationKeyNotFound) {
		return KeyHolder{}, invalidIntegrationKey(errors.New("no live key matches"))
	}
	if err != nil {
		return KeyHolder{}, fmt.Errorf("find integration key: %w", err)
	}
	if !sameHash(m.Key.SecretHash, hash) || m.Key.TenantID != tenantID || m.Integration.TenantID != tenantID {
		return KeyHolder{}, invalidIntegrationKey(errors.New("key does not belong to the named tenant"))
	}
	if e.shouldTouch(m.Key.LastUsedAt) {
		if err := e.keys.TouchIntegrationKey(ctx, m.Key.ID, e.now()); err != nil {
			return KeyHolder{}, fmt.Errorf("touch integration key: %w", err)
		}
	}
	return KeyHolder{
		KeyID:             m.Key.ID,
		TenantID:          tenantID,
		IntegrationID:     integrationID,
		IntegrationStatus: m.Integration.Status,
		RateLimitRPM:      m.Integration.RateLimitRPM,
	}, nil
}

func invalidIntegrationKey(cause error) *fault.Error {
	return fault.New(fault.KindUnauthenticated, fault.CodeInvalidCredentials, "the credential is not valid").
		WithDetail("reason", ReasonIntegrationKeyInvalid).WithCause(cause)
}
