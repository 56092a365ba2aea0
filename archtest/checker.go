package archtest

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Violation is one import (or one package) that breaks a rule.
type Violation struct {
	File string // slash-separated, relative to the module root
	Line int
	From string // importing package; an external test package ends in "_test"
	To   string // imported package; empty for an unclassified package
	Rule Rule
	// Detail states what the importing package may import, for the reader.
	Detail string
}

// String formats the violation as
// "file:line: <importing package> imports <imported package>: <rule> — <why>".
func (v Violation) String() string {
	if v.To == "" {
		return fmt.Sprintf("%s:%d: %s: %s (%s) — %s", v.File, v.Line, v.From, v.Rule.Name, v.Detail, v.Rule.Why)
	}
	return fmt.Sprintf("%s:%d: %s imports %s: %s (%s) — %s",
		v.File, v.Line, v.From, v.To, v.Rule.Name, v.Detail, v.Rule.Why)
}

// Exception allows one import edge that the rules forbid. It is the escape
// hatch of last resort, so each one carries the reason a reviewer accepted.
type Exception struct {
	From   string // importing package path, with "_test" for an external test package
	To     string // imported package path
	Reason string
}

// String formats the exception for failure messages.
func (e Exception) String() string {
	return fmt.Sprintf("%s -> %s (%s)", e.From, e.To, e.Reason)
}

// Result is the outcome of checking a module.
type Result struct {
	Module     *Module
	Violations []Violation // sorted by file and line
	// Stale lists exceptions that matched no import: the code they excused
	// has gone, so they must go too before they excuse something new.
	Stale []Exception
}

// Failures returns every violation and stale exception as one line each; the
// check passes when it is empty.
func (r *Result) Failures() []string {
	var lines []string
	for _, v := range r.Violations {
		lines = append(lines, v.String())
	}
	for _, e := range r.Stale {
		lines = append(lines, "stale exception, no import matches it any more: "+e.String())
	}
	return lines
}

// Check loads the module in dir and judges every import of every file,
// test files included, against the layer rules. The error is reserved for a
// module that could not be checked (see LoadModule) and for malformed
// exceptions; rule breaks are returned in the Result.
func Check(dir string, exceptions []Exception) (*Result, error) {
	if err := validateExceptions(exceptions); err != nil {
		return nil, err
	}
	m, err := LoadModule(dir)
	if err != nil {
		return nil, err
	}
	classes := make(map[string]Class, len(m.Packages))
	for _, p := range m.Packages {
		classes[p.ImportPath] = p.Class
	}
	var all []Violation
	for _, p := range m.Packages {
		all = append(all, checkPackage(m.Path, p, classes)...)
	}
	res := &Result{Module: m}
	res.Violations, res.Stale = applyExceptions(all, exceptions)
	sort.SliceStable(res.Violations, func(i, j int) bool {
		a, b := res.Violations[i], res.Violations[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return res, nil
}

// checkPackage judges one package: its classification, then each import.
func checkPackage(modPath string, p Package, classes map[string]Class) []Violation {
	var out []Violation
	if p.Class.Layer == Unclassified {
		first := p.Files[0]
		out = append(out, Violation{
			File: first.RelPath, Line: first.PackageLine, From: p.ImportPath,
			Rule: RuleUnclassifiedPackage, Detail: "package " + p.RelDir + " is in no layer",
		})
	}
	for _, f := range p.Files {
		from := p.importingPath(f)
		for _, imp := range f.Imports {
			var v *verdict
			switch {
			case imp.Path == modPath || strings.HasPrefix(imp.Path, modPath+"/"):
				to := classOf(modPath, imp.Path, classes)
				v = judgeTestKitFile(p.Class, to, f.RelPath)
				if v == nil {
					v = judgeInternal(p.Class, to)
				}
			case isStandard(imp.Path):
				continue
			default:
				v = judgeExternal(p.Class, f.RelPath, imp.Path)
			}
			if v != nil {
				out = append(out, Violation{
					File: f.RelPath, Line: imp.Line, From: from, To: imp.Path, Rule: v.rule, Detail: v.detail,
				})
			}
		}
	}
	return out
}

// classOf classifies an imported project package. A path that matches no
// loaded package (a typo the compiler will also reject) is classified by its
// directory all the same, so the rules still name the layer it points into.
func classOf(modPath, importPath string, classes map[string]Class) Class {
	if c, ok := classes[importPath]; ok {
		return c
	}
	return Classify(strings.TrimPrefix(strings.TrimPrefix(importPath, modPath), "/"))
}

// isStandard reports whether an import path belongs to the standard library
// (or is cgo's pseudo-package "C"): its first element has no dot.
func isStandard(importPath string) bool {
	first, _, _ := strings.Cut(importPath, "/")
	return !strings.Contains(first, ".")
}

// applyExceptions removes excused violations and returns the exceptions that
// excused nothing.
func applyExceptions(all []Violation, exceptions []Exception) ([]Violation, []Exception) {
	used := make([]bool, len(exceptions))
	var kept []Violation
	for _, v := range all {
		excused := false
		for i, e := range exceptions {
			if v.To != "" && e.From == v.From && e.To == v.To {
				used[i], excused = true, true
			}
		}
		if !excused {
			kept = append(kept, v)
		}
	}
	var stale []Exception
	for i, e := range exceptions {
		if !used[i] {
			stale = append(stale, e)
		}
	}
	return kept, stale
}

// validateExceptions rejects exceptions that could not be reviewed: every
// edge must be complete, carry a reason, and be listed once.
func validateExceptions(exceptions []Exception) error {
	var errs []error
	seen := map[[2]string]bool{}
	for _, e := range exceptions {
		key := [2]string{e.From, e.To}
		switch {
		case e.From == "" || e.To == "":
			errs = append(errs, fmt.Errorf("exception %s: both From and To are required", e))
		case strings.TrimSpace(e.Reason) == "":
			errs = append(errs, fmt.Errorf("exception %s: a reason is required", e))
		case seen[key]:
			errs = append(errs, fmt.Errorf("exception %s: listed twice", e))
		}
		seen[key] = true
	}
	return errors.Join(errs...)
}
