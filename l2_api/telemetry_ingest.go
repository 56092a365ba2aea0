package api

import (
	"context"
	"fmt"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/gofiber/fiber/v2"

	telemetryadapter "hoc/l3_adapters/telemetry"
	"hoc/l4_spine/telemetry"
	"hoc/l5_engines/fault"
)

// maxBatchRecords is the most records one batch may carry (SPEC §3.3).
const maxBatchRecords = 1000

type telemetryRoutes struct{ telemetry *telemetryadapter.Telemetry }

// registerIngest adds the ingest routes, behind the ingest guard, which
// warns rather than refuses over budget.
func (r telemetryRoutes) registerIngest(rt router) {
	rt.v1.Post("/telemetry/llm-usage", rt.ingestGuard, r.ingestOne)
	rt.v1.Post("/telemetry/llm-usage/batch", rt.ingestGuard, r.ingestBatch)
}

// ingestOne handles POST /api/v1/telemetry/llm-usage: 201 accepted, 200
// duplicate (with the original id), 409 for a changed payload.
func (r telemetryRoutes) ingestOne(c *fiber.Ctx) error {
	dec, err := jsonBody(c)
	if err != nil {
		return err
	}
	rec, _, fields, err := readRecord(dec, "")
	if err = endOfBody(dec, err); err != nil {
		return err
	}
	if len(fields) > 0 {
		return fault.Validation(fields...)
	}
	ctx, err := operationContext(c)
	if err != nil {
		return err
	}
	res, err := r.telemetry.Ingest(ctx, []telemetry.Item{{CallID: rec.CallID, Record: rec}})
	if err != nil {
		return err
	}
	item := res.Results[0]
	switch item.Status {
	case telemetry.StatusAccepted:
		return respond(c, fiber.StatusCreated, ingestedJSON{Status: item.Status, ID: item.ID, CallID: item.CallID})
	case telemetry.StatusDuplicate:
		return respond(c, fiber.StatusOK, ingestedJSON{Status: item.Status, ID: item.ID, CallID: item.CallID})
	}
	if item.Error == nil {
		return fault.Internal(fmt.Errorf("record %s: status %q without an error", item.CallID, item.Status))
	}
	return item.Error
}

// ingestedJSON is the answer to one stored record.
type ingestedJSON struct {
	Status string `json:"status"`
	ID     string `json:"id"`
	CallID string `json:"call_id"`
}

// ingestBatch handles POST /api/v1/telemetry/llm-usage/batch {"records": [...]}.
// Records are judged one by one; the answer is 200 when every record is
// accepted or a duplicate, else 207 with a result per record in input order.
func (r telemetryRoutes) ingestBatch(c *fiber.Ctx) error {
	dec, err := jsonBody(c)
	if err != nil {
		return err
	}
	items, err := readBatch(c.UserContext(), dec)
	if err != nil {
		return err
	}
	ctx, err := operationContext(c)
	if err != nil {
		return err
	}
	res, err := r.telemetry.Ingest(ctx, items)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if res.Conflicts+res.Rejected > 0 {
		status = fiber.StatusMultiStatus
	}
	return respond(c, status, toBatchJSON(res))
}

// readBatch reads {"records": [...]} in one pass: every record is judged on
// its own, and a batch over maxBatchRecords is refused as soon as the
// reading gets past it. Other members are ignored. Reading stops when ctx
// ends (each record's work is bounded by its limits, so ctx is checked
// between records).
func readBatch(ctx context.Context, dec *jsontext.Decoder) ([]telemetry.Item, error) {
	notArray := fault.Validation(fault.FieldError{Field: "records", Message: "must be an array of records"})
	if dec.PeekKind() != '{' {
		_, err := dec.ReadValue()
		if err = endOfBody(dec, err); err != nil {
			return nil, err
		}
		return nil, fault.Validation(fault.FieldError{Field: "body", Message: "must be a JSON object"})
	}
	var items []telemetry.Item
	found := false
	_, err := dec.ReadToken()
	for err == nil && dec.PeekKind() != '}' {
		var name jsontext.Value
		if name, err = dec.ReadValue(); err != nil {
			break
		}
		if key, _ := unquote(name); key != "records" || found {
			err = dec.SkipValue()
			continue
		}
		found = true
		if dec.PeekKind() != '[' {
			if _, err = dec.ReadValue(); err == nil {
				err = notArray
			}
			break
		}
		items, err = readRecords(ctx, dec)
	}
	if err == nil {
		_, err = dec.ReadToken() // the closing brace
	}
	if fe, ok := fault.As(err); ok {
		return nil, fe
	}
	if err = endOfBody(dec, err); err != nil {
		return nil, err
	}
	switch {
	case !found:
		return nil, notArray
	case len(items) == 0:
		return nil, fault.Validation(fault.FieldError{Field: "records", Message: "must hold at least one record"})
	}
	return items, nil
}

// readRecords reads the elements of the records array.
func readRecords(ctx context.Context, dec *jsontext.Decoder) ([]telemetry.Item, error) {
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	var items []telemetry.Item
	for dec.PeekKind() != ']' {
		if ctx.Err() != nil {
			return nil, errOutOfTime
		}
		if len(items) == maxBatchRecords {
			return nil, fault.New(fault.KindTooLarge, fault.CodePayloadTooLarge, "a batch holds at most 1000 records")
		}
		rec, callID, fields, err := readRecord(dec, recordIndexPrefix(len(items)))
		if err != nil {
			return nil, err
		}
		item := telemetry.Item{CallID: callID, Record: rec}
		if len(fields) > 0 {
			item.Record, item.Error = nil, telemetry.RecordInvalid(fields)
		}
		items = append(items, item)
	}
	_, err := dec.ReadToken()
	return items, err
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
	Reason  string             `json:"reason,omitempty"`
	Fields  []fault.FieldError `json:"fields,omitempty"`
}

func toBatchJSON(res telemetry.IngestResult) batchJSON {
	out := batchJSON{
		Accepted: res.Accepted, Duplicates: res.Duplicates, Conflicts: res.Conflicts, Rejected: res.Rejected,
		Errors: res.Conflicts + res.Rejected, Total: len(res.Results), Results: make([]batchItemJSON, len(res.Results)),
	}
	for i, item := range res.Results {
		out.Results[i] = batchItemJSON{Index: item.Index, CallID: item.CallID, Status: item.Status, ID: item.ID}
		if e := item.Error; e != nil {
			reason, _ := e.Details["reason"].(string)
			fields, _ := e.Details["fields"].([]fault.FieldError)
			out.Results[i].Error = &recordErrorJSON{Code: e.Code, Message: e.Message, Reason: reason, Fields: fields}
		}
	}
	return out
}
