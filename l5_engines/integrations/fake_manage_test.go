package integrations

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/integrations"
)

// The fake's methods for managing integrations after creation. Deleting
// removes the row, as the real store hides it; create every integration a
// test needs before deleting any, because the fake derives ids from the
// number of rows.

func (f *fakeStore) ListIntegrations(_ context.Context, tenantID string, limit, offset int) ([]store.IntegrationRow, int64, error) {
	var rows []store.IntegrationRow
	for _, r := range f.integrations {
		if r.TenantID == tenantID {
			rows = append(rows, r)
		}
	}
	slices.SortFunc(rows, func(a, b store.IntegrationRow) int { return strings.Compare(a.ID, b.ID) })
	total := int64(len(rows))
	rows = rows[min(offset, len(rows)):]
	return rows[:min(limit, len(rows))], total, nil
}
func (f *fakeStore) UpdateIntegration(_ context.Context, row store.IntegrationRow, _ []string) (store.IntegrationRow, error) {
	cur, ok := f.integrations[row.ID]
	if !ok || cur.TenantID != row.TenantID {
		return store.IntegrationRow{}, store.ErrIntegrationNotFound
	}
	for _, r := range f.integrations {
		if r.TenantID == row.TenantID && r.Name == row.Name && r.ID != row.ID {
			return store.IntegrationRow{}, store.ErrNameTaken
		}
	}
	cur.Name, cur.DefaultModel = row.Name, row.DefaultModel
	cur.BudgetLimitCents, cur.TokenLimitMonth, cur.RateLimitRPM = row.BudgetLimitCents, row.TokenLimitMonth, row.RateLimitRPM
	f.integrations[row.ID] = cur
	return cur, nil
}
func (f *fakeStore) SetIntegrationStatus(_ context.Context, tenantID, id, status string) error {
	cur, ok := f.integrations[id]
	if !ok || cur.TenantID != tenantID {
		return store.ErrIntegrationNotFound
	}
	cur.Status = status
	f.integrations[id] = cur
	return nil
}
func (f *fakeStore) SoftDeleteIntegration(_ context.Context, tenantID, id string) error {
	if cur, ok := f.integrations[id]; !ok || cur.TenantID != tenantID {
		return store.ErrIntegrationNotFound
	}
	delete(f.integrations, id)
	return nil
}
func (f *fakeStore) RevokeIntegrationKeys(_ context.Context, tenantID, integrationID string) (int64, error) {
	var n int64
	for i := range f.keys {
		if k := &f.keys[i]; k.TenantID == tenantID && k.IntegrationID == integrationID && k.RevokedAt == nil {
			at := t0
			k.RevokedAt = &at
			n++
		}
	}
	return n, nil
}

// countingStore counts the writes that change an integration, for tests
// that an action which changes nothing writes nothing.
type countingStore struct {
	*fakeStore
	writes int
}

func (c *countingStore) UpdateIntegration(ctx context.Context, row store.IntegrationRow, columns []string) (store.IntegrationRow, error) {
	c.writes++
	return c.fakeStore.UpdateIntegration(ctx, row, columns)
}
func (c *countingStore) SetIntegrationStatus(ctx context.Context, tenantID, id, status string) error {
	c.writes++
	return c.fakeStore.SetIntegrationStatus(ctx, tenantID, id, status)
}

// newManageEngine returns an engine on a counting fake store at t0.
func newManageEngine(t *testing.T) (*Engine, *countingStore) {
	t.Helper()
	s := &countingStore{fakeStore: newFakeStore()}
	e, err := NewEngine(s, func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	return e, s
}

// seed creates integrations named after names in tenantA, in order.
func seed(t *testing.T, e *Engine, names ...string) []Integration {
	t.Helper()
	out := make([]Integration, len(names))
	for i, name := range names {
		integ, _, err := e.CreateIntegration(context.Background(), NewIntegration{TenantID: tenantA, Name: name, ProviderType: "openai"})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = integ
	}
	return out
}

func fieldsOf(err error) []string {
	fe, ok := fault.As(err)
	if !ok || fe.Kind != fault.KindValidation {
		return nil
	}
	var names []string
	for _, f := range fe.Details["fields"].([]fault.FieldError) {
		names = append(names, f.Field)
	}
	return names
}

func ptr[T any](v T) *T { return &v }

func (f *fakeStore) HasLiveKeyOnEnabledIntegration(_ context.Context, tenantID string) (bool, error) {
	for _, k := range f.keys {
		if i, ok := f.integrations[k.IntegrationID]; ok && i.TenantID == tenantID && i.Status == StatusEnabled && k.RevokedAt == nil {
			return true, nil
		}
	}
	return false, nil
}
