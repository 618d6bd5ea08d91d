package mailbot

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"mailbot/internal/localmail"
	"mailbot/templates"
	"mailbot/ticketing"
)

// TestStaffMailDoesNotCountForRateLimit: only automatic replies count towards the
// per-recipient limit; mail staff send through mailbot (credentials, results) does not.
func TestStaffMailDoesNotCountForRateLimit(t *testing.T) {
	l, err := localmail.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cfg := testConfig(l, t.TempDir())
	cfg.RateLimit.PerWindow = 2
	store, err := ticketing.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	in := NewIntake(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now, nil)
	body, _ := templates.Render("ack", replyData{TicketID: "INT-2026-00001", Subject: "x", NextStep: "y"})
	const rcpt = "referente@comune.venezia.it"
	queue := func(auto bool) {
		err := store.Update(context.Background(), func(tx *ticketing.Tx) error {
			_, err := in.post.queue(tx, outgoing{Kind: "k", To: []string{rcpt}, Subject: "s", Body: body, Auto: auto}, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	limited := func() bool {
		var lim bool
		store.Update(context.Background(), func(tx *ticketing.Tx) error {
			c, err := in.autoCountsOf(tx, rcpt, rcpt, time.Now())
			lim, _ = in.rateLimited(c)
			return err
		})
		return lim
	}
	for range 5 {
		queue(false)
	}
	if limited() {
		t.Fatal("staff mail counted towards the automatic-reply limit")
	}
	queue(true)
	queue(true)
	if !limited() {
		t.Fatal("two automatic replies did not reach a limit of two")
	}
}
