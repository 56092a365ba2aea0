package pricing

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// Effective returns the table as the tenant's calls see it now: for every
// provider and model with a row in effect, that row — the tenant's own when
// it has one, else the global one — sorted by provider and model.
func (e *Engine) Effective(ctx context.Context, tenantID string) ([]Price, error) {
	s, err := e.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	now := e.now()
	seen := map[[2]string]bool{}
	var out []Price
	for _, p := range s.prices {
		key := [2]string{p.Provider, p.Model}
		if seen[key] || (p.TenantID != "" && p.TenantID != tenantID) {
			continue
		}
		if row, ok := s.table.Resolve(tenantID, p.Provider, p.Model, now); ok && strings.EqualFold(row.Model, p.Model) {
			seen[key] = true
			out = append(out, row)
		}
	}
	slices.SortFunc(out, func(a, b Price) int {
		return cmp.Or(strings.Compare(a.Provider, b.Provider), strings.Compare(a.Model, b.Model))
	})
	return out, nil
}

// Global returns every row of the global list, past and scheduled, by
// provider, model and effective_from (newest first).
func (e *Engine) Global(ctx context.Context) ([]Price, error) {
	s, err := e.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var out []Price
	for _, p := range s.prices {
		if p.TenantID == "" {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Price) int {
		return cmp.Or(strings.Compare(a.Provider, b.Provider), strings.Compare(a.Model, b.Model),
			b.EffectiveFrom.Compare(a.EffectiveFrom))
	})
	return out, nil
}

// Resolve returns the row that prices a call of the tenant to model of
// provider at at, as ingest would price it (see Table.Resolve).
func (e *Engine) Resolve(ctx context.Context, tenantID, provider, model string, at time.Time) (Price, bool, error) {
	t, err := e.Table(ctx)
	if err != nil {
		return Price{}, false, err
	}
	p, ok := t.Resolve(tenantID, provider, model, at)
	return p, ok, nil
}
