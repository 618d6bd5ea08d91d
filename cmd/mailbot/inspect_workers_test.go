package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mailbot/internal/bombs"
	"mailbot/internal/crashreader"
	"mailbot/parsers"
)

// TestInspectSurvivesReaderCrash: inspect reads documents the daemon's way, in worker
// processes. The self-referencing PDF of issue 19 is listed as unreadable: damaged, through the
// shipped reader's guard; and when read unguarded, its worker dies of Go's stack overflow and
// inspect still answers.
func TestInspectSurvivesReaderCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.eml")
	raw := bombs.Message("referente@comune.venezia.it", "call.center@regione.veneto.it", "crash@example.org",
		"Richiesta integrazione", bombs.Attachment{Name: "modulo.pdf", ContentType: "application/pdf", Data: bombs.SelfRefPDF()})
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, env, reason string
	}{
		{"guarded", "", "danneggiato"},
		{"unguarded", "1", "si è interrotto"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(crashreader.Env, tc.env)
			var out, errs bytes.Buffer
			if code := run([]string{"inspect", "-json", path}, &out, &errs); code != 0 {
				t.Fatalf("exit %d: %s", code, errs.String())
			}
			var a parsers.Analysis
			if err := json.Unmarshal(out.Bytes(), &a); err != nil {
				t.Fatal(err)
			}
			if len(a.Unreadable) != 1 || a.Unreadable[0].Part != "modulo.pdf" || !strings.Contains(a.Unreadable[0].Reason, tc.reason) {
				t.Errorf("unreadable %+v, want modulo.pdf (%s)", a.Unreadable, tc.reason)
			}
		})
	}
}
