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

// APIKeyPrefix starts every machine API key.
const APIKeyPrefix = "aos_"

// ReasonAPIKeyInvalid is details.reason for a refused API key.
const ReasonAPIKeyInvalid = "api_key_invalid"

// The API key statuses as stored; "expired" is derived from expires_at.
const (
	APIKeyActive  = "active"
	APIKeyRevoked = "revoked"
	APIKeyExpired = "expired"
)

// displayPrefixLen is how much of a key is kept in clear to recognise it.
const displayPrefixLen = 12

// APIKey is a tenant's machine credential, never with its secret.
type APIKey struct {
	ID           string
	TenantID     string
	Name         string
	Prefix       string
	Scopes       []string
	RateLimitRPM int
	Status       string
	Frozen       bool
	ExpiresAt    *time.Time
	CreatedAt    time.Time
	LastUsedAt   *time.Time
}

// NewAPIKey is the request to create an API key. A key created without
// scopes has none (not "*").
type NewAPIKey struct {
	TenantID     string
	Name         string
	Scopes       []string
	RateLimitRPM int
	ExpiresAt    *time.Time
}

// CreateAPIKey stores a new key and returns it in full, the only time it is
// shown.
func (e *Engine) CreateAPIKey(ctx context.Context, in NewAPIKey) (APIKey, string, error) {
	var fields fault.Fields
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > 100 {
		fields.Add("name", "must be 1..100 characters")
	}
	scopes, unknown := normalizeScopes(in.Scopes)
	if len(unknown) > 0 {
		fields.Add("scopes", "unknown scopes: %s", strings.Join(unknown, ", "))
	}
	if in.RateLimitRPM < 0 {
		fields.Add("rate_limit_rpm", "must be >= 0")
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(e.now()) {
		fields.Add("expires_at", "must be in the future")
	}
	if err := fields.Err(); err != nil {
		return APIKey{}, "", err
	}
	key := APIKeyPrefix + newSecret()
	row, err := e.apiKeys.CreateAPIKey(ctx, store.APIKeyRow{
		TenantID:     in.TenantID,
		Name:         in.Name,
		Prefix:       key[:displayPrefixLen],
		SecretHash:   hashSecret(key),
		Scopes:       scopes,
		Status:       APIKeyActive,
		RateLimitRPM: in.RateLimitRPM,
		ExpiresAt:    in.ExpiresAt,
	})
	if err != nil {
		return APIKey{}, "", fmt.Errorf("create api key: %w", err)
	}
	return e.apiKeyFromRow(row), key, nil
}

// VerifyAPIKey checks an X-AOS-Key. Unknown, revoked, expired and frozen keys
// are all refused with the same reason, so the answer never tells which.
func (e *Engine) VerifyAPIKey(ctx context.Context, key string) (APIKey, error) {
	if !strings.HasPrefix(key, APIKeyPrefix) || len(key) <= len(APIKeyPrefix) || len(key) > 200 {
		return APIKey{}, invalidAPIKey(errors.New("malformed api key"))
	}
	hash := hashSecret(key)
	row, err := e.apiKeys.FindAPIKeyByHash(ctx, hash)
	if errors.Is(err, store.ErrAPIKeyNotFound) {
		return APIKey{}, invalidAPIKey(errors.New("unknown api key"))
	}
	if err != nil {
		return APIKey{}, fmt.Errorf("find api key: %w", err)
	}
	k := e.apiKeyFromRow(row)
	switch {
	case !sameHash(row.SecretHash, hash):
		return APIKey{}, invalidAPIKey(errors.New("hash mismatch"))
	case k.Status != APIKeyActive:
		return APIKey{}, invalidAPIKey(fmt.Errorf("api key %s is %s", k.ID, k.Status))
	case k.Frozen:
		return APIKey{}, invalidAPIKey(fmt.Errorf("api key %s is frozen", k.ID))
	}
	if e.shouldTouch(row.LastUsedAt) {
		if err := e.apiKeys.TouchAPIKey(ctx, row.ID, e.now()); err != nil {
			return APIKey{}, fmt.Errorf("touch api key: %w", err)
		}
	}
	return k, nil
}

// RevokeAPIKey revokes a key for good.
func (e *Engine) RevokeAPIKey(ctx context.Context, id string) error {
	return e.changeAPIKey(ctx, id, e.apiKeys.RevokeAPIKey)
}

// FreezeAPIKey freezes a key: it is refused until unfrozen.
func (e *Engine) FreezeAPIKey(ctx context.Context, id string) error {
	return e.changeAPIKey(ctx, id, e.apiKeys.FreezeAPIKey)
}

func (e *Engine) changeAPIKey(ctx context.Context, id string, change func(context.Context, string) error) error {
	if uuid.Validate(id) != nil {
		return fault.NotFound("api key")
	}
	err := change(ctx, id)
	if errors.Is(err, store.ErrAPIKeyNotFound) {
		return fault.NotFound("api key")
	}
	return err
}

// apiKeyFromRow derives the status: an active key past its expiry is expired.
func (e *Engine) apiKeyFromRow(r store.APIKeyRow) APIKey {
	status := r.Status
	if status == APIKeyActive && r.ExpiresAt != nil && !e.now().Before(*r.ExpiresAt) {
		status = APIKeyExpired
	}
	return APIKey{
		ID: r.ID, TenantID: r.TenantID, Name: r.Name, Prefix: r.Prefix, Scopes: r.Scopes,
		RateLimitRPM: r.RateLimitRPM, Status: status, Frozen: r.Frozen, ExpiresAt: r.ExpiresAt,
		CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt,
	}
}

func invalidAPIKey(cause error) *fault.Error {
	return fault.New(fault.KindUnauthenticated, fault.CodeInvalidCredentials, "the credential is not valid").
		WithDetail("reason", ReasonAPIKeyInvalid).WithCause(cause)
}
