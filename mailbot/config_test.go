package mailbot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodConfig = `
data_dir = "DIR"
timezone = "Europe/Rome"
reply_from = "Regione del Veneto - Integrazioni PagoPA <call.center@regione.veneto.it>"
[[mailbox]]
name = "callcenter"
address = "call.center@regione.veneto.it"
imap_addr = "127.0.0.1:1143"
tls = "none"
username = "call.center@regione.veneto.it"
password = "secret"
first_start = "skip"
[smtp]
addr = "127.0.0.1:2525"
tls = "none"
username = ""
password = ""
`

// TestConfigErrorsNameTheKey: serve refuses a bad configuration with the key and the problem.
func TestConfigErrorsNameTheKey(t *testing.T) {
	cases := []struct {
		name, from, to, want string
	}{
		{"good", "", "", ""},
		{"tls", `tls = "none"` + "\nusername = \"call", `tls = "ssl"` + "\nusername = \"call", `mailbox "callcenter".tls: must be none, starttls or tls, not "ssl"`},
		{"first_start", `first_start = "skip"`, `first_start = "all"`, `first_start: must be skip, import or reply`},
		{"imap_addr", `imap_addr = "127.0.0.1:1143"`, `imap_addr = "localhost"`, `imap_addr: want host:port`},
		{"timezone", `timezone = "Europe/Rome"`, `timezone = "Europe/Atlantis"`, `timezone: unknown time zone`},
		{"reply_from", `reply_from = "Regione`, `reply_from = "not an address" #`, `reply_from: not an address`},
		{"unknown key", `first_start = "skip"`, "first_start = \"skip\"\nfirst_strat = \"reply\"", `unknown key "mailbox.first_strat"`},
		{"no password", `password = "secret"`, `password = ""`, `password: missing (set password, password_file or $MAILBOT_CALLCENTER_PASSWORD)`},
		{"smtp", `addr = "127.0.0.1:2525"`, `addr = ""`, `smtp.addr: missing`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			text := strings.Replace(goodConfig, "DIR", filepath.ToSlash(dir), 1)
			if c.from != "" {
				if !strings.Contains(text, c.from) {
					t.Fatalf("case does not apply: %q", c.from)
				}
				text = strings.Replace(text, c.from, c.to, 1)
			}
			path := filepath.Join(dir, "mailbot.toml")
			os.WriteFile(path, []byte(text), 0o600)
			_, err := LoadConfig(path)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestConfigSecretsFromFileAndEnvironment(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("from-file\n"), 0o600)
	text := strings.Replace(goodConfig, "DIR", filepath.ToSlash(dir), 1)
	text = strings.Replace(text, `password = "secret"`, `password_file = "`+filepath.ToSlash(pw)+`"`, 1)
	path := filepath.Join(dir, "mailbot.toml")
	os.WriteFile(path, []byte(text), 0o600)
	cfg, err := LoadConfig(path)
	if err != nil || cfg.Mailboxes[0].Password != "from-file" {
		t.Fatalf("password_file: %v %q", err, cfg.Mailboxes[0].Password)
	}
	t.Setenv("MAILBOT_CALLCENTER_PASSWORD", "from-env")
	if cfg, err = LoadConfig(path); err != nil || cfg.Mailboxes[0].Password != "from-env" {
		t.Fatalf("environment: %v", err)
	}
	if cfg.Mailboxes[0].Mark != "keyword" || cfg.RateLimit.PerWindow != 10 || cfg.RateLimit.PerDay != 50 {
		t.Errorf("defaults: mark %q, rate %d/%d", cfg.Mailboxes[0].Mark, cfg.RateLimit.PerWindow, cfg.RateLimit.PerDay)
	}
}
