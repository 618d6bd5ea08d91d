package house

import (
	"go/ast"
	"testing"
)

// allowedSkips are the only places a test may skip, and why: a tool or server this machine may
// lack, or -short. Anything else, above all a committed fixture that is missing, must fail
// (HACKING.md), so a test cannot quietly stop checking.
var allowedSkips = map[string]string{
	"internal/mailtest/mailtest.go":        "real Dovecot/Postfix not running (MAILBOT_TEST_REAL_SERVERS=1 fails instead)",
	"internal/browsertest/browsertest.go":  "no Chromium installed",
	"internal/formgen/roundtrip_test.go":   "a reader gap listed as known",
	"internal/formgen/libreoffice_test.go": "no LibreOffice installed (CI and MAILBOT_TEST_REAL_SERVERS=1 fail instead)",
	"internal/oidctest/oidctest.go":        "the Node OpenID provider not installed (CI fails instead)",
	"mailbot/bombs_test.go":                "-short",
	"mailbot/fault_test.go":                "-short",
	"e2e/bombs_test.go":                    "-short",
}

// TestNoQuietSkips fails on a t.Skip, Skipf or SkipNow outside allowedSkips.
func TestNoQuietSkips(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range goFiles(t, true, func(string) bool { return true }) {
		ast.Inspect(f.ast, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Skip" && sel.Sel.Name != "Skipf" && sel.Sel.Name != "SkipNow") {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); !ok || !testingVar[id.Name] {
				return true // another Skip (an XML decoder's)
			}
			if _, ok := allowedSkips[f.rel]; !ok {
				t.Errorf("%s: a test skips: a missing fixture or a failed setup must fail the test; a skip for a missing tool goes into allowedSkips", f.fset.Position(call.Pos()))
			}
			seen[f.rel] = true
			return true
		})
	}
	for file := range allowedSkips {
		if !seen[file] {
			t.Errorf("allowedSkips lists %s, which no longer skips", file)
		}
	}
}

// testingVar are the names a *testing.T, B or F goes by in this module.
var testingVar = map[string]bool{"t": true, "b": true, "f": true, "tb": true}
