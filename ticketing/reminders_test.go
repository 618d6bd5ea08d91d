package ticketing

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRecordSentOnlyOnce(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC)
	var id string
	if err := s.Update(ctx, func(tx *Tx) error {
		tk, err := tx.NewTicket(KindIntegration, "Richiesta", "ref@comune.example.it", "ref@comune.example.it", now, time.UTC)
		id = tk.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	rec := Sent{TicketID: id, Kind: SentReminder, Anchor: Anchor(now), Seq: 1, At: now, MessageID: "m1@x", Rcpts: []string{"ref@comune.example.it"}}
	if err := s.Update(ctx, func(tx *Tx) error { return tx.RecordSent(rec) }); err != nil {
		t.Fatal(err)
	}
	// The second attempt fails and rolls back whatever else its transaction did.
	err = s.Update(ctx, func(tx *Tx) error {
		if err := tx.AddEvent(id, Event{At: now, Type: EventNote, By: "test", Text: "must not stay"}); err != nil {
			return err
		}
		return tx.RecordSent(rec)
	})
	if !errors.Is(err, ErrAlreadySent) {
		t.Fatalf("second RecordSent: %v, want ErrAlreadySent", err)
	}
	events, _ := s.Events(ctx, id)
	for _, e := range events {
		if e.Type == EventNote {
			t.Error("the rolled-back transaction left an event")
		}
	}
	rec.Seq = 2
	rec.At = now.Add(time.Hour)
	if err := s.Update(ctx, func(tx *Tx) error { return tx.RecordSent(rec) }); err != nil {
		t.Fatal(err)
	}
	if err := s.View(ctx, func(tx *Tx) error {
		list, err := tx.SentFor(id)
		if err != nil {
			return err
		}
		if len(list) != 2 || list[0].Seq != 1 || list[1].Seq != 2 || list[1].Rcpts[0] != "ref@comune.example.it" {
			t.Errorf("SentFor = %+v", list)
		}
		last, ok, err := tx.LastSent(SentReminder)
		if err != nil || !ok || last.Seq != 2 || !last.At.Equal(rec.At) {
			t.Errorf("LastSent = %+v %v %v", last, ok, err)
		}
		if _, ok, _ := tx.LastSent(SentDigest); ok {
			t.Error("LastSent(digest) found one")
		}
		ch, err := tx.ChangesSince(now.Add(-time.Minute), now.Add(time.Minute))
		if err != nil || len(ch) != 1 || ch[0].Type != EventCreated || ch[0].TicketID != id {
			t.Errorf("ChangesSince = %+v, %v", ch, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
