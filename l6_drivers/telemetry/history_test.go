package telemetry_test

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"hoc/l6_drivers/telemetry"
)

// seedHistory stores records at times chosen to trip up a text comparison
// of SQLite datetimes — a whole second next to its fractions, fractions of
// different lengths, the microsecond before a second, the next day — plus
// ties on occurred_at, spread over acme's two integrations, and one record
// of the other tenant. It returns acme's records newest first.
func seedHistory(t *testing.T, f fixture) []telemetry.RecordRow {
	t.Helper()
	offsets := []time.Duration{
		0, 100 * time.Millisecond, 120 * time.Millisecond, 123 * time.Millisecond,
		500 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond,
		999_999 * time.Microsecond, time.Second, time.Second, time.Second + time.Microsecond,
		-time.Microsecond, -time.Second, 10 * time.Minute, 24 * time.Hour,
	}
	var rows []telemetry.RecordRow
	for i, d := range offsets {
		integration := f.prod
		if i%3 == 0 {
			integration = f.dev
		}
		rows = append(rows, record(f.acme, integration, fmt.Sprintf("call-%02d", i), base.Add(d)))
	}
	f.mustInsert(t, rows...)
	f.mustInsert(t, record(f.other, f.otherInt, "call-00", base))
	slices.SortFunc(rows, func(a, b telemetry.RecordRow) int {
		return cmp.Or(b.OccurredAt.Compare(a.OccurredAt), strings.Compare(b.ID, a.ID))
	})
	return rows
}

func callIDs(rows []telemetry.RecordRow) []string {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.CallID
	}
	return ids
}

func onlyIntegration(rows []telemetry.RecordRow, integrationID string) []telemetry.RecordRow {
	return slices.DeleteFunc(slices.Clone(rows), func(r telemetry.RecordRow) bool { return r.IntegrationID != integrationID })
}

func TestListRecords_OffsetPagesNewestFirst(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		all := seedHistory(t, f)
		for _, integration := range []string{"", f.prod, f.dev} {
			want := all
			if integration != "" {
				want = onlyIntegration(all, integration)
			}
			var got []telemetry.RecordRow
			for offset := 0; ; offset += 4 {
				page, err := f.s.ListRecords(f.ctx, telemetry.HistoryQuery{TenantID: f.acme, IntegrationID: integration, Limit: 4, Offset: offset})
				if err != nil {
					t.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				got = append(got, page...)
			}
			if !slices.Equal(callIDs(got), callIDs(want)) {
				t.Errorf("integration %q: offset walk = %v\nwant %v", integration, callIDs(got), callIDs(want))
			}
		}
	})
}

func TestListRecords_CursorWalkSeesEveryRecordOnce(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		all := seedHistory(t, f)
		for _, integration := range []string{"", f.prod} {
			want := all
			if integration != "" {
				want = onlyIntegration(all, integration)
			}
			var got []telemetry.RecordRow
			var after *telemetry.Cursor
			for range len(want) + 1 { // page size 2 splits the ties across pages
				page, err := f.s.ListRecords(f.ctx, telemetry.HistoryQuery{TenantID: f.acme, IntegrationID: integration, Limit: 2, After: after})
				if err != nil {
					t.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				got = append(got, page...)
				last := page[len(page)-1]
				after = &telemetry.Cursor{OccurredAt: last.OccurredAt, ID: last.ID}
			}
			if !slices.Equal(callIDs(got), callIDs(want)) {
				t.Errorf("integration %q: cursor walk = %v\nwant %v", integration, callIDs(got), callIDs(want))
			}
		}
	})
}

func TestListRecords_TimesComeBackExactInUTC(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		all := seedHistory(t, f)
		got, err := f.s.ListRecords(f.ctx, telemetry.HistoryQuery{TenantID: f.acme, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if !got[i].OccurredAt.Equal(all[i].OccurredAt) || got[i].OccurredAt.Location() != time.UTC ||
				!got[i].ReceivedAt.Equal(all[i].ReceivedAt) {
				t.Fatalf("record %d: occurred %v received %v, want %v %v", i, got[i].OccurredAt, got[i].ReceivedAt,
					all[i].OccurredAt, all[i].ReceivedAt)
			}
		}
	})
}

func TestCountRecords_SumsTheRollupsPerTenantAndIntegration(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		all := seedHistory(t, f)
		for name, tt := range map[string]struct {
			tenant, integration string
			want                int
		}{
			"tenant":           {f.acme, "", len(all)},
			"prod":             {f.acme, f.prod, len(onlyIntegration(all, f.prod))},
			"dev":              {f.acme, f.dev, len(onlyIntegration(all, f.dev))},
			"another's":        {f.acme, f.otherInt, 0},
			"the other tenant": {f.other, "", 1},
		} {
			if got, err := f.s.CountRecords(f.ctx, telemetry.HistoryQuery{TenantID: tt.tenant, IntegrationID: tt.integration}); err != nil || got != int64(tt.want) {
				t.Errorf("%s: count = %d, %v; want %d", name, got, err, tt.want)
			}
		}
	})
}

// TestListRecords_DaysAreWholeUTCDays puts records on both sides of two
// midnights, to the microsecond: a window of days lists, and counts from
// the rollups, exactly the records the rollups put on those days.
func TestListRecords_DaysAreWholeUTCDays(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		midnight := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
		rows := []telemetry.RecordRow{
			record(f.acme, f.prod, "before", midnight.Add(-time.Microsecond)),
			record(f.acme, f.prod, "first", midnight),
			record(f.acme, f.dev, "last", midnight.Add(24*time.Hour-time.Microsecond)),
			record(f.acme, f.prod, "next", midnight.Add(24*time.Hour)),
			record(f.other, f.otherInt, "other", midnight.Add(time.Hour)),
		}
		f.mustInsert(t, rows...)
		for _, tt := range []struct {
			from, to, integration string
			want                  []string
		}{
			{"2026-11-20", "2026-11-20", "", []string{"last", "first"}},
			{"2026-11-20", "2026-11-21", "", []string{"next", "last", "first"}},
			{"2026-11-20", "", "", []string{"next", "last", "first"}},
			{"", "2026-11-20", "", []string{"last", "first", "before"}},
			{"2026-11-19", "2026-11-19", "", []string{"before"}},
			{"2026-11-20", "2026-11-20", f.prod, []string{"first"}},
			{"2026-11-22", "2026-11-30", "", nil},
		} {
			q := telemetry.HistoryQuery{TenantID: f.acme, IntegrationID: tt.integration, From: tt.from, To: tt.to, Limit: 10}
			got, err := f.s.ListRecords(f.ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(callIDs(got), tt.want) {
				t.Errorf("%s..%s %s: %v, want %v", tt.from, tt.to, tt.integration, callIDs(got), tt.want)
			}
			if n, err := f.s.CountRecords(f.ctx, q); err != nil || n != int64(len(tt.want)) {
				t.Errorf("%s..%s %s: count %d, %v; want %d", tt.from, tt.to, tt.integration, n, err, len(tt.want))
			}
		}
	})
}
