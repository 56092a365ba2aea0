package archtest_test

import (
	"path/filepath"
	"testing"
)

// repoRoot is the module root of hoc: go test runs in the package directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatalf("resolve repository root: %v", err)
	}
	return root
}

// fixtureDir is the fixture module with deliberate violations.
func fixtureDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "fixture"))
	if err != nil {
		t.Fatalf("resolve fixture directory: %v", err)
	}
	return dir
}
