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
