package ticketing

import (
	"bytes"
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

// TestOutboxPartsStoredOnce: a part many mails carry (a blank form) is stored once, and every
// reader of a mail (the sender, held mail, a sent copy) gets the mail whole; a redacted copy
// replaces it whole; a part whose stored bytes changed marks its mail broken rather than send
// other bytes, and the other mails are still read.
func TestOutboxPartsStoredOnce(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	form := NewPart(bytes.Repeat([]byte("JVBERi0xLjcK\r\n"), 2000))
	small := NewPart([]byte("UEsDBBQ=\r\n"))
	at := func(p Part, i int) Part { p.At = i; return p }
	mails := []struct {
		id, raw string
		parts   []Part
		whole   string
		held    bool
		secret  string
	}{
		{"two@x", "head|mid|tail", []Part{at(form, 5), at(small, 9)}, "head|" + string(form.Data) + "mid|" + string(small.Data) + "tail", false, ""},
		{"first@x", "rest", []Part{at(form, 0)}, string(form.Data) + "rest", false, ""},
		{"same-place@x", "ab", []Part{at(small, 1), at(small, 1)}, "a" + string(small.Data) + string(small.Data) + "b", false, ""},
		{"held@x", "held:", []Part{at(form, 5)}, "held:" + string(form.Data), true, ""},
		{"secret@x", "pw 1234 ", []Part{at(form, 8)}, "pw 1234 " + string(form.Data), false, "pw ****"},
	}
	ids := map[string]int64{}
	if err := s.Update(ctx, func(tx *Tx) error {
		for _, m := range mails {
			om := &OutMail{MessageID: m.id, Kind: "ack", From: "a@x", Rcpts: []string{"b@x"}, Raw: []byte(m.raw), Parts: m.parts}
			if err := tx.Enqueue(om, now); err != nil {
				return err
			}
			ids[m.id] = om.ID
			if m.held {
				if err := tx.HoldOutbox(om.ID, "limite orario"); err != nil {
					return err
				}
			}
			if m.secret != "" {
				if err := tx.SetRedacted(om.ID, []byte(m.secret)); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var parts, stored int
	if err := s.r.QueryRow("SELECT (SELECT count(*) FROM outbox_parts), (SELECT sum(length(raw)) FROM outbox_bodies)").Scan(&parts, &stored); err != nil {
		t.Fatal(err)
	}
	if parts != 2 || stored > len(form.Data) {
		t.Errorf("%d parts stored and %d bytes of mail, want 2 and the mails' own bytes only", parts, stored)
	}
	due, err := s.DueMail(ctx, now, 10)
	if err != nil || len(due) != 4 {
		t.Fatalf("due: %d mails (%v), want 4", len(due), err)
	}
	whole := map[string]string{}
	for _, m := range mails {
		whole[m.id] = m.whole
	}
	for _, m := range due {
		if string(m.Raw) != whole[m.MessageID] {
			t.Errorf("%s due as %d bytes, want %d whole", m.MessageID, len(m.Raw), len(whole[m.MessageID]))
		}
	}
	held, err := s.HeldMail(ctx)
	if err != nil || len(held) != 1 || string(held[0].Raw) != whole["held@x"] {
		t.Errorf("held mail %d (%v), want held@x whole", len(held), err)
	}
	// Another process (or the daemon after a restart) knows no part yet: it reads them stored.
	other, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	held, err = other.HeldMail(ctx)
	if err != nil || len(held) != 1 || string(held[0].Raw) != whole["held@x"] {
		t.Errorf("held mail read by another store: %d (%v), want held@x whole", len(held), err)
	}
	other.Close()
	if err := s.Update(ctx, func(tx *Tx) error {
		for i := range due {
			if err := tx.MarkSent(&due[i], now); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"two@x": whole["two@x"], "secret@x": "pw ****"} {
		if got, err := s.SentCopy(ctx, id); err != nil || string(got) != want {
			t.Errorf("sent copy of %s: %d bytes (%v), want %d", id, len(got), err, len(want))
		}
	}

	// Another mail with a part outside its bytes is refused, not stored.
	if err := s.Update(ctx, func(tx *Tx) error {
		return tx.Enqueue(&OutMail{MessageID: "bad@x", Kind: "ack", From: "a@x", Rcpts: []string{"b@x"}, Raw: []byte("ab"), Parts: []Part{at(small, 3)}}, now)
	}); err == nil {
		t.Error("a part placed past its mail's end was queued")
	}
	// A part changed on disk: the next daemon refuses the mail instead of sending other bytes.
	if _, err := s.w.Exec("UPDATE outbox_parts SET data = ? WHERE sum = ?", []byte("altro"), small.Sum); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec("UPDATE outbox SET state = 'queued' WHERE id IN (?, ?)", ids["two@x"], ids["first@x"]); err != nil {
		t.Fatal(err)
	}
	s.Close()
	again, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	due, err = again.DueMail(ctx, now, 10)
	if err != nil || len(due) != 2 {
		t.Fatalf("due after a part changed: %d mails (%v), want 2", len(due), err)
	}
	for _, m := range due {
		switch {
		case m.MessageID == "two@x" && (m.Broken == nil || m.Raw != nil):
			t.Errorf("two@x, whose part changed, due as %d bytes (broken: %v), want no bytes and why", len(m.Raw), m.Broken)
		case m.MessageID == "first@x" && (m.Broken != nil || string(m.Raw) != whole["first@x"]):
			t.Errorf("first@x, its part intact, due as %d bytes (broken: %v), want it whole", len(m.Raw), m.Broken)
		}
	}
}
