package main

import (
	"os"
	"strings"
	"testing"

	"mailbot/internal/demo"
)

// TestConfigCheck: a valid config passes; -connect logs in to the in-process IMAP and SMTP
// servers; a wrong password is named with the mailbox; an invalid config names its key.
func TestConfigCheck(t *testing.T) {
	cfg, _, l := ticketFixture(t)
	l.AddUser(demo.CallCenter)
	code, out, _ := runCLI("config", "check", "-config", cfg)
	if code != 0 || !strings.Contains(out, "is writable") || !strings.Contains(out, "mailbox callcenter") {
		t.Fatalf("config check: %d\n%s", code, out)
	}
	code, out, _ = runCLI("config", "check", "-config", cfg, "-connect")
	if code != 0 || !strings.Contains(out, "mailbox callcenter: logged in, INBOX holds 0 messages") || !strings.Contains(out, "connected and authenticated") {
		t.Fatalf("config check -connect: %d\n%s", code, out)
	}

	raw, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(raw), `password = "secret"`, `password = "wrong"`, 1)), 0o600)
	code, out, _ = runCLI("config", "check", "-config", cfg, "-connect")
	if code != 1 || !strings.Contains(out, "ERROR  mailbox callcenter: cannot log in to") {
		t.Errorf("config check -connect with a wrong password: %d\n%s", code, out)
	}

	os.WriteFile(cfg, []byte(strings.Replace(string(raw), `tls = "none"`, `tls = "maybe"`, 1)), 0o600)
	code, out, _ = runCLI("config", "check", "-config", cfg)
	if code != 1 || !strings.Contains(out, `tls: must be none, starttls or tls, not "maybe"`) {
		t.Errorf("config check of an invalid config: %d\n%s", code, out)
	}
	if code, _, _ := runCLI("config", "lint"); code != 2 {
		t.Errorf("config lint: exit %d, want 2", code)
	}
}
