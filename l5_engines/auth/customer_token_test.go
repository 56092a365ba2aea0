package auth

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"hoc/l5_engines/fault"
)

func wantReason(t *testing.T, err error, reason string) {
	t.Helper()
	fe, ok := fault.As(err)
	if !ok || fe.Code != fault.CodeInvalidCredentials || fe.Details["reason"] != reason {
		t.Fatalf("err = %v, want INVALID_CREDENTIALS/%s", err, reason)
	}
}

func TestCustomerTokens_VerifiesRS256AndES256(t *testing.T) {
	t.Parallel()
	srv := newJWKSServer(t, key("rsa"), key("ec"))
	c := newCustomerTokens(t, urlConfig(srv), fixedClock(t0))
	for _, name := range []string{"rsa", "ec"} {
		t.Run(name, func(t *testing.T) {
			got, err := c.Verify(t.Context(), signCustomer(t, key(name), customerClaims()))
			if err != nil || got.Subject != "user-1" || got.OrgID != "org-42" || !got.ExpiresAt.Equal(t0.Add(time.Hour)) {
				t.Fatalf("Verify = %+v, %v", got, err)
			}
		})
	}
}

func TestCustomerTokens_AudienceListContainingOurs(t *testing.T) {
	t.Parallel()
	c := newCustomerTokens(t, urlConfig(newJWKSServer(t, key("rsa"))), fixedClock(t0))
	tok := signCustomer(t, key("rsa"), claimsWith("aud", []string{"other-api", testAudience}))
	if _, err := c.Verify(t.Context(), tok); err != nil {
		t.Fatalf("token for [other-api hoc-api] refused: %v", err)
	}
}

func TestCustomerTokens_Rejections(t *testing.T) {
	t.Parallel()
	c := newCustomerTokens(t, urlConfig(newJWKSServer(t, key("rsa"), key("ec"), key("rsa-1024"))), fixedClock(t0))
	rsaPEM := func() []byte {
		der, err := x509.MarshalPKIXPublicKey(key("rsa").priv.Public())
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}()
	hs256 := func(secret []byte) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, customerClaims())
		tok.Header["kid"] = key("rsa").kid
		s, err := tok.SignedString(secret)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	noKid := func() string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, customerClaims()).SignedString(key("rsa").priv)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}()
	rs := func(claims jwt.MapClaims) string { return signCustomer(t, key("rsa"), claims) }
	cases := []struct {
		name   string
		token  string
		reason string
	}{
		{"key not in the JWKS", signCustomer(t, key("rsa-evil"), customerClaims()), ReasonJWTInvalid},
		{"known kid, other key", signCustomer(t, key("rsa-evil").withKid("rsa-1"), customerClaims()), ReasonJWTInvalid},
		{"ES256 naming an RSA key", signCustomer(t, key("ec").withKid("rsa-1"), customerClaims()), ReasonJWTInvalid},
		{"RSA key shorter than 2048 bits", signCustomer(t, key("rsa-1024"), customerClaims()), ReasonJWTInvalid},
		{"HS256 with the public key as secret", hs256(rsaPEM), ReasonJWTInvalid},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, customerClaims()), ReasonJWTInvalid},
		{"missing kid", noKid, ReasonJWTInvalid},
		{"wrong audience", rs(claimsWith("aud", "other-api")), ReasonJWTInvalid},
		{"missing audience", rs(claimsWithout("aud")), ReasonJWTInvalid},
		{"other issuer", rs(claimsWith("iss", "https://evil.example.test/")), ReasonJWTInvalid},
		{"issuer differs by a slash", rs(claimsWith("iss", "https://id.example.test")), ReasonJWTInvalid},
		{"missing sub", rs(claimsWithout("sub")), ReasonJWTInvalid},
		{"missing exp", rs(claimsWithout("exp")), ReasonJWTInvalid},
		{"exp not a number", rs(claimsWith("exp", "tomorrow")), ReasonJWTInvalid},
		{"missing tenant claim", rs(claimsWithout("org_id")), ReasonJWTInvalid},
		{"empty tenant claim", rs(claimsWith("org_id", "")), ReasonJWTInvalid},
		{"numeric tenant claim", rs(claimsWith("org_id", 42)), ReasonJWTInvalid},
		{"not valid before next hour", rs(claimsWith("nbf", t0.Add(time.Hour).Unix())), ReasonJWTInvalid},
		{"issued in the future", rs(claimsWith("iat", t0.Add(time.Hour).Unix())), ReasonJWTInvalid},
		{"expired", rs(claimsWith("exp", t0.Add(-61*time.Second).Unix())), ReasonJWTExpired},
		{"expired ES256", signCustomer(t, key("ec"), claimsWith("exp", t0.Add(-time.Hour).Unix())), ReasonJWTExpired},
		{"expired and other issuer", rs(jwt.MapClaims{"iss": "x", "aud": testAudience, "sub": "u", "org_id": "o", "exp": t0.Add(-time.Hour).Unix()}), ReasonJWTInvalid},
		{"expired and missing tenant claim", rs(func() jwt.MapClaims { c := claimsWithout("org_id"); c["exp"] = t0.Add(-time.Hour).Unix(); return c }()), ReasonJWTInvalid},
		{"garbage", "not.a.jwt", ReasonJWTInvalid},
		// Dates beyond an int64 of seconds come out of jwt far in the past
		// (found by FuzzCustomerClaims): malformed, not expired or valid.
		{"exp beyond int64", rs(claimsWith("exp", 1e300)), ReasonJWTInvalid},
		{"iat beyond int64", rs(claimsWith("iat", 9.3e18)), ReasonJWTInvalid},
		{"nbf beyond int64", rs(claimsWith("nbf", 1e300)), ReasonJWTInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Verify(t.Context(), tc.token)
			wantReason(t, err, tc.reason)
		})
	}
}

func TestCustomerTokens_LeewayAcceptsJustExpired(t *testing.T) {
	t.Parallel()
	c := newCustomerTokens(t, urlConfig(newJWKSServer(t, key("ec"))), fixedClock(t0))
	tok := signCustomer(t, key("ec"), claimsWith("exp", t0.Add(-30*time.Second).Unix()))
	if _, err := c.Verify(t.Context(), tok); err != nil {
		t.Fatalf("token 30 s past exp refused: %v", err)
	}
}

func TestCustomerTokens_CustomTenantClaim(t *testing.T) {
	t.Parallel()
	cfg := urlConfig(newJWKSServer(t, key("rsa")))
	cfg.TenantClaim = "https://hoc.example.test/tenant"
	c := newCustomerTokens(t, cfg, fixedClock(t0))

	got, err := c.Verify(t.Context(), signCustomer(t, key("rsa"), claimsWith(cfg.TenantClaim, "acme")))
	if err != nil || got.OrgID != "acme" {
		t.Fatalf("Verify = %+v, %v; want org acme", got, err)
	}
	_, err = c.Verify(t.Context(), signCustomer(t, key("rsa"), customerClaims()))
	wantReason(t, err, ReasonJWTInvalid) // org_id alone no longer names the tenant
}

func TestCustomerTokens_FileSource(t *testing.T) {
	t.Parallel()
	path := writeJWKSFile(t, jwksJSON(t, key("rsa"), key("ec")))
	c := newCustomerTokens(t, CustomerConfig{Issuer: testIssuer, Audience: testAudience, JWKSFile: path}, fixedClock(t0))
	for _, name := range []string{"rsa", "ec"} {
		if got, err := c.Verify(t.Context(), signCustomer(t, key(name), customerClaims())); err != nil || got.OrgID != "org-42" {
			t.Fatalf("%s: Verify = %+v, %v", name, got, err)
		}
	}
	_, err := c.Verify(t.Context(), signCustomer(t, key("rsa-next"), customerClaims()))
	wantReason(t, err, ReasonJWTInvalid)
}

func TestCustomerTokens_FileSkipsUnusableKeys(t *testing.T) {
	t.Parallel()
	x448 := map[string]string{"kty": "OKP", "crv": "X448", "x": "AAAA", "kid": "x448"}
	raw, err := json.Marshal(map[string]any{"keys": []map[string]string{x448, key("ec").withKid("").jwk(t), key("rsa").jwk(t)}})
	if err != nil {
		t.Fatal(err)
	}
	c := newCustomerTokens(t, CustomerConfig{Issuer: testIssuer, Audience: testAudience, JWKSFile: writeJWKSFile(t, raw)}, fixedClock(t0))
	if _, err := c.Verify(t.Context(), signCustomer(t, key("rsa"), customerClaims())); err != nil {
		t.Fatalf("RSA key next to unusable ones refused: %v", err)
	}
}

func TestNewCustomerTokens_Configuration(t *testing.T) {
	t.Parallel()
	good := writeJWKSFile(t, jwksJSON(t, key("rsa")))
	cases := []struct {
		name string
		cfg  CustomerConfig
	}{
		{"no audience", CustomerConfig{Issuer: testIssuer, JWKSFile: good}},
		{"no key source", CustomerConfig{Issuer: testIssuer, Audience: testAudience}},
		{"both key sources", CustomerConfig{Issuer: testIssuer, Audience: testAudience, JWKSFile: good, JWKSURL: "https://id.example.test/jwks"}},
		{"URL without scheme", CustomerConfig{Issuer: testIssuer, Audience: testAudience, JWKSURL: "id.example.test/jwks"}},
		{"missing file", CustomerConfig{Issuer: testIssuer, Audience: testAudience, JWKSFile: good + ".missing"}},
		{"file not JSON", CustomerConfig{Issuer: testIssuer, Audience: testAudience, JWKSFile: writeJWKSFile(t, []byte("nope"))}},
		{"file without keys", CustomerConfig{Issuer: testIssuer, Audience: testAudience, JWKSFile: writeJWKSFile(t, []byte(`{"keys":[]}`))}},
		{"file with a broken key", CustomerConfig{Issuer: testIssuer, Audience: testAudience, JWKSFile: writeJWKSFile(t, []byte(`{"keys":[{"kty":"RSA","kid":"k","n":"!!","e":"AQAB"}]}`))}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if c, err := NewCustomerTokens(t.Context(), tc.cfg, nil); err == nil {
				c.Close()
				t.Fatal("NewCustomerTokens accepted the configuration")
			}
		})
	}
}

func TestCustomerTokens_OffWithoutIssuer(t *testing.T) {
	t.Parallel()
	c := newCustomerTokens(t, CustomerConfig{}, fixedClock(t0))
	if c.Enabled() {
		t.Fatal("Enabled without an issuer")
	}
	_, err := c.Verify(t.Context(), signCustomer(t, key("rsa"), customerClaims()))
	wantReason(t, err, ReasonJWTInvalid)
}
