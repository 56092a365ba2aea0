package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	accountdb "hoc/l6_drivers/account"
	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	"hoc/testkit"
)

// benchCmdWorkloads are the workloads every report must hold.
var benchCmdWorkloads = []string{"batch", "single", "rss", "usage_summary", "daily_aggregates",
	"history_first_page", "history_cursor_page", "registry_dispatch", "protection_decision"}

// TestBenchCmd runs `hocd bench` end to end with tiny settings on every
// backend and checks that the report holds every workload with positive
// figures, and that afterwards no row of the bench's tenants remains while
// a tenant that was there before is untouched.
//
// The bench runs in a child process (TestMain's HOC_TEST_RUN_MAIN): it
// declares an operation of its own, which must not reach the process-wide
// catalog of this test binary, whose other tests build servers (see
// benchNoop).
func TestBenchCmd(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			url := dbtest.URL(t, dialect)
			bystander := createBystanderTenant(t, url)

			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "bench", "--database-url", url,
				"--records", "500", "--duration", "250ms", "--clients", "4", "--batch-clients", "2", "--batch-size", "100", "--json")
			cmd.Env = append(os.Environ(), "HOC_TEST_RUN_MAIN=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("hocd bench: %v\nstderr:\n%s", err, stderr.String())
			}

			var rep struct {
				Date     string
				Machine  struct{ CPUs int }
				Database struct{ Dialect, Version string }
				Records  int
				// Workloads' figures are all numbers.
				Workloads []struct {
					Name     string
					Hoc      map[string]float64
					Baseline map[string]float64
					Ratio    *float64
					Target   string
				}
			}
			dec := json.NewDecoder(&stdout)
			if err := dec.Decode(&rep); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout.String())
			}
			if dec.More() {
				t.Fatalf("stdout holds more than one JSON value:\n%s", stdout.String())
			}
			if rep.Date == "" || rep.Machine.CPUs <= 0 || rep.Database.Dialect != string(dialect) || rep.Database.Version == "" || rep.Records != 500 {
				t.Errorf("header: %+v", rep)
			}
			byName := make(map[string]int)
			for i, w := range rep.Workloads {
				byName[w.Name] = i
				if len(w.Hoc) == 0 || w.Target == "" {
					t.Errorf("%s: no figures or no target: %+v", w.Name, w)
				}
				for _, figures := range []map[string]float64{w.Hoc, w.Baseline} {
					for key, v := range figures {
						if v <= 0 && !(key == "allocs_per_op" && v == 0) {
							t.Errorf("%s: %s = %v, want positive", w.Name, key, v)
						}
					}
				}
				if (w.Ratio != nil) != (len(w.Baseline) > 0) || (w.Ratio != nil && *w.Ratio <= 0) {
					t.Errorf("%s: ratio %v with baseline %v", w.Name, w.Ratio, w.Baseline)
				}
			}
			for _, name := range benchCmdWorkloads {
				if _, ok := byName[name]; !ok {
					t.Errorf("workload %q missing from the report", name)
				}
			}
			for _, name := range []string{"batch", "single", "usage_summary", "daily_aggregates"} {
				if i, ok := byName[name]; ok && len(rep.Workloads[i].Baseline) == 0 {
					t.Errorf("%s: no baseline", name)
				}
			}
			checkOnlyBystanderLeft(t, url, bystander)
		})
	}
}

// createBystanderTenant migrates the database and creates a tenant that is
// not the bench's, which its cleanup must leave alone.
func createBystanderTenant(t *testing.T, url string) string {
	t.Helper()
	d := openBenchCmdDB(t, url)
	defer testkit.Close(t, d)
	if err := d.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	store, err := accountdb.NewStore(d)
	if err != nil {
		t.Fatal(err)
	}
	row, err := store.CreateTenant(t.Context(), accountdb.TenantRow{Name: "bystander", Slug: "bystander", Plan: "free", LifecycleState: "ACTIVE"})
	if err != nil {
		t.Fatal(err)
	}
	return row.ID
}

// checkOnlyBystanderLeft checks that every table holding tenants' rows is
// empty but for the bystander tenant itself.
func checkOnlyBystanderLeft(t *testing.T, url, bystander string) {
	t.Helper()
	d := openBenchCmdDB(t, url)
	defer testkit.Close(t, d)
	for _, table := range ownedTables {
		column := "tenant_id"
		if table == "tenants" {
			column = "id"
		}
		var left []struct {
			Tenant   string
			RowCount int64
		}
		query := "SELECT " + column + " AS tenant, count(*) AS row_count FROM " + table + " GROUP BY " + column
		if err := d.Conn(t.Context()).Raw(query).Find(&left).Error; err != nil {
			t.Fatal(err)
		}
		want := 0
		if table == "tenants" {
			want = 1
		}
		if len(left) != want || (want == 1 && left[0].Tenant != bystander) {
			t.Errorf("%s after the bench: rows per tenant %+v, want only the bystander's %s", table, left, bystander)
		}
	}
}

func openBenchCmdDB(t *testing.T, url string) *db.DB {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := db.Open(t.Context(), db.Config{URL: url, MaxOpenConns: 1, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestBenchCmd_NeverDefaultsToTheWorkingDatabase: without --database-url or
// HOC_DATABASE_URL the bench runs on a temporary SQLite file, not on
// sqlite:hoc.db in the working directory (the server's default database).
func TestBenchCmd_NeverDefaultsToTheWorkingDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "bench", "--records", "100", "--duration", "100ms",
		"--clients", "2", "--batch-clients", "1", "--batch-size", "10", "--only", "batch", "--json")
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HOC_DATABASE_URL=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "HOC_TEST_RUN_MAIN=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hocd bench: %v\n%s", err, out)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("the bench wrote %v in its working directory", entries)
	}
}
