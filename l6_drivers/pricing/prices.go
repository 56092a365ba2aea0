package pricing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"hoc/l6_drivers/db"
	models "hoc/l7_models"
)

// PriceRow is one row of prices. TenantID is empty for the global list.
// Prices are micro-dollars per million tokens; Tier is nil for a row
// without one.
type PriceRow struct {
	ID            string
	TenantID      string
	Provider      string
	Model         string
	EffectiveFrom time.Time
	Rates         RateRow
	Tier          *TierRow
	Source        string
	CreatedAt     time.Time
}

// RateRow is a row's four prices.
type RateRow struct {
	Input, Output, CacheRead, CacheWrite int64
}

// TierRow is a row's prices above an input size.
type TierRow struct {
	AboveInputTokens int64
	Rates            RateRow
}

// ErrPriceExists is returned when the scope already has a row for the
// model from the same instant.
var ErrPriceExists = errors.New("a price for this model from this instant exists")

// Store reads and adds prices.
type Store struct {
	db *db.DB
}

// NewStore returns a store on d.
func NewStore(d *db.DB) (*Store, error) {
	if d == nil {
		return nil, errors.New("pricing store: nil database")
	}
	return &Store{db: d}, nil
}

// ListPrices returns every row of the table, global and every tenant's: the
// table is small (a few hundred models a scope), and the engine caches it.
func (s *Store) ListPrices(ctx context.Context) ([]PriceRow, error) {
	var ms []models.Price
	if err := s.db.Conn(ctx).Order("provider, model, effective_from, id").Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("list prices: %w", db.Classify(err))
	}
	rows := make([]PriceRow, len(ms))
	for i, m := range ms {
		rows[i] = priceRow(m)
	}
	return rows, nil
}

// InsertPrice adds one row, with a new id and creation time; a row of the
// same scope, model and effective instant is ErrPriceExists.
func (s *Store) InsertPrice(ctx context.Context, r PriceRow) (PriceRow, error) {
	m := priceModel(r)
	if err := s.db.Conn(ctx).Create(&m).Error; err != nil {
		if index, ok := db.IsUniqueViolation(err); ok && index == "ux_prices_scope_model_from" {
			return PriceRow{}, ErrPriceExists
		}
		return PriceRow{}, fmt.Errorf("insert price: %w", db.Classify(err))
	}
	return priceRow(m), nil
}

// SeedPrices adds the rows whose scope, model and effective instant have no
// row yet, and skips the others — never changing a row, whoever wrote it —
// and returns how many it added. It is how the shipped list is loaded at
// every start.
func (s *Store) SeedPrices(ctx context.Context, rows []PriceRow) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	ms := make([]models.Price, len(rows))
	for i, r := range rows {
		ms[i] = priceModel(r)
	}
	res := s.db.Conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&ms, 200)
	if res.Error != nil {
		return 0, fmt.Errorf("seed prices: %w", db.Classify(res.Error))
	}
	return res.RowsAffected, nil
}

func priceModel(r PriceRow) models.Price {
	m := models.Price{
		ID: r.ID, Provider: r.Provider, Model: r.Model, EffectiveFrom: db.UTC(r.EffectiveFrom),
		InputUPM: r.Rates.Input, OutputUPM: r.Rates.Output, CacheReadUPM: r.Rates.CacheRead, CacheWriteUPM: r.Rates.CacheWrite,
		Source: r.Source, CreatedAt: db.UTC(r.CreatedAt),
	}
	if m.ID == "" {
		m.ID = uuid.Must(uuid.NewV7()).String()
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = db.UTC(time.Now())
	}
	if r.TenantID != "" {
		m.TenantID = &r.TenantID
	}
	if t := r.Tier; t != nil {
		m.TierAboveInputTokens = &t.AboveInputTokens
		m.TierInputUPM, m.TierOutputUPM = &t.Rates.Input, &t.Rates.Output
		m.TierCacheReadUPM, m.TierCacheWriteUPM = &t.Rates.CacheRead, &t.Rates.CacheWrite
	}
	return m
}

func priceRow(m models.Price) PriceRow {
	r := PriceRow{
		ID: m.ID, Provider: m.Provider, Model: m.Model, EffectiveFrom: m.EffectiveFrom.UTC(),
		Rates:  RateRow{Input: m.InputUPM, Output: m.OutputUPM, CacheRead: m.CacheReadUPM, CacheWrite: m.CacheWriteUPM},
		Source: m.Source, CreatedAt: m.CreatedAt.UTC(),
	}
	if m.TenantID != nil {
		r.TenantID = *m.TenantID
	}
	if m.TierAboveInputTokens != nil && m.TierInputUPM != nil && m.TierOutputUPM != nil &&
		m.TierCacheReadUPM != nil && m.TierCacheWriteUPM != nil {
		r.Tier = &TierRow{AboveInputTokens: *m.TierAboveInputTokens, Rates: RateRow{
			Input: *m.TierInputUPM, Output: *m.TierOutputUPM, CacheRead: *m.TierCacheReadUPM, CacheWrite: *m.TierCacheWriteUPM}}
	}
	return r
}
