package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	"hoc/testkit"
)

// TestReport_StoresAHundredThousandRecordsOnceAndCountsTheRepeat is issue
// 12's acceptance test of `hocd report`: 100,000 records from a file are
// stored exactly once; the same file again is 100,000 duplicates. It runs
// the way an operator would: a hocd binary, built here without the race
// detector (the race-instrumented server takes 25 times as long over
// 200,000 records), serves the configured database, the CLI creates the
// tenant and the integration, and `hocd report` sends the file twice. The
// first run's --url beats a HOC_ADDR where nothing listens; the second
// finds the server from HOC_ADDR alone, as `hocd serve` does (issue 15
// item 11).
func TestReport_StoresAHundredThousandRecordsOnceAndCountsTheRepeat(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "hocd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	backends := dbtest.Backends(t)
	dbURL := dbtest.URL(t, backends[len(backends)-1]) // Postgres when there is one
	addr := testkit.FreeAddr(t)
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
	var serveLog testkit.LockedBuffer
	serve.Stderr = &serveLog
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
			t.Errorf("stop hocd serve: %v", err)
		}
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
		if _, err := fmt.Fprintf(w, `{"call_id":"backfill-%06d","provider":"anthropic","model":"claude-sonnet","tokens_in":%d,"tokens_out":7,"cost_cents":0}`+"\n", i, i%500); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	testkit.Close(t, file)

	report := func(hocAddr string, args ...string) reportSummary {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"report", "--key", created.Key, "--file", path}, args...)...)
		cmd.Env = append(slices.Clone(env), "HOC_ADDR="+hocAddr) // the last of a name wins
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("hocd report %v with HOC_ADDR=%s: %v\n%s", args, hocAddr, err, stderr.String())
		}
		var sum reportSummary
		if err := json.Unmarshal(out, &sum); err != nil || strings.Count(string(out), "\n") != 1 {
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
		defer testkit.Close(t, d)
		err = d.Conn(context.Background()).
			Raw(`SELECT count(*), count(DISTINCT call_id) FROM usage_records WHERE tenant_id = ?`, tenant.ID).
			Row().Scan(&rows, &callIDs)
		if err != nil {
			t.Fatal(err)
		}
		return rows, callIDs
	}

	first := report(testkit.FreeAddr(t), "--url", "http://"+addr)
	if first.Lines != n || first.Sent != n || first.Accepted != n || first.Duplicates != 0 || first.Rejected != 0 || first.Failed != 0 {
		t.Fatalf("first run: %+v", first)
	}
	if rows, ids := stored(); rows != n || ids != n {
		t.Fatalf("stored %d rows, %d call ids; want %d", rows, ids, n)
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	second := report(":" + port)
	if second.Sent != n || second.Duplicates != n || second.Accepted != 0 || second.Failed != 0 {
		t.Fatalf("second run: %+v", second)
	}
	if rows, _ := stored(); rows != n {
		t.Fatalf("the repeat stored more: %d rows", rows)
	}
}

// TestReport_NamesWhatItCouldNotSend: a line that is not JSON, and a record
// the server rejects (an occurred_at out of its window, which only the
// server can judge), are named on stderr and in the summary; the good
// records are still stored.
func TestReport_NamesWhatItCouldNotSend(t *testing.T) {
	t.Parallel()
	h, base := newListeningHarness(t, db.DialectSQLite)
	f := h.newTenant("Mixed")
	input := `{"call_id":"ok-1","provider":"openai","model":"gpt-4o","tokens_in":1,"tokens_out":1,"cost_cents":0}
this is not json

{"call_id":"old-1","provider":"openai","model":"gpt-4o","tokens_in":5,"tokens_out":1,"cost_cents":0,"occurred_at":"2000-01-01T00:00:00Z"}
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
	for _, want := range []string{"line 2 is not a JSON record", "old-1 rejected: VALIDATION_FAILED", "occurred_at"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code, _, errOut := hocd("report", "--url", base); code != 2 || !strings.Contains(errOut, "missing --key") {
		t.Fatalf("without a key: exit %d, %s", code, errOut)
	}
}

// TestReport_JudgesEachLineByTheAPIsRulesBeforeSending is issue 15 item 6:
// a misspelled field was sent as a zero (the record stored with 0 tokens
// and $0), and a type error was told in Go's words. Each line is judged by
// the API's reader: what the API would refuse, or a field it does not know,
// is not sent and is named with its line number (blank lines count) in the
// API's words; what the API takes is sent as it reads it.
func TestReport_JudgesEachLineByTheAPIsRulesBeforeSending(t *testing.T) {
	t.Parallel()
	h, base := newListeningHarness(t, db.DialectSQLite)
	f := h.newTenant("Typos")
	input := `{"call_id":"ok-1","provider":"openai","model":"gpt-4o","tokens_in":1000,"tokens_out":7,"cost_cents":5}
{"call_id":"typo-1","provider":"openai","model":"gpt-4o","tokensIn":1000,"tokens_out":7,"cost_cent":5}

{"call_id":"type-1","provider":"openai","model":"gpt-4o","tokens_in":"1000","tokens_out":7,"cost_cents":5}
{"call_id":"ok-2","provider":"openai","model":"gpt-4o","tokens_in":12e2,"tokens_out":7,"cost_cents":5,"metadata":{"trace":12345678901234567890}}
`
	path := filepath.Join(t.TempDir(), "typos.jsonl")
	if err := os.WriteFile(path, []byte(input), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := hocd("report", "--url", base, "--key", f.IntegrationKey, "--file", path)
	var sum reportSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || code != 1 {
		t.Fatalf("exit %d (want 1 for the lines not sent), %v: %s", code, err, out)
	}
	if sum.Lines != 4 || sum.InvalidLines != 2 || sum.Sent != 2 || sum.Accepted != 2 || sum.Rejected != 0 {
		t.Fatalf("summary %+v\n%s", sum, errOut)
	}
	for _, want := range []string{
		"hocd report: line 2 not sent: tokens_in is required; cost_cents is required; " +
			"tokensIn is an unknown field (did you mean tokens_in?); cost_cent is an unknown field (did you mean cost_cents?)\n",
		"hocd report: line 4 not sent: tokens_in must be an integer\n",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "Go struct") {
		t.Errorf("stderr speaks Go:\n%s", errOut)
	}
	var stored []struct {
		CallID   string
		TokensIn int64
		Metadata string
	}
	err := h.db.Conn(context.Background()).
		Raw(`SELECT call_id, tokens_in, metadata FROM usage_records WHERE tenant_id = ? ORDER BY call_id`, f.TenantID).
		Scan(&stored).Error
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%+v", stored); got != `[{CallID:ok-1 TokensIn:1000 Metadata:{}} {CallID:ok-2 TokensIn:1200 Metadata:{"trace":12345678901234567890}}]` {
		t.Fatalf("stored %s", got)
	}
}

// TestReport_ASecondInterruptGivesUpOnAServerThatStaysDown: the client now
// retries until it is told to stop (issue 15 item 8), so a server that
// stays down would hold report forever; the second interrupt ends deliver,
// the records not delivered are counted failed, and the summary is still
// returned.
func TestReport_ASecondInterruptGivesUpOnAServerThatStaysDown(t *testing.T) {
	t.Parallel()
	asked := make(chan struct{}, 1)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		select {
		case asked <- struct{}{}:
		default:
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(down.Close)
	deliver, giveUp := context.WithCancel(context.Background())
	defer giveUp()
	go func() {
		<-asked
		giveUp()
	}()
	lines := `{"call_id":"a","provider":"openai","model":"gpt-4o","tokens_in":1,"tokens_out":1,"cost_cents":0}
{"call_id":"b","provider":"openai","model":"gpt-4o","tokens_in":1,"tokens_out":1,"cost_cents":0}
`
	var stderr testkit.LockedBuffer
	opts := reportOptions{url: down.URL, key: "some-integration-key", batchSize: 10}
	sum, err := runReport(context.Background(), deliver, opts, strings.NewReader(lines), &stderr)
	if err == nil || !strings.Contains(err.Error(), "gave up") || sum.Sent != 2 || sum.Failed != 2 {
		t.Fatalf("summary %+v, error %v\n%s", sum, err, stderr.String())
	}
}

// TestServerURL_ComesFromTheListenAddress: without --url, report talks to
// the hocd that HOC_ADDR makes listen (issue 15 item 11).
func TestServerURL_ComesFromTheListenAddress(t *testing.T) {
	t.Parallel()
	cases := []struct{ addr, want string }{
		{":8080", "http://127.0.0.1:8080"},
		{"0.0.0.0:8080", "http://127.0.0.1:8080"},
		{"[::]:8080", "http://127.0.0.1:8080"},
		{"127.0.0.1:9000", "http://127.0.0.1:9000"},
		{"[::1]:9000", "http://[::1]:9000"},
		{"hoc.internal:80", "http://hoc.internal:80"},
		{"8080", ""},
	}
	for _, tc := range cases {
		got, err := serverURL(tc.addr)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("serverURL(%q) = %q, %v; want %q", tc.addr, got, err, tc.want)
		}
	}
}
