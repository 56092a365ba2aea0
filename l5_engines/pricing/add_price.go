package pricing

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/pricing"
)

// NewPrice is a row to add to the price table, as an operator (TenantID
// empty: the global list) or a tenant writes it. Prices are decimal text in
// USD per million tokens, read exactly (ParseRate); an empty cache price is
// the input price.
type NewPrice struct {
	TenantID      string
	Provider      string
	Model         string
	EffectiveFrom *time.Time
	Input         string
	Output        string
	CacheRead     string
	CacheWrite    string
	Tier          *NewTier
	Source        string
}

// NewTier is a row's prices above an input size.
type NewTier struct {
	AboveInputTokens int64
	Input            string
	Output           string
	CacheRead        string
	CacheWrite       string
}

// Add validates p and adds it; a row of the same scope, model and
// effective instant is a conflict. The caller drops the cached table once
// the row has committed (Forget).
func (e *Engine) Add(ctx context.Context, p NewPrice) (Price, error) {
	price, err := e.validate(p)
	if err != nil {
		return Price{}, err
	}
	row, err := e.store.InsertPrice(ctx, rowFromPrice(price))
	if errors.Is(err, store.ErrPriceExists) {
		return Price{}, fault.Conflict("a price for this model from this instant exists; add one with another effective_from")
	}
	if err != nil {
		return Price{}, err
	}
	return priceFromRow(row), nil
}

func (e *Engine) validate(p NewPrice) (Price, error) {
	var fields fault.Fields
	price := Price{TenantID: p.TenantID, Provider: strings.ToLower(p.Provider), Model: strings.ToLower(p.Model),
		Source: p.Source, CreatedAt: e.now().UTC()}
	if !validProvider(price.Provider) {
		fields.Add("provider", "must be 1..50 characters of a-z, 0-9, '_', '-' and '.'")
	}
	if n := utf8.RuneCountInString(price.Model); n < 1 || n > 100 {
		fields.Add("model", "must be 1..100 characters")
	}
	if p.EffectiveFrom == nil {
		fields.Add("effective_from", "is required")
	} else {
		price.EffectiveFrom = p.EffectiveFrom.UTC()
	}
	price.Rates = parseRates(&fields, "usd_per_mtok.", p.Input, p.Output, p.CacheRead, p.CacheWrite)
	if t := p.Tier; t != nil {
		if t.AboveInputTokens < 1 || t.AboveInputTokens > 1_000_000_000 {
			fields.Add("tier.above_input_tokens", "must be between 1 and 1000000000")
		}
		price.Tier = &Tier{AboveInputTokens: t.AboveInputTokens,
			Rates: parseRates(&fields, "tier.usd_per_mtok.", t.Input, t.Output, t.CacheRead, t.CacheWrite)}
	}
	if n := utf8.RuneCountInString(price.Source); n < 1 || n > 200 {
		fields.Add("source", "must be 1..200 characters")
	}
	if err := fields.Err(); err != nil {
		return Price{}, err
	}
	return price, nil
}

// parseRates reads the four prices; the cache prices default to the input
// price.
func parseRates(fields *fault.Fields, prefix, input, output, cacheRead, cacheWrite string) Rates {
	rate := func(name, text string, required bool) Rate {
		if text == "" {
			if required {
				fields.Add(prefix+name, "is required")
			}
			return -1
		}
		r, ok := ParseRate(text)
		if !ok {
			fields.Add(prefix+name, "must be a decimal number of dollars from 0 to 100000 with at most 6 decimals")
		}
		return r
	}
	r := Rates{Input: rate("input", input, true), Output: rate("output", output, true),
		CacheRead: rate("cache_read", cacheRead, false), CacheWrite: rate("cache_write", cacheWrite, false)}
	if r.CacheRead < 0 {
		r.CacheRead = r.Input
	}
	if r.CacheWrite < 0 {
		r.CacheWrite = r.Input
	}
	return r
}

func validProvider(s string) bool {
	if len(s) < 1 || len(s) > 50 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
