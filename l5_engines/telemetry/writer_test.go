package telemetry

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"hoc/l5_engines/fault"
)

// groupLog is a writer's write function for its tests (the writer's own
// logic is under test here; the HTTP suite in cmd/hocd runs it on SQLite and
// Postgres). It records the call ids of every group, answers each record
// accepted with an id derived from its call id, and can be held at a gate
// or made to fail.
type groupLog struct {
	mu     sync.Mutex
	groups [][]string
	gate   chan struct{} // when set, the first group waits until release
	opened sync.Once
	fail   func(callIDs []string) error
}

func (g *groupLog) release() {
	g.opened.Do(func() {
		if g.gate != nil {
			close(g.gate)
		}
	})
}

func (g *groupLog) write(_ context.Context, reqs []IngestRequest) ([]IngestResult, error) {
	ids := make([]string, len(reqs))
	for i, r := range reqs {
		ids[i] = r.Items[0].CallID
	}
	g.mu.Lock()
	g.groups = append(g.groups, ids)
	first := len(g.groups) == 1
	g.mu.Unlock()
	if first && g.gate != nil {
		<-g.gate
	}
	if g.fail != nil {
		if err := g.fail(ids); err != nil {
			return nil, err
		}
	}
	out := make([]IngestResult, len(reqs))
	for i, id := range ids {
		out[i] = IngestResult{Accepted: 1, Results: []ItemResult{{CallID: id, Status: StatusAccepted, ID: id + "-id"}}}
	}
	return out, nil
}

func (g *groupLog) sizes() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []int
	for _, ids := range g.groups {
		out = append(out, len(ids))
	}
	return out
}

// countingObserver keeps what the writer reports.
type countingObserver struct {
	mu      sync.Mutex
	queued  int
	grouped []int
}

func (o *countingObserver) Queued(delta int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.queued += delta
}

func (o *countingObserver) Grouped(records int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.grouped = append(o.grouped, records)
}

// startWriter starts a writer of g inside the test's synctest bubble; it is
// closed (after the gate opens) when the test ends.
func startWriter(t *testing.T, g *groupLog, cfg WriterConfig) (*Writer, *countingObserver) {
	t.Helper()
	obs := &countingObserver{}
	w := newWriter(g.write, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), obs)
	w.Start()
	t.Cleanup(w.Close)
	t.Cleanup(g.release) // runs first
	return w, obs
}

func single(callID string) IngestRequest {
	return IngestRequest{Items: []Item{{CallID: callID, Record: &Record{CallID: callID}}}}
}

// answer is what one caller got back.
type answer struct {
	callID string
	res    IngestResult
	err    error
}

// writeEach writes each call id from a goroutine of its own and waits until
// every goroutine of the bubble is blocked: each caller is then queued (or
// held with the first group at the gate). The answers arrive on the channel.
func writeEach(ctx context.Context, w *Writer, callIDs ...string) <-chan answer {
	out := make(chan answer, len(callIDs))
	for _, id := range callIDs {
		go func() {
			res, err := w.Write(ctx, single(id))
			out <- answer{id, res, err}
		}()
	}
	synctest.Wait()
	return out
}

func collect(answers <-chan answer, n int) map[string]answer {
	got := make(map[string]answer, n)
	for range n {
		a := <-answers
		got[a.callID] = a
	}
	return got
}

func TestWriter_CallersWaitingTogetherShareOneWriteAndGetTheirOwnResults(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g := &groupLog{gate: make(chan struct{})}
		w, obs := startWriter(t, g, WriterConfig{MaxRecords: 100})
		first := writeEach(t.Context(), w, "first") // the worker holds it at the gate
		answers := writeEach(t.Context(), w, "a", "b", "c", "d", "e", "f", "g", "h")
		g.release()
		collect(first, 1)
		for id, a := range collect(answers, 8) {
			if a.err != nil || a.res.Results[0].ID != id+"-id" {
				t.Fatalf("%s got %+v, %v; want its own result", id, a.res, a.err)
			}
		}
		if got := g.sizes(); !slices.Equal(got, []int{1, 8}) {
			t.Fatalf("group sizes %v, want [1 8]: the eight that waited together are written together", got)
		}
		synctest.Wait()
		if obs.queued != 0 || !slices.Equal(obs.grouped, []int{1, 8}) {
			t.Fatalf("observed %d queued and groups %v", obs.queued, obs.grouped)
		}
	})
}

func TestWriter_GroupsAreCappedAtMaxRecords(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g := &groupLog{gate: make(chan struct{})}
		w, _ := startWriter(t, g, WriterConfig{MaxRecords: 3})
		first := writeEach(t.Context(), w, "first")
		answers := writeEach(t.Context(), w, "a", "b", "c", "d", "e", "f", "g")
		g.release()
		collect(first, 1)
		collect(answers, 7)
		if got := g.sizes(); !slices.Equal(got, []int{1, 3, 3, 1}) {
			t.Fatalf("group sizes %v, want [1 3 3 1]", got)
		}
	})
}

func TestWriter_ACallerAloneIsWrittenAtOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g := &groupLog{}
		w, _ := startWriter(t, g, WriterConfig{})
		start := time.Now()
		for _, id := range []string{"a", "b", "c"} {
			res, err := w.Write(t.Context(), single(id))
			if err != nil || res.Results[0].ID != id+"-id" {
				t.Fatalf("%s: %+v, %v", id, res, err)
			}
		}
		if waited := time.Since(start); waited != 0 {
			t.Fatalf("three callers alone waited %v for company", waited)
		}
	})
}

func TestWriter_ABatchIsOneWriteOfItsOwn(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g := &groupLog{}
		w, obs := startWriter(t, g, WriterConfig{})
		batch := IngestRequest{Items: []Item{{CallID: "x", Record: &Record{CallID: "x"}}, {CallID: "y", Record: &Record{CallID: "y"}}}}
		if _, err := w.Write(t.Context(), batch); err != nil {
			t.Fatal(err)
		}
		if got := g.sizes(); !slices.Equal(got, []int{1}) || len(obs.grouped) != 0 {
			t.Fatalf("groups %v, observed %v: a batch is written at once, not queued", got, obs.grouped)
		}
	})
}

func TestWriter_AnUnavailableDatabaseFailsEveryCallerOfTheGroup(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		down := fault.Unavailable(errors.New("connection refused"))
		g := &groupLog{gate: make(chan struct{}), fail: func(ids []string) error {
			if len(ids) > 1 {
				return down
			}
			return nil
		}}
		w, _ := startWriter(t, g, WriterConfig{})
		first := writeEach(t.Context(), w, "first")
		answers := writeEach(t.Context(), w, "a", "b", "c", "d")
		g.release()
		collect(first, 1)
		for id, a := range collect(answers, 4) {
			if !errors.Is(a.err, down) {
				t.Fatalf("%s got %+v, %v; want the group's error", id, a.res, a.err)
			}
		}
		if got := g.sizes(); !slices.Equal(got, []int{1, 4}) {
			t.Fatalf("group sizes %v, want [1 4]: an unavailable database is not retried record by record", got)
		}
	})
}

func TestWriter_OneRefusedRecordDoesNotFailItsNeighbours(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		refused := errors.New("check constraint violated")
		g := &groupLog{gate: make(chan struct{}), fail: func(ids []string) error {
			if slices.Contains(ids, "bad") {
				return refused
			}
			return nil
		}}
		w, _ := startWriter(t, g, WriterConfig{})
		first := writeEach(t.Context(), w, "first")
		answers := writeEach(t.Context(), w, "a", "bad", "c")
		g.release()
		collect(first, 1)
		for id, a := range collect(answers, 3) {
			switch {
			case id == "bad" && !errors.Is(a.err, refused):
				t.Fatalf("bad got %v, want its own error", a.err)
			case id != "bad" && (a.err != nil || a.res.Results[0].ID != id+"-id"):
				t.Fatalf("%s got %+v, %v; want accepted", id, a.res, a.err)
			}
		}
		if got := g.sizes(); !slices.Equal(got, []int{1, 3, 1, 1, 1}) {
			t.Fatalf("group sizes %v, want [1 3 1 1 1]: the failed group retried one record at a time", got)
		}
	})
}

func TestWriter_ACallerWhoseContextEndedIsLeftOut(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g := &groupLog{gate: make(chan struct{})}
		w, _ := startWriter(t, g, WriterConfig{})
		first := writeEach(t.Context(), w, "first")
		gone, cancel := context.WithCancel(t.Context())
		cancelled := writeEach(gone, w, "gone")
		cancel()
		if a := collect(cancelled, 1)["gone"]; !errors.Is(a.err, context.Canceled) {
			t.Fatalf("cancelled caller got %v", a.err)
		}
		waiting := writeEach(t.Context(), w, "stays")
		g.release()
		collect(first, 1)
		collect(waiting, 1)
		for _, ids := range g.groups {
			if slices.Contains(ids, "gone") {
				t.Fatalf("groups %v: the cancelled record was written", g.groups)
			}
		}
	})
}

func TestWriter_APanicFailsTheGroupAndTheWorkerGoesOn(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g := &groupLog{fail: func(ids []string) error {
			if ids[0] == "boom" {
				panic("boom")
			}
			return nil
		}}
		w, _ := startWriter(t, g, WriterConfig{})
		if _, err := w.Write(t.Context(), single("boom")); fault.KindOf(err) != fault.KindInternal {
			t.Fatalf("panicking group: %v, want INTERNAL", err)
		}
		if res, err := w.Write(t.Context(), single("after")); err != nil || res.Accepted != 1 {
			t.Fatalf("after a panic: %+v, %v", res, err)
		}
	})
}

func TestWriter_CloseWritesWhatIsQueuedThenRefuses(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g := &groupLog{gate: make(chan struct{})}
		w := newWriter(g.write, WriterConfig{}, slog.New(slog.NewTextHandler(io.Discard, nil)), &countingObserver{})
		w.Start()
		first := writeEach(t.Context(), w, "first")
		queued := writeEach(t.Context(), w, "a", "b")
		closed := make(chan struct{})
		go func() { w.Close(); close(closed) }()
		synctest.Wait()
		g.release()
		<-closed
		collect(first, 1)
		for id, a := range collect(queued, 2) {
			if a.err != nil {
				t.Fatalf("%s was queued before Close and got %v", id, a.err)
			}
		}
		if _, err := w.Write(t.Context(), single("late")); !errors.Is(err, errStopped) {
			t.Fatalf("after Close: %v, want %v", err, errStopped)
		}
	})
}
