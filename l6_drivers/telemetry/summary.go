package telemetry

import (
	"context"
	"fmt"
	"strings"

	"hoc/l6_drivers/db"
)

// RangeQuery selects rollup rows of one tenant over an inclusive range of
// UTC days, 'YYYY-MM-DD'; IntegrationID, when set, narrows it to one
// integration.
type RangeQuery struct {
	TenantID      string
	IntegrationID string
	From, To      string
}

// Totals are sums of rollup counters. Latency stays a sum and a count so
// that the caller computes the mean over records that had a latency.
type Totals struct {
	Calls        int64
	TokensIn     int64
	TokensOut    int64
	CostCents    int64
	CostMicros   int64
	LatencySum   int64
	LatencyCount int64
	ErrorCount   int64
	BlockedCount int64
	// CacheReadTokens, CacheWriteTokens and ReasoningTokens are parts of
	// TokensIn and TokensOut; UnpricedCalls counts the records no price
	// covered.
	CacheReadTokens  int64
	CacheWriteTokens int64
	ReasoningTokens  int64
	UnpricedCalls    int64
}

// Share is one integration, provider and model's sums over a range.
type Share struct {
	IntegrationID string
	Provider      string
	Model         string
	Totals
}

// DailyRow is one (day, integration) of a range; Day is 'YYYY-MM-DD'.
type DailyRow struct {
	Day           string
	IntegrationID string
	Totals
}

// sums selects the sum of every counter under its own name. The casts keep
// the type bigint on Postgres, where SUM(bigint) is numeric.
var sums = func() string {
	parts := make([]string, 0, len(rollupColumns)-5)
	for _, c := range rollupColumns[5:] {
		parts = append(parts, "CAST(COALESCE(SUM("+c+"), 0) AS bigint) AS "+c)
	}
	return strings.Join(parts, ", ")
}()

// SumTotals sums the range. A range without usage sums to zero.
func (s *Store) SumTotals(ctx context.Context, q RangeQuery) (Totals, error) {
	var t Totals
	where, args := rangeFilter(q)
	if err := s.db.Conn(ctx).Raw("SELECT "+sums+" FROM usage_daily WHERE "+where, args...).Find(&t).Error; err != nil {
		return Totals{}, fmt.Errorf("sum usage: %w", db.Classify(err))
	}
	return t, nil
}

// SumShares sums the range per integration, provider and model with usage,
// ordered by those three in byte order on both backends. It is the one read
// a summary needs: totals and both breakdowns are sums of these rows.
func (s *Store) SumShares(ctx context.Context, q RangeQuery) ([]Share, error) {
	out := []Share{}
	where, args := rangeFilter(q)
	err := s.db.Conn(ctx).Raw("SELECT integration_id, provider, model, "+sums+" FROM usage_daily WHERE "+where+
		" GROUP BY integration_id, provider, model ORDER BY integration_id, provider"+s.byteOrder+", model"+s.byteOrder,
		args...).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("sum usage by integration and model: %w", db.Classify(err))
	}
	return out, nil
}

// Daily sums the range per day and integration with usage, by day then
// integration id. The rows add up exactly to SumTotals of the same query.
func (s *Store) Daily(ctx context.Context, q RangeQuery) ([]DailyRow, error) {
	out := []DailyRow{}
	where, args := rangeFilter(q)
	err := s.db.Conn(ctx).Raw("SELECT "+s.dayText+" AS day, integration_id, "+sums+" FROM usage_daily WHERE "+where+
		" GROUP BY usage_daily.day, integration_id ORDER BY usage_daily.day, integration_id", args...).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("daily usage: %w", db.Classify(err))
	}
	return out, nil
}

// rangeFilter is the WHERE clause of q and its arguments.
func rangeFilter(q RangeQuery) (string, []any) {
	where := "tenant_id = ? AND day BETWEEN ? AND ?"
	args := []any{q.TenantID, q.From, q.To}
	if q.IntegrationID != "" {
		where += " AND integration_id = ?"
		args = append(args, q.IntegrationID)
	}
	return where, args
}

// UnpricedModel is a provider and model with calls no price covered in a
// range, and how many.
type UnpricedModel struct {
	Provider string
	Model    string
	Calls    int64
}

// UnpricedModels lists the models of the range with unpriced calls, most
// calls first, then by provider and model in byte order.
func (s *Store) UnpricedModels(ctx context.Context, q RangeQuery) ([]UnpricedModel, error) {
	out := []UnpricedModel{}
	where, args := rangeFilter(q)
	err := s.db.Conn(ctx).Raw("SELECT provider, model, CAST(SUM(unpriced_calls) AS bigint) AS calls FROM usage_daily WHERE "+where+
		" GROUP BY provider, model HAVING SUM(unpriced_calls) > 0 ORDER BY calls DESC, provider"+s.byteOrder+", model"+s.byteOrder,
		args...).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list unpriced models: %w", db.Classify(err))
	}
	return out, nil
}
