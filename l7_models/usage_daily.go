package models

// UsageDaily is the rollup of usage_records per tenant, UTC day, integration,
// provider and model. It is updated in the transaction that inserts the
// records it counts, so summaries read it instead of scanning records and
// stay exact. Latency is kept as a sum and a count so that means can be
// combined across rows; Day is 'YYYY-MM-DD' (a date on Postgres, text on
// SQLite).
type UsageDaily struct {
	TenantID      string `gorm:"primaryKey;type:uuid;index:ix_usage_daily_tenant_integration_day,priority:1"`
	Day           string `gorm:"primaryKey;type:date;index:ix_usage_daily_tenant_integration_day,priority:3"`
	IntegrationID string `gorm:"primaryKey;type:uuid;index:ix_usage_daily_tenant_integration_day,priority:2"`
	Provider      string `gorm:"primaryKey"`
	Model         string `gorm:"primaryKey"`
	Calls         int64  `gorm:"not null;default:0"`
	TokensIn      int64  `gorm:"not null;default:0"`
	TokensOut     int64  `gorm:"not null;default:0"`
	CostCents     int64  `gorm:"not null;default:0"`
	CostMicros    int64  `gorm:"not null;default:0"`
	LatencySum    int64  `gorm:"not null;default:0"`
	LatencyCount  int64  `gorm:"not null;default:0"`
	ErrorCount    int64  `gorm:"not null;default:0"`
	BlockedCount  int64  `gorm:"not null;default:0"`
}

// TableName pins the table name so a rename of the struct cannot move data.
func (UsageDaily) TableName() string { return "usage_daily" }
