package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hoc/testkit"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testIssuer   = "https://id.example.test/"
	testAudience = "hoc-api"
)

// testKey is a signing key of the test identity provider.
type testKey struct {
	kid    string
	method jwt.SigningMethod
	priv   crypto.Signer
}

func mustRSA(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return k
}

func mustP256() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

// The keys are generated once: RSA generation is slow under -race.
var testKeys = sync.OnceValue(func() map[string]testKey {
	return map[string]testKey{
		"rsa":      {kid: "rsa-1", method: jwt.SigningMethodRS256, priv: mustRSA(2048)},
		"rsa-next": {kid: "rsa-2", method: jwt.SigningMethodRS256, priv: mustRSA(2048)},
		"rsa-evil": {kid: "rsa-evil", method: jwt.SigningMethodRS256, priv: mustRSA(2048)},
		"rsa-1024": {kid: "rsa-short", method: jwt.SigningMethodRS256, priv: mustRSA(1024)},
		"ec":       {kid: "ec-1", method: jwt.SigningMethodES256, priv: mustP256()},
	}
})

func key(name string) testKey { return testKeys()[name] }

// withKid returns k under another kid, e.g. to sign with a key that is not
// published while naming one that is.
func (k testKey) withKid(kid string) testKey { k.kid = kid; return k }

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jwk renders the public half of k as a JWK.
func (k testKey) jwk(t *testing.T) map[string]string {
	t.Helper()
	switch pub := k.priv.Public().(type) {
	case *rsa.PublicKey:
		return map[string]string{"kty": "RSA", "kid": k.kid, "use": "sig", "alg": "RS256",
			"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())}
	case *ecdsa.PublicKey:
		point, err := pub.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"kty": "EC", "kid": k.kid, "crv": "P-256", "x": b64(point[1:33]), "y": b64(point[33:])}
	}
	t.Fatalf("unexpected key type %T", k.priv)
	return nil
}

func jwksJSON(t *testing.T, keys ...testKey) []byte {
	t.Helper()
	list := make([]map[string]string, len(keys))
	for i, k := range keys {
		list[i] = k.jwk(t)
	}
	raw, err := json.Marshal(map[string]any{"keys": list})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func writeJWKSFile(t *testing.T, raw []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// customerClaims are the claims of a valid customer token at t0.
func customerClaims() jwt.MapClaims {
	return jwt.MapClaims{"iss": testIssuer, "aud": testAudience, "sub": "user-1", "org_id": "org-42",
		"iat": t0.Unix(), "exp": t0.Add(time.Hour).Unix()}
}

func claimsWith(key string, v any) jwt.MapClaims { c := customerClaims(); c[key] = v; return c }
func claimsWithout(key string) jwt.MapClaims     { c := customerClaims(); delete(c, key); return c }

func signCustomer(t *testing.T, k testKey, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(k.method, claims)
	tok.Header["kid"] = k.kid
	s, err := tok.SignedString(k.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// jwksServer is the test identity provider's JWKS endpoint; it counts its
// hits and can change what it serves. URL and client reach it.
type jwksServer struct {
	URL    string
	client *http.Client
	hits   atomic.Int64
	mu     sync.Mutex
	body   []byte
	status int
}

// newJWKSServer serves keys on a real listener, closed when the test ends.
func newJWKSServer(t *testing.T, keys ...testKey) *jwksServer {
	t.Helper()
	s := &jwksServer{status: http.StatusOK}
	s.serve(t, keys...)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL, s.client = srv.URL, srv.Client()
	return s
}

// newMemoryJWKS serves keys without a socket, so that the client can run
// inside a testing/synctest bubble (see testkit.HandlerTransport).
func newMemoryJWKS(t *testing.T, keys ...testKey) *jwksServer {
	t.Helper()
	s := &jwksServer{status: http.StatusOK}
	s.serve(t, keys...)
	s.URL, s.client = "https://id.example.test/.well-known/jwks.json", &http.Client{Transport: testkit.HandlerTransport{Handler: s}}
	return s
}

// ServeHTTP answers with the current body and status and counts the hit.
func (s *jwksServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.hits.Add(1)
	s.mu.Lock()
	status, body := s.status, s.body
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

func (s *jwksServer) serve(t *testing.T, keys ...testKey) {
	raw := jwksJSON(t, keys...)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body = http.StatusOK, raw
}

func (s *jwksServer) fail() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body = http.StatusInternalServerError, []byte("{}")
}

// urlConfig is a configuration that reads keys from s.
func urlConfig(s *jwksServer) CustomerConfig {
	return CustomerConfig{Issuer: testIssuer, Audience: testAudience, JWKSURL: s.URL, HTTPClient: s.client}
}

func newCustomerTokens(t *testing.T, cfg CustomerConfig, now func() time.Time) *CustomerTokens {
	t.Helper()
	c, err := NewCustomerTokens(t.Context(), cfg, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}
