package protection

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/protection"
)

// Event is one protection decision that was not a plain allow (SPEC §4.3).
// Endpoint is the route pattern, never the raw path. Operation is "read"
// for GET and HEAD and "write" otherwise. Details is a JSON object's worth
// of values, such as retry_after_ms or the anomaly's baseline.
type Event struct {
	// ID is assigned by Record when empty (a UUID v7).
	ID string
	// OccurredAt is set to the recorder's clock by Record when zero.
	OccurredAt time.Time
	// RequestID names the request in the event's log line; it is not
	// stored.
	RequestID string
	TenantID  string
	ActorType string
	ActorID   string
	Endpoint  string
	Method    string
	Operation string
	Decision  string
	Dimension string
	Details   map[string]any
}

// The decisions an event can record; allow and the exemptions are never
// recorded.
const (
	decisionReject   = string(OutcomeReject)
	decisionThrottle = string(OutcomeThrottle)
	decisionWarn     = string(OutcomeWarn)
)

// dimensions are the dimensions an event can name, in SPEC order.
var dimensions = []string{DimensionRate, DimensionBurst, DimensionCost, DimensionAnomaly, DimensionBackendUnavailable}

// The operations an event can record.
const (
	operationRead  = "read"
	operationWrite = "write"
)

// EventStore is the persistence port of the event recorder and listings.
// InsertEvents must store the rows atomically and skip rows whose id is
// already stored, so that retrying a batch never duplicates an event.
type EventStore interface {
	InsertEvents(ctx context.Context, rows []store.EventRow) error
	ListEvents(ctx context.Context, q store.EventQuery) ([]store.EventRow, int64, error)
	CountEvents(ctx context.Context, q store.EventQuery) ([]store.EventCount, error)
}

// EventCount is how many of the events a query selects have one dimension
// and decision.
type EventCount = store.EventCount

// Count counts the events q selects per dimension and decision; its page is
// ignored.
func (r *Recorder) Count(ctx context.Context, q EventQuery) ([]EventCount, error) {
	if q.Dimension != "" && !slices.Contains(dimensions, q.Dimension) {
		return nil, fault.Validation(fault.FieldError{Field: "dimension", Message: "must be one of rate, burst, cost, anomaly, backend_unavailable"})
	}
	return r.store.CountEvents(ctx, q)
}

// EventQuery asks for one page of events, newest first. An empty TenantID
// asks for every tenant's events (founders only: callers scope tenant
// actors to their own tenant). Since keeps events at or after that instant;
// Dimension, when set, keeps one dimension's. A zero Limit means the default
// page size.
type EventQuery = store.EventQuery

// The page sizes of the listings (SPEC §7).
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// List returns one page of the events q selects, newest first (occurred_at,
// then id, descending), and how many events it selects in all. A TenantID
// that is not a UUID names no tenant and selects nothing.
func (r *Recorder) List(ctx context.Context, q EventQuery) ([]Event, int64, error) {
	if q.Limit == 0 {
		q.Limit = defaultPageSize
	}
	var fields fault.Fields
	if q.Limit < 1 || q.Limit > maxPageSize {
		fields.Add("limit", "must be between 1 and %d", maxPageSize)
	}
	if q.Offset < 0 {
		fields.Add("offset", "must be >= 0")
	}
	if q.Dimension != "" && !slices.Contains(dimensions, q.Dimension) {
		fields.Add("dimension", "must be one of rate, burst, cost, anomaly, backend_unavailable")
	}
	if err := fields.Err(); err != nil {
		return nil, 0, err
	}
	if q.TenantID != "" {
		id, err := uuid.Parse(q.TenantID)
		if err != nil {
			return []Event{}, 0, nil
		}
		q.TenantID = id.String()
	}
	rows, total, err := r.store.ListEvents(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	events := make([]Event, len(rows))
	for i, row := range rows {
		if events[i], err = eventFromRow(row); err != nil {
			return nil, 0, err
		}
	}
	return events, total, nil
}

// eventFromRow reads stored details strictly: anything but a JSON object is
// an internal error, never silently emptied. Numbers keep their exact text.
func eventFromRow(row store.EventRow) (Event, error) {
	details := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(row.Details))
	dec.UseNumber()
	if err := dec.Decode(&details); err != nil || details == nil {
		return Event{}, fault.Internal(fmt.Errorf("protection event %s: details are not a JSON object: %v", row.ID, err))
	}
	return Event{
		ID: row.ID, OccurredAt: row.OccurredAt, TenantID: row.TenantID, ActorType: row.ActorType,
		ActorID: row.ActorID, Endpoint: row.Endpoint, Method: row.Method, Operation: row.Operation,
		Decision: row.Decision, Dimension: row.Dimension, Details: details,
	}, nil
}

// The column limits of protection_events; longer values are cut, not
// refused, so that an event is never lost to its length.
const (
	maxActorType = 32
	maxActorID   = 200
	maxEndpoint  = 200
	maxMethod    = 16
)

// prepare completes e in place (id, time, operation, canonical tenant id,
// lengths) and returns its row, or an error when it cannot be stored.
func (r *Recorder) prepare(e *Event) (store.EventRow, error) {
	tenant, err := uuid.Parse(e.TenantID)
	if err != nil {
		return store.EventRow{}, fmt.Errorf("tenant id %q is not a UUID", e.TenantID)
	}
	e.TenantID = tenant.String()
	if e.ID == "" {
		e.ID = uuid.Must(uuid.NewV7()).String()
	} else if id, err := uuid.Parse(e.ID); err == nil {
		e.ID = id.String()
	} else {
		return store.EventRow{}, fmt.Errorf("event id %q is not a UUID", e.ID)
	}
	if e.OccurredAt.IsZero() {
		e.OccurredAt = r.now()
	}
	e.OccurredAt = e.OccurredAt.UTC()
	if e.Operation == "" {
		e.Operation = operationWrite
		if e.Method == "GET" || e.Method == "HEAD" {
			e.Operation = operationRead
		}
	}
	switch {
	case e.Operation != operationRead && e.Operation != operationWrite:
		return store.EventRow{}, fmt.Errorf("unknown operation %q", e.Operation)
	case e.Decision != decisionReject && e.Decision != decisionThrottle && e.Decision != decisionWarn:
		return store.EventRow{}, fmt.Errorf("unknown decision %q", e.Decision)
	case !slices.Contains(dimensions, e.Dimension):
		return store.EventRow{}, fmt.Errorf("unknown dimension %q", e.Dimension)
	case e.ActorType == "" || e.Endpoint == "" || e.Method == "":
		return store.EventRow{}, errors.New("actor type, endpoint and method are required")
	}
	e.ActorType, e.ActorID = cut(e.ActorType, maxActorType), cut(e.ActorID, maxActorID)
	e.Endpoint, e.Method = cut(e.Endpoint, maxEndpoint), cut(e.Method, maxMethod)
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	details, err := json.Marshal(e.Details)
	if err != nil {
		// Keep the event: it matters more than details a bug made
		// unencodable.
		r.log.Error("protection event details are not encodable; stored without them",
			slog.String("id", e.ID), slog.String("error", err.Error()))
		e.Details, details = map[string]any{}, []byte("{}")
	}
	return store.EventRow{
		ID: e.ID, OccurredAt: e.OccurredAt, TenantID: e.TenantID, ActorType: e.ActorType, ActorID: e.ActorID,
		Endpoint: e.Endpoint, Method: e.Method, Operation: e.Operation, Decision: e.Decision,
		Dimension: e.Dimension, Details: details,
	}, nil
}

// cut makes s storable in a column of at most n characters: invalid UTF-8
// and NUL bytes, which Postgres refuses in text, are replaced or removed,
// and the rest is shortened without splitting a character.
func cut(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	count := 0
	for i := range s {
		if count == n {
			return s[:i]
		}
		count++
	}
	return s
}

// eventMessage is both the message and the event attribute of an event's
// log line (SPEC §4.3).
const eventMessage = "abuse_protection_triggered"

// logEvent writes e as one structured line with every field; the details
// map's keys are sorted by the handler.
func (r *Recorder) logEvent(e Event) {
	r.log.LogAttrs(context.Background(), slog.LevelWarn, eventMessage,
		slog.String("event", eventMessage),
		slog.String("id", e.ID),
		slog.String("request_id", e.RequestID),
		slog.Time("occurred_at", e.OccurredAt),
		slog.String("tenant_id", e.TenantID),
		slog.String("actor_type", e.ActorType),
		slog.String("actor_id", e.ActorID),
		slog.String("endpoint", e.Endpoint),
		slog.String("method", e.Method),
		slog.String("operation", e.Operation),
		slog.String("decision", e.Decision),
		slog.String("dimension", e.Dimension),
		slog.Any("details", e.Details),
	)
}
