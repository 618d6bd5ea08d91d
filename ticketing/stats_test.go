package ticketing

import (
	"context"
	"testing"
	"time"
)

func TestStats(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	caseOf(t, s, "a@comune.venezia.it", "Anna Neri", "RSSMRA80A01L736X", StateCancelled, now.AddDate(0, -1, 0))
	id := caseOf(t, s, "b@comune.padova.it", "Bruno Blu", "RSSMRA80A01L736Y", StateAwaitingDocuments, now)
	err = s.Update(ctx, func(tx *Tx) error {
		msgs := []*Message{
			{TicketID: id, Direction: "in", MessageID: "x1@ente.it", Digest: "d1", ReceivedAt: now},
			{Direction: "in", MessageID: "x2@ente.it", Digest: "d2", Quarantine: "bounce", QuarantineKind: QuarantineAutomatic, ReceivedAt: now},
		}
		for i, m := range msgs {
			mid, err := tx.AddMessage(m)
			if err != nil {
				return err
			}
			if err := tx.AddCopy(mid, "callcenter", 7, uint32(i+1)); err != nil {
				return err
			}
			if err := tx.SetMailboxState("callcenter", 7, uint32(i+1)); err != nil {
				return err
			}
		}
		if err := tx.SetFlag(id, FlagChecking, "dati da verificare", "test", now); err != nil {
			return err
		}
		return tx.Enqueue(&OutMail{TicketID: id, MessageID: "q@regione.veneto.it", Kind: "ack", From: "cc@regione.veneto.it",
			Rcpts: []string{"b@comune.padova.it"}, Raw: []byte("x"), Auto: true}, now.Add(-time.Hour))
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Mailboxes) != 1 || st.Mailboxes[0] != (MailboxStats{Name: "callcenter", Recorded: 2, Quarantined: 1, LastUID: 2}) {
		t.Errorf("mailboxes %+v", st.Mailboxes)
	}
	if !st.OldestQueued.Equal(now.Add(-time.Hour)) {
		t.Errorf("oldest queued %s, want %s", st.OldestQueued, now.Add(-time.Hour))
	}
	want := map[string]int{"queued/ack": 1, "sent/ack": 2}
	for _, o := range st.Outbox {
		if want[o.State+"/"+o.Kind] != o.Count {
			t.Errorf("outbox %+v, want %v", o, want)
		}
	}
	cases := map[string]CaseStats{}
	for _, c := range st.Cases {
		cases[c.State] = c
	}
	if cases[StateAwaitingDocuments].Count != 1 || cases[StateAwaitingDocuments].WaitingOn != WaitingEnte || cases[StateCancelled].Count != 1 {
		t.Errorf("cases %+v", st.Cases)
	}
	if len(st.Flagged) != 1 || st.Flagged[0] != (FlagStats{Kind: FlagChecking, Count: 1}) {
		t.Errorf("flagged %+v, want the open case waiting for its data to be checked", st.Flagged)
	}
	if st.DatabaseBytes <= 0 {
		t.Errorf("database size %d", st.DatabaseBytes)
	}
}
