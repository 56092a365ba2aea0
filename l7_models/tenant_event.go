package models

import "time"

// TenantEvent records one lifecycle transition or onboarding advance of a
// tenant: who made it, why, and when. Rows are only ever inserted.
type TenantEvent struct {
	ID         string    `gorm:"primaryKey;type:uuid"`
	TenantID   string    `gorm:"type:uuid;not null;index:ix_tenant_events_tenant_time,priority:1"`
	Kind       string    `gorm:"not null"`
	FromState  *string   `gorm:""`
	ToState    string    `gorm:"not null"`
	ActorType  string    `gorm:"not null"`
	ActorID    string    `gorm:"not null"`
	Reason     string    `gorm:"not null"`
	OccurredAt time.Time `gorm:"not null;index:ix_tenant_events_tenant_time,priority:2"`
}

// TableName pins the table name so a rename of the struct cannot move data.
func (TenantEvent) TableName() string { return "tenant_events" }
