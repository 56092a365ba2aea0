package protection

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"hoc/l6_drivers/db"
	models "hoc/l7_models"
)

// EventRow is one protection event with every column of protection_events.
// Details is a JSON object; nil or empty means {}. Postgres stores it as
// jsonb, so it reads back semantically equal, not byte for byte.
type EventRow struct {
	ID         string
	OccurredAt time.Time
	TenantID   string
	ActorType  string
	ActorID    string
	Endpoint   string
	Method     string
	Operation  string
	Decision   string
	Dimension  string
	Details    []byte
}

// EventQuery selects one page of events, newest first. An empty TenantID
// selects every tenant's events (the founder's list); a TenantID that is not
// a canonical UUID selects none. Since keeps events at or after that
// instant; Dimension, when set, keeps only that dimension's. Limit must be
// positive.
type EventQuery struct {
	TenantID  string
	Since     *time.Time
	Dimension string
	Limit     int
	Offset    int
}

// Events reads and writes protection events.
type Events struct {
	db *db.DB
	// rowsPerInsert bounds the rows of one INSERT; see eventChunkSize.
	rowsPerInsert int
}

// NewEvents returns an event store on d.
func NewEvents(d *db.DB) (*Events, error) {
	if d == nil {
		return nil, errors.New("protection events store: nil database")
	}
	return &Events{db: d, rowsPerInsert: eventChunkSize(d.Dialect())}, nil
}

// eventChunkSize is how many events go into one statement: 1000 × 11
// columns stays far below Postgres's 65,535 bind parameters; SQLite's Go
// driver matches parameters to placeholders in quadratic time, so it gets
// statements of 100 (see the telemetry driver's chunkSizes).
func eventChunkSize(d db.Dialect) int {
	if d == db.DialectPostgres {
		return 1000
	}
	return 100
}

// eventColumns are the columns InsertEvents writes, in eventArgs order.
const eventColumns = "id, occurred_at, tenant_id, actor_type, actor_id, endpoint, method, operation, decision, dimension, details"

const eventColumnCount = 11

// InsertEvents stores rows with one multi-row INSERT per chunk, all in one
// transaction. A row without an id gets a UUID v7; an id that is set must
// be a canonical UUID. Rows whose id is already stored are skipped, so a
// writer that retries a batch whose first attempt did commit stores nothing
// twice.
func (s *Events) InsertEvents(ctx context.Context, rows []EventRow) error {
	if len(rows) == 0 {
		return nil
	}
	args := make([]any, 0, len(rows)*eventColumnCount)
	for _, r := range rows {
		if r.ID == "" {
			r.ID = uuid.Must(uuid.NewV7()).String()
		} else if !db.CanonicalUUIDs(r.ID) {
			return fmt.Errorf("insert protection events: id %q is not a canonical UUID", r.ID)
		}
		args = append(args, eventArgs(r)...)
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		for start := 0; start < len(rows); start += s.rowsPerInsert {
			n := min(s.rowsPerInsert, len(rows)-start)
			var b strings.Builder
			b.WriteString("INSERT INTO protection_events (" + eventColumns + ") VALUES ")
			row := "(" + strings.TrimSuffix(strings.Repeat("?,", eventColumnCount), ",") + ")"
			for i := range n {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(row)
			}
			b.WriteString(" ON CONFLICT (id) DO NOTHING")
			chunk := args[start*eventColumnCount : (start+n)*eventColumnCount]
			if err := s.db.Conn(ctx).Exec(b.String(), chunk...).Error; err != nil {
				return fmt.Errorf("insert protection events: %w", db.Classify(err))
			}
		}
		return nil
	})
}

// eventArgs returns r's values in eventColumns order, normalised for
// storage: the time in UTC at microsecond precision, details as JSON text
// (a string, so that SQLite stores text rather than a blob).
func eventArgs(r EventRow) []any {
	details := string(r.Details)
	if len(r.Details) == 0 {
		details = "{}"
	}
	return []any{
		r.ID, db.UTC(r.OccurredAt), r.TenantID, r.ActorType, r.ActorID, r.Endpoint, r.Method, r.Operation,
		r.Decision, r.Dimension, details,
	}
}

// ListEvents returns one page of the events q selects, ordered by
// occurred_at, then id, both descending (the id breaks ties, so the order
// is total and pages never overlap), and how many events q selects in all.
func (s *Events) ListEvents(ctx context.Context, q EventQuery) ([]EventRow, int64, error) {
	if q.TenantID != "" && !db.CanonicalUUIDs(q.TenantID) {
		return []EventRow{}, 0, nil
	}
	var total int64
	if err := s.selected(ctx, q).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count protection events: %w", db.Classify(err))
	}
	if q.Limit <= 0 || total == 0 {
		return []EventRow{}, total, nil
	}
	var ms []models.ProtectionEvent
	err := s.selected(ctx, q).Order("occurred_at DESC, id DESC").Limit(q.Limit).Offset(q.Offset).Find(&ms).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list protection events: %w", db.Classify(err))
	}
	rows := make([]EventRow, len(ms))
	for i, m := range ms {
		rows[i] = eventRow(m)
	}
	return rows, total, nil
}

// EventCount is how many of the events a query selects have one dimension
// and decision.
type EventCount struct {
	Dimension string
	Decision  string
	Count     int64
}

// CountEvents counts the events q selects (tenant, since, dimension; not
// its page) per dimension and decision, in that order.
func (s *Events) CountEvents(ctx context.Context, q EventQuery) ([]EventCount, error) {
	out := []EventCount{}
	if q.TenantID != "" && !db.CanonicalUUIDs(q.TenantID) {
		return out, nil
	}
	err := s.selected(ctx, q).Select("dimension, decision, count(*) AS count").
		Group("dimension, decision").Order("dimension, decision").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("count protection events: %w", db.Classify(err))
	}
	return out, nil
}

// selected scopes a query to the events q selects, without paging.
func (s *Events) selected(ctx context.Context, q EventQuery) *gorm.DB {
	query := s.db.Conn(ctx).Model(&models.ProtectionEvent{})
	if q.TenantID != "" {
		query = query.Where("tenant_id = ?", q.TenantID)
	}
	if q.Since != nil {
		query = query.Where("occurred_at >= ?", db.UTC(*q.Since))
	}
	if q.Dimension != "" {
		query = query.Where("dimension = ?", q.Dimension)
	}
	return query
}

func eventRow(m models.ProtectionEvent) EventRow {
	return EventRow{
		ID:         m.ID,
		OccurredAt: m.OccurredAt.UTC(),
		TenantID:   m.TenantID,
		ActorType:  m.ActorType,
		ActorID:    m.ActorID,
		Endpoint:   m.Endpoint,
		Method:     m.Method,
		Operation:  m.Operation,
		Decision:   m.Decision,
		Dimension:  m.Dimension,
		Details:    []byte(m.Details),
	}
}
