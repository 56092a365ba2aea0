package auth

import (
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func TestPeekIssuer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		token string
		want  string
	}{
		{"customer token", signCustomer(t, key("ec"), customerClaims()), testIssuer},
		{"founder token", sign(t, jwt.SigningMethodHS256, []byte(secret), validClaims()), FounderIssuer},
		{"signature not checked", signCustomer(t, key("rsa-evil"), claimsWith("iss", "https://anyone.test/")), "https://anyone.test/"},
		{"no iss", signCustomer(t, key("rsa"), claimsWithout("iss")), ""},
		{"iss not a string", signCustomer(t, key("rsa"), claimsWith("iss", 7)), ""},
		{"garbage", "not.a.jwt", ""},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := PeekIssuer(tc.token); got != tc.want {
				t.Fatalf("PeekIssuer = %q, want %q", got, tc.want)
			}
		})
	}
}
