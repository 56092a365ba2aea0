package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"
	"go.uber.org/goleak"

	integrationsadapter "hoc/l3_adapters/integrations"
	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
)

// testSecret signs founder tokens in tests.
const testSecret = "test-founder-secret"

// TestMain lets a test run this binary as hocd itself: with HOC_TEST_RUN_MAIN
// set, the process is the real command (used to test signals and exit codes).
//
// Otherwise it runs the tests and then fails when any goroutine is left
// running: every server a test starts must stop everything it started
// (group commit, the event recorder, pools, the listener).
func TestMain(m *testing.M) {
	if os.Getenv("HOC_TEST_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	goleak.VerifyTestMain(m,
		// fasthttp's worker pool lets its cleaner sleep out its 10-second
		// tick after the server stopped, and keeps one clock goroutine for
		// the Date header per process: both by design.
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
		// go-redis probes a dead server once a second after a pool's worth
		// of failed dials and sees that its pool was closed only when its
		// sleep ends: a test that ends with Redis unreachable (the last one
		// run, or the only one) would otherwise fail here by a second.
		goleak.IgnoreAnyFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).tryDial"))
}

// harness is the real fx graph with the real router on a real database,
// driven through Fiber's app.Test: the path a user's request takes.
type harness struct {
	t            testing.TB
	app          *fiber.App
	cfg          Config
	db           *db.DB
	integrations *integrationsadapter.Integrations
}

// testOperationTimeout bounds a test server's operations. It is far above
// the 5 s default: a 1000-record batch on SQLite with the race detector on a
// busy 2-core machine can take seconds, and a test must not depend on the
// machine's speed. Tests of the bound itself set their own.
const testOperationTimeout = time.Minute

func testConfig(t testing.TB, dialect db.Dialect) Config {
	return Config{
		Addr:               "127.0.0.1:0",
		DatabaseURL:        dbtest.URL(t, dialect),
		FounderSecret:      testSecret,
		LogFormat:          "json",
		BodyLimit:          8 << 20,
		OperationTimeoutMS: int(testOperationTimeout.Milliseconds()),
	}
}

// newHarness starts the whole server graph; extra options may decorate it
// (for example to inject a failing store).
func newHarness(t testing.TB, dialect db.Dialect, extra ...fx.Option) *harness {
	t.Helper()
	return newHarnessWithConfig(t, testConfig(t, dialect), extra...)
}

func newHarnessWithConfig(t testing.TB, cfg Config, extra ...fx.Option) *harness {
	t.Helper()
	return newHarnessWithLogger(t, cfg, slog.New(slog.NewJSONHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})), extra...)
}

// newHarnessWithLogger is newHarnessWithConfig with the process logger given.
func newHarnessWithLogger(t testing.TB, cfg Config, log *slog.Logger, extra ...fx.Option) *harness {
	t.Helper()
	h := &harness{t: t, cfg: cfg}
	opts := append([]fx.Option{core(cfg, log), server(cfg), fx.Populate(&h.app, &h.db, &h.integrations)}, extra...)
	app := fxtest.New(t, opts...)
	app.RequireStart()
	t.Cleanup(app.RequireStop)
	return h
}

// forEachBackend runs fn against a fresh server on every storage backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, h *harness)) {
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) { fn(t, newHarness(t, dialect)) })
	}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimSpace(p)))
	return len(p), nil
}

// response is a decoded envelope plus the raw exchange.
type response struct {
	Status  int             `json:"-"`
	Header  http.Header     `json:"-"`
	Raw     string          `json:"-"`
	Success bool            `json:"success"`
	Data    json.RawMessage `json:"data"`
	Meta    struct {
		Timestamp  string `json:"timestamp"`
		RequestID  string `json:"request_id"`
		Total      *int64 `json:"total"`
		Page       *int   `json:"page"`
		PageSize   *int   `json:"page_size"`
		HasMore    *bool  `json:"has_more"`
		NextCursor string `json:"next_cursor"`
	} `json:"meta"`
	Error *struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	} `json:"error"`
}

// rawResponse is an answer as it came back from the app.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// send is the harness's one request path: it sends one request through the
// app (body and headers as for do) and reads the whole answer. It never
// fails the test, so that load goroutines may call it (see answer); do
// checks and decodes what it returns.
func (h *harness) send(method, path string, body any, headers ...string) (rawResponse, error) {
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = bytes.NewBufferString(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return rawResponse{}, fmt.Errorf("encode the request body: %w", err)
		}
		reader = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, reader)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := h.app.Test(req, int((30 * time.Second).Milliseconds()))
	if err != nil {
		return rawResponse{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return rawResponse{}, fmt.Errorf("read the response body: %w", err)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: raw}, nil
}

// do sends one request; body may be nil, a string (sent as is) or a value
// (sent as JSON). Headers are pairs of name and value. The answer must
// conform to openapi.json.
func (h *harness) do(method, path string, body any, headers ...string) response {
	h.t.Helper()
	r, err := h.send(method, path, body, headers...)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	checkConforms(h.t, method, path, r.status, r.header, r.body)
	out := response{Status: r.status, Header: r.header, Raw: string(r.body)}
	if len(r.body) > 0 && r.body[0] == '{' {
		if err := json.Unmarshal(r.body, &out); err != nil {
			h.t.Fatalf("%s %s: body is not JSON: %v\n%s", method, path, err, r.body)
		}
	}
	return out
}

// mustJSON encodes v, which the test built, as JSON.
func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %T: %v", v, err)
	}
	return raw
}

// founder returns the Authorization header pair of a fresh founder token.
func (h *harness) founder() []string {
	h.t.Helper()
	tok, err := newFounderTokens(h.cfg).Issue("alice", "test", time.Hour)
	if err != nil {
		h.t.Fatal(err)
	}
	return []string{"Authorization", "Bearer " + tok}
}

// decode unmarshals the envelope's data into v.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("data: %v\n%s", err, r.Raw)
	}
}

// expectError checks status, code and that the envelope is well formed.
func (r response) expectError(t testing.TB, status int, code string) {
	t.Helper()
	if r.Status != status || r.Error == nil || r.Error.Code != code || r.Success || string(r.Data) != "null" {
		t.Fatalf("got %d %s, want %d %s", r.Status, r.Raw, status, code)
	}
	if r.Meta.RequestID == "" || r.Meta.RequestID != r.Header.Get("X-Request-ID") {
		t.Fatalf("meta.request_id %q != X-Request-ID %q", r.Meta.RequestID, r.Header.Get("X-Request-ID"))
	}
}
