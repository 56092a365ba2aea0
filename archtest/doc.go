// Package archtest enforces the layer rules of ARCHITECTURE.md §2 as tests
// that fail the build.
//
// Two checks run side by side:
//
//   - arch-go (archgo_test.go) reads arch-go.yml at the repository root, the
//     same file architects run the arch-go CLI on. It sees package-level,
//     non-test imports only.
//   - The checker in this package (checker.go, rules.go, classify.go, load.go)
//     adds what arch-go cannot do: it reads test files too, applies the
//     per-file fx rule (fx only in module.go), keeps sibling domains apart for
//     any domain without listing them, classifies every package into exactly
//     one layer (or cmd, archtest, testkit), keeps testkit a leaf that only
//     _test.go files import, and refuses to pass when it loaded nothing. Each violation is
//     reported as "file:line: <importing package> imports <imported package>:
//     <rule> — <why the rule exists>".
//
// The fixture module under testdata/fixture holds one deliberate violation of
// each kind, so the tests prove that the checks can fail.
//
// # Running without the race detector
//
// arch-go v1.7.0 writes its result's Pass flag from several goroutines
// without synchronisation. This package therefore serializes every call into
// arch-go behind one mutex, derives pass or fail from the per-rule results
// instead of that flag, and is run WITHOUT -race. The repository's test
// command, make test (Makefile; docs/contributing.md), runs:
//
//	go test ./archtest/...
//	go test -race $(go list ./... | grep -v /archtest)
package archtest
