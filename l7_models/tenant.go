// Package models holds the gorm model structs: one struct per table, with the
// column names, types and indexes the versioned migrations in
// l6_drivers/db/migrations create. It is the leaf of the layer graph and
// imports nothing of the project.
package models

import "time"

// Tenant is one customer organisation. Lifecycle and onboarding are stored as
// their canonical names / ordinal so that a value the code does not know is
// detected when it is read, never silently defaulted.
type Tenant struct {
	ID              string    `gorm:"primaryKey;type:uuid;index:ix_tenants_created_at,priority:2"`
	Name            string    `gorm:"not null"`
	Slug            string    `gorm:"not null;uniqueIndex:ux_tenants_slug"`
	ExternalOrgID   *string   `gorm:"uniqueIndex:ux_tenants_external_org_id"`
	Plan            string    `gorm:"not null"`
	LifecycleState  string    `gorm:"not null"`
	OnboardingState int16     `gorm:"not null"`
	CreatedAt       time.Time `gorm:"not null;index:ix_tenants_created_at,priority:1"`
	UpdatedAt       time.Time `gorm:"not null"`
	// CostSource is who decides the cost of the tenant's records:
	// price_table (hoc prices them) or client (the SDK's figures stand).
	CostSource string `gorm:"not null;default:price_table"`
}

// TableName pins the table name so a rename of the struct cannot move data.
func (Tenant) TableName() string { return "tenants" }
