package account

import (
	"context"
	"testing"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/account"
)

const tid = "0193a8e0-0000-7000-8000-000000000001"

func engineWith(t *testing.T, lifecycle Lifecycle, onboarding Onboarding) *Engine {
	t.Helper()
	e, err := NewEngine(&fakeStore{rows: []store.TenantRow{{ID: tid, Plan: "free", LifecycleState: string(lifecycle), OnboardingState: int(onboarding), CostSource: CostSourcePriceTable}}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var founder = Changer{Type: "founder", ID: "alice"}

func TestChangeLifecycle_OnlyTheTableIsLegal(t *testing.T) {
	t.Parallel()
	all := []Lifecycle{LifecycleActive, LifecycleSuspended, LifecycleTerminated, LifecycleArchived}
	legal := map[string]Lifecycle{
		"ACTIVE/suspend": LifecycleSuspended, "ACTIVE/terminate": LifecycleTerminated,
		"SUSPENDED/resume": LifecycleActive, "SUSPENDED/terminate": LifecycleTerminated,
		"TERMINATED/archive": LifecycleArchived,
	}
	for _, from := range all {
		for _, action := range []string{"suspend", "resume", "terminate", "archive"} {
			got, err := engineWith(t, from, OnboardingCreated).ChangeLifecycle(context.Background(), tid, action, "because", founder)
			want, ok := legal[string(from)+"/"+action]
			switch {
			case ok && (err != nil || got.Lifecycle != want):
				t.Errorf("%s %s: %v %v, want %s", from, action, got.Lifecycle, err, want)
			case !ok && fault.KindOf(err) != fault.KindConflict:
				t.Errorf("%s %s: err = %v, want conflict", from, action, err)
			}
		}
	}
}

func TestChangeLifecycle_NeedsAReasonAndAKnownAction(t *testing.T) {
	t.Parallel()
	e := engineWith(t, LifecycleActive, OnboardingCreated)
	for _, tc := range [][2]string{{"suspend", " "}, {"pause", "why"}} {
		if _, err := e.ChangeLifecycle(context.Background(), tid, tc[0], tc[1], founder); fault.KindOf(err) != fault.KindValidation {
			t.Errorf("%v: err = %v", tc, err)
		}
	}
}

func TestAdmits_LifecycleEffects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		state       Lifecycle
		read, write bool
	}{
		{LifecycleActive, true, true},
		{LifecycleSuspended, true, false},
		{LifecycleTerminated, false, false},
		{LifecycleArchived, false, false},
	}
	for _, tc := range cases {
		tenant := Tenant{ID: tid, Lifecycle: tc.state, Onboarding: OnboardingComplete}
		for write, allowed := range map[bool]bool{false: tc.read, true: tc.write} {
			err := tenant.Admits(write)
			fe, _ := fault.As(err)
			if allowed != (err == nil) || (!allowed && fe.Code != fault.CodeTenantSuspended) {
				t.Errorf("%s write=%v: err = %v, allowed %v", tc.state, write, err, allowed)
			}
		}
	}
}

func TestAdvanceOnboarding_ForwardOnlyAndIdempotent(t *testing.T) {
	t.Parallel()
	e := engineWith(t, LifecycleActive, OnboardingAPIKeyCreated)
	got, err := e.AdvanceOnboarding(context.Background(), tid, "IDENTITY_VERIFIED", "founder says", founder)
	if err != nil || got.Onboarding != OnboardingAPIKeyCreated {
		t.Fatalf("backwards target: %v %v", got.Onboarding, err)
	}
	got, err = e.AdvanceOnboarding(context.Background(), tid, "COMPLETE", "founder says", founder)
	if err != nil || got.Onboarding != OnboardingComplete {
		t.Fatalf("forward: %v %v", got.Onboarding, err)
	}
	if _, err := e.AdvanceOnboarding(context.Background(), tid, "DONE", "x", founder); fault.KindOf(err) != fault.KindValidation {
		t.Fatalf("unknown target: %v", err)
	}
}

func TestResolveOrg_UnknownIsNotProvisioned(t *testing.T) {
	t.Parallel()
	e := engineWith(t, LifecycleActive, OnboardingCreated)
	if got, err := e.ResolveOrg(context.Background(), tid); err != nil || got.ID != tid {
		t.Fatalf("by id: %v %v", got, err)
	}
	_, err := e.ResolveOrg(context.Background(), "org_unknown")
	if fe, ok := fault.As(err); !ok || fe.Details["reason"] != "tenant_not_provisioned" {
		t.Fatalf("err = %v", err)
	}
}
