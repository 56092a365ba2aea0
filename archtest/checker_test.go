package archtest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hoc/archtest"
)

// TestChecker_RefusesToPassWhatItCouldNotLoad: a checker that loaded nothing
// would pass every rule, so each way of loading nothing is an error.
func TestChecker_RefusesToPassWhatItCouldNotLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   map[string]string // nil: the directory does not exist
		wantErr string
	}{
		{name: "nonexistent directory", wantErr: "go.mod"},
		{name: "empty directory", files: map[string]string{}, wantErr: "go.mod"},
		{name: "module without packages", files: map[string]string{"go.mod": "module empty\n"}, wantErr: "no Go packages"},
		{
			name:    "go.mod without module path",
			files:   map[string]string{"go.mod": "go 1.26\n", "a/a.go": "package a\n"},
			wantErr: "no module path",
		},
		{
			name: "file that does not parse",
			files: map[string]string{
				"go.mod": "module broken\n", "l7_models/m.go": "package models\nimport (\n",
			},
			wantErr: "m.go",
		},
		{
			name: "only testdata",
			files: map[string]string{
				"go.mod": "module hidden\n", "testdata/x/x.go": "package x\n", "_skip/y.go": "package y\n",
			},
			wantErr: "no Go packages",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "module")
			if tt.files != nil {
				writeFiles(t, dir, tt.files)
			}

			res, err := archtest.Check(dir, nil)

			if err == nil {
				t.Fatalf("expected an error, got a result with %d packages", len(res.Module.Packages))
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
		})
	}
}

// TestChecker_ExceptionExcusesItsEdgeOnly: an exception removes the violations
// of exactly one edge and leaves the rest reported.
func TestChecker_ExceptionExcusesItsEdgeOnly(t *testing.T) {
	t.Parallel()
	excused := archtest.Exception{
		From: "fixture/l2_api", To: "fixture/l7_models", Reason: "test: excuse one planted violation",
	}

	res, err := archtest.Check(fixtureDir(t), []archtest.Exception{excused})
	if err != nil {
		t.Fatalf("check fixture: %v", err)
	}

	for _, v := range res.Violations {
		if v.From == excused.From && v.To == excused.To {
			t.Errorf("excused edge still reported: %s", v)
		}
	}
	if len(res.Violations) != len(fixtureViolations)-1 {
		t.Errorf("got %d violations, want %d", len(res.Violations), len(fixtureViolations)-1)
	}
	if len(res.Stale) != 0 {
		t.Errorf("the exception matched an import but was reported stale: %v", res.Stale)
	}
}

// TestChecker_StaleExceptionFails: an exception that matches no import is a
// failure, so that exceptions do not outlive the code they excused.
func TestChecker_StaleExceptionFails(t *testing.T) {
	t.Parallel()
	stale := archtest.Exception{
		From: "fixture/l3_adapters", To: "fixture/l7_models", Reason: "test: no such import exists",
	}

	res, err := archtest.Check(fixtureDir(t), []archtest.Exception{stale})
	if err != nil {
		t.Fatalf("check fixture: %v", err)
	}

	if len(res.Stale) != 1 || res.Stale[0] != stale {
		t.Fatalf("stale exceptions = %v, want [%v]", res.Stale, stale)
	}
	failures := res.Failures()
	if !strings.Contains(failures[len(failures)-1], "stale exception") {
		t.Errorf("failures do not report the stale exception: %v", failures)
	}
}

// TestChecker_RejectsUnreviewableExceptions: every exception needs both ends,
// a reason, and a single entry.
func TestChecker_RejectsUnreviewableExceptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		exceptions []archtest.Exception
	}{
		{"missing reason", []archtest.Exception{{From: "fixture/l2_api", To: "fixture/l7_models"}}},
		{"missing target", []archtest.Exception{{From: "fixture/l2_api", Reason: "why"}}},
		{"listed twice", []archtest.Exception{
			{From: "fixture/l2_api", To: "fixture/l7_models", Reason: "why"},
			{From: "fixture/l2_api", To: "fixture/l7_models", Reason: "why again"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := archtest.Check(fixtureDir(t), tt.exceptions); err == nil {
				t.Fatal("expected an error")
			}
		})
	}
}

// writeFiles creates files (slash-separated paths) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
