package protection

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// outageInterval is how long failures of the state backend fold into one
// backend_unavailable event per tenant: at most one event per tenant (and
// one error line per replica) per minute, with the count, however many
// requests the outage meets. One row per failing request was 86 million
// rows a day at 1,000 requests a second, written while a dependency was
// down.
const outageInterval = time.Minute

// maxOutageTenants bounds the tenants one interval folds: the interval ends
// early once it holds this many, so that an outage met by every tenant of a
// large deployment costs bounded memory (one Request per tenant) and
// records at most this many events at once.
const maxOutageTenants = 1000

// backendOutage folds the state backend's failures into one event per
// tenant per interval.
//
// The event goes to each tenant with that tenant's own count, not to the
// replica: protection events are a tenant's record (SPEC §4.3: every event
// has a tenant, customers list their own), so a failure is reported to the
// tenant whose request met it, and no tenant sees another's traffic. One
// replica-wide event carried by whichever tenant failed first showed that
// tenant every tenant's failures and showed the others nothing. Founders
// still see the whole outage: their listing has every tenant's event, and
// the replica's log line at the end of the interval gives the total.
//
// The first failure of an interval is logged at once (with its request id)
// and opens the interval; the interval's events, one per tenant with the
// count of that tenant's failures in it, are recorded by the first decision
// made after it ends (failing or not), by the failure that would fold a
// tenant past maxOutageTenants, or by Close.
type backendOutage struct {
	failClosed bool
	record     func(Event)
	log        *slog.Logger

	// closesAt is the end of the open interval in Unix nanoseconds, 0 when
	// none is open: the one thing every decision reads, without the lock.
	closesAt atomic.Int64

	mu      sync.Mutex
	opened  time.Time
	total   int
	tenants map[string]*tenantFailures
}

// tenantFailures are one tenant's failures in the open interval.
type tenantFailures struct {
	first Request // the tenant's first failing request: the event's request
	count int
}

// failed counts a failure of r's decision.
func (o *backendOutage) failed(ctx context.Context, r Request, cause error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.total > 0 && !r.Now.Before(time.Unix(0, o.closesAt.Load())) {
		o.flushLocked()
	}
	f := o.tenants[r.TenantID]
	if f == nil && len(o.tenants) >= maxOutageTenants {
		o.flushLocked()
	}
	if o.total == 0 {
		o.opened = r.Now
		o.closesAt.Store(r.Now.Add(outageInterval).UnixNano())
		o.log.ErrorContext(ctx, "protection state backend failed; further failures in the next minute are counted, not logged",
			slog.String("request_id", r.RequestID), slog.String("error", cause.Error()), slog.Bool("fail_closed", o.failClosed))
	}
	if f == nil {
		if o.tenants == nil {
			o.tenants = make(map[string]*tenantFailures)
		}
		f = &tenantFailures{first: r}
		o.tenants[r.TenantID] = f
	}
	f.count++
	o.total++
}

// due records the open interval's events once now is past its end.
func (o *backendOutage) due(now time.Time) {
	closesAt := o.closesAt.Load()
	if closesAt == 0 || now.UnixNano() < closesAt {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.total > 0 && !now.Before(time.Unix(0, o.closesAt.Load())) {
		o.flushLocked()
	}
}

// flush records the open interval's events, whatever the time: at shutdown.
func (o *backendOutage) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked()
}

// flushLocked records one event per tenant of the open interval, in tenant
// order, and closes the interval.
func (o *backendOutage) flushLocked() {
	if o.total == 0 {
		return
	}
	decision := OutcomeWarn // failing open, the requests were let through
	if o.failClosed {
		decision = OutcomeReject
	}
	ids := make([]string, 0, len(o.tenants))
	for id := range o.tenants {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		f := o.tenants[id]
		o.record(eventOf(f.first, decision, DimensionBackendUnavailable, map[string]any{
			"fail_closed": o.failClosed, "failures": f.count, "interval": outageInterval.String(),
		}))
	}
	o.log.Warn("protection state backend failures in the last interval",
		slog.Int("failures", o.total), slog.Int("tenants", len(ids)), slog.Time("since", o.opened.UTC()),
		slog.Bool("fail_closed", o.failClosed))
	o.total = 0
	clear(o.tenants)
	o.closesAt.Store(0)
}
