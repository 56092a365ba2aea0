package protection

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// outageInterval is how many failures of the state backend fold into one
// backend_unavailable event: at most one event (and one error line) per
// replica per minute, with the count, however many requests the outage
// meets. One row per failing request was 86 million rows a day at 1,000
// requests a second, written while a dependency was down.
const outageInterval = time.Minute

// backendOutage folds the state backend's failures into one event per
// interval. The first failure of an interval is logged at once (with its
// request id) and opens the interval; the interval's event, with the count
// of failures in it, is recorded by the first decision made after it ends
// (failing or not), or by Close.
type backendOutage struct {
	failClosed bool
	record     func(Event)
	log        *slog.Logger

	// closesAt is the end of the open interval in Unix nanoseconds, 0 when
	// none is open: the one thing every decision reads, without the lock.
	closesAt atomic.Int64

	mu    sync.Mutex
	first Request // the request that opened the interval
	count int
}

// failed counts a failure of r's decision.
func (o *backendOutage) failed(ctx context.Context, r Request, cause error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.count > 0 && !r.Now.Before(time.Unix(0, o.closesAt.Load())) {
		o.flushLocked()
	}
	if o.count == 0 {
		o.first = r
		o.closesAt.Store(r.Now.Add(outageInterval).UnixNano())
		o.log.ErrorContext(ctx, "protection state backend failed; further failures in the next minute are counted, not logged",
			slog.String("request_id", r.RequestID), slog.String("error", cause.Error()), slog.Bool("fail_closed", o.failClosed))
	}
	o.count++
}

// due records the open interval's event once now is past its end.
func (o *backendOutage) due(now time.Time) {
	closesAt := o.closesAt.Load()
	if closesAt == 0 || now.UnixNano() < closesAt {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.count > 0 && !now.Before(time.Unix(0, o.closesAt.Load())) {
		o.flushLocked()
	}
}

// flush records the open interval's event, whatever the time: at shutdown.
func (o *backendOutage) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked()
}

func (o *backendOutage) flushLocked() {
	if o.count == 0 {
		return
	}
	decision := OutcomeWarn // failing open, the requests were let through
	if o.failClosed {
		decision = OutcomeReject
	}
	r := o.first
	o.record(eventOf(r, decision, DimensionBackendUnavailable, map[string]any{
		"fail_closed": o.failClosed, "failures": o.count, "interval": outageInterval.String(),
	}))
	o.log.Warn("protection state backend failures in the last interval",
		slog.Int("failures", o.count), slog.Time("since", r.Now.UTC()), slog.Bool("fail_closed", o.failClosed))
	o.count = 0
	o.closesAt.Store(0)
}
