package mailbot

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"mailbot/internal/localmail"
	"mailbot/parsers"
	"mailbot/templates"
	"mailbot/ticketing"
)

// The one way into the outbox: the sender is woken only when the transaction that queued the mail
// commits, and a mail about a case threads onto the case by one rule, never naming a Message-ID
// mailbot made up.
func TestPostQueue(t *testing.T) {
	l, err := localmail.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cfg := testConfig(l, t.TempDir())
	store, err := ticketing.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	woken := 0
	p := post{cfg: cfg, wake: func() { woken++ }}
	body, err := templates.Render("ack", replyData{TicketID: "x", Subject: "x", NextStep: "y"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ctx := context.Background()

	var tk *ticketing.Ticket
	err = store.Update(ctx, func(tx *ticketing.Tx) error {
		if tk, err = tx.NewTicket(ticketing.KindIntegration, "Richiesta", "ref@comune.example.it", "ref@comune.example.it", now, time.UTC); err != nil {
			return err
		}
		for _, id := range []string{"first@comune.example.it", parsers.MadeUpMessageID("sha256", strings.Repeat("ab", 32)), "second@comune.example.it"} {
			if _, err := tx.AddMessage(&ticketing.Message{TicketID: tk.ID, Direction: "in", MessageID: id, Digest: id, ReceivedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	rollback := errors.New("changed my mind")
	err = store.Update(ctx, func(tx *ticketing.Tx) error {
		if _, err := p.queue(tx, outgoing{TicketID: tk.ID, Kind: "k", To: []string{"ref@comune.example.it"}, Subject: "s", Body: body}, now); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) || woken != 0 {
		t.Fatalf("rolled back: err %v, outbox woken %d times, want 0", err, woken)
	}

	tests := []struct {
		name       string
		o          outgoing
		inReplyTo  string
		references string
	}{
		// Aside: these two stay out of the case's messages, so the next ones see the same thread.
		{"onto the case, made-up IDs left out",
			outgoing{TicketID: tk.ID, Aside: true},
			"<second@comune.example.it>", "<first@comune.example.it> <second@comune.example.it>"},
		{"a made-up message answered: onto the case instead",
			outgoing{TicketID: tk.ID, Aside: true, InReplyTo: parsers.MadeUpMessageID("unparsable", strings.Repeat("cd", 32))},
			"<second@comune.example.it>", "<first@comune.example.it> <second@comune.example.it>"},
		{"the message answered",
			outgoing{TicketID: tk.ID, InReplyTo: "asked@x.it", References: []string{"before@x.it"}},
			"<asked@x.it>", "<before@x.it> <asked@x.it>"},
		{"no case, nothing answered", outgoing{}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := woken
			o := tc.o
			o.Kind, o.To, o.Subject, o.Body = "k", []string{"ref@comune.example.it"}, "s", body
			var id string
			if err := store.Update(ctx, func(tx *ticketing.Tx) (err error) {
				id, err = p.queue(tx, o, now)
				if woken != before {
					t.Errorf("outbox woken before the commit")
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if woken != before+1 {
				t.Errorf("outbox woken %d times by the commit, want 1", woken-before)
			}
			list, err := store.DueMail(ctx, now, 100)
			if err != nil {
				t.Fatal(err)
			}
			var raw string
			for _, m := range list {
				if m.MessageID == id {
					raw = string(m.Raw)
				}
			}
			if got := header(raw, "In-Reply-To"); got != tc.inReplyTo {
				t.Errorf("In-Reply-To %q, want %q", got, tc.inReplyTo)
			}
			if got := header(raw, "References"); got != tc.references {
				t.Errorf("References %q, want %q", got, tc.references)
			}
		})
	}
}

// header is the unfolded value of the first header called name in raw, "" if none.
func header(raw, name string) string {
	head, _, _ := strings.Cut(strings.ReplaceAll(raw, "\r\n", "\n"), "\n\n")
	head = strings.ReplaceAll(head, "\n ", " ")
	for _, line := range strings.Split(head, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
