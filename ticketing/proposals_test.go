package ticketing

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A proposal is numbered within its case, waits until decided once, and counts as a case
// waiting for a person (stats, digest) while pending and the case is open.
func TestProposals(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	a := caseOf(t, s, "a@comune.venezia.it", "Anna Neri", "RSSMRA80A01L736X", StateAwaitingDocuments, now)
	b := caseOf(t, s, "b@comune.padova.it", "Bruno Blu", "RSSMRA80A01L736Y", StateAwaitingDocuments, now)
	err = s.Update(ctx, func(tx *Tx) error {
		for _, p := range []Proposal{
			{TicketID: a, Field: "tipi_dovuto.iban", FormType: "informativa_generale", Old: "IT60X0542811101000000123456", Value: "IT02A0301503200000003517230", MessageID: "m1@ente.it", Document: "informativa.pdf"},
			{TicketID: a, Field: "ip_esercizio", Value: "203.0.113.7", MessageID: "m2@ente.it", Document: "corpo del messaggio"},
			{TicketID: b, Field: "ip_esercizio", Value: "198.51.100.0/28", MessageID: "m3@ente.it"},
		} {
			p.CreatedAt = now
			if _, err := tx.AddProposal(p); err != nil {
				return err
			}
		}
		return tx.SetFlag(a, FlagProposal, "", "mailbot", now)
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ListProposals(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Seq != 1 || list[1].Seq != 2 || !list[0].Pending() || list[0].Old != "IT60X0542811101000000123456" || list[1].Field != "ip_esercizio" {
		t.Fatalf("proposals of %s: %+v", a, list)
	}
	if got, _ := s.ListProposals(ctx, b); len(got) != 1 || got[0].Seq != 1 {
		t.Errorf("numbers are per case: %+v", got)
	}
	flagged := func() map[FlagKind]int {
		st, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[FlagKind]int{}
		for _, f := range st.Flagged {
			out[f.Kind] = f.Count
		}
		return out
	}
	if got := flagged(); got[FlagProposal] != 2 {
		t.Errorf("waiting for a person %v, want both cases with a pending proposal (one flagged, one not)", got)
	}
	err = s.Update(ctx, func(tx *Tx) error {
		if err := tx.DecideProposal(a, 1, ProposalConfirmed, "staff@regione.veneto.it", now.Add(time.Hour)); err != nil {
			return err
		}
		if err := tx.DecideProposal(a, 1, ProposalRejected, "staff@regione.veneto.it", now.Add(time.Hour)); !errors.Is(err, ErrNotFound) {
			t.Errorf("deciding again: %v, want not found", err)
		}
		if _, err := tx.Proposal(a, 9); !errors.Is(err, ErrNotFound) {
			t.Errorf("proposal 9: %v, want not found", err)
		}
		if err := tx.DecideProposal(b, 1, ProposalRejected, "staff@regione.veneto.it", now.Add(time.Hour)); err != nil {
			return err
		}
		fs, err := tx.FlaggedCases()
		if err != nil || len(fs) != 1 || fs[0] != (FlagStats{FlagProposal, 1}) {
			t.Errorf("cases waiting for a person: %+v, %v; want 1 with a pending proposal", fs, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	list, _ = s.ListProposals(ctx, a)
	if p := list[0]; p.State != ProposalConfirmed || p.DecidedBy != "staff@regione.veneto.it" || !p.DecidedAt.Equal(now.Add(time.Hour)) {
		t.Errorf("decided proposal %+v", p)
	}
	if got := flagged(); got[FlagProposal] != 1 {
		t.Errorf("waiting for a person %v, want one case with a pending proposal", got)
	}
}
