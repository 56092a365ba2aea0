package account

import (
	"context"
	"errors"
	"strings"
	"testing"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/account"
)

// fakeStore is an in-memory Store for engine unit tests; storage behaviour
// itself is tested against real databases in l6_drivers/account.
type fakeStore struct {
	rows    []store.TenantRow
	failErr error
}

func (f *fakeStore) CreateTenant(_ context.Context, row store.TenantRow) (store.TenantRow, error) {
	if f.failErr != nil {
		return store.TenantRow{}, f.failErr
	}
	row.ID = "0193a8e0-0000-7000-8000-000000000001"
	f.rows = append(f.rows, row)
	return row, nil
}

func (f *fakeStore) GetTenant(_ context.Context, id string) (store.TenantRow, error) {
	for _, r := range f.rows {
		if r.ID == id {
			return r, nil
		}
	}
	return store.TenantRow{}, store.ErrTenantNotFound
}

func (f *fakeStore) ListTenants(context.Context, int, int) ([]store.TenantRow, int64, error) {
	return f.rows, int64(len(f.rows)), nil
}

// newTestEngine is an engine on s.
func newTestEngine(t *testing.T, s *fakeStore) *Engine {
	t.Helper()
	e, err := NewEngine(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestCreateTenant_DefaultsSlugPlanAndStates(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, &fakeStore{})
	got, err := e.CreateTenant(context.Background(), NewTenant{Name: "  Acme Robotics, Inc. "})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Acme Robotics, Inc." || got.Slug != "acme-robotics-inc" || got.Plan != PlanFree ||
		got.Lifecycle != LifecycleActive || got.Onboarding != OnboardingCreated {
		t.Fatalf("tenant = %+v", got)
	}
}

func TestCreateTenant_ReportsEveryBadField(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, &fakeStore{})
	empty := ""
	_, err := e.CreateTenant(context.Background(), NewTenant{Name: "", Slug: "Bad Slug", Plan: "gold", ExternalOrgID: &empty})
	fe, ok := fault.As(err)
	if !ok || fe.Code != fault.CodeValidationFailed {
		t.Fatalf("err = %v, want VALIDATION_FAILED", err)
	}
	var names []string
	for _, f := range fe.Details["fields"].([]fault.FieldError) {
		names = append(names, f.Field)
	}
	if got := strings.Join(names, ","); got != "name,slug,plan,external_org_id" {
		t.Fatalf("fields = %s", got)
	}
}

func TestCreateTenant_UniqueViolationsAreConflicts(t *testing.T) {
	t.Parallel()
	for _, storeErr := range []error{store.ErrSlugTaken, store.ErrExternalOrgTaken} {
		e := newTestEngine(t, &fakeStore{failErr: storeErr})
		_, err := e.CreateTenant(context.Background(), NewTenant{Name: "Acme"})
		if fe, ok := fault.As(err); !ok || fe.Code != fault.CodeConflict {
			t.Fatalf("%v → %v, want CONFLICT", storeErr, err)
		}
	}
}

func TestGetTenant_NonUUIDIsNotFoundWithoutQuery(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, &fakeStore{failErr: errors.New("must not be called")})
	_, err := e.GetTenant(context.Background(), "'; drop table tenants")
	if fault.KindOf(err) != fault.KindNotFound {
		t.Fatalf("err = %v, want not found", err)
	}
}

func TestGetTenant_UnknownStoredStateIsInternal(t *testing.T) {
	t.Parallel()
	f := &fakeStore{rows: []store.TenantRow{{ID: "0193a8e0-0000-7000-8000-000000000001", Plan: "free", LifecycleState: "PAUSED"}}}
	e := newTestEngine(t, f)
	_, err := e.GetTenant(context.Background(), f.rows[0].ID)
	if fault.KindOf(err) != fault.KindInternal {
		t.Fatalf("err = %v, want internal", err)
	}
}

func TestDeriveSlug(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"Acme":                  "acme",
		"Acme  Robotics":        "acme-robotics",
		"--Hello, World!--":     "hello-world",
		"Ünïcode Café 42":       "n-code-caf-42",
		"日本":                    "",
		strings.Repeat("a", 80): strings.Repeat("a", 63),
	}
	for in, want := range cases {
		if got := DeriveSlug(in); got != want {
			t.Errorf("DeriveSlug(%q) = %q, want %q", in, got, want)
		}
	}
}

func (f *fakeStore) SetLifecycle(_ context.Context, id, from, to string, _ store.EventRow) (store.TenantRow, error) {
	for i, r := range f.rows {
		if r.ID == id {
			if r.LifecycleState != from {
				return store.TenantRow{}, store.ErrStateChanged
			}
			f.rows[i].LifecycleState = to
			return f.rows[i], nil
		}
	}
	return store.TenantRow{}, store.ErrTenantNotFound
}

func (f *fakeStore) AdvanceOnboarding(_ context.Context, id string, target int, _ store.EventRow) (bool, error) {
	for i, r := range f.rows {
		if r.ID == id {
			if r.OnboardingState >= target {
				return false, nil
			}
			f.rows[i].OnboardingState = target
			return true, nil
		}
	}
	return false, store.ErrTenantNotFound
}

func (f *fakeStore) FindTenantByOrg(_ context.Context, org string) (store.TenantRow, error) {
	for _, r := range f.rows {
		if (r.ExternalOrgID != nil && *r.ExternalOrgID == org) || r.ID == org {
			return r, nil
		}
	}
	return store.TenantRow{}, store.ErrTenantNotFound
}
