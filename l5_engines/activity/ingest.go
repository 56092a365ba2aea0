package activity

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/activity"
)

// The statuses of an ingested record.
const (
	StatusAccepted  = "accepted"
	StatusDuplicate = "duplicate"
	StatusConflict  = "conflict"
	StatusRejected  = "rejected"
)

// The integration statuses ingest distinguishes.
const integrationEnabled = "enabled"

// Item is one record of a request, or the error the HTTP layer found in it.
type Item struct {
	CallID string
	Record *Record
	Error  *RecordError
}

// IngestRequest ingests items for a tenant. Integrations maps every
// integration id the items refer to (see ReferencedIntegrations) that is a
// live integration of the tenant to its status.
type IngestRequest struct {
	TenantID         string
	KeyIntegrationID string
	Items            []Item
	Integrations     map[string]string
}

// ItemResult is the outcome of one item.
type ItemResult struct {
	Index  int
	CallID string
	Status string
	ID     string
	Error  *RecordError
}

// IngestResult counts outcomes and lists them in input order.
type IngestResult struct {
	Accepted, Duplicates, Conflicts, Rejected int
	Results                                   []ItemResult
}

// ReferencedIntegrations returns the integration ids the items name or
// inherit from the key, for the caller to look up in one read.
func ReferencedIntegrations(keyIntegrationID string, items []Item) []string {
	seen := make(map[string]bool)
	var ids []string
	for _, it := range items {
		if it.Record == nil {
			continue
		}
		id := it.Record.IntegrationID
		if id == "" {
			id = keyIntegrationID
		}
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// pending is a record that passed every check and will be inserted, unless
// its call_id is already stored.
type pending struct {
	index int
	hash  []byte
	row   store.RecordRow
}

// Ingest judges every item, inserts the new records with one set-based
// insert-or-ignore, resolves the rest against what is stored, and bumps the
// daily rollups by exactly the records inserted. Run it inside one
// transaction so records and rollups commit together.
func (e *Engine) Ingest(ctx context.Context, req IngestRequest) (IngestResult, error) {
	now := e.now().UTC()
	res := IngestResult{Results: make([]ItemResult, len(req.Items))}
	first := make(map[string]*pending, len(req.Items)) // call_id → first valid occurrence
	repeats := make(map[int]*pending)                  // later occurrences → the first one
	hashes := make(map[int][]byte)
	var batch []*pending
	for i, it := range req.Items {
		res.Results[i] = ItemResult{Index: i, CallID: it.CallID}
		if it.Error != nil {
			res.Results[i].Status, res.Results[i].Error = StatusRejected, it.Error
			continue
		}
		integrationID, rerr := e.judge(req, it.Record, now)
		if rerr != nil {
			res.Results[i].Status, res.Results[i].Error = StatusRejected, rerr
			continue
		}
		hash := contentHash(it.Record, integrationID)
		if p, ok := first[it.Record.CallID]; ok {
			repeats[i], hashes[i] = p, hash
			continue
		}
		p := &pending{index: i, hash: hash, row: newRow(req.TenantID, integrationID, it.Record, hash, now)}
		first[it.Record.CallID] = p
		batch = append(batch, p)
	}
	if err := e.write(ctx, req.TenantID, batch, res.Results); err != nil {
		return IngestResult{}, err
	}
	for i, p := range repeats {
		firstResult := res.Results[p.index]
		switch {
		case !bytes.Equal(hashes[i], p.hash) || firstResult.Status == StatusConflict:
			res.Results[i].Status, res.Results[i].Error = StatusConflict, idempotencyConflict()
		default:
			res.Results[i].Status, res.Results[i].ID = StatusDuplicate, firstResult.ID
		}
	}
	for _, r := range res.Results {
		switch r.Status {
		case StatusAccepted:
			res.Accepted++
		case StatusDuplicate:
			res.Duplicates++
		case StatusConflict:
			res.Conflicts++
		case StatusRejected:
			res.Rejected++
		}
	}
	return res, nil
}

// judge resolves a record's integration and checks what needs state or the
// clock: the integration is the tenant's, live and enabled, the key may write
// for it, and occurred_at is in its window.
func (e *Engine) judge(req IngestRequest, r *Record, now time.Time) (string, *RecordError) {
	id := r.IntegrationID
	switch {
	case id == "" && req.KeyIntegrationID == "":
		return "", &RecordError{Kind: fault.KindValidation, Code: fault.CodeMissingIntegrationID,
			Message: "integration_id is required with this credential"}
	case id == "":
		id = req.KeyIntegrationID
	case req.KeyIntegrationID != "" && id != req.KeyIntegrationID:
		return "", &RecordError{Kind: fault.KindForbidden, Code: fault.CodeForbidden,
			Message: "integration_id differs from the key's integration", Fields: nil}
	}
	status, ok := req.Integrations[id]
	if !ok {
		return "", &RecordError{Kind: fault.KindNotFound, Code: fault.CodeNotFound, Message: "integration not found"}
	}
	if status != integrationEnabled {
		return "", &RecordError{Kind: fault.KindForbidden, Code: fault.CodeIntegrationDisabled, Message: "the integration is disabled"}
	}
	if rerr := checkOccurredAt(r.OccurredAt, now); rerr != nil {
		return "", rerr
	}
	return id, nil
}

func idempotencyConflict() *RecordError {
	return &RecordError{Kind: fault.KindConflict, Code: fault.CodeIdempotencyConflict,
		Message: "call_id already stored with a different payload"}
}

// newRow is the stored form of an accepted record, with the server defaults.
func newRow(tenantID, integrationID string, r *Record, hash []byte, now time.Time) store.RecordRow {
	occurred := now
	if r.OccurredAt != nil {
		occurred = r.OccurredAt.UTC()
	}
	micros := r.CostCents * microsPerCent
	if r.CostMicros != nil {
		micros = *r.CostMicros
	}
	policy := PolicyAllowed
	if r.PolicyResult != nil {
		policy = *r.PolicyResult
	}
	return store.RecordRow{
		ID: uuid.Must(uuid.NewV7()).String(), TenantID: tenantID, IntegrationID: integrationID, CallID: r.CallID,
		Provider: r.Provider, Model: r.Model, TokensIn: r.TokensIn, TokensOut: r.TokensOut, CostCents: r.CostCents,
		CostMicros: micros, LatencyMS: r.LatencyMS, SessionID: r.SessionID, AgentID: r.AgentID, PolicyResult: policy,
		ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage, Metadata: metadataOrEmpty(r.Metadata),
		OccurredAt: occurred, ReceivedAt: now, ContentHash: hash,
	}
}

// write inserts the batch's first occurrences, marks each accepted, duplicate
// or conflict in results, and adds the inserted records to the rollups.
func (e *Engine) write(ctx context.Context, tenantID string, batch []*pending, results []ItemResult) error {
	if len(batch) == 0 {
		return nil
	}
	rows := make([]store.RecordRow, len(batch))
	byCall := make(map[string]*pending, len(batch))
	for i, p := range batch {
		rows[i] = p.row
		byCall[p.row.CallID] = p
	}
	inserted, err := e.store.InsertRecords(ctx, rows)
	if err != nil {
		return fmt.Errorf("insert usage records: %w", err)
	}
	var deltas []store.RollupDelta
	for _, ins := range inserted {
		p := byCall[ins.CallID]
		results[p.index].Status, results[p.index].ID = StatusAccepted, ins.ID
		deltas = append(deltas, rollupDelta(p.row))
		delete(byCall, ins.CallID)
	}
	if len(byCall) > 0 {
		callIDs := make([]string, 0, len(byCall))
		for callID := range byCall {
			callIDs = append(callIDs, callID)
		}
		existing, err := e.store.FindByCallIDs(ctx, tenantID, callIDs)
		if err != nil {
			return fmt.Errorf("find stored usage records: %w", err)
		}
		for _, ex := range existing {
			p, ok := byCall[ex.CallID]
			if !ok {
				continue
			}
			if bytes.Equal(ex.ContentHash, p.hash) {
				results[p.index].Status, results[p.index].ID = StatusDuplicate, ex.ID
			} else {
				results[p.index].Status, results[p.index].Error = StatusConflict, idempotencyConflict()
			}
			delete(byCall, ex.CallID)
		}
		if len(byCall) > 0 {
			return fmt.Errorf("%d usage records were neither inserted nor found", len(byCall))
		}
	}
	if len(deltas) == 0 {
		return nil
	}
	if err := e.store.ApplyRollups(ctx, deltas); err != nil {
		return fmt.Errorf("apply usage rollups: %w", err)
	}
	return nil
}

// rollupDelta is what one inserted record adds to its day's rollup.
func rollupDelta(r store.RecordRow) store.RollupDelta {
	d := store.RollupDelta{
		TenantID: r.TenantID, Day: r.OccurredAt.UTC().Format(dateLayout), IntegrationID: r.IntegrationID,
		Provider: r.Provider, Model: r.Model, Calls: 1, TokensIn: r.TokensIn, TokensOut: r.TokensOut,
		CostCents: r.CostCents, CostMicros: r.CostMicros,
	}
	if r.LatencyMS != nil {
		d.LatencySum, d.LatencyCount = *r.LatencyMS, 1
	}
	if r.ErrorCode != nil && *r.ErrorCode != "" {
		d.ErrorCount = 1
	}
	if r.PolicyResult == "blocked" {
		d.BlockedCount = 1
	}
	return d
}
