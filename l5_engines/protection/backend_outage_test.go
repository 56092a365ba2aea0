package protection

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestBackendOutage_EachTenantGetsItsOwnCount: an outage that meets two
// tenants is one event per tenant, each carrying that tenant's failures and
// that tenant's request — never one tenant's event with both counts, and
// never a tenant left without one.
func TestBackendOutage_EachTenantGetsItsOwnCount(t *testing.T) {
	t.Parallel()
	e, events := newTestEngine(t, DefaultLimits(), brokenState{})
	tenantRequest := func(tenant string, now time.Time) Request {
		r := request(now, "GET")
		r.TenantID, r.ActorID, r.Route = tenant, "key-of-"+tenant, "/route-of-"+tenant
		return r
	}
	// A fails first, then B's 300 failures interleave with A's other 4.
	now := t0
	e.Decide(context.Background(), tenantRequest("tenant-a", now))
	for i := range 300 {
		now = now.Add(time.Millisecond)
		e.Decide(context.Background(), tenantRequest("tenant-b", now))
		if i%75 == 0 {
			e.Decide(context.Background(), tenantRequest("tenant-a", now))
		}
	}
	if n := events.count(DimensionBackendUnavailable); n != 0 {
		t.Fatalf("%d events while the interval is open, want 0", n)
	}
	e.Decide(context.Background(), tenantRequest("tenant-c", t0.Add(outageInterval))) // closes the interval
	events.mu.Lock()
	got := map[string]string{}
	for _, ev := range events.events {
		if ev.Dimension != DimensionBackendUnavailable {
			continue
		}
		if _, twice := got[ev.TenantID]; twice {
			t.Errorf("tenant %s has two events for one interval", ev.TenantID)
		}
		if ev.ActorID != "key-of-"+ev.TenantID || ev.Endpoint != "/route-of-"+ev.TenantID {
			t.Errorf("tenant %s's event names another tenant's request: actor %s, endpoint %s", ev.TenantID, ev.ActorID, ev.Endpoint)
		}
		got[ev.TenantID] = fmt.Sprint(ev.Details["failures"])
	}
	events.mu.Unlock()
	if want := map[string]string{"tenant-a": "5", "tenant-b": "300"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("failures by tenant %v, want %v", got, want)
	}
	e.Close()
	if last := events.events[len(events.events)-1]; last.TenantID != "tenant-c" || fmt.Sprint(last.Details["failures"]) != "1" {
		t.Fatalf("the next interval's event: %+v, want tenant-c's one failure", last)
	}
}

// TestBackendOutage_TenantsOfOneIntervalAreBounded: an outage met by more
// tenants than one interval folds ends the interval early; every tenant
// still gets its event, and what the replica holds stays bounded.
func TestBackendOutage_TenantsOfOneIntervalAreBounded(t *testing.T) {
	t.Parallel()
	e, events := newTestEngine(t, DefaultLimits(), brokenState{})
	const tenants = 2*maxOutageTenants + 1
	peak := 0
	for i := range tenants {
		r := request(t0.Add(time.Duration(i)*time.Microsecond), "GET")
		r.TenantID = fmt.Sprintf("tenant-%05d", i)
		for range 2 {
			e.Decide(context.Background(), r)
		}
		e.outage.mu.Lock()
		peak = max(peak, len(e.outage.tenants))
		e.outage.mu.Unlock()
	}
	if n := events.count(DimensionBackendUnavailable); n != 2*maxOutageTenants {
		t.Fatalf("%d events recorded within the minute, want %d (two full intervals)", n, 2*maxOutageTenants)
	}
	e.Close()
	if peak > maxOutageTenants {
		t.Fatalf("one interval held %d tenants, want at most %d", peak, maxOutageTenants)
	}
	seen := map[string]bool{}
	for _, ev := range events.events {
		if seen[ev.TenantID] || fmt.Sprint(ev.Details["failures"]) != "2" {
			t.Fatalf("event %+v: want one per tenant counting its 2 failures", ev)
		}
		seen[ev.TenantID] = true
	}
	if len(seen) != tenants {
		t.Fatalf("%d tenants got an event, want %d", len(seen), tenants)
	}
}
