package house

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"mailbot/parsers"
)

// keyHomes are the files where a field key may be written as a string: the schema itself and
// the constants generated from it. Fixture generators (internal/corpus, internal/formgen,
// internal/loadreq) write documents, not code that reads fields, and are not checked.
var keyHomes = map[string]bool{"parsers/schema.go": true, "parsers/fieldkeys.go": true}

// checkedForKeys are the trees whose code reads form fields.
var checkedForKeys = []string{"mailbot", "catalog", "console", "cmd", "ops", "ticketing", "parsers"}

// TestFieldKeysAreConstants fails when code names a form field with a string instead of its
// generated constant (parsers.KeyEnteCodiceFiscale): a typo in a string compiles and reads
// nothing, a typo in a constant does not compile. Keys of one word ("servizi") are also words
// of other things, so they count only where a field is read: an index or a Field, List or
// Text call.
func TestFieldKeysAreConstants(t *testing.T) {
	keys := map[string]bool{}
	for _, f := range parsers.Forms {
		for _, fd := range f.Fields {
			keys[fd.Key] = true
		}
	}
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	checked := 0
	for _, dir := range checkedForKeys {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || keyHomes[rel] {
				return nil
			}
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				return err
			}
			checked++
			reading := map[*ast.BasicLit]bool{}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.IndexExpr:
					if lit, ok := n.Index.(*ast.BasicLit); ok {
						reading[lit] = true
					}
				case *ast.CallExpr:
					if sel, ok := n.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Field" || sel.Sel.Name == "List" || sel.Sel.Name == "Text") {
						for _, a := range n.Args {
							if lit, ok := a.(*ast.BasicLit); ok {
								reading[lit] = true
							}
						}
					}
				case *ast.BasicLit:
					v, err := strconv.Unquote(n.Value)
					if n.Kind != token.STRING || err != nil || !keys[v] {
						return true
					}
					if strings.ContainsAny(v, "._") || reading[n] {
						t.Errorf("%s: field key %q written as a string: use its constant (parsers/fieldkeys.go)", fset.Position(n.Pos()), v)
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 50 {
		t.Fatalf("only %d Go files checked: the module was not found", checked)
	}
}
