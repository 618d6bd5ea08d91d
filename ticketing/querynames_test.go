package ticketing

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// nameArg says which argument of a call names a query, by the called function's name: the
// helpers of store.go and their few wrappers.
var nameArg = map[string]int{"query": 0, "exec": 0, "row": 0, "stmt": 0, "strings": 0, "messages": 1, "scan": 0}

// queryShaped is how a query is named in queries*.sql: words joined by hyphens.
var queryShaped = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)+$`)

// TestQueryNamesResolve reads the package's Go code and fails on a query name that no
// "-- name:" in queries*.sql defines (a typo would otherwise panic in production, on the first
// call), and on a query that nothing names.
func TestQueryNamesResolve(t *testing.T) {
	defined, err := loadQueries()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	used := map[string]bool{}
	seen := map[token.Pos]bool{} // a literal is checked once, as an argument or by its shape
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		check := func(lit *ast.BasicLit, why string) {
			name, err := strconv.Unquote(lit.Value)
			if err != nil || seen[lit.Pos()] {
				return
			}
			seen[lit.Pos()] = true
			if _, ok := defined[name]; !ok {
				t.Errorf("%s: query %q (%s) is not defined in queries*.sql", fset.Position(lit.Pos()), name, why)
			}
			used[name] = true
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				var fn string
				switch f := n.Fun.(type) {
				case *ast.SelectorExpr:
					fn = f.Sel.Name
				case *ast.Ident:
					fn = f.Name
				}
				if i, ok := nameArg[fn]; ok && i < len(n.Args) {
					if lit, ok := n.Args[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						check(lit, "passed to "+fn)
					}
				}
			case *ast.BasicLit:
				// Names kept in lists or variables before use: anything shaped like one.
				if v, err := strconv.Unquote(n.Value); n.Kind == token.STRING && err == nil && queryShaped.MatchString(v) {
					check(n, "a query-shaped string")
				}
			}
			return true
		})
	}
	if len(used) < len(defined)/2 {
		t.Fatalf("found %d query names in the code for %d queries: the scan is broken", len(used), len(defined))
	}
	for name := range defined {
		if !used[name] {
			t.Errorf("query %s is defined in queries*.sql but no code names it", name)
		}
	}
}

// TestQueriesEndWithTheirStatement: a comment after a query's statement (one introducing the
// next query) is not part of its text; the driver would parse it again on every run.
func TestQueriesEndWithTheirStatement(t *testing.T) {
	defined, err := loadQueries()
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range defined {
		last := text[strings.LastIndexByte(text, '\n')+1:]
		if strings.HasPrefix(strings.TrimSpace(last), "--") {
			t.Errorf("query %s ends with a comment line: %q", name, last)
		}
	}
	for in, want := range map[string]string{
		"SELECT 1;\n\n-- ?1 the next query's list.\n":  "SELECT 1;",
		"SELECT 1; -- kept\n":                          "SELECT 1; -- kept",
		"-- alone\n":                                   "-- alone",
		"SELECT a\n-- within\nFROM t;\n-- a\n-- b\n\n": "SELECT a\n-- within\nFROM t;",
	} {
		if got := trimTrailingComments(in); got != want {
			t.Errorf("trimTrailingComments(%q) = %q, want %q", in, got, want)
		}
	}
}
