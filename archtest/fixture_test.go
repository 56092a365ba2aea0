package archtest_test

import (
	"fmt"
	"strings"
	"testing"

	"hoc/archtest"
)

// fixtureViolation is one deliberate violation in testdata/fixture.
type fixtureViolation struct {
	file string
	line int
	from string
	to   string // empty for an unclassified package
	rule archtest.Rule
}

func (v fixtureViolation) key() string {
	return fmt.Sprintf("%s:%d %s -> %s [%s]", v.file, v.line, v.from, v.to, v.rule.Name)
}

func keyOf(v archtest.Violation) string {
	return fixtureViolation{v.File, v.Line, v.From, v.To, v.Rule}.key()
}

// fixtureViolations is every violation planted in the fixture, and nothing
// else: every other file of the fixture is clean on purpose (allowed imports
// of each layer, fx in module.go, a database test in cmd, a domain's
// sub-package, the optional l3_adapters root package, a test of L7 that uses
// the test kit).
var fixtureViolations = []fixtureViolation{
	{"l2_api/shortcuts.go", 6, "fixture/l2_api", "fixture/l5_engines/account", archtest.RuleAPISkipsLayers},
	{"l2_api/shortcuts.go", 7, "fixture/l2_api", "fixture/l6_drivers/account", archtest.RuleAPISkipsLayers},
	{"l2_api/shortcuts.go", 8, "fixture/l2_api", "fixture/l7_models", archtest.RuleAPISkipsLayers},
	{"l2_api/server_test.go", 7, "fixture/l2_api_test", "fixture/l6_drivers/db/dbtest", archtest.RuleAPISkipsLayers},
	{"l2_api/helpers.go", 4, "fixture/l2_api", "fixture/util", archtest.RuleUnclassifiedImport},
	{"l3_adapters/account/engine_call.go", 4, "fixture/l3_adapters/account", "fixture/l5_engines/account",
		archtest.RuleSkipsLayer},
	{"l4_spine/fiber_error.go", 4, "fixture/l4_spine", "github.com/gofiber/fiber/v2", archtest.RuleFiberOutsideAPI},
	{"l4_spine/account/wiring.go", 4, "fixture/l4_spine/account", "go.uber.org/fx", archtest.RuleFxOutsideModuleFile},
	{"l5_engines/account/gorm_store.go", 4, "fixture/l5_engines/account", "gorm.io/gorm",
		archtest.RuleGormOutsideStorage},
	{"l5_engines/telemetry/account_lookup.go", 4, "fixture/l5_engines/telemetry", "fixture/l5_engines/account",
		archtest.RuleCrossDomain},
	{"l5_engines/telemetry/activity_test.go", 7, "fixture/l5_engines/telemetry", "fixture/l6_drivers/db/dbtest",
		archtest.RuleEngineImportsPlumbing},
	{"l6_drivers/telemetry/spine_callback.go", 4, "fixture/l6_drivers/telemetry", "fixture/l4_spine",
		archtest.RuleUpwardImport},
	{"l6_drivers/telemetry/account_rows.go", 4, "fixture/l6_drivers/telemetry", "fixture/l6_drivers/account",
		archtest.RuleCrossDomain},
	{"l6_drivers/db/account_hook.go", 4, "fixture/l6_drivers/db", "fixture/l6_drivers/account",
		archtest.RuleSharedIsolation},
	{"util/strings.go", 2, "fixture/util", "", archtest.RuleUnclassifiedPackage},
	{"testkit/testkit.go", 4, "fixture/testkit", "fixture/l7_models", archtest.RuleTestKitImportsProject},
	{"cmd/fixd/clock.go", 3, "fixture/cmd/fixd", "fixture/testkit", archtest.RuleTestKitOutsideTests},
}

// TestChecker_FixtureViolationsAreEachReported runs the checker on the fixture
// and expects every planted violation at its file, line and rule.
func TestChecker_FixtureViolationsAreEachReported(t *testing.T) {
	t.Parallel()
	res, err := archtest.Check(fixtureDir(t), nil)
	if err != nil {
		t.Fatalf("check fixture: %v", err)
	}
	got := map[string]archtest.Violation{}
	for _, v := range res.Violations {
		got[keyOf(v)] = v
	}

	for _, want := range fixtureViolations {
		t.Run(want.rule.Name+"/"+want.file, func(t *testing.T) {
			v, ok := got[want.key()]
			if !ok {
				t.Fatalf("not reported: %s", want.key())
			}
			line := v.String()
			prefix := fmt.Sprintf("%s:%d: %s imports %s: %s (", want.file, want.line, want.from, want.to, want.rule.Name)
			if want.to == "" {
				prefix = fmt.Sprintf("%s:%d: %s: %s (", want.file, want.line, want.from, want.rule.Name)
			}
			if !strings.HasPrefix(line, prefix) ||
				!strings.HasSuffix(line, "— "+want.rule.Why) {
				t.Errorf("badly formatted: %s", line)
			}
		})
	}
}

// TestChecker_FixtureCleanFilesAreNotReported expects no violation beyond the
// planted ones, so the allowed imports of every layer stay allowed.
func TestChecker_FixtureCleanFilesAreNotReported(t *testing.T) {
	t.Parallel()
	res, err := archtest.Check(fixtureDir(t), nil)
	if err != nil {
		t.Fatalf("check fixture: %v", err)
	}
	planted := map[string]bool{}
	for _, v := range fixtureViolations {
		planted[v.key()] = true
	}
	files := 0
	for _, p := range res.Module.Packages {
		files += len(p.Files)
	}
	if files <= len(fixtureViolations) {
		t.Fatalf("loaded %d files, expected clean files beside the %d violations", files, len(fixtureViolations))
	}

	for _, v := range res.Violations {
		if !planted[keyOf(v)] {
			t.Errorf("unexpected violation: %s", v)
		}
	}
}

// TestChecker_FixturePackagesAreClassified pins how the fixture's packages
// are classified, including sub-packages and the shared packages.
func TestChecker_FixturePackagesAreClassified(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"fixture/cmd/fixd":               "cmd",
		"fixture/l2_api":                 "l2_api",
		"fixture/l3_adapters":            "l3_adapters",
		"fixture/l3_adapters/account":    "l3_adapters",
		"fixture/l4_spine":               "l4_spine",
		"fixture/l4_spine/account":       "l4_spine",
		"fixture/l5_engines/account":     "l5_engines/account",
		"fixture/l5_engines/telemetry":   "l5_engines/telemetry",
		"fixture/l5_engines/telemetry/x": "l5_engines/telemetry",
		"fixture/l5_engines/fault":       "l5_engines/fault",
		"fixture/l6_drivers/account":     "l6_drivers/account",
		"fixture/l6_drivers/telemetry":   "l6_drivers/telemetry",
		"fixture/l6_drivers/db":          "l6_drivers/db",
		"fixture/l6_drivers/db/dbtest":   "l6_drivers/db",
		"fixture/l7_models":              "l7_models",
		"fixture/testkit":                "testkit",
		"fixture/util":                   "unclassified",
	}
	mod, err := archtest.LoadModule(fixtureDir(t))
	if err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	got := map[string]string{}
	for _, p := range mod.Packages {
		got[p.ImportPath] = p.Class.String()
	}

	for path, class := range want {
		if got[path] != class {
			t.Errorf("%s: classified as %q, want %q", path, got[path], class)
		}
	}
	if len(got) != len(want) {
		t.Errorf("loaded %d packages, want %d: %v", len(got), len(want), got)
	}
}
