package archtest_test

import (
	"fmt"
	"go/build"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"

	archgo "github.com/arch-go/arch-go/api"
	"github.com/arch-go/arch-go/api/configuration"

	"hoc/archtest"
)

// archGoMu serializes every call into arch-go. arch-go v1.7.0 (api.Execute)
// writes Result.Pass from one goroutine per rule family without
// synchronisation; holding this lock keeps two tests from running it at once,
// and archGoFailures reads the per-rule results rather than that flag. The
// package is still run without -race (see the package doc).
var archGoMu sync.Mutex

// TestArchGo_RepositoryFollowsArchGoYML runs arch-go on the repository with
// arch-go.yml, as the arch-go CLI would, and fails with every broken rule and
// every package that no rule covers.
func TestArchGo_RepositoryFollowsArchGoYML(t *testing.T) {
	root := repoRoot(t)
	conf := loadArchGoConfig(t)
	mod, err := archtest.LoadModule(root)
	if err != nil {
		t.Fatalf("load module: %v", err)
	}

	failures := runArchGo(t, root, mod, conf)

	for _, f := range failures {
		t.Error(f)
	}
}

// TestArchGo_FixtureViolationsAreReported proves that arch-go.yml can fail: on
// the fixture module it reports exactly the package-level violations that
// arch-go is able to see (not those in test files, nor fx outside module.go,
// which only the checker finds).
func TestArchGo_FixtureViolationsAreReported(t *testing.T) {
	dir := fixtureDir(t)
	conf := loadArchGoConfig(t)
	mod, err := archtest.LoadModule(dir)
	if err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	only := func(pkg, imported, rule string) string {
		return fmt.Sprintf("fixture/%s: ShouldOnlyDependsOn.Internal rule doesn't contains imported package "+
			"'fixture/%s' (rule for %q)", pkg, imported, rule)
	}
	not := func(pkg, imported, rule string) string {
		return fmt.Sprintf("fixture/%s: ShouldNotDependsOn.External rule contains imported package '%s' (rule for %q)",
			pkg, imported, rule)
	}
	want := []string{
		only("l2_api", "l5_engines/account", "**.l2_api.**"),
		only("l2_api", "l6_drivers/account", "**.l2_api.**"),
		only("l2_api", "l7_models", "**.l2_api.**"),
		only("l2_api", "util", "**.l2_api.**"),
		only("l3_adapters/account", "l5_engines/account", "**.l3_adapters.**"),
		not("l4_spine", "github.com/gofiber/fiber/v2", "**.l4_spine.**"),
		not("l5_engines/account", "gorm.io/gorm", "**.l5_engines.**"),
		only("l5_engines/telemetry", "l5_engines/account", "**.l5_engines/telemetry.**"),
		only("l6_drivers/telemetry", "l4_spine", "**.l6_drivers/telemetry.**"),
		only("l6_drivers/telemetry", "l4_spine", "**.l6_drivers.**"),
		only("l6_drivers/telemetry", "l6_drivers/account", "**.l6_drivers/telemetry.**"),
		only("l6_drivers/db", "l6_drivers/account", "**.l6_drivers/db.**"),
		only("testkit", "l7_models", "**.testkit.**"),
		"fixture/cmd/fixd: ShouldNotDependsOn.Internal rule contains imported package 'fixture/testkit' (rule for \"**.cmd.**\")",
		"fixture/util: no rule in arch-go.yml covers this package",
	}

	got := runArchGo(t, dir, mod, conf)

	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("arch-go did not report: %s", w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("arch-go reported unexpectedly: %s", g)
		}
	}
}

// TestArchGoYML_ListsEveryDomain keeps arch-go.yml in step with the code: each
// domain folder under l5_engines and l6_drivers needs its own rule, because
// arch-go cannot express "only your own domain" with one pattern.
func TestArchGoYML_ListsEveryDomain(t *testing.T) {
	conf := loadArchGoConfig(t)
	mod, err := archtest.LoadModule(repoRoot(t))
	if err != nil {
		t.Fatalf("load module: %v", err)
	}
	patterns := map[string]bool{}
	for _, r := range conf.DependenciesRules {
		patterns[r.Package] = true
	}
	for _, p := range mod.Packages {
		if p.Class.Domain == "" {
			continue
		}
		pattern := "**." + p.Class.Layer.String() + "/" + p.Class.Domain + ".**"
		if !patterns[pattern] {
			t.Errorf("%s: arch-go.yml has no rule for package %q; copy the rules of another domain", p.ImportPath, pattern)
		}
	}
}

// TestArchGoYML_RulesAreValidForTheCLI mirrors the check of `arch-go describe`:
// the CLI rejects a rule that has both or neither of shouldOnlyDependsOn and
// shouldNotDependsOn, or an empty one, though the API would run it.
func TestArchGoYML_RulesAreValidForTheCLI(t *testing.T) {
	conf := loadArchGoConfig(t)
	if len(conf.DependenciesRules) == 0 {
		t.Fatal("arch-go.yml has no dependency rules")
	}
	if conf.Threshold == nil || *conf.Threshold.Compliance != 100 || *conf.Threshold.Coverage != 100 {
		t.Errorf("arch-go.yml must require 100%% compliance and coverage, got %+v", conf.Threshold)
	}
	size := func(d *configuration.Dependencies) int {
		if d == nil {
			return 0
		}
		return len(d.Internal) + len(d.External) + len(d.Standard)
	}
	for i, r := range conf.DependenciesRules {
		only, not := size(r.ShouldOnlyDependsOn), size(r.ShouldNotDependsOn)
		if r.Package == "" || (only == 0) == (not == 0) {
			t.Errorf("rule %d (%q): needs a package and exactly one non-empty shouldOnlyDependsOn or shouldNotDependsOn",
				i, r.Package)
		}
	}
}

// runArchGo runs arch-go on the module in dir and returns one line per failed
// verification and per package that no rule covers, sorted. It first asserts
// that arch-go saw every package the checker saw: arch-go's loader drops a
// package it cannot import without saying so, and a dropped package passes.
func runArchGo(t *testing.T, dir string, mod *archtest.Module, conf *configuration.Config) []string {
	t.Helper()
	// arch-go loads packages relative to the working directory, like its CLI.
	t.Chdir(dir)

	archGoMu.Lock()
	info := configuration.Load(mod.Path)
	result := archgo.CheckArchitecture(info, *conf)
	archGoMu.Unlock()

	seen := map[string]bool{}
	var paths []string
	for _, p := range info.Packages {
		seen[p.Path] = true
		paths = append(paths, p.Path)
	}
	checked := 0
	for _, p := range mod.Packages {
		if !buildable(filepath.Join(mod.Dir, filepath.FromSlash(p.RelDir))) {
			continue
		}
		checked++
		if !seen[p.ImportPath] {
			t.Errorf("arch-go did not load package %s", p.ImportPath)
		}
	}
	if checked == 0 || len(info.Packages) == 0 {
		t.Fatalf("arch-go loaded %d packages of %s, the checker %d: refusing to pass an empty check",
			len(info.Packages), mod.Path, checked)
	}
	t.Logf("arch-go checked %d packages of %s", len(info.Packages), mod.Path)
	return archGoFailures(result, paths)
}

// buildable reports whether the go command would list the package in dir
// without -test, which is the set of packages arch-go can see: it needs a
// non-test file that the build constraints of this platform keep.
func buildable(dir string) bool {
	p, err := build.Default.ImportDir(dir, 0)
	return err == nil && len(p.GoFiles)+len(p.CgoFiles) > 0
}

// archGoFailures lists, one line each and sorted, every failed verification
// of every rule (naming the rule's package pattern) and every package that no
// rule covers.
func archGoFailures(result *archgo.Result, pkgPaths []string) []string {
	covered := map[string]bool{}
	var lines []string
	if result.DependenciesRuleResult != nil {
		for _, rule := range result.DependenciesRuleResult.Results {
			for _, v := range rule.Verifications {
				covered[v.Package] = true
				for _, d := range v.Details {
					lines = append(lines, fmt.Sprintf("%s: %s (rule for %q)", v.Package, d, rule.Rule.Package))
				}
				if !v.Passes && len(v.Details) == 0 {
					lines = append(lines, fmt.Sprintf("%s: fails %s", v.Package, rule.Description))
				}
			}
		}
	}
	for _, p := range pkgPaths {
		if !covered[p] {
			lines = append(lines, p+": no rule in arch-go.yml covers this package")
		}
	}
	sort.Strings(lines)
	return lines
}

// loadArchGoConfig reads arch-go.yml from the repository root the way the
// arch-go CLI does (thresholds default to 100% when absent).
func loadArchGoConfig(t *testing.T) *configuration.Config {
	t.Helper()
	conf, err := configuration.LoadConfig(filepath.Join(repoRoot(t), "arch-go.yml"))
	if err != nil {
		t.Fatalf("load arch-go.yml: %v", err)
	}
	return conf
}
