package house

import (
	"go/ast"
	"go/token"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mailbot/templates/say"
)

// sayKeyRe is the shape of a key of templates/say/sentences.txt.
var sayKeyRe = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

// verbRe finds fmt's verbs in a text ("%%" is taken out first).
var verbRe = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z]`)

// TestSayKeys fails on a key that code names and sentences.txt does not hold, on a text no code
// names, and on a call that passes a text more or fewer values than it has verbs. A key is any
// string literal of the shape group.name whose group is one of the file's; the values are the
// arguments after it in the same call (say.Text("ident.eleven_digits", n), identErr(kind, v,
// "ident.eleven_digits", n)).
func TestSayKeys(t *testing.T) {
	groups := map[string]bool{}
	for _, k := range say.Keys() {
		g, _, _ := strings.Cut(k, ".")
		groups[g] = true
	}
	isKey := func(lit *ast.BasicLit) (string, bool) {
		if lit.Kind != token.STRING {
			return "", false
		}
		v, err := strconv.Unquote(lit.Value)
		if err != nil || !sayKeyRe.MatchString(v) {
			return "", false
		}
		g, _, _ := strings.Cut(v, ".")
		return v, groups[g]
	}
	used := map[string]bool{}
	for _, f := range goFiles(t, false, func(string) bool { return true }) {
		ast.Inspect(f.ast, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ImportSpec:
				return false
			case *ast.BasicLit:
				if k, ok := isKey(n); ok {
					used[k] = true
					if _, ok := say.Format(k); !ok {
						t.Errorf("%s: %q has no text in templates/say/sentences.txt", f.fset.Position(n.Pos()), k)
					}
				}
			case *ast.CallExpr:
				for i, a := range n.Args {
					lit, ok := a.(*ast.BasicLit)
					if !ok {
						continue
					}
					k, ok := isKey(lit)
					text, has := say.Format(k)
					if !ok || !has || n.Ellipsis.IsValid() {
						continue
					}
					if strings.Contains(text, "%[") {
						continue // explicit argument indexes: not counted here
					}
					verbs := len(verbRe.FindAllString(strings.ReplaceAll(text, "%%", ""), -1))
					if got := len(n.Args) - i - 1; got != verbs {
						t.Errorf("%s: %q has %d verbs, the call passes %d values", f.fset.Position(n.Pos()), k, verbs, got)
					}
					break
				}
			}
			return true
		})
	}
	keys := say.Keys()
	slices.Sort(keys)
	for _, k := range keys {
		if !used[k] {
			t.Errorf("templates/say/sentences.txt: no code names %s: remove its text", k)
		}
	}
}

// italianWords are words that put a string literal in Italian prose. One of them and a second
// word make a sentence; labels and vocabulary the readers match are in the files of
// vocabulary below.
var italianWords = regexp.MustCompile(`(?i)(^|[^\p{L}])((il|lo|la|gli|le|un|una|non|è|sono|della|delle|del|dei|dello|nel|nella|alla|dal|dalla|che|con|ha|di|ai|nessun|nessuna|già|più)([^\p{L}]|$)|(dell|nell|all|dall|sull)['’])`)

// vocabulary are the files whose Italian is data, not text for people: the words the readers
// recognise in documents and messages (labels, answers, intent, the schema's aliases), and
// tables that are data of their own. Those stay beside the code that uses them.
var vocabulary = map[string]string{
	"parsers/labels.go":        "labels the readers match",
	"parsers/intent.go":        "phrases that say a referent is done or not yet",
	"parsers/schema.go":        "the forms' labels and aliases",
	"parsers/fieldkeys.go":     "generated from the schema",
	"parsers/text.go":          "the header of a quoted reply (\"Il giorno ... ha scritto:\") the reader matches",
	"ticketing/calendar.go":    "the names of the Italian public holidays, a table of the calendar",
	"cmd/mailbot-load/main.go": "the configuration file the load generator writes for its daemon",
	"catalog/html.go":          "the catalog page's script, whose hash the Content-Security-Policy allows: its words (voce, voci, su) stay in it",
}

// notForPeople are single strings elsewhere that read as Italian but are data, with why.
var notForPeople = map[string]string{
	"corpo del messaggio": "the Source of a form written in a message's body: stored with the forms and compared (parsers.SourceBody; ticketing reads older rows by it)",
	"Qualificato il":      "a column of the catalogs' schema, as published (docs/catalog.schema.json)",
	"Attivo dal":          "a column of the catalogs' schema, as published (docs/catalog.schema.json)",
	"fare clic o toccare qui per immettere il testo": "the hint Word shows in an empty field, which the readers skip",
	"Per conto di:": "how a PEC envelope names the sender it carries for, which the reader matches",
}

// TestNoItalianSentencesInGo fails when a Go file outside templates/ (and its tests) gains a
// string that reads as an Italian sentence: text for people lives in templates/ (mails in
// templates/mail, short texts in templates/say/sentences.txt).
func TestNoItalianSentencesInGo(t *testing.T) {
	// internal/ holds the fixture generators, whose Italian is the documents they write.
	checked := func(rel string) bool {
		return !strings.HasPrefix(rel, "templates/") && !strings.HasPrefix(rel, "internal/") && vocabulary[rel] == ""
	}
	found := map[string][]string{}
	for _, f := range goFiles(t, false, checked) {
		ast.Inspect(f.ast, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ImportSpec, *ast.Field: // import paths, struct tags
				return false
			case *ast.BasicLit:
				v, err := strconv.Unquote(n.Value)
				if n.Kind != token.STRING || err != nil || len(strings.Fields(v)) < 2 || !italianWords.MatchString(v) || notForPeople[v] != "" {
					return true
				}
				found[f.rel] = append(found[f.rel], f.fset.Position(n.Pos()).String()+": "+v)
			}
			return true
		})
	}
	for _, rel := range slices.Sorted(maps.Keys(found)) {
		t.Errorf("%s: %d Italian sentences: text for people goes in templates/ (HACKING.md); if it is data the code matches, list it in vocabulary or notForPeople\n\t%s", rel, len(found[rel]), strings.Join(found[rel], "\n\t"))
	}
}
