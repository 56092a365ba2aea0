package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	api "hoc/l2_api"
	protectionengine "hoc/l5_engines/protection"
	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	protectiondb "hoc/l6_drivers/protection"
	"hoc/testkit"
)

// eventsBase is the fixed instant the recorded test events start from.
var eventsBase = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// recordedEvents are the events of protectionEventsHarness, oldest first:
// acme's rate rejection, other's burst throttle, acme's cost warning and
// anomaly, other's rate rejection, one minute apart.
type recordedEvents struct {
	acme, other tenantFixture
	ids         []string // by index: 0 acme rate … 4 other rate
}

// protectionEventsHarness starts the server, creates two tenants and
// records five events through the graph's own recorder, flushed to the
// database.
func protectionEventsHarness(t *testing.T, dialect db.Dialect) (*harness, recordedEvents) {
	t.Helper()
	var rec *protectionengine.Recorder
	h := newHarness(t, dialect, fx.Populate(&rec))
	ev := recordedEvents{acme: h.newTenant("Acme"), other: h.newTenant("Other")}
	for i, e := range []protectionengine.Event{
		{TenantID: ev.acme.TenantID, Endpoint: "/api/v1/integrations/:id", Method: "GET", Decision: "reject", Dimension: "rate",
			Details: map[string]any{"retry_after_ms": 1500, "limit": 1000}},
		{TenantID: ev.other.TenantID, Endpoint: "/api/v1/integrations", Method: "POST", Decision: "throttle", Dimension: "burst",
			Details: map[string]any{"retry_after_ms": 10}},
		{TenantID: ev.acme.TenantID, Endpoint: "/api/v1/telemetry/llm-usage", Method: "POST", Decision: "warn", Dimension: "cost",
			Details: map[string]any{"limit": "daily_budget", "current_cents": 42, "allowed_cents": 33.3333}},
		{TenantID: ev.acme.TenantID, Endpoint: "/api/v1/telemetry/usage-summary", Method: "GET", Decision: "warn", Dimension: "anomaly",
			Details: map[string]any{"signal": "usage_anomaly_detected", "severity": "medium"}},
		{TenantID: ev.other.TenantID, Endpoint: "/api/v1/integrations", Method: "GET", Decision: "reject", Dimension: "rate"},
	} {
		e.ID = newEventID(t)
		e.OccurredAt = eventsBase.Add(time.Duration(i) * time.Minute)
		e.ActorType, e.ActorID = "machine", "key-"+e.TenantID[:8]
		rec.Record(e)
		ev.ids = append(ev.ids, e.ID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return h, ev
}

func newEventID(t *testing.T) string {
	t.Helper()
	u, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	return u.String()
}

// eventList is a decoded page of events.
type eventList struct {
	response
	events []api.ProtectionEventJSON
}

func (h *harness) listEvents(path string, query url.Values, auth []string) eventList {
	h.t.Helper()
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	r := h.do(http.MethodGet, path, nil, auth...)
	out := eventList{response: r}
	if r.Status == http.StatusOK {
		r.decode(h.t, &out.events)
	}
	return out
}

// ids returns the listed events' ids.
func (l eventList) ids() []string {
	out := make([]string, len(l.events))
	for i, e := range l.events {
		out[i] = e.ID
	}
	return out
}

// pick returns ev.ids at the given indexes, in that order.
func (ev recordedEvents) pick(indexes ...int) []string {
	out := make([]string, len(indexes))
	for i, n := range indexes {
		out[i] = ev.ids[n]
	}
	return out
}

const founderEventsPath = "/api/v1/fdr/protection/events"
const tenantEventsPath = "/api/v1/protection/events"

func TestProtectionEvents_FounderListsAcrossTenants(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			h, ev := protectionEventsHarness(t, dialect)
			since := eventsBase.Add(2 * time.Minute).Format(time.RFC3339)
			for _, tc := range []struct {
				name  string
				query url.Values
				want  []string
			}{
				{"every tenant, newest first", nil, ev.pick(4, 3, 2, 1, 0)},
				{"one tenant", url.Values{"tenant_id": {ev.acme.TenantID}}, ev.pick(3, 2, 0)},
				{"since, inclusive", url.Values{"since": {since}}, ev.pick(4, 3, 2)},
				{"dimension", url.Values{"dimension": {"rate"}}, ev.pick(4, 0)},
				{"tenant, since and dimension", url.Values{"tenant_id": {ev.other.TenantID}, "since": {since}, "dimension": {"rate"}}, ev.pick(4)},
				{"a tenant_id that is not a UUID", url.Values{"tenant_id": {"acme"}}, []string{}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					l := h.listEvents(founderEventsPath, tc.query, h.founder())
					if l.Status != http.StatusOK || !slices.Equal(l.ids(), tc.want) {
						t.Fatalf("got %d %v, want %v\n%s", l.Status, l.ids(), tc.want, l.Raw)
					}
					if l.Meta.Total == nil || *l.Meta.Total != int64(len(tc.want)) {
						t.Fatalf("meta.total = %v, want %d", l.Meta.Total, len(tc.want))
					}
				})
			}
		})
	}
}

func TestProtectionEvents_FounderPagesNewestFirst(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			h, ev := protectionEventsHarness(t, dialect)
			var walked []string
			for page, offset := 1, 0; offset < 5; page, offset = page+1, offset+2 {
				l := h.listEvents(founderEventsPath, url.Values{"limit": {"2"}, "offset": {strconv.Itoa(offset)}}, h.founder())
				if l.Status != http.StatusOK {
					t.Fatalf("offset %d: %d %s", offset, l.Status, l.Raw)
				}
				m := l.Meta
				if *m.Total != 5 || *m.Page != page || *m.PageSize != 2 || *m.HasMore != (offset+2 < 5) {
					t.Fatalf("offset %d: meta %s", offset, l.Raw)
				}
				walked = append(walked, l.ids()...)
			}
			if want := ev.pick(4, 3, 2, 1, 0); !slices.Equal(walked, want) {
				t.Fatalf("pages walked %v, want %v", walked, want)
			}
		})
	}
}

func TestProtectionEvents_EventObjectCarriesEveryField(t *testing.T) {
	t.Parallel()
	h, ev := protectionEventsHarness(t, "sqlite")
	l := h.listEvents(founderEventsPath, url.Values{"dimension": {"cost"}}, h.founder())
	if l.Status != http.StatusOK || len(l.events) != 1 {
		t.Fatalf("got %d %s", l.Status, l.Raw)
	}
	got := l.events[0]
	want := api.ProtectionEventJSON{
		ID: ev.ids[2], OccurredAt: "2026-11-20T10:02:00Z", TenantID: ev.acme.TenantID, ActorType: "machine",
		ActorID: "key-" + ev.acme.TenantID[:8], Endpoint: "/api/v1/telemetry/llm-usage", Method: "POST",
		Operation: "write", Decision: "warn", Dimension: "cost",
	}
	details := got.Details
	got.Details = nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("event %+v\nwant  %+v", got, want)
	}
	if details["limit"] != "daily_budget" || details["current_cents"] != 42.0 || details["allowed_cents"] != 33.3333 {
		t.Fatalf("details %v", details)
	}
	bare := h.listEvents(founderEventsPath, url.Values{"dimension": {"rate"}, "tenant_id": {ev.other.TenantID}}, h.founder())
	if len(bare.events) != 1 || bare.events[0].Details == nil || len(bare.events[0].Details) != 0 {
		t.Fatalf("an event recorded without details must list them as {}: %s", bare.Raw)
	}
}

func TestProtectionEvents_FounderQueryErrors(t *testing.T) {
	t.Parallel()
	h, _ := protectionEventsHarness(t, "sqlite")
	for _, tc := range []struct {
		query  string
		status int
		code   string
	}{
		{"since=yesterday", http.StatusBadRequest, "INVALID_REQUEST"},
		{"since=2026-11-20", http.StatusBadRequest, "INVALID_REQUEST"},
		{"limit=abc", http.StatusBadRequest, "INVALID_REQUEST"},
		{"limit=0", http.StatusUnprocessableEntity, "VALIDATION_FAILED"},
		{"limit=1001", http.StatusUnprocessableEntity, "VALIDATION_FAILED"},
		{"offset=-1", http.StatusUnprocessableEntity, "VALIDATION_FAILED"},
		{"dimension=mood", http.StatusUnprocessableEntity, "VALIDATION_FAILED"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			h.do(http.MethodGet, founderEventsPath+"?"+tc.query, nil, h.founder()...).expectError(t, tc.status, tc.code)
		})
	}
}

// A '+' in since that the client did not percent-encode arrives as a space;
// it is read as the offset sign it was.
func TestProtectionEvents_SinceWithAnUnencodedOffset(t *testing.T) {
	t.Parallel()
	h, ev := protectionEventsHarness(t, "sqlite")
	l := h.listEvents(founderEventsPath+"?since=2026-11-20T11:03:00+01:00", nil, h.founder())
	if l.Status != http.StatusOK || !slices.Equal(l.ids(), ev.pick(4, 3)) {
		t.Fatalf("got %d %v, want %v", l.Status, l.ids(), ev.pick(4, 3))
	}
}

func TestProtectionEvents_TenantSeesOnlyItsOwn(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			h, ev := protectionEventsHarness(t, dialect)
			key := []string{"X-AOS-Key", h.newAPIKey(ev.acme.TenantID, "protection:read")}
			since := eventsBase.Add(2 * time.Minute).Format(time.RFC3339Nano)
			for _, tc := range []struct {
				name  string
				query url.Values
				want  []string
				total int64
			}{
				{"all of its own", nil, ev.pick(3, 2, 0), 3},
				{"tenant_id cannot choose another tenant", url.Values{"tenant_id": {ev.other.TenantID}}, ev.pick(3, 2, 0), 3},
				{"since", url.Values{"since": {since}}, ev.pick(3, 2), 2},
				{"dimension", url.Values{"dimension": {"cost"}}, ev.pick(2), 1},
				{"paging", url.Values{"limit": {"1"}, "offset": {"1"}}, ev.pick(2), 3},
			} {
				t.Run(tc.name, func(t *testing.T) {
					l := h.listEvents(tenantEventsPath, tc.query, key)
					if l.Status != http.StatusOK || !slices.Equal(l.ids(), tc.want) {
						t.Fatalf("got %d %v, want %v\n%s", l.Status, l.ids(), tc.want, l.Raw)
					}
					if *l.Meta.Total != tc.total {
						t.Fatalf("meta.total = %d, want %d", *l.Meta.Total, tc.total)
					}
				})
			}
		})
	}
}

func TestProtectionEvents_WhoMayList(t *testing.T) {
	t.Parallel()
	h, ev := protectionEventsHarness(t, "sqlite")
	wildcard := []string{"X-AOS-Key", h.newAPIKey(ev.other.TenantID, "protection:*")}
	if l := h.listEvents(tenantEventsPath, nil, wildcard); l.Status != http.StatusOK || !slices.Equal(l.ids(), ev.pick(4, 1)) {
		t.Fatalf("protection:* key: %d %v", l.Status, l.ids())
	}
	for _, tc := range []struct {
		name   string
		path   string
		auth   []string
		reason string
	}{
		{"a key without protection:read", tenantEventsPath, ev.acme.readKeyHeader(), "scope_denied"},
		{"an integration key", tenantEventsPath, ev.acme.integrationKeyHeader(), "scope_denied"},
		{"a founder on the tenant list", tenantEventsPath, h.founder(), "actor_not_allowed"},
		{"a tenant key on the founder list", founderEventsPath, []string{"X-AOS-Key", h.newAPIKey(ev.acme.TenantID, "*")}, "actor_not_allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(http.MethodGet, tc.path, nil, tc.auth...)
			r.expectError(t, http.StatusForbidden, "FORBIDDEN")
			if r.Error.Details["reason"] != tc.reason {
				t.Fatalf("reason %v, want %s", r.Error.Details["reason"], tc.reason)
			}
		})
	}
	h.do(http.MethodGet, tenantEventsPath, nil).expectError(t, http.StatusUnauthorized, "MISSING_AUTH")
}

// Stopping the server stores every event still queued before the database
// closes: a clean shutdown loses none.
func TestProtectionEvents_CleanShutdownStoresEveryQueuedEvent(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := testConfig(t, dialect)
			log := slog.New(slog.DiscardHandler)
			h := &harness{t: t, cfg: cfg}
			var rec *protectionengine.Recorder
			app := fxtest.New(t, core(cfg, log), server(cfg), fx.Populate(&h.app, &h.db, &h.integrations, &rec))
			app.RequireStart()
			tenant := h.newTenant("Acme")
			const n = 3000
			for range n {
				rec.Record(protectionengine.Event{TenantID: tenant.TenantID, ActorType: "machine", ActorID: "k",
					Endpoint: "/api/v1/integrations", Method: "GET", Decision: "reject", Dimension: "rate"})
			}
			app.RequireStop()

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			d, err := db.Open(ctx, db.Config{URL: cfg.DatabaseURL, Logger: log})
			if err != nil {
				t.Fatal(err)
			}
			defer testkit.Close(t, d)
			store, err := protectiondb.NewEvents(d)
			if err != nil {
				t.Fatal(err)
			}
			_, total, err := store.ListEvents(ctx, protectiondb.EventQuery{TenantID: tenant.TenantID, Limit: 1})
			if err != nil || total != n {
				t.Fatalf("stored %d of %d events (%v)", total, n, err)
			}
		})
	}
}
