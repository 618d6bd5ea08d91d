package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"mailbot/mailbot"
	"mailbot/ops"
	"mailbot/ticketing"
)

// withOps appends an [ops] section to a fixture config.
func withOps(t *testing.T, cfg, listen string) {
	t.Helper()
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("[ops]\nlisten = \"" + listen + "\"\n")
}

// TestStatusFromDatabase: with serve not answering, status says so and prints what the
// database knows: the cases per state and turn.
func TestStatusFromDatabase(t *testing.T) {
	cfg, _, _ := ticketFixture(t)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing answers there
	withOps(t, cfg, addr)
	code, out, errs := runCLI("status", "-config", cfg)
	if code != 0 {
		t.Fatalf("status: %d %s", code, errs)
	}
	for _, want := range []string{"not answering on " + addr, "integration  test_setup", "regione", "outbox:", "last digest:", "never"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
}

// TestStatusFromServe: with serve answering, status shows each mailbox's state and catch-up
// progress, and a serve that is not ready makes it exit 1 with the reasons.
func TestStatusFromServe(t *testing.T) {
	cfg, _, _ := ticketFixture(t)
	now := time.Now()
	st := ops.Status{At: now, Ready: false, Reasons: []string{"outbox stuck: oldest queued mail waiting for 45m0s"},
		Health: mailbot.HealthSnapshot{Mailboxes: []mailbot.MailboxHealth{{Name: "callcenter", State: mailbot.WatcherConnected,
			LastSuccess: now.Add(-3 * time.Second), Fetched: 1200, Backlog: 3800,
			CatchUp: &mailbot.Progress{Done: 1200, Total: 5000, Rate: 40, Left: 95 * time.Second}}}},
		Stats: ticketing.Stats{Cases: []ticketing.CaseStats{{Kind: "integration", State: "testing", WaitingOn: "ente", Count: 4}}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/status" {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(st)
	}))
	defer srv.Close()
	withOps(t, cfg, strings.TrimPrefix(srv.URL, "http://"))
	code, out, _ := runCLI("status", "-config", cfg)
	if code != 1 {
		t.Errorf("status of a serve not ready: exit %d, want 1", code)
	}
	for _, want := range []string{"NOT READY", "outbox stuck", "callcenter  connected", "catching up: 1200/5000, 40/s, 1m35s left", "testing"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI("status", "-config", cfg, "-json")
	if !strings.Contains(out, `"live": true`) || !strings.Contains(out, `"ready": false`) {
		t.Errorf("status -json: %d %s", code, out)
	}
}
