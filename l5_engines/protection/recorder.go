package protection

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	store "hoc/l6_drivers/protection"
)

// RecorderConfig tunes a Recorder; a zero field takes its default.
type RecorderConfig struct {
	// Buffer is how many events may wait for the writer (default 10,000).
	Buffer int
	// BatchSize is the most events written in one InsertEvents call
	// (default 500).
	BatchSize int
	// FlushInterval is the longest an event waits for its batch to fill
	// (default 200 ms).
	FlushInterval time.Duration
	// WriteTimeout bounds one InsertEvents call (default 5 s).
	WriteTimeout time.Duration
	// RetryDelay is the pause before the one retry of a failed write
	// (default 100 ms).
	RetryDelay time.Duration
}

func (c RecorderConfig) withDefaults() RecorderConfig {
	if c.Buffer <= 0 {
		c.Buffer = 10_000
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 500
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = 200 * time.Millisecond
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 5 * time.Second
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = 100 * time.Millisecond
	}
	return c
}

// Recorder takes protection events off the request path and stores them in
// batches.
//
// Record never waits for the database while the buffer has room: it logs
// the event, queues it and returns. A background writer (Start) stores the
// queue in batches of up to BatchSize events, or whatever has gathered
// after FlushInterval. Close stops the writer after it has stored every
// queued event, so a clean shutdown loses nothing.
//
// Events recorded before Start wait in the buffer for the writer (or for
// Flush or Close). When the buffer is full, Record writes the event itself,
// synchronously: under a flood of refusals the flooding requests pay for
// their own events (back-pressure) rather than having their events
// dropped. Events recorded after Close are written the same way. Record
// has no context, so a synchronous write is bounded by WriteTimeout alone.
//
// A failed write is logged and retried once after RetryDelay (the store
// skips ids already stored, so the retry cannot duplicate a batch that did
// commit); if the retry fails too, the batch is dropped with an error log
// and counted in Dropped. Every event is also in the log line Record wrote,
// so a dropped event is never lost without a trace. An event that cannot be
// stored at all (an unknown decision or dimension, a tenant id that is not a
// UUID) is refused by Record with an error log, so that it cannot make a
// whole batch fail.
type Recorder struct {
	store EventStore
	log   *slog.Logger
	now   func() time.Time
	cfg   RecorderConfig

	queue   chan store.EventRow
	flushes chan chan struct{}
	stop    chan struct{}
	done    chan struct{}

	// mu guards started and closed. Record holds it shared while it queues,
	// so once Close has set closed under the exclusive lock nothing more
	// enters the queue and the writer's final drain empties it.
	mu      sync.RWMutex
	started bool
	closed  bool

	dropped atomic.Int64
}

// NewRecorder returns a recorder with the default configuration.
func NewRecorder(s EventStore, log *slog.Logger, now func() time.Time) (*Recorder, error) {
	return NewRecorderWithConfig(RecorderConfig{}, s, log, now)
}

// NewRecorderWithConfig returns a recorder with cfg.
func NewRecorderWithConfig(cfg RecorderConfig, s EventStore, log *slog.Logger, now func() time.Time) (*Recorder, error) {
	if s == nil || log == nil || now == nil {
		return nil, errors.New("protection event recorder: nil dependency")
	}
	cfg = cfg.withDefaults()
	return &Recorder{
		store: s, log: log, now: now, cfg: cfg,
		queue:   make(chan store.EventRow, cfg.Buffer),
		flushes: make(chan chan struct{}),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}, nil
}

// Dropped returns how many events were dropped: refused as unstorable, or
// lost after a write and its retry both failed.
func (r *Recorder) Dropped() int64 { return r.dropped.Load() }

// Record logs e and queues it for storage. It returns without waiting for
// the database unless the buffer is full or the recorder is closed; see
// Recorder.
func (r *Recorder) Record(e Event) {
	row, err := r.prepare(&e)
	if err != nil {
		r.dropped.Add(1)
		r.log.Error("protection event refused", slog.String("error", err.Error()),
			slog.String("tenant_id", e.TenantID), slog.String("decision", e.Decision), slog.String("dimension", e.Dimension))
		return
	}
	r.logEvent(e)
	r.mu.RLock()
	if !r.closed {
		select {
		case r.queue <- row:
			r.mu.RUnlock()
			return
		default:
		}
	}
	r.mu.RUnlock()
	r.write([]store.EventRow{row})
}

// Start starts the background writer. Starting twice, or after Close, does
// nothing.
func (r *Recorder) Start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.closed {
		return
	}
	r.started = true
	go r.run()
}

// Flush returns once every event recorded before the call has been written
// (or dropped after its retry), or when ctx ends.
func (r *Recorder) Flush(ctx context.Context) error {
	r.mu.RLock()
	started, closed := r.started, r.closed
	r.mu.RUnlock()
	switch {
	case !started && !closed:
		r.drain(nil)
		return nil
	case !started:
		return nil // Close drained the queue itself
	}
	ack := make(chan struct{})
	select {
	case r.flushes <- ack:
	case <-r.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("flush protection events: %w", ctx.Err())
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("flush protection events: %w", ctx.Err())
	}
}

// Close stops the writer after it has written every queued event. If ctx
// ends first, Close returns its error and the writer finishes in the
// background. Closing twice is harmless; events recorded afterwards are
// written synchronously.
func (r *Recorder) Close(ctx context.Context) error {
	r.mu.Lock()
	first, started := !r.closed, r.started
	r.closed = true
	r.mu.Unlock()
	if !started {
		if first {
			r.drain(nil)
		}
		return nil
	}
	if first {
		close(r.stop)
	}
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("close protection event recorder with %d events still queued: %w", len(r.queue), ctx.Err())
	}
}

// run is the background writer.
func (r *Recorder) run() {
	defer close(r.done)
	batch := make([]store.EventRow, 0, r.cfg.BatchSize)
	timer := time.NewTimer(r.cfg.FlushInterval)
	timer.Stop()
	flush := func() {
		timer.Stop()
		if len(batch) > 0 {
			r.write(batch)
			batch = batch[:0]
		}
	}
	for {
		select {
		case row := <-r.queue:
			if len(batch) == 0 {
				timer.Reset(r.cfg.FlushInterval)
			}
			batch = append(batch, row)
			if len(batch) >= r.cfg.BatchSize {
				flush()
			}
		case <-timer.C:
			flush()
		case ack := <-r.flushes:
			timer.Stop()
			batch = r.drain(batch)
			close(ack)
		case <-r.stop:
			timer.Stop()
			r.drain(batch)
			return
		}
	}
}

// drain writes batch and everything queued now, in batches, and returns
// the emptied batch for reuse.
func (r *Recorder) drain(batch []store.EventRow) []store.EventRow {
	for {
		select {
		case row := <-r.queue:
			batch = append(batch, row)
			if len(batch) >= r.cfg.BatchSize {
				r.write(batch)
				batch = batch[:0]
			}
		default:
			if len(batch) > 0 {
				r.write(batch)
			}
			return batch[:0]
		}
	}
}

// write stores rows, retrying once; see Recorder for what a second failure
// means.
func (r *Recorder) write(rows []store.EventRow) {
	err := r.insert(rows)
	if err == nil {
		return
	}
	r.log.Warn("protection events write failed; retrying once", slog.Int("events", len(rows)), slog.String("error", err.Error()))
	time.Sleep(r.cfg.RetryDelay)
	if err = r.insert(rows); err == nil {
		return
	}
	r.dropped.Add(int64(len(rows)))
	r.log.Error("protection events dropped after a failed retry", slog.Int("events", len(rows)),
		slog.String("first_id", rows[0].ID), slog.String("last_id", rows[len(rows)-1].ID), slog.String("error", err.Error()))
}

func (r *Recorder) insert(rows []store.EventRow) error {
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.WriteTimeout)
	defer cancel()
	return r.store.InsertEvents(ctx, rows)
}
