package protection_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	"hoc/l6_drivers/protection"
)

// eventsFixture is one test database with an event store and two tenants.
type eventsFixture struct {
	ctx         context.Context
	d           *db.DB
	s           *protection.Events
	acme, other string
}

// forEachEvents runs fn on every backend with a fresh fixture: its own
// databases, so the calling test may run in parallel with the others.
func forEachEvents(t *testing.T, fn func(t *testing.T, f eventsFixture)) {
	t.Helper()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Context(t)
		s, err := protection.NewEvents(d)
		if err != nil {
			t.Fatal(err)
		}
		f := eventsFixture{ctx: ctx, d: d, s: s}
		f.acme, f.other = dbtest.SeedTenant(t, ctx, d, "acme"), dbtest.SeedTenant(t, ctx, d, "other")
		fn(t, f)
	})
}

// eventAt returns a valid rate rejection of tenantID at at.
func eventAt(tenantID string, at time.Time) protection.EventRow {
	return protection.EventRow{
		ID: uuid.Must(uuid.NewV7()).String(), OccurredAt: at, TenantID: tenantID, ActorType: "machine",
		ActorID: "key-1", Endpoint: "/api/v1/integrations/:id", Method: "GET", Operation: "read",
		Decision: "reject", Dimension: "rate", Details: []byte(`{"retry_after_ms":1500,"limit":1000}`),
	}
}

func (f eventsFixture) mustInsert(t *testing.T, rows ...protection.EventRow) {
	t.Helper()
	if err := f.s.InsertEvents(f.ctx, rows); err != nil {
		t.Fatal(err)
	}
}

func (f eventsFixture) list(t *testing.T, q protection.EventQuery) ([]protection.EventRow, int64) {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 100
	}
	rows, total, err := f.s.ListEvents(f.ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	return rows, total
}

func ids(rows []protection.EventRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

// base is a fixed instant on a whole second.
var base = time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)

func TestEvents_RoundTripKeepsEveryColumn(t *testing.T) {
	t.Parallel()
	forEachEvents(t, func(t *testing.T, f eventsFixture) {
		in := eventAt(f.acme, base.Add(123456789*time.Nanosecond))
		in.Details = []byte(`{"dimension_limit":"daily_budget","nested":{"a":[1,2]},"current_value":10.5}`)
		f.mustInsert(t, in)
		rows, total := f.list(t, protection.EventQuery{})
		if total != 1 || len(rows) != 1 {
			t.Fatalf("got %d rows, total %d", len(rows), total)
		}
		got := rows[0]
		if !got.OccurredAt.Equal(db.UTC(in.OccurredAt)) || got.OccurredAt.Location() != time.UTC {
			t.Errorf("occurred_at = %v, want %v in UTC", got.OccurredAt, db.UTC(in.OccurredAt))
		}
		var gotDetails, wantDetails map[string]any
		if err := json.Unmarshal(got.Details, &gotDetails); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(in.Details, &wantDetails); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotDetails, wantDetails) {
			t.Errorf("details = %s, want %s", got.Details, in.Details)
		}
		got.OccurredAt, got.Details, in.OccurredAt, in.Details = time.Time{}, nil, time.Time{}, nil
		if !reflect.DeepEqual(got, in) {
			t.Errorf("got %+v\nwant %+v", got, in)
		}
	})
}

func TestEvents_EmptyDetailsAreStoredAsAnEmptyObject(t *testing.T) {
	t.Parallel()
	forEachEvents(t, func(t *testing.T, f eventsFixture) {
		e := eventAt(f.acme, base)
		e.Details = nil
		f.mustInsert(t, e)
		rows, _ := f.list(t, protection.EventQuery{})
		if len(rows) != 1 || string(rows[0].Details) != "{}" {
			t.Fatalf("details = %q", rows[0].Details)
		}
	})
}

func TestEvents_StoreAssignsMissingIDs(t *testing.T) {
	t.Parallel()
	forEachEvents(t, func(t *testing.T, f eventsFixture) {
		a, b := eventAt(f.acme, base), eventAt(f.acme, base.Add(time.Second))
		a.ID, b.ID = "", ""
		f.mustInsert(t, a, b)
		rows, total := f.list(t, protection.EventQuery{})
		if total != 2 || rows[0].ID == rows[1].ID {
			t.Fatalf("rows %v, total %d", ids(rows), total)
		}
		for _, r := range rows {
			if u, err := uuid.Parse(r.ID); err != nil || u.Version() != 7 {
				t.Errorf("id %q is not a UUID v7", r.ID)
			}
		}
	})
}

func TestEvents_NonCanonicalIDIsRefused(t *testing.T) {
	t.Parallel()
	forEachEvents(t, func(t *testing.T, f eventsFixture) {
		e := eventAt(f.acme, base)
		e.ID = "NOT-A-UUID"
		if err := f.s.InsertEvents(f.ctx, []protection.EventRow{e}); err == nil {
			t.Fatal("a malformed id was accepted")
		}
	})
}

// The recorder retries a failed batch once; if the first attempt did
// commit, the retry must not store the events twice.
func TestEvents_ReinsertingABatchStoresNothingTwice(t *testing.T) {
	t.Parallel()
	forEachEvents(t, func(t *testing.T, f eventsFixture) {
		batch := []protection.EventRow{eventAt(f.acme, base), eventAt(f.other, base)}
		f.mustInsert(t, batch...)
		f.mustInsert(t, append(batch, eventAt(f.acme, base.Add(time.Second)))...)
		if _, total := f.list(t, protection.EventQuery{}); total != 3 {
			t.Fatalf("total = %d, want 3", total)
		}
	})
}

func TestEvents_ABadRowFailsTheWholeBatch(t *testing.T) {
	t.Parallel()
	forEachEvents(t, func(t *testing.T, f eventsFixture) {
		bad := eventAt(f.acme, base)
		bad.Dimension = "mood"
		if err := f.s.InsertEvents(f.ctx, []protection.EventRow{eventAt(f.acme, base), bad}); err == nil {
			t.Fatal("a row breaking the dimension CHECK was accepted")
		}
		if _, total := f.list(t, protection.EventQuery{}); total != 0 {
			t.Fatalf("total = %d after a failed batch, want 0", total)
		}
	})
}

// A batch larger than one statement's chunk is split, and every row lands.
func TestEvents_LargeBatchIsChunked(t *testing.T) {
	t.Parallel()
	forEachEvents(t, func(t *testing.T, f eventsFixture) {
		rows := make([]protection.EventRow, 2345)
		for i := range rows {
			rows[i] = eventAt(f.acme, base.Add(time.Duration(i)*time.Millisecond))
		}
		f.mustInsert(t, rows...)
		got, total := f.list(t, protection.EventQuery{TenantID: f.acme, Limit: 1})
		if total != int64(len(rows)) || got[0].ID != rows[len(rows)-1].ID {
			t.Fatalf("total %d, newest %v", total, ids(got))
		}
	})
}

func TestEvents_NewestFirstWithIDBreakingTies(t *testing.T) {
	t.Parallel()
	forEachEvents(t, func(t *testing.T, f eventsFixture) {
		// Fixed ids at one instant, inserted out of order.
		tieLow, tieHigh := eventAt(f.acme, base), eventAt(f.other, base)
		tieLow.ID, tieHigh.ID = "00000000-0000-7000-8000-00000000000a", "00000000-0000-7000-8000-00000000000b"
		older, newer := eventAt(f.acme, base.Add(-time.Microsecond)), eventAt(f.other, base.Add(time.Millisecond))
		f.mustInsert(t, tieLow, older, newer, tieHigh)
		want := []string{newer.ID, tieHigh.ID, tieLow.ID, older.ID}
		rows, total := f.list(t, protection.EventQuery{})
		if total != 4 || !reflect.DeepEqual(ids(rows), want) {
			t.Fatalf("order %v, want %v (total %d)", ids(rows), want, total)
		}
		var paged []string
		for offset := 0; offset < 4; offset += 3 {
			page, total := f.list(t, protection.EventQuery{Limit: 3, Offset: offset})
			if total != 4 {
				t.Fatalf("page at %d: total %d", offset, total)
			}
			paged = append(paged, ids(page)...)
		}
		if !reflect.DeepEqual(paged, want) {
			t.Fatalf("pages %v, want %v", paged, want)
		}
	})
}

func TestEvents_Filters(t *testing.T) {
	t.Parallel()
	forEachEvents(t, func(t *testing.T, f eventsFixture) {
		burst := eventAt(f.acme, base.Add(2*time.Minute))
		burst.Decision, burst.Dimension = "throttle", "burst"
		acmeOld, acmeNew := eventAt(f.acme, base), eventAt(f.acme, base.Add(time.Minute))
		otherNew := eventAt(f.other, base.Add(time.Minute))
		f.mustInsert(t, acmeOld, acmeNew, otherNew, burst)
		since := base.Add(time.Minute)
		for _, tc := range []struct {
			name string
			q    protection.EventQuery
			want []string
		}{
			{"every tenant", protection.EventQuery{}, []string{burst.ID, otherNew.ID, acmeNew.ID, acmeOld.ID}},
			{"one tenant", protection.EventQuery{TenantID: f.other}, []string{otherNew.ID}},
			{"since is inclusive", protection.EventQuery{TenantID: f.acme, Since: &since}, []string{burst.ID, acmeNew.ID}},
			{"dimension", protection.EventQuery{Dimension: "rate"}, []string{otherNew.ID, acmeNew.ID, acmeOld.ID}},
			{"all three", protection.EventQuery{TenantID: f.acme, Since: &since, Dimension: "rate"}, []string{acmeNew.ID}},
			{"a tenant with no events", protection.EventQuery{TenantID: uuid.NewString()}, []string{}},
			{"a tenant id that is not a UUID", protection.EventQuery{TenantID: "acme"}, []string{}},
			{"an upper-case tenant id", protection.EventQuery{TenantID: strings.ToUpper(f.acme)}, []string{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rows, total := f.list(t, tc.q)
				if got := ids(rows); !reflect.DeepEqual(got, tc.want) || total != int64(len(tc.want)) {
					t.Fatalf("got %v (total %d), want %v", got, total, tc.want)
				}
			})
		}
	})
}

func TestNewEvents_RefusesNilDatabase(t *testing.T) {
	t.Parallel()
	if _, err := protection.NewEvents(nil); err == nil {
		t.Fatal("nil database accepted")
	}
}
