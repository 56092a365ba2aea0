package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/jackc/pgx/v5/pgconn"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	authengine "hoc/l5_engines/auth"
	"hoc/l6_drivers/db"
	protectiondb "hoc/l6_drivers/protection"
)

// doctorTimeout bounds each check that talks to another server.
const doctorTimeout = 5 * time.Second

// minFounderSecret is the shortest founder secret doctor accepts: HS256
// wants at least as many bytes of key as its 256-bit output.
const minFounderSecret = 32

// finding is the result of one doctor check.
type finding struct {
	Check  string `json:"check"`
	Status string `json:"status"` // ok, warn or fail
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

func ok(check, detail string) finding { return finding{check, "ok", detail, ""} }
func warn(check, detail, fix string) finding {
	return finding{check, "warn", detail, fix}
}
func fail(check, detail, fix string) finding {
	return finding{check, "fail", detail, fix}
}

func newDoctorCmd(cfg *Config, stdout io.Writer) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "doctor [--json]",
		Short: "Check the configuration and every dependency, and say how to fix what is wrong",
		Long: `Check, with the same configuration hocd serve would use: the settings, the
database (reachable, server version, migrations applied), Redis when
configured (reachable, rate-limit script accepted, clock skew), founder and
customer (OIDC) authentication (secret length, issuer, audience, JWKS
reachable and parseable), the listen address, and request protection.

Each finding is ok, warn or fail, with a fix for anything not ok. Nothing is
changed: no migration is applied, no file created. Exits 1 when a check
fails, 0 otherwise. --json prints {"ok": bool, "checks": [...]}.`,
		Example: `  hocd doctor
  HOC_DATABASE_URL=postgres://hoc@db:5432/hoc HOC_REDIS_URL=redis://cache:6379/0 hocd doctor --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			findings := diagnose(cmd.Context(), *cfg)
			healthy := true
			for _, f := range findings {
				healthy = healthy && f.Status != "fail"
			}
			var err error
			if asJSON {
				err = printJSON(stdout, map[string]any{"ok": healthy, "checks": findings})
			} else {
				err = writeFindings(stdout, findings)
			}
			if err == nil && !healthy {
				err = errors.New("doctor: some checks failed (see above)")
			}
			return err
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, `print {"ok": bool, "checks": [{check, status, detail, fix}]}`)
	return c
}

// diagnose runs every check in order.
func diagnose(ctx context.Context, cfg Config) []finding {
	if ctx == nil {
		ctx = context.Background()
	}
	var out []finding
	if err := cfg.validate(); err != nil {
		out = append(out, fail("configuration", err.Error(), "correct the setting named (hocd serve --help lists them all)"))
	} else {
		out = append(out, ok("configuration", "every setting is valid"))
	}
	out = append(out, checkDatabase(ctx, cfg.DatabaseURL))
	out = append(out, checkRedis(ctx, cfg.RedisURL))
	out = append(out, checkFounder(cfg.FounderSecret))
	out = append(out, checkOIDC(ctx, cfg.OIDC))
	out = append(out, checkAddr(cfg.Addr, cfg.FounderSecret != ""))
	out = append(out, checkProtection(cfg))
	return out
}

func writeFindings(w io.Writer, findings []finding) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range findings {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", strings.ToUpper(f.Status), f.Check, f.Detail)
		if f.Fix != "" {
			fmt.Fprintf(tw, "\t\tfix: %s\n", f.Fix)
		}
	}
	return tw.Flush()
}

func checkDatabase(ctx context.Context, rawURL string) finding {
	const name = "database"
	where := redactedURL(rawURL)
	if path, isSQLite := strings.CutPrefix(rawURL, "sqlite:"); isSQLite {
		path = strings.TrimPrefix(path, "//")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return warn(name, fmt.Sprintf("the SQLite file %s does not exist yet", path),
				"nothing to do: hocd serve creates and migrates it on start")
		}
	}
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	d, err := db.Open(ctx, db.Config{URL: rawURL, MaxOpenConns: 1, Logger: slog.New(slog.DiscardHandler)})
	if errors.As(err, new(*db.UnavailableError)) {
		detail, fix := databaseProblem(rawURL, err)
		return fail(name, detail, fix)
	}
	if err != nil {
		return fail(name, err.Error(), "set HOC_DATABASE_URL to sqlite:<path> or postgres://user@host:5432/db")
	}
	defer d.Close()
	st, err := d.Status(ctx)
	if err != nil {
		detail, fix := databaseProblem(rawURL, err)
		return fail(name, detail, fix)
	}
	detail := fmt.Sprintf("%s %s at %s, schema version %d", d.Dialect(), st.ServerVersion, where, st.Applied)
	if len(st.Pending) > 0 {
		return warn(name, fmt.Sprintf("%s; %d migration(s) not applied yet (%v)", detail, len(st.Pending), st.Pending),
			"run hocd migrate (hocd serve also applies them on start); until then /ready answers 503")
	}
	return ok(name, detail+", every migration applied")
}

// plainDBError is the server's own message when the server refused (with
// its SQLSTATE), else the last, most specific part of a driver's error
// ("dial tcp 127.0.0.1:5999: connect: connection refused" becomes
// "connection refused"), with the address kept when it names one.
func plainDBError(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Message + " (SQLSTATE " + pgErr.Code + ")"
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, "dial tcp "); i >= 0 {
		return msg[i+len("dial tcp "):]
	}
	return msg
}

// redactedURL is a URL fit to print: without its password.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "sqlite" || u.Host == "" {
		return raw
	}
	return u.Redacted()
}

func checkRedis(ctx context.Context, rawURL string) finding {
	const name = "redis"
	if rawURL == "" {
		return ok(name, "not configured: protection state lives in this process (right for one replica; set HOC_REDIS_URL for several)")
	}
	where := redactedURL(rawURL)
	// go-redis logs each failed dial through its own global logger; the
	// finding says it once.
	redis.SetLogger(quietRedis{})
	client, err := protectiondb.ParseRedisURL(rawURL)
	if err != nil {
		return fail(name, "HOC_REDIS_URL is not a Redis URL: "+err.Error(), "use redis://[user:password@]host:6379/0 or rediss://...")
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	h, err := protectiondb.NewRedis(client, protectiondb.RedisOptions{}).Diagnose(ctx)
	if err != nil {
		return fail(name, "cannot use Redis at "+where+": "+plainDBError(err),
			"start Redis, or correct HOC_REDIS_URL (until then protection fails open, or refuses with --protection-fail-closed)")
	}
	detail := fmt.Sprintf("Redis %s at %s answers and accepts the rate-limit script; its clock is %v from this host's",
		h.ServerVersion, where, h.ClockSkew.Round(time.Millisecond))
	if h.ClockSkew.Abs() > time.Second {
		return warn(name, detail, "synchronise the clocks (NTP); limits use Redis' clock, but logs and events use this host's")
	}
	return ok(name, detail)
}

// quietRedis is a go-redis logger that drops everything.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

func checkFounder(secret string) finding {
	const name = "founder auth"
	switch {
	case secret == "":
		return warn(name, "off: founder endpoints (/api/v1/fdr/...) answer 401 founder_auth_disabled",
			"set HOC_FOUNDER_SECRET to a random secret, e.g. $(openssl rand -hex 32), to use them")
	case len(secret) < minFounderSecret:
		return fail(name, fmt.Sprintf("HOC_FOUNDER_SECRET is %d bytes: too short to keep founder tokens unforgeable", len(secret)),
			fmt.Sprintf("use at least %d random bytes, e.g. $(openssl rand -hex 32)", minFounderSecret))
	}
	return ok(name, fmt.Sprintf("on (HS256, %d-byte secret)", len(secret)))
}

func checkOIDC(ctx context.Context, o OIDCConfig) finding {
	const name = "customer auth"
	if o.Issuer == "" {
		return warn(name, "off: customer (human) tokens answer 401 customer_auth_disabled; API keys still work",
			"set HOC_OIDC_ISSUER, HOC_OIDC_AUDIENCE and HOC_OIDC_JWKS_URL (or _FILE) to sign customers in")
	}
	if o.Audience == "" {
		return fail(name, "HOC_OIDC_ISSUER is set but HOC_OIDC_AUDIENCE is not", "set HOC_OIDC_AUDIENCE to the audience your identity provider puts in aud")
	}
	if (o.JWKSURL == "") == (o.JWKSFile == "") {
		return fail(name, "exactly one of HOC_OIDC_JWKS_URL and HOC_OIDC_JWKS_FILE must be set", "set the one your identity provider publishes (usually …/.well-known/jwks.json)")
	}
	source := o.JWKSURL
	if source == "" {
		source = o.JWKSFile
	}
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	n, err := authengine.CheckJWKS(ctx, authengine.CustomerConfig{JWKSURL: o.JWKSURL, JWKSFile: o.JWKSFile})
	if err != nil {
		return fail(name, fmt.Sprintf("the signing keys at %s cannot be used: %v", source, err),
			"check the JWKS URL or file: it must be reachable from here and hold RS256 or ES256 keys with a kid")
	}
	return ok(name, fmt.Sprintf("on: issuer %s, audience %s, tenant claim %s, %d signing key(s) at %s",
		o.Issuer, o.Audience, o.TenantClaim, n, source))
}

func checkAddr(addr string, founderOn bool) finding {
	const name = "listen address"
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fail(name, fmt.Sprintf("HOC_ADDR %q is not host:port: %v", addr, err), "use :8080 (every interface) or 127.0.0.1:8080 (this host only)")
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return warn(name, fmt.Sprintf("%s cannot be bound now: %v", addr, plainDBError(err)),
			"if a hocd already serves there this is expected; otherwise stop what holds the port or choose another HOC_ADDR")
	}
	l.Close()
	if public := host == "" || net.ParseIP(host).IsUnspecified(); public && !founderOn {
		return warn(name, addr+" is free; it listens on every interface while founder auth is off",
			"bind 127.0.0.1 for local use, or set HOC_FOUNDER_SECRET so the founder API can be used")
	}
	return ok(name, addr+" is free")
}

func checkProtection(cfg Config) finding {
	const name = "protection"
	p := cfg.Protection
	if p.Disabled {
		return warn(name, "off: no rate, burst or cost limit is enforced", "unset HOC_PROTECTION_DISABLED unless an edge proxy enforces the limits")
	}
	backend := "this process's memory"
	if cfg.RedisURL != "" {
		backend = "Redis"
	}
	mode := "fails open (admits) when its backend fails"
	if p.FailClosed {
		mode = "fails closed (503) when its backend fails"
	}
	return ok(name, fmt.Sprintf("on: %d requests/min per tenant and route, %d/s burst, state in %s, %s",
		p.RoutePerMinute, p.BurstPerSecond, backend, mode))
}
