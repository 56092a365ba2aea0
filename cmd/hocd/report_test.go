package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
)

// TestReport_StoresAHundredThousandRecordsOnceAndCountsTheRepeat is issue
// 12's acceptance test of `hocd report`: 100,000 records from a file are
// stored exactly once; the same file again is 100,000 duplicates.
func TestReport_StoresAHundredThousandRecordsOnceAndCountsTheRepeat(t *testing.T) {
	t.Parallel()
	// On Postgres when there is one: under the race detector the embedded
	// SQLite (C translated to Go) writes 100,000 records 25 times slower.
	backends := dbtest.Backends(t)
	h, base := newListeningHarness(t, backends[len(backends)-1])
	f := h.newTenant("Backfill")
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
		code, out, errOut := hocd("report", "--url", base, "--key", f.IntegrationKey, "--file", path)
		var sum reportSummary
		if err := json.Unmarshal([]byte(out), &sum); err != nil || code != 0 || strings.Count(out, "\n") != 1 {
			t.Fatalf("hocd report: exit %d, %v\nstdout %s\nstderr %s", code, err, out, errOut)
		}
		return sum
	}
	first := report()
	if first.Lines != n || first.Sent != n || first.Accepted != n || first.Duplicates != 0 || first.Rejected != 0 || first.Failed != 0 {
		t.Fatalf("first run: %+v", first)
	}
	if rows, ids := h.recordRows(f.TenantID); rows != n || ids != n {
		t.Fatalf("stored %d rows, %d call ids; want %d", rows, ids, n)
	}
	second := report()
	if second.Sent != n || second.Duplicates != n || second.Accepted != 0 || second.Failed != 0 {
		t.Fatalf("second run: %+v", second)
	}
	if rows, _ := h.recordRows(f.TenantID); rows != n {
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
