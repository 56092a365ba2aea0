package main

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/fx"

	api "hoc/l2_api"
	"hoc/l6_drivers/db"
	"hoc/testkit"
)

// rawServer is a real listener whose read and idle timeouts are short, and
// whose log the test reads.
type rawServer struct {
	addr string
	logs *testkit.LockedBuffer
	h    *harness
}

func newRawServer(t *testing.T, mod ...func(*Config)) rawServer {
	t.Helper()
	cfg := testConfig(t, db.DialectSQLite)
	cfg.Addr = testkit.FreeAddr(t)
	for _, m := range mod {
		m(&cfg)
	}
	logs := &testkit.LockedBuffer{}
	h := newHarnessWithLogger(t, cfg, slog.New(slog.NewJSONHandler(logs, nil)),
		fx.Decorate(func(c api.Config) api.Config {
			c.ReadTimeout, c.IdleTimeout = time.Second, time.Second
			return c
		}))
	return rawServer{addr: cfg.Addr, logs: logs, h: h}
}

// exchange writes raw bytes on a fresh connection and returns everything the
// server wrote back until it closed the connection or wait passed.
func (s rawServer) exchange(t *testing.T, payload string, wait time.Duration) string {
	t.Helper()
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer testkit.Close(t, conn)
	// The server may answer and close before the payload is all written (a
	// body over the limit): what it wrote back is the answer either way, and
	// a connection it closed (or reset, with our bytes unread) ends it.
	if _, err := conn.Write([]byte(payload)); err != nil && !closedByServer(err) {
		t.Fatalf("write the request: %v", err)
	}
	if err := conn.SetReadDeadline(time.Now().Add(wait)); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(bufio.NewReader(conn))
	if err != nil && !closedByServer(err) && !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read the answer: %v", err)
	}
	return string(got)
}

// closedByServer reports whether err is how a write or a read sees a
// connection the server closed: a broken pipe, or a reset when the server
// closed with bytes of ours unread.
func closedByServer(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)
}

// noErrors fails when the server logged at error level: what a client gets
// wrong is not a server failure.
func (s rawServer) noErrors(t *testing.T) {
	t.Helper()
	for _, l := range s.logs.JSONLines(t) {
		if l["level"] == "ERROR" {
			t.Errorf("logged at error level: %v", l)
		}
	}
}

func expectAnswer(t *testing.T, got string, status int, code string) {
	t.Helper()
	if !strings.HasPrefix(got, "HTTP/1.1 "+strconv.Itoa(status)+" ") {
		t.Fatalf("answer %.200q, want status %d", got, status)
	}
	if code != "" && !strings.Contains(got, `"code":"`+code+`"`) {
		t.Fatalf("answer %.300q, want code %s", got, code)
	}
	if strings.Count(got, "HTTP/1.1 ") != 1 {
		t.Fatalf("the connection answered more than one request: %q", got)
	}
}

func TestHTTP_LongHeadsFitAndOversizedOnesAre431(t *testing.T) {
	t.Parallel()
	s := newRawServer(t)
	token := strings.Repeat("t", 20<<10) // a long OIDC token
	got := s.exchange(t, "GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+token+"\r\nConnection: close\r\n\r\n", 5*time.Second)
	expectAnswer(t, got, 200, "")
	got = s.exchange(t, "GET /health HTTP/1.1\r\nHost: x\r\nX-Huge: "+strings.Repeat("h", 40<<10)+"\r\nConnection: close\r\n\r\n", 5*time.Second)
	expectAnswer(t, got, 431, "HEADERS_TOO_LARGE")
	got = s.exchange(t, "GET /health?q="+strings.Repeat("q", 20<<10)+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5*time.Second)
	expectAnswer(t, got, 414, "URI_TOO_LONG")
	s.noErrors(t)
}

func TestHTTP_HugeBodiesAndManyHeadersAreRefusedOrServedNeverFailed(t *testing.T) {
	t.Parallel()
	s := newRawServer(t)
	body := strings.Repeat("x", 9<<20) // over the 8 MiB body limit
	got := s.exchange(t, "POST /api/v1/telemetry/llm-usage/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
		"Content-Length: "+strconv.Itoa(len(body))+"\r\nConnection: close\r\n\r\n"+body, 10*time.Second)
	expectAnswer(t, got, 413, "PAYLOAD_TOO_LARGE")
	var many strings.Builder
	for i := range 1000 {
		many.WriteString("X-H" + strconv.Itoa(i) + ": v\r\n")
	}
	got = s.exchange(t, "GET /health HTTP/1.1\r\nHost: x\r\n"+many.String()+"Connection: close\r\n\r\n", 5*time.Second)
	expectAnswer(t, got, 200, "")
	s.noErrors(t)
}

func TestHTTP_ASlowClientIs408AndAnIdleConnectionClosesSilently(t *testing.T) {
	t.Parallel()
	s := newRawServer(t)
	got := s.exchange(t, "GET /health HTTP/1.1\r\nHost: x\r\n", 5*time.Second) // the head never ends
	expectAnswer(t, got, 408, "REQUEST_TIMEOUT")

	// A keep-alive connection that goes quiet after its request: the server
	// closes it after the idle timeout without writing anything, so a
	// client never reads an unsolicited answer as that of its next request.
	got = s.exchange(t, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 5*time.Second)
	if strings.Count(got, "HTTP/1.1 ") != 1 || !strings.HasPrefix(got, "HTTP/1.1 200") {
		t.Fatalf("idle keep-alive connection got %q, want its one 200 and then a silent close", got)
	}
	s.noErrors(t)
}

func TestHTTP_AmbiguousFramingIsRefusedAndTheConnectionClosed(t *testing.T) {
	t.Parallel()
	s := newRawServer(t)
	smuggled := "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
	cases := map[string]string{
		"Content-Length with Transfer-Encoding": "POST /api/v1/telemetry/llm-usage HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
			"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled,
		"a bare LF":             "GET /health HTTP/1.1\nHost: x\n\n" + smuggled,
		"a NUL in a header":     "GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n" + smuggled,
		"lower-case CL with TE": "POST /health HTTP/1.1\r\nHost: x\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled,
	}
	for name, payload := range cases {
		got := s.exchange(t, payload, 5*time.Second)
		if !strings.HasPrefix(got, "HTTP/1.1 400") || !strings.Contains(got, `"code":"INVALID_REQUEST"`) {
			t.Errorf("%s: %.200q, want 400 INVALID_REQUEST", name, got)
		}
		if strings.Count(got, "HTTP/1.1 ") != 1 {
			t.Errorf("%s: the bytes after the request were served as another request: %q", name, got)
		}
	}
	s.noErrors(t)
}

func TestHTTP_ResponsesAreNosniffAndCORSIsForConfiguredOriginsOnly(t *testing.T) {
	t.Parallel()
	h := newHarnessWithConfig(t, func() Config {
		cfg := testConfig(t, db.DialectSQLite)
		cfg.CORSOrigins = "https://dash.example.com"
		return cfg
	}())
	if r := h.do(http.MethodGet, "/api/v1/session/context", nil); r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("error response without nosniff: %v", r.Header)
	}
	if r := h.do(http.MethodGet, "/health", nil); r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("health without nosniff: %v", r.Header)
	}
	preflight := func(origin string) response {
		return h.do(http.MethodOptions, "/api/v1/telemetry/usage-summary", nil, "Origin", origin,
			"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "x-aos-key")
	}
	if r := preflight("https://dash.example.com"); r.Status != http.StatusNoContent ||
		r.Header.Get("Access-Control-Allow-Origin") != "https://dash.example.com" ||
		!strings.Contains(strings.ToLower(r.Header.Get("Access-Control-Allow-Headers")), "x-aos-key") {
		t.Fatalf("preflight from the dashboard: %d %v", r.Status, r.Header)
	}
	if r := preflight("https://evil.example.com"); r.Header.Get("Access-Control-Allow-Origin") != "" || r.Status == http.StatusUnauthorized {
		t.Fatalf("preflight from another origin: %d %v, want no CORS grant and no 401", r.Status, r.Header)
	}
	if r := h.do(http.MethodGet, "/health", nil, "Origin", "https://evil.example.com"); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("a read from another origin was granted: %v", r.Header)
	}
}

// TestHTTP_AWrongMethodIs405WithAllow: a path that exists answers another
// method with 405 METHOD_NOT_ALLOWED and the methods it allows; a path that
// does not is still 404. The access line names the path asked, and the
// route pattern only when the request reached an endpoint.
func TestHTTP_AWrongMethodIs405WithAllow(t *testing.T) {
	t.Parallel()
	logs := &testkit.LockedBuffer{}
	h := newHarnessWithLogger(t, testConfig(t, db.DialectSQLite), slog.New(slog.NewJSONHandler(logs, nil)))
	f := h.newTenant("Methods")
	admin := h.integrationsAdmin(f.TenantID)
	for _, tc := range []struct {
		method, path string
		auth         []string
		allow        string
	}{
		{http.MethodDelete, "/health", nil, "GET, HEAD"},
		{http.MethodPut, "/api/v1/integrations", admin, "GET, HEAD, POST"},
		{http.MethodPost, "/api/v1/integrations/" + f.IntegrationID, admin, "DELETE, GET, HEAD, PATCH"},
		{http.MethodGet, "/api/v1/telemetry/llm-usage", f.integrationKeyHeader(), "POST"},
	} {
		r := h.do(tc.method, tc.path, nil, tc.auth...)
		r.expectError(t, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
		if got := r.Header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}
	h.do(http.MethodGet, "/api/v1/no-such-thing", nil, admin...).expectError(t, http.StatusNotFound, "NOT_FOUND")
	h.do(http.MethodGet, "/api/v1/integrations/"+f.IntegrationID, nil).expectError(t, http.StatusUnauthorized, "MISSING_AUTH")

	lines := map[string]map[string]any{}
	for _, rec := range logs.JSONLines(t) {
		if rec["msg"] == "request" {
			lines[rec["method"].(string)+" "+rec["path"].(string)] = rec
		}
	}
	refused := lines["GET /api/v1/integrations/"+f.IntegrationID]
	if refused == nil || refused["route"] != nil || refused["status"] != float64(401) {
		t.Errorf("refused request's line: %v", refused)
	}
	served := lines["POST /api/v1/integrations/"+f.IntegrationID]
	if served == nil || served["status"] != float64(405) {
		t.Errorf("405's line: %v", served)
	}
	created := lines["POST /api/v1/fdr/tenants"]
	if created == nil || created["route"] != "/api/v1/fdr/tenants" || created["duration_ms"] == nil {
		t.Errorf("served request's line: %v", created)
	}
}
