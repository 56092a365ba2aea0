package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"go.uber.org/fx"

	telemetryengine "hoc/l5_engines/telemetry"
	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	"hoc/testkit"
)

// The benchmarks measure what SDKs and the dashboard feel, over a real
// listener and net/http with keep-alive, on every backend dbtest offers:
//
//	HOC_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' \
//	  go test ./cmd/hocd -run '^$' -bench . -benchtime 2000x
//
// HOC_BENCH_RECORDS sets how many records the query benchmarks read over
// (default 1,000,000). hocd bench's figures are in docs/performance.md.

// benchServer is a running hocd with one tenant, its integration key and a
// read key.
type benchServer struct {
	base string
	f    tenantFixture
	h    *harness
	cli  *http.Client
}

// newBenchServer starts a server whose protection limits are far above what
// one client can send, so that the benchmarks measure work, not throttling;
// protectionOff removes the protection middleware altogether.
func newBenchServer(b *testing.B, dialect db.Dialect, protectionOff bool, extra ...fx.Option) *benchServer {
	cfg := Config{Addr: testkit.FreeAddr(b), DatabaseURL: dbtest.URL(b, dialect), FounderSecret: testSecret, LogFormat: "json", BodyLimit: 8 << 20,
		Protection: ProtectionConfig{RoutePerMinute: 1 << 30, BurstPerSecond: 1 << 30, Disabled: protectionOff}}
	h := newHarnessWithConfig(b, cfg, extra...)
	return &benchServer{base: "http://" + cfg.Addr, f: h.newTenant("bench"), h: h,
		cli: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

func (s *benchServer) post(b *testing.B, path string, body []byte, want int) {
	req, err := http.NewRequest(http.MethodPost, s.base+path, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CUS-Integration-Key", s.f.IntegrationKey)
	s.do(b, req, want)
}

func (s *benchServer) get(b *testing.B, path string) {
	req, err := http.NewRequest(http.MethodGet, s.base+path, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("X-AOS-Key", s.f.ReadKey)
	s.do(b, req, http.StatusOK)
}

func (s *benchServer) do(b *testing.B, req *http.Request, want int) {
	resp, err := s.cli.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		b.Fatalf("%s %s: read the answer: %v", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode != want {
		b.Fatalf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, body)
	}
}

func benchRecord(i int) map[string]any {
	return map[string]any{"call_id": "bench-" + strconv.Itoa(i), "provider": "openai", "model": "gpt-4o",
		"tokens_in": 500 + i%100, "tokens_out": 100, "cost_cents": 3, "latency_ms": 400, "metadata": map[string]any{"k": "v"}}
}

func BenchmarkIngestSingle(b *testing.B) {
	for _, dialect := range dbtest.Backends(b) {
		b.Run(string(dialect), func(b *testing.B) {
			s := newBenchServer(b, dialect, false)
			bodies := make([][]byte, b.N)
			for i := range bodies {
				bodies[i] = mustJSON(b, benchRecord(i))
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.post(b, "/api/v1/telemetry/llm-usage", bodies[i], http.StatusCreated)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

func BenchmarkIngestBatch1000(b *testing.B) {
	for _, dialect := range dbtest.Backends(b) {
		b.Run(string(dialect), func(b *testing.B) {
			s := newBenchServer(b, dialect, false)
			bodies := make([][]byte, b.N)
			for n := range bodies {
				records := make([]any, 1000)
				for i := range records {
					records[i] = benchRecord(n*1000 + i)
				}
				bodies[n] = mustJSON(b, map[string]any{"records": records})
			}
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				s.post(b, "/api/v1/telemetry/llm-usage/batch", bodies[n], http.StatusOK)
			}
			b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkQueriesOverManyRecords seeds the records through the telemetry
// engine (the ingest path minus HTTP, 1000 records per transaction), then
// times usage-summary and daily-aggregates over HTTP.
func BenchmarkQueriesOverManyRecords(b *testing.B) {
	total := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("HOC_BENCH_RECORDS")); err == nil && v > 0 {
		total = v
	}
	for _, dialect := range dbtest.Backends(b) {
		b.Run(string(dialect), func(b *testing.B) {
			var engine *telemetryengine.Engine
			s := newBenchServer(b, dialect, false, fx.Populate(&engine))
			seedRecords(b, s, engine, total)
			for _, path := range []string{"usage-summary", "daily-aggregates"} {
				b.Run(path, func(b *testing.B) {
					for i := 0; i < b.N; i++ {
						s.get(b, "/api/v1/telemetry/"+path)
					}
				})
			}
		})
	}
}

func seedRecords(b *testing.B, s *benchServer, engine *telemetryengine.Engine, total int) {
	start := time.Now()
	ctx := context.Background()
	integrations := map[string]string{s.f.IntegrationID: "enabled"}
	for done := 0; done < total; done += 1000 {
		items := make([]telemetryengine.Item, min(1000, total-done))
		for i := range items {
			n := done + i
			at := time.Now().UTC().Add(-time.Duration(n%(29*24*60)) * time.Minute)
			latency := int64(400)
			items[i] = telemetryengine.Item{CallID: fmt.Sprint("seed-", n), Record: &telemetryengine.Record{
				CallID: fmt.Sprint("seed-", n), Provider: "openai", Model: []string{"gpt-4o", "gpt-4o-mini", "o1"}[n%3],
				TokensIn: 500, TokensOut: 100, CostCents: 3, LatencyMS: &latency, OccurredAt: &at,
			}}
		}
		err := s.h.db.InTx(ctx, func(ctx context.Context) error {
			_, err := engine.Ingest(ctx, telemetryengine.IngestRequest{TenantID: s.f.TenantID, KeyIntegrationID: s.f.IntegrationID,
				Items: items, Integrations: integrations})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d records in %v", total, time.Since(start).Round(time.Millisecond))
}

// BenchmarkProtectedRead measures an authenticated read (usage-summary with
// an API key) with request protection on and off, on a tenant whose
// onboarding is complete so that every request is decided.
func BenchmarkProtectedRead(b *testing.B) {
	for _, mode := range []struct {
		name string
		off  bool
	}{{"protection-on", false}, {"protection-off", true}} {
		b.Run(mode.name, func(b *testing.B) {
			s := newBenchServer(b, "sqlite", mode.off)
			s.h.do(http.MethodPost, "/api/v1/fdr/tenants/"+s.f.TenantID+"/onboarding",
				map[string]any{"target_state": "COMPLETE", "reason": "bench"}, s.h.founder()...)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.get(b, "/api/v1/telemetry/usage-summary")
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
		})
	}
}
