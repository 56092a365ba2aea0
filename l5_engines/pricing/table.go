package pricing

import (
	"sort"
	"strings"
	"time"
)

// Price is one row of the price table: the rates of one model of one
// provider from EffectiveFrom on, for every tenant (TenantID empty: the
// global list) or for one. Tier, when set, prices a whole call whose input
// is above its threshold, as Gemini 2.5 Pro and Claude's long context bill.
type Price struct {
	ID            string
	TenantID      string
	Provider      string
	Model         string
	EffectiveFrom time.Time
	Rates         Rates
	Tier          *Tier
	Source        string
	CreatedAt     time.Time
}

// Tier is a price row's rates for calls of more than AboveInputTokens input
// tokens.
type Tier struct {
	AboveInputTokens int64
	Rates            Rates
}

// RatesFor returns the rates a call of tokensIn input tokens pays.
func (p Price) RatesFor(tokensIn int64) Rates {
	if p.Tier != nil && tokensIn > p.Tier.AboveInputTokens {
		return p.Tier.Rates
	}
	return p.Rates
}

// Table is a snapshot of the price table, indexed for resolving calls.
type Table struct {
	// byProvider maps a provider to its rows by model name; each name's
	// rows are sorted by EffectiveFrom, newest first.
	byProvider map[string]map[string][]Price
}

// NewTable indexes rows. Names are compared case-insensitively.
func NewTable(rows []Price) *Table {
	t := &Table{byProvider: make(map[string]map[string][]Price)}
	for _, r := range rows {
		provider, model := strings.ToLower(r.Provider), strings.ToLower(r.Model)
		byModel := t.byProvider[provider]
		if byModel == nil {
			byModel = make(map[string][]Price)
			t.byProvider[provider] = byModel
		}
		byModel[model] = append(byModel[model], r)
	}
	for _, byModel := range t.byProvider {
		for _, rows := range byModel {
			sort.SliceStable(rows, func(i, j int) bool { return rows[i].EffectiveFrom.After(rows[j].EffectiveFrom) })
		}
	}
	return t
}

// Resolve returns the row that prices a call of tenantID to model of
// provider at time at (SPEC §8), and false when none does:
//
//   - names are compared after lower-casing, and after dropping a leading
//     "provider/" from the model (openai/gpt-4o is gpt-4o for openai);
//   - the model's own name wins, else the longest priced name the model
//     begins with followed by '-', '@' or ':' — so gpt-4o-mini-2024-07-18 is
//     gpt-4o-mini, never gpt-4o, and claude-3-haiku-20240307 is
//     claude-3-haiku; never a substring match;
//   - of that name's rows, the tenant's own win over global ones, and of
//     those, the newest whose EffectiveFrom is at or before at. A name with
//     no row in effective at that time prices nothing: a price is never
//     applied to calls made before it.
func (t *Table) Resolve(tenantID, provider, model string, at time.Time) (Price, bool) {
	provider = strings.ToLower(provider)
	byModel := t.byProvider[provider]
	if len(byModel) == 0 {
		return Price{}, false
	}
	model = strings.ToLower(model)
	model = strings.TrimPrefix(model, provider+"/")
	// Only names the tenant can see are candidates: another tenant's
	// private name must not take a model away from a global row.
	visible := func(name string) bool {
		for _, r := range byModel[name] {
			if r.TenantID == "" || r.TenantID == tenantID {
				return true
			}
		}
		return false
	}
	name, ok := matchName(model, visible)
	if !ok {
		return Price{}, false
	}
	var global *Price
	for i, r := range byModel[name] {
		if r.EffectiveFrom.After(at) {
			continue
		}
		if r.TenantID == tenantID && tenantID != "" {
			return byModel[name][i], true
		}
		if r.TenantID == "" && global == nil {
			global = &byModel[name][i]
		}
	}
	if global == nil {
		return Price{}, false
	}
	return *global, true
}

// matchName finds the priced name a model is: its own, else the longest
// priced name followed in the model by '-', '@' or ':'.
func matchName(model string, priced func(name string) bool) (string, bool) {
	if priced(model) {
		return model, true
	}
	for end := len(model) - 1; end > 0; end-- {
		switch model[end] {
		case '-', '@', ':':
			if priced(model[:end]) {
				return model[:end], true
			}
		}
	}
	return "", false
}
