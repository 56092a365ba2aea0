package telemetry

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/telemetry"
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
// A record's refusal is a *fault.Error like any other: its kind is what a
// single-record request answers with, its details what a batch reports.
type Item struct {
	CallID string
	Record *Record
	Error  *fault.Error
}

// IngestRequest ingests items for a tenant. Integrations maps every
// integration id the items refer to (see ReferencedIntegrations) that is a
// live integration of the tenant to its status. CostSource is the tenant's
// setting (CostSourcePriceTable unless it chose CostSourceClient), and
// Pricer prices its calls from the price table; without one, records keep
// the client's figures.
type IngestRequest struct {
	TenantID         string
	KeyIntegrationID string
	Items            []Item
	Integrations     map[string]string
	CostSource       string
	Pricer           Pricer
}

// ItemResult is the outcome of one item. CostMicros is an accepted
// record's cost as stored (the client's, or the price table's).
type ItemResult struct {
	Index      int
	CallID     string
	Status     string
	ID         string
	Error      *fault.Error
	CostMicros int64
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
	req, index int // request and item it came from
	hash       []byte
	row        store.RecordRow
	// stored is the record stored under the call id once write is done:
	// this one if it was inserted, else the one found.
	storedID   string
	storedHash []byte
}

// callKey identifies a record for idempotency: call ids are unique per tenant.
type callKey struct{ tenantID, callID string }

// repeat is a later occurrence of a call_id that an earlier item of the
// same requests already carries.
type repeat struct {
	req, index int
	hash       []byte
	first      *pending
}

// Ingest judges one request's items and writes the new records; see
// IngestMany, of which it is the one-request case.
func (e *Engine) Ingest(ctx context.Context, req IngestRequest) (IngestResult, error) {
	res, err := e.IngestMany(ctx, []IngestRequest{req})
	if err != nil {
		return IngestResult{}, err
	}
	return res[0], nil
}

// IngestMany judges every item of several requests — of any tenants — and
// writes the new records of all of them with one store write, which adds
// exactly the records it inserted to the daily rollups and finds the stored
// record of every call id it skipped (see store.WriteRecords). The write is
// atomic on its own; a caller that writes more in the same unit (the
// onboarding triggers) runs it in a transaction.
//
// The outcome is as if the items had been ingested one after the other in
// order: an item whose call_id an earlier item (of any request of the same
// tenant) carries is compared with the record stored under that call id once
// the earlier one is done — a duplicate of it when the content is the same,
// a conflict when it differs.
func (e *Engine) IngestMany(ctx context.Context, reqs []IngestRequest) ([]IngestResult, error) {
	now := e.now().UTC()
	results := make([]IngestResult, len(reqs))
	first := make(map[callKey]*pending)
	var repeats []repeat
	var batch []*pending
	for ri, req := range reqs {
		results[ri].Results = make([]ItemResult, len(req.Items))
		for i, it := range req.Items {
			r := &results[ri].Results[i]
			*r = ItemResult{Index: i, CallID: it.CallID}
			if it.Error != nil {
				r.Status, r.Error = StatusRejected, it.Error
				continue
			}
			integrationID, rerr := e.judge(req, it.Record, now)
			if rerr != nil {
				r.Status, r.Error = StatusRejected, rerr
				continue
			}
			hash := contentHash(it.Record, integrationID)
			key := callKey{req.TenantID, it.Record.CallID}
			if p, ok := first[key]; ok {
				repeats = append(repeats, repeat{req: ri, index: i, hash: hash, first: p})
				continue
			}
			p := &pending{req: ri, index: i, hash: hash, row: newRow(req, integrationID, it.Record, hash, now)}
			first[key] = p
			batch = append(batch, p)
		}
	}
	if err := e.write(ctx, batch, results); err != nil {
		return nil, err
	}
	for _, rp := range repeats {
		r := &results[rp.req].Results[rp.index]
		if bytes.Equal(rp.hash, rp.first.storedHash) {
			r.Status, r.ID = StatusDuplicate, rp.first.storedID
		} else {
			r.Status, r.Error = StatusConflict, idempotencyConflict()
		}
	}
	for ri := range results {
		results[ri].count()
	}
	return results, nil
}

// count fills the counters from the results.
func (res *IngestResult) count() {
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
}

// judge resolves a record's integration and checks what needs state or the
// clock: the integration is the tenant's, live and enabled, the key may write
// for it, and occurred_at is in its window.
func (e *Engine) judge(req IngestRequest, r *Record, now time.Time) (string, *fault.Error) {
	id := r.IntegrationID
	switch {
	case id == "" && req.KeyIntegrationID == "":
		return "", fault.New(fault.KindValidation, fault.CodeMissingIntegrationID, "integration_id is required with this credential")
	case id == "":
		id = req.KeyIntegrationID
	case req.KeyIntegrationID != "" && id != req.KeyIntegrationID:
		return "", fault.Forbidden("integration_mismatch", "integration_id differs from the key's integration")
	}
	status, ok := req.Integrations[id]
	if !ok {
		return "", fault.NotFound("integration")
	}
	if status != integrationEnabled {
		return "", fault.New(fault.KindForbidden, fault.CodeIntegrationDisabled, "the integration is disabled")
	}
	if rerr := checkOccurredAt(r.OccurredAt, now); rerr != nil {
		return "", rerr
	}
	return id, nil
}

func idempotencyConflict() *fault.Error {
	return fault.New(fault.KindConflict, fault.CodeIdempotencyConflict, "call_id already stored with a different payload")
}

// newRow is the stored form of an accepted record, with the server defaults
// and its cost decided (see decideCost).
func newRow(req IngestRequest, integrationID string, r *Record, hash []byte, now time.Time) store.RecordRow {
	occurred := now
	if r.OccurredAt != nil {
		occurred = r.OccurredAt.UTC()
	}
	policy := PolicyAllowed
	if r.PolicyResult != nil {
		policy = *r.PolicyResult
	}
	c := decideCost(r, occurred, req.CostSource, req.Pricer)
	return store.RecordRow{
		ID: uuid.Must(uuid.NewV7()).String(), TenantID: req.TenantID, IntegrationID: integrationID, CallID: r.CallID,
		Provider: r.Provider, Model: r.Model, TokensIn: r.TokensIn, TokensOut: r.TokensOut, CostCents: c.cents,
		CostMicros: c.micros, LatencyMS: r.LatencyMS, SessionID: r.SessionID, AgentID: r.AgentID, PolicyResult: policy,
		ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage, Metadata: metadataOrEmpty(r.Metadata),
		OccurredAt: occurred, ReceivedAt: now, ContentHash: hash,
		CacheReadTokens: deref(r.CacheReadTokens), CacheWriteTokens: deref(r.CacheWriteTokens), ReasoningTokens: deref(r.ReasoningTokens),
		CostSource: c.source, ClientCostCents: c.clientCents, PriceID: c.priceID,
	}
}

func deref(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

// write stores the first occurrences (adding exactly those to the daily
// rollups) and marks each accepted, duplicate or conflict in results.
func (e *Engine) write(ctx context.Context, batch []*pending, results []IngestResult) error {
	if len(batch) == 0 {
		return nil
	}
	rows := make([]store.RecordRow, len(batch))
	byCall := make(map[callKey]*pending, len(batch))
	for i, p := range batch {
		rows[i] = p.row
		byCall[callKey{p.row.TenantID, p.row.CallID}] = p
	}
	w, err := e.records.WriteRecords(ctx, rows)
	if err != nil {
		return fmt.Errorf("write usage records: %w", err)
	}
	for _, ins := range w.Inserted {
		key := callKey{ins.TenantID, ins.CallID}
		p := byCall[key]
		r := &results[p.req].Results[p.index]
		r.Status, r.ID, r.CostMicros = StatusAccepted, ins.ID, p.row.CostMicros
		p.storedID, p.storedHash = ins.ID, p.hash
		delete(byCall, key)
	}
	for _, ex := range w.Existing {
		key := callKey{ex.TenantID, ex.CallID}
		p, ok := byCall[key]
		if !ok {
			continue
		}
		r := &results[p.req].Results[p.index]
		p.storedID, p.storedHash = ex.ID, ex.ContentHash
		if bytes.Equal(ex.ContentHash, p.hash) {
			r.Status, r.ID = StatusDuplicate, ex.ID
		} else {
			r.Status, r.Error = StatusConflict, idempotencyConflict()
		}
		delete(byCall, key)
	}
	if len(byCall) > 0 {
		return fmt.Errorf("%d usage records were neither inserted nor found", len(byCall))
	}
	return nil
}
