package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	spine "hoc/l4_spine"
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
	// OperationTimeoutMS bounds the operations of one request (SPEC's 503
	// within 5 s for a database that hangs); see spine.OperationTimeout.
	OperationTimeoutMS int
	OIDC               OIDCConfig
	Protection         ProtectionConfig
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
// default, so that the environment, the flags and docs/operating.md's table
// agree.
var configVars = []struct {
	env, flag, def, usage string
	field                 func(*Config) *string
}{
	{"HOC_ADDR", "addr", ":8080", "listen address", func(c *Config) *string { return &c.Addr }},
	{"HOC_DATABASE_URL", "database-url", "sqlite:hoc.db", "sqlite:<path> or postgres://...", func(c *Config) *string { return &c.DatabaseURL }},
	{"HOC_REDIS_URL", "redis-url", "", "Redis URL for protection state shared by replicas (default: process memory)", func(c *Config) *string { return &c.RedisURL }},
	{"HOC_FOUNDER_SECRET", "founder-secret", "", "HS256 secret for founder tokens; founder auth is off when empty", func(c *Config) *string { return &c.FounderSecret }},
	{"HOC_LOG_FORMAT", "log-format", "", "text or json (default: text on a terminal, else json)", func(c *Config) *string { return &c.LogFormat }},
	{"HOC_LOG_LEVEL", "log-level", "", "debug, info, warn or error; debug adds the audit line of every operation (default: info for serve, warn for the other commands)", func(c *Config) *string { return &c.LogLevel }},
	{"HOC_METRICS_MODELS", "metrics-models", "", "comma-separated model names that ingest metrics name; any other model counts as \"other\" (default: the models of the price list hoc ships)", func(c *Config) *string { return &c.MetricsModels }},
	{"HOC_CORS_ORIGINS", "cors-origins", "", "comma-separated browser origins allowed to call the API (e.g. https://dash.example.com); none by default", func(c *Config) *string { return &c.CORSOrigins }},
	{"HOC_OIDC_ISSUER", "oidc-issuer", "", "customer token issuer; customer auth is off when empty", func(c *Config) *string { return &c.OIDC.Issuer }},
	{"HOC_OIDC_AUDIENCE", "oidc-audience", "", "customer token audience", func(c *Config) *string { return &c.OIDC.Audience }},
	{"HOC_OIDC_JWKS_URL", "oidc-jwks-url", "", "customer token signing keys (JWKS URL)", func(c *Config) *string { return &c.OIDC.JWKSURL }},
	{"HOC_OIDC_JWKS_FILE", "oidc-jwks-file", "", "customer token signing keys (JWKS file)", func(c *Config) *string { return &c.OIDC.JWKSFile }},
	{"HOC_OIDC_TENANT_CLAIM", "oidc-tenant-claim", "org_id", "claim naming the customer's organisation", func(c *Config) *string { return &c.OIDC.TenantClaim }},
}

// numberVars and boolVars are the numeric and boolean settings, like
// configVars.
var numberVars = []struct {
	env, flag, usage string
	def              int
	field            func(*Config) *int
}{
	{"HOC_BODY_LIMIT", "body-limit", "request body limit in bytes", 8 << 20, func(c *Config) *int { return &c.BodyLimit }},
	{"HOC_OPERATION_TIMEOUT_MS", "operation-timeout-ms", "how long a request's operations may wait on the database before it is answered 503", 5000, func(c *Config) *int { return &c.OperationTimeoutMS }},
	{"HOC_PROTECTION_ROUTE_RPM", "protection-route-rpm", "requests per minute per tenant and route", 1000, func(c *Config) *int { return &c.Protection.RoutePerMinute }},
	{"HOC_PROTECTION_BURST_RPS", "protection-burst-rps", "requests per second per tenant", 100, func(c *Config) *int { return &c.Protection.BurstPerSecond }},
}

var boolVars = []struct {
	env, flag, usage string
	field            func(*Config) *bool
}{
	{"HOC_PROTECTION_DISABLED", "protection-disabled", "turn request protection off", func(c *Config) *bool { return &c.Protection.Disabled }},
	{"HOC_PROTECTION_FAIL_CLOSED", "protection-fail-closed", "refuse requests when the protection state backend fails", func(c *Config) *bool { return &c.Protection.FailClosed }},
}

// operationTimeout is the configured bound of a request's operations.
func (c Config) operationTimeout() spine.OperationTimeout {
	return spine.OperationTimeout(time.Duration(c.OperationTimeoutMS) * time.Millisecond)
}

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

// defaultConfig is the configuration when nothing is set.
func defaultConfig() Config {
	var c Config
	for _, v := range configVars {
		*v.field(&c) = v.def
	}
	for _, v := range numberVars {
		*v.field(&c) = v.def
	}
	return c
}

// applyEnv overrides c with the environment, except the settings whose
// flag was given: a flag beats its variable, which beats the default.
func (c *Config) applyEnv(flagGiven func(flag string) bool) error {
	for _, v := range configVars {
		if s, ok := os.LookupEnv(v.env); ok && !flagGiven(v.flag) {
			*v.field(c) = s
		}
	}
	for _, v := range numberVars {
		if s := os.Getenv(v.env); s != "" && !flagGiven(v.flag) {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				return fmt.Errorf("%s must be a positive whole number, not %q", v.env, s)
			}
			*v.field(c) = n
		}
	}
	for _, v := range boolVars {
		if s := os.Getenv(v.env); s != "" && !flagGiven(v.flag) {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return fmt.Errorf("%s must be true or false, not %q", v.env, s)
			}
			*v.field(c) = b
		}
	}
	return nil
}

// bindFlags registers every setting as a flag of fs. Help shows the
// built-in defaults, not the environment: c must still hold them.
func (c *Config) bindFlags(fs *pflag.FlagSet) {
	for _, v := range configVars {
		fs.StringVar(v.field(c), v.flag, v.def, v.usage+" ($"+v.env+")")
	}
	for _, v := range numberVars {
		fs.IntVar(v.field(c), v.flag, v.def, v.usage+" ($"+v.env+")")
	}
	for _, v := range boolVars {
		fs.BoolVar(v.field(c), v.flag, false, v.usage+" ($"+v.env+")")
	}
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
