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

func recordErrorIn(e *RecordError) *engine.RecordError {
	if e == nil {
		return nil
	}
	return &engine.RecordError{Kind: e.Kind, Code: e.Code, Message: e.Message, Fields: e.Fields}
}

func ingestOut(res engine.IngestResult) IngestResult {
	out := IngestResult{Accepted: res.Accepted, Duplicates: res.Duplicates, Conflicts: res.Conflicts, Rejected: res.Rejected,
		Results: make([]ItemResult, len(res.Results))}
	for i, r := range res.Results {
		out.Results[i] = ItemResult{Index: r.Index, CallID: r.CallID, Status: r.Status, ID: r.ID}
		if r.Error != nil {
			out.Results[i].Error = &RecordError{Kind: r.Error.Kind, Code: r.Error.Code, Message: r.Error.Message, Fields: r.Error.Fields}
		}
	}
	return out
}

func totalsOut(t engine.Totals) Totals {
	return Totals(t)
}
