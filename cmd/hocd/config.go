package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Config is hocd's configuration: environment variables (SPEC §2.4), each of
// which a flag of the same meaning overrides.
type Config struct {
	Addr          string
	DatabaseURL   string
	RedisURL      string
	FounderSecret string
	LogFormat     string
	LogLevel      string
	MetricsModels string
	CORSOrigins   string
	BodyLimit     int
	OIDC          OIDCConfig
	Protection    ProtectionConfig
}

// ProtectionConfig overrides request protection's defaults (SPEC §4.2).
type ProtectionConfig struct {
	RoutePerMinute int
	BurstPerSecond int
	FailClosed     bool
	Disabled       bool
}

// OIDCConfig configures customer (human) token verification; an empty
// issuer turns it off.
type OIDCConfig struct {
	Issuer      string
	Audience    string
	JWKSURL     string
	JWKSFile    string
	TenantClaim string
}

// configVars lists every setting with its environment variable, flag and
// default, so that the environment, the flags and the README table agree.
var configVars = []struct {
	env, flag, def, usage string
	field                 func(*Config) *string
}{
	{"HOC_ADDR", "addr", ":8080", "listen address", func(c *Config) *string { return &c.Addr }},
	{"HOC_DATABASE_URL", "database-url", "sqlite:hoc.db", "sqlite:<path> or postgres://...", func(c *Config) *string { return &c.DatabaseURL }},
	{"HOC_REDIS_URL", "redis-url", "", "Redis URL for protection state shared by replicas (default: process memory)", func(c *Config) *string { return &c.RedisURL }},
	{"HOC_FOUNDER_SECRET", "founder-secret", "", "HS256 secret for founder tokens; founder auth is off when empty", func(c *Config) *string { return &c.FounderSecret }},
	{"HOC_LOG_FORMAT", "log-format", "", "text or json (default: text on a terminal, else json)", func(c *Config) *string { return &c.LogFormat }},
	{"HOC_LOG_LEVEL", "log-level", "info", "debug, info, warn or error; debug adds the audit line of every operation", func(c *Config) *string { return &c.LogLevel }},
	{"HOC_METRICS_MODELS", "metrics-models", "", "comma-separated model names that ingest metrics name; any other model counts as \"other\" (default: a list of widely used public models)", func(c *Config) *string { return &c.MetricsModels }},
	{"HOC_CORS_ORIGINS", "cors-origins", "", "comma-separated browser origins allowed to call the API (e.g. https://dash.example.com); none by default", func(c *Config) *string { return &c.CORSOrigins }},
	{"HOC_OIDC_ISSUER", "oidc-issuer", "", "customer token issuer; customer auth is off when empty", func(c *Config) *string { return &c.OIDC.Issuer }},
	{"HOC_OIDC_AUDIENCE", "oidc-audience", "", "customer token audience", func(c *Config) *string { return &c.OIDC.Audience }},
	{"HOC_OIDC_JWKS_URL", "oidc-jwks-url", "", "customer token signing keys (JWKS URL)", func(c *Config) *string { return &c.OIDC.JWKSURL }},
	{"HOC_OIDC_JWKS_FILE", "oidc-jwks-file", "", "customer token signing keys (JWKS file)", func(c *Config) *string { return &c.OIDC.JWKSFile }},
	{"HOC_OIDC_TENANT_CLAIM", "oidc-tenant-claim", "org_id", "claim naming the customer's organisation", func(c *Config) *string { return &c.OIDC.TenantClaim }},
}

// The numeric and boolean settings, read by configFromEnv.
const (
	bodyLimitEnv      = "HOC_BODY_LIMIT"
	routeRPMEnv       = "HOC_PROTECTION_ROUTE_RPM"
	burstRPSEnv       = "HOC_PROTECTION_BURST_RPS"
	failClosedEnv     = "HOC_PROTECTION_FAIL_CLOSED"
	disabledEnv       = "HOC_PROTECTION_DISABLED"
	defaultBodyLimit  = 8 << 20
	defaultRouteRPM   = 1000
	defaultBurstRPS   = 100
	positiveNumberFmt = "%s must be a positive whole number"
)

// list splits a comma-separated setting, dropping empty items.
func list(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// configFromEnv reads the environment.
func configFromEnv() (Config, error) {
	var c Config
	for _, v := range configVars {
		*v.field(&c) = v.def
		if s, ok := os.LookupEnv(v.env); ok {
			*v.field(&c) = s
		}
	}
	for _, v := range []struct {
		env string
		def int
		dst *int
	}{
		{bodyLimitEnv, defaultBodyLimit, &c.BodyLimit},
		{routeRPMEnv, defaultRouteRPM, &c.Protection.RoutePerMinute},
		{burstRPSEnv, defaultBurstRPS, &c.Protection.BurstPerSecond},
	} {
		*v.dst = v.def
		if s := os.Getenv(v.env); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				return Config{}, fmt.Errorf(positiveNumberFmt, v.env)
			}
			*v.dst = n
		}
	}
	for env, dst := range map[string]*bool{failClosedEnv: &c.Protection.FailClosed, disabledEnv: &c.Protection.Disabled} {
		if s := os.Getenv(env); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return Config{}, fmt.Errorf("%s must be true or false", env)
			}
			*dst = b
		}
	}
	return c, nil
}

// bindFlags registers every setting as a flag whose default is the value
// already read from the environment.
func (c *Config) bindFlags(fs *flag.FlagSet) {
	for _, v := range configVars {
		p := v.field(c)
		fs.StringVar(p, v.flag, *p, v.usage+" ($"+v.env+")")
	}
	fs.IntVar(&c.BodyLimit, "body-limit", c.BodyLimit, "request body limit in bytes ($"+bodyLimitEnv+")")
	fs.IntVar(&c.Protection.RoutePerMinute, "protection-route-rpm", c.Protection.RoutePerMinute, "requests per minute per tenant and route ($"+routeRPMEnv+")")
	fs.IntVar(&c.Protection.BurstPerSecond, "protection-burst-rps", c.Protection.BurstPerSecond, "requests per second per tenant ($"+burstRPSEnv+")")
	fs.BoolVar(&c.Protection.Disabled, "protection-disabled", c.Protection.Disabled, "turn request protection off ($"+disabledEnv+")")
	fs.BoolVar(&c.Protection.FailClosed, "protection-fail-closed", c.Protection.FailClosed, "refuse requests when the protection state backend fails ($"+failClosedEnv+")")
}

func (c Config) validate() error {
	switch c.LogFormat {
	case "", "text", "json":
	default:
		return fmt.Errorf("log format must be text or json, not %q", c.LogFormat)
	}
	switch strings.ToLower(c.LogLevel) {
	case "", "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log level must be debug, info, warn or error, not %q", c.LogLevel)
	}
	if o := c.OIDC; o.Issuer != "" && (o.Audience == "" || (o.JWKSURL == "") == (o.JWKSFile == "")) {
		return fmt.Errorf("HOC_OIDC_ISSUER needs HOC_OIDC_AUDIENCE and exactly one of HOC_OIDC_JWKS_URL or HOC_OIDC_JWKS_FILE")
	}
	return nil
}
