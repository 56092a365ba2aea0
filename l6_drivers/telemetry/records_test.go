package telemetry_test

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"hoc/l6_drivers/telemetry"
)

func TestWriteRecords_InsertsOnlyNewRows(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		first := []telemetry.RecordRow{
			record(f.acme, f.prod, "a", base), record(f.acme, f.prod, "b", base), record(f.acme, f.dev, "c", base),
		}
		got, err := f.s.WriteRecords(f.ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		want := []telemetry.Inserted{{first[0].ID, f.acme, "a"}, {first[1].ID, f.acme, "b"}, {first[2].ID, f.acme, "c"}}
		if !sameInserted(got.Inserted, want) || len(got.Existing) != 0 {
			t.Fatalf("first write = %+v, want %+v", got, want)
		}
		again := []telemetry.RecordRow{record(f.acme, f.prod, "b", base), record(f.acme, f.prod, "d", base)}
		got, err = f.s.WriteRecords(f.ctx, again)
		if err != nil {
			t.Fatal(err)
		}
		if want := []telemetry.Inserted{{again[1].ID, f.acme, "d"}}; !sameInserted(got.Inserted, want) ||
			len(got.Existing) != 1 || got.Existing[0].ID != first[1].ID {
			t.Fatalf("second write = %+v, want only d inserted and b found", got)
		}
		if n := f.stored(t, f.acme, ""); n != 4 {
			t.Fatalf("stored %d records, want 4", n)
		}
	})
}

func TestWriteRecords_OneCallIDTwiceInOneWriteStoresOne(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		got, err := f.s.WriteRecords(f.ctx, []telemetry.RecordRow{record(f.acme, f.prod, "a", base), record(f.acme, f.prod, "a", base)})
		if err != nil || len(got.Inserted) != 1 || f.stored(t, f.acme, "") != 1 {
			t.Fatalf("wrote %+v, %v; want exactly one stored", got, err)
		}
	})
}

func TestWriteRecords_SameCallIDInTwoTenants(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		f.mustInsert(t, record(f.acme, f.prod, "shared", base), record(f.other, f.otherInt, "shared", base))
		for _, tenant := range []string{f.acme, f.other} {
			if n := f.stored(t, tenant, ""); n != 1 {
				t.Fatalf("tenant %s has %d records named shared, want 1", tenant, n)
			}
		}
	})
}

func TestWriteRecords_IntegrationMustBeTheTenants(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		if _, err := f.s.WriteRecords(f.ctx, []telemetry.RecordRow{record(f.acme, f.otherInt, "x", base)}); err == nil {
			t.Fatal("a record pointing at another tenant's integration was stored")
		}
	})
}

func TestWriteRecords_FindsTheOriginalsOfTheTenantsSkippedRows(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		original := record(f.acme, f.prod, "a", base)
		f.mustInsert(t, original, record(f.other, f.otherInt, "b", base))
		retry := record(f.acme, f.prod, "a", base)
		retry.ContentHash = contentHash("a", "v2")
		got, err := f.s.WriteRecords(f.ctx, []telemetry.RecordRow{retry, record(f.acme, f.prod, "b", base)})
		if err != nil {
			t.Fatal(err)
		}
		// b is the other tenant's call id: for acme it is new.
		if len(got.Inserted) != 1 || got.Inserted[0].CallID != "b" || len(got.Existing) != 1 {
			t.Fatalf("wrote %+v, want b inserted and a found", got)
		}
		if ex := got.Existing[0]; ex.ID != original.ID || ex.CallID != "a" || !bytes.Equal(ex.ContentHash, original.ContentHash) {
			t.Fatalf("found %+v, want the original of a with its own hash", ex)
		}
	})
}

func TestWriteRecords_RoundTripsEveryColumn(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		full := record(f.acme, f.prod, "full", time.Date(2026, 11, 20, 10, 30, 0, 123456789, time.FixedZone("X", -5*3600)))
		full.Provider, full.Model, full.TokensIn, full.TokensOut, full.CostCents, full.CostMicros = "anthropic", "claude", 1, 2, 3, 25_000
		full.LatencyMS, full.SessionID, full.AgentID = ptr(int64(0)), ptr("session 1"), ptr("agent-7")
		full.PolicyResult, full.ErrorCode, full.ErrorMessage = "blocked", ptr("rate_limit"), ptr("slow down")
		full.CacheReadTokens, full.CacheWriteTokens, full.ReasoningTokens = 1, 0, 2
		full.CostSource, full.ClientCostCents, full.PriceID = "price_table", ptr(int64(9)), ptr("0193a8e0-0000-7000-8000-00000000000a")
		// Keys out of order, numbers jsonb would rewrite: metadata must come
		// back exactly as stored on both backends, so that what is returned
		// is never larger than what the API admitted.
		full.Metadata = []byte(`{"b":[1,2.50,1e308,-0],"a":{"nested":true,"<&>":"\u2028"}}`)
		bare := record(f.acme, f.prod, "bare", base)
		bare.Metadata = nil
		f.mustInsert(t, full, bare)

		rows, err := f.s.ListRecords(f.ctx, telemetry.HistoryQuery{TenantID: f.acme, Limit: 10})
		if err != nil || len(rows) != 2 {
			t.Fatalf("list = %d rows, %v", len(rows), err)
		}
		got, gotBare := rows[0], rows[1] // full occurred five hours after base
		if string(got.Metadata) != string(full.Metadata) || string(gotBare.Metadata) != `{}` {
			t.Fatalf("metadata = %s and %s", got.Metadata, gotBare.Metadata)
		}
		want := full
		want.OccurredAt = full.OccurredAt.UTC().Truncate(time.Microsecond)
		want.ReceivedAt = full.ReceivedAt.UTC().Truncate(time.Microsecond)
		got.Metadata, want.Metadata = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
		}
		if gotBare.LatencyMS != nil || gotBare.SessionID != nil || gotBare.ErrorCode != nil || gotBare.ErrorMessage != nil {
			t.Fatalf("nulls came back as values: %+v", gotBare)
		}
	})
}

func TestWriteRecords_LargeBatchIsChunked(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		const n = 2500
		rows := make([]telemetry.RecordRow, n)
		for i := range rows {
			rows[i] = record(f.acme, f.prod, fmt.Sprintf("call-%05d", i), base.Add(time.Duration(i)*time.Millisecond))
		}
		f.mustInsert(t, rows...)
		if got, err := f.s.WriteRecords(f.ctx, rows); err != nil || len(got.Inserted) != 0 || len(got.Existing) != n {
			t.Fatalf("rewrite stored %d and found %d of %d records (err %v), want 0 and all", len(got.Inserted), len(got.Existing), n, err)
		}
		if count := f.stored(t, f.acme, f.prod); count != int64(n) {
			t.Fatalf("count = %d, want %d", count, n)
		}
	})
}

func TestWriteRecords_DatabaseEnforcesDomains(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		bad := map[string]func(r *telemetry.RecordRow){
			"empty call id":         func(r *telemetry.RecordRow) { r.CallID = "" },
			"unknown policy":        func(r *telemetry.RecordRow) { r.PolicyResult = "denied" },
			"negative tokens":       func(r *telemetry.RecordRow) { r.TokensIn = -1 },
			"metadata array":        func(r *telemetry.RecordRow) { r.Metadata = []byte(`[1]`) },
			"metadata garbage":      func(r *telemetry.RecordRow) { r.Metadata = []byte(`{`) },
			"cache over input":      func(r *telemetry.RecordRow) { r.CacheReadTokens, r.CacheWriteTokens = r.TokensIn, 1 },
			"reasoning over output": func(r *telemetry.RecordRow) { r.ReasoningTokens = r.TokensOut + 1 },
			"unknown cost source":   func(r *telemetry.RecordRow) { r.CostSource = "guess" },
			"negative client cents": func(r *telemetry.RecordRow) { r.ClientCostCents = ptr(int64(-1)) },
		}
		for name, mutate := range bad {
			r := record(f.acme, f.prod, name, base)
			mutate(&r)
			if _, err := f.s.WriteRecords(f.ctx, []telemetry.RecordRow{r}); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
	})
}

func sameInserted(got, want []telemetry.Inserted) bool {
	byCall := func(a, b telemetry.Inserted) int { return strings.Compare(a.CallID, b.CallID) }
	got, want = slices.Clone(got), slices.Clone(want)
	slices.SortFunc(got, byCall)
	slices.SortFunc(want, byCall)
	return slices.Equal(got, want)
}
