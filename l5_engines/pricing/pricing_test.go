package pricing

import (
	"testing"
	"time"
)

func mustRate(t *testing.T, s string) Rate {
	t.Helper()
	r, ok := ParseRate(s)
	if !ok {
		t.Fatalf("ParseRate(%q) refused", s)
	}
	return r
}

func rates(t *testing.T, in, out, read, write string) Rates {
	return Rates{mustRate(t, in), mustRate(t, out), mustRate(t, read), mustRate(t, write)}
}

func TestParseRate_IsExactAndRefusesWhatIsNotAPlainDecimal(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]Rate{
		"2.50": 2_500_000, "0.075": 75_000, "0.625": 625_000, "3": 3_000_000, "0.1": 100_000, "0.000001": 1,
		"0": 0, "100000": MaxRate, "10.000000": 10_000_000,
	} {
		if got, ok := ParseRate(s); !ok || got != want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", ".5", "5.", "-1", "+1", "1e-3", "0.0000001", "100000.000001", "1,5", "01.5", "NaN", " 1", "1 "} {
		if got, ok := ParseRate(s); ok {
			t.Errorf("ParseRate(%q) = %d, want refused", s, got)
		}
	}
	for r, want := range map[Rate]string{2_500_000: "2.50", 75_000: "0.075", 625_000: "0.625", 0: "0.00", 1: "0.000001", 10_000_000: "10.00"} {
		if got := r.String(); got != want {
			t.Errorf("Rate(%d).String() = %q, want %q", r, got, want)
		}
	}
}

func TestCost_IntegerArithmeticRoundsHalfUpOnce(t *testing.T) {
	t.Parallel()
	gpt4o := rates(t, "2.50", "10.00", "1.25", "2.50")
	sonnet := rates(t, "3.00", "15.00", "0.30", "3.75")
	for _, tc := range []struct {
		name  string
		rates Rates
		tok   Tokens
		want  int64
	}{
		{"input and output", gpt4o, Tokens{In: 1000, Out: 100}, 3500},                                 // 2500 + 1000 µ$
		{"cached input at its own rate", gpt4o, Tokens{In: 1000, Out: 100, CacheRead: 800}, 2500},     // 200×2.5 + 800×1.25 + 100×10
		{"cache writes", sonnet, Tokens{In: 1000, Out: 0, CacheRead: 500, CacheWrite: 400}, 1950},     // 100×3 + 500×0.3 + 400×3.75
		{"reasoning is output, already counted", gpt4o, Tokens{In: 0, Out: 100, Reasoning: 60}, 1000}, // 100×10
		{"half a micro-dollar rounds up", rates(t, "0.5", "0", "0", "0"), Tokens{In: 1}, 1},           // 0.5 µ$
		{"just under half rounds down", rates(t, "0.499999", "0", "0", "0"), Tokens{In: 1}, 0},        // 0.499999 µ$
		{"a thousandth of a cent", rates(t, "0.075", "0", "0", "0"), Tokens{In: 20}, 2},               // 1.5 µ$ → 2
		{"nothing used", gpt4o, Tokens{}, 0},
		{"the largest call at the largest rate", Rates{MaxRate, MaxRate, MaxRate, MaxRate}, Tokens{In: 1e9, Out: 1e9}, 2e14},
	} {
		if got := Cost(tc.rates, tc.tok); got != tc.want {
			t.Errorf("%s: Cost = %d µ$, want %d", tc.name, got, tc.want)
		}
	}
	for micros, cents := range map[int64]int64{0: 0, 4_999: 0, 5_000: 1, 14_999: 1, 15_000: 2, 1_250_000: 125} {
		if got := MicrosToCents(micros); got != cents {
			t.Errorf("MicrosToCents(%d) = %d, want %d", micros, got, cents)
		}
	}
}

func TestPrice_TierPricesTheWholeCallAboveItsThreshold(t *testing.T) {
	t.Parallel()
	p := Price{Rates: rates(t, "1.25", "10.00", "0.31", "1.25"),
		Tier: &Tier{AboveInputTokens: 200_000, Rates: rates(t, "2.50", "15.00", "0.625", "2.50")}}
	at := func(in int64) int64 { return Cost(p.RatesFor(in), Tokens{In: in, Out: 1000}) }
	if got, want := at(200_000), int64(200_000*1.25+1000*10); got != want {
		t.Errorf("at the threshold: %d µ$, want the base rates' %d", got, want)
	}
	if got, want := at(200_001), int64(200_001*2.5+1000*15+0.5); got != want {
		t.Errorf("one token over: %d µ$, want the tier's %d for the whole call", got, want)
	}
}

var (
	jan = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	jun = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	dec = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
)

func TestTable_ResolvesByTheBoundaryRuleNeverBySubstring(t *testing.T) {
	t.Parallel()
	row := func(provider, model string) Price {
		return Price{ID: provider + "/" + model, Provider: provider, Model: model, EffectiveFrom: jan}
	}
	table := NewTable([]Price{
		row("openai", "gpt-4"), row("openai", "gpt-4o"), row("openai", "gpt-4o-mini"),
		row("anthropic", "claude-3-haiku"), row("anthropic", "claude-3-5-haiku"), row("google", "gemini-2.5-pro"),
		row("together", "meta-llama/llama-3.3-70b-instruct-turbo"),
	})
	for _, tc := range []struct{ provider, model, want string }{
		{"openai", "gpt-4o", "openai/gpt-4o"},
		{"openai", "gpt-4o-mini", "openai/gpt-4o-mini"},
		{"openai", "gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini"},
		{"openai", "gpt-4o-2024-08-06", "openai/gpt-4o"},
		{"openai", "gpt-4-0613", "openai/gpt-4"},
		{"openai", "GPT-4o", "openai/gpt-4o"},
		{"openai", "openai/gpt-4o", "openai/gpt-4o"},
		{"OpenAI", "gpt-4o@2024-08-06", "openai/gpt-4o"},
		{"openai", "gpt-4o:ft-acme", "openai/gpt-4o"},
		{"anthropic", "claude-3-haiku-20240307", "anthropic/claude-3-haiku"},
		{"anthropic", "claude-3-5-haiku-latest", "anthropic/claude-3-5-haiku"},
		{"together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", "together/meta-llama/llama-3.3-70b-instruct-turbo"},
		{"openai", "gpt-4oo", ""},                   // a longer word, not a variant
		{"openai", "my-gpt-4o", ""},                 // a substring is never a match
		{"openai", "gpt-4o-mini2", "openai/gpt-4o"}, // not gpt-4o-mini ("2" follows it), but a variant of gpt-4o
		{"openai", "gpt-5", ""},                     // unknown model
		{"azure_openai", "gpt-4o", ""},              // another provider's list is not this one's
		{"anthropic", "openai/gpt-4o", ""},          // the prefix stripped is the record's own provider only
	} {
		got, ok := table.Resolve("", tc.provider, tc.model, dec)
		if (tc.want == "") == ok || (ok && got.ID != tc.want) {
			t.Errorf("%s %s: %q %v, want %q", tc.provider, tc.model, got.ID, ok, tc.want)
		}
	}
}

func TestTable_TenantRowsWinAndEffectiveFromFollowsTheCallsTime(t *testing.T) {
	t.Parallel()
	const acme, other = "tenant-acme", "tenant-other"
	table := NewTable([]Price{
		{ID: "global-jan", Provider: "openai", Model: "gpt-4o", EffectiveFrom: jan},
		{ID: "global-dec", Provider: "openai", Model: "gpt-4o", EffectiveFrom: dec},
		{ID: "acme-jun", TenantID: acme, Provider: "openai", Model: "gpt-4o", EffectiveFrom: jun},
		{ID: "other-private", TenantID: other, Provider: "openai", Model: "gpt-4o-mini", EffectiveFrom: jan},
		{ID: "global-late", Provider: "openai", Model: "gpt-4.1", EffectiveFrom: dec},
	})
	for _, tc := range []struct {
		tenant, model string
		at            time.Time
		want          string
	}{
		{acme, "gpt-4o", jan.Add(time.Hour), "global-jan"}, // before acme's own price existed
		{acme, "gpt-4o", jun, "acme-jun"},                  // from its effective instant on
		{acme, "gpt-4o", dec.Add(time.Hour), "acme-jun"},   // a newer global price does not override the tenant's
		{other, "gpt-4o", jun, "global-jan"},               // acme's row is acme's alone
		{other, "gpt-4o", dec, "global-dec"},               // the newest global row at or before the call
		{acme, "gpt-4o-mini", jun, "acme-jun"},             // other's private name is invisible: for acme it is gpt-4o
		{other, "gpt-4o-mini", jun, "other-private"},       //
		{acme, "gpt-4.1", jun, ""},                         // a price never applies to calls before it
		{acme, "gpt-4.1-mini", dec.Add(time.Second), "global-late"},
	} {
		got, ok := table.Resolve(tc.tenant, "openai", tc.model, tc.at)
		if (tc.want == "") == ok || (ok && got.ID != tc.want) {
			t.Errorf("%s %s at %s: %q %v, want %q", tc.tenant, tc.model, tc.at.Format(time.DateOnly), got.ID, ok, tc.want)
		}
	}
}
