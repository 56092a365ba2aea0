package integrations

// Fuzz targets for credential parsing and verification, without a
// database: the engine runs on the package's in-memory fakeStore (see
// engine_test.go), wrapped to record every lookup. Properties, for any key
// text: no panic; a refusal is INVALID_CREDENTIALS with reason
// integration_key_invalid / api_key_invalid (never internal, never another
// code); a malformed key never reaches the store; only the known live keys
// verify, and to what they were issued for; and the verdict is
// deterministic. Seeds: the f.Add calls below and
// testdata/fuzz/<FuzzName>/ (long keys).
//
//	go test -run '^$' -fuzz '^FuzzVerifyIntegrationKey$' -fuzztime 20s ./l5_engines/integrations

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/integrations"
)

// The fixture's credentials. Secrets are fixed so that seeds can hold
// keys that verify.
const (
	fzIntegLive     = "0193a8e0-0000-7000-8000-000000000101"
	fzIntegDisabled = "0193a8e0-0000-7000-8000-000000000102"
	fzIntegDeleted  = "0193a8e0-0000-7000-8000-000000000103"
	fzIntegOtherTen = "0193a8e0-0000-7000-8000-000000000104"

	fzSecretLive     = "live-secret-0123456789abcdefghijklmnopqrstuvwxyzAB"
	fzSecretDisabled = "disabled-secret-0123456789abcdefghijklmnopqrstuvw"
	fzSecretRevoked  = "revoked-secret-0123456789abcdefghijklmnopqrstuvwx"
	fzSecretDeleted  = "deleted-secret-0123456789abcdefghijklmnopqrstuvwx"
	fzSecretOtherTen = "other-tenant-secret-0123456789abcdefghijklmnopqrs"

	fzAPIKeyLive    = "aos_live0123456789abcdefghijklmnopqrstuvwxyzABCDE"
	fzAPIKeyRevoked = "aos_revoked0123456789abcdefghijklmnopqrstuvwxyzAB"
	fzAPIKeyFrozen  = "aos_frozen0123456789abcdefghijklmnopqrstuvwxyzABC"
	fzAPIKeyExpired = "aos_expired0123456789abcdefghijklmnopqrstuvwxyzAB"
)

// fzStore is the fake store with every credential lookup recorded.
type fzStore struct {
	*fakeStore
	integrationLookups []string
	apiKeyLookups      int
}

func (s *fzStore) FindIntegrationKey(ctx context.Context, integrationID string, hash []byte) (store.IntegrationKeyMatch, error) {
	s.integrationLookups = append(s.integrationLookups, integrationID)
	return s.fakeStore.FindIntegrationKey(ctx, integrationID, hash)
}

func (s *fzStore) FindAPIKeyByHash(ctx context.Context, hash []byte) (store.APIKeyRow, error) {
	s.apiKeyLookups++
	return s.fakeStore.FindAPIKeyByHash(ctx, hash)
}

// fzFixture returns an engine at t0 on a store holding: a live key of an
// enabled integration, a key of a disabled integration (it verifies), a
// revoked key, a key whose integration is deleted, a key whose integration
// belongs to tenant B, and API keys that are live, revoked, frozen and
// expired.
func fzFixture(t testing.TB) (*Engine, *fzStore) {
	s := &fzStore{fakeStore: newFakeStore()}
	s.integrations[fzIntegLive] = store.IntegrationRow{ID: fzIntegLive, TenantID: tenantA, Name: "live", Status: StatusEnabled, RateLimitRPM: 60}
	s.integrations[fzIntegDisabled] = store.IntegrationRow{ID: fzIntegDisabled, TenantID: tenantA, Name: "off", Status: StatusDisabled}
	s.integrations[fzIntegOtherTen] = store.IntegrationRow{ID: fzIntegOtherTen, TenantID: tenantB, Name: "b", Status: StatusEnabled}
	revokedAt := t0.Add(-time.Hour)
	key := func(id, integ, tenant, secret string, revoked *time.Time) store.IntegrationKeyRow {
		return store.IntegrationKeyRow{ID: id, TenantID: tenant, IntegrationID: integ, SecretHash: hashSecret(secret), RevokedAt: revoked}
	}
	s.keys = []store.IntegrationKeyRow{
		key("key-live", fzIntegLive, tenantA, fzSecretLive, nil),
		key("key-disabled", fzIntegDisabled, tenantA, fzSecretDisabled, nil),
		key("key-revoked", fzIntegLive, tenantA, fzSecretRevoked, &revokedAt),
		key("key-deleted", fzIntegDeleted, tenantA, fzSecretDeleted, nil),
		// A key row naming tenant A on tenant B's integration.
		key("key-other", fzIntegOtherTen, tenantA, fzSecretOtherTen, nil),
	}
	expired := t0.Add(-time.Minute)
	apiKey := func(id, k, status string, frozen bool, expires *time.Time) store.APIKeyRow {
		return store.APIKeyRow{ID: id, TenantID: tenantA, Name: id, Prefix: k[:displayPrefixLen], SecretHash: hashSecret(k),
			Scopes: []string{"telemetry:read"}, Status: status, Frozen: frozen, ExpiresAt: expires, CreatedAt: t0.Add(-time.Hour)}
	}
	s.apiKeys = []store.APIKeyRow{
		apiKey("api-live", fzAPIKeyLive, APIKeyActive, false, nil),
		apiKey("api-revoked", fzAPIKeyRevoked, APIKeyRevoked, false, nil),
		apiKey("api-frozen", fzAPIKeyFrozen, APIKeyActive, true, nil),
		apiKey("api-expired", fzAPIKeyExpired, APIKeyActive, false, &expired),
	}
	e, err := NewEngine(s, func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	return e, s
}

// fzRefusal checks that err is the one refusal of a credential, with
// reason, and returns it as text for comparing verdicts.
func fzRefusal(t *testing.T, key string, err error, reason string) string {
	t.Helper()
	fe, ok := fault.As(err)
	switch {
	case !ok:
		t.Fatalf("%q: error %T %v is not a *fault.Error (it would be 500 INTERNAL)", key, err, err)
	case fe.Kind != fault.KindUnauthenticated || fe.Code != fault.CodeInvalidCredentials:
		t.Fatalf("%q: refused with %s/%s (%v), want unauthenticated/INVALID_CREDENTIALS", key, fe.Kind, fe.Code, err)
	case fe.Details["reason"] != reason || len(fe.Details) != 1:
		t.Fatalf("%q: details %v, want exactly reason %s", key, fe.Details, reason)
	case fe.Message != "the credential is not valid":
		t.Fatalf("%q: message %q tells more than that the credential is not valid", key, fe.Message)
	}
	return fe.Code + "|" + fe.Message + "|" + reason
}

// fzKeySeeds are hostile key texts shared by both targets.
var fzKeySeeds = []string{
	"", " ", ":", "::", ":::", "a:b:c", "aos_", "aos", "AOS_x", " aos_x", "aos_x ", "aos_\x00", "aos_\xff\xfe",
	"aos_\xed\xa0\x80", "\x00", "x\xff", "x\xfe", "\xed\xa0\x80", "<script>&</script>", "null", "\"quoted\"",
	"Bearer x", "aos_" + strings.Repeat("x", 196), "aos_" + strings.Repeat("x", 197), "1e1000000", "-0",
}

// FuzzVerifyIntegrationKey: see the file comment; an integration key is
// malformed unless it has exactly three ':'-separated parts, the first two
// UUIDs and the last non-empty.
func FuzzVerifyIntegrationKey(f *testing.F) {
	k := func(tenant, integ, secret string) string { return tenant + ":" + integ + ":" + secret }
	for _, s := range append([]string{
		k(tenantA, fzIntegLive, fzSecretLive),                              // verifies
		k(tenantA, fzIntegDisabled, fzSecretDisabled),                      // verifies: disabled is decided later
		k(tenantA, fzIntegLive, fzSecretRevoked),                           // revoked
		k(tenantA, fzIntegDeleted, fzSecretDeleted),                        // deleted integration
		k(tenantA, fzIntegOtherTen, fzSecretOtherTen),                      // integration of another tenant
		k(tenantB, fzIntegOtherTen, fzSecretOtherTen),                      // the key row names another tenant
		k(tenantB, fzIntegLive, fzSecretLive),                              // another tenant named
		k(tenantA, fzIntegDisabled, fzSecretLive),                          // another integration's secret
		k(tenantA, fzIntegLive, fzSecretLive+"x"),                          // wrong secret
		k(tenantA, fzIntegLive, ""),                                        // empty secret
		k(fzIntegLive, tenantA, fzSecretLive),                              // parts swapped
		k(tenantA, fzIntegLive, fzSecretLive) + ":",                        // four parts
		tenantA + "::" + fzIntegLive + ":" + fzSecretLive,                  // empty part
		k(tenantA, fzIntegLive, fzSecretLive+"\x00"),                       // NUL in the secret
		k(tenantA, fzIntegLive, "x\xff"),                                   // invalid UTF-8 in the secret
		k(strings.ToUpper(tenantA), fzIntegLive, fzSecretLive),             // upper-case UUID
		k(tenantA, strings.ToUpper(fzIntegLive), fzSecretLive),             // upper-case UUID
		k("{"+tenantA+"}", fzIntegLive, fzSecretLive),                      // braced UUID
		k(tenantA, "{"+fzIntegLive+"}", fzSecretLive),                      // braced UUID
		k(strings.ReplaceAll(tenantA, "-", ""), fzIntegLive, fzSecretLive), // UUID without hyphens
		k("urn:uuid:"+tenantA, fzIntegLive, fzSecretLive),                  // URN form: more parts
		k(uuid.Nil.String(), uuid.Nil.String(), "x"),
		k(tenantA, fzIntegLive, "<>&\"'"),
		" " + k(tenantA, fzIntegLive, fzSecretLive),
		k(tenantA, fzIntegLive, fzSecretLive) + "\n",
		k("0193a8e0-0000-7000-8000-00000000000g", fzIntegLive, fzSecretLive), // not hex
	}, fzKeySeeds...) {
		f.Add(s)
	}
	valid := map[string]KeyHolder{
		k(tenantA, fzIntegLive, fzSecretLive): {KeyID: "key-live", TenantID: tenantA, IntegrationID: fzIntegLive,
			IntegrationStatus: StatusEnabled, RateLimitRPM: 60},
		k(tenantA, fzIntegDisabled, fzSecretDisabled): {KeyID: "key-disabled", TenantID: tenantA, IntegrationID: fzIntegDisabled,
			IntegrationStatus: StatusDisabled},
	}
	f.Fuzz(func(t *testing.T, key string) {
		e, s := fzFixture(t)
		holder, err := e.VerifyIntegrationKey(context.Background(), key)
		parts := strings.Split(key, ":")
		malformed := len(parts) != 3 || uuid.Validate(parts[0]) != nil || uuid.Validate(parts[1]) != nil || parts[2] == ""
		verdict := "ok"
		if err != nil {
			verdict = fzRefusal(t, key, err, ReasonIntegrationKeyInvalid)
			if holder != (KeyHolder{}) {
				t.Fatalf("%q: refused with a holder %+v", key, holder)
			}
			if _, ok := valid[key]; ok {
				t.Fatalf("%q: a live key refused: %v", key, err)
			}
		} else if want, ok := valid[key]; !ok || holder != want {
			t.Fatalf("%q verified as %+v; want a refusal, or %+v for a live key", key, holder, want)
		}
		switch {
		case malformed && len(s.integrationLookups) > 0:
			t.Fatalf("malformed key %q reached the store (%q)", key, s.integrationLookups)
		case !malformed && len(s.integrationLookups) != 1:
			t.Fatalf("well-formed key %q looked up %d times", key, len(s.integrationLookups))
		case !malformed && s.integrationLookups[0] != parts[1]:
			t.Fatalf("key %q looked up integration %q", key, s.integrationLookups[0])
		}
		if s.apiKeyLookups != 0 {
			t.Fatalf("an integration key looked up API keys")
		}
		holder2, err2 := e.VerifyIntegrationKey(context.Background(), key)
		verdict2 := "ok"
		if err2 != nil {
			verdict2 = fzRefusal(t, key, err2, ReasonIntegrationKeyInvalid)
		}
		if verdict != verdict2 || holder != holder2 {
			t.Fatalf("%q: not deterministic: %s %+v / %s %+v", key, verdict, holder, verdict2, holder2)
		}
	})
}

// FuzzVerifyAPIKey: see the file comment; an API key is malformed unless it
// starts with aos_, has something after it, and is at most 200 bytes.
func FuzzVerifyAPIKey(f *testing.F) {
	for _, s := range append([]string{
		fzAPIKeyLive, fzAPIKeyRevoked, fzAPIKeyFrozen, fzAPIKeyExpired, // only the first verifies
		fzAPIKeyLive + "x", fzAPIKeyLive[:len(fzAPIKeyLive)-1], strings.ToUpper(fzAPIKeyLive), " " + fzAPIKeyLive,
		fzAPIKeyLive + "\x00", fzAPIKeyLive + "\n", "aos_" + fzAPIKeyLive, strings.TrimPrefix(fzAPIKeyLive, "aos_"),
		tenantA + ":" + fzIntegLive + ":" + fzSecretLive, // an integration key
		"aos_:" + tenantA,
	}, fzKeySeeds...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		e, s := fzFixture(t)
		got, err := e.VerifyAPIKey(context.Background(), key)
		malformed := !strings.HasPrefix(key, "aos_") || len(key) <= len("aos_") || len(key) > 200
		verdict := "ok"
		if err != nil {
			verdict = fzRefusal(t, key, err, ReasonAPIKeyInvalid)
			if !reflect.DeepEqual(got, APIKey{}) {
				t.Fatalf("%q: refused with a key %+v", key, got)
			}
			if key == fzAPIKeyLive {
				t.Fatalf("the live key was refused: %v", err)
			}
		} else if key != fzAPIKeyLive || got.ID != "api-live" || got.TenantID != tenantA || got.Status != APIKeyActive || got.Frozen {
			t.Fatalf("%q verified as %+v; only the live key may", key, got)
		}
		switch {
		case malformed && s.apiKeyLookups > 0:
			t.Fatalf("malformed key %q reached the store", key)
		case !malformed && s.apiKeyLookups != 1:
			t.Fatalf("well-formed key %q looked up %d times", key, s.apiKeyLookups)
		}
		if len(s.integrationLookups) != 0 {
			t.Fatalf("an API key looked up integration keys")
		}
		got2, err2 := e.VerifyAPIKey(context.Background(), key)
		verdict2 := "ok"
		if err2 != nil {
			verdict2 = fzRefusal(t, key, err2, ReasonAPIKeyInvalid)
		}
		if verdict != verdict2 || !reflect.DeepEqual(got, got2) {
			t.Fatalf("%q: not deterministic: %s %+v / %s %+v", key, verdict, got, verdict2, got2)
		}
	})
}
