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
