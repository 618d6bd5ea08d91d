package ticketing

import (
	"context"
	"testing"
	"time"
)

// TestQueueSearch: the console's search finds a case by the start of any word of its ID, ente,
// codice fiscale, IPA code, requester or subject, follows changes, and reads nothing typed as
// FTS5 syntax.
func TestQueueSearch(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var id string
	err = s.Update(context.Background(), func(tx *Tx) error {
		tk, err := tx.NewTicket(KindIntegration, "Richiesta integrazione MyPay", "referente@comune.venezia.it", "test", now, time.UTC)
		if err != nil {
			return err
		}
		id = tk.ID
		if _, err := tx.NewTicket(KindIntegration, "Altra richiesta", "ufficio@comune.padova.it", "test", now, time.UTC); err != nil {
			return err
		}
		return tx.SetEnte(id, Ente{Name: "Comune di Venèzia", CodiceFiscale: "00339370272", CodiceIPA: "c_l736"}, nil, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	all := []string{KindIntegration + "/" + StateAwaitingDocuments}
	for _, c := range []struct {
		words []string
		want  int
	}{
		{nil, 2}, {[]string{"venezia"}, 1}, {[]string{"VENEZ"}, 1}, {[]string{id}, 1}, {[]string{"00339370"}, 1},
		{[]string{"c_l736"}, 1}, {[]string{"mypay", "comune"}, 1}, {[]string{"richiesta"}, 2}, {[]string{"padova", "venezia"}, 0},
		{[]string{`"`, "NEAR(", "*", "OR"}, 0}, {[]string{`venezia"`}, 1},
	} {
		list, n, err := s.Queue(context.Background(), QueueQuery{Pairs: all, Assignee: "*", Words: c.words, Limit: 100})
		if err != nil {
			t.Fatalf("%q: %v", c.words, err)
		}
		if n != c.want || len(list) != c.want {
			t.Errorf("%q: %d (%d listed), want %d", c.words, n, len(list), c.want)
		}
	}
}

// TestQueueSearchFollowsRenames: the search index takes a transaction's changes of its cases at
// its commit (migration 0020): a case renamed twice in one transaction and once in the next is
// found by its last name only, and one renamed in a transaction that failed by its old one.
func TestQueueSearchFollowsRenames(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	var id string
	err = s.Update(ctx, func(tx *Tx) error {
		tk, err := tx.NewTicket(KindIntegration, "Richiesta", "referente@comune.example.it", "test", now, time.UTC)
		if err != nil {
			return err
		}
		id = tk.ID
		if err := tx.SetEnte(id, Ente{Name: "Comune di Asolo"}, nil, now); err != nil {
			return err
		}
		return tx.SetEnte(id, Ente{Name: "Comune di Bassano"}, nil, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx *Tx) error { return tx.SetEnte(id, Ente{Name: "Comune di Cittadella"}, nil, now) }); err != nil {
		t.Fatal(err)
	}
	failed := s.Update(ctx, func(tx *Tx) error {
		if err := tx.SetEnte(id, Ente{Name: "Comune di Dolo"}, nil, now); err != nil {
			return err
		}
		return ErrNotFound
	})
	if failed == nil {
		t.Fatal("the failing transaction committed")
	}
	all := []string{KindIntegration + "/" + StateAwaitingDocuments}
	for word, want := range map[string]int{"asolo": 0, "bassano": 0, "cittadella": 1, "dolo": 0, "richiesta": 1} {
		list, n, err := s.Queue(ctx, QueueQuery{Pairs: all, Assignee: "*", Words: []string{word}, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if n != want || len(list) != want {
			t.Errorf("%s: %d found (%d listed), want %d", word, n, len(list), want)
		}
	}
}
