package telemetry_test

import (
	"log/slog"
	"strings"
	"testing"

	"hoc/l6_drivers/db/dbtest"
	"hoc/l6_drivers/telemetry"
	"hoc/testkit"
)

// Records carry tenants' data, so a failed statement must be logged with its
// placeholders only. gorm's Scan would log the values (it bypasses the
// logger's parameter filter); the raw queries here use Find.
func TestFailedStatementsAreLoggedWithoutValues(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := dbtest.Context(t)
			logs := &testkit.LockedBuffer{}
			d := dbtest.NewWithLogger(t, dialect, slog.New(slog.NewTextHandler(logs, nil)))
			f := newFixture(t, ctx, d)
			r := record(f.acme, f.prod, "secret-call-id", base)
			r.PolicyResult = "denied" // breaks a CHECK
			if _, err := f.s.WriteRecords(ctx, []telemetry.RecordRow{r}); err == nil {
				t.Fatal("insert breaking a CHECK succeeded")
			}
			out := logs.String()
			if !strings.Contains(out, "INSERT INTO usage_records") {
				t.Fatalf("failed insert not logged:\n%s", out)
			}
			for _, value := range []string{"secret-call-id", f.acme} {
				if strings.Contains(out, value) {
					t.Errorf("log contains the bound value %q:\n%s", value, out)
				}
			}
		})
	}
}
