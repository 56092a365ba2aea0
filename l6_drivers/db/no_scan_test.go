package db_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestDrivers_NeverCallGormScan: no driver ends a gorm query in Scan. gorm's
// Scan logs a slow or failed statement through a recorder that bypasses the
// database logger's parameter filter, so the log line would carry the bound
// values — tenants' data and key hashes. Find reads the same rows through
// the filtered path. A Scan on a gorm chain is a method call on a call's
// result (db.Raw(...).Scan); database/sql's rows.Scan is on a variable.
func TestDrivers_NeverCallGormScan(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files++
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Scan" {
				if _, chained := sel.X.(*ast.CallExpr); chained {
					t.Errorf("%s: a gorm query ends in Scan; use Find", fset.Position(call.Pos()))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("read %d driver files; the walk of l6_drivers found too few", files)
	}
}
