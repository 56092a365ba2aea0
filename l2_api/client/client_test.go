package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeHoc speaks the batch endpoint's protocol from memory: it stores each
// call id once and answers accepted, duplicate or conflict as hoc does. A
// test's fail hook may answer a request instead (a 503, a 401, a stall).
// The end-to-end test against the real server is cmd/hocd/client_test.go.
type fakeHoc struct {
	*httptest.Server
	mu       sync.Mutex
	stored   map[string]string // call id → content
	requests [][]string        // the call ids of each request, in order
	fail     func(n int, ids []string) (status int, retryAfter string, handled bool)
}

func newFakeHoc(t *testing.T) *fakeHoc {
	f := newMemoryHoc()
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// newMemoryHoc is a fakeHoc without a listener: a client reaches it through
// RoundTrip, so that it can run inside a testing/synctest bubble, whose
// clock only moves while every goroutine in it waits on something the
// bubble controls (a socket is not such a thing).
func newMemoryHoc() *fakeHoc { return &fakeHoc{stored: map[string]string{}} }

// RoundTrip answers a request in memory, as serve would over HTTP.
func (f *fakeHoc) RoundTrip(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	f.serve(w, r)
	return w.Result(), nil
}

func (f *fakeHoc) serve(w http.ResponseWriter, r *http.Request) {
	var body struct{ Records []json.RawMessage }
	if r.URL.Path != batchPath || r.Header.Get("X-CUS-Integration-Key") != "key" || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ids := make([]string, len(body.Records))
	for i, raw := range body.Records {
		var rec struct {
			CallID string `json:"call_id"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			http.Error(w, "a record is not a JSON object: "+err.Error(), http.StatusBadRequest)
			return
		}
		ids[i] = rec.CallID
	}
	f.mu.Lock()
	f.requests = append(f.requests, ids)
	n, fail := len(f.requests), f.fail
	f.mu.Unlock()
	if fail != nil {
		if status, ra, handled := fail(n, ids); handled {
			if ra != "" {
				w.Header().Set("Retry-After", ra)
			}
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"success":false,"data":null,"error":{"code":"E%d","message":"refused"}}`, status)
			return
		}
	}
	type item struct {
		Index  int            `json:"index"`
		CallID string         `json:"call_id"`
		Status string         `json:"status"`
		ID     string         `json:"id,omitempty"`
		Error  map[string]any `json:"error,omitempty"`
	}
	items := make([]item, len(ids))
	f.mu.Lock()
	for i, id := range ids {
		items[i] = item{Index: i, CallID: id, ID: "id-" + id}
		switch prev, ok := f.stored[id]; {
		case strings.HasPrefix(id, "bad"):
			items[i] = item{Index: i, CallID: id, Status: "rejected", Error: map[string]any{
				"code": "VALIDATION_FAILED", "message": "invalid", "fields": []map[string]string{{"field": "tokens_in", "message": "must be >= 0"}}}}
		case !ok:
			f.stored[id] = string(body.Records[i])
			items[i].Status = "accepted"
		case prev == string(body.Records[i]):
			items[i].Status = "duplicate"
		default:
			items[i] = item{Index: i, CallID: id, Status: "conflict", Error: map[string]any{"code": "IDEMPOTENCY_CONFLICT", "message": "differs"}}
		}
	}
	f.mu.Unlock()
	answer, err := json.Marshal(map[string]any{"success": true, "data": map[string]any{"results": items}})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusMultiStatus)
	w.Write(answer)
}

func (f *fakeHoc) sizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]int, len(f.requests))
	for i, r := range f.requests {
		out[i] = len(r)
	}
	return out
}

func newTestClient(t *testing.T, f *fakeHoc, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{IntegrationKey: "key", FlushInterval: time.Hour, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
	if f.Server != nil {
		cfg.BaseURL = f.URL
	} else {
		cfg.BaseURL, cfg.HTTPClient = "http://hoc.test", &http.Client{Transport: f}
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(context.Background()); err != nil {
			t.Errorf("close the client: %v", err)
		}
	})
	return c
}

func record(id string) Record {
	return Record{CallID: id, Provider: "openai", Model: "gpt-4o", TokensIn: 10}
}

func send(t *testing.T, c *Client, ids ...string) []*Pending {
	t.Helper()
	out := make([]*Pending, len(ids))
	for i, id := range ids {
		p, err := c.Send(context.Background(), record(id))
		if err != nil {
			t.Fatalf("Send %s: %v", id, err)
		}
		out[i] = p
	}
	return out
}

func results(t *testing.T, ps []*Pending) []Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := make([]Result, len(ps))
	for i, p := range ps {
		r, err := p.Result(ctx)
		if err != nil {
			t.Fatalf("record %d has no result: %v", i, err)
		}
		out[i] = r
	}
	return out
}

// A batch goes as soon as it holds BatchSize records, without waiting for
// the interval; the rest waits for the interval, or for Close.
func TestClient_BatchesBySize(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newMemoryHoc()
		c := newTestClient(t, f, func(c *Config) { c.BatchSize = 3 })
		ps := send(t, c, "a", "b", "c", "d", "e", "f", "g")
		synctest.Wait()
		if got := fmt.Sprint(f.sizes()); got != "[3 3]" {
			t.Fatalf("requests of %s records before the interval, want [3 3]", got)
		}
		if err := c.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, r := range results(t, ps) {
			if r.Outcome != Accepted || r.ID != "id-"+r.CallID || r.Attempts != 1 {
				t.Errorf("%+v", r)
			}
		}
		if got := fmt.Sprint(f.sizes()); got != "[3 3 1]" {
			t.Fatalf("requests of %s records, want [3 3 1]", got)
		}
	})
}

// Without Flush or Close, a partial batch goes when its first record has
// waited FlushInterval, and not before.
func TestClient_SendsAPartialBatchAfterTheInterval(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const interval = 20 * time.Millisecond
		f := newMemoryHoc()
		c := newTestClient(t, f, func(c *Config) { c.FlushInterval = interval })
		ps := send(t, c, "a", "b")
		time.Sleep(interval - time.Nanosecond) // advances the bubble's fake clock to just before the interval ends
		synctest.Wait()
		if got := f.sizes(); len(got) != 0 {
			t.Fatalf("requests of %v records before the interval ended; a partial batch must wait for it", got)
		}
		time.Sleep(time.Nanosecond) // advances the bubble's fake clock to the end of the interval
		synctest.Wait()
		if got := fmt.Sprint(f.sizes()); got != "[2]" {
			t.Fatalf("requests of %s records when the interval ended, want [2]", got)
		}
		for _, r := range results(t, ps) {
			if r.Outcome != Accepted {
				t.Errorf("%+v", r)
			}
		}
	})
}

func TestClient_FlushDeliversEverythingSentBefore(t *testing.T) {
	t.Parallel()
	f := newFakeHoc(t)
	c := newTestClient(t, f, nil)
	ps := send(t, c, "a", "b", "c")
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, p := range ps {
		select {
		case <-p.Done():
		default:
			t.Fatalf("record %d has no result after Flush", i)
		}
	}
	r, err := c.Report(context.Background(), record("d"))
	if err != nil || r.Outcome != Accepted {
		t.Fatalf("Report: %+v %v", r, err)
	}
}

func TestClient_RetriesWithTheSameCallIDsUntilTheServerAnswers(t *testing.T) {
	t.Parallel()
	f := newFakeHoc(t)
	f.fail = func(n int, _ []string) (int, string, bool) {
		return []int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusInternalServerError}[min(n, 3)-1], "0", n <= 3
	}
	c := newTestClient(t, f, nil)
	rec := record("")
	p, err := c.Send(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := results(t, []*Pending{p})[0]
	if r.Outcome != Accepted || r.Attempts != 4 || !strings.HasPrefix(r.CallID, "call-") || c.Stats().Retries != 3 {
		t.Fatalf("result %+v, stats %+v", r, c.Stats())
	}
	for i, ids := range f.requests {
		if len(ids) != 1 || ids[0] != r.CallID {
			t.Fatalf("attempt %d carried %v, want the one generated call id %s every time", i+1, ids, r.CallID)
		}
	}
}

func TestClient_WaitsAtLeastRetryAfter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newMemoryHoc()
		var first, second time.Time
		f.fail = func(n int, _ []string) (int, string, bool) {
			if n == 1 {
				first = time.Now()
				return http.StatusTooManyRequests, "1", true
			}
			second = time.Now()
			return 0, "", false
		}
		c := newTestClient(t, f, nil)
		if r, err := c.Report(context.Background(), record("a")); err != nil || r.Outcome != Accepted {
			t.Fatalf("%+v %v", r, err)
		}
		if gap := second.Sub(first); gap < time.Second {
			t.Fatalf("retried after %v, before the server's Retry-After of 1 s", gap)
		}
	})
}

func TestClient_ARefusedRequestFailsItsRecordsAtOnce(t *testing.T) {
	t.Parallel()
	f := newFakeHoc(t)
	f.fail = func(int, []string) (int, string, bool) { return http.StatusUnauthorized, "", true }
	c := newTestClient(t, f, nil)
	ps := send(t, c, "a", "b")
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, r := range results(t, ps) {
		if r.Outcome != Failed || r.Code != "E401" || r.Attempts != 1 || r.Err == nil || r.Stored() {
			t.Errorf("%+v", r)
		}
	}
	if s := c.Stats(); s.Failed != 2 || s.Retries != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestClient_SplitsABatchTheServerFindsTooLarge(t *testing.T) {
	t.Parallel()
	f := newFakeHoc(t)
	f.fail = func(_ int, ids []string) (int, string, bool) {
		return http.StatusRequestEntityTooLarge, "", len(ids) > 2
	}
	c := newTestClient(t, f, nil)
	ps := send(t, c, "a", "b", "c", "d", "e")
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, r := range results(t, ps) {
		if r.Outcome != Accepted {
			t.Errorf("%+v", r)
		}
	}
}

func TestClient_ReportsEveryRecordsOwnOutcome(t *testing.T) {
	t.Parallel()
	f := newFakeHoc(t)
	f.stored["dup"] = `{"call_id":"dup","provider":"openai","model":"gpt-4o","tokens_in":10,"tokens_out":0,"cost_cents":0}`
	f.stored["clash"] = `{"other": true}`
	var seen []Result
	var mu sync.Mutex
	c := newTestClient(t, f, func(c *Config) {
		c.OnResult = func(r Result) { mu.Lock(); seen = append(seen, r); mu.Unlock() }
	})
	ps := send(t, c, "new", "dup", "clash", "bad")
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := results(t, ps)
	want := []Outcome{Accepted, Duplicate, Conflict, Rejected}
	for i, r := range got {
		if r.Outcome != want[i] {
			t.Errorf("%s: %s, want %s", r.CallID, r.Outcome, want[i])
		}
	}
	if got[2].Code != "IDEMPOTENCY_CONFLICT" || got[3].Code != "VALIDATION_FAILED" || len(got[3].Fields) != 1 ||
		got[3].Fields[0].Field != "tokens_in" || !got[1].Stored() || got[3].Stored() {
		t.Errorf("errors not carried: %+v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if s := c.Stats(); len(seen) != 4 || s.Accepted != 1 || s.Duplicates != 1 || s.Conflicts != 1 || s.Rejected != 1 {
		t.Fatalf("OnResult saw %d, stats %+v", len(seen), s)
	}
}

// stallingHoc holds every request until release is called, so that the
// buffer fills behind the one batch in flight. Call it inside a synctest
// bubble: the sender then waits on a channel of the bubble.
func stallingHoc() (f *fakeHoc, release func()) {
	f = newMemoryHoc()
	released := make(chan struct{})
	f.fail = func(int, []string) (int, string, bool) { <-released; return 0, "", false }
	return f, sync.OnceFunc(func() { close(released) })
}

func TestClient_AFullBufferDropsWithACountOrBlocksUntilTheContextEnds(t *testing.T) {
	t.Parallel()
	for _, policy := range []WhenFull{Drop, Block} {
		synctest.Test(t, func(t *testing.T) {
			f, release := stallingHoc()
			defer release() // a failing test must not leave the sender stalled
			c := newTestClient(t, f, func(c *Config) { c.BufferSize, c.BatchSize, c.WhenFull = 2, 1, policy })
			ps := send(t, c, "a") // taken by the sender, which stalls on it
			synctest.Wait()
			if got := f.sizes(); len(got) != 1 {
				t.Fatalf("policy %d: requests %v, want the first record's in flight", policy, got)
			}
			ps = append(ps, send(t, c, "b", "c")...) // fill the buffer
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			_, err := c.Send(ctx, record("d"))
			cancel()
			if !errors.Is(err, ErrBufferFull) {
				t.Fatalf("policy %d: Send to a full buffer: %v", policy, err)
			}
			if policy == Block && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Block returned before its context ended: %v", err)
			}
			if dropped := c.Stats().Dropped; (policy == Drop) != (dropped == 1) {
				t.Fatalf("policy %d: dropped %d", policy, dropped)
			}
			release()
			for _, r := range results(t, ps) {
				if r.Outcome != Accepted {
					t.Errorf("%+v", r)
				}
			}
		})
	}
}

// TestClient_CloseReportsWhatItCouldNotDeliver: with attempts unbounded (the
// default), the end of Close's context is what stops the retries, and the
// records still each get their result.
func TestClient_CloseReportsWhatItCouldNotDeliver(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newMemoryHoc()
		f.fail = func(int, []string) (int, string, bool) { return http.StatusServiceUnavailable, "", true }
		c := newTestClient(t, f, func(c *Config) { c.MinBackoff, c.MaxBackoff = time.Second, time.Minute })
		ps := send(t, c, "a", "b")
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		if err := c.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Close: %v", err)
		}
		for _, r := range results(t, ps) {
			if r.Outcome != Failed || r.Err == nil || r.Attempts <= 10 || !strings.Contains(r.Err.Error(), "Close's context ended") {
				t.Errorf("%+v", r)
			}
		}
		if _, err := c.Send(context.Background(), record("late")); !errors.Is(err, ErrClosed) {
			t.Fatalf("Send after Close: %v", err)
		}
	})
}

func TestClient_ConcurrentSendersEachGetTheirResult(t *testing.T) {
	t.Parallel()
	f := newFakeHoc(t)
	c := newTestClient(t, f, func(c *Config) { c.BatchSize, c.BufferSize, c.FlushInterval = 50, 64, time.Millisecond })
	const senders, each = 8, 200
	var wg sync.WaitGroup
	pending := make([][]*Pending, senders)
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				p, err := c.Send(context.Background(), record(fmt.Sprintf("s%d-%d", s, i)))
				if err != nil {
					t.Error(err)
					return
				}
				pending[s] = append(pending[s], p)
			}
		})
	}
	wg.Wait()
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for s := range senders {
		for i, r := range results(t, pending[s]) {
			if r.Outcome != Accepted || r.CallID != fmt.Sprintf("s%d-%d", s, i) {
				t.Fatalf("%+v", r)
			}
		}
	}
	if len(f.stored) != senders*each {
		t.Fatalf("stored %d", len(f.stored))
	}
}

func TestConfig_RefusesWhatCannotWork(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{
		{IntegrationKey: "k"},
		{BaseURL: "http://x"},
		{BaseURL: "http://x", IntegrationKey: "k", APIKey: "aos_k"},
		{BaseURL: "http://x", IntegrationKey: "k", BatchSize: MaxBatch + 1},
		{BaseURL: "http://x", IntegrationKey: "k", MaxAttempts: -1},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

// TestPackage_ImportsNothingOfHoc: SDK users can take this package alone.
func TestPackage_ImportsNothingOfHoc(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if path := strings.Trim(imp.Path.Value, `"`); strings.Contains(path, ".") || strings.HasPrefix(path, "hoc") {
				t.Errorf("%s imports %s: the client uses the standard library only", name, path)
			}
		}
	}
	if _, err := os.Stat("client.go"); err != nil {
		t.Fatal(err)
	}
}
