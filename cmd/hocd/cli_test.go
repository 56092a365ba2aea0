package main

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"hoc/l6_drivers/db/dbtest"
	"hoc/testkit"
)

// hocd runs the CLI in process and returns its exit code and outputs.
func hocd(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestCLI_EveryCommandHasHelpListingItsFlags walks the whole command tree:
// --help, -h and `hocd help <command>` exit 0 and show the summary, a usage
// line and every flag of the command.
func TestCLI_EveryCommandHasHelpListingItsFlags(t *testing.T) {
	t.Parallel()
	cfg := defaultConfig()
	var walk func(c *cobra.Command)
	seen := 0
	walk = func(c *cobra.Command) {
		path := strings.Fields(c.CommandPath())[1:]
		for _, form := range [][]string{append(path, "--help"), append(path, "-h"), append([]string{"help"}, path...)} {
			code, out, errOut := hocd(form...)
			if code != 0 || errOut != "" {
				t.Errorf("hocd %s: exit %d, stderr %q", strings.Join(form, " "), code, errOut)
				continue
			}
			if !strings.Contains(out, "Usage:") || (c.Short != "" && !strings.Contains(out, c.Short) && !strings.Contains(out, firstLine(c.Long))) {
				t.Errorf("hocd %s: no summary or usage line:\n%s", strings.Join(form, " "), out)
			}
			c.LocalFlags().VisitAll(func(f *pflag.Flag) {
				if !strings.Contains(out, "--"+f.Name) {
					t.Errorf("hocd %s does not list --%s:\n%s", strings.Join(form, " "), f.Name, out)
				}
			})
		}
		seen++
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(&cfg, &bytes.Buffer{}, &bytes.Buffer{}))
	if seen < 20 {
		t.Fatalf("walked %d commands; the tree has more", seen)
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func TestCLI_UsageErrorsExit2WithTheUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"bogus"}, `unknown command "bogus" for "hocd"`},
		{[]string{"tenant"}, `did you mean tenants?`},
		{[]string{"tenants"}, "hocd tenants needs a command"},
		{[]string{"tenants", "bogus"}, `unknown command "bogus" for "hocd tenants"`},
		{[]string{"tenants", "create", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"tenants", "list", "--limit", "5000"}, "--limit must be between 1 and 1000, not 5000"},
		{[]string{"tenants", "list", "--limit", "x"}, `invalid argument "x" for "--limit"`},
		{[]string{"apikeys", "revoke"}, "hocd apikeys revoke takes 1 argument(s), got 0"},
		{[]string{"token", "founder", "--sub", "bob"}, "missing --reason"},
		{[]string{"serve", "extra"}, `hocd serve takes no arguments, got ["extra"]`},
	} {
		code, out, errOut := hocd(tc.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "Usage:") {
			t.Errorf("hocd %s: exit %d, stdout %q, want 2 with %q and the usage; stderr:\n%s", strings.Join(tc.args, " "), code, out, tc.want, errOut)
		}
	}
}

// TestCLI_MissingFlagsAreNamedAlone: a create without --name says only
// that --name is missing (not that a slug nobody gave is invalid).
func TestCLI_MissingFlagsAreNamedAlone(t *testing.T) {
	t.Parallel()
	code, _, errOut := hocd("tenants", "create", "--database-url", "sqlite:"+t.TempDir()+"/never.db")
	if first := firstLine(errOut); code != 2 || first != "hocd: missing --name" {
		t.Fatalf("exit %d, first line %q", code, first)
	}
	code, _, errOut = hocd("apikeys", "create", "--name", "ci")
	if first := firstLine(errOut); code != 2 || first != "hocd: missing --scopes, --tenant" {
		t.Fatalf("exit %d, first line %q", code, first)
	}
}

// TestCLI_HelpShowsTheBuiltInDefaultsNotTheEnvironment, while the
// environment still configures the command.
func TestCLI_HelpShowsTheBuiltInDefaultsNotTheEnvironment(t *testing.T) {
	t.Setenv("HOC_ADDR", "127.0.0.1:9999")
	t.Setenv("HOC_FOUNDER_SECRET", "not-for-the-help")
	_, out, _ := hocd("serve", "--help")
	if !strings.Contains(out, `(default ":8080")`) || strings.Contains(out, "9999") || strings.Contains(out, "not-for-the-help") {
		t.Fatalf("serve --help shows the environment:\n%s", out)
	}
	cfg := defaultConfig()
	if err := cfg.applyEnv(func(flag string) bool { return flag == "founder-secret" }); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9999" || cfg.FounderSecret != "" {
		t.Fatalf("environment not applied, or applied over a given flag: %+v", cfg)
	}
}

func TestCLI_CompletionScripts(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, errOut := hocd("completion", shell)
		if code != 0 || !strings.Contains(out, "hocd") || errOut != "" {
			t.Errorf("completion %s: exit %d, %d bytes, stderr %q", shell, code, len(out), errOut)
		}
	}
}

// TestCLI_TokenFounderPrintsOnlyTheToken: no log line in the terminal, even
// on the run that creates and migrates the database.
func TestCLI_TokenFounderPrintsOnlyTheToken(t *testing.T) {
	t.Setenv("HOC_FOUNDER_SECRET", testSecret)
	t.Setenv("HOC_DATABASE_URL", "sqlite:"+t.TempDir()+"/fresh.db")
	code, out, errOut := hocd("token", "founder", "--sub", "bob", "--reason", "ops")
	if code != 0 || errOut != "" || strings.Count(out, ".") != 2 || strings.Count(out, "\n") != 1 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

type doctorReport struct {
	OK     bool      `json:"ok"`
	Checks []finding `json:"checks"`
}

func (r doctorReport) check(name string) finding {
	for _, c := range r.Checks {
		if c.Check == name {
			return c
		}
	}
	return finding{}
}

func TestDoctor_NamesAStoppedPostgresAndAWrongRedisURL(t *testing.T) {
	t.Setenv("HOC_DATABASE_URL", "postgres://hoc:s3cret@"+testkit.FreeAddr(t)+"/hoc?sslmode=disable")
	t.Setenv("HOC_REDIS_URL", "redis://"+testkit.FreeAddr(t)+"/0")
	code, out, errOut := hocd("doctor")
	for _, want := range []string{"FAIL  database", "cannot reach postgres://hoc:xxxxx@", "connection refused", "fix: start the database server",
		"FAIL  redis", "cannot use Redis at redis://", "fix: start Redis, or correct HOC_REDIS_URL"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor's report lacks %q:\n%s", want, out)
		}
	}
	if code != 1 || strings.Contains(out, "s3cret") || !strings.Contains(errOut, "some checks failed") {
		t.Fatalf("exit %d (want 1), stderr %q", code, errOut)
	}

	code, out, _ = hocd("doctor", "--json")
	var rep doctorReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 || rep.OK ||
		rep.check("database").Status != "fail" || rep.check("redis").Status != "fail" || rep.check("protection").Status != "ok" {
		t.Fatalf("doctor --json: exit %d, %v\n%s", code, err, out)
	}
}

func TestDoctor_HealthySetupExits0(t *testing.T) {
	requireRedis(t)
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			url := dbtest.URL(t, dialect)
			if code, _, errOut := hocd("migrate", "--database-url", url); code != 0 {
				t.Fatalf("migrate: %s", errOut)
			}
			t.Setenv("HOC_DATABASE_URL", url)
			t.Setenv("HOC_REDIS_URL", "redis://127.0.0.1:6379/0")
			t.Setenv("HOC_FOUNDER_SECRET", strings.Repeat("k", minFounderSecret))
			t.Setenv("HOC_ADDR", testkit.FreeAddr(t))
			code, out, errOut := hocd("doctor", "--json")
			var rep doctorReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || !rep.OK || errOut != "" {
				t.Fatalf("doctor: exit %d, %v, stderr %q\n%s", code, err, errOut, out)
			}
			for _, name := range []string{"configuration", "database", "redis", "founder auth", "listen address", "protection"} {
				if c := rep.check(name); c.Status != "ok" {
					t.Errorf("%s: %+v", name, c)
				}
			}
			if d := rep.check("database").Detail; !strings.Contains(d, "every migration applied") || !strings.Contains(d, string(dialect)) {
				t.Errorf("database detail %q", d)
			}
		})
	}
}

func TestDoctor_FindsBadAuthSettings(t *testing.T) {
	t.Setenv("HOC_DATABASE_URL", "sqlite:"+t.TempDir()+"/x.db")
	t.Setenv("HOC_FOUNDER_SECRET", "short")
	t.Setenv("HOC_OIDC_ISSUER", "https://id.example.com/")
	t.Setenv("HOC_OIDC_AUDIENCE", "hoc")
	t.Setenv("HOC_OIDC_JWKS_FILE", t.TempDir()+"/missing.json")
	code, out, _ := hocd("doctor", "--json")
	var rep doctorReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	if c := rep.check("founder auth"); c.Status != "fail" || !strings.Contains(c.Detail, "5 bytes") {
		t.Errorf("founder auth: %+v", c)
	}
	if c := rep.check("customer auth"); c.Status != "fail" || !strings.Contains(c.Detail, "missing.json") {
		t.Errorf("customer auth: %+v", c)
	}
	if c := rep.check("database"); c.Status != "warn" || !strings.Contains(c.Detail, "does not exist yet") {
		t.Errorf("database: %+v", c)
	}
}

// TestCLI_HelpSaysWhatTheKeysAndFieldsDo: the help names the header each
// key goes in, and says what --default-model is (it fills nothing).
func TestCLI_HelpSaysWhatTheKeysAndFieldsDo(t *testing.T) {
	t.Parallel()
	_, out, _ := hocd("integrations", "create", "--help")
	if !strings.Contains(out, "X-CUS-Integration-Key") || strings.Contains(out, "send it as X-AOS-Key") {
		t.Errorf("integrations create --help does not say the key goes in X-CUS-Integration-Key:\n%s", out)
	}
	if strings.Contains(out, "model recorded when a record names none") {
		t.Errorf("--default-model claims to fill a record's model:\n%s", out)
	}
	_, out, _ = hocd("apikeys", "create", "--help")
	if !strings.Contains(out, "X-AOS-Key") {
		t.Errorf("apikeys create --help does not name X-AOS-Key:\n%s", out)
	}
}

// TestCLI_VersionPrintsTheBuild: `hocd version` and `hocd --version` print
// the same JSON document, with the Go version the binary was built with.
func TestCLI_VersionPrintsTheBuild(t *testing.T) {
	t.Parallel()
	code, out, errOut := hocd("version")
	var v buildVersion
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != 0 || errOut != "" || v.Go != runtime.Version() || v.Version == "" {
		t.Fatalf("hocd version: exit %d, %v, %+v, stderr %q", code, err, v, errOut)
	}
	if code, again, _ := hocd("--version"); code != 0 || again != out {
		t.Fatalf("hocd --version: exit %d, %q; want %q", code, again, out)
	}
}
