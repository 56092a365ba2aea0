package activity

import (
	engine "hoc/l5_engines/activity"
)

func recordIn(r *Record) *engine.Record {
	if r == nil {
		return nil
	}
	rec := engine.Record(*r)
	return &rec
}

func ingestOut(res engine.IngestResult) IngestResult {
	out := IngestResult{Accepted: res.Accepted, Duplicates: res.Duplicates, Conflicts: res.Conflicts, Rejected: res.Rejected,
		Results: make([]ItemResult, len(res.Results))}
	for i, r := range res.Results {
		out.Results[i] = ItemResult{Index: r.Index, CallID: r.CallID, Status: r.Status, ID: r.ID, Error: r.Error}
	}
	return out
}

func totalsOut(t engine.Totals) Totals {
	return Totals(t)
}
