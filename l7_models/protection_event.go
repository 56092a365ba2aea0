package models

import "time"

// ProtectionEvent records one protection decision that was not a plain
// allow: a rejection, a throttle or a warning, the dimension that caused it
// and its details (a JSON object). Rows are only ever inserted.
type ProtectionEvent struct {
	ID         string    `gorm:"primaryKey;type:uuid;index:ix_protection_events_tenant_time,priority:3;index:ix_protection_events_time,priority:2"`
	OccurredAt time.Time `gorm:"not null;index:ix_protection_events_tenant_time,priority:2;index:ix_protection_events_time,priority:1"`
	TenantID   string    `gorm:"type:uuid;not null;index:ix_protection_events_tenant_time,priority:1"`
	ActorType  string    `gorm:"not null"`
	ActorID    string    `gorm:"not null"`
	Endpoint   string    `gorm:"not null"`
	Method     string    `gorm:"not null"`
	Operation  string    `gorm:"not null"`
	Decision   string    `gorm:"not null"`
	Dimension  string    `gorm:"not null"`
	Details    string    `gorm:"type:jsonb;not null"`
}

// TableName pins the table name so a rename of the struct cannot move data.
func (ProtectionEvent) TableName() string { return "protection_events" }
