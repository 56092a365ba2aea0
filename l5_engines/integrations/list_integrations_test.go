package integrations

import (
	"context"
	"slices"
	"testing"
)

func TestListIntegrations_PagesTheTenantsOwnAndChecksPaging(t *testing.T) {
	t.Parallel()
	e, _ := newManageEngine(t)
	seed(t, e, "a", "b", "c")
	if _, _, err := e.CreateIntegration(context.Background(), NewIntegration{TenantID: tenantB, Name: "b's", ProviderType: "custom"}); err != nil {
		t.Fatal(err)
	}
	page, total, err := e.ListIntegrations(context.Background(), tenantA, 2, 1)
	if err != nil || total != 3 || len(page) != 2 || page[0].Name != "b" || page[1].Name != "c" {
		t.Fatalf("page = %+v, total %d, err %v", page, total, err)
	}
	_, _, err = e.ListIntegrations(context.Background(), tenantA, 1001, -1)
	if got := fieldsOf(err); !slices.Equal(got, []string{"limit", "offset"}) {
		t.Fatalf("fields = %v (%v)", got, err)
	}
}
