package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"hoc/l5_engines/fault"
)

// The defaults of CustomerConfig.
const (
	DefaultTenantClaim        = "org_id"
	defaultJWKSTimeout        = 10 * time.Second
	defaultRefreshInterval    = time.Hour
	defaultMinRefreshInterval = time.Minute
)

// customerAlgs are the only signature algorithms accepted from the identity
// provider; symmetric ones would let anyone holding the public JWKS sign.
var customerAlgs = []string{jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg()}

// CustomerConfig configures customer token verification; Issuer == "" turns
// it off.
type CustomerConfig struct {
	Issuer      string // HOC_OIDC_ISSUER: the only accepted iss
	Audience    string // HOC_OIDC_AUDIENCE: must be in aud
	JWKSURL     string // HOC_OIDC_JWKS_URL, or
	JWKSFile    string // HOC_OIDC_JWKS_FILE; exactly one of the two when Issuer is set
	TenantClaim string // HOC_OIDC_TENANT_CLAIM, default "org_id"
	// HTTPClient fetches the JWKS; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
	// RefreshInterval is how often the JWKS URL is fetched again; default 1 h.
	RefreshInterval time.Duration
	// MinRefreshInterval bounds the fetches triggered by unknown kids, so
	// that tokens with random kids cannot make us hammer the JWKS endpoint;
	// default 1 min.
	MinRefreshInterval time.Duration
}

// Customer is the verified subject of a customer token.
type Customer struct {
	Subject   string
	OrgID     string // the value of the tenant claim, not yet resolved to a tenant
	ExpiresAt time.Time
}

// CustomerTokens verifies the OIDC tokens of human customers: RS256 or ES256
// JWTs from one issuer, for one audience, signed by a key of the issuer's
// JWKS chosen by kid.
type CustomerTokens struct {
	issuer      string
	audience    string
	tenantClaim string
	keys        keySource // nil when off
	remote      *remoteKeys
	now         func() time.Time
}

// NewCustomerTokens returns customer token verification for cfg; now is the
// clock (nil means time.Now). A JWKS file is read now and must be valid. A
// JWKS URL is fetched in the background, then refreshed until Close; an
// unreachable URL does not fail the constructor, the first token that
// needs the keys fetches again. ctx only lends its values to the fetches.
func NewCustomerTokens(ctx context.Context, cfg CustomerConfig, now func() time.Time) (*CustomerTokens, error) {
	if now == nil {
		now = time.Now
	}
	c := &CustomerTokens{issuer: cfg.Issuer, audience: cfg.Audience, tenantClaim: cfg.TenantClaim, now: now}
	if cfg.Issuer == "" {
		return c, nil
	}
	if c.tenantClaim == "" {
		c.tenantClaim = DefaultTenantClaim
	}
	switch {
	case cfg.Audience == "":
		return nil, errors.New("HOC_OIDC_AUDIENCE is required when HOC_OIDC_ISSUER is set")
	case (cfg.JWKSURL == "") == (cfg.JWKSFile == ""):
		return nil, errors.New("exactly one of HOC_OIDC_JWKS_URL and HOC_OIDC_JWKS_FILE is required when HOC_OIDC_ISSUER is set")
	case cfg.JWKSFile != "":
		raw, err := os.ReadFile(cfg.JWKSFile)
		if err != nil {
			return nil, fmt.Errorf("read HOC_OIDC_JWKS_FILE: %w", err)
		}
		set, err := parseJWKS(raw)
		if err != nil {
			return nil, fmt.Errorf("HOC_OIDC_JWKS_FILE %s: %w", cfg.JWKSFile, err)
		}
		c.keys = set
		return c, nil
	}
	if u, err := url.Parse(cfg.JWKSURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("HOC_OIDC_JWKS_URL %q is not an http(s) URL", cfg.JWKSURL)
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: defaultJWKSTimeout}
	}
	timeout := client.Timeout
	if timeout <= 0 {
		timeout = defaultJWKSTimeout
	}
	c.remote = newRemoteKeys(ctx, cfg.JWKSURL, client, timeout,
		positiveOr(cfg.RefreshInterval, defaultRefreshInterval),
		positiveOr(cfg.MinRefreshInterval, defaultMinRefreshInterval), now)
	c.keys = c.remote
	return c, nil
}

func positiveOr(d, fallback time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return fallback
}

// Enabled reports whether customer authentication is configured.
func (c *CustomerTokens) Enabled() bool { return c.keys != nil }

// Close stops the background JWKS refresh, if any, and waits for it.
func (c *CustomerTokens) Close() {
	if c.remote != nil {
		c.remote.close()
	}
}

// Verify checks a customer token like a founder token (SPEC §7): signature,
// algorithm and key first, then the claims, then expiry, so that only an
// otherwise valid token is reported expired. It waits for a JWKS fetch at
// most as long as ctx and the HTTP client's timeout allow.
func (c *CustomerTokens) Verify(ctx context.Context, token string) (Customer, error) {
	if !c.Enabled() {
		return Customer{}, invalidToken(ReasonJWTInvalid, errors.New("customer authentication is off"))
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid == "" {
			return nil, errors.New("missing kid")
		}
		return c.keys.keyFor(ctx, t)
	}, jwt.WithValidMethods(customerAlgs), jwt.WithoutClaimsValidation())
	if err != nil {
		if fe, ok := fault.As(err); ok && fe.Kind == fault.KindUnavailable {
			return Customer{}, fe
		}
		return Customer{}, invalidToken(ReasonJWTInvalid, err)
	}
	return c.checkClaims(claims)
}

// checkClaims applies the claim rules to a token whose signature holds.
func (c *CustomerTokens) checkClaims(claims jwt.MapClaims) (Customer, error) {
	iss, errIss := claims.GetIssuer()
	aud, errAud := claims.GetAudience()
	sub, errSub := claims.GetSubject()
	exp, errExp := claims.GetExpirationTime()
	nbf, errNbf := claims.GetNotBefore()
	iat, errIat := claims.GetIssuedAt()
	if err := errors.Join(errIss, errAud, errSub, errExp, errNbf, errIat); err != nil {
		return Customer{}, invalidToken(ReasonJWTInvalid, err)
	}
	org, _ := claims[c.tenantClaim].(string)
	now := c.now()
	switch {
	case iss != c.issuer:
		return Customer{}, invalidToken(ReasonJWTInvalid, fmt.Errorf("issuer %q", iss))
	case !slices.Contains(aud, c.audience):
		return Customer{}, invalidToken(ReasonJWTInvalid, fmt.Errorf("audience %q", aud))
	case sub == "":
		return Customer{}, invalidToken(ReasonJWTInvalid, errors.New("missing sub"))
	case exp == nil:
		return Customer{}, invalidToken(ReasonJWTInvalid, errors.New("missing exp"))
	case !saneDate(exp) || !saneDate(nbf) || !saneDate(iat):
		return Customer{}, invalidToken(ReasonJWTInvalid, errors.New("exp, nbf or iat out of range"))
	case org == "":
		return Customer{}, invalidToken(ReasonJWTInvalid, fmt.Errorf("missing or non-string tenant claim %q", c.tenantClaim))
	case nbf != nil && nbf.After(now.Add(clockLeeway)):
		return Customer{}, invalidToken(ReasonJWTInvalid, errors.New("not valid yet"))
	case iat != nil && iat.After(now.Add(clockLeeway)):
		return Customer{}, invalidToken(ReasonJWTInvalid, errors.New("issued in the future"))
	case !now.Before(exp.Add(clockLeeway)):
		return Customer{}, invalidToken(ReasonJWTExpired, errors.New("expired"))
	}
	return Customer{Subject: sub, OrgID: org, ExpiresAt: exp.Time}, nil
}
