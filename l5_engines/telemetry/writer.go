package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"hoc/l5_engines/fault"
)

// WriterConfig tunes a Writer; a zero field takes its default.
type WriterConfig struct {
	// Workers is how many groups may be written at once; default 1. One is
	// also the fastest: the records of one tenant's day and model share a
	// rollup row, so concurrent groups of a tenant wait on each other's
	// commit there, and with one writer the next group simply grows while
	// the current one is written. On the bench's 2-core machine, 64 clients
	// gave 11.6k records/s with one worker, 10.5k with two and 8.0k with four.
	Workers int
	// MaxRecords caps a group; default 256.
	MaxRecords int
	// Timeout bounds one group's write; default 5 s (the operations'
	// bound), so a hung database fails the group's callers as it fails any
	// request.
	Timeout time.Duration
}

func (c WriterConfig) withDefaults() WriterConfig {
	if c.Workers <= 0 {
		c.Workers = 1
	}
	if c.MaxRecords <= 0 {
		c.MaxRecords = 256
	}
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	return c
}

// WriterObserver is told what the writer does, for its metrics (the spine
// implements it with Prometheus).
type WriterObserver interface {
	// Queued is called with +1 when a record joins the queue and with
	// minus the group's size when a group leaves it.
	Queued(delta int)
	// Grouped is called once a group's write has ended.
	Grouped(records int, took time.Duration)
}

// Writer is the one way ingest writes records. A request of several records
// is written at once, with one engine write (one statement on Postgres). A
// request of one record — what most SDKs send, one call at a time — joins
// the records queued behind it and is written with them (group commit): a
// write costs round trips and a commit and, worse, holds its day's rollup
// row locked until it commits, so that concurrent ingests of one tenant
// queue on that row one commit at a time; a group pays all of it once for
// all its records.
//
// Each caller is answered only after the group holding its record has
// committed, with its own result. When a group's write fails because the
// database is unavailable (or too slow), every caller in it gets that error
// and nothing of the group is stored; when it fails for any other reason,
// each record is retried alone, so that one record the database refuses
// does not fail its neighbours. A panic fails the group with INTERNAL and
// the worker goes on.
//
// Like the protection event recorder, it runs background workers (Start)
// and Close lets them write what is queued before they end: the HTTP server
// stops first, so every record that was answered has been committed.
type Writer struct {
	write  func(ctx context.Context, reqs []IngestRequest) ([]IngestResult, error)
	cfg    WriterConfig
	log    *slog.Logger
	obs    WriterObserver
	queue  chan *submission
	mu     sync.RWMutex // guards closed against sends racing with close
	closed bool
	wg     sync.WaitGroup
}

// submission is one caller's record waiting for its group.
type submission struct {
	ctx  context.Context
	req  IngestRequest
	done chan outcome // buffered: a worker never waits for a caller
}

type outcome struct {
	res IngestResult
	err error
}

// errStopped answers callers that arrive while the server shuts down.
var errStopped = fault.Unavailable(errors.New("ingest is shutting down"))

// NewWriter returns a writer of e's records; Start runs its workers.
func NewWriter(e *Engine, cfg WriterConfig, log *slog.Logger, obs WriterObserver) (*Writer, error) {
	if e == nil || log == nil || obs == nil {
		return nil, errors.New("telemetry writer: nil dependency")
	}
	return newWriter(e.IngestMany, cfg, log, obs), nil
}

// newWriter returns a writer whose groups go to write.
func newWriter(write func(context.Context, []IngestRequest) ([]IngestResult, error), cfg WriterConfig, log *slog.Logger, obs WriterObserver) *Writer {
	cfg = cfg.withDefaults()
	// The queue holds a few groups per worker; past that, callers wait to
	// be queued, which holds back the HTTP requests behind them.
	return &Writer{write: write, cfg: cfg, log: log, obs: obs, queue: make(chan *submission, 4*cfg.MaxRecords*cfg.Workers)}
}

// Start runs the workers.
func (w *Writer) Start() {
	for range w.cfg.Workers {
		w.wg.Go(w.run)
	}
}

// Close lets the workers write what is queued, then ends them. Callers that
// arrive afterwards are refused with UNAVAILABLE.
func (w *Writer) Close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.queue)
	}
	w.mu.Unlock()
	w.wg.Wait()
}

// Write ingests req and returns its result once its records have committed.
// A single record is written with the group it joins; on ctx's end before
// that, Write returns ctx's error (the record may then still be committed,
// and a retry of it is a duplicate).
func (w *Writer) Write(ctx context.Context, req IngestRequest) (IngestResult, error) {
	if len(req.Items) != 1 || req.Items[0].Record == nil {
		results, err := w.write(ctx, []IngestRequest{req})
		if err != nil {
			return IngestResult{}, err
		}
		return results[0], nil
	}
	s := &submission{ctx: ctx, req: req, done: make(chan outcome, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return IngestResult{}, errStopped
	}
	select {
	case w.queue <- s:
		w.obs.Queued(1)
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return IngestResult{}, ctx.Err()
	}
	select {
	case o := <-s.done:
		return o.res, o.err
	case <-ctx.Done():
		return IngestResult{}, ctx.Err()
	}
}

// run takes groups off the queue until it is closed and empty.
func (w *Writer) run() {
	for first := range w.queue {
		group := w.gather(first)
		w.obs.Queued(-len(group))
		w.commit(group)
	}
}

// gather forms a group around first: whatever else is queued, up to
// MaxRecords. It never waits for more: while a group is being written the
// next one queues, so under load groups grow by themselves, and a caller
// alone is written at once. (Lingering for company was measured and only
// lost throughput: 64 clients gave 10.5k records/s without it and 8.4k with
// a 1 ms wait.)
func (w *Writer) gather(first *submission) []*submission {
	group := []*submission{first}
	for len(group) < w.cfg.MaxRecords {
		select {
		case s, ok := <-w.queue:
			if !ok {
				return group
			}
			group = append(group, s)
		default:
			return group
		}
	}
	return group
}

// commit writes a group and answers its callers. Callers whose context
// ended while they waited are answered with its error and left out.
func (w *Writer) commit(group []*submission) {
	live := group[:0]
	for _, s := range group {
		if err := s.ctx.Err(); err != nil {
			s.done <- outcome{err: err}
			continue
		}
		live = append(live, s)
	}
	if len(live) == 0 {
		return
	}
	start := time.Now()
	results, err := w.transact(live)
	w.obs.Grouped(len(live), time.Since(start))
	if err == nil {
		for i, s := range live {
			s.done <- outcome{res: results[i]}
		}
		return
	}
	if len(live) == 1 || fault.IsUnavailable(err) {
		for _, s := range live {
			s.done <- outcome{err: err}
		}
		return
	}
	w.log.Warn("group write failed; retrying each record alone", slog.Int("records", len(live)), slog.String("error", err.Error()))
	for _, s := range live {
		w.commit([]*submission{s})
	}
}

// transact writes the group. The write has a deadline of its own: it
// serves many callers, so no one caller's context may cancel it.
func (w *Writer) transact(group []*submission) (results []IngestResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			w.log.Error("group write panicked", slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			results, err = nil, fault.Internal(fmt.Errorf("group write panicked: %v", p))
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), w.cfg.Timeout)
	defer cancel()
	reqs := make([]IngestRequest, len(group))
	for i, s := range group {
		reqs[i] = s.req
	}
	return w.write(ctx, reqs)
}
