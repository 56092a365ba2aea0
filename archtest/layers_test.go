package archtest_test

import (
	"testing"

	"hoc/archtest"
)

// exceptions allows import edges that the layer rules forbid. Keep it empty.
// If an edge is ever unavoidable, add {From, To, Reason} with the reason a
// reviewer accepted; the test fails once the edge is gone, so an exception
// never outlives the code it excused. From is the importing package path
// (an external test package ends in "_test").
var exceptions = []archtest.Exception{}

// TestLayers_RepositoryFollowsTheLayerRules checks every import of every file
// of the repository, test files included, and fails with one line per
// violation.
func TestLayers_RepositoryFollowsTheLayerRules(t *testing.T) {
	t.Parallel()
	res, err := archtest.Check(repoRoot(t), exceptions)
	if err != nil {
		t.Fatalf("check repository: %v", err)
	}
	if len(res.Module.Packages) == 0 {
		t.Fatal("the checker loaded no package: refusing to pass an empty check")
	}

	files := 0
	for _, p := range res.Module.Packages {
		files += len(p.Files)
	}
	t.Logf("checked %d files in %d packages of %s", files, len(res.Module.Packages), res.Module.Path)

	for _, f := range res.Failures() {
		t.Error(f)
	}
}
