package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"hoc/cmd/hocd/internal/faultproxy"
	"hoc/testkit"
)

// faultAnswerBound is how long any request may take while the database is
// down ("within a few seconds"). The stall lasts longer, so a request held
// until the database comes back, instead of answered 503, fails the test.
const faultAnswerBound = 10 * time.Second

// faultHealthySeen is how many ingests must succeed with the database up,
// before the outage and again after the recovery, before the test moves on:
// the healthy phases are judged on that many answers, however long a busy
// machine takes to give them.
const faultHealthySeen = 20

// faultSample is one request of the load and its answer.
type faultSample struct {
	callID string // empty for /ready
	faultAnswer
}

// TestFault_PostgresOutageIsAnswered503AndTheProcessRecovers puts a TCP
// proxy between one real hocd process and Postgres and, under a light load
// of single-record ingests from three clients and a /ready poller, makes
// the database fail two ways:
//
//   - cut: every connection is closed and new ones are refused for 4 s (a
//     database that died or restarts);
//   - stall: nothing is forwarded for 12 s, longer than faultAnswerBound (a
//     hung database: no error, only silence).
//
// It proves that while the database is down every request is answered
// within faultAnswerBound (10 s) with 503 UNAVAILABLE (or a success, for a
// request the outage did not touch), that /ready answers 503, that the same
// process recovers without a restart once the database is back (ingests
// succeed and /ready answers 200 again), and that every ingest acknowledged
// at any time — before, during or after the outage — is stored under the id
// it was answered with.
func TestFault_PostgresOutageIsAnswered503AndTheProcessRecovers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		outage time.Duration
		begin  func(p *faultproxy.Proxy) error
	}{
		{"cut", 4 * time.Second, func(p *faultproxy.Proxy) error { p.Cut(); return nil }},
		{"stall", faultAnswerBound + 2*time.Second, (*faultproxy.Proxy).Stall},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbURL := faultPostgresURL(t)
			f := faultSeedTenant(t, dbURL, faultSeed{name: "Outage " + tc.name, complete: true})
			proxy := faultStartProxy(t, faultHostOf(t, dbURL))
			proc := faultMustStartHocd(t, testkit.FreeAddr(t), faultWithHost(t, dbURL, proxy.Addr()),
				"HOC_PROTECTION_ROUTE_RPM=1000000", "HOC_PROTECTION_BURST_RPS=1000000")
			base := "http://" + proc.addr
			client := faultHTTPClient(t)

			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			stop := make(chan struct{})
			var mu sync.Mutex
			var ingests, readies []faultSample
			var wg sync.WaitGroup
			for g := range 3 {
				wg.Go(func() {
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						callID := fmt.Sprintf("pg-%s-%d-%05d", tc.name, g, i)
						reqCtx, reqCancel := context.WithTimeout(ctx, faultAnswerBound+10*time.Second)
						a := faultExchange(reqCtx, client, http.MethodPost, base+"/api/v1/telemetry/llm-usage", usage(callID),
							"X-CUS-Integration-Key", f.IntegrationKey)
						reqCancel()
						mu.Lock()
						ingests = append(ingests, faultSample{callID, a})
						mu.Unlock()
						time.Sleep(20 * time.Millisecond) // a light load on a real server: paced in real time
					}
				})
			}
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					reqCtx, reqCancel := context.WithTimeout(ctx, faultAnswerBound+10*time.Second)
					a := faultExchange(reqCtx, client, http.MethodGet, base+"/ready", nil)
					reqCancel()
					mu.Lock()
					readies = append(readies, faultSample{"", a})
					mu.Unlock()
					time.Sleep(100 * time.Millisecond) // a /ready poller of a real server: paced in real time
				}
			})
			defer func() { // also on t.Fatal
				select {
				case <-stop:
				default:
					close(stop)
				}
				wg.Wait()
			}()

			// The load runs on a healthy database first.
			answeredSince := func(since time.Time) int {
				mu.Lock()
				defer mu.Unlock()
				n := 0
				for _, s := range ingests {
					if s.sent.After(since) && s.err == nil && s.status == http.StatusCreated {
						n++
					}
				}
				return n
			}
			testkit.WaitForWithin(t, "ingests answered on the healthy database", time.Minute,
				func() bool { return answeredSince(time.Time{}) >= faultHealthySeen })
			faultAt := time.Now()
			if err := tc.begin(proxy); err != nil {
				t.Fatal(err)
			}
			time.Sleep(tc.outage) // the outage itself: real time that a real process lives through
			restoreAt := time.Now()
			if err := proxy.Restore(); err != nil {
				t.Fatal(err)
			}

			// Recovery: an ingest and a /ready, both sent after the restore,
			// succeed — the same process, not a new one.
			var recoveredAt time.Time
			for recoveredAt.IsZero() {
				mu.Lock()
				ingestOK, readyOK := time.Time{}, time.Time{}
				for _, s := range ingests {
					if s.sent.After(restoreAt) && s.err == nil && s.status == http.StatusCreated && (ingestOK.IsZero() || s.done.Before(ingestOK)) {
						ingestOK = s.done
					}
				}
				for _, s := range readies {
					if s.sent.After(restoreAt) && s.err == nil && s.status == http.StatusOK && (readyOK.IsZero() || s.done.Before(readyOK)) {
						readyOK = s.done
					}
				}
				mu.Unlock()
				if !ingestOK.IsZero() && !readyOK.IsZero() {
					recoveredAt = ingestOK
					if readyOK.After(ingestOK) {
						recoveredAt = readyOK
					}
					break
				}
				if proc.hasExited() {
					t.Fatalf("hocd exited during the outage (%v): %s", proc.err, proc.stderr.Tail(4000))
				}
				if time.Since(restoreAt) > 20*time.Second {
					t.Fatalf("hocd has not recovered 20s after the database came back (ingest ok: %v, /ready ok: %v); log: %s",
						!ingestOK.IsZero(), !readyOK.IsZero(), proc.stderr.Tail(4000))
				}
				time.Sleep(50 * time.Millisecond) // the answers of a real process: asked for again in real time
			}
			testkit.WaitForWithin(t, "ingests answered after the recovery", time.Minute,
				func() bool { return answeredSince(recoveredAt) >= faultHealthySeen })
			close(stop)
			wg.Wait()
			if proc.hasExited() {
				t.Fatalf("hocd exited (%v): %s", proc.err, proc.stderr.Tail(4000))
			}
			t.Logf("%s for %v: %d ingests, %d /ready; recovered %v after the restore",
				tc.name, tc.outage, len(ingests), len(readies), recoveredAt.Sub(restoreAt).Round(time.Millisecond))
			var answers []faultAnswer
			for _, s := range slices.Concat(ingests, readies) {
				answers = append(answers, s.faultAnswer)
			}
			checkAnswersConform(t, answers)

			// What each answer may be, by when it was sent and answered.
			var slow, wrong []string
			unavailable, longest := 0, time.Duration(0)
			for _, s := range ingests {
				longest = max(longest, s.took())
				success := s.err == nil && (s.status == http.StatusCreated || s.status == http.StatusOK)
				is503 := s.err == nil && s.status == http.StatusServiceUnavailable && s.code == "UNAVAILABLE"
				switch {
				case s.done.Before(faultAt):
					if !success {
						wrong = append(wrong, fmt.Sprintf("%s before the outage: %v", s.callID, s.faultAnswer))
					}
				case s.sent.After(recoveredAt):
					if !success {
						wrong = append(wrong, fmt.Sprintf("%s after the recovery: %v", s.callID, s.faultAnswer))
					}
				default:
					if s.took() > faultAnswerBound {
						slow = append(slow, fmt.Sprintf("%s sent %v into the outage: %v",
							s.callID, s.sent.Sub(faultAt).Round(time.Millisecond), s.faultAnswer))
					} else if !success && !is503 {
						wrong = append(wrong, fmt.Sprintf("%s during the outage: %v (want 503 UNAVAILABLE or a success)\n%s",
							s.callID, s.faultAnswer, proc.logFor(s.reqID)))
					}
					if is503 && s.sent.Before(restoreAt) {
						unavailable++
					}
				}
			}
			t.Logf("%s: %d ingests answered 503 UNAVAILABLE during the outage; the slowest ingest took %v",
				tc.name, unavailable, longest.Round(time.Millisecond))
			if len(slow) > 0 {
				t.Errorf("%d ingests took longer than %v while the database was down (longest %v), e.g.:\n%s",
					len(slow), faultAnswerBound, longest.Round(time.Millisecond), faultLines(slow, 5))
			}
			if len(wrong) > 0 {
				t.Errorf("%d ingests got a wrong answer, e.g.:\n%s", len(wrong), faultLines(wrong, 5))
			}
			if unavailable == 0 {
				t.Errorf("no ingest sent during the %s was answered 503 UNAVAILABLE", tc.name)
			}

			var readyWrong []string
			readyDown := 0
			for _, s := range readies {
				if s.took() > faultAnswerBound {
					readyWrong = append(readyWrong, fmt.Sprintf("/ready took %v (sent %v into the outage)",
						s.took().Round(time.Millisecond), s.sent.Sub(faultAt).Round(time.Millisecond)))
				}
				if s.sent.After(faultAt) && s.done.Before(restoreAt) {
					if s.err != nil || s.status != http.StatusServiceUnavailable {
						readyWrong = append(readyWrong, fmt.Sprintf("/ready during the outage: %v, want 503", s.faultAnswer))
					} else {
						readyDown++
					}
				}
			}
			if len(readyWrong) > 0 {
				t.Errorf("/ready misbehaved:\n%s", faultLines(readyWrong, 5))
			}
			if readyDown == 0 {
				t.Errorf("/ready never answered 503 during the %s", tc.name)
			}

			// Nothing acknowledged is missing.
			d := openFaultDB(t, dbURL)
			stored := faultStoredIDs(t, d, f.TenantID)
			var lost []string
			for _, s := range ingests {
				if s.err == nil && (s.status == http.StatusCreated || s.status == http.StatusOK) {
					if ids := stored[s.callID]; len(ids) != 1 || ids[0] != s.ingestedID() {
						lost = append(lost, fmt.Sprintf("%s answered %d with id %s, stored as %v", s.callID, s.status, s.ingestedID(), ids))
					}
				}
			}
			if len(lost) > 0 {
				t.Errorf("%d acknowledged ingests are not stored as acknowledged:\n%s", len(lost), faultLines(lost, 5))
			}
			faultCheckRollups(t, d, f.TenantID)
			if t.Failed() {
				t.Logf("hocd log tail: %s", proc.stderr.Tail(3000))
			}
		})
	}
}

// faultLines joins at most n lines, for failure messages.
func faultLines(lines []string, n int) string {
	out := ""
	for i, l := range lines {
		if i == n {
			return out + fmt.Sprintf("  … %d more", len(lines)-n)
		}
		out += "  " + l + "\n"
	}
	return out
}
