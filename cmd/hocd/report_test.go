package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
)

// TestReport_StoresAHundredThousandRecordsOnceAndCountsTheRepeat is issue
// 12's acceptance test of `hocd report`: 100,000 records from a file are
// stored exactly once; the same file again is 100,000 duplicates. It runs
// the way an operator would: a hocd binary, built here without the race
// detector (the race-instrumented server takes 25 times as long over
// 200,000 records), serves the configured database, the CLI creates the
// tenant and the integration, and `hocd report` sends the file twice.
func TestReport_StoresAHundredThousandRecordsOnceAndCountsTheRepeat(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "hocd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	backends := dbtest.Backends(t)
	dbURL := dbtest.URL(t, backends[len(backends)-1]) // Postgres when there is one
	addr := freeAddr(t)
	env := []string{"HOC_DATABASE_URL=" + dbURL, "HOC_ADDR=" + addr, "HOC_LOG_FORMAT=json"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HOC_") {
			env = append(env, kv)
		}
	}
	hocdBin := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("hocd %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return string(out)
	}

	serve := exec.Command(bin, "serve")
	serve.Env = env
	var serveLog lockedBuffer
	serve.Stderr = &serveLog
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = serve.Process.Signal(syscall.SIGTERM)
		if err := serve.Wait(); err != nil {
			t.Errorf("hocd serve: %v\n%s", err, serveLog.String())
		}
	})
	waitReady(t, addr, &serveLog)

	var tenant, created struct {
		ID  string
		Key string
	}
	if err := json.Unmarshal([]byte(hocdBin("tenants", "create", "--name", "Backfill")), &tenant); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(hocdBin("integrations", "create", "--tenant", tenant.ID, "--name", "prod")), &created); err != nil {
		t.Fatal(err)
	}

	const n = 100_000
	path := filepath.Join(t.TempDir(), "records.jsonl")
	file, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(file)
	for i := range n {
		fmt.Fprintf(w, `{"call_id":"backfill-%06d","provider":"anthropic","model":"claude-sonnet","tokens_in":%d,"tokens_out":7,"cost_cents":0}`+"\n", i, i%500)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	file.Close()

	report := func() reportSummary {
		t.Helper()
		out := hocdBin("report", "--url", "http://"+addr, "--key", created.Key, "--file", path)
		var sum reportSummary
		if err := json.Unmarshal([]byte(out), &sum); err != nil || strings.Count(out, "\n") != 1 {
			t.Fatalf("hocd report printed %q: %v", out, err)
		}
		return sum
	}
	stored := func() (rows, callIDs int64) {
		t.Helper()
		d, err := db.Open(context.Background(), db.Config{URL: dbURL})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		err = d.Conn(context.Background()).
			Raw(`SELECT count(*), count(DISTINCT call_id) FROM usage_records WHERE tenant_id = ?`, tenant.ID).
			Row().Scan(&rows, &callIDs)
		if err != nil {
			t.Fatal(err)
		}
		return rows, callIDs
	}

	first := report()
	if first.Lines != n || first.Sent != n || first.Accepted != n || first.Duplicates != 0 || first.Rejected != 0 || first.Failed != 0 {
		t.Fatalf("first run: %+v", first)
	}
	if rows, ids := stored(); rows != n || ids != n {
		t.Fatalf("stored %d rows, %d call ids; want %d", rows, ids, n)
	}
	second := report()
	if second.Sent != n || second.Duplicates != n || second.Accepted != 0 || second.Failed != 0 {
		t.Fatalf("second run: %+v", second)
	}
	if rows, _ := stored(); rows != n {
		t.Fatalf("the repeat stored more: %d rows", rows)
	}
}

// TestReport_NamesWhatItCouldNotSend: a line that is not JSON, and a record
// the server rejects, are named on stderr and in the summary; the good
// records are still stored.
func TestReport_NamesWhatItCouldNotSend(t *testing.T) {
	t.Parallel()
	h, base := newListeningHarness(t, db.DialectSQLite)
	f := h.newTenant("Mixed")
	input := `{"call_id":"ok-1","provider":"openai","model":"gpt-4o","tokens_in":1,"tokens_out":1,"cost_cents":0}
this is not json

{"call_id":"neg-1","provider":"openai","model":"gpt-4o","tokens_in":-5,"tokens_out":1,"cost_cents":0}
`
	path := filepath.Join(t.TempDir(), "mixed.jsonl")
	if err := os.WriteFile(path, []byte(input), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := hocd("report", "--url", base, "--key", f.IntegrationKey, "--file", path)
	var sum reportSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || code != 1 {
		t.Fatalf("exit %d (want 1 for the invalid line), %v: %s", code, err, out)
	}
	if sum.Lines != 3 || sum.InvalidLines != 1 || sum.Sent != 2 || sum.Accepted != 1 || sum.Rejected != 1 {
		t.Fatalf("summary %+v", sum)
	}
	for _, want := range []string{"line 2 is not a JSON record", "neg-1 rejected: VALIDATION_FAILED", "tokens_in"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code, _, errOut := hocd("report", "--url", base); code != 2 || !strings.Contains(errOut, "missing --key") {
		t.Fatalf("without a key: exit %d, %s", code, errOut)
	}
}
