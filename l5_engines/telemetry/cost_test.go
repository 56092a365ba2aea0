package telemetry

import (
	"bytes"
	"testing"
	"time"
)

// flatPricer prices every call of model "priced" at 3 micro-dollars a token
// in or out.
type flatPricer struct{}

func (flatPricer) Price(r *Record, _ time.Time) (int64, string, bool) {
	if r.Model != "priced" {
		return 0, "", false
	}
	return 3 * (r.TokensIn + r.TokensOut), "price-1", true
}

func TestDecideCost_WhoDecidesARecordsCost(t *testing.T) {
	t.Parallel()
	micros := func(n int64) *int64 { return &n }
	for _, tc := range []struct {
		name        string
		rec         Record
		tenant      string
		pricer      Pricer
		wantMicros  int64
		wantCents   int64
		wantSource  string
		wantClient  *int64
		wantPriceID bool
	}{
		{"the client's micros stand", Record{Model: "priced", TokensIn: 1000, CostCents: 1, CostMicros: micros(4321)}, "", flatPricer{},
			4321, 1, CostSourceClient, nil, false},
		{"the table prices a call without micros", Record{Model: "priced", TokensIn: 1000, TokensOut: 500, CostCents: 7}, "", flatPricer{},
			4500, 0, CostSourcePriceTable, micros(7), true},
		{"under half a cent rounds down", Record{Model: "priced", TokensIn: 1000, TokensOut: 666, CostCents: 0}, "", flatPricer{},
			4998, 0, CostSourcePriceTable, micros(0), true},
		{"a tenant on client figures", Record{Model: "priced", TokensIn: 1000, CostCents: 2}, CostSourceClient, flatPricer{},
			20_000, 2, CostSourceClient, nil, false},
		{"no price, the client's cents", Record{Model: "other", TokensIn: 10, CostCents: 2}, "", flatPricer{},
			20_000, 2, CostSourceClient, nil, false},
		{"no price and 0 cents for tokens used", Record{Model: "other", TokensIn: 10}, "", flatPricer{},
			0, 0, CostSourceUnpriced, nil, false},
		{"no tokens, no cost: nothing is missing", Record{Model: "other"}, "", flatPricer{},
			0, 0, CostSourceClient, nil, false},
		{"no pricer", Record{Model: "priced", TokensIn: 10}, "", nil,
			0, 0, CostSourceUnpriced, nil, false},
	} {
		c := decideCost(&tc.rec, now, tc.tenant, tc.pricer)
		if c.micros != tc.wantMicros || c.cents != tc.wantCents || c.source != tc.wantSource ||
			(c.clientCents == nil) != (tc.wantClient == nil) || (c.clientCents != nil && *c.clientCents != *tc.wantClient) ||
			(c.priceID != nil) != tc.wantPriceID {
			t.Errorf("%s: %+v", tc.name, c)
		}
	}
	if got := (recordCost{micros: 5_000}); MicrosToCents(got.micros) != 1 {
		t.Error("5,000 micro-dollars are half a cent: round half up to 1")
	}
}

// TestContentHash_TokenDetailIsHashedOnlyWhenSent: a record without the new
// fields hashes as it did before they existed, so that an SDK's retry of a
// record stored then is still a duplicate; sending one changes the hash.
func TestContentHash_TokenDetailIsHashedOnlyWhenSent(t *testing.T) {
	t.Parallel()
	r := rec("call-1", 100)
	before := contentHash(r, integA)
	zero := int64(0)
	r.CacheReadTokens = &zero
	if bytes.Equal(before, contentHash(r, integA)) {
		t.Fatal("a record that sends cache_read_tokens hashes as one that does not")
	}
	r.CacheReadTokens = nil
	if !bytes.Equal(before, contentHash(r, integA)) {
		t.Fatal("the hash of a record without token detail changed")
	}
}
