package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoc/testkit"
)

// TestREADME_QuickStartRuns runs the README's Quick start — docs/quickstart.sh,
// which the README shows verbatim — in an empty directory against the
// server it starts, and checks every answer. `make build` runs the real
// Makefile target; the shim only points its output into that directory.
func TestREADME_QuickStartRuns(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"bash", "make", "curl", "jq", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("the Quick start needs %s (.ci/run installs it): %v", tool, err)
			}
			t.Skipf("the Quick start needs %s: %v", tool, err)
		}
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join(repo, "docs", "quickstart.sh"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, append(append([]byte("```sh\n"), script...), "```"...)) {
		t.Fatal("README.md does not show docs/quickstart.sh verbatim in a ```sh block")
	}

	dir := t.TempDir()
	shims := t.TempDir()
	realMake, err := exec.LookPath("make")
	if err != nil {
		t.Fatalf("the Quick start runs make: %v", err)
	}
	shim := "#!/bin/sh\nexec " + realMake + ` -s -C "` + repo + `" "$@" OUT="$PWD/hocd"` + "\n"
	if err := os.WriteFile(filepath.Join(shims, "make"), []byte(shim), 0o755); err != nil {
		t.Fatal(err)
	}
	addr := testkit.FreeAddr(t)
	cmd := exec.Command("bash", "-e", filepath.Join(repo, "docs", "quickstart.sh"))
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HOC_") && !strings.HasPrefix(kv, "PATH=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "PATH="+shims+string(os.PathListSeparator)+os.Getenv("PATH"), "HOC_ADDR="+addr, "HOC_LOG_FORMAT=json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Minute
	if err := cmd.Run(); err != nil {
		t.Fatalf("the Quick start failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}

	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want the ingest answer and the summary, got:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	var ingest struct {
		Success bool
		Data    struct {
			Status string
			CallID string `json:"call_id"`
		}
	}
	if err := json.Unmarshal([]byte(lines[0]), &ingest); err != nil || !ingest.Success || ingest.Data.Status != "accepted" ||
		ingest.Data.CallID != "call-0123456789abcdef" {
		t.Errorf("ingest answer: %v %s", err, lines[0])
	}
	var summary struct {
		Success bool
		Data    struct {
			TenantID        string `json:"tenant_id"`
			TotalCalls      int    `json:"total_calls"`
			TotalTokensIn   int    `json:"total_tokens_in"`
			TotalCostMicros int    `json:"total_cost_micros"`
			ByIntegration   []struct {
				Name string `json:"integration_name"`
			} `json:"by_integration"`
		}
	}
	if err := json.Unmarshal([]byte(lines[1]), &summary); err != nil || !summary.Success || summary.Data.TenantID == "" ||
		summary.Data.TotalCalls != 1 || summary.Data.TotalTokensIn != 812 || summary.Data.TotalCostMicros != 2990 ||
		len(summary.Data.ByIntegration) != 1 || summary.Data.ByIntegration[0].Name != "prod" {
		t.Errorf("summary answer: %v %s", err, lines[1])
	}
	if _, err := os.Stat(filepath.Join(dir, "hoc.db")); err != nil {
		t.Errorf("no hoc.db where the Quick start ran: %v", err)
	}
	if !strings.Contains(stderr.String(), `"msg":"shutting down"`) {
		t.Errorf("the server did not shut down cleanly:\n%s", stderr.String())
	}
	if ln, err := net.Listen("tcp", addr); err != nil {
		t.Errorf("the server still holds %s after the Quick start: %v", addr, err)
	} else {
		testkit.Close(t, ln)
	}
}
