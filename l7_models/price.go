package models

import "time"

// Price is one row of the price table: one model's prices from
// EffectiveFrom on, for every tenant (TenantID nil) or one. Prices are
// micro-dollars per million tokens (upm); the tier columns are all set or
// all null. Rows are only ever added, never changed. The unique index is on
// coalesce(tenant_id, ”) in fact, so that the global rows are one scope.
type Price struct {
	ID                   string    `gorm:"primaryKey;type:uuid"`
	TenantID             *string   `gorm:"type:uuid;uniqueIndex:ux_prices_scope_model_from,priority:1"`
	Provider             string    `gorm:"not null;uniqueIndex:ux_prices_scope_model_from,priority:2"`
	Model                string    `gorm:"not null;uniqueIndex:ux_prices_scope_model_from,priority:3"`
	EffectiveFrom        time.Time `gorm:"not null;uniqueIndex:ux_prices_scope_model_from,priority:4"`
	InputUPM             int64     `gorm:"column:input_upm;not null"`
	OutputUPM            int64     `gorm:"column:output_upm;not null"`
	CacheReadUPM         int64     `gorm:"column:cache_read_upm;not null"`
	CacheWriteUPM        int64     `gorm:"column:cache_write_upm;not null"`
	TierAboveInputTokens *int64    `gorm:""`
	TierInputUPM         *int64    `gorm:"column:tier_input_upm"`
	TierOutputUPM        *int64    `gorm:"column:tier_output_upm"`
	TierCacheReadUPM     *int64    `gorm:"column:tier_cache_read_upm"`
	TierCacheWriteUPM    *int64    `gorm:"column:tier_cache_write_upm"`
	Source               string    `gorm:"not null"`
	CreatedAt            time.Time `gorm:"not null"`
}

// TableName pins the table name so a rename of the struct cannot move data.
func (Price) TableName() string { return "prices" }
