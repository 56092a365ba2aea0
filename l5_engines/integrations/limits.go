package integrations

import "math"

// Usage is what an integration has used, measured by the telemetry domain
// and handed over as plain values.
type Usage struct {
	// CostMicros and Tokens (in plus out) are this UTC calendar month's.
	CostMicros int64
	Tokens     int64
	// CallsPerMinute is the current request rate.
	CallsPerMinute int64
}

// LimitStatus sets an integration's three limits against its usage.
type LimitStatus struct {
	BudgetLimitCents int64
	BudgetUsedCents  int64 // BudgetUsedMicros rounded half up
	BudgetUsedMicros int64
	BudgetPercent    float64
	TokenLimitMonth  int64
	TokensUsedMonth  int64
	TokenPercent     float64
	RateLimitRPM     int
	CurrentRPM       int64
	RatePercent      float64
}

// Limits compares i's limits with u. A limit of 0 means unlimited, and its
// percent is 0. A percent is of the limit, rounded to two decimals, and goes
// past 100 once usage passes the limit, so a client can tell how far over it
// is.
func Limits(i Integration, u Usage) LimitStatus {
	return LimitStatus{
		BudgetLimitCents: i.BudgetLimitCents,
		BudgetUsedCents:  (u.CostMicros + 5_000) / 10_000,
		BudgetUsedMicros: u.CostMicros,
		BudgetPercent:    percentOf(u.CostMicros, i.BudgetLimitCents*10_000), // budgets compare micro-dollars (SPEC §8)
		TokenLimitMonth:  i.TokenLimitMonth,
		TokensUsedMonth:  u.Tokens,
		TokenPercent:     percentOf(u.Tokens, i.TokenLimitMonth),
		RateLimitRPM:     i.RateLimitRPM,
		CurrentRPM:       u.CallsPerMinute,
		RatePercent:      percentOf(u.CallsPerMinute, int64(i.RateLimitRPM)),
	}
}

// percentOf is used as a percentage of limit, rounded to two decimals; 0
// when there is no limit.
func percentOf(used, limit int64) float64 {
	if limit <= 0 {
		return 0
	}
	return math.Round(float64(used)*10_000/float64(limit)) / 100
}
