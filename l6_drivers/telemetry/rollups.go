package telemetry

import "strings"

// rollupColumns are the columns of usage_daily; the first five are its key,
// the rest counters.
var rollupColumns = []string{"tenant_id", "day", "integration_id", "provider", "model", "calls", "tokens_in",
	"tokens_out", "cost_cents", "cost_micros", "latency_sum", "latency_count", "error_count", "blocked_count",
	"cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "unpriced_calls"}

// counterCount is the number of counters of a rollup row.
const counterCount = 13

// upsertRollupsTail adds each new row's counters to the row already stored
// under its key, if any.
var upsertRollupsTail = func() string {
	counters := rollupColumns[5:]
	set := make([]string, len(counters))
	for i, c := range counters {
		set[i] = c + " = usage_daily." + c + " + excluded." + c
	}
	return " ON CONFLICT (" + strings.Join(rollupColumns[:5], ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
}()
