package telemetry

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/telemetry"
)

// fakeStore is an in-memory RecordWriter for engine unit tests; the SQL
// behind the real one is tested on SQLite and Postgres in
// l6_drivers/telemetry.
type fakeStore struct {
	rows map[string]store.RecordRow // tenant/call_id → row
}

func newFakeStore() *fakeStore { return &fakeStore{rows: map[string]store.RecordRow{}} }

func (f *fakeStore) WriteRecords(_ context.Context, rows []store.RecordRow) (store.Written, error) {
	var w store.Written
	for _, r := range rows {
		k := r.TenantID + "/" + r.CallID
		if old, ok := f.rows[k]; ok {
			w.Existing = append(w.Existing, store.Existing{ID: old.ID, TenantID: old.TenantID, CallID: old.CallID, ContentHash: old.ContentHash})
			continue
		}
		f.rows[k] = r
		w.Inserted = append(w.Inserted, store.Inserted{ID: r.ID, TenantID: r.TenantID, CallID: r.CallID})
	}
	return w, nil
}

// usageFake is a UsageReader that answers with fixed sums and remembers the
// queries.
type usageFake struct {
	totals store.Totals
	shares []store.Share
	asked  []store.RangeQuery
}

func (f *usageFake) SumTotals(_ context.Context, q store.RangeQuery) (store.Totals, error) {
	f.asked = append(f.asked, q)
	return f.totals, nil
}
func (f *usageFake) SumShares(_ context.Context, q store.RangeQuery) ([]store.Share, error) {
	f.asked = append(f.asked, q)
	return f.shares, nil
}
func (f *usageFake) Daily(_ context.Context, q store.RangeQuery) ([]store.DailyRow, error) {
	f.asked = append(f.asked, q)
	return nil, nil
}

const (
	tenant = "0193a8e0-0000-7000-8000-00000000000a"
	integA = "0193a8e0-0000-7000-8000-0000000000a1"
	integB = "0193a8e0-0000-7000-8000-0000000000b1"
	integD = "0193a8e0-0000-7000-8000-0000000000d1"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// newTestEngine is an engine whose records go to a fakeStore and whose
// usage reads come from a usageFake; it reads no history.
func newTestEngine(t *testing.T) (*Engine, *fakeStore) {
	t.Helper()
	s := newFakeStore()
	return &Engine{records: s, usage: &usageFake{}, now: func() time.Time { return now }}, s
}

func rec(callID string, tokensIn int64) *Record {
	return &Record{CallID: callID, Provider: "openai", Model: "gpt-4o", TokensIn: tokensIn, TokensOut: 1, CostCents: 2}
}

func ingest(t *testing.T, e *Engine, keyIntegration string, recs ...*Record) IngestResult {
	t.Helper()
	items := make([]Item, len(recs))
	for i, r := range recs {
		items[i] = Item{CallID: r.CallID, Record: r}
	}
	res, err := e.Ingest(context.Background(), IngestRequest{TenantID: tenant, KeyIntegrationID: keyIntegration, Items: items,
		Integrations: map[string]string{integA: "enabled", integB: "enabled", integD: "disabled"}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func statuses(res IngestResult) string {
	var b bytes.Buffer
	for _, r := range res.Results {
		b.WriteString(r.Status[:1])
	}
	return b.String()
}

func TestIngest_RepeatInsideBatchFollowsTheFirstOccurrence(t *testing.T) {
	t.Parallel()
	e, s := newTestEngine(t)
	ingest(t, e, integA, rec("stored", 1))
	res := ingest(t, e, integA,
		rec("new", 1), rec("new", 1), rec("new", 2), // same → duplicate, changed → conflict
		rec("stored", 9), rec("stored", 9), // stored differs → conflict, and so does its repeat
	)
	if got := statuses(res); got != "adccc" {
		t.Fatalf("statuses = %s, want adccc", got)
	}
	if res.Results[1].ID != res.Results[0].ID || res.Accepted != 1 || res.Duplicates != 1 || res.Conflicts != 3 {
		t.Fatalf("result = %+v", res)
	}
	if len(s.rows) != 2 {
		t.Fatalf("rows %d, want 2", len(s.rows))
	}
}

func TestIngest_HashIgnoresServerDefaults(t *testing.T) {
	t.Parallel()
	e, _ := newTestEngine(t)
	first := rec("c1", 1)
	ingest(t, e, integA, first)
	// Naming the key's own integration and an empty metadata object is the
	// same record as leaving both out.
	again := rec("c1", 1)
	again.IntegrationID = integA
	again.Metadata = []byte("{}")
	if got := statuses(ingest(t, e, integA, again)); got != "d" {
		t.Fatalf("retry with explicit defaults: %s, want duplicate", got)
	}
	// A client that now sends occurred_at sent a different record.
	at := now.Add(-time.Minute)
	changed := rec("c1", 1)
	changed.OccurredAt = &at
	if got := statuses(ingest(t, e, integA, changed)); got != "c" {
		t.Fatalf("retry with a new field: %s, want conflict", got)
	}
}

func TestIngest_IntegrationRules(t *testing.T) {
	t.Parallel()
	e, _ := newTestEngine(t)
	withID := func(callID, id string) *Record { r := rec(callID, 1); r.IntegrationID = id; return r }
	cases := []struct {
		name string
		key  string
		r    *Record
		code string
	}{
		{"machine key without id", "", rec("a", 1), fault.CodeMissingIntegrationID},
		{"key and body disagree", integA, withID("b", integB), fault.CodeForbidden},
		{"unknown integration", "", withID("c", "0193a8e0-0000-7000-8000-0000000000ff"), fault.CodeNotFound},
		{"disabled integration", integD, rec("d", 1), fault.CodeIntegrationDisabled},
	}
	for _, tc := range cases {
		res := ingest(t, e, tc.key, tc.r)
		if res.Results[0].Status != StatusRejected || res.Results[0].Error.Code != tc.code {
			t.Errorf("%s: %+v", tc.name, res.Results[0])
		}
	}
	if got := statuses(ingest(t, e, "", withID("e", integB))); got != "a" {
		t.Fatalf("machine key naming its tenant's integration: %s", got)
	}
}

func TestIngest_OccurredAtWindow(t *testing.T) {
	t.Parallel()
	e, s := newTestEngine(t)
	at := func(d time.Duration) *Record {
		r := rec("t"+d.String(), 1)
		v := now.Add(d)
		r.OccurredAt = &v
		return r
	}
	res := ingest(t, e, integA, at(-30*24*time.Hour), at(-30*24*time.Hour-time.Second), at(5*time.Minute), at(5*time.Minute+time.Second))
	if got := statuses(res); got != "arar" {
		t.Fatalf("statuses = %s, want arar", got)
	}
	for _, r := range s.rows {
		if day := r.OccurredAt.Format("2006-01-02"); day != "2026-10-26" && day != "2026-11-25" {
			t.Fatalf("stored occurred_at %v", r.OccurredAt)
		}
	}
}

func TestIngest_ServerDefaults(t *testing.T) {
	t.Parallel()
	e, s := newTestEngine(t)
	ingest(t, e, integA, rec("y", 5))
	row := s.rows[tenant+"/y"]
	if row.CostMicros != 20_000 || row.PolicyResult != "allowed" || string(row.Metadata) != "{}" || !row.OccurredAt.Equal(now) {
		t.Fatalf("defaults: %+v", row)
	}
}

func TestResolveWindow(t *testing.T) {
	t.Parallel()
	cases := []struct {
		start, end, wantStart, wantEnd string
		ok                             bool
	}{
		{"", "", "2026-10-27", "2026-11-25", true},
		{"", "2026-01-31", "2026-01-02", "2026-01-31", true},
		{"2025-01-01", "2025-12-31", "2025-01-01", "2025-12-31", true},
		{"2024-01-01", "2024-12-31", "2024-01-01", "2024-12-31", true}, // 366 days
		{"2024-01-01", "2025-01-01", "", "", false},                    // 367 days
		{"2026-02-02", "2026-02-01", "", "", false},
		{"", "0000-01-01", "", "", false}, // the default start would be in year -1 (FuzzResolveWindow)
		{"", "0001-01-29", "", "", false},
		{"0000-12-31", "0001-01-01", "", "", false},
	}
	for _, tc := range cases {
		w, err := resolveWindow(tc.start, tc.end, now)
		if (err == nil) != tc.ok || (tc.ok && (w.Start != tc.wantStart || w.End != tc.wantEnd)) {
			t.Errorf("%q..%q → %+v, %v", tc.start, tc.end, w, err)
		}
	}
}

func TestIngest_RepeatIsComparedWithWhatEndsUpStored(t *testing.T) {
	t.Parallel()
	e, _ := newTestEngine(t)
	ingest(t, e, integA, rec("stored", 1))
	// The first occurrence conflicts with the stored record and is not
	// stored; the second equals the stored record, so it is a duplicate.
	res := ingest(t, e, integA, rec("stored", 2), rec("stored", 1))
	if got := statuses(res); got != "cd" {
		t.Fatalf("statuses = %s, want cd", got)
	}
}

func TestDecodeCursor_AcceptsOnlyWhatEncodeCursorWrites(t *testing.T) {
	t.Parallel()
	c := store.Cursor{OccurredAt: time.Date(2026, 11, 25, 12, 0, 0, 500_000_000, time.UTC), ID: integA}
	if got, err := decodeCursor(encodeCursor(c)); err != nil || got != c {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	// Other spellings of the same position (found by FuzzDecodeCursor).
	for _, s := range []string{
		b64("2026-11-25T14:00:00.5+02:00|" + integA),
		b64("2026-11-25T12:00:00.500Z|" + integA),
		b64("2026-11-25T12:00:00.5Z|" + strings.ToUpper(integA)),
		b64("2026-11-25T12:00:00.5Z|{" + integA + "}"),
		b64("2026-11-25T12:00:00.5Z|" + integA)[:10] + "x",
	} {
		if _, err := decodeCursor(s); err == nil {
			t.Errorf("decodeCursor(%q) accepted another spelling", s)
		}
	}
}

func TestIngestMany_RequestsActAsIfIngestedInOrder(t *testing.T) {
	t.Parallel()
	e, s := newTestEngine(t)
	const otherTenant = "0193a8e0-0000-7000-8000-00000000000b"
	integrations := map[string]string{integA: "enabled"}
	req := func(tenantID string, recs ...*Record) IngestRequest {
		items := make([]Item, len(recs))
		for i, r := range recs {
			items[i] = Item{CallID: r.CallID, Record: r}
		}
		return IngestRequest{TenantID: tenantID, KeyIntegrationID: integA, Items: items, Integrations: integrations}
	}
	res, err := e.IngestMany(context.Background(), []IngestRequest{
		req(tenant, rec("c1", 1)),
		req(tenant, rec("c1", 1)),      // same tenant, same content: duplicate of the first request's record
		req(tenant, rec("c1", 2)),      // same tenant, changed content: conflict
		req(otherTenant, rec("c1", 1)), // another tenant's call ids are its own
	})
	if err != nil {
		t.Fatal(err)
	}
	got := statuses(res[0]) + statuses(res[1]) + statuses(res[2]) + statuses(res[3])
	if got != "adca" {
		t.Fatalf("statuses = %s, want adca", got)
	}
	if res[1].Results[0].ID != res[0].Results[0].ID || res[3].Results[0].ID == res[0].Results[0].ID {
		t.Fatalf("ids: %+v", res)
	}
	if res[0].Accepted != 1 || res[1].Duplicates != 1 || res[2].Conflicts != 1 || res[3].Accepted != 1 {
		t.Fatalf("counts: %+v", res)
	}
	if len(s.rows) != 2 {
		t.Fatalf("rows %d, want 2", len(s.rows))
	}
}

func TestSummary_BreakdownsAreSumsOfTheSharesCostliestFirst(t *testing.T) {
	t.Parallel()
	u := &usageFake{}
	e := &Engine{usage: u, now: func() time.Time { return now }}
	share := func(integration, provider, model string, calls, cents int64) store.Share {
		return store.Share{IntegrationID: integration, Provider: provider, Model: model,
			Totals: store.Totals{Calls: calls, CostMicros: cents * 10_000, LatencySum: 10 * calls, LatencyCount: calls}}
	}
	u.shares = []store.Share{
		share(integA, "openai", "b-model", 1, 4),
		share(integA, "openai", "gpt-4o", 2, 10),
		share(integB, "openai", "C-model", 1, 4),
		share(integB, "openai", "gpt-4o", 3, 4),
	}
	sum, err := e.Summary(context.Background(), RangeRequest{TenantID: tenant})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Totals.Calls != 7 || sum.Totals.CostCents != 22 || *sum.Totals.AvgLatencyMS != 10 {
		t.Fatalf("totals %+v", sum.Totals)
	}
	var models []string
	for _, m := range sum.ByModel {
		models = append(models, fmt.Sprint(m.Model, "=", m.CostCents))
	}
	// gpt-4o costs most; the two 4-cent models tie and sort in byte order ('C' < 'b').
	if got := strings.Join(models, " "); got != "gpt-4o=14 C-model=4 b-model=4" {
		t.Fatalf("by model: %s", got)
	}
	if len(sum.ByIntegration) != 2 || sum.ByIntegration[0].IntegrationID != integA || sum.ByIntegration[0].CostCents != 14 ||
		sum.ByIntegration[1].CostCents != 8 {
		t.Fatalf("by integration: %+v", sum.ByIntegration)
	}
	one, err := e.Summary(context.Background(), RangeRequest{TenantID: tenant, IntegrationID: integA})
	if err != nil || one.ByIntegration != nil {
		t.Fatalf("filtered by integration: by_integration %+v (%v), want nil", one.ByIntegration, err)
	}
}

// TestSummary_CentsAreTheRoundedSumOfMicrosNeverASumOfRoundedCents: three
// models that cost 0.4 cents each are 1.2 cents together, shown as 1 cent —
// a sum of each one's rounded cents would say 0, and the client's own cents
// (one each, as SDKs round up) would say 3.
func TestSummary_CentsAreTheRoundedSumOfMicrosNeverASumOfRoundedCents(t *testing.T) {
	t.Parallel()
	u := &usageFake{}
	e := &Engine{usage: u, now: func() time.Time { return now }}
	for _, model := range []string{"a", "b", "c"} {
		u.shares = append(u.shares, store.Share{IntegrationID: integA, Provider: "openai", Model: model,
			Totals: store.Totals{Calls: 1, CostCents: 1, CostMicros: 4_000}})
	}
	sum, err := e.Summary(context.Background(), RangeRequest{TenantID: tenant})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Totals.CostMicros != 12_000 || sum.Totals.CostCents != 1 || sum.ByModel[0].CostCents != 0 || sum.ByIntegration[0].CostCents != 1 {
		t.Fatalf("totals %+v, by model %+v, by integration %+v", sum.Totals, sum.ByModel, sum.ByIntegration)
	}
}

func BenchmarkContentHash(b *testing.B) {
	r := rec("call-0123456789abcdef", 812)
	lat, sess := int64(400), "sess-1"
	r.LatencyMS, r.SessionID, r.Metadata = &lat, &sess, []byte(`{"feature":"chat","k":"v","n":3}`)
	b.ReportAllocs()
	for b.Loop() {
		contentHash(r, integA)
	}
}
