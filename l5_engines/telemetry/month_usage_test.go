package telemetry

import (
	"context"
	"testing"
	"time"

	store "hoc/l6_drivers/telemetry"
)

func TestMonthToDate_SumsFromTheFirstOfTheUTCMonthThroughToday(t *testing.T) {
	t.Parallel()
	s := &usageFake{totals: store.Totals{Calls: 3, TokensIn: 300, TokensOut: 150, CostCents: 21,
		CostMicros: 210_000, LatencySum: 90, LatencyCount: 2}}
	e := &Engine{usage: s, now: func() time.Time { return now }}
	cases := []struct {
		name     string
		at       time.Time
		from, to string
	}{
		{"mid month", time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), "2026-11-01", "2026-11-25"},
		{"first instant of the month", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "2026-12-01", "2026-12-01"},
		{"last instant of a leap February", time.Date(2028, 2, 29, 23, 59, 59, 999_999_999, time.UTC), "2028-02-01", "2028-02-29"},
		// 2026-12-01 01:30 in UTC+3 is still November 30 in UTC.
		{"another zone is read in UTC", time.Date(2026, 12, 1, 1, 30, 0, 0, time.FixedZone("UTC+3", 3*3600)), "2026-11-01", "2026-11-30"},
	}
	for _, tc := range cases {
		s.asked = nil
		got, err := e.MonthToDate(context.Background(), tenant, integA, tc.at)
		if err != nil {
			t.Fatal(err)
		}
		want := store.RangeQuery{TenantID: tenant, IntegrationID: integA, From: tc.from, To: tc.to}
		if len(s.asked) != 1 || s.asked[0] != want {
			t.Errorf("%s: asked %+v, want %+v", tc.name, s.asked, want)
		}
		if got.Window != (Window{Start: tc.from, End: tc.to}) || got.Totals.Calls != 3 || got.Totals.TokensIn != 300 ||
			got.Totals.TokensOut != 150 || got.Totals.CostCents != 21 || *got.Totals.AvgLatencyMS != 45 {
			t.Errorf("%s: got %+v", tc.name, got)
		}
	}
}

// recentFake counts nothing but remembers what it was asked.
type recentFake struct {
	n     int64
	since time.Time
	ids   [2]string
}

func (f *recentFake) CountRecordsSince(_ context.Context, tenantID, integrationID string, since time.Time) (int64, error) {
	f.ids, f.since = [2]string{tenantID, integrationID}, since
	return f.n, nil
}

func TestCallRate_CountsTheMinuteUpToNow(t *testing.T) {
	t.Parallel()
	s := &recentFake{n: 7}
	r, err := NewCallRate(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.PerMinute(context.Background(), tenant, integB, now)
	if err != nil {
		t.Fatal(err)
	}
	if got != 7 || !s.since.Equal(now.Add(-time.Minute)) || s.ids != [2]string{tenant, integB} {
		t.Fatalf("got %d, asked since %s for %v", got, s.since, s.ids)
	}
	if _, err := NewCallRate(nil); err == nil {
		t.Fatal("a nil store was accepted")
	}
}
