package protection_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"hoc/l5_engines/fault"
	"hoc/l5_engines/protection"
	store "hoc/l6_drivers/protection"
)

func TestList_ValidatesTheQuery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		q     protection.EventQuery
		field string
	}{
		{"limit above the maximum", protection.EventQuery{Limit: 1001}, "limit"},
		{"negative limit", protection.EventQuery{Limit: -1}, "limit"},
		{"negative offset", protection.EventQuery{Offset: -1}, "offset"},
		{"unknown dimension", protection.EventQuery{Dimension: "mood"}, "dimension"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &fakeEvents{}
			_, _, err := newRecorder(t, protection.RecorderConfig{}, s, nil).List(context.Background(), tc.q)
			fe, ok := fault.As(err)
			if !ok || fe.Code != fault.CodeValidationFailed {
				t.Fatalf("got %v, want VALIDATION_FAILED", err)
			}
			fields, _ := fe.Details["fields"].([]fault.FieldError)
			if len(fields) != 1 || fields[0].Field != tc.field {
				t.Fatalf("fields %v, want %s", fields, tc.field)
			}
			if s.listCalls != 0 {
				t.Fatal("an invalid query reached the store")
			}
		})
	}
}

func TestList_PassesTheQueryWithDefaults(t *testing.T) {
	t.Parallel()
	s := &fakeEvents{}
	since := clock.Add(-time.Hour)
	_, _, err := newRecorder(t, protection.RecorderConfig{}, s, nil).List(context.Background(),
		protection.EventQuery{TenantID: strings.ToUpper(tenantA), Since: &since, Dimension: "burst", Offset: 5})
	if err != nil {
		t.Fatal(err)
	}
	want := store.EventQuery{TenantID: tenantA, Since: &since, Dimension: "burst", Limit: 100, Offset: 5}
	if q := s.query; q.TenantID != want.TenantID || q.Since != want.Since || q.Dimension != want.Dimension ||
		q.Limit != want.Limit || q.Offset != want.Offset {
		t.Fatalf("store asked %+v, want %+v", q, want)
	}
}

func TestList_ATenantIDThatIsNotAUUIDMatchesNothing(t *testing.T) {
	t.Parallel()
	s := &fakeEvents{listTotal: 7}
	events, total, err := newRecorder(t, protection.RecorderConfig{}, s, nil).List(context.Background(),
		protection.EventQuery{TenantID: "acme"})
	if err != nil || len(events) != 0 || events == nil || total != 0 || s.listCalls != 0 {
		t.Fatalf("got %v, %d, %v (store called %d times)", events, total, err, s.listCalls)
	}
}

func TestList_ReturnsEventsWithTheirDetails(t *testing.T) {
	t.Parallel()
	s := &fakeEvents{listTotal: 42, listRows: []store.EventRow{{
		ID: "0193f4a2-0000-7000-8000-000000000001", OccurredAt: clock, TenantID: tenantA, ActorType: "customer",
		ActorID: "user-1", Endpoint: "/api/v1/telemetry/llm-usage", Method: "POST", Operation: "write",
		Decision: "warn", Dimension: "cost", Details: []byte(`{"limit":"daily_budget","current_value":12.5,"big":9007199254740993}`),
	}}}
	events, total, err := newRecorder(t, protection.RecorderConfig{}, s, nil).List(context.Background(), protection.EventQuery{})
	if err != nil || total != 42 || len(events) != 1 {
		t.Fatalf("got %v, %d, %v", events, total, err)
	}
	e := events[0]
	if e.Decision != "warn" || e.Dimension != "cost" || e.Endpoint != "/api/v1/telemetry/llm-usage" || !e.OccurredAt.Equal(clock) {
		t.Fatalf("event %+v", e)
	}
	out, err := json.Marshal(e.Details)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"big":9007199254740993,"current_value":12.5,"limit":"daily_budget"}` {
		t.Fatalf("details %s lost precision or content", out)
	}
}

func TestList_StoredDetailsThatAreNotAnObjectAreAnInternalError(t *testing.T) {
	t.Parallel()
	for _, details := range []string{`[1]`, `null`, `{`} {
		s := &fakeEvents{listTotal: 1, listRows: []store.EventRow{{ID: "x", TenantID: tenantA, Details: []byte(details)}}}
		_, _, err := newRecorder(t, protection.RecorderConfig{}, s, nil).List(context.Background(), protection.EventQuery{})
		if fault.KindOf(err) != fault.KindInternal {
			t.Errorf("details %s: got %v, want INTERNAL", details, err)
		}
	}
}

// CountEvents counts the stored rows of q's tenant per dimension and
// decision, as the database does.
func (f *fakeEvents) CountEvents(_ context.Context, q store.EventQuery) ([]store.EventCount, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.query = q
	counts := map[string]int64{}
	for _, r := range f.rows {
		if r.TenantID == q.TenantID && (q.Dimension == "" || r.Dimension == q.Dimension) {
			counts[r.Dimension+" "+r.Decision]++
		}
	}
	out := []store.EventCount{}
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		dimension, decision, _ := strings.Cut(k, " ")
		out = append(out, store.EventCount{Dimension: dimension, Decision: decision, Count: counts[k]})
	}
	return out, nil
}

func TestCount_RefusesAnUnknownDimensionBeforeTheStore(t *testing.T) {
	t.Parallel()
	s := &fakeEvents{}
	_, err := newRecorder(t, protection.RecorderConfig{}, s, nil).Count(context.Background(), protection.EventQuery{TenantID: "t", Dimension: "mood"})
	if fe, ok := fault.As(err); !ok || fe.Code != fault.CodeValidationFailed || s.query.TenantID != "" {
		t.Fatalf("got %v (store asked for %+v), want VALIDATION_FAILED before the store", err, s.query)
	}
}
