package pricing

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	store "hoc/l6_drivers/pricing"
)

// Store is the persistence port of the price table; the L6 store implements
// it and cmd/hocd binds it.
type Store interface {
	ListPrices(ctx context.Context) ([]store.PriceRow, error)
	InsertPrice(ctx context.Context, r store.PriceRow) (store.PriceRow, error)
	SeedPrices(ctx context.Context, rows []store.PriceRow) (int64, error)
}

// TableTTL bounds how old the cached price table may be. Ingest resolves
// every record's price in memory (a database round trip per record would
// cost more than the write), so a price added on another replica prices
// that replica's records at most this late; the replica that added it
// drops its copy at once (Forget).
const TableTTL = 5 * time.Second

// Engine owns the price table: it validates and adds rows, and serves a
// cached, indexed copy to resolve calls with.
type Engine struct {
	store Store
	now   func() time.Time
	// snap is the cached table; nil until loaded and after Forget.
	snap atomic.Pointer[snapshot]
	// reload lets one caller load the table while the others keep using
	// the copy they have.
	reload sync.Mutex
}

type snapshot struct {
	table    *Table
	prices   []Price
	loadedAt time.Time
}

// NewEngine returns an engine on s; now is the clock.
func NewEngine(s Store, now func() time.Time) (*Engine, error) {
	if s == nil || now == nil {
		return nil, errors.New("pricing engine: nil store or clock")
	}
	return &Engine{store: s, now: now}, nil
}

// Table returns the price table, at most TableTTL old. When the copy has
// expired, one caller reloads it and the others go on with the expired copy
// meanwhile, so that the reload never stalls ingest.
func (e *Engine) Table(ctx context.Context) (*Table, error) {
	s, err := e.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	return s.table, nil
}

func (e *Engine) snapshot(ctx context.Context) (*snapshot, error) {
	s := e.snap.Load()
	if s != nil && e.now().Sub(s.loadedAt) < TableTTL {
		return s, nil
	}
	if s != nil {
		if !e.reload.TryLock() {
			return s, nil
		}
	} else {
		e.reload.Lock()
	}
	defer e.reload.Unlock()
	if cur := e.snap.Load(); cur != nil && cur != s && e.now().Sub(cur.loadedAt) < TableTTL {
		return cur, nil // another caller loaded it while this one waited
	}
	rows, err := e.store.ListPrices(ctx)
	if err != nil {
		if s != nil {
			return s, nil // keep pricing with the copy we have; the next call tries again
		}
		return nil, err
	}
	prices := make([]Price, len(rows))
	for i, r := range rows {
		prices[i] = priceFromRow(r)
	}
	fresh := &snapshot{table: NewTable(prices), prices: prices, loadedAt: e.now()}
	e.snap.Store(fresh)
	return fresh, nil
}

// Forget drops the cached table, after a change on this replica commits.
func (e *Engine) Forget() { e.snap.Store(nil) }

func priceFromRow(r store.PriceRow) Price {
	p := Price{ID: r.ID, TenantID: r.TenantID, Provider: r.Provider, Model: r.Model, EffectiveFrom: r.EffectiveFrom,
		Rates: ratesFromRow(r.Rates), Source: r.Source, CreatedAt: r.CreatedAt}
	if r.Tier != nil {
		p.Tier = &Tier{AboveInputTokens: r.Tier.AboveInputTokens, Rates: ratesFromRow(r.Tier.Rates)}
	}
	return p
}

func ratesFromRow(r store.RateRow) Rates {
	return Rates{Input: Rate(r.Input), Output: Rate(r.Output), CacheRead: Rate(r.CacheRead), CacheWrite: Rate(r.CacheWrite)}
}

func rowFromPrice(p Price) store.PriceRow {
	r := store.PriceRow{ID: p.ID, TenantID: p.TenantID, Provider: p.Provider, Model: p.Model, EffectiveFrom: p.EffectiveFrom,
		Rates: rowFromRates(p.Rates), Source: p.Source, CreatedAt: p.CreatedAt}
	if p.Tier != nil {
		r.Tier = &store.TierRow{AboveInputTokens: p.Tier.AboveInputTokens, Rates: rowFromRates(p.Tier.Rates)}
	}
	return r
}

func rowFromRates(r Rates) store.RateRow {
	return store.RateRow{Input: int64(r.Input), Output: int64(r.Output), CacheRead: int64(r.CacheRead), CacheWrite: int64(r.CacheWrite)}
}
