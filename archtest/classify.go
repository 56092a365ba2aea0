package archtest

import "strings"

// Layer is the position of a package in the topology. The numbers of the
// application layers match their folder prefixes (l2_api is 2), so "imports
// point down" reads as "the imported layer number is not smaller".
type Layer int

// The layers a package can belong to. Tooling and Unclassified are not part of
// the topology: tooling may import anything, and an unclassified package is
// itself a violation.
const (
	Unclassified Layer = 0
	Tooling      Layer = 1
	API          Layer = 2
	Adapters     Layer = 3
	Spine        Layer = 4
	Engines      Layer = 5
	Drivers      Layer = 6
	Models       Layer = 7
	// TestKit is not part of the topology either: it holds helpers that
	// tests of every layer share, so it may import no project package and
	// only test files may import it.
	TestKit Layer = 8
)

// layerDirs maps each application layer to the top-level folder that holds it.
var layerDirs = map[Layer]string{
	API:      "l2_api",
	Adapters: "l3_adapters",
	Spine:    "l4_spine",
	Engines:  "l5_engines",
	Drivers:  "l6_drivers",
	Models:   "l7_models",
}

// sharedPackages names, per domain layer, the one package that every domain of
// that layer may import: error kinds for the engines, plumbing for the drivers.
var sharedPackages = map[Layer]string{
	Engines: "fault",
	Drivers: "db",
}

// toolingDirs are the top-level folders whose packages may import anything.
var toolingDirs = []string{"cmd", "archtest"}

// testKitDir is the top-level folder of the shared test helpers.
const testKitDir = "testkit"

// String returns the folder name of the layer, which is how people refer to it.
func (l Layer) String() string {
	if dir, ok := layerDirs[l]; ok {
		return dir
	}
	if l == Tooling {
		return "tooling"
	}
	if l == TestKit {
		return testKitDir
	}
	return "unclassified"
}

// Class is what the rules need to know about a package: its layer and, in the
// two layers that are split by domain, its domain or whether it is the layer's
// shared package.
type Class struct {
	Layer Layer
	// Domain is the first folder below l5_engines or l6_drivers (e.g.
	// "account"); sub-packages belong to the same domain. Empty elsewhere.
	Domain string
	// Shared marks l5_engines/fault and l6_drivers/db (and their sub-packages).
	Shared bool
	// Top is the top-level folder, used to name tooling packages in messages.
	Top string
}

// String names the class the way ARCHITECTURE.md does, e.g. "l5_engines/account".
func (c Class) String() string {
	switch {
	case c.Layer == Tooling:
		return c.Top
	case c.Shared:
		return c.Layer.String() + "/" + sharedPackages[c.Layer]
	case c.Domain != "":
		return c.Layer.String() + "/" + c.Domain
	default:
		return c.Layer.String()
	}
}

// Classify places a package, given by its directory relative to the module
// root (slash-separated, "." for the root), into exactly one class. The root
// package, unknown top-level folders and the bare l5_engines and l6_drivers
// packages are Unclassified: engines and drivers live one package per domain,
// and code that every domain shares goes into the layer's shared package.
func Classify(relDir string) Class {
	if relDir == "." || relDir == "" {
		return Class{Layer: Unclassified}
	}
	parts := strings.Split(relDir, "/")
	top := parts[0]
	for _, dir := range toolingDirs {
		if top == dir {
			return Class{Layer: Tooling, Top: top}
		}
	}
	if top == testKitDir {
		return Class{Layer: TestKit, Top: top}
	}
	for layer, dir := range layerDirs {
		if top != dir {
			continue
		}
		shared, split := sharedPackages[layer]
		if !split {
			return Class{Layer: layer, Top: top}
		}
		if len(parts) < 2 {
			return Class{Layer: Unclassified, Top: top}
		}
		if parts[1] == shared {
			return Class{Layer: layer, Shared: true, Top: top}
		}
		return Class{Layer: layer, Domain: parts[1], Top: top}
	}
	return Class{Layer: Unclassified, Top: top}
}
