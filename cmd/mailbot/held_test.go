package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHeldCLI: the list of held replies, and what release and drop say of one that is not held.
func TestHeldCLI(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "mailbot.toml")
	os.WriteFile(cfg, []byte(`data_dir = "`+filepath.ToSlash(filepath.Join(dir, "data"))+`"
reply_from = "call.center@regione.veneto.it"
[[mailbox]]
name = "callcenter"
address = "call.center@regione.veneto.it"
imap_addr = "127.0.0.1:1143"
username = "cc"
password = "x"
[smtp]
addr = "127.0.0.1:1025"
`), 0o600)
	if code, out, errOut := runCLI("held", "list", "-config", cfg); code != 0 || out != "" || !strings.Contains(errOut, "no held replies") {
		t.Errorf("list: %d %q %q", code, out, errOut)
	}
	for _, verb := range []string{"release", "drop"} {
		if code, _, errOut := runCLI("held", verb, "-config", cfg, "7"); code != 1 || !strings.Contains(errOut, "not held") {
			t.Errorf("%s of nothing: %d %q", verb, code, errOut)
		}
	}
	if code, _, _ := runCLI("held", "release", "-config", cfg, "sette"); code != 2 {
		t.Errorf("release of a word: %d", code)
	}
}
