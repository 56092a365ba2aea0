package models

import "time"

// APIKey is a tenant's machine credential (X-AOS-Key), stored only as its
// hash. Scopes are one space-separated, sorted string so that the table needs
// no array type that SQLite lacks.
type APIKey struct {
	ID           string     `gorm:"primaryKey;type:uuid;index:ix_api_keys_tenant_created,priority:3"`
	TenantID     string     `gorm:"type:uuid;not null;index:ix_api_keys_tenant_created,priority:1"`
	Name         string     `gorm:"not null"`
	Prefix       string     `gorm:"not null"`
	SecretHash   []byte     `gorm:"not null;uniqueIndex:ux_api_keys_secret_hash"`
	Scopes       string     `gorm:"not null;default:''"`
	Status       string     `gorm:"not null"`
	Frozen       bool       `gorm:"not null;default:false"`
	RateLimitRPM int        `gorm:"column:rate_limit_rpm;type:integer;not null;default:0"`
	ExpiresAt    *time.Time `gorm:""`
	CreatedAt    time.Time  `gorm:"not null;index:ix_api_keys_tenant_created,priority:2"`
	LastUsedAt   *time.Time `gorm:""`
}

// TableName pins the table name so a rename of the struct cannot move data.
func (APIKey) TableName() string { return "api_keys" }
