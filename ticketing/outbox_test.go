package ticketing

import (
	"context"
	"testing"
	"time"
)

// TestMarkSentKeepsOnlyTheRedactedCopy: once the server has a mail that carried secrets, only
// its masked copy stays; a mail without one stays as it was sent.
func TestMarkSentKeepsOnlyTheRedactedCopy(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now()
	mails := []struct{ id, raw, redacted, kept string }{
		{"secret@x", "password 1234", "password ****", "password ****"},
		{"plain@x", "hello", "", "hello"},
	}
	if err := s.Update(ctx, func(tx *Tx) error {
		for _, m := range mails {
			om := &OutMail{MessageID: m.id, Kind: "ack", From: "a@x", Rcpts: []string{"b@x"}, Raw: []byte(m.raw)}
			if err := tx.Enqueue(om, now); err != nil {
				return err
			}
			if m.redacted != "" {
				if err := tx.SetRedacted(om.ID, []byte(m.redacted)); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueMail(ctx, now, 10)
	if err != nil || len(due) != len(mails) {
		t.Fatalf("due: %d mails (%v), want %d", len(due), err, len(mails))
	}
	for i, m := range mails {
		if string(due[i].Raw) != m.raw {
			t.Errorf("%s due as %q, want what is sent: %q", m.id, due[i].Raw, m.raw)
		}
		if err := s.Update(ctx, func(tx *Tx) error { return tx.MarkSent(&due[i], now) }); err != nil {
			t.Fatal(err)
		}
		var raw []byte
		var redacted any
		if err := s.r.QueryRow("SELECT raw, raw_redacted FROM outbox_bodies WHERE id = ?", due[i].ID).Scan(&raw, &redacted); err != nil {
			t.Fatal(err)
		}
		if string(raw) != m.kept || redacted != nil {
			t.Errorf("%s sent, kept %q and %q, want only %q", m.id, raw, redacted, m.kept)
		}
	}
}
