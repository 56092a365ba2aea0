package telemetry_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	"hoc/l6_drivers/telemetry"
	models "hoc/l7_models"
)

// fixture is one test database with a store, two tenants and integrations:
// acme has prod and dev, other has its own.
type fixture struct {
	ctx         context.Context
	d           *db.DB
	s           *telemetry.Store
	acme, other string // tenant ids
	prod, dev   string // acme's integrations
	otherInt    string // other's integration
}

// forEach runs fn on every backend with a fresh fixture: its own databases,
// so the calling test may run in parallel with the others.
func forEach(t *testing.T, fn func(t *testing.T, f fixture)) {
	t.Helper()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		fn(t, newFixture(t, dbtest.Context(t), d))
	})
}

// newFixture fills d with the fixture's tenants and integrations.
func newFixture(t *testing.T, ctx context.Context, d *db.DB) fixture {
	t.Helper()
	s, err := telemetry.NewStore(d)
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{ctx: ctx, d: d, s: s}
	f.acme, f.other = dbtest.SeedTenant(t, ctx, d, "acme"), dbtest.SeedTenant(t, ctx, d, "other")
	f.prod = dbtest.SeedIntegration(t, ctx, d, f.acme, prodID, "prod")
	f.dev = dbtest.SeedIntegration(t, ctx, d, f.acme, devID, "dev")
	f.otherInt = dbtest.SeedIntegration(t, ctx, d, f.other, otherIntID, "prod")
	return f
}

// Fixed integration ids, so that expected orders are known: prod sorts
// before dev.
const (
	prodID     = "00000000-0000-4000-8000-000000000001"
	devID      = "00000000-0000-4000-8000-000000000002"
	otherIntID = "00000000-0000-4000-8000-000000000003"
)

// record returns a minimal valid record; its content hash is derived from
// the call id and the version string, so tests can make two payloads differ.
func record(tenantID, integrationID, callID string, at time.Time) telemetry.RecordRow {
	return telemetry.RecordRow{
		ID: uuid.Must(uuid.NewV7()).String(), TenantID: tenantID, IntegrationID: integrationID, CallID: callID,
		Provider: "openai", Model: "gpt-4o", TokensIn: 10, TokensOut: 20, CostCents: 3, CostMicros: 30_000,
		PolicyResult: "allowed", Metadata: []byte(`{}`), OccurredAt: at, ReceivedAt: at.Add(time.Second),
		ContentHash: contentHash(callID, "v1"), CostSource: "client",
	}
}

func contentHash(callID, version string) []byte {
	sum := sha256.Sum256([]byte(callID + "|" + version))
	return sum[:]
}

// mustInsert writes rows (and their rollups) and fails the test unless all
// of them are new.
func (f fixture) mustInsert(t *testing.T, rows ...telemetry.RecordRow) {
	t.Helper()
	w, err := f.s.WriteRecords(f.ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Inserted) != len(rows) {
		t.Fatalf("inserted %d of %d new records", len(w.Inserted), len(rows))
	}
}

// stored counts the tenant's rows in usage_records (one integration's when
// integrationID is set), straight from the table.
func (f fixture) stored(t *testing.T, tenantID, integrationID string) int64 {
	t.Helper()
	q := f.d.Conn(f.ctx).Model(&models.UsageRecord{}).Where("tenant_id = ?", tenantID)
	if integrationID != "" {
		q = q.Where("integration_id = ?", integrationID)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// recordsSumming returns t.Calls records of one rollup row (tenant, UTC
// day, integration, provider, model) whose counters add up to t exactly:
// the first records carry the remainders, the first LatencyCount have a
// latency, the first ErrorCount an error code and the last BlockedCount are
// blocked. Their call ids are unique in the process.
func recordsSumming(tenant, day, integration, provider, model string, t telemetry.Totals) []telemetry.RecordRow {
	at, err := time.Parse("2006-01-02", day)
	if err != nil {
		panic(err)
	}
	share := func(total, i, n int64) int64 {
		v := total / n
		if i < total%n {
			v++
		}
		return v
	}
	rows := make([]telemetry.RecordRow, t.Calls)
	for i := range t.Calls {
		r := record(tenant, integration, fmt.Sprintf("sum-%d", callSeq.Add(1)), at.Add(12*time.Hour))
		r.Provider, r.Model = provider, model
		r.TokensIn, r.TokensOut = share(t.TokensIn, i, t.Calls), share(t.TokensOut, i, t.Calls)
		r.CostCents, r.CostMicros = share(t.CostCents, i, t.Calls), share(t.CostMicros, i, t.Calls)
		if i < t.LatencyCount {
			r.LatencyMS = ptr(share(t.LatencySum, i, t.LatencyCount))
		}
		if i < t.ErrorCount {
			r.ErrorCode = ptr("error")
		}
		if i >= t.Calls-t.BlockedCount {
			r.PolicyResult = "blocked"
		}
		rows[i] = r
	}
	return rows
}

// callSeq numbers the call ids of recordsSumming.
var callSeq atomic.Int64

// base is a fixed instant for records, on a whole second.
var base = time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }
