package house

import (
	"bytes"
	"go/ast"
	"go/printer"
	"regexp"
	"strings"
	"testing"
)

// addressLike matches an expression that holds an email address, by the names this code gives
// them.
var addressLike = regexp.MustCompile(`(?i)addr|address|from|\bto\b|rcpt|recipient|requester|email|e-mail|sender|mittente|reply_?to|staff|assignee|\bwho\b`)

// foldingCalls are the calls that compare or fold text by case.
var foldingCalls = map[string]bool{
	"strings.ToLower": true, "strings.ToUpper": true, "strings.EqualFold": true,
	"bytes.ToLower": true, "bytes.EqualFold": true, "mailaddr.Fold": true,
}

// TestAddressFoldingInMailaddr fails when code outside mailaddr/ folds or compares an address by
// case itself: addresses are normalised and compared only through mailaddr.Address, so that
// senders, caps, staff checks and the console cannot disagree (strings.ToLower turns the Kelvin
// sign into "k"; EqualFold matches Unicode look-alikes).
func TestAddressFoldingInMailaddr(t *testing.T) {
	outside := func(rel string) bool { return !strings.HasPrefix(rel, "mailaddr/") }
	for _, f := range goFiles(t, false, outside) {
		ast.Inspect(f.ast, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok || !foldingCalls[pkg.Name+"."+sel.Sel.Name] {
				return true
			}
			for _, arg := range call.Args {
				var b bytes.Buffer
				printer.Fprint(&b, f.fset, arg)
				if addressLike.MatchString(b.String()) {
					t.Errorf("%s: %s.%s(%s) folds an address outside mailaddr: use mailaddr.Parse, Norm or Same", f.fset.Position(call.Pos()), pkg.Name, sel.Sel.Name, b.String())
					break
				}
			}
			return true
		})
	}
}
