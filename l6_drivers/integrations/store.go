package integrations

import (
	"errors"
	"time"

	"github.com/google/uuid"

	"hoc/l6_drivers/db"
)

// ErrIntegrationNotFound is returned when the tenant has no live integration
// with the requested id.
var ErrIntegrationNotFound = errors.New("integration not found")

// ErrNameTaken is returned when another live integration of the tenant
// already has the name.
var ErrNameTaken = errors.New("integration name already taken")

// ErrIntegrationKeyNotFound is returned when no unrevoked key of a live
// integration matches.
var ErrIntegrationKeyNotFound = errors.New("integration key not found")

// ErrAPIKeyNotFound is returned when no API key matches.
var ErrAPIKeyNotFound = errors.New("api key not found")

// Store reads and writes integrations, their keys and API keys.
type Store struct {
	db *db.DB
}

// NewStore returns a store on d.
func NewStore(d *db.DB) (*Store, error) {
	if d == nil {
		return nil, errors.New("integrations store: nil database")
	}
	return &Store{db: d}, nil
}

// newID returns a time-ordered UUID (v7), so that new rows land at the end
// of the primary key index instead of at random places in it.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// utcPtr returns a nullable time in UTC.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// storedPtr normalises a nullable time for storage (see db.UTC).
func storedPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := db.UTC(*t)
	return &u
}
