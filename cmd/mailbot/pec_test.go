package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailbot/internal/pectest"
)

// TestPECImport: mailbot pec import loads the index of PEC providers and says what it holds; a
// file that is not one is refused and changes nothing.
func TestPECImport(t *testing.T) {
	cfg, _, _ := ticketFixture(t)
	p, err := pectest.NewProvider("Gestore PEC di prova", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ldif := filepath.Join(t.TempDir(), "providers.ldif")
	if err := os.WriteFile(ldif, pectest.LDIF(p), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{args: []string{"pec"}, code: 2, stderr: "usage"},
		{args: []string{"pec", "import", "-config", cfg}, code: 2, stderr: "usage"},
		{args: []string{"pec", "import", "-config", cfg, "../../testdata/registry/enti.csv"}, code: 1, stderr: "the index is unchanged"},
		{args: []string{"pec", "import", "-config", cfg, ldif}, stdout: "1 providers, 1 certificates imported"},
	} {
		code, stdout, stderr := runCLI(c.args...)
		if code != c.code || !strings.Contains(stdout, c.stdout) || !strings.Contains(stderr, c.stderr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, stdout, stderr)
		}
	}
}
