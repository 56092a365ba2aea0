package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	api "hoc/l2_api"
)

const (
	testIssuer   = "https://id.example.test/"
	testAudience = "hoc-dashboard"
)

// oidcFixture is an identity provider made in the test: an RSA key whose
// public half is in a JWKS file the server reads.
type oidcFixture struct {
	key *rsa.PrivateKey
	kid string
}

func newOIDC(t *testing.T, cfg *Config) oidcFixture {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := oidcFixture{key: key, kid: "test-key-1"}
	jwks := map[string]any{"keys": []any{map[string]any{
		"kty": "RSA", "kid": f.kid, "use": "sig", "alg": "RS256",
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
	}}}
	raw := mustJSON(t, jwks)
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.OIDC = OIDCConfig{Issuer: testIssuer, Audience: testAudience, JWKSFile: path, TenantClaim: "org_id"}
	return f
}

// token signs claims (defaults for a valid token, changed by mod) with key.
func (f oidcFixture) token(t *testing.T, key *rsa.PrivateKey, mod func(jwt.MapClaims)) []string {
	t.Helper()
	now := time.Now()
	claims := jwt.MapClaims{"iss": testIssuer, "aud": testAudience, "sub": "user-1", "org_id": "org_acme",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	if mod != nil {
		mod(claims)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = f.kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return []string{"Authorization", "Bearer " + s}
}

func TestCustomerAuth_SessionContextAndIdentityVerified(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, "sqlite")
	idp := newOIDC(t, &cfg)
	h := newHarnessWithConfig(t, cfg)
	r := h.do(http.MethodPost, "/api/v1/fdr/tenants", map[string]any{"name": "Acme", "external_org_id": "org_acme"}, h.founder()...)
	var tenant api.TenantJSON
	r.decode(t, &tenant)

	var s sessionOut
	resp := h.do(http.MethodGet, "/api/v1/session/context", nil, idp.token(t, idp.key, nil)...)
	resp.decode(t, &s)
	if resp.Status != 200 || s.ActorType != "customer" || *s.TenantID != tenant.ID || s.TenantName == nil || *s.TenantName != "Acme" || len(s.Capabilities) != 0 ||
		*s.LifecycleState != "ACTIVE" || *s.OnboardingState != "IDENTITY_VERIFIED" {
		t.Fatalf("customer session: %s", resp.Raw)
	}
	// The org claim may also name the tenant by id.
	byID := idp.token(t, idp.key, func(c jwt.MapClaims) { c["org_id"] = tenant.ID })
	if r := h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, byID...); r.Status != 200 {
		t.Fatalf("customer reads telemetry: %s", r.Raw)
	}
	unknown := idp.token(t, idp.key, func(c jwt.MapClaims) { c["org_id"] = "org_nobody" })
	r = h.do(http.MethodGet, "/api/v1/session/context", nil, unknown...)
	r.expectError(t, 403, "FORBIDDEN")
	if r.Error.Details["reason"] != "tenant_not_provisioned" {
		t.Fatalf("unknown org: %s", r.Raw)
	}
	// Founder routes stay founders' only.
	h.do(http.MethodGet, "/api/v1/fdr/tenants", nil, idp.token(t, idp.key, nil)...).expectError(t, 403, "FORBIDDEN")
}

func TestCustomerAuth_TokenRefusals(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, "sqlite")
	idp := newOIDC(t, &cfg)
	h := newHarnessWithConfig(t, cfg)
	h.do(http.MethodPost, "/api/v1/fdr/tenants", map[string]any{"name": "Acme", "external_org_id": "org_acme"}, h.founder()...)
	stranger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		headers []string
		reason  string
	}{
		{"key not in the JWKS", idp.token(t, stranger, nil), "jwt_invalid"},
		{"wrong audience", idp.token(t, idp.key, func(c jwt.MapClaims) { c["aud"] = "someone-else" }), "jwt_invalid"},
		{"expired", idp.token(t, idp.key, func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() }), "jwt_expired"},
		{"another issuer", idp.token(t, idp.key, func(c jwt.MapClaims) { c["iss"] = "https://evil.test/" }), "jwt_invalid"},
		{"no org claim", idp.token(t, idp.key, func(c jwt.MapClaims) { delete(c, "org_id") }), "jwt_invalid"},
	}
	for _, tc := range cases {
		r := h.do(http.MethodGet, "/api/v1/session/context", nil, tc.headers...)
		r.expectError(t, 401, "INVALID_CREDENTIALS")
		if r.Error.Details["reason"] != tc.reason {
			t.Errorf("%s: reason %v, want %s", tc.name, r.Error.Details["reason"], tc.reason)
		}
	}
	// Founder tokens still work beside OIDC.
	if r := h.do(http.MethodGet, "/api/v1/fdr/tenants", nil, h.founder()...); r.Status != 200 {
		t.Fatalf("founder with OIDC on: %s", r.Raw)
	}
}

// TestAuth_ATokenForAnAuthenticationThatIsOffSaysSo: the 401 names the
// mode that is off instead of calling a good token invalid.
func TestAuth_ATokenForAnAuthenticationThatIsOffSaysSo(t *testing.T) {
	t.Parallel()
	founderToken, err := newFounderTokens(Config{FounderSecret: testSecret}).Issue("bob", "ops", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	refused := func(h *harness, auth []string, reason string) {
		t.Helper()
		r := h.do(http.MethodGet, "/api/v1/session/context", nil, auth...)
		r.expectError(t, http.StatusUnauthorized, "INVALID_CREDENTIALS")
		if got := r.reason(); got != reason {
			t.Errorf("reason %v, want %s", got, reason)
		}
	}

	cfg := testConfig(t, "sqlite")
	cfg.FounderSecret = ""
	neither := newHarnessWithConfig(t, cfg)
	refused(neither, bearer(founderToken), "auth_not_configured")

	cfg = testConfig(t, "sqlite")
	idp := newOIDC(t, &cfg)
	cfg.FounderSecret = ""
	customersOnly := newHarnessWithConfig(t, cfg)
	refused(customersOnly, bearer(founderToken), "founder_auth_disabled")

	foundersOnly := newHarness(t, "sqlite")
	refused(foundersOnly, idp.token(t, idp.key, nil), "customer_auth_disabled")
	refused(foundersOnly, bearer("not.a.jwt"), "jwt_invalid")
	if r := foundersOnly.do(http.MethodGet, "/api/v1/session/context", nil, bearer(founderToken)...); r.Status != http.StatusOK {
		t.Fatalf("a founder token with founder auth on: %d %s", r.Status, r.Raw)
	}
}
