package api

import (
	"context"
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	spine "hoc/l4_spine"
	"hoc/l4_spine/activity"
)

// maxBatchRecords is the most records one batch may carry (SPEC §3.3).
const maxBatchRecords = 1000

// Telemetry is what the telemetry endpoints need; the l3 activity adapter
// implements it.
type Telemetry interface {
	Ingest(ctx context.Context, items []activity.BatchItem) (activity.IngestResult, error)
	Summary(ctx context.Context, in activity.RangeInput) (activity.Summary, error)
	Daily(ctx context.Context, in activity.RangeInput) ([]activity.DailyRow, error)
	History(ctx context.Context, in activity.HistoryInput) (activity.HistoryPage, error)
}

type telemetryRoutes struct{ telemetry Telemetry }

// ingestOne handles POST /api/v1/telemetry/llm-usage: 201 accepted, 200
// duplicate (with the original id), 409 for a changed payload.
func (r telemetryRoutes) ingestOne(c *fiber.Ctx) error {
	obj, err := decodeObject(c)
	if err != nil {
		return err
	}
	rec, fields := readRecord(obj, "")
	if len(fields) > 0 {
		return spine.Validation(fields...)
	}
	res, err := r.telemetry.Ingest(c.UserContext(), []activity.BatchItem{{CallID: rec.CallID, Record: rec}})
	if err != nil {
		return err
	}
	item := res.Results[0]
	switch item.Status {
	case activity.StatusAccepted:
		return respond(c, fiber.StatusCreated, fiber.Map{"status": item.Status, "id": item.ID, "call_id": item.CallID})
	case activity.StatusDuplicate:
		return respond(c, fiber.StatusOK, fiber.Map{"status": item.Status, "id": item.ID, "call_id": item.CallID})
	}
	return recordErrorAsError(item.Error)
}

// recordErrorAsError turns a record's refusal into the error a
// single-record request answers with.
func recordErrorAsError(e *activity.RecordError) error {
	if e == nil {
		return spine.Internal(nil)
	}
	err := spine.NewError(e.Kind, e.Code, e.Message)
	if len(e.Fields) > 0 {
		err = err.WithDetail("fields", e.Fields)
	}
	return err
}

// ingestBatch handles POST /api/v1/telemetry/llm-usage/batch {"records": [...]}.
// Records are judged one by one; the answer is 200 when every record is
// accepted or a duplicate, else 207 with a result per record in input order.
func (r telemetryRoutes) ingestBatch(c *fiber.Ctx) error {
	obj, err := decodeObject(c)
	if err != nil {
		return err
	}
	var records []json.RawMessage
	raw, ok := obj["records"]
	switch {
	case !ok || isNull(raw) || json.Unmarshal(raw, &records) != nil:
		return spine.Validation(spine.FieldError{Field: "records", Message: "must be an array of records"})
	case len(records) == 0:
		return spine.Validation(spine.FieldError{Field: "records", Message: "must hold at least one record"})
	case len(records) > maxBatchRecords:
		return spine.NewError(spine.KindTooLarge, spine.CodePayloadTooLarge, "a batch holds at most 1000 records")
	}
	items := make([]activity.BatchItem, len(records))
	for i, raw := range records {
		rec, fields := parseRecord(raw, recordIndexPrefix(i))
		if len(fields) > 0 {
			items[i] = activity.BatchItem{CallID: callIDOf(raw), Error: &activity.RecordError{
				Kind: spine.KindValidation, Code: spine.CodeValidationFailed, Message: "record validation failed", Fields: fields,
			}}
			continue
		}
		items[i] = activity.BatchItem{CallID: rec.CallID, Record: rec}
	}
	res, err := r.telemetry.Ingest(c.UserContext(), items)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if res.Conflicts+res.Rejected > 0 {
		status = fiber.StatusMultiStatus
	}
	return respond(c, status, toBatchJSON(res))
}

// callIDOf returns a refused record's call_id when it has a readable one,
// so the client can match results to records.
func callIDOf(raw json.RawMessage) string {
	var probe struct {
		CallID any `json:"call_id"`
	}
	_ = json.Unmarshal(raw, &probe)
	s, _ := probe.CallID.(string)
	return s
}

type batchJSON struct {
	Accepted   int             `json:"accepted"`
	Duplicates int             `json:"duplicates"`
	Conflicts  int             `json:"conflicts"`
	Rejected   int             `json:"rejected"`
	Errors     int             `json:"errors"`
	Total      int             `json:"total"`
	Results    []batchItemJSON `json:"results"`
}

type batchItemJSON struct {
	Index  int              `json:"index"`
	CallID string           `json:"call_id"`
	Status string           `json:"status"`
	ID     string           `json:"id,omitempty"`
	Error  *recordErrorJSON `json:"error,omitempty"`
}

type recordErrorJSON struct {
	Code    string             `json:"code"`
	Message string             `json:"message"`
	Fields  []spine.FieldError `json:"fields,omitempty"`
}

func toBatchJSON(res activity.IngestResult) batchJSON {
	out := batchJSON{
		Accepted: res.Accepted, Duplicates: res.Duplicates, Conflicts: res.Conflicts, Rejected: res.Rejected,
		Errors: res.Conflicts + res.Rejected, Total: len(res.Results), Results: make([]batchItemJSON, len(res.Results)),
	}
	for i, item := range res.Results {
		out.Results[i] = batchItemJSON{Index: item.Index, CallID: item.CallID, Status: item.Status, ID: item.ID}
		if item.Error != nil {
			out.Results[i].Error = &recordErrorJSON{Code: item.Error.Code, Message: item.Error.Message, Fields: item.Error.Fields}
		}
	}
	return out
}
