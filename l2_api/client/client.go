// Package client is a Go client for hoc's telemetry API: it batches records
// by size and interval, buffers them in a bounded queue, retries with
// exponential backoff and jitter (honouring Retry-After) while resending the
// same call ids, so that every record is stored once however often a
// request is retried, and reports the outcome of every record.
//
// It imports nothing of hoc and nothing beyond the standard library, so that
// SDK users can vendor it alone.
//
//	c, err := client.New(client.Config{BaseURL: "https://hoc.example.com", IntegrationKey: key})
//	...
//	p, err := c.Send(ctx, client.Record{CallID: id, Provider: "openai", Model: "gpt-4o", TokensIn: 812})
//	...
//	err = c.Close(ctx) // delivers what is buffered; every record gets its Result
package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// MaxBatch is the most records the server takes in one request.
const MaxBatch = 1000

// WhenFull says what Send does when the buffer is full.
type WhenFull int

const (
	// Block waits for room until Send's context ends (then ErrBufferFull).
	Block WhenFull = iota
	// Drop refuses the record at once with ErrBufferFull and counts it in
	// Stats.Dropped.
	Drop
)

// Errors of Send and Close.
var (
	ErrBufferFull = errors.New("hoc client: buffer full")
	ErrClosed     = errors.New("hoc client: closed")
)

// Config configures a Client. BaseURL and one of the keys are required;
// everything else has a default.
type Config struct {
	BaseURL        string // e.g. http://127.0.0.1:8080
	IntegrationKey string // sent as X-CUS-Integration-Key
	APIKey         string // an aos_ key with telemetry:write, sent as X-AOS-Key; records then need IntegrationID

	HTTPClient    *http.Client  // default: a client with a 30 s timeout
	BatchSize     int           // records per request, 1..MaxBatch; default 500
	FlushInterval time.Duration // the longest a record waits for its batch to fill; default 1 s
	BufferSize    int           // records buffered before WhenFull applies; default 10,000
	WhenFull      WhenFull      // default Block

	// MaxAttempts, when positive, bounds the requests that carry one batch;
	// the batch's records are then Failed. By default (0) a batch is retried
	// until the server answers or Close's context ends, so that an outage of
	// any length loses nothing that Close is given time to deliver; the
	// bounded buffer (WhenFull) is what pushes back on senders meanwhile.
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the wait before a retry: it doubles
	// from MinBackoff up to MaxBackoff, with jitter, and is never shorter
	// than the server's Retry-After. Defaults 100 ms and 30 s.
	MinBackoff, MaxBackoff time.Duration

	// OnResult, when set, is called with every record's result, from the
	// client's sending goroutine: it must not block for long.
	OnResult func(Result)
}

func (c *Config) defaults() error {
	if c.BaseURL == "" {
		return errors.New("hoc client: BaseURL is required")
	}
	if (c.IntegrationKey == "") == (c.APIKey == "") {
		return errors.New("hoc client: exactly one of IntegrationKey and APIKey is required")
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	switch {
	case c.BatchSize == 0:
		c.BatchSize = 500
	case c.BatchSize < 0 || c.BatchSize > MaxBatch:
		return fmt.Errorf("hoc client: BatchSize must be 1..%d", MaxBatch)
	}
	c.FlushInterval = orDefault(c.FlushInterval, time.Second)
	if c.BufferSize <= 0 {
		c.BufferSize = 10_000
	}
	if c.MaxAttempts < 0 {
		return errors.New("hoc client: MaxAttempts must be 0 (retry until Close's context ends) or positive")
	}
	c.MinBackoff = orDefault(c.MinBackoff, 100*time.Millisecond)
	c.MaxBackoff = orDefault(c.MaxBackoff, 30*time.Second)
	return nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Client sends records to hoc. It is safe for concurrent use.
type Client struct {
	cfg Config

	mu     sync.RWMutex // Send holds it shared while it enqueues; Close exclusively to close queue
	closed bool
	queue  chan *Pending

	flushes chan chan struct{}
	// life ends when Close's context does: retries stop, and what is left
	// is reported Failed instead of waiting any longer.
	life  context.Context
	abort context.CancelFunc
	done  chan struct{} // the sending goroutine has returned

	stats stats
}

// New starts a client; Close stops it.
func New(cfg Config) (*Client, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	life, abort := context.WithCancel(context.Background())
	c := &Client{
		cfg: cfg, queue: make(chan *Pending, cfg.BufferSize), flushes: make(chan chan struct{}),
		life: life, abort: abort, done: make(chan struct{}),
	}
	go c.run()
	return c, nil
}

// Pending is a record handed to Send; its result comes once the record is
// delivered or given up on.
type Pending struct {
	rec  Record
	done chan struct{}
	res  Result
}

// Done is closed when the result is known.
func (p *Pending) Done() <-chan struct{} { return p.done }

// Result waits for the record's result, or for ctx.
func (p *Pending) Result(ctx context.Context) (Result, error) {
	select {
	case <-p.done:
		return p.res, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Send buffers a record for the next batch. With a full buffer it blocks
// until ctx ends or refuses at once, as Config.WhenFull says; either way
// the error is ErrBufferFull and the record is not sent.
func (c *Client) Send(ctx context.Context, rec Record) (*Pending, error) {
	if rec.CallID == "" {
		rec.CallID = newCallID()
	}
	p := &Pending{rec: rec, done: make(chan struct{}), res: Result{CallID: rec.CallID}}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return nil, ErrClosed
	}
	select {
	case c.queue <- p:
		return p, nil
	default:
	}
	if c.cfg.WhenFull == Drop {
		c.stats.dropped.Add(1)
		return nil, ErrBufferFull
	}
	select {
	case c.queue <- p:
		return p, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", ErrBufferFull, ctx.Err())
	}
}

// Report sends one record and waits for its result.
func (c *Client) Report(ctx context.Context, rec Record) (Result, error) {
	p, err := c.Send(ctx, rec)
	if err != nil {
		return Result{}, err
	}
	if err := c.Flush(ctx); err != nil {
		return Result{}, err
	}
	return p.Result(ctx)
}

// Flush sends every record buffered before the call and waits until each
// has its result, or until ctx ends (the records are still delivered
// afterwards).
func (c *Client) Flush(ctx context.Context) error {
	reply := make(chan struct{})
	select {
	case c.flushes <- reply:
	case <-c.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-reply:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting records, delivers every buffered one and returns
// when each has its result. When ctx ends first, retries stop and the
// records not yet delivered get Outcome Failed; Close then returns ctx's
// error once every result is out.
func (c *Client) Close(ctx context.Context) error {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.queue)
	}
	c.mu.Unlock()
	select {
	case <-c.done:
		c.abort()
		return nil
	case <-ctx.Done():
		c.abort()
		<-c.done
		return ctx.Err()
	}
}

// run is the sending goroutine: it fills a batch until it holds BatchSize
// records or its first record has waited FlushInterval, then delivers it.
func (c *Client) run() {
	defer close(c.done)
	var batch []*Pending
	timer := time.NewTimer(c.cfg.FlushInterval)
	timer.Stop()
	send := func() {
		timer.Stop()
		c.deliver(batch)
		batch = nil
	}
	for {
		select {
		case p, ok := <-c.queue:
			if !ok { // closed and drained
				send()
				return
			}
			if len(batch) == 0 {
				timer.Reset(c.cfg.FlushInterval)
			}
			if batch = append(batch, p); len(batch) == c.cfg.BatchSize {
				send()
			}
		case <-timer.C:
			send()
		case reply := <-c.flushes:
			for n := len(c.queue); n > 0; n-- {
				p, ok := <-c.queue
				if !ok {
					break
				}
				if batch = append(batch, p); len(batch) == c.cfg.BatchSize {
					send()
				}
			}
			send()
			close(reply)
		}
	}
}

// finish records a result and hands it out.
func (c *Client) finish(p *Pending, res Result) {
	res.CallID = p.rec.CallID
	p.res = res
	c.stats.count(res)
	close(p.done)
	if c.cfg.OnResult != nil {
		c.cfg.OnResult(res)
	}
}

// newCallID is a random call id for a record that has none.
func newCallID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	return "call-" + hex.EncodeToString(b[:])
}

// Stats counts records by outcome since New.
type Stats struct {
	Accepted, Duplicates, Conflicts, Rejected, Failed int64
	Dropped                                           int64 // refused by Send with a full buffer (WhenFull Drop)
	Retries                                           int64 // requests sent again
}

type stats struct {
	accepted, duplicates, conflicts, rejected, failed, dropped, retries atomic.Int64
}

func (s *stats) count(r Result) {
	switch r.Outcome {
	case Accepted:
		s.accepted.Add(1)
	case Duplicate:
		s.duplicates.Add(1)
	case Conflict:
		s.conflicts.Add(1)
	case Rejected:
		s.rejected.Add(1)
	default:
		s.failed.Add(1)
	}
}

// Stats returns the counts so far.
func (c *Client) Stats() Stats {
	s := &c.stats
	return Stats{
		Accepted: s.accepted.Load(), Duplicates: s.duplicates.Load(), Conflicts: s.conflicts.Load(),
		Rejected: s.rejected.Load(), Failed: s.failed.Load(), Dropped: s.dropped.Load(), Retries: s.retries.Load(),
	}
}
