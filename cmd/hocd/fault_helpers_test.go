package main

// Helpers of the fault tests (fault_*_test.go): real hocd processes started
// from this test binary (see TestMain), fixtures created the way the CLI
// creates them, a TCP proxy between hocd and its dependencies
// (internal/faultproxy), and an HTTP client whose answers keep their timing.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"hoc/cmd/hocd/internal/faultproxy"
	accountadapter "hoc/l3_adapters/account"
	integrationsadapter "hoc/l3_adapters/integrations"
	accountops "hoc/l4_spine/account"
	integrationsops "hoc/l4_spine/integrations"
	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	"hoc/testkit"
)

// faultPostgresURL returns a fresh Postgres database for a fault test. The
// fault tests that need Postgres skip without it outside CI, and fail in CI
// (dbtest.Backends decides, as for every storage test).
func faultPostgresURL(t *testing.T) string {
	t.Helper()
	if !slices.Contains(dbtest.Backends(t), db.DialectPostgres) {
		t.Skipf("this fault test needs Postgres: set %s", dbtest.EnvDatabaseURL)
	}
	return dbtest.URL(t, db.DialectPostgres)
}

// faultFixture is a tenant with an integration key (for ingest), a
// telemetry:read key, and optionally a telemetry:read key with a small
// per-key rate limit.
type faultFixture struct {
	TenantID       string
	IntegrationKey string
	ReadKey        string
	LimitedKey     string
}

// faultSeed says how to create a fixture.
type faultSeed struct {
	name       string
	complete   bool // onboarding COMPLETE, so request protection applies
	limitedRPM int  // when > 0, also create LimitedKey with this rate_limit_rpm
}

// faultSeedTenant creates a fixture in the database at dbURL through the same
// adapters `hocd tenants|integrations|apikeys` use, in one short-lived core
// graph (no environment variables, so parallel tests may call it).
func faultSeedTenant(t *testing.T, dbURL string, seed faultSeed) faultFixture {
	t.Helper()
	cfg := Config{DatabaseURL: dbURL, LogFormat: "json", LogLevel: "warn"}
	var tenants *accountadapter.Tenants
	var integrations *integrationsadapter.Integrations
	var f faultFixture
	var stderr testkit.LockedBuffer
	err := oneShot(cfg, &stderr, func(ctx context.Context) error {
		tenant, err := tenants.Create(ctx, accountops.NewTenant{Name: seed.name})
		if err != nil {
			return fmt.Errorf("create tenant: %w", err)
		}
		f.TenantID = tenant.ID
		created, err := integrations.Create(ctx, integrationsops.NewIntegration{TenantID: f.TenantID, Name: "prod", ProviderType: "openai"})
		if err != nil {
			return fmt.Errorf("create integration: %w", err)
		}
		f.IntegrationKey = created.Key
		read, err := integrations.CreateAPIKey(ctx, integrationsops.NewAPIKey{TenantID: f.TenantID, Name: "reader", Scopes: []string{"telemetry:read"}})
		if err != nil {
			return fmt.Errorf("create read key: %w", err)
		}
		f.ReadKey = read.Key
		if seed.limitedRPM > 0 {
			limited, err := integrations.CreateAPIKey(ctx, integrationsops.NewAPIKey{TenantID: f.TenantID, Name: "limited",
				Scopes: []string{"telemetry:read"}, RateLimitRPM: seed.limitedRPM})
			if err != nil {
				return fmt.Errorf("create limited key: %w", err)
			}
			f.LimitedKey = limited.Key
		}
		if seed.complete {
			if _, err := tenants.AdvanceOnboarding(ctx, accountops.AdvanceOnboardingInput{TenantID: f.TenantID, TargetState: "COMPLETE", Reason: "fault test"}); err != nil {
				return fmt.Errorf("complete onboarding: %w", err)
			}
		}
		return nil
	}, &tenants, &integrations)
	if err != nil {
		t.Fatalf("seed tenant %q: %v\n%s", seed.name, err, stderr.String())
	}
	return f
}

// openFaultDB opens the test's own connection to dbURL (never through a
// proxy), closed when the test ends, before its database is dropped.
func openFaultDB(t *testing.T, dbURL string) *db.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := db.Open(ctx, db.Config{URL: dbURL, MaxOpenConns: 4})
	if err != nil {
		t.Fatalf("open the test's database connection: %v", err)
	}
	testkit.CloseAtEnd(t, d)
	return d
}

// faultWithHost returns dbURL with its host:port replaced, e.g. by a proxy's.
func faultWithHost(t *testing.T, dbURL, hostPort string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = hostPort
	return u.String()
}

// faultHostOf returns the host:port of a URL.
func faultHostOf(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// faultStartProxy starts a fault proxy to target, closed (and its goroutines
// waited for) when the test ends.
func faultStartProxy(t *testing.T, target string) *faultproxy.Proxy {
	t.Helper()
	p, err := faultproxy.New(target)
	if err != nil {
		t.Fatal(err)
	}
	testkit.CloseAtEnd(t, p)
	return p
}

// faultProcess is a real `hocd serve`: this test binary run with
// HOC_TEST_RUN_MAIN=1.
type faultProcess struct {
	addr   string
	cmd    *exec.Cmd
	stderr *testkit.LockedBuffer
	exited chan struct{}
	err    error // cmd.Wait's result, once exited is closed
}

// faultStartHocd starts hocd on addr with the database at dbURL and extra
// HOC_* settings ("NAME=value"). It does not wait until it serves (see
// waitServing) and never calls t.Fatal, so other goroutines may use it; the
// process is killed, if it still runs, when the test ends.
func faultStartHocd(t *testing.T, addr, dbURL string, env ...string) (*faultProcess, error) {
	p := &faultProcess{addr: addr, stderr: &testkit.LockedBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], "serve")
	p.cmd.Env = append(os.Environ(), "HOC_TEST_RUN_MAIN=1", "HOC_ADDR="+addr, "HOC_DATABASE_URL="+dbURL,
		"HOC_LOG_FORMAT=json", "HOC_LOG_LEVEL=warn", "HOC_REDIS_URL=", "HOC_PROTECTION_FAIL_CLOSED=false", "HOC_PROTECTION_DISABLED=false")
	p.cmd.Env = append(p.cmd.Env, env...)
	p.cmd.Stdout = io.Discard
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start hocd: %w", err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("kill hocd at %s: %v", p.addr, err)
		}
		<-p.exited
	})
	return p, nil
}

// faultMustStartHocd is faultStartHocd plus waitServing, for the test goroutine.
func faultMustStartHocd(t *testing.T, addr, dbURL string, env ...string) *faultProcess {
	t.Helper()
	p, err := faultStartHocd(t, addr, dbURL, env...)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.waitServing(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *faultProcess) hasExited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// waitServing waits until the process answers /ready with 200; it fails
// when the process exits first or timeout passes.
func (p *faultProcess) waitServing(timeout time.Duration) error {
	if err := pollReady(p.addr, timeout, p.hasExited); err != nil {
		if p.hasExited() {
			return fmt.Errorf("hocd at %s exited before it served (%v): %s", p.addr, p.err, p.stderr.Tail(4000))
		}
		return fmt.Errorf("hocd at %s: %w: %s", p.addr, err, p.stderr.Tail(4000))
	}
	return nil
}

// pollReady asks the server at addr for /ready until it answers 200. It
// gives up when exited reports that the server's process is gone or when
// timeout passes, and never fails a test, so that any goroutine may call it.
func pollReady(addr string, timeout time.Duration, exited func() bool) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	defer client.CloseIdleConnections()
	for {
		resp, err := client.Get("http://" + addr + "/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if exited() {
			return errors.New("the process exited before it was ready")
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v", timeout)
		}
		time.Sleep(50 * time.Millisecond) // a real process starting up: asked again in real time
	}
}

// logFor returns the process's log lines that mention requestID.
func (p *faultProcess) logFor(requestID string) string {
	if requestID == "" {
		return ""
	}
	var out []string
	for _, line := range strings.Split(p.stderr.String(), "\n") {
		if strings.Contains(line, requestID) {
			if len(line) > 1500 {
				line = line[:1500] + "…"
			}
			out = append(out, "    log: "+line)
		}
	}
	return strings.Join(out, "\n")
}

// kill sends SIGKILL and waits until the process is gone.
func (p *faultProcess) kill() error {
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-p.exited:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("hocd at %s still running 10s after SIGKILL", p.addr)
	}
}

// waitExit waits up to timeout for the process to exit and returns its exit
// code (-1 for a signal), or an error when it is still running.
func (p *faultProcess) waitExit(timeout time.Duration) (int, error) {
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode(), nil
	case <-time.After(timeout):
		return 0, fmt.Errorf("hocd at %s still running after %v", p.addr, timeout)
	}
}

// faultAnswer is one HTTP exchange: what was asked, what came back and when.
type faultAnswer struct {
	method string
	path   string // with the query, as openapi.json is matched against it
	status int
	header http.Header
	code   string // the envelope's error code
	data   json.RawMessage
	raw    string
	err    error  // transport error (refused, reset, timeout)
	reqID  string // X-Request-ID, to find the request in the server's log
	sent   time.Time
	done   time.Time
}

// readEnvelope fills the answer's status, header, body and, when the body
// is an envelope, its data and error code.
func (a *faultAnswer) readEnvelope(status int, header http.Header, raw []byte) {
	a.status, a.header, a.raw, a.reqID = status, header, string(raw), header.Get("X-Request-ID")
	var env response
	if len(raw) > 0 && raw[0] == '{' && json.Unmarshal(raw, &env) == nil {
		a.data = env.Data
		if env.Error != nil {
			a.code = env.Error.Code
		}
	}
}

// answer sends one request through the harness's app by its one request
// path (send), and never fails the test, so that load goroutines may call
// it. harness.do checks each answer against openapi.json at once; a load
// collects its answers and checks them with checkAnswersConform when it is
// over.
func (h *harness) answer(method, path string, body any, headers ...string) faultAnswer {
	a := faultAnswer{method: method, path: path, sent: time.Now()}
	r, err := h.send(method, path, body, headers...)
	a.done = time.Now()
	if err != nil {
		a.err = err
		return a
	}
	a.readEnvelope(r.status, r.header, r.body)
	return a
}

// checkAnswersConform holds every answer a load got to openapi.json, as
// harness.do holds each of its own, and reports the ones that do not
// conform. A load's goroutines must not fail the test, so they collect
// their answers and the test's goroutine checks them here, after the load.
// An exchange that failed in transport has no answer to check.
func checkAnswersConform(t *testing.T, answers []faultAnswer) {
	t.Helper()
	var problems []string
	checked := 0
	for _, a := range answers {
		if a.err != nil || a.status == 0 {
			continue
		}
		checked++
		if problem := conformanceProblem(t, a.method, a.path, a.status, a.header, []byte(a.raw)); problem != "" {
			problems = append(problems, problem)
		}
	}
	if checked == 0 {
		t.Errorf("none of %d answers could be checked against openapi.json: the load got no answer", len(answers))
	}
	if len(problems) > 0 {
		t.Errorf("%d of %d answers do not conform to openapi.json, e.g.:\n%s", len(problems), checked, faultLines(problems, 3))
	}
}

func (a faultAnswer) took() time.Duration { return a.done.Sub(a.sent) }

func (a faultAnswer) String() string {
	if a.err != nil {
		return fmt.Sprintf("error after %v: %v", a.took().Round(time.Millisecond), a.err)
	}
	raw := a.raw
	if len(raw) > 300 {
		raw = raw[:300] + "…"
	}
	return fmt.Sprintf("%d %s after %v: %s", a.status, a.code, a.took().Round(time.Millisecond), raw)
}

// faultHTTPClient is an HTTP client for the fault tests, its idle
// connections closed when the test ends.
func faultHTTPClient(t *testing.T) *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// faultExchange sends one request (body: nil or a value sent as JSON; headers:
// name, value pairs) and never fails the test: errors are in the answer.
func faultExchange(ctx context.Context, client *http.Client, method, rawURL string, body any, headers ...string) faultAnswer {
	a := faultAnswer{method: method, path: rawURL, sent: time.Now()}
	if u, err := url.Parse(rawURL); err == nil {
		a.path = u.RequestURI()
	}
	defer func() {
		if a.done.IsZero() {
			a.done = time.Now()
		}
	}()
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			a.err = err
			return a
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, reader)
	if err != nil {
		a.err = err
		return a
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		a.err, a.done = err, time.Now()
		return a
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	a.done = time.Now()
	a.readEnvelope(resp.StatusCode, resp.Header, raw)
	a.err = err
	return a
}

// ingestedID is the stored id in the answer to one single-record ingest,
// or "" when the answer carries none.
func (a faultAnswer) ingestedID() string {
	var body struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(a.data, &body); err != nil {
		return ""
	}
	return body.ID
}

// faultStoredIDs maps each call id of the tenant to the ids stored under it.
func faultStoredIDs(t *testing.T, d *db.DB, tenantID string) map[string][]string {
	t.Helper()
	var rows []struct {
		CallID string
		ID     string
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := d.Conn(ctx).Raw("SELECT call_id, id FROM usage_records WHERE tenant_id = ?", tenantID).Scan(&rows).Error; err != nil {
		t.Fatalf("read the stored records: %v", err)
	}
	out := make(map[string][]string, len(rows))
	for _, r := range rows {
		out[r.CallID] = append(out[r.CallID], r.ID)
	}
	return out
}

// faultCheckRollups compares the tenant's usage_daily rows with a
// recount of its usage_records, grouped the same way (UTC day, integration,
// provider, model).
func faultCheckRollups(t *testing.T, d *db.DB, tenantID string) {
	t.Helper()
	type group struct {
		Day           string
		IntegrationID string
		Provider      string
		Model         string
		Calls         int64
		TokensIn      int64
		TokensOut     int64
		CostCents     int64
		CostMicros    int64
	}
	read := func(query string) map[string]group {
		var rows []group
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := d.Conn(ctx).Raw(query, tenantID).Scan(&rows).Error; err != nil {
			t.Fatalf("read rollups: %v", err)
		}
		out := map[string]group{}
		for _, g := range rows {
			out[g.Day+" "+g.IntegrationID+" "+g.Provider+" "+g.Model] = g
		}
		return out
	}
	var rollups, recount map[string]group
	if d.Dialect() == db.DialectPostgres {
		rollups = read(`SELECT to_char(day, 'YYYY-MM-DD') AS day, integration_id::text AS integration_id, provider, model,
			calls, tokens_in, tokens_out, cost_cents, cost_micros FROM usage_daily WHERE tenant_id = ?`)
		recount = read(`SELECT to_char((occurred_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day,
			integration_id::text AS integration_id, provider, model, count(*) AS calls, sum(tokens_in) AS tokens_in,
			sum(tokens_out) AS tokens_out, sum(cost_cents) AS cost_cents, sum(cost_micros) AS cost_micros
			FROM usage_records WHERE tenant_id = ? GROUP BY 1, 2, 3, 4`)
	} else {
		rollups = read(`SELECT day, integration_id, provider, model, calls, tokens_in, tokens_out, cost_cents, cost_micros
			FROM usage_daily WHERE tenant_id = ?`)
		recount = read(`SELECT strftime('%Y-%m-%d', occurred_at) AS day, integration_id, provider, model, count(*) AS calls,
			sum(tokens_in) AS tokens_in, sum(tokens_out) AS tokens_out, sum(cost_cents) AS cost_cents,
			sum(cost_micros) AS cost_micros FROM usage_records WHERE tenant_id = ? GROUP BY 1, 2, 3, 4`)
	}
	for k, want := range recount {
		if got := rollups[k]; got != want {
			t.Errorf("usage_daily %s says %+v, the stored records add up to %+v", k, got, want)
		}
	}
	for k, got := range rollups {
		if _, ok := recount[k]; !ok && got.Calls != 0 {
			t.Errorf("usage_daily %s counts %+v, but no record of that group is stored", k, got)
		}
	}
}

// faultSummaryTotals reads the usage summary's totals through the API.
func faultSummaryTotals(t *testing.T, client *http.Client, addr, readKey string) (calls, tokensIn int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a := faultExchange(ctx, client, http.MethodGet, "http://"+addr+"/api/v1/telemetry/usage-summary", nil, "X-AOS-Key", readKey)
	if a.err != nil || a.status != http.StatusOK {
		t.Fatalf("usage summary: %v", a)
	}
	var s struct {
		TotalCalls    int64 `json:"total_calls"`
		TotalTokensIn int64 `json:"total_tokens_in"`
	}
	if err := json.Unmarshal(a.data, &s); err != nil {
		t.Fatalf("usage summary: %v: %s", err, a.raw)
	}
	return s.TotalCalls, s.TotalTokensIn
}

// faultFirstN lists at most n items, for failure messages about many records.
func faultFirstN(items []string, n int) string {
	if len(items) <= n {
		return fmt.Sprint(items)
	}
	return fmt.Sprintf("%v … (%d in all)", items[:n], len(items))
}
