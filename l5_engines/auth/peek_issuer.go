package auth

import "github.com/golang-jwt/jwt/v5"

// PeekIssuer returns the unverified iss claim of a JWT, or "" when the token
// cannot be read. It only routes a token to the verifier of that issuer;
// nothing read here is trusted, the chosen verifier checks everything again.
func PeekIssuer(token string) string {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		return ""
	}
	iss, err := claims.GetIssuer()
	if err != nil {
		return ""
	}
	return iss
}
