package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"hoc/testkit"
)

// TestProtection_TwoProcessesSharingRedisAdmitAtMostTheLimit runs two real
// hocd processes (this test binary as hocd, see TestMain) on one database
// and one Redis, and sends requests of one tenant to both in turn: together
// they admit exactly the configured limit.
func TestProtection_TwoProcessesSharingRedisAdmitAtMostTheLimit(t *testing.T) {
	requireRedis(t)
	dbURL := testConfig(t, "sqlite").DatabaseURL
	t.Setenv("HOC_DATABASE_URL", dbURL)
	cli := func(args ...string) map[string]any {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Fatalf("hocd %v: %s", args, stderr.String())
		}
		var out map[string]any
		if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	tenant := cli("tenants", "create", "--name", "Two processes")["id"].(string)
	key := cli("apikeys", "create", "--tenant", tenant, "--name", "reader", "--scopes", "telemetry:read")["key"].(string)
	cli("tenants", "onboarding", "--tenant", tenant, "--target", "COMPLETE", "--reason", "test")

	var addrs []string
	for i := 0; i < 2; i++ {
		addr := testkit.FreeAddr(t)
		cmd := exec.Command(os.Args[0], "serve")
		cmd.Env = append(os.Environ(), "HOC_TEST_RUN_MAIN=1", "HOC_ADDR="+addr, "HOC_DATABASE_URL="+dbURL,
			"HOC_REDIS_URL=redis://127.0.0.1:6379/0", "HOC_PROTECTION_ROUTE_RPM=10", "HOC_LOG_FORMAT=json")
		stderr := &testkit.LockedBuffer{}
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Errorf("stop hocd at %s: %v", addr, err)
			}
			if err := cmd.Wait(); err != nil {
				t.Errorf("hocd at %s did not stop cleanly: %v\n%s", addr, err, stderr.Tail(2000))
			}
		})
		waitReady(t, addr, stderr)
		addrs = append(addrs, addr)
	}
	admitted, limited := 0, 0
	for i := 0; i < 30; i++ {
		req, err := http.NewRequest(http.MethodGet, "http://"+addrs[i%2]+"/api/v1/telemetry/usage-summary", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-AOS-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case 200:
			admitted++
		case 429:
			limited++
		default:
			t.Fatalf("unexpected status %d", resp.StatusCode)
		}
	}
	if admitted != 10 || limited != 20 {
		t.Fatalf("admitted %d, limited %d; want 10 and 20 across both processes", admitted, limited)
	}
}

// waitReady waits until the server at addr, a process the test started,
// answers /ready with 200, and fails the test with its log after 20 s.
func waitReady(t *testing.T, addr string, stderr fmt.Stringer) {
	t.Helper()
	if err := pollReady(addr, 20*time.Second, func() bool { return false }); err != nil {
		t.Fatalf("server at %s: %v: %s", addr, err, stderr.String())
	}
}
