package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/fx"

	spine "hoc/l4_spine"
	"hoc/testkit"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestBoot_GraphValidates(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, "sqlite")
	if err := fx.ValidateApp(core(cfg, newLogger("json", "", os.Stderr)), server(cfg)); err != nil {
		t.Fatal(err)
	}
}

func TestBoot_HealthReadyMetrics(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		if r := h.do(http.MethodGet, "/health", nil); r.Status != 200 {
			t.Fatalf("health: %d", r.Status)
		}
		if r := h.do(http.MethodGet, "/ready", nil); r.Status != 200 {
			t.Fatalf("ready: %d %s", r.Status, r.Raw)
		}
		h.do(http.MethodGet, "/api/v1/fdr/tenants", nil, h.founder()...)
		r := h.do(http.MethodGet, "/metrics", nil)
		for _, want := range []string{
			`hoc_operation_duration_seconds_count{operation="account.tenants.list",outcome="ok"} 1`,
			"go_goroutines", "process_cpu_seconds_total",
		} {
			if !strings.Contains(r.Raw, want) {
				t.Errorf("/metrics lacks %q", want)
			}
		}
	})
}

// TestRegistry_HoldsExactlyTheGoldenOperations makes adding an operation a
// reviewed diff: run `go test ./cmd/hocd -run Golden -update` and commit the
// new testdata/operations.golden.
func TestRegistry_HoldsExactlyTheGoldenOperations(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	r := h.do(http.MethodGet, "/api/v1/fdr/operations", nil, h.founder()...)
	var ops []spine.OperationInfo
	r.decode(t, &ops)
	got, err := json.MarshalIndent(ops, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "operations.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("operations changed; review and run with -update:\n%s", got)
	}
}

// TestRegistry_BindsEveryDeclaredOperation: a handle declared and never
// bound would fail only when called; adding an operation without its
// Bindings line fails here, naming it.
func TestRegistry_BindsEveryDeclaredOperation(t *testing.T) {
	t.Parallel()
	var reg *spine.Registry
	newHarness(t, "sqlite", fx.Populate(&reg))
	if missing := reg.Unbound(); len(missing) > 0 {
		t.Fatalf("declared but not bound (add spine.Bind to the domain's Bindings): %v", missing)
	}
}

func TestCLI_OpsPrintsTheSameListAsTheAPI(t *testing.T) {
	h := newHarness(t, "sqlite")
	r := h.do(http.MethodGet, "/api/v1/fdr/operations", nil, h.founder()...)
	var fromAPI []spine.OperationInfo
	r.decode(t, &fromAPI)

	t.Setenv("HOC_DATABASE_URL", h.cfg.DatabaseURL)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"ops"}, &stdout, &stderr); code != 0 {
		t.Fatalf("hocd ops exited %d: %s", code, stderr.String())
	}
	var fromCLI []spine.OperationInfo
	if err := json.Unmarshal(stdout.Bytes(), &fromCLI); err != nil {
		t.Fatalf("hocd ops printed no JSON document: %v\n%s", err, stdout.String())
	}
	a, c := mustJSON(t, fromAPI), mustJSON(t, fromCLI)
	if !bytes.Equal(a, c) || len(fromCLI) == 0 {
		t.Fatalf("CLI %s\nAPI %s", c, a)
	}
}

func TestCLI_TenantsAndTokenCommands(t *testing.T) {
	t.Setenv("HOC_DATABASE_URL", testConfig(t, "sqlite").DatabaseURL)
	t.Setenv("HOC_FOUNDER_SECRET", testSecret)
	cli := func(args ...string) (string, int) {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		return stdout.String(), code
	}
	out, code := cli("tenants", "create", "--name", "Acme CLI", "--plan", "enterprise")
	var tenant struct{ ID, Slug, Plan string }
	if code != 0 || json.Unmarshal([]byte(out), &tenant) != nil || tenant.Slug != "acme-cli" || tenant.Plan != "enterprise" {
		t.Fatalf("create: %d %s", code, out)
	}
	if out, code := cli("tenants", "get", "--id", tenant.ID); code != 0 || !strings.Contains(out, tenant.ID) {
		t.Fatalf("get: %d %s", code, out)
	}
	out, code = cli("tenants", "list")
	var page struct {
		Data []struct{ ID string }
		Meta struct {
			Total, Page, PageSize int
			HasMore               bool `json:"has_more"`
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &page) != nil || len(page.Data) != 1 || page.Data[0].ID != tenant.ID ||
		page.Meta.Total != 1 || page.Meta.Page != 1 || page.Meta.HasMore || strings.Count(out, "\n") != 1 {
		t.Fatalf("list: want one compact {data, meta} document, got %d %s", code, out)
	}
	if _, code := cli("tenants", "create", "--name", "acme cli"); code == 0 {
		t.Fatal("duplicate slug accepted")
	}
	tok, code := cli("token", "founder", "--sub", "bob", "--reason", "ops", "--ttl", "5m")
	if code != 0 {
		t.Fatalf("token: %d", code)
	}
	founder, err := newFounderTokens(Config{FounderSecret: testSecret}).Verify(strings.TrimSpace(tok))
	if err != nil || founder.Subject != "bob" || founder.Reason != "ops" {
		t.Fatalf("minted token: %+v %v", founder, err)
	}
}

// TestServe_BusyPortExitsWithTheAddress starts a server, then a second one
// on the same address: the second must fail fast, naming the address.
func TestServe_BusyPortExitsWithTheAddress(t *testing.T) {
	cfg := testConfig(t, "sqlite")
	cfg.Addr = testkit.FreeAddr(t)
	newHarnessWithConfig(t, cfg)

	t.Setenv("HOC_ADDR", cfg.Addr)
	t.Setenv("HOC_DATABASE_URL", testConfig(t, "sqlite").DatabaseURL)
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := run([]string{"serve"}, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), cfg.Addr) || time.Since(start) > 10*time.Second {
		t.Fatalf("exit %d after %v, stderr: %s", code, time.Since(start), stderr.String())
	}
	// Said once, in plain words.
	if n := strings.Count(stderr.String(), "in use"); n != 1 || strings.Contains(stderr.String(), "bind:") {
		t.Fatalf("the busy port is reported %d times:\n%s", n, stderr.String())
	}
}

// TestServe_StartLineSaysHowItRuns: one info line names the address, the
// database, the auth modes and the protection backend; founder auth off on
// every interface is a warning.
func TestServe_StartLineSaysHowItRuns(t *testing.T) {
	t.Parallel()
	_, port, err := net.SplitHostPort(testkit.FreeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(), "HOC_TEST_RUN_MAIN=1", "HOC_ADDR=:"+port, "HOC_FOUNDER_SECRET=",
		"HOC_DATABASE_URL="+testConfig(t, "sqlite").DatabaseURL, "HOC_LOG_FORMAT=json")
	var stderr testkit.LockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitReady(t, "127.0.0.1:"+port, &stderr)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	var started, warned int
	for _, rec := range stderr.JSONLines(t) {
		switch {
		case rec["msg"] == "hocd started":
			started++
			if rec["level"] != "INFO" || rec["addr"] != ":"+port || rec["database"] != "sqlite" || rec["founder_auth"] != "off" ||
				rec["customer_auth"] != "off" || rec["protection"] != "memory" {
				t.Errorf("start line %v", rec)
			}
		case rec["level"] == "WARN" && strings.Contains(rec["msg"].(string), "founder auth is off"):
			warned++
		}
	}
	if started != 1 || warned != 1 {
		t.Fatalf("%d start lines, %d warnings", started, warned)
	}
}

// TestServe_SIGTERMShutsDownCleanly runs this test binary as hocd (see
// TestMain), waits until it serves, sends SIGTERM and expects exit code 0.
func TestServe_SIGTERMShutsDownCleanly(t *testing.T) {
	t.Parallel()
	addr := testkit.FreeAddr(t)
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(), "HOC_TEST_RUN_MAIN=1", "HOC_ADDR="+addr,
		"HOC_DATABASE_URL="+testConfig(t, "sqlite").DatabaseURL, "HOC_LOG_FORMAT=json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitReady(t, addr, &stderr)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Fatalf("no shutdown log: %s", stderr.String())
	}
}
