package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"hoc/l6_drivers/db"
	models "hoc/l7_models"
)

// ErrStateChanged is returned when a conditional state change found the
// tenant no longer in the state it expected (a concurrent change won).
var ErrStateChanged = errors.New("tenant state changed concurrently")

// EventRow records who changed a tenant's state and why.
type EventRow struct {
	Kind      string // "lifecycle" or "onboarding"
	FromState *string
	ToState   string
	ActorType string
	ActorID   string
	Reason    string
}

// SetLifecycle moves a tenant from one lifecycle state to another with one
// conditional update, and records the event. ErrTenantNotFound when there is
// no such tenant, ErrStateChanged when it is no longer in from.
func (s *Store) SetLifecycle(ctx context.Context, id, from, to string, ev EventRow) (TenantRow, error) {
	if !db.CanonicalUUIDs(id) {
		return TenantRow{}, ErrTenantNotFound
	}
	now := db.UTC(time.Now())
	res := s.db.Conn(ctx).Model(&models.Tenant{}).Where("id = ? AND lifecycle_state = ?", id, from).
		Updates(map[string]any{"lifecycle_state": to, "updated_at": now})
	if res.Error != nil {
		return TenantRow{}, fmt.Errorf("set lifecycle: %w", db.Classify(res.Error))
	}
	if res.RowsAffected == 0 {
		if _, err := s.GetTenant(ctx, id); err != nil {
			return TenantRow{}, err
		}
		return TenantRow{}, ErrStateChanged
	}
	if err := s.insertEvent(ctx, id, ev, now); err != nil {
		return TenantRow{}, err
	}
	return s.GetTenant(ctx, id)
}

// AdvanceOnboarding raises a tenant's onboarding state to target with one
// conditional update that never lowers it, so concurrent advances to
// different targets always end at the highest. It reports whether this call
// moved the state, and records the event when it did.
func (s *Store) AdvanceOnboarding(ctx context.Context, id string, target int, ev EventRow) (bool, error) {
	if !db.CanonicalUUIDs(id) {
		return false, ErrTenantNotFound
	}
	now := db.UTC(time.Now())
	res := s.db.Conn(ctx).Model(&models.Tenant{}).Where("id = ? AND onboarding_state < ?", id, target).
		Updates(map[string]any{"onboarding_state": target, "updated_at": now})
	if res.Error != nil {
		return false, fmt.Errorf("advance onboarding: %w", db.Classify(res.Error))
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	return true, s.insertEvent(ctx, id, ev, now)
}

// FindTenantByOrg returns the tenant whose external_org_id is org, or else
// whose id is org (SPEC §2.1), or ErrTenantNotFound.
func (s *Store) FindTenantByOrg(ctx context.Context, org string) (TenantRow, error) {
	var m models.Tenant
	err := s.db.Conn(ctx).Where("external_org_id = ?", org).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return s.GetTenant(ctx, org)
	}
	if err != nil {
		return TenantRow{}, fmt.Errorf("find tenant by org: %w", db.Classify(err))
	}
	return tenantRow(m), nil
}

// CountEvents returns how many events of kind a tenant has.
func (s *Store) CountEvents(ctx context.Context, id, kind string) (int64, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&models.TenantEvent{}).Where("tenant_id = ? AND kind = ?", id, kind).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count tenant events: %w", db.Classify(err))
	}
	return n, nil
}

func (s *Store) insertEvent(ctx context.Context, tenantID string, ev EventRow, at time.Time) error {
	m := models.TenantEvent{
		ID: uuid.Must(uuid.NewV7()).String(), TenantID: tenantID, Kind: ev.Kind, FromState: ev.FromState,
		ToState: ev.ToState, ActorType: ev.ActorType, ActorID: ev.ActorID, Reason: ev.Reason, OccurredAt: at,
	}
	if err := s.db.Conn(ctx).Create(&m).Error; err != nil {
		return fmt.Errorf("record tenant event: %w", db.Classify(err))
	}
	return nil
}
