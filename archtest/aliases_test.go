package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestSpine_AliasesKeepTheirTargetsNames: an alias in l4_spine of another
// package's type has that type's name (type Item = engine.Item), so that one
// shape has one name in every layer and in the operations listing
// (STYLE.md: one name per thing).
func TestSpine_AliasesKeepTheirTargetsNames(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	aliases := 0
	err := filepath.WalkDir("../l4_spine", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			spec, ok := n.(*ast.TypeSpec)
			if !ok || !spec.Assign.IsValid() {
				return true
			}
			aliases++
			if target, ok := spec.Type.(*ast.SelectorExpr); ok && target.Sel.Name != spec.Name.Name {
				t.Errorf("%s: type %s = %s.%s renames its target; name it %s", fset.Position(spec.Pos()),
					spec.Name.Name, target.X, target.Sel.Name, target.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if aliases == 0 {
		t.Fatal("found no alias in l4_spine: the walk read nothing")
	}
}
