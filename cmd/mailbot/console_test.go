package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestConsoleLink: `mailbot console link` prints a one-time link for a staff address only, and
// the config refuses a console listening on a public address or without public_url.
func TestConsoleLink(t *testing.T) {
	dir := t.TempDir()
	base := `data_dir = "` + filepath.ToSlash(dir) + `"
reply_from = "call.center@regione.veneto.it"
[[mailbox]]
name = "callcenter"
address = "call.center@regione.veneto.it"
imap_addr = "127.0.0.1:1143"
username = "cc"
password = "x"
[smtp]
addr = "127.0.0.1:1025"
[staff]
addresses = ["Operatore@Regione.Veneto.it"]
`
	write := func(console string) string {
		p := filepath.Join(dir, "mailbot.toml")
		os.WriteFile(p, []byte(base+console), 0o600)
		return p
	}
	cfg := write("[console]\nlisten = \"127.0.0.1:8081\"\npublic_url = \"https://assistenza.example.it/console/\"\n")
	code, out, errOut := runCLI("console", "link", "-config", cfg, "-email", "operatore@regione.veneto.it")
	if code != 0 || !regexp.MustCompile(`^https://assistenza\.example\.it/console/accesso/entra\?t=[A-Za-z0-9_-]{43}\n$`).MatchString(out) {
		t.Fatalf("link: %d %q %s", code, out, errOut)
	}
	if code, out, _ := runCLI("console", "link", "-config", cfg, "-email", "altro@example.com"); code == 0 || out != "" {
		t.Errorf("link for a non-staff address: %d %q", code, out)
	}
	for _, c := range []struct{ console, want string }{
		{"[console]\nlisten = \"0.0.0.0:8081\"\npublic_url = \"https://a.example.it\"\n", "console.listen"},
		{"[console]\nlisten = \"127.0.0.1:8081\"\n", "console.public_url"},
		{"[console]\npublic_url = \"ftp://a.example.it\"\n", "console.public_url"},
		// Plain http only on this machine: elsewhere cookies and links would travel in clear.
		{"[console]\npublic_url = \"http://assistenza.example.it\"\n", "plain http only for a loopback host"},
		{"[console]\npublic_url = \"https://a.example.it\"\ntrusted_proxies = [\"10.0.0.0/33\"]\n", "console.trusted_proxies"},
		{"[console]\npublic_url = \"https://a.example.it\"\nsession_max = \"-1h\"\n", "console.session_max"},
		{"[console]\npublic_url = \"https://a.example.it\"\n[console.oidc]\nissuer = \"http://idp.example.it\"\nclient_id = \"m\"\n", "console.oidc.issuer"},
		{"[console]\npublic_url = \"https://a.example.it\"\n[console.oidc]\nissuer = \"https://idp.example.it\"\n", "console.oidc.client_id"},
		{"[console]\npublic_url = \"https://a.example.it\"\n[console.oidc]\nissuer = \"https://idp.example.it\"\nclient_id = \"m\"\n", "console.oidc.client_secret_file"},
	} {
		if code, _, errOut := runCLI("console", "link", "-config", write(c.console), "-email", "operatore@regione.veneto.it"); code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: %d %s", c.console, code, errOut)
		}
	}
}
