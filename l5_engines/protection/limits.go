package protection

import "time"

// Limits are protection's configurable defaults (SPEC §4.2). Budgets are in
// cents per calendar month; 0 means unlimited.
type Limits struct {
	RoutePerMinute int
	BurstPerSecond int
	AnomalyFactor  float64
	AnomalyFloor   float64
	PlanBudgets    map[string]int64
	// FailClosed refuses requests (503 UNAVAILABLE) when the state backend
	// fails, instead of the default fail-open.
	FailClosed bool
}

// DefaultLimits are SPEC §4.2's: 1000 requests per minute per route, 100 per
// second per tenant, anomalies above 10× a baseline of at least 100 requests
// per 5 minutes, and $10 (free), $500 (pro) or unlimited (enterprise) a month.
func DefaultLimits() Limits {
	return Limits{
		RoutePerMinute: 1000,
		BurstPerSecond: 100,
		AnomalyFactor:  10,
		AnomalyFloor:   100,
		PlanBudgets:    map[string]int64{"free": 1_000, "pro": 50_000, "enterprise": 0},
	}
}

// daysPerBudgetMonth turns a monthly budget into a daily allowance (SPEC §4.2).
const daysPerBudgetMonth = 30

// microsPerCent converts cents to micro-dollars.
const microsPerCent = 10_000

// The windows of the rate buckets.
const (
	minute = time.Minute
	second = time.Second
)
