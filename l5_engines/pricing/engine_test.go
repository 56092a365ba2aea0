package pricing

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/pricing"
)

// fakeStore is the price table in memory; it counts the reads.
type fakeStore struct {
	mu    sync.Mutex
	rows  []store.PriceRow
	reads int
	fail  error
}

func (f *fakeStore) ListPrices(context.Context) ([]store.PriceRow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if f.fail != nil {
		return nil, f.fail
	}
	return append([]store.PriceRow(nil), f.rows...), nil
}

func (f *fakeStore) InsertPrice(_ context.Context, r store.PriceRow) (store.PriceRow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.rows {
		if o.TenantID == r.TenantID && o.Provider == r.Provider && o.Model == r.Model && o.EffectiveFrom.Equal(r.EffectiveFrom) {
			return store.PriceRow{}, store.ErrPriceExists
		}
	}
	r.ID = "id-" + r.Model
	f.rows = append(f.rows, r)
	return r, nil
}

func (f *fakeStore) SeedPrices(ctx context.Context, rows []store.PriceRow) (int64, error) {
	var n int64
	for _, r := range rows {
		if _, err := f.InsertPrice(ctx, r); err == nil {
			n++
		}
	}
	return n, nil
}

func TestShippedList_IsWellFormed(t *testing.T) {
	t.Parallel()
	e, err := NewEngine(&fakeStore{}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	prices, date, err := e.ShippedList()
	if err != nil {
		t.Fatal(err) // every price parses exactly: no negative, no float noise, at most six decimals
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil || len(prices) < 40 {
		t.Fatalf("list of %q with %d rows; want a date and at least 40 rows", date, len(prices))
	}
	table := NewTable(prices)
	seen := map[[2]string]bool{}
	providers := map[string]bool{}
	for _, p := range prices {
		key := [2]string{p.Provider, p.Model}
		if seen[key] {
			t.Errorf("%s %s is listed twice", p.Provider, p.Model)
		}
		seen[key] = true
		providers[p.Provider] = true
		if got, ok := table.Resolve("", p.Provider, p.Model, time.Now()); !ok || got.Model != p.Model {
			t.Errorf("%s %s does not resolve to itself: %+v %v", p.Provider, p.Model, got, ok)
		}
		if p.Rates.Input <= 0 || p.Rates.Output < 0 || p.Rates.CacheRead < 0 || p.Rates.CacheWrite < 0 {
			t.Errorf("%s %s has a price at or below zero: %+v", p.Provider, p.Model, p.Rates)
		}
	}
	for _, want := range []string{"openai", "anthropic", "google", "mistral"} {
		if !providers[want] {
			t.Errorf("no %s model in the list", want)
		}
	}
	// The rows the issue fixes, USD per million tokens.
	for _, want := range []struct {
		provider, model, in, out, read, write string
		tier                                  *[5]string
	}{
		{"openai", "gpt-4o", "2.50", "10.00", "1.25", "2.50", nil},
		{"openai", "gpt-4o-mini", "0.15", "0.60", "0.075", "0.15", nil},
		{"anthropic", "claude-sonnet-4", "3.00", "15.00", "0.30", "3.75", nil},
		{"anthropic", "claude-3-haiku", "0.25", "1.25", "0.03", "0.30", nil},
		{"google", "gemini-2.5-pro", "1.25", "10.00", "0.31", "1.25", &[5]string{"200000", "2.50", "15.00", "0.625", "2.50"}},
	} {
		got, ok := table.Resolve("", want.provider, want.model, time.Now())
		r := got.Rates
		if !ok || r.Input.String() != want.in || r.Output.String() != want.out || r.CacheRead.String() != want.read || r.CacheWrite.String() != want.write {
			t.Errorf("%s %s: %+v", want.provider, want.model, got)
			continue
		}
		if want.tier != nil && (got.Tier == nil || got.Tier.AboveInputTokens != 200_000 || got.Tier.Rates.Input.String() != want.tier[1] ||
			got.Tier.Rates.Output.String() != want.tier[2] || got.Tier.Rates.CacheRead.String() != want.tier[3] || got.Tier.Rates.CacheWrite.String() != want.tier[4]) {
			t.Errorf("%s %s tier: %+v", want.provider, want.model, got.Tier)
		}
	}
}

func TestEngine_SeedListTwiceAddsNothingAndNeverOverwrites(t *testing.T) {
	t.Parallel()
	s := &fakeStore{}
	e := newEngine(t, s, time.Now)
	ctx := context.Background()
	at := listEffectiveFrom
	if _, err := e.Add(ctx, NewPrice{Provider: "openai", Model: "gpt-4o", EffectiveFrom: &at, Input: "9", Output: "9", Source: "operator"}); err != nil {
		t.Fatal(err)
	}
	first, err := e.SeedList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.SeedList(ctx)
	if err != nil || again != 0 {
		t.Fatalf("second seed added %d (%v)", again, err)
	}
	p, ok, err := e.Resolve(ctx, "", "openai", "gpt-4o", time.Now())
	if err != nil || !ok || p.Source != "operator" || first == 0 {
		t.Fatalf("seeded %d; gpt-4o is %+v: the operator's row must stay", first, p)
	}
}

func TestEngine_CachesTheTableAndReloadsAfterItsTTLOrAForget(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	s := &fakeStore{}
	e := newEngine(t, s, func() time.Time { return now })
	ctx := context.Background()
	for range 100 {
		if _, _, err := e.Resolve(ctx, "", "openai", "gpt-4o", now); err != nil {
			t.Fatal(err)
		}
	}
	if s.reads != 1 {
		t.Fatalf("%d reads for 100 resolutions, want 1", s.reads)
	}
	at := now.Add(-time.Hour)
	if _, err := e.Add(ctx, NewPrice{Provider: "openai", Model: "gpt-4o", EffectiveFrom: &at, Input: "2.5", Output: "10", Source: "t"}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := e.Resolve(ctx, "", "openai", "gpt-4o", now); err != nil || ok {
		t.Fatal("the cached table saw the new row before Forget or its TTL")
	}
	now = now.Add(TableTTL) // another replica's row: seen once the copy expires
	if _, ok, err := e.Resolve(ctx, "", "openai", "gpt-4o", now); err != nil || !ok || s.reads != 2 {
		t.Fatalf("after the TTL: found %v with %d reads", ok, s.reads)
	}
	e.Forget()
	if _, _, err := e.Resolve(ctx, "", "openai", "gpt-4o", now); err != nil || s.reads != 3 {
		t.Fatalf("after Forget: %d reads (%v)", s.reads, err)
	}
	s.fail = errors.New("database down")
	now = now.Add(TableTTL)
	if _, ok, err := e.Resolve(ctx, "", "openai", "gpt-4o", now); err != nil || !ok {
		t.Fatalf("a failed reload must keep the copy it has: %v %v", ok, err)
	}
}

func TestEngine_AddValidatesEveryFieldAndRefusesADuplicate(t *testing.T) {
	t.Parallel()
	e := newEngine(t, &fakeStore{}, time.Now)
	ctx := context.Background()
	_, err := e.Add(ctx, NewPrice{Provider: "Open AI", Model: "", Input: "1.5e-3", Output: "", CacheRead: "-1",
		Tier: &NewTier{AboveInputTokens: 0, Input: "1", Output: "x"}})
	fe, ok := fault.As(err)
	if !ok || fe.Code != fault.CodeValidationFailed {
		t.Fatalf("got %v", err)
	}
	var names []string
	for _, f := range fe.Details["fields"].([]fault.FieldError) {
		names = append(names, f.Field)
	}
	want := []string{"provider", "model", "effective_from", "usd_per_mtok.input", "usd_per_mtok.output", "usd_per_mtok.cache_read",
		"tier.above_input_tokens", "tier.usd_per_mtok.output", "source"}
	if len(names) != len(want) {
		t.Fatalf("fields %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("fields %v, want %v", names, want)
		}
	}
	at := time.Now()
	ok1 := NewPrice{Provider: "OpenAI", Model: "GPT-X", EffectiveFrom: &at, Input: "1", Output: "2", Source: "t"}
	p, err := e.Add(ctx, ok1)
	if err != nil || p.Provider != "openai" || p.Model != "gpt-x" || p.Rates.CacheRead != p.Rates.Input || p.Rates.CacheWrite != p.Rates.Input {
		t.Fatalf("added %+v, %v: names lower-cased, cache prices defaulting to input", p, err)
	}
	if _, err := e.Add(ctx, ok1); fault.KindOf(err) != fault.KindConflict {
		t.Fatalf("the same row again: %v, want CONFLICT", err)
	}
}

func newEngine(t *testing.T, s Store, now func() time.Time) *Engine {
	t.Helper()
	e, err := NewEngine(s, now)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
