package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hoc/testkit"
)

// faultKillBatch is one SDK batch and what became of it.
type faultKillBatch struct {
	name     string
	records  []map[string]any
	tokensIn int64
	acked    bool              // answered 200/207 with every record accepted or duplicate
	ackedIDs map[string]string // call id → id in the acknowledgement
	refused  []string          // records answered with anything else (conflict, rejected)
	dups     int               // records acknowledged as duplicate (a retry of a write that landed)
	attempts int
	failures []string      // why earlier attempts failed
	answers  []faultAnswer // every attempt's answer, checked against openapi.json after the load
}

// TestFault_KillNineDuringBatchTrafficLosesNothingAcknowledged runs two real
// hocd processes on one Postgres database while four SDK-like clients send
// batches of 100–200 records (distinct call ids), retrying a failed or
// refused batch, unchanged, against the other process. Once a third of the
// batches are acknowledged, and while a batch is in flight to it, one
// process is killed with SIGKILL and a new one is started in its place.
//
// It proves that a process dying mid-write loses and duplicates nothing:
// every batch is acknowledged in the end (the retries land), every
// acknowledged record is stored exactly once under the id its
// acknowledgement named, no batch is half stored, no call id is stored
// twice, and the daily rollups (and the usage summary read through the API)
// equal a recount of the stored records.
//
// SQLite is not run: two processes on one SQLite file is not a supported
// deployment.
func TestFault_KillNineDuringBatchTrafficLosesNothingAcknowledged(t *testing.T) {
	t.Parallel()
	dbURL := faultPostgresURL(t)
	f := faultSeedTenant(t, dbURL, faultSeed{name: "Kill nine"})
	env := []string{"HOC_PROTECTION_ROUTE_RPM=1000000", "HOC_PROTECTION_BURST_RPS=1000000"}

	var addrMu sync.Mutex
	addrs := []string{testkit.FreeAddr(t), testkit.FreeAddr(t)}
	procs := make([]*faultProcess, 2)
	for i := range procs {
		var err error
		if procs[i], err = faultStartHocd(t, addrs[i], dbURL, env...); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range procs {
		if err := p.waitServing(30 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	addrOf := func(i int) string {
		addrMu.Lock()
		defer addrMu.Unlock()
		return addrs[i]
	}

	const clients, perClient = 4, 10
	batches := make([][]*faultKillBatch, clients)
	total, totalRecords := 0, 0
	for c := range clients {
		for b := range perClient {
			size := 100 + (total*37)%101
			kb := &faultKillBatch{name: fmt.Sprintf("c%d-b%02d", c, b), ackedIDs: map[string]string{}}
			for j := range size {
				rec := usage(fmt.Sprintf("k9-%s-%03d", kb.name, j), func(m map[string]any) {
					m["tokens_in"], m["tokens_out"], m["cost_cents"] = 10+j, 1+j%7, j%3
				})
				kb.records = append(kb.records, rec)
				kb.tokensIn += int64(10 + j)
			}
			batches[c] = append(batches[c], kb)
			total++
			totalRecords += size
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	client := faultHTTPClient(t)
	const victim = 0
	var inflight [2]atomic.Int32
	var acked atomic.Int32
	send := func(c int, kb *faultKillBatch, first int) {
		target := first
		body := map[string]any{"records": kb.records}
		for {
			if ctx.Err() != nil {
				kb.failures = append(kb.failures, "gave up: "+ctx.Err().Error())
				return
			}
			kb.attempts++
			inflight[target].Add(1)
			reqCtx, reqCancel := context.WithTimeout(ctx, 20*time.Second)
			a := faultExchange(reqCtx, client, http.MethodPost, "http://"+addrOf(target)+"/api/v1/telemetry/llm-usage/batch", body,
				"X-CUS-Integration-Key", f.IntegrationKey)
			reqCancel()
			inflight[target].Add(-1)
			kb.answers = append(kb.answers, a)
			if a.err == nil && (a.status == http.StatusOK || a.status == http.StatusMultiStatus) {
				var res struct {
					Results []struct {
						CallID string `json:"call_id"`
						Status string `json:"status"`
						ID     string `json:"id"`
					} `json:"results"`
				}
				if err := json.Unmarshal(a.data, &res); err != nil || len(res.Results) != len(kb.records) {
					kb.refused = append(kb.refused, fmt.Sprintf("unreadable answer (%v): %v", err, a))
					return
				}
				for i, r := range res.Results {
					callID := kb.records[i]["call_id"].(string)
					if r.CallID != callID || (r.Status != "accepted" && r.Status != "duplicate") || r.ID == "" {
						kb.refused = append(kb.refused, fmt.Sprintf("%s: %+v", callID, r))
						continue
					}
					kb.ackedIDs[callID] = r.ID
					if r.Status == "duplicate" {
						kb.dups++
					}
				}
				kb.acked = len(kb.refused) == 0
				acked.Add(1)
				return
			}
			kb.failures = append(kb.failures, fmt.Sprintf("attempt %d to process %d: %v", kb.attempts, target, a))
			target = 1 - target // an SDK retry: same records, the other replica
			// An SDK's backoff against real processes, in real time.
			time.Sleep(min(time.Duration(kb.attempts)*25*time.Millisecond, 250*time.Millisecond))
		}
	}

	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for b, kb := range batches[c] {
				send(c, kb, (c+b)%2)
			}
		})
	}

	// The killer: SIGKILL the victim mid-traffic, then start its replacement.
	type killReport struct {
		inflight int32
		acked    int32
		restart  time.Duration
		err      error
	}
	killed := make(chan killReport, 1)
	go func() {
		var rep killReport
		defer func() { killed <- rep }()
		for acked.Load() < int32(total/3) || inflight[victim].Load() == 0 {
			if ctx.Err() != nil {
				rep.err = fmt.Errorf("never reached the kill point: %d of %d batches acknowledged", acked.Load(), total)
				return
			}
			time.Sleep(time.Millisecond) // the kill point is in real traffic to real processes: polled in real time
		}
		rep.inflight, rep.acked = inflight[victim].Load(), acked.Load()
		if rep.err = procs[victim].kill(); rep.err != nil {
			return
		}
		start := time.Now()
		// In its place: the same address (its port is free again once the
		// process is gone), or a new one should the port have been taken.
		for attempt := 0; attempt < 2; attempt++ {
			addr := addrOf(victim)
			if attempt > 0 {
				ln, err := testkit.PickFreeAddr()
				if err != nil {
					rep.err = err
					return
				}
				addr = ln
			}
			p, err := faultStartHocd(t, addr, dbURL, env...)
			if err == nil {
				err = p.waitServing(30 * time.Second)
			}
			if err == nil {
				addrMu.Lock()
				addrs[victim], procs[victim] = addr, p
				addrMu.Unlock()
				rep.restart = time.Since(start)
				return
			}
			rep.err = err
		}
	}()

	wg.Wait()
	rep := <-killed
	if rep.err != nil {
		t.Fatalf("kill and replace process %d: %v", victim, rep.err)
	}
	// The replacement serves: one more batch, sent to it first.
	after := &faultKillBatch{name: "after-restart", ackedIDs: map[string]string{}}
	for j := range 150 {
		after.records = append(after.records, usage(fmt.Sprintf("k9-after-%03d", j), func(m map[string]any) { m["tokens_in"] = 10 + j }))
		after.tokensIn += int64(10 + j)
	}
	send(0, after, victim)
	if !after.acked || after.attempts != 1 {
		t.Errorf("the replacement process did not acknowledge a batch at once: %d attempts, refused %v, failures %v",
			after.attempts, after.refused, after.failures)
	}
	batches = append(batches, []*faultKillBatch{after})
	total++
	totalRecords += len(after.records)
	t.Logf("killed process %d with %d batch(es) in flight to it after %d of %d batches were acknowledged; replacement served after %v",
		victim, rep.inflight, rep.acked, total, rep.restart.Round(time.Millisecond))

	retried, dups := 0, 0
	var answers []faultAnswer
	for _, list := range batches {
		for _, kb := range list {
			if kb.attempts > 1 {
				retried++
			}
			dups += kb.dups
			answers = append(answers, kb.answers...)
		}
	}
	checkAnswersConform(t, answers)
	t.Logf("%d batches, %d records; %d batch(es) needed a retry, %d record(s) were acknowledged as duplicates",
		total, totalRecords, retried, dups)

	d := openFaultDB(t, dbURL)
	stored := faultStoredIDs(t, d, f.TenantID)
	known := map[string]bool{}
	var storedTokens int64
	for _, list := range batches {
		for _, kb := range list {
			if !kb.acked {
				t.Errorf("batch %s (%d records) was never acknowledged after %d attempts: refused %v; failures %v",
					kb.name, len(kb.records), kb.attempts, kb.refused, kb.failures)
			}
			var present, missing []string
			for _, rec := range kb.records {
				callID := rec["call_id"].(string)
				known[callID] = true
				ids := stored[callID]
				if len(ids) == 0 {
					missing = append(missing, callID)
					continue
				}
				present = append(present, callID)
				if ack, ok := kb.ackedIDs[callID]; ok && ack != ids[0] {
					t.Errorf("record %s of batch %s was acknowledged with id %s but is stored as %s", callID, kb.name, ack, ids[0])
				}
			}
			if len(present) != 0 && len(missing) != 0 {
				t.Errorf("batch %s is half stored: %d of its %d records are stored, missing %s",
					kb.name, len(present), len(kb.records), faultFirstN(missing, 5))
			}
			var lostAcked []string
			for _, callID := range missing {
				if _, ok := kb.ackedIDs[callID]; ok {
					lostAcked = append(lostAcked, callID)
				}
			}
			if len(lostAcked) > 0 {
				t.Errorf("batch %s: %d acknowledged records are not stored (lost): %s", kb.name, len(lostAcked), faultFirstN(lostAcked, 5))
			}
			if len(missing) == 0 {
				storedTokens += kb.tokensIn
			}
		}
	}
	storedRecords := 0
	for callID, ids := range stored {
		storedRecords += len(ids)
		if len(ids) > 1 {
			t.Errorf("call id %s is stored %d times (ids %v)", callID, len(ids), ids)
		}
		if !known[callID] {
			t.Errorf("call id %s is stored but was never sent", callID)
		}
	}
	if storedRecords != totalRecords {
		t.Errorf("%d records stored, %d sent and acknowledged", storedRecords, totalRecords)
	}
	faultCheckRollups(t, d, f.TenantID)
	for i := range procs {
		calls, tokensIn := faultSummaryTotals(t, client, addrOf(i), f.ReadKey)
		if calls != int64(storedRecords) || tokensIn != storedTokens {
			t.Errorf("process %d's usage summary says %d calls and %d tokens in; the stored records are %d and %d",
				i, calls, tokensIn, storedRecords, storedTokens)
		}
	}
	if t.Failed() {
		for i := range procs {
			t.Logf("process %d (%s) log tail: %s", i, addrOf(i), procs[i].stderr.Tail(3000))
		}
	}
}
