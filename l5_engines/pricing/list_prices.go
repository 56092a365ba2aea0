package pricing

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	store "hoc/l6_drivers/pricing"
)

// listPrices is the global list hoc ships: the public list prices of widely
// used models, USD per million tokens as exact decimal text, with the date
// they were read and their sources (list_prices.json says which).
//
//go:embed list_prices.json
var listPrices []byte

// listEffectiveFrom is when the shipped list's rows take effect: at the
// epoch, so that they price every call — the API accepts calls up to 30
// days old — until a row with a later effective_from takes over. A later
// hoc that ships new prices adds rows effective from its own list's date.
var listEffectiveFrom = time.Unix(0, 0).UTC()

// priceList is the shape of list_prices.json.
type priceList struct {
	Date    string            `json:"date"`
	Note    string            `json:"note"`
	Sources map[string]string `json:"sources"`
	Prices  []struct {
		Provider   string    `json:"provider"`
		Model      string    `json:"model"`
		Input      string    `json:"input"`
		Output     string    `json:"output"`
		CacheRead  string    `json:"cache_read"`
		CacheWrite string    `json:"cache_write"`
		Tier       *listTier `json:"tier"`
		Source     string    `json:"source"`
	} `json:"prices"`
}

type listTier struct {
	AboveInputTokens int64  `json:"above_input_tokens"`
	Input            string `json:"input"`
	Output           string `json:"output"`
	CacheRead        string `json:"cache_read"`
	CacheWrite       string `json:"cache_write"`
}

// ListedModels returns the names of the shipped list's models, sorted and
// without repeats.
func ListedModels() []string {
	var list priceList
	if err := json.Unmarshal(listPrices, &list); err != nil {
		return nil // TestShippedList_IsWellFormed keeps the file readable
	}
	names := make([]string, 0, len(list.Prices))
	for _, p := range list.Prices {
		names = append(names, strings.ToLower(p.Model))
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// ShippedList returns the shipped list as validated rows, or the first row
// that is not well formed.
func (e *Engine) ShippedList() ([]Price, string, error) {
	var list priceList
	if err := json.Unmarshal(listPrices, &list); err != nil {
		return nil, "", fmt.Errorf("list_prices.json: %w", err)
	}
	out := make([]Price, 0, len(list.Prices))
	for i, p := range list.Prices {
		np := NewPrice{Provider: p.Provider, Model: p.Model, EffectiveFrom: &listEffectiveFrom, Input: p.Input,
			Output: p.Output, CacheRead: p.CacheRead, CacheWrite: p.CacheWrite,
			Source: "hoc list of " + list.Date + " (" + p.Source + ")"}
		if t := p.Tier; t != nil {
			np.Tier = &NewTier{AboveInputTokens: t.AboveInputTokens, Input: t.Input, Output: t.Output,
				CacheRead: t.CacheRead, CacheWrite: t.CacheWrite}
		}
		price, err := e.validate(np)
		if err != nil {
			return nil, "", fmt.Errorf("list_prices.json: row %d (%s %s): %w", i, p.Provider, p.Model, err)
		}
		out = append(out, price)
	}
	return out, list.Date, nil
}

// SeedList adds the shipped list's rows that the table lacks and changes
// none it has (an operator's price is never overwritten); it runs at every
// start, and returns how many rows it added.
func (e *Engine) SeedList(ctx context.Context) (int64, error) {
	prices, _, err := e.ShippedList()
	if err != nil {
		return 0, err
	}
	rows := make([]store.PriceRow, len(prices))
	for i, p := range prices {
		rows[i] = rowFromPrice(p)
	}
	n, err := e.store.SeedPrices(ctx, rows)
	if err == nil && n > 0 {
		e.Forget()
	}
	return n, err
}
