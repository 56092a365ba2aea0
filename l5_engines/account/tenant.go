package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/account"
)

// Tenant is a customer organisation as the domain sees it.
type Tenant struct {
	ID            string
	Name          string
	Slug          string
	ExternalOrgID *string
	Plan          Plan
	Lifecycle     Lifecycle
	Onboarding    Onboarding
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// CostSource is who prices the tenant's records: CostSourcePriceTable
	// (hoc, from the price table; the default) or CostSourceClient (the
	// SDK's figures, for a tenant with negotiated prices).
	CostSource string
}

// The values of a tenant's cost source (SPEC §8).
const (
	CostSourcePriceTable = "price_table"
	CostSourceClient     = "client"
)

// Store is the persistence port of the account engine.
type Store interface {
	CreateTenant(ctx context.Context, row store.TenantRow) (store.TenantRow, error)
	GetTenant(ctx context.Context, id string) (store.TenantRow, error)
	ListTenants(ctx context.Context, limit, offset int) ([]store.TenantRow, int64, error)
	SetLifecycle(ctx context.Context, id, from, to string, ev store.EventRow) (store.TenantRow, error)
	SetCostSource(ctx context.Context, id, source string) (store.TenantRow, error)
	AdvanceOnboarding(ctx context.Context, id string, target int, ev store.EventRow) (bool, error)
	FindTenantByOrg(ctx context.Context, org string) (store.TenantRow, error)
}

// Engine makes the account domain's decisions.
type Engine struct {
	store Store
}

// NewEngine returns an engine on store.
func NewEngine(s Store) (*Engine, error) {
	if s == nil {
		return nil, errors.New("account engine: nil store")
	}
	return &Engine{store: s}, nil
}

// NewTenant is the request to create a tenant. Empty Slug and Plan take
// their defaults: the slug derived from the name, and the free plan.
type NewTenant struct {
	Name          string
	Slug          string
	Plan          string
	ExternalOrgID *string
}

// CreateTenant validates in and stores a new tenant, ACTIVE and CREATED.
func (e *Engine) CreateTenant(ctx context.Context, in NewTenant) (Tenant, error) {
	row, err := newTenantRow(in)
	if err != nil {
		return Tenant{}, err
	}
	stored, err := e.store.CreateTenant(ctx, row)
	switch {
	case errors.Is(err, store.ErrSlugTaken):
		return Tenant{}, fault.Conflict("a tenant with this slug already exists").WithDetail("field", "slug")
	case errors.Is(err, store.ErrExternalOrgTaken):
		return Tenant{}, fault.Conflict("a tenant with this external_org_id already exists").WithDetail("field", "external_org_id")
	case err != nil:
		return Tenant{}, err
	}
	return tenantFromRow(stored)
}

// GetTenant returns the tenant with id. An id that is not a UUID cannot name
// a tenant and is reported as not found rather than sent to the database.
func (e *Engine) GetTenant(ctx context.Context, id string) (Tenant, error) {
	if uuid.Validate(id) != nil {
		return Tenant{}, fault.NotFound("tenant")
	}
	row, err := e.store.GetTenant(ctx, id)
	if errors.Is(err, store.ErrTenantNotFound) {
		return Tenant{}, fault.NotFound("tenant")
	}
	if err != nil {
		return Tenant{}, err
	}
	return tenantFromRow(row)
}

// ListTenants returns one page of tenants, oldest first, and the total.
func (e *Engine) ListTenants(ctx context.Context, limit, offset int) ([]Tenant, int64, error) {
	rows, total, err := e.store.ListTenants(ctx, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	tenants := make([]Tenant, len(rows))
	for i, row := range rows {
		if tenants[i], err = tenantFromRow(row); err != nil {
			return nil, 0, err
		}
	}
	return tenants, total, nil
}

// tenantFromRow parses stored values strictly; an unknown value is an
// internal error (logged with its cause), never a silent default.
func tenantFromRow(row store.TenantRow) (Tenant, error) {
	plan, err := ParsePlan(row.Plan)
	if err != nil {
		return Tenant{}, fault.Internal(fmt.Errorf("tenant %s: %w", row.ID, err))
	}
	lifecycle, err := ParseLifecycle(row.LifecycleState)
	if err != nil {
		return Tenant{}, fault.Internal(fmt.Errorf("tenant %s: %w", row.ID, err))
	}
	onboarding, err := ParseOnboardingOrdinal(row.OnboardingState)
	if err != nil {
		return Tenant{}, fault.Internal(fmt.Errorf("tenant %s: %w", row.ID, err))
	}
	if row.CostSource != CostSourcePriceTable && row.CostSource != CostSourceClient {
		return Tenant{}, fault.Internal(fmt.Errorf("tenant %s: unknown cost source %q", row.ID, row.CostSource))
	}
	return Tenant{
		ID:            row.ID,
		Name:          row.Name,
		Slug:          row.Slug,
		ExternalOrgID: row.ExternalOrgID,
		Plan:          plan,
		Lifecycle:     lifecycle,
		Onboarding:    onboarding,
		CreatedAt:     row.CreatedAt,
		UpdatedAt:     row.UpdatedAt,
		CostSource:    row.CostSource,
	}, nil
}

// SetCostSource changes who prices the tenant's records from now on;
// records already stored keep their cost.
func (e *Engine) SetCostSource(ctx context.Context, id, source string) (Tenant, error) {
	if source != CostSourcePriceTable && source != CostSourceClient {
		return Tenant{}, fault.Validation(fault.FieldError{Field: "cost_source", Message: "must be price_table or client"})
	}
	row, err := e.store.SetCostSource(ctx, id, source)
	if errors.Is(err, store.ErrTenantNotFound) {
		return Tenant{}, fault.NotFound("tenant")
	}
	if err != nil {
		return Tenant{}, err
	}
	return tenantFromRow(row)
}
