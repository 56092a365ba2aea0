package integrations

import "testing"

func TestLimits_PercentsOfEachLimitZeroMeansUnlimited(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                  string
		budget, tokens        int64
		rpm                   int
		usage                 Usage
		budgetPct, tokPct, rp float64
	}{
		{"under", 1000, 10_000, 60, Usage{CostMicros: 4_250_000, Tokens: 3_333, CallsPerMinute: 15}, 42.5, 33.33, 25},
		{"rounded half up", 3, 3, 3, Usage{CostMicros: 20_000, Tokens: 1, CallsPerMinute: 0}, 66.67, 33.33, 0},
		{"over", 100, 100, 10, Usage{CostMicros: 2_500_000, Tokens: 101, CallsPerMinute: 12}, 250, 101, 120},
		{"unlimited", 0, 0, 0, Usage{CostMicros: 9_990_000, Tokens: 999, CallsPerMinute: 999}, 0, 0, 0},
		{"sub-cent usage counts", 1, 0, 0, Usage{CostMicros: 4_999}, 49.99, 0, 0},
	}
	for _, tc := range cases {
		got := Limits(Integration{BudgetLimitCents: tc.budget, TokenLimitMonth: tc.tokens, RateLimitRPM: tc.rpm}, tc.usage)
		want := LimitStatus{
			BudgetLimitCents: tc.budget, BudgetUsedCents: (tc.usage.CostMicros + 5_000) / 10_000, BudgetUsedMicros: tc.usage.CostMicros,
			BudgetPercent:   tc.budgetPct,
			TokenLimitMonth: tc.tokens, TokensUsedMonth: tc.usage.Tokens, TokenPercent: tc.tokPct,
			RateLimitRPM: tc.rpm, CurrentRPM: tc.usage.CallsPerMinute, RatePercent: tc.rp,
		}
		if got != want {
			t.Errorf("%s: got %+v\nwant %+v", tc.name, got, want)
		}
	}
}
