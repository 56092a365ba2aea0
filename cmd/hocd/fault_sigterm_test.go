package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hoc/l6_drivers/db/dbtest"
	"hoc/testkit"
)

// faultSigtermBatch is one batch of the SIGTERM load and its answer.
type faultSigtermBatch struct {
	callIDs []string
	faultAnswer
}

// TestFault_SIGTERMUnderLoadStoresEverythingAnsweredAndDrainsEvents runs a
// real hocd process (on every backend) under concurrent single-record and
// batch ingest from six clients, makes a rate-limited key collect 429s
// just before, and sends SIGTERM in the middle of the load.
//
// It proves that a graceful shutdown under load exits 0 within the stop
// timeout, that every request answered with success — including those in
// flight when the signal came — is stored under the id it was answered
// with, that no request is answered 500 while the server stops, and that
// the protection events still queued when the signal came (the 429s of the
// last moment) are in protection_events after the exit.
func TestFault_SIGTERMUnderLoadStoresEverythingAnsweredAndDrainsEvents(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			dbURL := dbtest.URL(t, dialect)
			load := faultSeedTenant(t, dbURL, faultSeed{name: "SIGTERM load"})
			limited := faultSeedTenant(t, dbURL, faultSeed{name: "SIGTERM limited", complete: true, limitedRPM: 3})
			proc := faultMustStartHocd(t, testkit.FreeAddr(t), dbURL, "HOC_PROTECTION_ROUTE_RPM=1000000", "HOC_PROTECTION_BURST_RPS=1000000",
				"HOC_LOG_LEVEL=info")
			base := "http://" + proc.addr
			client := faultHTTPClient(t)
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()

			stop := make(chan struct{})
			stopLoad := func() {
				select {
				case <-stop:
				default:
					close(stop)
				}
			}
			var mu sync.Mutex
			var singles []faultSample
			var batches []faultSigtermBatch
			var wg sync.WaitGroup
			defer func() { stopLoad(); wg.Wait() }()
			loop := func(fn func(i int) bool) {
				wg.Go(func() {
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						if !fn(i) {
							time.Sleep(10 * time.Millisecond) // refused by a real server going away: retried in real time
						}
					}
				})
			}
			for g := range 4 {
				loop(func(i int) bool {
					callID := fmt.Sprintf("term-s%d-%05d", g, i)
					reqCtx, reqCancel := context.WithTimeout(ctx, 40*time.Second)
					defer reqCancel()
					a := faultExchange(reqCtx, client, http.MethodPost, base+"/api/v1/telemetry/llm-usage", usage(callID),
						"X-CUS-Integration-Key", load.IntegrationKey)
					mu.Lock()
					singles = append(singles, faultSample{callID, a})
					mu.Unlock()
					return a.err == nil
				})
			}
			for g := range 2 {
				loop(func(i int) bool {
					var records []map[string]any
					var callIDs []string
					for j := range 50 {
						callID := fmt.Sprintf("term-b%d-%04d-%02d", g, i, j)
						records = append(records, usage(callID))
						callIDs = append(callIDs, callID)
					}
					reqCtx, reqCancel := context.WithTimeout(ctx, 40*time.Second)
					defer reqCancel()
					a := faultExchange(reqCtx, client, http.MethodPost, base+"/api/v1/telemetry/llm-usage/batch",
						map[string]any{"records": records}, "X-CUS-Integration-Key", load.IntegrationKey)
					mu.Lock()
					batches = append(batches, faultSigtermBatch{callIDs, a})
					mu.Unlock()
					return a.err == nil
				})
			}

			// The signal comes to a server under load: singles and batches
			// already answered, more in flight.
			testkit.WaitForWithin(t, "singles and batches answered before the signal", time.Minute, func() bool {
				mu.Lock()
				defer mu.Unlock()
				okSingles, okBatches := 0, 0
				for _, s := range singles {
					if s.err == nil && s.status == http.StatusCreated {
						okSingles++
					}
				}
				for _, b := range batches {
					if b.err == nil && (b.status == http.StatusOK || b.status == http.StatusMultiStatus) {
						okBatches++
					}
				}
				return okSingles >= 20 && okBatches >= 2
			})
			// The limited key allows 3 requests a minute: the rest are 429,
			// each one a protection event queued for the recorder.
			rejected := 0
			var limitedAnswers []faultAnswer
			for range 15 {
				a := faultExchange(ctx, client, http.MethodGet, base+"/api/v1/telemetry/usage-summary", nil, "X-AOS-Key", limited.LimitedKey)
				limitedAnswers = append(limitedAnswers, a)
				if a.err == nil && a.status == http.StatusTooManyRequests && a.code == "RATE_LIMITED" {
					rejected++
				} else if a.err != nil || a.status != http.StatusOK {
					t.Errorf("limited key before SIGTERM: %v", a)
				}
			}
			sigAt := time.Now()
			if err := proc.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			code, err := proc.waitExit(40 * time.Second)
			exitedAt := time.Now()
			stopLoad()
			wg.Wait()
			answers := limitedAnswers
			for _, s := range singles {
				answers = append(answers, s.faultAnswer)
			}
			for _, b := range batches {
				answers = append(answers, b.faultAnswer)
			}
			checkAnswersConform(t, answers)
			if err != nil {
				t.Fatalf("%v: %s", err, proc.stderr.Tail(4000))
			}
			if code != 0 {
				t.Fatalf("hocd exited %d after SIGTERM: %s", code, proc.stderr.Tail(4000))
			}
			if !strings.Contains(proc.stderr.String(), "shutting down") {
				t.Errorf("no shutdown log line: %s", proc.stderr.Tail(2000))
			}
			if rejected < 10 {
				t.Fatalf("only %d of 15 requests of the limited key were rate limited", rejected)
			}

			d := openFaultDB(t, dbURL)
			stored := faultStoredIDs(t, d, load.TenantID)
			var lost, internal []string
			okSingles, okBatches, inFlight := 0, 0, 0
			for _, s := range singles {
				if s.err == nil && s.status >= 500 && s.status != http.StatusServiceUnavailable {
					internal = append(internal, fmt.Sprintf("%s: %v", s.callID, s.faultAnswer))
				}
				if s.err != nil || (s.status != http.StatusCreated && s.status != http.StatusOK) {
					continue
				}
				okSingles++
				if s.sent.Before(sigAt) && s.done.After(sigAt) {
					inFlight++
				}
				if ids := stored[s.callID]; len(ids) != 1 || ids[0] != s.ingestedID() {
					lost = append(lost, fmt.Sprintf("single %s answered %d with id %s, stored as %v", s.callID, s.status, s.ingestedID(), ids))
				}
			}
			for _, b := range batches {
				if b.err == nil && b.status >= 500 && b.status != http.StatusServiceUnavailable {
					internal = append(internal, fmt.Sprintf("batch %s…: %v", b.callIDs[0], b.faultAnswer))
				}
				if b.err != nil || (b.status != http.StatusOK && b.status != http.StatusMultiStatus) {
					continue
				}
				okBatches++
				if b.sent.Before(sigAt) && b.done.After(sigAt) {
					inFlight++
				}
				var res struct {
					Results []struct {
						CallID string `json:"call_id"`
						Status string `json:"status"`
						ID     string `json:"id"`
					} `json:"results"`
				}
				if err := json.Unmarshal(b.data, &res); err != nil || len(res.Results) != len(b.callIDs) {
					t.Errorf("batch %s…: unreadable answer: %v", b.callIDs[0], b.faultAnswer)
					continue
				}
				for _, r := range res.Results {
					if r.Status != "accepted" && r.Status != "duplicate" {
						t.Errorf("batch record %s: %+v", r.CallID, r)
						continue
					}
					if ids := stored[r.CallID]; len(ids) != 1 || ids[0] != r.ID {
						lost = append(lost, fmt.Sprintf("batch record %s answered %s with id %s, stored as %v", r.CallID, r.Status, r.ID, ids))
					}
				}
			}
			t.Logf("SIGTERM after %d successful singles and %d batches so far (%d answered after the signal); exit 0 after %v; %d rate-limit rejections",
				okSingles, okBatches, inFlight, exitedAt.Sub(sigAt).Round(time.Millisecond), rejected)
			if okSingles == 0 || okBatches == 0 {
				t.Errorf("the load did not run: %d singles and %d batches succeeded", okSingles, okBatches)
			}
			if len(lost) > 0 {
				t.Errorf("%d records answered with success are not stored as answered (lost in the shutdown):\n%s", len(lost), faultLines(lost, 5))
			}
			if len(internal) > 0 {
				t.Errorf("%d requests were answered with a server error during the shutdown:\n%s", len(internal), faultLines(internal, 5))
			}
			faultCheckRollups(t, d, load.TenantID)

			var events int64
			if err := d.Conn(ctx).Raw(`SELECT count(*) FROM protection_events WHERE tenant_id = ? AND decision = 'reject'`,
				limited.TenantID).Scan(&events).Error; err != nil {
				t.Fatal(err)
			}
			if events != int64(rejected) {
				t.Errorf("%d requests were rejected just before SIGTERM, %d reject events are stored: the shutdown lost %d",
					rejected, events, int64(rejected)-events)
			}
		})
	}
}
