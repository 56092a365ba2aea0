package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"hoc/l5_engines/fault"
)

// FounderIssuer is the issuer of founder tokens.
const FounderIssuer = "hoc-founder"

// clockLeeway is the clock skew tolerated on exp and iat (SPEC §7).
const clockLeeway = 60 * time.Second

// The details.reason values of INVALID_CREDENTIALS for tokens.
const (
	ReasonJWTInvalid = "jwt_invalid"
	ReasonJWTExpired = "jwt_expired"
	// A bearer token reached a hoc whose matching verifier is off: neither
	// kind is configured, or the token is a founder token (issuer
	// hoc-founder) and founder auth is off, or it names another issuer and
	// customer auth is off. Saying so spares the caller from hunting for
	// what is wrong with a token that is fine.
	ReasonAuthNotConfigured    = "auth_not_configured"
	ReasonFounderAuthDisabled  = "founder_auth_disabled"
	ReasonCustomerAuthDisabled = "customer_auth_disabled"
)

// AuthOff is the INVALID_CREDENTIALS error for a token whose verifier is
// off, with one of the reasons above.
func AuthOff(reason string) error {
	return invalidToken(reason, errors.New("that authentication is not configured"))
}

// Founder is the verified subject of a founder token.
type Founder struct {
	Subject   string
	Reason    string
	ExpiresAt time.Time
}

// FounderTokens issues and verifies founder tokens: HS256 JWTs with issuer
// hoc-founder and the claims sub, iat, exp and a non-empty reason, signed
// with the founder secret. An empty secret turns founder authentication off:
// every token is then invalid and none can be issued.
type FounderTokens struct {
	secret []byte
	now    func() time.Time
}

// NewFounderTokens returns founder token handling with secret; now is the
// clock (nil means time.Now).
func NewFounderTokens(secret string, now func() time.Time) *FounderTokens {
	if now == nil {
		now = time.Now
	}
	return &FounderTokens{secret: []byte(secret), now: now}
}

// Enabled reports whether founder authentication is configured.
func (f *FounderTokens) Enabled() bool { return len(f.secret) > 0 }

type founderClaims struct {
	jwt.RegisteredClaims
	Reason string `json:"reason"`
}

// Issue mints a founder token for subject, valid for ttl.
func (f *FounderTokens) Issue(subject, reason string, ttl time.Duration) (string, error) {
	switch {
	case !f.Enabled():
		return "", errors.New("founder secret is not configured (HOC_FOUNDER_SECRET)")
	case strings.TrimSpace(subject) == "" || strings.TrimSpace(reason) == "":
		return "", errors.New("a founder token needs a subject and a reason")
	case ttl <= 0:
		return "", errors.New("a founder token needs a positive ttl")
	}
	now := f.now()
	claims := founderClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    FounderIssuer,
			Subject:   subject,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Reason: reason,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(f.secret)
}

// Verify checks a founder token in the order SPEC §7 gives: signature and
// algorithm first (anything but HS256 is invalid), then the required claims,
// then expiry, so that only an otherwise valid token is reported expired.
// Claims are read strictly: iat and exp must be JSON numbers (a number in a
// string is refused), sub and reason strings with more than blanks in them.
func (f *FounderTokens) Verify(token string) (Founder, error) {
	if !f.Enabled() {
		return Founder{}, invalidToken(ReasonJWTInvalid, errors.New("founder authentication is off"))
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return f.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithoutClaimsValidation())
	if err != nil {
		return Founder{}, invalidToken(ReasonJWTInvalid, err)
	}
	iss, errIss := claims.GetIssuer()
	sub, errSub := claims.GetSubject()
	iat, errIat := claims.GetIssuedAt()
	exp, errExp := claims.GetExpirationTime()
	if err := errors.Join(errIss, errSub, errIat, errExp); err != nil {
		return Founder{}, invalidToken(ReasonJWTInvalid, err)
	}
	reason, _ := claims["reason"].(string)
	now := f.now()
	switch {
	case iss != FounderIssuer:
		return Founder{}, invalidToken(ReasonJWTInvalid, fmt.Errorf("issuer %q", iss))
	case strings.TrimSpace(sub) == "":
		return Founder{}, invalidToken(ReasonJWTInvalid, errors.New("missing sub"))
	case iat == nil || exp == nil:
		return Founder{}, invalidToken(ReasonJWTInvalid, errors.New("missing iat or exp"))
	case !saneDate(iat) || !saneDate(exp):
		return Founder{}, invalidToken(ReasonJWTInvalid, errors.New("iat or exp out of range"))
	case strings.TrimSpace(reason) == "":
		return Founder{}, invalidToken(ReasonJWTInvalid, errors.New("missing or blank reason"))
	case iat.After(now.Add(clockLeeway)):
		return Founder{}, invalidToken(ReasonJWTInvalid, errors.New("issued in the future"))
	case !now.Before(exp.Add(clockLeeway)):
		return Founder{}, invalidToken(ReasonJWTExpired, errors.New("expired"))
	}
	return Founder{Subject: sub, Reason: reason, ExpiresAt: exp.Time}, nil
}

// saneDate reports whether a token date lies between 1970 and the year 9999.
// jwt converts seconds to a time through an int64, so a value beyond it (say
// 1e300) comes out far in the past: an exp would read as expired and an iat
// or nbf as long ago, where the token is simply malformed.
func saneDate(d *jwt.NumericDate) bool {
	return d == nil || d.Unix() >= 0 && d.Year() <= 9999
}

// invalidToken is the one error for a bad token; the cause stays in the logs.
func invalidToken(reason string, cause error) *fault.Error {
	return fault.New(fault.KindUnauthenticated, fault.CodeInvalidCredentials, "the credential is not valid").
		WithDetail("reason", reason).WithCause(cause)
}
