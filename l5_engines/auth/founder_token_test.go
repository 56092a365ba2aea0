package auth

import (
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"hoc/l5_engines/fault"
)

const secret = "test-founder-secret"

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validClaims() jwt.MapClaims {
	return jwt.MapClaims{"iss": FounderIssuer, "sub": "alice", "iat": t0.Unix(), "exp": t0.Add(time.Hour).Unix(), "reason": "support"}
}

func TestFounderTokens_IssueThenVerify(t *testing.T) {
	t.Parallel()
	f := NewFounderTokens(secret, fixedClock(t0))
	tok, err := f.Issue("alice", "incident 42", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Verify(tok)
	if err != nil || got.Subject != "alice" || got.Reason != "incident 42" || !got.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
}

func TestFounderTokens_Rejections(t *testing.T) {
	t.Parallel()
	f := NewFounderTokens(secret, fixedClock(t0))
	without := func(key string) jwt.MapClaims { c := validClaims(); delete(c, key); return c }
	with := func(key string, v any) jwt.MapClaims { c := validClaims(); c[key] = v; return c }
	cases := []struct {
		name   string
		token  string
		reason string
	}{
		{"bad signature", sign(t, jwt.SigningMethodHS256, []byte("other"), validClaims()), ReasonJWTInvalid},
		{"HS512 is not accepted", sign(t, jwt.SigningMethodHS512, []byte(secret), validClaims()), ReasonJWTInvalid},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, validClaims()), ReasonJWTInvalid},
		{"wrong issuer", sign(t, jwt.SigningMethodHS256, []byte(secret), with("iss", "someone")), ReasonJWTInvalid},
		{"missing sub", sign(t, jwt.SigningMethodHS256, []byte(secret), without("sub")), ReasonJWTInvalid},
		{"missing iat", sign(t, jwt.SigningMethodHS256, []byte(secret), without("iat")), ReasonJWTInvalid},
		{"missing exp", sign(t, jwt.SigningMethodHS256, []byte(secret), without("exp")), ReasonJWTInvalid},
		{"missing reason", sign(t, jwt.SigningMethodHS256, []byte(secret), without("reason")), ReasonJWTInvalid},
		{"empty reason", sign(t, jwt.SigningMethodHS256, []byte(secret), with("reason", "")), ReasonJWTInvalid},
		{"blank reason", sign(t, jwt.SigningMethodHS256, []byte(secret), with("reason", " \t")), ReasonJWTInvalid},
		{"reason not a string", sign(t, jwt.SigningMethodHS256, []byte(secret), with("reason", 7)), ReasonJWTInvalid},
		{"blank sub", sign(t, jwt.SigningMethodHS256, []byte(secret), with("sub", " ")), ReasonJWTInvalid},
		{"exp as a string", sign(t, jwt.SigningMethodHS256, []byte(secret), with("exp", fmt.Sprint(t0.Add(time.Hour).Unix()))), ReasonJWTInvalid},
		{"iat as a string", sign(t, jwt.SigningMethodHS256, []byte(secret), with("iat", fmt.Sprint(t0.Unix()))), ReasonJWTInvalid},
		{"exp beyond int64", sign(t, jwt.SigningMethodHS256, []byte(secret), with("exp", 1e300)), ReasonJWTInvalid},
		{"iat beyond int64", sign(t, jwt.SigningMethodHS256, []byte(secret), with("iat", 9.3e18)), ReasonJWTInvalid},
		{"expired", sign(t, jwt.SigningMethodHS256, []byte(secret), with("exp", t0.Add(-61*time.Second).Unix())), ReasonJWTExpired},
		{"expired and wrong issuer", sign(t, jwt.SigningMethodHS256, []byte(secret), jwt.MapClaims{"iss": "x", "sub": "a", "iat": t0.Unix(), "exp": t0.Add(-time.Hour).Unix(), "reason": "r"}), ReasonJWTInvalid},
		{"garbage", "not.a.jwt", ReasonJWTInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Verify(tc.token)
			fe, ok := fault.As(err)
			if !ok || fe.Code != fault.CodeInvalidCredentials || fe.Details["reason"] != tc.reason {
				t.Fatalf("err = %v, want INVALID_CREDENTIALS/%s", err, tc.reason)
			}
		})
	}
}

func TestFounderTokens_LeewayAcceptsJustExpired(t *testing.T) {
	t.Parallel()
	f := NewFounderTokens(secret, fixedClock(t0))
	tok := sign(t, jwt.SigningMethodHS256, []byte(secret), func() jwt.MapClaims { c := validClaims(); c["exp"] = t0.Add(-30 * time.Second).Unix(); return c }())
	if _, err := f.Verify(tok); err != nil {
		t.Fatalf("token 30 s past exp refused: %v", err)
	}
}

func TestFounderTokens_OffWithoutSecret(t *testing.T) {
	t.Parallel()
	f := NewFounderTokens("", fixedClock(t0))
	if _, err := f.Issue("a", "b", time.Hour); err == nil {
		t.Fatal("Issue without a secret must fail")
	}
	if _, err := f.Verify(sign(t, jwt.SigningMethodHS256, []byte(""), validClaims())); fault.KindOf(err) != fault.KindUnauthenticated {
		t.Fatalf("Verify without a secret = %v", err)
	}
}
