package telemetry

import (
	"context"
	"errors"
	"time"

	store "hoc/l6_drivers/telemetry"
)

// Store is the persistence port of the telemetry engine.
type Store interface {
	WriteRecords(ctx context.Context, rows []store.RecordRow) (store.Written, error)
	SumTotals(ctx context.Context, q store.RangeQuery) (store.Totals, error)
	SumShares(ctx context.Context, q store.RangeQuery) ([]store.Share, error)
	Daily(ctx context.Context, q store.RangeQuery) ([]store.DailyRow, error)
	ListRecords(ctx context.Context, q store.HistoryQuery) ([]store.RecordRow, error)
	CountRecords(ctx context.Context, tenantID, integrationID string) (int64, error)
}

// Engine makes the telemetry domain's decisions.
type Engine struct {
	store Store
	now   func() time.Time
}

// NewEngine returns an engine on s; now is the clock.
func NewEngine(s Store, now func() time.Time) (*Engine, error) {
	if s == nil || now == nil {
		return nil, errors.New("telemetry engine: nil store or clock")
	}
	return &Engine{store: s, now: now}, nil
}
