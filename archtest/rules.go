package archtest

import (
	"path"
	"strings"
)

// Rule is one named rule of ARCHITECTURE.md §2 together with the reason it
// exists, so that a failing build tells the reader what to do instead.
type Rule struct {
	Name string
	Why  string
}

// The rules. Each violation names exactly one of them; the order of the checks
// in judgeInternal decides which one when several would apply.
var (
	RuleAPISkipsLayers = Rule{"api-skips-layers",
		"L2 only translates HTTP; it reaches domain logic through an L3 adapter and the L4 spine, " +
			"so that every call is typed, tenant-scoped, audited and metered"}
	RuleUpwardImport = Rule{"upward-import",
		"imports point only down; a lower layer that needs something from above declares a small " +
			"interface in its own package and cmd/hocd binds the implementation with fx"}
	RuleSkipsLayer = Rule{"skips-layer",
		"each layer talks only to the one below, so the spine stays the single entry into domain logic " +
			"and storage details stay in L6"}
	RuleCrossDomain = Rule{"cross-domain",
		"domains meet only in L4: an L4 handler asks each engine and passes plain values, so no engine " +
			"or driver couples to another domain's rules or tables"}
	RuleEngineImportsPlumbing = Rule{"engine-imports-db-plumbing",
		"engines reach storage only through their own domain's driver; the shared db plumbing carries " +
			"gorm and transactions, which L5 must never see"}
	RuleSharedIsolation = Rule{"shared-package-isolation",
		"the shared packages (l5_engines/fault, l6_drivers/db) sit under every domain; if they imported " +
			"a domain, every domain would depend on it"}
	RuleImportsTooling = Rule{"imports-tooling",
		"cmd is the composition root and archtest holds tests; application code that depends on them " +
			"inverts the wiring"}
	RuleUnclassifiedImport = Rule{"unclassified-import",
		"every project package must belong to a layer; importing code outside the layers escapes every rule"}
	RuleUnclassifiedPackage = Rule{"unclassified-package",
		"every package must belong to exactly one layer (or to cmd/archtest) so that no code escapes the " +
			"layer rules; move it into a layer, or give it a place in ARCHITECTURE.md and archtest"}
	RuleGormOutsideStorage = Rule{"gorm-outside-storage",
		"persistence stays in L6 queries and L7 models; the layers above get plain row structs, never a " +
			"*gorm.DB or a gorm model"}
	RuleFiberOutsideAPI = Rule{"fiber-outside-api",
		"HTTP belongs to L2; everything below must stay usable from the CLI, from tests and from other transports"}
	RuleTestKitImportsProject = Rule{"testkit-imports-project",
		"testkit holds the helpers that tests of every layer share; it stays a leaf, so that using it " +
			"never makes a test of one layer depend on another layer's code"}
	RuleTestKitOutsideTests = Rule{"testkit-outside-tests",
		"testkit sits outside the layers so that every layer's tests may use it, which is safe only " +
			"while no production code can reach it: import it from _test.go files only"}
	RuleFxOutsideModuleFile = Rule{"fx-outside-module-file",
		"every package is usable with plain constructors; fx wiring is confined to module.go files and " +
			"cmd so that it can be read in one place"}
)

// verdict is the outcome of judging one import: the rule it breaks and a
// sentence stating what would have been allowed.
type verdict struct {
	rule   Rule
	detail string
}

// judgeInternal decides whether a package of class from may import a project
// package of class to. It returns nil when the import is allowed. Imports of
// an unclassified package are not judged: the package itself is reported.
func judgeInternal(from, to Class) *verdict {
	if from.Layer == Tooling || from.Layer == Unclassified {
		return nil
	}
	broken := func(r Rule) *verdict { return &verdict{rule: r, detail: allowedInternal(from)} }
	switch {
	case from.Layer == TestKit && to.Layer == TestKit:
		return nil
	case from.Layer == TestKit:
		return broken(RuleTestKitImportsProject)
	case to.Layer == TestKit:
		return nil // by test files only, which judgeTestKitFile checks per file
	case to.Layer == Tooling:
		return broken(RuleImportsTooling)
	case to.Layer == Unclassified:
		return broken(RuleUnclassifiedImport)
	case to.Layer < from.Layer:
		return broken(RuleUpwardImport)
	case from.Layer < Engines && to.Layer == Engines && to.Shared:
		return nil // L2, L3 and L4 name errors with the fault kernel, as the engines do
	case from.Layer == API && to.Layer > Spine:
		return broken(RuleAPISkipsLayers)
	case from.Layer == API:
		return nil // L2 may use the spine's contract types (actor, error kinds) directly
	case to.Layer > from.Layer+1:
		return broken(RuleSkipsLayer)
	case from.Layer != Engines && from.Layer != Drivers:
		// L2, L3, L4 and L7 may import their own layer and the next one down
		// without further distinction (L4 may use every engine).
		return nil
	case from.Shared && (to.Layer != from.Layer || !to.Shared):
		if from.Layer == Drivers && to.Layer == Models {
			return nil
		}
		return broken(RuleSharedIsolation)
	case from.Shared:
		return nil
	case to.Layer == Models:
		return nil // l6_drivers/D -> l7_models
	case to.Shared && to.Layer == from.Layer:
		return nil // l5 -> fault, l6 -> db
	case to.Shared:
		return broken(RuleEngineImportsPlumbing) // l5/D -> l6/db
	case to.Domain != from.Domain:
		return broken(RuleCrossDomain)
	default:
		return nil // own domain, same layer or l5/D -> l6/D
	}
}

// allowedInternal states, for messages, which project packages a class may import.
func allowedInternal(c Class) string {
	name := c.String()
	switch {
	case c.Layer == API:
		return "l2_api may import only l2_api, l3_adapters, l4_spine and l5_engines/fault"
	case c.Layer == Adapters:
		return "l3_adapters may import only l3_adapters, l4_spine and l5_engines/fault"
	case c.Layer == Spine:
		return "l4_spine may import only l4_spine and l5_engines"
	case c.Layer == Engines && c.Shared:
		return name + " may import only itself"
	case c.Layer == Engines:
		return name + " may import only " + name + ", l5_engines/fault and l6_drivers/" + c.Domain
	case c.Layer == Drivers && c.Shared:
		return name + " may import only itself and l7_models"
	case c.Layer == Drivers:
		return name + " may import only " + name + ", l6_drivers/db and l7_models"
	case c.Layer == Models:
		return "l7_models may import only l7_models"
	case c.Layer == TestKit:
		return "testkit may import only testkit, the standard library and third-party packages"
	default:
		return name + " is not in any layer"
	}
}

// judgeTestKitFile decides whether the file filePath of a package of class
// from may import testkit, which only test files may, wherever they are
// (cmd included); testkit's own files are judged by judgeInternal.
func judgeTestKitFile(from, to Class, filePath string) *verdict {
	if to.Layer != TestKit || from.Layer == TestKit || strings.HasSuffix(filePath, "_test.go") {
		return nil
	}
	return &verdict{rule: RuleTestKitOutsideTests, detail: "testkit may be imported only by _test.go files"}
}

// externalRule restricts one family of third-party packages to some classes
// (and, for fx, to some file names).
type externalRule struct {
	prefix   string // module path prefix, matched on whole path elements
	rule     Rule
	detail   string
	allowed  func(c Class) bool
	fileName string // if set, files with this base name are also allowed
}

// externalRules are the third-party restrictions of ARCHITECTURE.md §2.
// Tooling (cmd, archtest) is always allowed and not listed.
var externalRules = []externalRule{
	{
		prefix: "gorm.io", rule: RuleGormOutsideStorage,
		detail:  "gorm.io is allowed only in l6_drivers, l7_models and cmd",
		allowed: func(c Class) bool { return c.Layer == Drivers || c.Layer == Models },
	},
	{
		prefix: "github.com/gofiber", rule: RuleFiberOutsideAPI,
		detail:  "github.com/gofiber is allowed only in l2_api and cmd",
		allowed: func(c Class) bool { return c.Layer == API },
	},
	{
		prefix: "go.uber.org/fx", rule: RuleFxOutsideModuleFile,
		detail:   "go.uber.org/fx is allowed only in cmd and in files named module.go",
		allowed:  func(Class) bool { return false },
		fileName: "module.go",
	},
}

// judgeExternal decides whether a file of a package of class from may import
// the third-party package imported. It returns nil when the import is allowed.
func judgeExternal(from Class, filePath, imported string) *verdict {
	if from.Layer == Tooling {
		return nil
	}
	for _, r := range externalRules {
		if imported != r.prefix && !strings.HasPrefix(imported, r.prefix+"/") {
			continue
		}
		if r.allowed(from) || (r.fileName != "" && path.Base(filePath) == r.fileName) {
			return nil
		}
		return &verdict{rule: r.rule, detail: r.detail}
	}
	return nil
}
