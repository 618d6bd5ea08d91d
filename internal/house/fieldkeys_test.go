package house

import (
	"go/ast"
	"go/token"
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
	checked := func(rel string) bool {
		if keyHomes[rel] {
			return false
		}
		for _, dir := range checkedForKeys {
			if strings.HasPrefix(rel, dir+"/") {
				return true
			}
		}
		return false
	}
	for _, f := range goFiles(t, false, checked) {
		reading := map[*ast.BasicLit]bool{}
		ast.Inspect(f.ast, func(n ast.Node) bool {
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
					t.Errorf("%s: field key %q written as a string: use its constant (parsers/fieldkeys.go)", f.fset.Position(n.Pos()), v)
				}
			}
			return true
		})
	}
}
