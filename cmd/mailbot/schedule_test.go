package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailbot/ticketing"
)

// scheduleFixture writes a configuration and a database with a case waiting on the ente since
// Monday 23 March 2026 and one waiting on the Region since then, and returns the config path.
func scheduleFixture(t *testing.T) (string, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "mailbot.toml")
	if err := os.WriteFile(cfg, []byte(`data_dir = "`+filepath.ToSlash(dir)+`"
reply_from = "call.center@regione.veneto.it"
[[mailbox]]
name = "callcenter"
address = "call.center@regione.veneto.it"
imap_addr = "127.0.0.1:993"
username = "u"
password = "p"
[smtp]
addr = "127.0.0.1:587"
[staff]
addresses = ["staff1@regione.veneto.it"]
[digest]
to = ["cluster.innovazione@regione.veneto.it"]
`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := ticketing.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rome, _ := time.LoadLocation("Europe/Rome")
	since := time.Date(2026, 3, 23, 10, 0, 0, 0, rome)
	ids := map[string]string{}
	err = s.Update(context.Background(), func(tx *ticketing.Tx) error {
		for _, c := range []struct {
			name, requester string
			states          []string
		}{
			{"ente", "ref@comune.venezia.it", []string{"test_setup", "testing"}},
			{"regione", "ref@comune.padova.it", []string{"test_setup"}},
		} {
			tk, err := tx.NewTicket(ticketing.KindIntegration, "Richiesta", c.requester, c.requester, since, rome)
			if err != nil {
				return err
			}
			ids[c.name] = tk.ID
			for _, st := range c.states {
				if err := tx.SetState(tk.ID, st, "staff1@regione.veneto.it", "", since); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, ids
}

type remindOut struct {
	Ticket string   `json:"ticket"`
	Kind   string   `json:"kind"`
	To     []string `json:"to"`
	Reason string   `json:"reason"`
}

func remindJSON(t *testing.T, cfg, now string, extra ...string) []remindOut {
	t.Helper()
	var out, errb bytes.Buffer
	args := append([]string{"remind", "-config", cfg, "-now", now, "-json"}, extra...)
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("remind exit %d: %s", code, errb.String())
	}
	if strings.TrimSpace(out.String()) == "null" {
		t.Fatal("remind -json printed null")
	}
	var list []remindOut
	if err := json.Unmarshal(out.Bytes(), &list); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	return list
}

func TestRemindDryRunJSON(t *testing.T) {
	cfg, ids := scheduleFixture(t)
	for _, c := range []struct {
		now  string
		want []string // ticket/kind/first recipient
	}{
		{"2026-03-25T10:00:00+01:00", nil},
		{"2026-03-26T09:30:00+01:00", []string{ids["regione"] + "/escalation/staff1@regione.veneto.it"}},
		{"2026-03-28T10:00:00+01:00", nil}, // Saturday
		{"2026-03-30T07:30:00Z", []string{ids["ente"] + "/reminder/ref@comune.venezia.it", ids["regione"] + "/escalation/staff1@regione.veneto.it"}}, // 09:30 CEST
		{"2026-04-06T10:00:00+02:00", nil}, // Easter Monday
	} {
		var got []string
		for _, d := range remindJSON(t, cfg, c.now, "-dry-run") {
			got = append(got, d.Ticket+"/"+d.Kind+"/"+d.To[0])
			if d.Reason == "" {
				t.Errorf("%s: no reason for %s", c.now, d.Ticket)
			}
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("remind -dry-run at %s = %q, want %q", c.now, got, c.want)
		}
	}
	// A dry run queues nothing: the real run then queues both, and a second run none.
	if got := remindJSON(t, cfg, "2026-03-30T09:30:00+02:00"); len(got) != 2 {
		t.Errorf("remind queued %d, want 2", len(got))
	}
	if got := remindJSON(t, cfg, "2026-03-30T09:45:00+02:00"); len(got) != 0 {
		t.Errorf("second remind queued %d, want 0", len(got))
	}
}

func TestDigestPrint(t *testing.T) {
	cfg, ids := scheduleFixture(t)
	var out, errb bytes.Buffer
	if code := run([]string{"digest", "-config", cfg, "-now", "2026-03-30T08:00:00+02:00", "-print"}, &out, &errb); code != 0 {
		t.Fatalf("digest exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"lunedì 30/03/2026", "test_setup         predisposizione ambiente di collaudo", ids["regione"],
		"oltre la soglia di 3 giorni lavorativi"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("digest -print lacks %q:\n%s", want, out.String())
		}
	}
	// Queuing it: once a day.
	if code := run([]string{"digest", "-config", cfg, "-now", "2026-03-30T08:00:00+02:00"}, &out, &errb); code != 0 {
		t.Fatalf("digest exit %d: %s", code, errb.String())
	}
	if code := run([]string{"digest", "-config", cfg, "-now", "2026-03-30T09:00:00+02:00"}, &out, &errb); code != 1 {
		t.Errorf("second digest of the day: exit %d, want 1", code)
	}
}
