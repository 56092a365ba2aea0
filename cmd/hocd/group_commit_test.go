package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/fx"

	telemetryengine "hoc/l5_engines/telemetry"
	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	telemetrydb "hoc/l6_drivers/telemetry"
	models "hoc/l7_models"
	"hoc/testkit"
)

// groupHarness is a server whose limits never throttle, so that many
// concurrent single ingests all reach group commit.
func groupHarness(t *testing.T, dialect db.Dialect, extra ...fx.Option) *harness {
	cfg := testConfig(t, dialect)
	cfg.Protection.RoutePerMinute, cfg.Protection.BurstPerSecond = 1<<30, 1<<30
	return newHarnessWithConfig(t, cfg, extra...)
}

// metricValue reads one sample of the server's /metrics.
func metricValue(t *testing.T, h *harness, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(h.do(http.MethodGet, "/metrics", nil).Raw)
	if m == nil {
		t.Fatalf("/metrics has no sample %s", name)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sentRecord is one single-record request and what it got back.
type sentRecord struct {
	callID   string
	tokensIn int
	status   int
	id       string
	code     string
}

// TestGroupCommit_ConcurrentSinglesEachGetTheirOwnAnswer sends every call id
// three times from many goroutines at once, twice with the same content and
// once changed, in a random order. Whatever groups the server formed, each
// call id must be stored once with the content of the one request answered
// 201, every repeat of that content answered 200 with its id, every other
// content 409, and the rollups must equal the stored records.
func TestGroupCommit_ConcurrentSinglesEachGetTheirOwnAnswer(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := groupHarness(t, dialect)
			f := h.newTenant("group")
			const callIDs = 60
			var sends []sentRecord
			for i := range callIDs {
				id := fmt.Sprintf("gc-%03d", i)
				sends = append(sends, sentRecord{callID: id, tokensIn: 100}, sentRecord{callID: id, tokensIn: 100},
					sentRecord{callID: id, tokensIn: 200})
			}
			rand.New(rand.NewPCG(1, 2)).Shuffle(len(sends), func(i, j int) { sends[i], sends[j] = sends[j], sends[i] })
			groupsBefore := metricValue(t, h, "hoc_ingest_group_records_count")

			var wg sync.WaitGroup
			next := make(chan int, len(sends))
			for i := range sends {
				next <- i
			}
			close(next)
			for range 24 {
				wg.Go(func() {
					for i := range next {
						s := &sends[i]
						r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage(s.callID, func(m map[string]any) {
							m["tokens_in"] = s.tokensIn
						}), f.integrationKeyHeader()...)
						s.status = r.Status
						if r.Error != nil {
							s.code = r.Error.Code
							continue
						}
						var body struct{ ID string }
						r.decode(t, &body)
						s.id = body.ID
					}
				})
			}
			wg.Wait()

			winners := map[string]sentRecord{}
			for _, s := range sends {
				if s.status == http.StatusCreated {
					if _, twice := winners[s.callID]; twice {
						t.Fatalf("%s was accepted twice", s.callID)
					}
					winners[s.callID] = s
				}
			}
			if len(winners) != callIDs {
				t.Fatalf("%d call ids accepted, want %d", len(winners), callIDs)
			}
			for _, s := range sends {
				w := winners[s.callID]
				switch {
				case s.tokensIn == w.tokensIn && s.status != http.StatusCreated && (s.status != http.StatusOK || s.id != w.id):
					t.Errorf("%+v: a repeat of the stored content must be 200 with the original id %s", s, w.id)
				case s.tokensIn != w.tokensIn && (s.status != http.StatusConflict || s.code != "IDEMPOTENCY_CONFLICT"):
					t.Errorf("%+v: changed content must be 409 IDEMPOTENCY_CONFLICT", s)
				}
			}

			var stored []models.UsageRecord
			if err := h.db.Conn(context.Background()).Where("tenant_id = ?", f.TenantID).Find(&stored).Error; err != nil {
				t.Fatal(err)
			}
			var tokens int64
			for _, r := range stored {
				w, ok := winners[r.CallID]
				if !ok || r.ID != w.id || r.TokensIn != int64(w.tokensIn) {
					t.Errorf("stored %s (%s, %d tokens) is not the accepted request %+v", r.CallID, r.ID, r.TokensIn, w)
				}
				tokens += r.TokensIn
			}
			if len(stored) != callIDs {
				t.Fatalf("%d records stored, want %d", len(stored), callIDs)
			}
			var summary struct {
				TotalCalls    int64 `json:"total_calls"`
				TotalTokensIn int64 `json:"total_tokens_in"`
			}
			h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, f.readKeyHeader()...).decode(t, &summary)
			if summary.TotalCalls != callIDs || summary.TotalTokensIn != tokens {
				t.Fatalf("rollups say %d calls and %d tokens in, the records %d and %d", summary.TotalCalls, summary.TotalTokensIn, callIDs, tokens)
			}
			groups := metricValue(t, h, "hoc_ingest_group_records_count") - groupsBefore
			if records := metricValue(t, h, "hoc_ingest_group_records_sum"); groups >= records {
				t.Fatalf("%v records in %v group transactions: no two requests ever shared one", records, groups)
			}
		})
	}
}

// gatedStore holds the group that carries the call id "gate" until the test
// opens the gate, so that the test can queue the next group behind it. It
// can fail a group before it reaches the database (fail), and it makes the
// database itself refuse any group holding the call id "bad", by giving
// that record a policy result the table's CHECK refuses.
type gatedStore struct {
	telemetryengine.Store
	held chan struct{} // closed when the gate group reaches the database
	gate chan struct{}
	once sync.Once
	fail func(callIDs []string) error
}

func (s *gatedStore) WriteRecords(ctx context.Context, rows []telemetrydb.RecordRow) (telemetrydb.Written, error) {
	rows = slices.Clone(rows)
	callIDs := make([]string, len(rows))
	for i, r := range rows {
		callIDs[i] = r.CallID
		if r.CallID == "bad" {
			rows[i].PolicyResult = "refused by the CHECK"
		}
	}
	if slices.Contains(callIDs, "gate") {
		s.once.Do(func() {
			close(s.held)
			<-s.gate
		})
	}
	if s.fail != nil {
		if err := s.fail(callIDs); err != nil {
			return telemetrydb.Written{}, err
		}
	}
	return s.Store.WriteRecords(ctx, rows)
}

// gatedGroup starts a server (group commit writes one group at a time) with a gatedStore, sends the gate
// record, queues records behind it — which therefore form one group — and
// opens the gate. It returns the gate record's answer and the answers to
// the queued records, in their order.
func gatedGroup(t *testing.T, dialect db.Dialect, fail func(callIDs []string) error, records ...map[string]any) (*harness, tenantFixture, response, []response) {
	t.Helper()
	store := &gatedStore{held: make(chan struct{}), gate: make(chan struct{}), fail: fail}
	h := groupHarness(t, dialect,
		fx.Decorate(func(s telemetryengine.Store) telemetryengine.Store { store.Store = s; return store }))
	f := h.newTenant("gated")
	var once sync.Once
	open := func() { once.Do(func() { close(store.gate) }) }
	t.Cleanup(open)
	// The gate record also fills the credential, tenant and integration
	// caches, so the queued requests need the database (whose one SQLite
	// connection the held group keeps) only in their own group.
	gateDone := make(chan response, 1)
	go func() {
		gateDone <- h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("gate"), f.integrationKeyHeader()...)
	}()
	select {
	case <-store.held:
	case <-time.After(10 * time.Second):
		t.Fatal("the gate record never reached the database")
	}
	answers := make([]response, len(records))
	var wg sync.WaitGroup
	for i, rec := range records {
		wg.Go(func() {
			answers[i] = h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", rec, f.integrationKeyHeader()...)
		})
	}
	testkit.WaitFor(t, "the records to queue behind the gate", func() bool {
		return metricValue(t, h, "hoc_ingest_group_queue") == float64(len(records))
	})
	open()
	gate := <-gateDone
	if gate.Status != http.StatusCreated {
		t.Fatalf("gate record: %s", gate.Raw)
	}
	wg.Wait()
	return h, f, gate, answers
}

// unavailable is what L6 returns when the database cannot be reached.
var unavailable = &db.UnavailableError{Err: errors.New("connection reset by peer")}

// storedCallIDs lists the tenant's stored call ids, sorted.
func storedCallIDs(t *testing.T, h *harness, tenantID string) []string {
	t.Helper()
	var ids []string
	err := h.db.Conn(context.Background()).Model(&models.UsageRecord{}).Where("tenant_id = ?", tenantID).
		Order("call_id").Pluck("call_id", &ids).Error
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestGroupCommit_AnUnavailableDatabaseFailsTheWholeGroupAndStoresNothingOfIt
// fails a group's write as a lost connection does: every caller of the group
// gets 503, none is retried record by record, and nothing of it is stored.
func TestGroupCommit_AnUnavailableDatabaseFailsTheWholeGroupAndStoresNothingOfIt(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			fail := func(callIDs []string) error {
				if len(callIDs) > 1 {
					return unavailable
				}
				return nil
			}
			h, f, _, answers := gatedGroup(t, dialect, fail, usage("doomed-1"), usage("doomed-2"), usage("doomed-3"))
			for _, r := range answers {
				r.expectError(t, http.StatusServiceUnavailable, "UNAVAILABLE")
			}
			if got := storedCallIDs(t, h, f.TenantID); !slices.Equal(got, []string{"gate"}) {
				t.Fatalf("stored %v, want only the gate record: a failed group stores nothing", got)
			}
			var summary struct {
				TotalCalls int64 `json:"total_calls"`
			}
			h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, f.readKeyHeader()...).decode(t, &summary)
			if summary.TotalCalls != 1 {
				t.Fatalf("rollups count %d calls, want 1", summary.TotalCalls)
			}
		})
	}
}

// TestGroupCommit_ARecordTheDatabaseRefusesDoesNotFailItsNeighbours queues a
// record the database refuses between two good ones: the group's write
// fails as a whole, and retried one by one the good records are stored.
func TestGroupCommit_ARecordTheDatabaseRefusesDoesNotFailItsNeighbours(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h, f, _, answers := gatedGroup(t, dialect, nil, usage("ok-1"), usage("bad"), usage("ok-2"))
			answers[1].expectError(t, http.StatusInternalServerError, "INTERNAL")
			for _, r := range []response{answers[0], answers[2]} {
				if r.Status != http.StatusCreated {
					t.Fatalf("a neighbour of the refused record: %s, want 201", r.Raw)
				}
			}
			if got := storedCallIDs(t, h, f.TenantID); !slices.Equal(got, []string{"gate", "ok-1", "ok-2"}) {
				t.Fatalf("stored %v", got)
			}
		})
	}
}

// TestGroupCommit_RepeatsInsideOneGroupAndAcrossGroups queues, as one group,
// a call id three times (twice the same content, once changed) and the gate
// record that the group before stored.
func TestGroupCommit_RepeatsInsideOneGroupAndAcrossGroups(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			same, changed := usage("dup"), usage("dup", func(m map[string]any) { m["tokens_in"] = 999 })
			h, f, gate, answers := gatedGroup(t, dialect, nil, same, same, changed, usage("gate"))
			idOf := func(r response) string {
				var body struct{ ID string }
				r.decode(t, &body)
				return body.ID
			}
			if r := answers[3]; r.Status != http.StatusOK || idOf(r) != idOf(gate) {
				t.Fatalf("the gate record stored by the group before: %s, want 200 with id %s", r.Raw, idOf(gate))
			}
			winner := slices.IndexFunc(answers[:3], func(r response) bool { return r.Status == http.StatusCreated })
			if winner < 0 {
				t.Fatalf("no dup request was accepted: %v", answers[:3])
			}
			for i, r := range answers[:3] {
				sameContent := (i == 2) == (winner == 2)
				switch {
				case i == winner:
				case sameContent && (r.Status != http.StatusOK || idOf(r) != idOf(answers[winner])):
					t.Fatalf("request %d repeats the stored content: %s, want 200 with the stored id", i, r.Raw)
				case !sameContent:
					r.expectError(t, http.StatusConflict, "IDEMPOTENCY_CONFLICT")
				}
			}
			if got := storedCallIDs(t, h, f.TenantID); !slices.Equal(got, []string{"dup", "gate"}) {
				t.Fatalf("stored %v", got)
			}
		})
	}
}
