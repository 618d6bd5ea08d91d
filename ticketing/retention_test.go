package ticketing

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// caseOf records a case of person (called name, phone derived from cf), with a message from them, their form, an answer sent to
// them, and leaves it in state since at.
func caseOf(t *testing.T, s *Store, person, name, cf, state string, at time.Time) string {
	t.Helper()
	nome, cognome, _ := strings.Cut(name, " ")
	phone := "041 " + cf[6:8] + cf[9:11] + "111"
	raw := fmt.Sprintf("From: %s <%s>\r\nSubject: richiesta\r\n\r\nSono %s, CF %s (%s)\r\n", name, person, name, cf, at)
	sum, err := s.PutBlob([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	var id string
	err = s.Update(context.Background(), func(tx *Tx) error {
		tk, err := tx.NewTicket(KindIntegration, "Richiesta di "+name, person, person, at, time.UTC)
		if err != nil {
			return err
		}
		id = tk.ID
		if _, err := tx.AddMessage(&Message{TicketID: id, Direction: "in", MessageID: id + "@ente.it", Digest: sum, Blob: sum,
			From: person, To: []string{"call.center@regione.veneto.it"}, Subject: "Richiesta di " + name, ReceivedAt: at}); err != nil {
			return err
		}
		if err := tx.AddForm(id, Form{MessageID: id + "@ente.it", Type: "informativa_generale", Source: "informativa.pdf",
			Fields: map[string]any{"ente.denominazione": "Comune di Venezia", "ente.codice_fiscale": "00339370272",
				"referente.nome": nome, "referente.cognome": cognome, "referente.codice_fiscale": cf,
				"referente.email": person, "referente.telefono": phone},
			Problems: []Problem{{Field: "referente.email", Message: "Email " + person + " da verificare"}}, ReceivedAt: at}); err != nil {
			return err
		}
		m := &OutMail{TicketID: id, MessageID: id + "-ack@regione.veneto.it", Kind: "ack", From: "call.center@regione.veneto.it",
			Rcpts: []string{person}, Raw: []byte("To: " + person + "\r\n\r\nGentile " + name + ", ..."), Auto: true}
		if err := tx.Enqueue(m, at); err != nil {
			return err
		}
		if err := tx.MarkSent(m, at); err != nil {
			return err
		}
		if err := tx.AddEvent(id, Event{At: at, Type: EventReply, By: "mailbot", Text: "ack a " + person}); err != nil {
			return err
		}
		if state != StateAwaitingDocuments {
			return tx.SetState(id, state, "staff@regione.veneto.it", "", at)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// dbFiles returns the database and its WAL, as bytes on disk.
func dbFiles(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	for _, n := range []string{"mailbot.db", "mailbot.db-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// TestExpireClosedCases: raw mail of a case closed longer ago than the retention period is
// deleted, files included; the case, its events and forms stay; recent and open cases keep all.
func TestExpireClosedCases(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	old := caseOf(t, s, "vecchio@comune.venezia.it", "Anna Neri", "RSSMRA80A01L736X", StateCancelled, now.AddDate(0, -30, 0))
	recent := caseOf(t, s, "recente@comune.venezia.it", "Paolo Verdi", "RSSMRA80A01L736Y", StateCancelled, now.AddDate(0, -1, 0))
	open := caseOf(t, s, "aperto@comune.venezia.it", "Sara Gialli", "RSSMRA80A01L736Z", StateAwaitingDocuments, now.AddDate(0, -40, 0))
	blobOf := func(id string) string {
		msgs, err := s.Messages(ctx, id)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("messages of %s: %v", id, err)
		}
		return msgs[0].Blob
	}
	oldBlob := blobOf(old)
	st, err := s.Expire(ctx, now.AddDate(0, -24, 0), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Tickets) != 1 || st.Tickets[0] != old || st.MessageFiles != 1 {
		t.Fatalf("expired %+v, want only %s", st, old)
	}
	if _, err := os.Stat(blobPath(dir, oldBlob)); !os.IsNotExist(err) {
		t.Errorf("raw message of %s still on disk: %v", old, err)
	}
	if blobOf(old) != "" || blobOf(recent) == "" || blobOf(open) == "" {
		t.Errorf("blobs after expiry: old %q recent %q open %q", blobOf(old), blobOf(recent), blobOf(open))
	}
	if forms, _ := s.Forms(ctx, old); len(forms) != 1 {
		t.Errorf("forms of the expired case: %d, want 1 (catalogs read them)", len(forms))
	}
	out, _ := s.Outbox(ctx)
	for _, m := range out {
		if m.TicketID == old && len(m.Raw) != 0 {
			t.Errorf("sent mail of the expired case still holds %d bytes", len(m.Raw))
		}
	}
	if rep, err := Check(ctx, dir); err != nil || len(rep.Problems) != 0 {
		t.Errorf("check after expiry: %v %v", err, rep.Problems)
	}
	again, err := s.Expire(ctx, now.AddDate(0, -24, 0), now)
	if err != nil || len(again.Tickets) != 0 {
		t.Errorf("second run: %+v %v, want nothing to do", again, err)
	}
}

// TestForgetErasesPersonFromClosedCases: after forget, the person's address, names, codice
// fiscale and phone are nowhere in the database files (WAL included) nor in message files; the
// cases remain with an anonymous event; an open case naming them is reported, not touched.
func TestForgetErasesPersonFromClosedCases(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	person, cf := "mario.rossi@comune.venezia.it", "RSSMRA80A01L736X"
	a := caseOf(t, s, person, "Mario Rossi", cf, StateCancelled, now.AddDate(0, -2, 0))
	b := caseOf(t, s, "Mario.Rossi@Comune.Venezia.it", "Mario Rossi", cf, StateCancelled, now.AddDate(0, -1, 0))
	caseOf(t, s, "altra@comune.padova.it", "Laura Bianco", "BNCLRA85B41G224K", StateCancelled, now.AddDate(0, -1, 0))
	msgs, _ := s.Messages(ctx, a)
	blob := msgs[0].Blob

	st, err := s.Forget(ctx, person, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Tickets) != 2 || len(st.Open) != 0 {
		t.Fatalf("forget: %+v, want %s and %s", st, a, b)
	}
	files := dbFiles(t, dir)
	for _, secret := range []string{"mario.rossi@", "Mario.Rossi@", cf, "Mario Rossi", "041 8001111"} {
		if i := bytes.Index(files, []byte(secret)); i >= 0 {
			t.Errorf("%q still in the database files: %q", secret, files[max(0, i-80):min(len(files), i+60)])
		}
	}
	if _, err := os.Stat(blobPath(dir, blob)); !os.IsNotExist(err) {
		t.Errorf("raw message still on disk: %v", err)
	}
	for _, id := range []string{a, b} {
		if _, err := s.Ticket(ctx, id); err != nil {
			t.Errorf("case %s gone: %v", id, err)
		}
		evs, _ := s.Events(ctx, id)
		if last := evs[len(evs)-1]; last.Type != EventPrivacy {
			t.Errorf("%s: last event %+v, want the erasure", id, last)
		}
	}
	if !bytes.Contains(files, []byte("altra@comune.padova.it")) {
		t.Error("another person's case was erased too")
	}
	if forms, _ := s.Forms(ctx, a); forms[0].Field("ente.denominazione") != "Comune di Venezia" {
		t.Errorf("the ente's data went with the person's: %+v", forms[0].Fields)
	}

	// An open case keeps the data it needs, and is named.
	open := caseOf(t, s, "luca.bianchi@comune.venezia.it", "Luca Bianchi", "BNCLCU80A01L736Q", StateAwaitingDocuments, now)
	st, err = s.Forget(ctx, "luca.bianchi@comune.venezia.it", now)
	if err != nil || len(st.Open) != 1 || st.Open[0] != open || len(st.Tickets) != 0 {
		t.Fatalf("forget with an open case: %+v %v", st, err)
	}
	if tk, _ := s.Ticket(ctx, open); tk.Requester != "luca.bianchi@comune.venezia.it" {
		t.Errorf("open case changed: requester %q", tk.Requester)
	}
	if _, err := s.Forget(ctx, "nessuno", now); err == nil {
		t.Error("forget accepted a non-address")
	}
}

// TestForgetMatchesWholeAddresses: erasing one address leaves alone the closed cases of
// addresses that contain it or that it would match as a LIKE pattern.
func TestForgetMatchesWholeAddresses(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	longer := caseOf(t, s, "mario.rossi@comune.venezia.it", "Mario Rossi", "RSSMRA80A01L736X", StateCancelled, now.AddDate(0, -1, 0))
	pattern := caseOf(t, s, "annaxneri@comune.venezia.it", "Anna Neri", "NRENNA80A41L736Y", StateCancelled, now.AddDate(0, -1, 0))
	target := caseOf(t, s, "anna_neri@comune.venezia.it", "Anna Neri", "NRENNA80A41L736Z", StateCancelled, now.AddDate(0, -1, 0))
	for _, addr := range []string{"rossi@comune.venezia.it", "anna_neri@comune.venezia.it"} {
		if _, err := s.Forget(ctx, addr, now); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{longer, pattern} {
		if msgs, _ := s.Messages(ctx, id); msgs[0].Blob == "" {
			t.Errorf("%s: raw mail of another person deleted", id)
		}
		if evs, _ := s.Events(ctx, id); evs[len(evs)-1].Type == EventPrivacy {
			t.Errorf("%s: another person's case erased", id)
		}
	}
	if msgs, _ := s.Messages(ctx, target); msgs[0].Blob != "" {
		t.Error("the person's own case was not erased")
	}
}

// TestExpireRemovesOrphans: a retention run deletes the message files a crash left behind
// (no message refers to them: an unmasked copy of a message that quoted a password, a file
// written for a transaction that never committed) once they are an hour old, and unfinished
// temporary files; a file a message refers to, a fresh one, and an old one written again for a
// message about to be recorded stay.
func TestExpireRemovesOrphans(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	past := now.Add(-2 * time.Hour)
	id := caseOf(t, s, "aperto@comune.venezia.it", "Sara Gialli", "RSSMRA80A01L736Z", StateAwaitingDocuments, past)
	msgs, err := s.Messages(ctx, id)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages: %v", err)
	}
	put := func(raw string, mtime time.Time) string {
		sum, err := s.PutBlob([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(blobPath(dir, sum), mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return sum
	}
	orphan := put("Subject: Re: credenziali\r\n\r\npassword: Segreta-123\r\n", past)
	fresh := put("Subject: appena scritto\r\n\r\n", now)
	again := put("Subject: di nuovo\r\n\r\n", past)
	if _, err := s.PutBlob([]byte("Subject: di nuovo\r\n\r\n")); err != nil { // fetched again
		t.Fatal(err)
	}
	if err := os.Chtimes(blobPath(dir, msgs[0].Blob), past, past); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "tmp", "msg-interrotto.eml")
	if err := os.WriteFile(tmp, []byte("Subject: a metà"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(tmp, past, past)

	st, err := s.Expire(ctx, now.AddDate(-2, 0, 0), now)
	if err != nil {
		t.Fatal(err)
	}
	if st.Orphans != 1 {
		t.Errorf("%d orphans removed, want 1", st.Orphans)
	}
	for sum, want := range map[string]bool{orphan: false, fresh: true, again: true, msgs[0].Blob: true} {
		_, err := os.Stat(blobPath(dir, sum))
		if got := err == nil; got != want {
			t.Errorf("file %s kept %v, want %v", sum[:8], got, want)
		}
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("unfinished temporary file kept: %v", err)
	}
}
