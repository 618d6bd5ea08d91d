package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupAndCheckCommands: backup writes a directory that check passes; a second backup
// into the same directory is refused; check without a database fails. (Damage found by check:
// ticketing.TestCheckFindsDamage.)
func TestBackupAndCheckCommands(t *testing.T) {
	cfg, _, _ := ticketFixture(t)
	out := filepath.Join(t.TempDir(), "backup")
	if code, stdout, stderr := runCLI("backup", "-config", cfg, "-out", out); code != 0 || !strings.Contains(stdout, "backup in") {
		t.Fatalf("backup: %d %s %s", code, stdout, stderr)
	}
	if code, stdout, stderr := runCLI("check", "-dir", out); code != 0 || !strings.Contains(stdout, ": ok") {
		t.Fatalf("check of the backup: %d %s %s", code, stdout, stderr)
	}
	if code, stdout, _ := runCLI("check", "-config", cfg); code != 0 {
		t.Fatalf("check of the data dir: %d %s", code, stdout)
	}
	if code, _, stderr := runCLI("backup", "-config", cfg, "-out", out); code == 0 || !strings.Contains(stderr, "already exists") {
		t.Errorf("second backup into the same directory: %d %s", code, stderr)
	}
	if code, _, _ := runCLI("check", "-dir", filepath.Join(t.TempDir(), "nothing")); code == 0 {
		t.Error("check of a directory without a database passed")
	}
	if code, _, _ := runCLI("check"); code != 2 {
		t.Errorf("check without a target: exit %d, want 2", code)
	}
}

// TestRetentionAndForgetCommands: the fixture's case is open, so retention leaves it and forget
// names it and refuses to erase it.
func TestRetentionAndForgetCommands(t *testing.T) {
	cfg, id, _ := ticketFixture(t)
	if code, stdout, stderr := runCLI("retention", "-config", cfg, "-now", "2030-01-01T00:00:00Z"); code != 0 || !strings.Contains(stdout, "from 0 cases") {
		t.Errorf("retention: %d %s %s", code, stdout, stderr)
	}
	code, stdout, _ := runCLI("forget", "-config", cfg, "-email", "referente@comune.venezia.it")
	if code != 1 || !strings.Contains(stdout, "not erased from 1 open cases") || !strings.Contains(stdout, id) {
		t.Errorf("forget of an open case's referent: %d %s", code, stdout)
	}
	if code, _, _ := runCLI("forget", "-config", cfg); code != 2 {
		t.Errorf("forget without -email: exit %d, want 2", code)
	}
}

// TestTicketMark: the CLI marks a case and takes the mark off, as #segnala by mail does.
func TestTicketMark(t *testing.T) {
	cfg, id, _ := ticketFixture(t)
	if code, out, errs := runCLI("ticket", "mark", "-config", cfg, id, "richiamare", "il", "referente"); code != 0 || !strings.Contains(out, "pratica segnalata") {
		t.Fatalf("mark: %d %s %s", code, out, errs)
	}
	if code, out, errs := runCLI("ticket", "mark", "-config", cfg, id); code != 0 || !strings.Contains(out, "segnalazione tolta") {
		t.Fatalf("unmark: %d %s %s", code, out, errs)
	}
	if code, _, _ := runCLI("ticket", "mark", "-config", cfg, id); code == 0 {
		t.Error("unmarking an unmarked case succeeded")
	}
}
