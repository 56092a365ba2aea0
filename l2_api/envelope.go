package api

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
)

// timestampLayout is RFC 3339 in UTC with a fixed six-digit fraction.
const timestampLayout = "2006-01-02T15:04:05.000000Z07:00"

// envelope is the body of every /api/v1 response (SPEC §1.2).
type envelope struct {
	Success bool       `json:"success"`
	Data    any        `json:"data"`
	Meta    meta       `json:"meta"`
	Error   *errorBody `json:"error,omitempty"`
}

type meta struct {
	Timestamp  string `json:"timestamp"`
	RequestID  string `json:"request_id"`
	Total      *int64 `json:"total,omitempty"`
	Page       *int   `json:"page,omitempty"`
	PageSize   *int   `json:"page_size,omitempty"`
	HasMore    *bool  `json:"has_more,omitempty"`
	NextCursor string `json:"next_cursor,omitempty"`
}

type errorBody struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// page describes one page of a list for the envelope's meta.
type page struct {
	Total      int64
	Limit      int
	Offset     int
	HasMore    bool
	NextCursor string
}

// offsetPage describes a page read by offset: more follow when the rows
// before the end of this page are fewer than the total.
func offsetPage(total int64, limit, offset, items int) page {
	return page{Total: total, Limit: limit, Offset: offset, HasMore: int64(offset+items) < total}
}

func newMeta(c *fiber.Ctx) meta {
	return meta{Timestamp: time.Now().UTC().Format(timestampLayout), RequestID: requestID(c)}
}

// respond writes a success envelope.
func respond(c *fiber.Ctx, status int, data any) error {
	return c.Status(status).JSON(envelope{Success: true, Data: data, Meta: newMeta(c)})
}

// respondPage writes a success envelope for one page of a list.
func respondPage(c *fiber.Ctx, data any, p page) error {
	m := newMeta(c)
	pageNo := p.Offset/p.Limit + 1
	m.Total, m.Page, m.PageSize, m.HasMore, m.NextCursor = &p.Total, &pageNo, &p.Limit, &p.HasMore, p.NextCursor
	return c.Status(fiber.StatusOK).JSON(envelope{Success: true, Data: data, Meta: m})
}

// respondError writes an error envelope.
func respondError(c *fiber.Ctx, status int, body errorBody) error {
	return c.Status(status).JSON(envelope{Success: false, Meta: newMeta(c), Error: &body})
}

// marshalJSON is the encoder of every response body: encoding/json without
// HTML escaping. Escaping would write each '<', '>' and '&' of stored
// metadata as six bytes, so a record could come back several times larger
// than the 16 KiB its metadata was admitted at (SPEC §1.4); JSON bodies are
// never embedded in HTML, so the escaping protects nothing.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
