package api

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// outageInterval is how many requests answered 503 UNAVAILABLE fold into
// one log line: the first of an interval is logged at error with its cause,
// the others are counted and reported together when the interval ends. A
// database outage wrote three error lines for every failing request (2,756
// lines for 920 answers); now it writes one line a minute per replica, as
// the protection backend's outages already did. Each request still has its
// access line, with its status.
const outageInterval = time.Minute

// outageLog folds the failures of requests whose dependency was
// unavailable. Every request calls due, which reads one atomic value unless
// an interval has ended.
type outageLog struct {
	log *slog.Logger
	now func() time.Time

	// closesAt is the open interval's end in Unix nanoseconds, 0 when none
	// is open.
	closesAt atomic.Int64

	mu    sync.Mutex
	since time.Time
	count int
}

func newOutageLog(log *slog.Logger, now func() time.Time) *outageLog {
	return &outageLog{log: log, now: now}
}

// failed logs or counts one request answered UNAVAILABLE.
func (o *outageLog) failed(ctx context.Context, attrs ...slog.Attr) {
	now := o.now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.count > 0 && now.UnixNano() >= o.closesAt.Load() {
		o.flushLocked(ctx)
	}
	o.count++
	if o.count > 1 {
		return
	}
	o.since = now
	o.closesAt.Store(now.Add(outageInterval).UnixNano())
	o.log.LogAttrs(ctx, slog.LevelError, "request answered 503 UNAVAILABLE; further such answers in the next minute are counted, not logged", attrs...)
}

// due reports the open interval's count once the interval has ended.
func (o *outageLog) due(ctx context.Context) {
	closesAt := o.closesAt.Load()
	if closesAt == 0 || o.now().UnixNano() < closesAt {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.count > 0 && o.now().UnixNano() >= o.closesAt.Load() {
		o.flushLocked(ctx)
	}
}

func (o *outageLog) flushLocked(ctx context.Context) {
	if o.count > 1 {
		o.log.LogAttrs(ctx, slog.LevelWarn, "requests answered 503 UNAVAILABLE in the last interval",
			slog.Int("failures", o.count), slog.Time("since", o.since.UTC()))
	}
	o.count = 0
	o.closesAt.Store(0)
}
