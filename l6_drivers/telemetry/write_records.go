package telemetry

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"hoc/l6_drivers/db"
)

// Written is the outcome of WriteRecords: the rows it stored, and for every
// other row the record already stored under its (tenant_id, call_id).
type Written struct {
	Inserted []Inserted
	Existing []Existing
}

// Inserted names a record that WriteRecords stored.
type Inserted struct {
	ID       string
	TenantID string
	CallID   string
}

// Existing is what idempotency needs of a stored record: its id, to answer a
// duplicate with the original, and its content hash, to tell a duplicate
// from a conflict.
type Existing struct {
	ID          string
	TenantID    string
	CallID      string
	ContentHash []byte
}

// WriteRecords is the whole write of an ingest, and the only one: it stores
// the rows that are new, adds exactly those to the daily rollups, and finds
// the stored record of every row it skipped — atomically, in the
// transaction of ctx when there is one, else on its own. Rows may belong to
// several tenants; the caller assigns ids (UUID v7), received_at and the
// content hash.
//
// The database decides which rows are new ((tenant_id, call_id) is unique,
// and the insert skips what it holds), so two concurrent writes of one
// call_id can never both store it. Rows are written in (tenant_id, call_id)
// order and rollup rows in key order, so that concurrent writes take the
// same locks in the same order and cannot deadlock.
//
// Each dialect has one write: on Postgres one statement per thousand rows
// (writePostgres), on SQLite three statements in one transaction
// (writeSQLite), because there WITH cannot hold an INSERT and a statement
// costs no round trip.
func (s *Store) WriteRecords(ctx context.Context, rows []RecordRow) (Written, error) {
	if len(rows) == 0 {
		return Written{}, nil
	}
	sorted := slices.Clone(rows)
	slices.SortFunc(sorted, func(a, b RecordRow) int {
		return cmp.Or(strings.Compare(a.TenantID, b.TenantID), strings.Compare(a.CallID, b.CallID))
	})
	if s.db.Dialect() == db.DialectPostgres {
		return s.writePostgres(ctx, sorted)
	}
	return s.writeSQLite(ctx, sorted)
}

// findSkipped returns the stored records of the rows that were not
// inserted: found, plus those it reads now for the rows found lacks.
func (s *Store) findSkipped(ctx context.Context, rows []RecordRow, inserted []Inserted, found []Existing) ([]Existing, error) {
	known := make(map[[2]string]bool, len(inserted)+len(found))
	for _, ins := range inserted {
		known[[2]string{ins.TenantID, ins.CallID}] = true
	}
	for _, ex := range found {
		known[[2]string{ex.TenantID, ex.CallID}] = true
	}
	missing := make(map[string][]string) // tenant → call ids
	for _, r := range rows {
		if !known[[2]string{r.TenantID, r.CallID}] {
			missing[r.TenantID] = append(missing[r.TenantID], r.CallID)
		}
	}
	for tenantID, callIDs := range missing {
		for _, c := range chunks(len(callIDs), inListChunk) {
			var got []Existing
			err := s.db.Conn(ctx).Raw("SELECT id, tenant_id, call_id, content_hash FROM usage_records WHERE tenant_id = ? AND call_id IN ?",
				tenantID, callIDs[c[0]:c[1]]).Find(&got).Error
			if err != nil {
				return nil, fmt.Errorf("find usage records by call id: %w", db.Classify(err))
			}
			found = append(found, got...)
		}
	}
	return found, nil
}
