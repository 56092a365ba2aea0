package telemetry

import (
	"context"
	"errors"
	"fmt"
	"time"

	store "hoc/l6_drivers/telemetry"
)

// MonthUsage is what an integration (or a whole tenant) has used in one
// UTC calendar month up to and including one day.
type MonthUsage struct {
	// Window runs from the first of the month to the day of the instant asked about.
	Window Window
	Totals Totals
}

// MonthToDate returns the usage of tenantID's integrationID (the whole
// tenant when integrationID is empty) in the UTC calendar month of now, from
// the 1st through now's day. It reads the daily rollups only, so it costs at
// most 31 days of one integration's rows whatever the number of records.
// Records are placed on days by occurred_at, as everywhere else: a record
// dated in the next month does not count until that month comes.
func (e *Engine) MonthToDate(ctx context.Context, tenantID, integrationID string, now time.Time) (MonthUsage, error) {
	w := monthToDate(now)
	t, err := e.usage.SumTotals(ctx, store.RangeQuery{TenantID: tenantID, IntegrationID: integrationID, From: w.Start, To: w.End})
	if err != nil {
		return MonthUsage{}, fmt.Errorf("sum month-to-date usage: %w", err)
	}
	return MonthUsage{Window: w, Totals: totalsOf(t)}, nil
}

// monthToDate is the window from the first of now's UTC month to now's UTC day.
func monthToDate(now time.Time) Window {
	day := now.UTC()
	first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	return Window{Start: first.Format(dateLayout), End: day.Format(dateLayout)}
}

// RecentCounter is the port that counts an integration's records since an
// instant. It is separate from Store because only the call rate needs it.
type RecentCounter interface {
	CountRecordsSince(ctx context.Context, tenantID, integrationID string, since time.Time) (int64, error)
}

// CallRate measures how many calls an integration made in the last minute,
// counted from the telemetry it reported. It stands in for a live request
// rate until request protection measures one; unlike a live rate it sees
// only calls the SDK has reported.
type CallRate struct {
	store RecentCounter
}

// NewCallRate returns a call rate that counts through s.
func NewCallRate(s RecentCounter) (*CallRate, error) {
	if s == nil {
		return nil, errors.New("telemetry call rate: nil store")
	}
	return &CallRate{store: s}, nil
}

// PerMinute returns the number of tenantID's integrationID records that
// occurred in the minute up to now.
func (r *CallRate) PerMinute(ctx context.Context, tenantID, integrationID string, now time.Time) (int64, error) {
	n, err := r.store.CountRecordsSince(ctx, tenantID, integrationID, now.Add(-time.Minute))
	if err != nil {
		return 0, fmt.Errorf("count calls of the last minute: %w", err)
	}
	return n, nil
}
