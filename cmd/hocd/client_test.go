package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"hoc/l2_api/client"
	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	"hoc/testkit"
)

// newListeningHarness is a harness whose server also listens on a loopback
// port, for clients that speak real HTTP; it returns the base URL.
func newListeningHarness(t *testing.T, dialect db.Dialect) (*harness, string) {
	t.Helper()
	cfg := testConfig(t, dialect)
	cfg.Addr = testkit.FreeAddr(t)
	return newHarnessWithConfig(t, cfg), "http://" + cfg.Addr
}

// recordRows counts the tenant's stored records and distinct call ids in
// the database itself.
func (h *harness) recordRows(tenantID string) (rows, callIDs int64) {
	h.t.Helper()
	err := h.db.Conn(context.Background()).
		Raw(`SELECT count(*), count(DISTINCT call_id) FROM usage_records WHERE tenant_id = ?`, tenantID).
		Row().Scan(&rows, &callIDs)
	if err != nil {
		h.t.Fatal(err)
	}
	return rows, callIDs
}

// faultyProxy stands in front of a real hocd: every other request is
// answered 503 without reaching it, and one in ten reaches it — so its
// records are stored — but the connection is dropped before the answer.
func faultyProxy(t *testing.T, backend string) (url string, throttled, dropped *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	throttled, dropped = new(atomic.Int64), new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		if i%2 == 0 {
			throttled.Add(1)
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"success":false,"data":null,"meta":{},"error":{"code":"THROTTLED","message":"try again"}}`)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "read the request: "+err.Error(), http.StatusBadRequest)
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), r.Method, backend+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		answer, err := io.ReadAll(resp.Body)
		if err != nil {
			http.Error(w, "read hocd's answer: "+err.Error(), http.StatusBadGateway)
			return
		}
		if i%10 == 1 {
			dropped.Add(1)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Errorf("drop the connection: %v", err)
				return
			}
			if err := conn.Close(); err != nil {
				t.Errorf("drop the connection: %v", err)
			}
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(answer)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, throttled, dropped
}

// TestClient_StoresEveryRecordOnceThroughFailuresAndTellsEachOutcome is
// issue 12's acceptance test of the Go client, against the real server.
func TestClient_StoresEveryRecordOnceThroughFailuresAndTellsEachOutcome(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			h, base := newListeningHarness(t, dialect)
			f := h.newTenant("Client")
			url, throttled, dropped := faultyProxy(t, base)

			var outcomes [3]atomic.Int64 // accepted, duplicate, anything else
			c, err := client.New(client.Config{
				BaseURL: url, IntegrationKey: f.IntegrationKey, BatchSize: 50, FlushInterval: 5 * time.Millisecond,
				MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxAttempts: 20,
				OnResult: func(r client.Result) {
					switch r.Outcome {
					case client.Accepted:
						outcomes[0].Add(1)
					case client.Duplicate:
						outcomes[1].Add(1)
					default:
						outcomes[2].Add(1)
					}
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			const n = 1000
			pending := make([]*client.Pending, n)
			for i := range n {
				rec := client.Record{CallID: fmt.Sprintf("call-%04d", i), Provider: "openai", Model: "gpt-4o", TokensIn: int64(i), TokensOut: 1}
				if pending[i], err = c.Send(context.Background(), rec); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := c.Close(ctx); err != nil {
				t.Fatal(err)
			}
			for i, p := range pending {
				r, err := p.Result(ctx)
				if err != nil || !r.Stored() || r.CallID != fmt.Sprintf("call-%04d", i) || r.ID == "" {
					t.Fatalf("record %d: %+v %v", i, r, err)
				}
				if r.Outcome == client.Duplicate && r.Attempts < 2 {
					t.Fatalf("record %d is a duplicate on its first attempt: %+v", i, r)
				}
			}
			rows, ids := h.recordRows(f.TenantID)
			if rows != n || ids != n {
				t.Fatalf("stored %d rows with %d call ids, want %d once each", rows, ids, n)
			}
			// The dropped answers' records were stored by the attempt whose
			// answer was lost, so their retry found them: duplicates.
			if throttled.Load() == 0 || dropped.Load() == 0 || outcomes[1].Load() == 0 || outcomes[2].Load() != 0 ||
				outcomes[0].Load()+outcomes[1].Load() != n {
				t.Fatalf("throttled %d, dropped %d; accepted %d, duplicates %d, other %d", throttled.Load(), dropped.Load(),
					outcomes[0].Load(), outcomes[1].Load(), outcomes[2].Load())
			}
			if s := c.Stats(); s.Retries == 0 || s.Accepted+s.Duplicates != n {
				t.Fatalf("stats %+v", s)
			}
		})
	}
}
