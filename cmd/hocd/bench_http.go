package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// benchRequestTimeout bounds one request, so that a wedged server fails the
// bench instead of hanging it.
const benchRequestTimeout = time.Minute

// benchClient talks to the bench's server the way SDKs and the dashboard
// do: net/http with keep-alive, with an idle connection kept for every
// concurrent client so that no request pays for a new connection.
type benchClient struct {
	base      string
	transport *http.Transport
	http      *http.Client
}

func newBenchClient(base string, conns int) *benchClient {
	t := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: 90 * time.Second}
	return &benchClient{base: base, transport: t, http: &http.Client{Transport: t, Timeout: benchRequestTimeout}}
}

// close closes the kept connections, which ends their goroutines.
func (c *benchClient) close() { c.transport.CloseIdleConnections() }

// postRecords sends body to path with the integration key and checks the
// status.
func (c *benchClient) postRecords(ctx context.Context, path string, t benchTenant, body []byte, want int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CUS-Integration-Key", t.IntegrationKey)
	_, err = c.do(req, want)
	return err
}

// get reads path with the tenant's read key and returns the body.
func (c *benchClient) get(ctx context.Context, path string, t benchTenant) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-AOS-Key", t.ReadKey)
	return c.do(req, http.StatusOK)
}

// do sends req and reads the whole body, so the connection is reused.
func (c *benchClient) do(req *http.Request, want int) ([]byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read the response: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s: status %d, want %d: %.300s", req.Method, req.URL.Path, resp.StatusCode, want, body)
	}
	return body, nil
}

// wireRecord is a usage record as an SDK sends it.
type wireRecord struct {
	CallID    string          `json:"call_id"`
	Provider  string          `json:"provider"`
	Model     string          `json:"model"`
	TokensIn  int64           `json:"tokens_in"`
	TokensOut int64           `json:"tokens_out"`
	CostCents int64           `json:"cost_cents"`
	LatencyMS int64           `json:"latency_ms"`
	Metadata  json.RawMessage `json:"metadata"`
}

// The fields every bench record shares, with the baselines' rows too.
const (
	benchProvider  = "openai"
	benchModel     = "gpt-4o"
	benchTokensOut = 100
	benchCostCents = 3
	benchLatencyMS = 400
	benchMetadata  = `{"k":"v"}`
)

// benchMetadataJSON is benchMetadata for the wire.
var benchMetadataJSON = json.RawMessage(benchMetadata)

// newWireRecord is record n of a run: the realistic shape of the Go
// benchmarks' records, with a call id unique to the run.
func newWireRecord(prefix string, n int64) wireRecord {
	return wireRecord{CallID: prefix + strconv.FormatInt(n, 10), Provider: benchProvider, Model: benchModel,
		TokensIn: benchTokensIn(n), TokensOut: benchTokensOut, CostCents: benchCostCents, LatencyMS: benchLatencyMS,
		Metadata: benchMetadataJSON}
}

// benchTokensIn varies the input tokens a little, as real calls do.
func benchTokensIn(n int64) int64 { return 500 + n%100 }

// marshalBatch encodes records first..first+n-1 as one batch request.
func marshalBatch(prefix string, first int64, n int) ([]byte, error) {
	records := make([]wireRecord, n)
	for i := range records {
		records[i] = newWireRecord(prefix, first+int64(i))
	}
	return json.Marshal(map[string][]wireRecord{"records": records})
}
