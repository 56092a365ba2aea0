package account_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"hoc/l6_drivers/account"
	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
)

func event(kind, to string) account.EventRow {
	return account.EventRow{Kind: kind, ToState: to, ActorType: "founder", ActorID: "alice", Reason: "test"}
}

func TestTenantStore_SetLifecycleIsConditionalAndRecorded(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newStore(t, d)
		ctx := context.Background()
		tenant := mustCreate(t, s, newTenant("A", "a"))
		got, err := s.SetLifecycle(ctx, tenant.ID, "ACTIVE", "SUSPENDED", event("lifecycle", "SUSPENDED"))
		if err != nil || got.LifecycleState != "SUSPENDED" {
			t.Fatalf("suspend: %+v %v", got, err)
		}
		if _, err := s.SetLifecycle(ctx, tenant.ID, "ACTIVE", "TERMINATED", event("lifecycle", "TERMINATED")); !errors.Is(err, account.ErrStateChanged) {
			t.Fatalf("stale from-state: err = %v", err)
		}
		if _, err := s.SetLifecycle(ctx, "0193a8e0-0000-7000-8000-0000000000ff", "ACTIVE", "SUSPENDED", event("lifecycle", "SUSPENDED")); !errors.Is(err, account.ErrTenantNotFound) {
			t.Fatalf("unknown tenant: err = %v", err)
		}
		if n, err := s.CountEvents(ctx, tenant.ID, "lifecycle"); err != nil || n != 1 {
			t.Fatalf("%d lifecycle events (%v), want 1", n, err)
		}
	})
}

// TestTenantStore_ConcurrentOnboardingNeverMovesBackwards runs many advances
// to different targets at once: the state must end at the highest target,
// and each move that happened is recorded once.
func TestTenantStore_ConcurrentOnboardingNeverMovesBackwards(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newStore(t, d)
		ctx := context.Background()
		tenant := mustCreate(t, s, newTenant("A", "a"))
		var wg sync.WaitGroup
		var mu sync.Mutex
		moves := 0
		for i := 0; i < 40; i++ {
			target := 1 + i%4
			wg.Add(1)
			go func() {
				defer wg.Done()
				moved, err := s.AdvanceOnboarding(ctx, tenant.ID, target, event("onboarding", "X"))
				if err != nil {
					t.Error(err)
				}
				if moved {
					mu.Lock()
					moves++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		got, err := s.GetTenant(ctx, tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		events, err := s.CountEvents(ctx, tenant.ID, "onboarding")
		if err != nil {
			t.Fatal(err)
		}
		if got.OnboardingState != 4 || moves < 1 || moves > 4 || events != int64(moves) {
			t.Fatalf("state %d after %d moves and %d events; want 4, 1..4 moves, one event each", got.OnboardingState, moves, events)
		}
		if moved, err := s.AdvanceOnboarding(ctx, tenant.ID, 2, event("onboarding", "X")); err != nil || moved {
			t.Fatalf("advance to an earlier state: moved %v, err %v; want no move and no error", moved, err)
		}
	})
}

func TestTenantStore_FindTenantByOrgThenID(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newStore(t, d)
		ctx := context.Background()
		org := "org_9"
		withOrg := newTenant("A", "a")
		withOrg.ExternalOrgID = &org
		a := mustCreate(t, s, withOrg)
		b := mustCreate(t, s, newTenant("B", "b"))
		for in, want := range map[string]string{org: a.ID, b.ID: b.ID} {
			got, err := s.FindTenantByOrg(ctx, in)
			if err != nil || got.ID != want {
				t.Errorf("%s → %s %v, want %s", in, got.ID, err, want)
			}
		}
		for _, unknown := range []string{"org_unknown", "0193a8e0-0000-7000-8000-0000000000ff", "URN:UUID:" + b.ID} {
			if _, err := s.FindTenantByOrg(ctx, unknown); !errors.Is(err, account.ErrTenantNotFound) {
				t.Errorf("%s: err = %v", unknown, err)
			}
		}
	})
}
