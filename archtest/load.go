package archtest

import (
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
)

// Module is every package of one Go module, read from source.
//
// Imports are read syntactically (go/parser with ImportsOnly) rather than
// through the go command: the checker then needs no network, no module cache
// and no compiling code, which lets the fixture module under testdata name
// gorm, Fiber and fx without requiring them. Files are read regardless of
// build constraints, so a file built only on some platform is checked too.
type Module struct {
	Path     string    // module path from go.mod, e.g. "hoc"
	Dir      string    // absolute directory holding go.mod
	Packages []Package // sorted by directory
}

// Package is one directory of Go files. Its external test package (package
// x_test) shares the directory and is kept in the same Package, because test
// files are held to the rules of the package they sit in.
type Package struct {
	ImportPath string
	RelDir     string // slash-separated, relative to the module root; "." for the root
	Class      Class
	Files      []File // sorted by name
}

// File is one parsed Go file.
type File struct {
	RelPath     string // slash-separated, relative to the module root
	PackageName string
	PackageLine int
	Imports     []Import
}

// Import is one import spec of a file.
type Import struct {
	Path string
	Line int
}

// importingPath is the import path a file's imports are attributed to: the
// external test package of "hoc/x" is "hoc/x_test", as the go command names it.
func (p Package) importingPath(f File) string {
	if strings.HasSuffix(f.PackageName, "_test") {
		return p.ImportPath + "_test"
	}
	return p.ImportPath
}

// LoadModule reads every package of the module whose go.mod is in dir. It
// skips what the go command skips for "./...": testdata, vendor, folders whose
// names start with "." or "_", and nested modules. A missing go.mod, a file
// that does not parse, or a module without any package is an error: a checker
// that silently loaded nothing would pass every rule.
func LoadModule(dir string) (*Module, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolve module directory %q: %w", dir, err)
	}
	modPath, err := readModulePath(abs)
	if err != nil {
		return nil, err
	}
	m := &Module{Path: modPath, Dir: abs}
	byDir := map[string]*Package{}
	fset := token.NewFileSet()
	var parseErrs []error
	walkErr := filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return skipDir(abs, p, d.Name())
		}
		name := d.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			return nil
		}
		f, err := parseFile(fset, abs, p)
		if err != nil {
			parseErrs = append(parseErrs, err)
			return nil
		}
		relDir := filepath.ToSlash(filepath.Dir(f.RelPath))
		pkg := byDir[relDir]
		if pkg == nil {
			pkg = &Package{ImportPath: joinImportPath(modPath, relDir), RelDir: relDir, Class: Classify(relDir)}
			byDir[relDir] = pkg
		}
		pkg.Files = append(pkg.Files, f)
		return nil
	})
	if walkErr != nil {
		return nil, fmt.Errorf("walk module %s: %w", abs, walkErr)
	}
	if len(parseErrs) > 0 {
		return nil, fmt.Errorf("parse module %s: %w", abs, errors.Join(parseErrs...))
	}
	if len(byDir) == 0 {
		return nil, fmt.Errorf("module %s at %s has no Go packages: refusing to pass an empty check", modPath, abs)
	}
	for _, pkg := range byDir {
		sort.Slice(pkg.Files, func(i, j int) bool { return pkg.Files[i].RelPath < pkg.Files[j].RelPath })
		m.Packages = append(m.Packages, *pkg)
	}
	sort.Slice(m.Packages, func(i, j int) bool { return m.Packages[i].RelDir < m.Packages[j].RelDir })
	return m, nil
}

// readModulePath returns the module path declared by dir/go.mod.
func readModulePath(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("read go.mod of module at %s: %w", dir, err)
	}
	modPath := modfile.ModulePath(data)
	if modPath == "" {
		return "", fmt.Errorf("go.mod at %s declares no module path", dir)
	}
	return modPath, nil
}

// skipDir tells WalkDir which folders are not part of the module's packages.
func skipDir(root, p, name string) error {
	if p == root {
		return nil
	}
	if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
		return filepath.SkipDir
	}
	if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
		return filepath.SkipDir // a nested module has its own rules
	}
	return nil
}

// parseFile reads the package clause and imports of one file.
func parseFile(fset *token.FileSet, root, p string) (File, error) {
	ast, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
	if err != nil {
		return File{}, err
	}
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return File{}, err
	}
	f := File{
		RelPath:     filepath.ToSlash(rel),
		PackageName: ast.Name.Name,
		PackageLine: fset.Position(ast.Package).Line,
	}
	for _, spec := range ast.Imports {
		importPath, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			return File{}, fmt.Errorf("%s: bad import %s: %w", p, spec.Path.Value, err)
		}
		f.Imports = append(f.Imports, Import{Path: importPath, Line: fset.Position(spec.Path.Pos()).Line})
	}
	return f, nil
}

// joinImportPath returns the import path of the package in relDir.
func joinImportPath(modPath, relDir string) string {
	if relDir == "." {
		return modPath
	}
	return modPath + "/" + relDir
}
