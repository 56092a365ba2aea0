package protection_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/uuid"

	"hoc/l5_engines/protection"
	store "hoc/l6_drivers/protection"
)

// fakeEvents is an in-memory EventStore. fail, when set, decides whether
// the n-th InsertEvents call (from 1) fails; gate, when set, holds every
// InsertEvents call until it is closed.
type fakeEvents struct {
	mu      sync.Mutex
	rows    []store.EventRow
	batches []int
	calls   int
	fail    func(call int) error
	gate    chan struct{}

	query     store.EventQuery
	listRows  []store.EventRow
	listTotal int64
	listCalls int
}

func (f *fakeEvents) InsertEvents(ctx context.Context, rows []store.EventRow) error {
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fail != nil {
		if err := f.fail(f.calls); err != nil {
			return err
		}
	}
	f.rows = append(f.rows, rows...)
	f.batches = append(f.batches, len(rows))
	return nil
}

func (f *fakeEvents) ListEvents(_ context.Context, q store.EventQuery) ([]store.EventRow, int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.query, f.listCalls = q, f.listCalls+1
	return f.listRows, f.listTotal, nil
}

func (f *fakeEvents) stored() []store.EventRow {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]store.EventRow(nil), f.rows...)
}

func (f *fakeEvents) batchSizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.batches...)
}

var (
	tenantA = "0193f4a2-0000-7000-8000-00000000000a"
	tenantB = "0193f4a2-0000-7000-8000-00000000000b"
	clock   = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
)

// rejection returns a valid rate rejection for tenant.
func rejection(tenant string) protection.Event {
	return protection.Event{
		TenantID: tenant, ActorType: "machine", ActorID: "key-1", Endpoint: "/api/v1/integrations/:id",
		Method: "GET", Decision: "reject", Dimension: "rate", Details: map[string]any{"retry_after_ms": 1500},
	}
}

func newRecorder(t *testing.T, cfg protection.RecorderConfig, s protection.EventStore, log *slog.Logger) *protection.Recorder {
	t.Helper()
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r, err := protection.NewRecorderWithConfig(cfg, s, log, func() time.Time { return clock })
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func closeRecorder(t *testing.T, r *protection.Recorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// A clean shutdown loses nothing: thousands of events recorded from many
// goroutines are all stored, each once, by the time Close returns.
func TestRecorder_CloseStoresEveryEventRecordedBefore(t *testing.T) {
	t.Parallel()
	s := &fakeEvents{}
	r := newRecorder(t, protection.RecorderConfig{}, s, nil)
	r.Start()
	const writers, perWriter = 8, 1000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				e := rejection(tenantA)
				e.ActorID = fmt.Sprintf("w%d-%d", w, i)
				r.Record(e)
			}
		})
	}
	wg.Wait()
	closeRecorder(t, r)
	rows := s.stored()
	seen := make(map[string]bool, len(rows))
	for _, row := range rows {
		if seen[row.ActorID] {
			t.Fatalf("event %s stored twice", row.ActorID)
		}
		seen[row.ActorID] = true
	}
	if len(seen) != writers*perWriter || r.Dropped() != 0 {
		t.Fatalf("stored %d of %d events, dropped %d", len(seen), writers*perWriter, r.Dropped())
	}
	for _, n := range s.batchSizes() {
		if n > 500 {
			t.Fatalf("a batch of %d events exceeds the batch size", n)
		}
	}
}

// A full batch is written at once; the events after it wait for the
// interval. Inside the synctest bubble no time passes until every goroutine
// waits, so "at once" and "waits" are exact, not a race against a sleep.
func TestRecorder_WritesAFullBatchWithoutWaitingForTheInterval(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &fakeEvents{}
		r := newRecorder(t, protection.RecorderConfig{BatchSize: 10, FlushInterval: time.Hour}, s, nil)
		r.Start()
		defer closeRecorder(t, r)
		for range 25 {
			r.Record(rejection(tenantA))
		}
		synctest.Wait()
		if got := s.batchSizes(); !slices.Equal(got, []int{10, 10}) {
			t.Fatalf("batches %v, want [10 10] while the last 5 wait for the interval", got)
		}
		time.Sleep(time.Hour) // advances the bubble's fake clock to the end of the interval
		synctest.Wait()
		if got := s.batchSizes(); !slices.Equal(got, []int{10, 10, 5}) {
			t.Fatalf("batches %v, want [10 10 5] once the interval ended", got)
		}
	})
}

// A partial batch waits for exactly one interval after its first event.
func TestRecorder_WritesAPartialBatchAfterTheInterval(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const interval = 20 * time.Millisecond
		s := &fakeEvents{}
		r := newRecorder(t, protection.RecorderConfig{FlushInterval: interval}, s, nil)
		r.Start()
		defer closeRecorder(t, r)
		for range 3 {
			r.Record(rejection(tenantA))
		}
		time.Sleep(interval - time.Nanosecond) // advances the bubble's fake clock to just before the interval ends
		synctest.Wait()
		if n := len(s.stored()); n != 0 {
			t.Fatalf("stored %d events before the interval ended; a partial batch must wait for it", n)
		}
		time.Sleep(time.Nanosecond) // advances the bubble's fake clock to the end of the interval
		synctest.Wait()
		if got := s.batchSizes(); !slices.Equal(got, []int{3}) {
			t.Fatalf("batches %v, want the 3 events in one batch when the interval ended", got)
		}
	})
}

func TestRecorder_FlushWaitsForEverythingRecordedBefore(t *testing.T) {
	t.Parallel()
	s := &fakeEvents{}
	r := newRecorder(t, protection.RecorderConfig{FlushInterval: time.Hour}, s, nil)
	r.Start()
	defer closeRecorder(t, r)
	for range 1234 {
		r.Record(rejection(tenantA))
	}
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(s.stored()); n != 1234 {
		t.Fatalf("stored %d of 1234 after Flush", n)
	}
}

// With the buffer full, Record writes its event itself instead of dropping
// it; the queued events are written by Close.
func TestRecorder_FullBufferFallsBackToASynchronousWrite(t *testing.T) {
	t.Parallel()
	s := &fakeEvents{}
	r := newRecorder(t, protection.RecorderConfig{Buffer: 2}, s, nil) // not started: nothing drains the buffer
	for i := range 3 {
		e := rejection(tenantA)
		e.ActorID = fmt.Sprint(i)
		r.Record(e)
	}
	if rows := s.stored(); len(rows) != 1 || rows[0].ActorID != "2" {
		t.Fatalf("stored %v, want the third event written synchronously", rows)
	}
	closeRecorder(t, r)
	if n := len(s.stored()); n != 3 {
		t.Fatalf("stored %d of 3 after Close", n)
	}
}

func TestRecorder_RecordAfterCloseWritesSynchronously(t *testing.T) {
	t.Parallel()
	s := &fakeEvents{}
	r := newRecorder(t, protection.RecorderConfig{}, s, nil)
	r.Start()
	closeRecorder(t, r)
	r.Record(rejection(tenantA))
	if n := len(s.stored()); n != 1 {
		t.Fatalf("stored %d, want 1", n)
	}
	closeRecorder(t, r) // closing twice is harmless
}

func TestRecorder_RetriesAFailedWriteOnce(t *testing.T) {
	t.Parallel()
	s := &fakeEvents{fail: func(call int) error {
		if call == 1 {
			return errors.New("connection reset")
		}
		return nil
	}}
	var logs bytes.Buffer
	r := newRecorder(t, protection.RecorderConfig{RetryDelay: time.Millisecond}, s, slog.New(slog.NewJSONHandler(&logs, nil)))
	r.Start()
	r.Record(rejection(tenantA))
	closeRecorder(t, r)
	if n := len(s.stored()); n != 1 || r.Dropped() != 0 {
		t.Fatalf("stored %d, dropped %d; want the retry to store it", n, r.Dropped())
	}
	if !strings.Contains(logs.String(), "retrying once") {
		t.Fatalf("the failed write was not logged:\n%s", logs.String())
	}
}

func TestRecorder_DropsABatchWhoseRetryFails(t *testing.T) {
	t.Parallel()
	s := &fakeEvents{fail: func(int) error { return errors.New("database down") }}
	var logs bytes.Buffer
	r := newRecorder(t, protection.RecorderConfig{RetryDelay: time.Millisecond}, s, slog.New(slog.NewJSONHandler(&logs, nil)))
	r.Start()
	for range 3 {
		r.Record(rejection(tenantA))
	}
	closeRecorder(t, r)
	s.mu.Lock()
	calls := s.calls
	s.mu.Unlock()
	if calls != 2 || r.Dropped() != 3 {
		t.Fatalf("%d write attempts, %d dropped; want 2 attempts and 3 dropped", calls, r.Dropped())
	}
	if !strings.Contains(logs.String(), `"level":"ERROR","msg":"protection events dropped after a failed retry"`) {
		t.Fatalf("no error log for the dropped batch:\n%s", logs.String())
	}
}

func TestRecorder_CloseGivesUpWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &fakeEvents{gate: make(chan struct{})}
		r := newRecorder(t, protection.RecorderConfig{}, s, nil)
		r.Start()
		r.Record(rejection(tenantA))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if err := r.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Close with a stuck store returned %v", err)
		}
		close(s.gate)
		closeRecorder(t, r)
		if n := len(s.stored()); n != 1 {
			t.Fatalf("stored %d, want the writer to finish in the background", n)
		}
	})
}

// Record logs every event as one structured line with every field.
func TestRecorder_LogsEachEventAsOneStructuredLine(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	r := newRecorder(t, protection.RecorderConfig{}, &fakeEvents{}, slog.New(slog.NewJSONHandler(&logs, nil)))
	e := rejection(tenantA)
	e.Details = map[string]any{"retry_after_ms": 1500, "limit": 1000}
	r.Record(e)
	var line map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(logs.Bytes()), &line); err != nil {
		t.Fatalf("not one JSON line: %v\n%s", err, logs.String())
	}
	want := map[string]any{
		"level": "WARN", "msg": "abuse_protection_triggered", "event": "abuse_protection_triggered",
		"occurred_at": "2026-11-25T12:00:00Z", "tenant_id": tenantA, "actor_type": "machine", "actor_id": "key-1",
		"endpoint": "/api/v1/integrations/:id", "method": "GET", "operation": "read", "decision": "reject", "dimension": "rate",
	}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v", k, line[k], v)
		}
	}
	if id, _ := line["id"].(string); uuid.Validate(id) != nil {
		t.Errorf("id = %v", line["id"])
	}
	if d, _ := line["details"].(map[string]any); d["retry_after_ms"] != 1500.0 || d["limit"] != 1000.0 {
		t.Errorf("details = %v", line["details"])
	}
}

func TestRecorder_CompletesEvents(t *testing.T) {
	t.Parallel()
	s := &fakeEvents{}
	r := newRecorder(t, protection.RecorderConfig{}, s, nil)
	e := rejection(strings.ToUpper(tenantA))
	e.Method, e.Details = "POST", nil
	e.Endpoint = "/" + strings.Repeat("é", 300)
	r.Record(e)
	closeRecorder(t, r)
	rows := s.stored()
	if len(rows) != 1 {
		t.Fatalf("stored %d", len(rows))
	}
	got := rows[0]
	if u, err := uuid.Parse(got.ID); err != nil || u.Version() != 7 {
		t.Errorf("id %q is not a UUID v7", got.ID)
	}
	switch {
	case !got.OccurredAt.Equal(clock):
		t.Errorf("occurred_at = %v, want the recorder's clock", got.OccurredAt)
	case got.TenantID != tenantA:
		t.Errorf("tenant_id = %q, want the canonical form", got.TenantID)
	case got.Operation != "write":
		t.Errorf("operation = %q for POST", got.Operation)
	case string(got.Details) != "{}":
		t.Errorf("details = %s", got.Details)
	case len([]rune(got.Endpoint)) != 200 || !strings.HasPrefix(got.Endpoint, "/é"):
		t.Errorf("endpoint cut to %d characters", len([]rune(got.Endpoint)))
	}
}

// Postgres refuses invalid UTF-8 and NUL in text; one such value must not
// fail its whole batch.
func TestRecorder_MakesTextStorable(t *testing.T) {
	t.Parallel()
	s := &fakeEvents{}
	r := newRecorder(t, protection.RecorderConfig{}, s, nil)
	e := rejection(tenantA)
	e.ActorID = "key\x00-\xff"
	r.Record(e)
	closeRecorder(t, r)
	if rows := s.stored(); len(rows) != 1 || rows[0].ActorID != "key-\uFFFD" {
		t.Fatalf("stored %q", rows[0].ActorID)
	}
}

// An event the table would refuse is refused by Record, so that it cannot
// make the rest of its batch fail.
func TestRecorder_RefusesEventsThatCannotBeStored(t *testing.T) {
	t.Parallel()
	for name, change := range map[string]func(*protection.Event){
		"tenant id not a UUID": func(e *protection.Event) { e.TenantID = "acme" },
		"unknown decision":     func(e *protection.Event) { e.Decision = "allow" },
		"unknown dimension":    func(e *protection.Event) { e.Dimension = "mood" },
		"unknown operation":    func(e *protection.Event) { e.Operation = "delete" },
		"no endpoint":          func(e *protection.Event) { e.Endpoint = "" },
		"malformed id":         func(e *protection.Event) { e.ID = "event-1" },
	} {
		t.Run(name, func(t *testing.T) {
			s := &fakeEvents{}
			var logs bytes.Buffer
			r := newRecorder(t, protection.RecorderConfig{}, s, slog.New(slog.NewJSONHandler(&logs, nil)))
			e := rejection(tenantA)
			change(&e)
			r.Record(e)
			r.Record(rejection(tenantB))
			closeRecorder(t, r)
			if rows := s.stored(); len(rows) != 1 || rows[0].TenantID != tenantB || r.Dropped() != 1 {
				t.Fatalf("stored %v, dropped %d; want only the valid event", rows, r.Dropped())
			}
			if !strings.Contains(logs.String(), "protection event refused") {
				t.Fatalf("refusal not logged:\n%s", logs.String())
			}
		})
	}
}

func TestNewRecorder_RefusesNilDependencies(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := protection.NewRecorder(nil, log, time.Now); err == nil {
		t.Error("nil store accepted")
	}
	if _, err := protection.NewRecorder(&fakeEvents{}, nil, time.Now); err == nil {
		t.Error("nil logger accepted")
	}
	if _, err := protection.NewRecorder(&fakeEvents{}, log, nil); err == nil {
		t.Error("nil clock accepted")
	}
}
