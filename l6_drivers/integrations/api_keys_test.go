package integrations_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"hoc/l6_drivers/integrations"
)

// newAPIKey returns a valid API key row for tenantID.
func newAPIKey(tenantID, secret string, scopes ...string) integrations.APIKeyRow {
	return integrations.APIKeyRow{TenantID: tenantID, Name: "ci", Prefix: "aos_abcdefgh", SecretHash: hash(secret),
		Scopes: scopes, Status: "active"}
}

func TestAPIKeys_CreateThenFindByHash(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		expires := time.Date(2027, 1, 2, 3, 4, 5, 678901234, time.UTC)
		in := newAPIKey(f.acme, "secret", "telemetry:write")
		in.RateLimitRPM, in.ExpiresAt = 120, &expires
		created, err := f.s.CreateAPIKey(f.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.s.FindAPIKeyByHash(f.ctx, hash("secret"))
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != created.ID || got.TenantID != f.acme || got.Name != "ci" || got.Prefix != "aos_abcdefgh" ||
			!bytes.Equal(got.SecretHash, hash("secret")) || got.Status != "active" || got.Frozen ||
			got.RateLimitRPM != 120 || !got.ExpiresAt.Equal(expires.Truncate(time.Microsecond)) ||
			!got.CreatedAt.Equal(created.CreatedAt) || got.LastUsedAt != nil {
			t.Fatalf("got = %+v, created = %+v", got, created)
		}
		if _, err := f.s.FindAPIKeyByHash(f.ctx, hash("guess")); !errors.Is(err, integrations.ErrAPIKeyNotFound) {
			t.Fatalf("unknown hash: err = %v", err)
		}
		if _, err := f.s.CreateAPIKey(f.ctx, newAPIKey(f.other, "secret")); err == nil {
			t.Fatal("a second key with the same hash was accepted")
		}
	})
}

func TestAPIKeys_ScopesRoundTripSorted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"none", nil, []string{}},
		{"empty list", []string{}, []string{}},
		{"one", []string{"*"}, []string{"*"}},
		{"sorted and de-duplicated", []string{"telemetry:write", "integrations:read", "telemetry:write"},
			[]string{"integrations:read", "telemetry:write"}},
	}
	forEach(t, func(t *testing.T, f fixture) {
		for i, tt := range tests {
			secret := tt.name
			if _, err := f.s.CreateAPIKey(f.ctx, newAPIKey(f.acme, secret, tt.in...)); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			got, err := f.s.FindAPIKeyByHash(f.ctx, hash(secret))
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if got.Scopes == nil || !slices.Equal(got.Scopes, tt.want) {
				t.Errorf("case %d %s: scopes = %#v, want %#v", i, tt.name, got.Scopes, tt.want)
			}
		}
		for _, bad := range [][]string{{""}, {"telemetry:read telemetry:write"}} {
			if _, err := f.s.CreateAPIKey(f.ctx, newAPIKey(f.acme, "bad", bad...)); err == nil {
				t.Errorf("scopes %q accepted", bad)
			}
		}
	})
}

func TestAPIKeys_RevokeFreezeAndTouch(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		key, err := f.s.CreateAPIKey(f.ctx, newAPIKey(f.acme, "secret"))
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
		for name, change := range map[string]func() error{
			"freeze": func() error { return f.s.FreezeAPIKey(f.ctx, key.ID) },
			"touch":  func() error { return f.s.TouchAPIKey(f.ctx, key.ID, at) },
			"revoke": func() error { return f.s.RevokeAPIKey(f.ctx, key.ID) },
			"again":  func() error { return f.s.RevokeAPIKey(f.ctx, key.ID) },
		} {
			if err := change(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		got, err := f.s.FindAPIKeyByHash(f.ctx, hash("secret"))
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != "revoked" || !got.Frozen || got.LastUsedAt == nil || !got.LastUsedAt.Equal(at) {
			t.Fatalf("got = %+v", got)
		}
		unknown := uuid.NewString()
		for name, err := range map[string]error{
			"revoke":    f.s.RevokeAPIKey(f.ctx, unknown),
			"freeze":    f.s.FreezeAPIKey(f.ctx, unknown),
			"touch":     f.s.TouchAPIKey(f.ctx, unknown, at),
			"malformed": f.s.RevokeAPIKey(f.ctx, "aos_123"),
		} {
			if !errors.Is(err, integrations.ErrAPIKeyNotFound) {
				t.Errorf("%s of an unknown key: err = %v", name, err)
			}
		}
	})
}

func TestAPIKeys_DatabaseEnforcesDomains(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		bad := map[string]func(r *integrations.APIKeyRow){
			"unknown status": func(r *integrations.APIKeyRow) { r.Status = "expired" },
			"long prefix":    func(r *integrations.APIKeyRow) { r.Prefix = "aos_0123456789" },
			"short hash":     func(r *integrations.APIKeyRow) { r.SecretHash = []byte("short") },
			"negative rpm":   func(r *integrations.APIKeyRow) { r.RateLimitRPM = -1 },
			"empty name":     func(r *integrations.APIKeyRow) { r.Name = "" },
		}
		for name, mutate := range bad {
			row := newAPIKey(f.acme, name)
			mutate(&row)
			if _, err := f.s.CreateAPIKey(f.ctx, row); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
	})
}
