package telemetry

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/telemetry"
)

// HistoryRequest asks for one page of records, newest first (occurred_at,
// then id, both descending), by offset or by the cursor of the last page.
// StartDate and EndDate, when either is set, narrow it to a window of UTC
// days with the summary's defaults and rules, so that a window lists the
// records the summary counts; without either it lists every record.
type HistoryRequest struct {
	TenantID, IntegrationID string
	StartDate, EndDate      string
	Limit, Offset           int
	Cursor                  string
}

// StoredRecord is a record as stored, with the server's defaults applied:
// the row itself. Its ContentHash travels along unused; a copy without it
// would be one more struct to keep in step with the table.
type StoredRecord = store.RecordRow

// HistoryPage is one page; NextCursor is empty on the last page.
type HistoryPage struct {
	Items      []StoredRecord
	Total      int64
	NextCursor string
}

// History returns one page. The cursor is the (occurred_at, id) of the last
// record shown, so walking pages never skips or repeats a record even while
// new records arrive; offset paging is kept for simple clients.
func (e *Engine) History(ctx context.Context, req HistoryRequest) (HistoryPage, error) {
	q := store.HistoryQuery{TenantID: req.TenantID, IntegrationID: req.IntegrationID, Limit: req.Limit + 1, Offset: req.Offset}
	if req.Cursor != "" {
		after, err := decodeCursor(req.Cursor)
		if err != nil {
			return HistoryPage{}, fault.InvalidRequest("cursor is not valid")
		}
		q.After, q.Offset = &after, 0
	}
	if req.StartDate != "" || req.EndDate != "" {
		w, err := resolveWindow(req.StartDate, req.EndDate, e.now())
		if err != nil {
			return HistoryPage{}, err
		}
		q.From, q.To = w.Start, w.End
	}
	rows, err := e.history.ListRecords(ctx, q)
	if err != nil {
		return HistoryPage{}, fmt.Errorf("list usage records: %w", err)
	}
	total, err := e.history.CountRecords(ctx, q)
	if err != nil {
		return HistoryPage{}, fmt.Errorf("count usage records: %w", err)
	}
	page := HistoryPage{Total: total}
	if len(rows) > req.Limit {
		rows = rows[:req.Limit]
		last := rows[req.Limit-1]
		page.NextCursor = encodeCursor(store.Cursor{OccurredAt: last.OccurredAt, ID: last.ID})
	}
	page.Items = rows
	return page, nil
}

// encodeCursor makes the opaque cursor clients pass back.
func encodeCursor(c store.Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.OccurredAt.UTC().Format(time.RFC3339Nano) + "|" + c.ID))
}

// decodeCursor accepts exactly the cursors encodeCursor writes: another
// spelling of the same position (an offset, upper-case ids, padding bits)
// is refused, so that one position has one cursor.
func decodeCursor(s string) (store.Cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return store.Cursor{}, err
	}
	at, id, ok := strings.Cut(string(raw), "|")
	if u, err := uuid.Parse(id); !ok || err != nil || u.String() != id {
		return store.Cursor{}, fmt.Errorf("malformed cursor")
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return store.Cursor{}, err
	}
	c := store.Cursor{OccurredAt: t.UTC(), ID: id}
	if encodeCursor(c) != s {
		return store.Cursor{}, fmt.Errorf("cursor not in its canonical form")
	}
	return c, nil
}
