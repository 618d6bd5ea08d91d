//go:build unix

package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"mailbot/mailbot"
	"mailbot/ticketing"
)

const consoleBase = `reply_from = "call.center@regione.veneto.it"
[[mailbox]]
name = "callcenter"
address = "call.center@regione.veneto.it"
imap_addr = "127.0.0.1:1143"
username = "cc"
password = "x"
[smtp]
addr = "127.0.0.1:1025"
[console]
listen = "127.0.0.1:8081"
public_url = "https://assistenza.example.it/console"
`

// consoleConfig writes a configuration with the given staff and returns its path.
func consoleConfig(t *testing.T, dir string, staff ...string) string {
	t.Helper()
	list := ""
	for i, s := range staff {
		if i > 0 {
			list += ", "
		}
		list += `"` + s + `"`
	}
	p := filepath.Join(dir, "mailbot.toml")
	body := "data_dir = \"" + filepath.ToSlash(filepath.Join(dir, "data")) + "\"\n" + consoleBase + "[staff]\naddresses = [" + list + "]\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func sessionsOf(t *testing.T, s *ticketing.Store) []string {
	t.Helper()
	list, err := s.ConsoleSessionEmails(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(list)
	return list
}

// TestReloadOnHangup: SIGHUP (systemctl reload) takes the staff list from the file again and
// ends the sessions of the people taken off it at once; a session of someone removed while
// serve was stopped ends at start; a file that does not load changes nothing.
func TestReloadOnHangup(t *testing.T) {
	dir := t.TempDir()
	path := consoleConfig(t, dir, "uno@regione.veneto.it", "due@regione.veneto.it")
	cfg, err := mailbot.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := mailbot.NewDaemon(cfg, slog.New(slog.DiscardHandler), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = d.Store.Update(context.Background(), func(tx *ticketing.Tx) error {
		for i, e := range []string{"uno@regione.veneto.it", "due@regione.veneto.it", "partito@regione.veneto.it"} {
			if err := tx.AddConsoleSession(string(rune('a'+i)), e, time.Now(), time.Hour); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reloadOnHangup(ctx, path, cfg, d, slog.New(slog.DiscardHandler))
	if got := sessionsOf(t, d.Store); !slices.Equal(got, []string{"due@regione.veneto.it", "uno@regione.veneto.it"}) {
		t.Errorf("sessions at start: %v", got)
	}
	hangup := func() {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}
	// A broken file: nothing changes.
	os.WriteFile(path, []byte("[staff]\naddresses = 3\n"), 0o600)
	hangup()
	time.Sleep(200 * time.Millisecond)
	if got := cfg.StaffAddresses(); len(got) != 2 {
		t.Errorf("staff after a broken file: %v", got)
	}
	consoleConfig(t, dir, "uno@regione.veneto.it")
	hangup()
	for deadline := time.Now().Add(10 * time.Second); len(cfg.StaffAddresses()) != 1 || len(sessionsOf(t, d.Store)) != 1; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after SIGHUP: staff %v, sessions %v", cfg.StaffAddresses(), sessionsOf(t, d.Store))
		}
	}
	// The CLI ends a person's sessions too.
	code, out, errOut := runCLI("console", "signout", "-config", path, "-email", "Uno@Regione.Veneto.it")
	if code != 0 || out != "1 sessions ended\n" || len(sessionsOf(t, d.Store)) != 0 {
		t.Errorf("signout: %d %q %s", code, out, errOut)
	}
}
