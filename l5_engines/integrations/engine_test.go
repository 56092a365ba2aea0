package integrations

import (
	"context"
	"strings"
	"testing"
	"time"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/integrations"
)

// fakeStore keeps rows in memory for engine unit tests; the real store's
// behaviour is tested on SQLite and Postgres in l6_drivers/integrations.
type fakeStore struct {
	integrations map[string]store.IntegrationRow
	keys         []store.IntegrationKeyRow
	apiKeys      []store.APIKeyRow
	touched      int
}

func newFakeStore() *fakeStore {
	return &fakeStore{integrations: map[string]store.IntegrationRow{}}
}

const (
	tenantA = "0193a8e0-0000-7000-8000-00000000000a"
	tenantB = "0193a8e0-0000-7000-8000-00000000000b"
)

func (f *fakeStore) CreateIntegration(_ context.Context, row store.IntegrationRow) (store.IntegrationRow, error) {
	for _, r := range f.integrations {
		if r.TenantID == row.TenantID && r.Name == row.Name {
			return store.IntegrationRow{}, store.ErrNameTaken
		}
	}
	row.ID = "0193a8e0-0000-7000-8000-0000000001" + string(rune('0'+len(f.integrations)/10)) + string(rune('0'+len(f.integrations)%10))
	f.integrations[row.ID] = row
	return row, nil
}
func (f *fakeStore) GetIntegration(_ context.Context, tenantID, id string) (store.IntegrationRow, error) {
	if r, ok := f.integrations[id]; ok && r.TenantID == tenantID {
		return r, nil
	}
	return store.IntegrationRow{}, store.ErrIntegrationNotFound
}
func (f *fakeStore) GetIntegrationsByIDs(_ context.Context, tenantID string, ids []string) (map[string]store.IntegrationRow, error) {
	out := map[string]store.IntegrationRow{}
	for _, id := range ids {
		if r, ok := f.integrations[id]; ok && r.TenantID == tenantID {
			out[id] = r
		}
	}
	return out, nil
}
func (f *fakeStore) CreateIntegrationKey(_ context.Context, tenantID, integrationID string, hash []byte) (store.IntegrationKeyRow, error) {
	k := store.IntegrationKeyRow{ID: "key-" + integrationID, TenantID: tenantID, IntegrationID: integrationID, SecretHash: hash}
	f.keys = append(f.keys, k)
	return k, nil
}
func (f *fakeStore) FindIntegrationKey(_ context.Context, integrationID string, hash []byte) (store.IntegrationKeyMatch, error) {
	for _, k := range f.keys {
		if k.IntegrationID == integrationID && string(k.SecretHash) == string(hash) && k.RevokedAt == nil {
			return store.IntegrationKeyMatch{Key: k, Integration: f.integrations[integrationID]}, nil
		}
	}
	return store.IntegrationKeyMatch{}, store.ErrIntegrationKeyNotFound
}
func (f *fakeStore) TouchIntegrationKey(context.Context, string, time.Time) error {
	f.touched++
	return nil
}
func (f *fakeStore) CreateAPIKey(_ context.Context, row store.APIKeyRow) (store.APIKeyRow, error) {
	row.ID = "0193a8e0-0000-7000-8000-0000000002" + string(rune('0'+len(f.apiKeys)/10)) + string(rune('0'+len(f.apiKeys)%10))
	f.apiKeys = append(f.apiKeys, row)
	return row, nil
}
func (f *fakeStore) FindAPIKeyByHash(_ context.Context, hash []byte) (store.APIKeyRow, error) {
	for _, k := range f.apiKeys {
		if string(k.SecretHash) == string(hash) {
			return k, nil
		}
	}
	return store.APIKeyRow{}, store.ErrAPIKeyNotFound
}
func (f *fakeStore) RevokeAPIKey(_ context.Context, id string) error {
	return f.setAPIKey(id, func(k *store.APIKeyRow) { k.Status = APIKeyRevoked })
}
func (f *fakeStore) FreezeAPIKey(_ context.Context, id string) error {
	return f.setAPIKey(id, func(k *store.APIKeyRow) { k.Frozen = true })
}
func (f *fakeStore) TouchAPIKey(context.Context, string, time.Time) error { f.touched++; return nil }
func (f *fakeStore) setAPIKey(id string, change func(*store.APIKeyRow)) error {
	for i := range f.apiKeys {
		if f.apiKeys[i].ID == id {
			change(&f.apiKeys[i])
			return nil
		}
	}
	return store.ErrAPIKeyNotFound
}

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newEngine(t *testing.T, s *fakeStore, now *time.Time) *Engine {
	t.Helper()
	e, err := NewEngine(s, func() time.Time { return *now })
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func reasonOf(err error) any {
	fe, ok := fault.As(err)
	if !ok || fe.Code != fault.CodeInvalidCredentials {
		return nil
	}
	return fe.Details["reason"]
}

func TestIntegrationKey_CreatedKeyVerifiesAndSplitsIntoIDs(t *testing.T) {
	t.Parallel()
	now := t0
	s := newFakeStore()
	e := newEngine(t, s, &now)
	integ, key, err := e.CreateIntegration(context.Background(), NewIntegration{TenantID: tenantA, Name: "prod", ProviderType: "openai"})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(key, ":")
	if len(parts) != 3 || parts[0] != tenantA || parts[1] != integ.ID || len(parts[2]) < 43 || integ.Status != StatusEnabled {
		t.Fatalf("key %q for %+v", key, integ)
	}
	if string(s.keys[0].SecretHash) == parts[2] {
		t.Fatal("the secret is stored in clear")
	}
	holder, err := e.VerifyIntegrationKey(context.Background(), key)
	if err != nil || holder.TenantID != tenantA || holder.IntegrationID != integ.ID {
		t.Fatalf("verify: %+v %v", holder, err)
	}
}

func TestIntegrationKey_Refusals(t *testing.T) {
	t.Parallel()
	now := t0
	s := newFakeStore()
	e := newEngine(t, s, &now)
	integ, key, err := e.CreateIntegration(context.Background(), NewIntegration{TenantID: tenantA, Name: "prod", ProviderType: "openai"})
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.Split(key, ":")[2]
	cases := map[string]string{
		"wrong secret":         tenantA + ":" + integ.ID + ":" + strings.Repeat("x", 43),
		"another tenant named": tenantB + ":" + integ.ID + ":" + secret,
		"two parts":            tenantA + ":" + secret,
		"not uuids":            "a:b:" + secret,
		"empty":                "",
	}
	for name, k := range cases {
		if _, err := e.VerifyIntegrationKey(context.Background(), k); reasonOf(err) != ReasonIntegrationKeyInvalid {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestCreateIntegration_ValidationAndNameConflict(t *testing.T) {
	t.Parallel()
	now := t0
	e := newEngine(t, newFakeStore(), &now)
	_, _, err := e.CreateIntegration(context.Background(), NewIntegration{TenantID: tenantA, Name: "", ProviderType: "gpt", RateLimitRPM: -1})
	if fe, _ := fault.As(err); fe == nil || len(fe.Details["fields"].([]fault.FieldError)) != 3 {
		t.Fatalf("err = %v, want 3 field errors", err)
	}
	if _, _, err := e.CreateIntegration(context.Background(), NewIntegration{TenantID: tenantA, Name: "x", ProviderType: "custom"}); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.CreateIntegration(context.Background(), NewIntegration{TenantID: tenantA, Name: "x", ProviderType: "custom"})
	if fault.KindOf(err) != fault.KindConflict {
		t.Fatalf("err = %v, want conflict", err)
	}
}

func TestAPIKey_RevokedExpiredFrozenUnknownAllRefusedAlike(t *testing.T) {
	t.Parallel()
	now := t0
	s := newFakeStore()
	e := newEngine(t, s, &now)
	ctx := context.Background()
	expiry := t0.Add(time.Hour)
	mk := func(name string, expires *time.Time) (APIKey, string) {
		k, key, err := e.CreateAPIKey(ctx, NewAPIKey{TenantID: tenantA, Name: name, Scopes: []string{"telemetry:write", "telemetry:read", "telemetry:write"}, ExpiresAt: expires})
		if err != nil {
			t.Fatal(err)
		}
		return k, key
	}
	live, liveKey := mk("live", nil)
	if !strings.HasPrefix(liveKey, "aos_") || live.Prefix != liveKey[:12] || strings.Join(live.Scopes, ",") != "telemetry:read,telemetry:write" {
		t.Fatalf("created %+v %q", live, liveKey)
	}
	got, err := e.VerifyAPIKey(ctx, liveKey)
	if err != nil || got.ID != live.ID || got.TenantID != tenantA {
		t.Fatalf("verify live: %+v %v", got, err)
	}
	revoked, revokedKey := mk("revoked", nil)
	if err := e.RevokeAPIKey(ctx, revoked.ID); err != nil {
		t.Fatal(err)
	}
	frozen, frozenKey := mk("frozen", nil)
	if err := e.FreezeAPIKey(ctx, frozen.ID); err != nil {
		t.Fatal(err)
	}
	_, expiringKey := mk("expiring", &expiry)
	now = t0.Add(2 * time.Hour)
	for name, key := range map[string]string{"revoked": revokedKey, "frozen": frozenKey, "expired": expiringKey, "unknown": "aos_" + strings.Repeat("z", 43), "no prefix": "xyz"} {
		if _, err := e.VerifyAPIKey(ctx, key); reasonOf(err) != ReasonAPIKeyInvalid {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestAPIKey_ScopesValidatedAndNoneMeansNone(t *testing.T) {
	t.Parallel()
	now := t0
	e := newEngine(t, newFakeStore(), &now)
	if _, _, err := e.CreateAPIKey(context.Background(), NewAPIKey{TenantID: tenantA, Name: "k", Scopes: []string{"root"}}); fault.KindOf(err) != fault.KindValidation {
		t.Fatalf("unknown scope: %v", err)
	}
	k, _, err := e.CreateAPIKey(context.Background(), NewAPIKey{TenantID: tenantA, Name: "k"})
	if err != nil || len(k.Scopes) != 0 {
		t.Fatalf("no scopes: %+v %v", k, err)
	}
}

func TestVerify_TouchesLastUsedAtMostOncePerMinute(t *testing.T) {
	t.Parallel()
	now := t0
	s := newFakeStore()
	e := newEngine(t, s, &now)
	_, key, err := e.CreateAPIKey(context.Background(), NewAPIKey{TenantID: tenantA, Name: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.VerifyAPIKey(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	s.apiKeys[0].LastUsedAt = &now
	if _, err := e.VerifyAPIKey(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	if s.touched != 1 {
		t.Fatalf("touched %d times within a minute, want 1", s.touched)
	}
}
