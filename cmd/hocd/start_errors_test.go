package main

import (
	"net/url"
	"os"
	"strings"
	"testing"

	"hoc/l6_drivers/db/dbtest"
	"hoc/testkit"
)

// TestServe_AnUnreachableDatabaseIsOneLine: hocd serve (and a one-shot
// command) with a database that refuses says so in one line, as doctor
// does, with the fix — not fx's 957-character chain of constructors with Go
// file paths.
func TestServe_AnUnreachableDatabaseIsOneLine(t *testing.T) {
	dbURL := "postgres://hoc:s3cret@" + testkit.FreeAddr(t) + "/hoc?sslmode=disable"
	for _, args := range [][]string{
		{"serve", "--addr", "127.0.0.1:0", "--database-url", dbURL},
		{"tenants", "list", "--database-url", dbURL},
	} {
		code, _, errOut := hocd(args...)
		line := strings.TrimSpace(errOut)
		if code != 1 || strings.Count(line, "\n") != 0 {
			t.Errorf("hocd %s: exit %d (want 1), stderr of %d lines:\n%s", args[0], code, strings.Count(line, "\n")+1, errOut)
		}
		for _, want := range []string{"cannot reach postgres://hoc:xxxxx@", "connection refused", "start the database server", "hocd doctor"} {
			if !strings.Contains(line, want) {
				t.Errorf("hocd %s: %q lacks %q", args[0], line, want)
			}
		}
		for _, leak := range []string{".go:", "could not build", "s3cret"} {
			if strings.Contains(line, leak) {
				t.Errorf("hocd %s: %q shows %q", args[0], line, leak)
			}
		}
	}
}

// TestDoctor_NamesTheFixForAMissingDatabaseOrRole: a server that answers but
// has no such database, or no such role, needs the database or the role
// created, not "start the database server".
func TestDoctor_NamesTheFixForAMissingDatabaseOrRole(t *testing.T) {
	server := os.Getenv(dbtest.EnvDatabaseURL)
	if server == "" {
		dbtest.Backends(t) // fails in CI, where Postgres is mandatory
		t.Skip("needs Postgres (" + dbtest.EnvDatabaseURL + ")")
	}
	base, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", dbtest.EnvDatabaseURL, err)
	}
	missingDB, missingRole := *base, *base
	missingDB.Path = "/hoc_no_such_database"
	missingRole.User = url.User("hoc_no_such_role")
	for _, tc := range []struct {
		url  string
		want []string
	}{
		{missingDB.String(), []string{`database "hoc_no_such_database" does not exist`, "fix: create the database: createdb", "hoc_no_such_database"}},
		{missingRole.String(), []string{`role "hoc_no_such_role" does not exist`, "fix: create the role: createuser", "hoc_no_such_role"}},
	} {
		t.Setenv("HOC_DATABASE_URL", tc.url)
		code, out, _ := hocd("doctor")
		for _, want := range tc.want {
			if !strings.Contains(out, want) {
				t.Errorf("doctor with %s lacks %q:\n%s", tc.url, want, out)
			}
		}
		if code != 1 || strings.Contains(out, "start the database server") {
			t.Errorf("doctor with %s: exit %d, or the wrong fix:\n%s", tc.url, code, out)
		}
	}
}
