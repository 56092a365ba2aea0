package telemetry

import (
	"context"
	"errors"
	"time"

	store "hoc/l6_drivers/telemetry"
)

// The persistence ports of the telemetry engine, one per use, so that a
// test's fake implements only what the code it exercises calls. The L6
// store implements them all (Store); cmd/hocd binds it.
type (
	// RecordWriter stores records: ingest.
	RecordWriter interface {
		WriteRecords(ctx context.Context, rows []store.RecordRow) (store.Written, error)
	}
	// UsageReader sums the daily rollups: summary, daily series, today's
	// and the month's usage.
	UsageReader interface {
		SumTotals(ctx context.Context, q store.RangeQuery) (store.Totals, error)
		SumShares(ctx context.Context, q store.RangeQuery) ([]store.Share, error)
		Daily(ctx context.Context, q store.RangeQuery) ([]store.DailyRow, error)
	}
	// HistoryReader pages through the records: history.
	HistoryReader interface {
		ListRecords(ctx context.Context, q store.HistoryQuery) ([]store.RecordRow, error)
		CountRecords(ctx context.Context, q store.HistoryQuery) (int64, error)
	}
	// UnpricedReader lists the models with unpriced calls.
	UnpricedReader interface {
		UnpricedModels(ctx context.Context, q store.RangeQuery) ([]store.UnpricedModel, error)
	}
	// Store is every port at once, as the database implements them.
	Store interface {
		RecordWriter
		UsageReader
		HistoryReader
		UnpricedReader
	}
)

// Engine makes the telemetry domain's decisions.
type Engine struct {
	records  RecordWriter
	usage    UsageReader
	history  HistoryReader
	unpriced UnpricedReader
	now      func() time.Time
}

// NewEngine returns an engine on s; now is the clock.
func NewEngine(s Store, now func() time.Time) (*Engine, error) {
	if s == nil || now == nil {
		return nil, errors.New("telemetry engine: nil store or clock")
	}
	return &Engine{records: s, usage: s, history: s, unpriced: s, now: now}, nil
}
