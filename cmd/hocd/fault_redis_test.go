package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"hoc/testkit"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"
)

// faultRedisOutage is how long the fault tests keep Redis away at least.
const faultRedisOutage = 3 * time.Second

// faultRedisSeen is how many requests must be answered while Redis is away,
// and again once it is back, before the test moves on: the outage and the
// recovery are judged on that many answers, however long a busy machine
// takes to give them.
const faultRedisSeen = 50

// faultMaxBackendEvents is the most backend_unavailable rows one replica may
// store for one faultRedisOutage: the event is recorded once per replica per
// interval, with a count, never once per request.
const faultMaxBackendEvents = 5

// TestFault_RedisCutFailsOpenOrClosedAndRecordsItBounded runs a server
// whose protection state is in Redis, reached through a TCP proxy, for a
// tenant whose onboarding is COMPLETE (so every request is decided in
// Redis), under load from four clients (usage summaries and single
// ingests). Redis is cut for faultRedisOutage (3 s), or until
// faultRedisSeen requests were answered without it if that takes longer,
// then restored. Nothing depends on the machine's speed: the client's
// Redis timeouts are generous (a cut is refused at once anyway), and the
// test waits for outcomes — answers seen, a decision made in Redis again —
// each with a deadline of its own, rather than for fixed times.
//
//   - fail-open (the default): every request succeeds, before, during and
//     after the outage; hoc_protection_backend_errors_total grows; at most
//     faultMaxBackendEvents backend_unavailable events are stored for the whole
//     outage (recorded once per replica per interval with a count, not once
//     per request), and at least one; decisions use Redis again afterwards.
//   - fail-closed (HOC_PROTECTION_FAIL_CLOSED): every request decided while
//     Redis is cut is answered 503 UNAVAILABLE, the stored
//     backend_unavailable events have decision reject (and are bounded the
//     same way), and requests succeed again after the restore.
func TestFault_RedisCutFailsOpenOrClosedAndRecordsItBounded(t *testing.T) {
	t.Parallel()
	requireRedis(t)
	for _, failClosed := range []bool{false, true} {
		name := "fail-open"
		if failClosed {
			name = "fail-closed"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			proxy := faultStartProxy(t, "127.0.0.1:6379")
			cfg := testConfig(t, "sqlite")
			// A busy machine must not trip the 500 ms request-path
			// timeouts and fail open when Redis is up.
			cfg.RedisURL = "redis://" + proxy.Addr() + "/0?dial_timeout=10s&read_timeout=10s&write_timeout=10s"
			cfg.Protection = ProtectionConfig{RoutePerMinute: 1 << 30, BurstPerSecond: 1 << 30, FailClosed: failClosed}
			// The harness's graph, started here so that the test can stop
			// it: a clean shutdown records whatever outage is still being
			// counted. Its log stays out of the test output unless the test
			// fails.
			var logs testkit.LockedBuffer
			log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
			h := &harness{t: t, cfg: cfg}
			app := fxtest.New(t, core(cfg, log), server(cfg), fx.Populate(&h.app, &h.db, &h.integrations))
			app.RequireStart()
			running := true
			stopServer := func() {
				if running {
					running = false
					app.RequireStop()
				}
			}
			t.Cleanup(stopServer)
			defer func() {
				if t.Failed() {
					t.Logf("server log tail: %s", logs.Tail(3000))
				}
			}()
			f := h.completeTenant("Redis "+name, "free")
			if r := h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, f.readKeyHeader()...); r.Status != http.StatusOK || r.Header.Get("RateLimit") == "" {
				t.Fatalf("protection does not decide for the tenant before the outage: %d %v", r.Status, r.Header)
			}
			errorsBefore := metricValue(t, h, "hoc_protection_backend_errors_total")

			stop := make(chan struct{})
			var mu sync.Mutex
			var answers []faultSample
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Go(func() {
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						var a faultAnswer
						label := fmt.Sprintf("summary-%d-%05d", g, i)
						if i%2 == 0 {
							label = fmt.Sprintf("redis-%d-%05d", g, i)
							a = h.answer(http.MethodPost, "/api/v1/telemetry/llm-usage", usage(label), f.integrationKeyHeader()...)
						} else {
							a = h.answer(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, f.readKeyHeader()...)
						}
						mu.Lock()
						answers = append(answers, faultSample{label, a})
						mu.Unlock()
						time.Sleep(time.Millisecond) // load from four clients: paced in real time
					}
				})
			}
			stopLoad := func() {
				select {
				case <-stop:
				default:
					close(stop)
				}
				wg.Wait()
			}
			defer stopLoad()

			answeredSince := func(since time.Time) int {
				mu.Lock()
				defer mu.Unlock()
				n := 0
				for _, s := range answers {
					if s.sent.After(since) {
						n++
					}
				}
				return n
			}
			testkit.WaitForWithin(t, "load before the cut", time.Minute, func() bool { return answeredSince(time.Time{}) >= faultRedisSeen })
			cutAt := time.Now()
			proxy.Cut()
			testkit.WaitForWithin(t, "answers while Redis is cut", time.Minute, func() bool {
				return time.Since(cutAt) >= faultRedisOutage && answeredSince(cutAt) >= faultRedisSeen
			})
			restoreAt := time.Now()
			if err := proxy.Restore(); err != nil {
				t.Fatal(err)
			}
			// Recovered: a decision is made in Redis again (the
			// rate-limit headers come from its buckets; a decision that
			// failed open or closed has none).
			testkit.WaitForWithin(t, "a decision made in Redis after the restore", time.Minute, func() bool {
				r := h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, f.readKeyHeader()...)
				return r.Status == http.StatusOK && r.Header.Get("RateLimit") != ""
			})
			healthyAt := time.Now()
			errorsHealthy := metricValue(t, h, "hoc_protection_backend_errors_total")
			testkit.WaitForWithin(t, "answers after the recovery", time.Minute, func() bool { return answeredSince(healthyAt) >= faultRedisSeen })
			stopLoad()
			errorsAfter := metricValue(t, h, "hoc_protection_backend_errors_total")
			loadAnswers := make([]faultAnswer, len(answers))
			for i, s := range answers {
				loadAnswers[i] = s.faultAnswer
			}
			checkAnswersConform(t, loadAnswers)

			success := func(a faultAnswer) bool {
				return a.err == nil && (a.status == http.StatusOK || a.status == http.StatusCreated)
			}
			var wrong []string
			during, during503 := 0, 0
			for _, s := range answers {
				inside := s.sent.After(cutAt) && s.done.Before(restoreAt)
				if inside {
					during++
				}
				switch {
				case !failClosed && !success(s.faultAnswer):
					wrong = append(wrong, fmt.Sprintf("%s sent %v after the cut: %v (fail-open must let it through)",
						s.callID, s.sent.Sub(cutAt).Round(time.Millisecond), s.faultAnswer))
				case failClosed && inside:
					if s.err != nil || s.status != http.StatusServiceUnavailable || s.code != "UNAVAILABLE" {
						wrong = append(wrong, fmt.Sprintf("%s while Redis was cut: %v, want 503 UNAVAILABLE", s.callID, s.faultAnswer))
					} else {
						during503++
					}
				case failClosed && (s.done.Before(cutAt) || s.sent.After(healthyAt)) && !success(s.faultAnswer):
					wrong = append(wrong, fmt.Sprintf("%s with Redis up: %v", s.callID, s.faultAnswer))
				}
			}
			t.Logf("%d requests, %d of them sent and answered while Redis was cut; backend errors %v → %v (healthy again: %v → %v)",
				len(answers), during, errorsBefore, errorsHealthy, errorsHealthy, errorsAfter)
			if during < faultRedisSeen {
				t.Errorf("only %d requests while Redis was cut: the load is too light to show that events are bounded", during)
			}
			if len(wrong) > 0 {
				t.Errorf("%d wrong answers, e.g.:\n%s", len(wrong), faultLines(wrong, 5))
			}
			if failClosed && during503 == 0 {
				t.Error("no request was refused while Redis was cut")
			}
			if errorsHealthy <= errorsBefore {
				t.Errorf("hoc_protection_backend_errors_total did not grow while Redis was cut: %v → %v", errorsBefore, errorsHealthy)
			}
			if errorsAfter != errorsHealthy {
				t.Errorf("protection still fails after Redis came back: backend errors %v → %v over the last %d requests", errorsHealthy, errorsAfter, faultRedisSeen)
			}

			// Stop the server (as SIGTERM does): every event it still holds
			// is stored, then read them with a connection of the test's own.
			stopServer()
			d := openFaultDB(t, cfg.DatabaseURL)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var events []struct {
				Decision string
				Details  string
			}
			if err := d.Conn(ctx).Raw(`SELECT decision, details FROM protection_events
				WHERE tenant_id = ? AND dimension = 'backend_unavailable'`, f.TenantID).Scan(&events).Error; err != nil {
				t.Fatal(err)
			}
			stored, byDecision, counted := len(events), map[string]int{}, 0.0
			for _, e := range events {
				byDecision[e.Decision]++
				var details map[string]any
				if err := json.Unmarshal([]byte(e.Details), &details); err != nil {
					t.Errorf("a backend_unavailable event's details are not a JSON object: %v: %s", err, e.Details)
				}
				n, ok := details["failures"].(float64)
				if !ok {
					n, ok = details["count"].(float64)
				}
				if !ok {
					t.Errorf("a backend_unavailable event carries no count of the failures it stands for: %s", e.Details)
				}
				counted += n
			}
			t.Logf("%d backend_unavailable event(s) stored, decisions %v, counting %v failures", stored, byDecision, counted)
			if stored > 0 && counted != errorsAfter-errorsBefore {
				t.Errorf("the backend_unavailable events count %v failures, hoc_protection_backend_errors_total counted %v",
					counted, errorsAfter-errorsBefore)
			}
			if stored == 0 {
				t.Errorf("no backend_unavailable event was stored for a %v Redis outage", faultRedisOutage)
			}
			if stored > faultMaxBackendEvents {
				t.Errorf("%d backend_unavailable events stored for one replica and a %v Redis outage (%d requests); want at most %d: "+
					"the event is recorded once per replica per interval with a count, not once per request", stored, faultRedisOutage, during, faultMaxBackendEvents)
			}
			if failClosed && byDecision["reject"] != stored {
				t.Errorf("fail-closed refused the requests, but the stored backend_unavailable events have decisions %v; want all reject", byDecision)
			}
			if !failClosed && byDecision["reject"] != 0 {
				t.Errorf("fail-open let every request through, but %d backend_unavailable events say reject", byDecision["reject"])
			}
		})
	}
}
