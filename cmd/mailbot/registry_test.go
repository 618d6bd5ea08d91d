package main

import (
	"strings"
	"testing"
)

// TestRegistryImport: an operator loads IndicePA's Enti file; a file that is not one changes
// nothing; a case naming an ente then shows what the registry says of it.
func TestRegistryImport(t *testing.T) {
	cfg, id, _ := ticketFixture(t)
	for _, c := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{args: []string{"registry"}, code: 2, stderr: "usage"},
		{args: []string{"registry", "import", "-config", cfg}, code: 2, stderr: "usage"},
		{args: []string{"registry", "import", "-config", cfg, "../../testdata/registry/nope.csv"}, code: 1, stderr: "no such file"},
		{args: []string{"registry", "import", "-config", cfg, "../../go.mod"}, code: 1, stderr: "the registry is unchanged"},
		{args: []string{"registry", "import", "-config", cfg, "../../testdata/registry/enti.csv"}, stdout: "8 enti imported"},
		// The case file shows what the registry says of the ente.
		{args: []string{"ticket", "field", "-config", cfg, id, "ente.codice_ipa=c_l736", "ente.codice_fiscale=00339370272"}, stdout: "valore registrato"},
		{args: []string{"tickets", "show", "-config", cfg, id}, stdout: "registro IndicePA: c_l736 «Comune di Venezia», codice fiscale 00339370272"},
	} {
		code, stdout, stderr := runCLI(c.args...)
		if code != c.code || !strings.Contains(stdout, c.stdout) || !strings.Contains(stderr, c.stderr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, stdout, stderr)
		}
	}
}
