package telemetry

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/telemetry"
)

// groupRecorder is a group's work (the committer's own logic is under test
// here; the HTTP suite in cmd/hocd runs it on SQLite and Postgres) that records the call ids of every group,
// answers each record accepted with an id derived from its call id, and can
// be held at a gate or made to fail.
type groupRecorder struct {
	mu     sync.Mutex
	groups [][]string
	gate   chan struct{} // when set, the first group waits until release
	opened sync.Once
	fail   func(callIDs []string) error
}

// release opens the gate; a test that failed early releases it in cleanup.
func (g *groupRecorder) release() {
	g.opened.Do(func() {
		if g.gate != nil {
			close(g.gate)
		}
	})
}

func (g *groupRecorder) work(_ context.Context, reqs []engine.IngestRequest) ([]engine.IngestResult, error) {
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
	out := make([]engine.IngestResult, len(reqs))
	for i, id := range ids {
		out[i] = engine.IngestResult{Accepted: 1, Results: []engine.ItemResult{{CallID: id, Status: engine.StatusAccepted, ID: id + "-id"}}}
	}
	return out, nil
}

func (g *groupRecorder) sizes() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []int
	for _, ids := range g.groups {
		out = append(out, len(ids))
	}
	return out
}

func newTestCommitter(t *testing.T, g *groupRecorder, opts GroupOptions) *committer {
	t.Helper()
	m, err := newIngestMetrics(prometheus.NewRegistry(), MetricLabels{})
	if err != nil {
		t.Fatal(err)
	}
	c := newCommitter(g.work, opts, slog.New(slog.NewTextHandler(io.Discard, nil)), m)
	c.start()
	t.Cleanup(c.stop)
	t.Cleanup(g.release) // runs first
	return c
}

func single(callID string) engine.IngestRequest {
	return engine.IngestRequest{Items: []engine.Item{{CallID: callID, Record: &engine.Record{CallID: callID}}}}
}

// answer is what one caller got back.
type answer struct {
	callID string
	res    engine.IngestResult
	err    error
}

// submitAll submits each call id from its own goroutine and returns the
// channel their answers arrive on.
func submitAll(ctx context.Context, c *committer, callIDs ...string) <-chan answer {
	out := make(chan answer, len(callIDs))
	for _, id := range callIDs {
		go func() {
			res, err := c.submit(ctx, single(id))
			out <- answer{id, res, err}
		}()
	}
	return out
}

// waitQueued waits until n submissions wait in the queue.
func waitQueued(t *testing.T, c *committer, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(c.queue) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d submissions queued, want %d", len(c.queue), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func collect(t *testing.T, answers <-chan answer, n int) map[string]answer {
	t.Helper()
	got := make(map[string]answer, n)
	for range n {
		select {
		case a := <-answers:
			got[a.callID] = a
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of %d callers were answered", len(got), n)
		}
	}
	return got
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestCommitter_CallersWaitingTogetherShareOneTransactionAndGetTheirOwnResults(t *testing.T) {
	t.Parallel()
	g := &groupRecorder{gate: make(chan struct{})}
	c := newTestCommitter(t, g, GroupOptions{Workers: 1, MaxRecords: 100})
	ctx := testCtx(t)
	first := submitAll(ctx, c, "first")
	waitGroups(t, g, 1) // the worker holds "first" at the gate
	answers := submitAll(ctx, c, "a", "b", "c", "d", "e", "f", "g", "h")
	waitQueued(t, c, 8)
	g.release()
	collect(t, first, 1)
	for id, a := range collect(t, answers, 8) {
		if a.err != nil || a.res.Results[0].ID != id+"-id" {
			t.Fatalf("%s got %+v, %v; want its own result", id, a.res, a.err)
		}
	}
	if got := g.sizes(); !slices.Equal(got, []int{1, 8}) {
		t.Fatalf("group sizes %v, want [1 8]: the eight that waited together commit together", got)
	}
}

// waitGroups waits until the work has been called n times.
func waitGroups(t *testing.T, g *groupRecorder, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(g.sizes()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d groups, want %d", len(g.sizes()), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCommitter_GroupsAreCappedAtMaxRecords(t *testing.T) {
	t.Parallel()
	g := &groupRecorder{gate: make(chan struct{})}
	c := newTestCommitter(t, g, GroupOptions{Workers: 1, MaxRecords: 3})
	ctx := testCtx(t)
	first := submitAll(ctx, c, "first")
	waitGroups(t, g, 1)
	answers := submitAll(ctx, c, "a", "b", "c", "d", "e", "f", "g")
	waitQueued(t, c, 7)
	g.release()
	collect(t, first, 1)
	collect(t, answers, 7)
	if got := g.sizes(); !slices.Equal(got, []int{1, 3, 3, 1}) {
		t.Fatalf("group sizes %v, want [1 3 3 1]", got)
	}
}

func TestCommitter_ACallerAloneIsCommittedWithoutWaiting(t *testing.T) {
	t.Parallel()
	g := &groupRecorder{}
	c := newTestCommitter(t, g, GroupOptions{Workers: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, id := range []string{"a", "b", "c"} {
		res, err := c.submit(ctx, single(id))
		if err != nil || res.Results[0].ID != id+"-id" {
			t.Fatalf("%s: %+v, %v", id, res, err)
		}
	}
}

func TestCommitter_AnUnavailableDatabaseFailsEveryCallerOfTheGroup(t *testing.T) {
	t.Parallel()
	down := spine.Unavailable(errors.New("connection refused"))
	g := &groupRecorder{gate: make(chan struct{}), fail: func(ids []string) error {
		if len(ids) > 1 {
			return down
		}
		return nil
	}}
	c := newTestCommitter(t, g, GroupOptions{Workers: 1})
	ctx := testCtx(t)
	first := submitAll(ctx, c, "first")
	waitGroups(t, g, 1)
	answers := submitAll(ctx, c, "a", "b", "c", "d")
	waitQueued(t, c, 4)
	g.release()
	collect(t, first, 1)
	for id, a := range collect(t, answers, 4) {
		if !errors.Is(a.err, down) {
			t.Fatalf("%s got %+v, %v; want the group's error", id, a.res, a.err)
		}
	}
	if got := g.sizes(); !slices.Equal(got, []int{1, 4}) {
		t.Fatalf("group sizes %v, want [1 4]: an unavailable database is not retried record by record", got)
	}
}

func TestCommitter_OneRefusedRecordDoesNotFailItsNeighbours(t *testing.T) {
	t.Parallel()
	refused := errors.New("check constraint violated")
	g := &groupRecorder{gate: make(chan struct{}), fail: func(ids []string) error {
		if slices.Contains(ids, "bad") {
			return refused
		}
		return nil
	}}
	c := newTestCommitter(t, g, GroupOptions{Workers: 1})
	ctx := testCtx(t)
	first := submitAll(ctx, c, "first")
	waitGroups(t, g, 1)
	answers := submitAll(ctx, c, "a", "bad", "c")
	waitQueued(t, c, 3)
	g.release()
	collect(t, first, 1)
	for id, a := range collect(t, answers, 3) {
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
}

func TestCommitter_ACallerWhoseContextEndedIsLeftOut(t *testing.T) {
	t.Parallel()
	g := &groupRecorder{gate: make(chan struct{})}
	c := newTestCommitter(t, g, GroupOptions{Workers: 1})
	ctx := testCtx(t)
	first := submitAll(ctx, c, "first")
	waitGroups(t, g, 1)
	gone, cancel := context.WithCancel(ctx)
	cancelled := submitAll(gone, c, "gone")
	waitQueued(t, c, 1)
	cancel()
	if a := collect(t, cancelled, 1)["gone"]; !errors.Is(a.err, context.Canceled) {
		t.Fatalf("cancelled caller got %v", a.err)
	}
	waiting := submitAll(ctx, c, "stays")
	waitQueued(t, c, 2)
	g.release()
	collect(t, first, 1)
	collect(t, waiting, 1)
	for _, ids := range g.groups {
		if slices.Contains(ids, "gone") {
			t.Fatalf("groups %v: the cancelled record was written", g.groups)
		}
	}
}

func TestCommitter_APanicFailsTheGroupAndTheWorkerGoesOn(t *testing.T) {
	t.Parallel()
	g := &groupRecorder{fail: func(ids []string) error {
		if ids[0] == "boom" {
			panic("boom")
		}
		return nil
	}}
	c := newTestCommitter(t, g, GroupOptions{Workers: 1})
	ctx := testCtx(t)
	if _, err := c.submit(ctx, single("boom")); !isInternal(err) {
		t.Fatalf("panicking group: %v, want INTERNAL", err)
	}
	if res, err := c.submit(ctx, single("after")); err != nil || res.Accepted != 1 {
		t.Fatalf("after a panic: %+v, %v", res, err)
	}
}

func isInternal(err error) bool {
	fe, ok := spine.AsError(err)
	return ok && fe.Kind == spine.KindInternal
}

func TestCommitter_StopCommitsWhatIsQueuedThenRefuses(t *testing.T) {
	t.Parallel()
	g := &groupRecorder{gate: make(chan struct{})}
	m, _ := newIngestMetrics(prometheus.NewRegistry(), MetricLabels{})
	c := newCommitter(g.work, GroupOptions{Workers: 1}, slog.New(slog.NewTextHandler(io.Discard, nil)), m)
	c.start()
	t.Cleanup(g.release)
	ctx := testCtx(t)
	first := submitAll(ctx, c, "first")
	waitGroups(t, g, 1)
	queued := submitAll(ctx, c, "a", "b")
	waitQueued(t, c, 2)
	stopped := make(chan struct{})
	go func() { c.stop(); close(stopped) }()
	g.release()
	<-stopped
	collect(t, first, 1)
	for id, a := range collect(t, queued, 2) {
		if a.err != nil {
			t.Fatalf("%s was queued before stop and got %v", id, a.err)
		}
	}
	if _, err := c.submit(ctx, single("late")); !errors.Is(err, errStopped) {
		t.Fatalf("after stop: %v, want %v", err, errStopped)
	}
}
