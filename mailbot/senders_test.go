package mailbot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"mailbot/internal/pectest"
	"mailbot/ticketing"
)

// caseBench is an intake on a temporary store, with no mail servers: messages go in as stored
// blobs, what comes out is read from the store and the outbox.
type caseBench struct {
	t     *testing.T
	in    *Intake
	store *ticketing.Store
	clock *testClock
	uid   uint32
}

func newCaseBench(t *testing.T, edit ...func(*Config)) *caseBench {
	t.Helper()
	cfg := &Config{
		DataDir:   t.TempDir(),
		ReplyFrom: "Regione del Veneto - Integrazioni PagoPA <" + CallCenter + ">",
		SMTP:      SMTPConfig{Addr: "127.0.0.1:9", TLS: "none"},
		Mailboxes: []MailboxConfig{{Name: "callcenter", Address: CallCenter, IMAPAddr: "127.0.0.1:9", TLS: "none",
			Username: CallCenter, Password: "x"}},
		Staff: StaffConfig{Addresses: []string{staffOne}},
	}
	for _, e := range edit {
		e(cfg)
	}
	if err := cfg.Complete(); err != nil {
		t.Fatal(err)
	}
	store, err := ticketing.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	b := &caseBench{t: t, store: store, clock: &testClock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}}
	b.in = NewIntake(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)), b.clock.now, nil)
	// The index of PEC providers lists the test provider: its envelopes (pecEnvelope) verify.
	if _, _, err := ImportPECProviders(context.Background(), store, pectest.LDIF(testPEC()), b.clock.now()); err != nil {
		t.Fatal(err)
	}
	return b
}

// process records one raw message as the next UID of the call center's mailbox.
func (b *caseBench) process(raw string) {
	b.t.Helper()
	sum, err := b.store.PutBlob([]byte(raw))
	if err != nil {
		b.t.Fatal(err)
	}
	b.uid++
	if err := b.in.Process(context.Background(), Incoming{Mailbox: "callcenter", UIDValidity: 1, UID: b.uid, Blob: sum, Size: int64(len(raw))}); err != nil {
		b.t.Fatal(err)
	}
}

// openCase opens an integration case from requester with both forms of Comune di Venezia (which
// name mario.rossi@comune.venezia.it as referent, assistenza@softwareveneto.it as the software
// house, protocollo@pec.comune.venezia.it as the ente's PEC) and moves it to state.
func (b *caseBench) openCase(requester, state string) string {
	b.t.Helper()
	b.process(mimeMail("Referente <"+requester+">", CallCenter, "Richiesta integrazione MyPay", "open@comune.venezia.it",
		"Chiediamo l'integrazione, in allegato i moduli.", nil, map[string][]byte{
			"informativa.docx": fixture(b.t, "informativa_generale_venezia.docx"),
			"qep.docx":         fixture(b.t, "qualificazione_ente_prodotto_venezia.docx")}))
	tks, err := b.store.Tickets(context.Background())
	if err != nil || len(tks) != 1 {
		b.t.Fatalf("tickets %v, %v", tks, err)
	}
	id := tks[0].ID
	if tks[0].State != ticketing.StateTestSetup {
		b.t.Fatalf("opening request left the case in %s", tks[0].State)
	}
	path := map[string][]string{
		ticketing.StateTestSetup:       nil,
		ticketing.StateTesting:         {ticketing.StateTesting},
		ticketing.StateProductionCheck: {ticketing.StateTesting, ticketing.StateProductionSetup, ticketing.StateProductionCheck},
	}[state]
	err = b.store.Update(context.Background(), func(tx *ticketing.Tx) error {
		for _, s := range path {
			if err := tx.SetState(id, s, staffOne, "test", b.clock.now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.t.Fatal(err)
	}
	return id
}

// mailTo lists the kinds of the outbox entries addressed to rcpt.
func (b *caseBench) mailTo(rcpt string) []string {
	b.t.Helper()
	list, err := b.store.Outbox(context.Background())
	if err != nil {
		b.t.Fatal(err)
	}
	var kinds []string
	for _, m := range list {
		if slices.Contains(m.Rcpts, rcpt) {
			kinds = append(kinds, m.Kind)
		}
	}
	return kinds
}

// pecEnvelope wraps inner (whose subject is subject) as a PEC provider of the index (testPEC)
// delivers it to an ordinary mailbox, certifying mittente as the sender.
func pecEnvelope(mittente, subject, inner string) string {
	raw, err := testPEC().Envelope(mittente, CallCenter, subject, inner, nil)
	if err != nil {
		panic(err)
	}
	return raw
}

// TestOnlySendersOnTheCaseMoveIt: test results with a caller IP, or a payment confirmed, move a
// case only when they come from someone the case names; a stranger who knows the ticket number
// (or the ente's codice fiscale) changes nothing, has no IP recorded, gets no answer, and staff
// are told.
func TestOnlySendersOnTheCaseMoveIt(t *testing.T) {
	const (
		requester = "k.bianchi@comune.venezia.it"
		stranger  = "spam@evil.example"
		results   = "Esiti dei test: positivo. Chiediamo l'attivazione in esercizio.\nIP: 203.0.113.66"
		payment   = "Pagamento reale effettuato con successo."
	)
	plain := func(from, body string, headers ...string) func(id string) string {
		return func(id string) string {
			return mimeMail(from, CallCenter, "Re: Credenziali ["+id+"]", fmt.Sprintf("m%d@x", time.Now().UnixNano()), body, headers, nil)
		}
	}
	cases := []struct {
		name  string
		state string
		msg   func(id string) string
		moves bool
	}{
		{"the requester", ticketing.StateTesting, plain(requester, results), true},
		{"the requester, address in capitals", ticketing.StateTesting, plain("K.Bianchi@Comune.Venezia.IT", results), true},
		{"the referent named in the forms", ticketing.StateTesting, plain("Mario Rossi <mario.rossi@comune.venezia.it>", results), true},
		{"the software house named in the forms", ticketing.StateTesting, plain("assistenza@softwareveneto.it", results), true},
		{"the ente's PEC through a PEC envelope", ticketing.StateTesting, func(id string) string {
			return pecEnvelope("protocollo@pec.comune.venezia.it", "Re: Credenziali ["+id+"]", plain("protocollo@pec.comune.venezia.it", results)(id))
		}, true},
		{"a stranger with the ticket number", ticketing.StateTesting, plain(stranger, results), false},
		{"a stranger confirming a payment", ticketing.StateProductionCheck, plain(stranger, payment), false},
		{"a stranger naming himself referent in his own message", ticketing.StateTesting,
			plain(stranger, results+"\n\nEmail referente: "+stranger), false},
		{"a stranger with the ente's codice fiscale, no ticket number", ticketing.StateTesting, func(string) string {
			return mimeMail(stranger, CallCenter, "Esiti collaudo", "cf@x", results+"\nCodice fiscale ente: 00339370272\nCodice IPA: c_l736", nil, nil)
		}, false},
		{"a look-alike of the requester (Kelvin sign)", ticketing.StateTesting, plain("\u212a.bianchi@comune.venezia.it", results), false},
		{"the ente's PEC in ordinary mail", ticketing.StateTesting, plain("protocollo@pec.comune.venezia.it", results), false},
		{"a stranger's PEC envelope", ticketing.StateTesting, func(id string) string {
			return pecEnvelope("altro@pec.example.it", "Re: Credenziali ["+id+"]", plain("altro@pec.example.it", results)(id))
		}, false},
		{"a PEC envelope whose certified sender is not the message's", ticketing.StateTesting, func(id string) string {
			return pecEnvelope("altro@pec.example.it", "Re: Credenziali ["+id+"]", plain("protocollo@pec.comune.venezia.it", results)(id))
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newCaseBench(t)
			id := b.openCase(requester, c.state)
			before := len(b.mailTo(staffOne))
			b.process(c.msg(id))
			tk, err := b.store.Ticket(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			ips, err := b.store.IPs(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if !c.moves {
				if tk.State != c.state {
					t.Errorf("state %s, want %s: a stranger moved the case", tk.State, c.state)
				}
				if p := proposedIPs(t, b.store, id); len(ips[ticketing.EnvEsercizio]) != 0 || len(p) != 0 {
					t.Errorf("production IPs %v (proposed %v) recorded from a stranger", ips[ticketing.EnvEsercizio], p)
				}
				if got := b.mailTo(stranger); len(got) != 0 {
					t.Errorf("the stranger was sent %v", got)
				}
				staff := b.mailTo(staffOne)[before:]
				if !slices.Equal(staff, []string{senderUnknownKind}) {
					t.Errorf("staff were sent %v, want one %s notice", staff, senderUnknownKind)
				}
				forms, _ := b.store.Forms(context.Background(), id)
				for _, f := range forms {
					if strings.Contains(fmt.Sprint(f.Fields), stranger) {
						t.Errorf("the stranger's form was filed with the case: %v", f.Fields)
					}
				}
				return
			}
			want := map[string]string{ticketing.StateTesting: ticketing.StateProductionSetup}[c.state]
			if tk.State != want {
				t.Errorf("state %s, want %s", tk.State, want)
			}
			// Proposed, not enabled: caller IPs wait for staff (issue 19 item 4).
			if p := proposedIPs(t, b.store, id); len(ips[ticketing.EnvEsercizio]) != 0 || !slices.Contains(p, "203.0.113.66") {
				t.Errorf("production IPs %v, proposed %v", ips[ticketing.EnvEsercizio], p)
			}
			if slices.Contains(b.mailTo(staffOne), senderUnknownKind) {
				t.Errorf("staff told of a stranger for a sender on the case")
			}
		})
	}
}

// TestSenderNotOnCaseNoticeOncePerHour: a stream of strangers' mail about one case is recorded
// message by message, but staff get one notice per case and hour.
func TestSenderNotOnCaseNoticeOncePerHour(t *testing.T) {
	b := newCaseBench(t)
	id := b.openCase(referent, ticketing.StateTesting)
	for i := range 5 {
		b.process(mimeMail(fmt.Sprintf("spam%d@evil.example", i), CallCenter, "Re: ["+id+"]", fmt.Sprintf("s%d@x", i), "test positivi", nil, nil))
		b.clock.advance(time.Minute)
	}
	count := func() int {
		n := 0
		for _, k := range b.mailTo(staffOne) {
			if k == senderUnknownKind {
				n++
			}
		}
		return n
	}
	if n := count(); n != 1 {
		t.Errorf("notices = %d, want 1 within the hour", n)
	}
	events, _ := b.store.Events(context.Background(), id)
	recorded := 0
	flags := 0
	for _, e := range events {
		switch {
		case e.Type == ticketing.EventMessage && strings.Contains(e.Text, "mittente non presente nella pratica"):
			recorded++
		case e.Type == ticketing.EventFlag && strings.Contains(e.Text, "mittente non presente nella pratica"):
			flags++
		}
	}
	if recorded != 5 {
		t.Errorf("events = %d, want each of the 5 messages recorded", recorded)
	}
	// The case is marked for the console's queue once, not once per message.
	if tk, _ := b.store.Ticket(context.Background(), id); flags != 1 || tk.FlagKind != ticketing.FlagStranger {
		t.Errorf("flag %q set %d times, want once", tk.Flag, flags)
	}
	b.clock.advance(time.Hour)
	b.process(mimeMail("spam9@evil.example", CallCenter, "Re: ["+id+"]", "s9@x", "test positivi", nil, nil))
	if n := count(); n != 2 {
		t.Errorf("notices = %d, want a second one the next hour", n)
	}
}

// TestPECRequesterKeepsALookAlikeApart: a case opened through PEC by a sender whose address
// has a look-alike letter (Kelvin sign) is not moved by ordinary mail from the ASCII address.
func TestPECRequesterKeepsALookAlikeApart(t *testing.T) {
	const pec = "\u212a.bianchi@pec.comune.venezia.it"
	b := newCaseBench(t)
	inner := mimeMail(pec, CallCenter, "Richiesta integrazione MyPay", "open@pec", "In allegato i moduli.", nil, map[string][]byte{
		"informativa.docx": fixture(t, "informativa_generale_venezia.docx"),
		"qep.docx":         fixture(t, "qualificazione_ente_prodotto_venezia.docx")})
	b.process(pecEnvelope(pec, "Richiesta integrazione MyPay", inner))
	tks, err := b.store.Tickets(context.Background())
	if err != nil || len(tks) != 1 {
		t.Fatalf("tickets %v, %v", tks, err)
	}
	id := tks[0].ID
	if tks[0].Requester != pec {
		t.Fatalf("requester %q, want %q", tks[0].Requester, pec)
	}
	if err := b.store.Update(context.Background(), func(tx *ticketing.Tx) error {
		return tx.SetState(id, ticketing.StateTesting, staffOne, "test", b.clock.now())
	}); err != nil {
		t.Fatal(err)
	}
	b.process(mimeMail("k.bianchi@pec.comune.venezia.it", CallCenter, "Re: ["+id+"]", "k@x",
		"Esiti dei test: positivo. Chiediamo l'attivazione in esercizio.\nIP: 203.0.113.66", nil, nil))
	if tk, _ := b.store.Ticket(context.Background(), id); tk.State != ticketing.StateTesting {
		t.Errorf("state %s: the look-alike moved the case", tk.State)
	}
}

// TestStaffAddASenderToTheCase: the notice tells staff to add a legitimate sender with #campo;
// once they have, that sender moves the case, and the addresses already there still count.
func TestStaffAddASenderToTheCase(t *testing.T) {
	const newcomer = "nuovo.tecnico@altrasoftware.example"
	b := newCaseBench(t)
	id := b.openCase(referent, ticketing.StateTesting)
	results := "Esiti dei test: positivo. Chiediamo l'attivazione in esercizio.\nIP: 203.0.113.66"
	b.process(mimeMail(newcomer, CallCenter, "Re: ["+id+"]", "n1@x", results, nil, nil))
	if tk, _ := b.store.Ticket(context.Background(), id); tk.State != ticketing.StateTesting {
		t.Fatalf("state %s before staff added the sender", tk.State)
	}
	err := b.store.Update(context.Background(), func(tx *ticketing.Tx) error {
		tk, err := tx.Ticket(id)
		if err != nil {
			return err
		}
		_, err = b.in.setFields(tx, tk, []string{"software_house.email"}, map[string]string{"software_house.email": newcomer},
			staffOne, "#campo software_house.email="+newcomer, b.clock.now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	contacts := func() map[string]bool {
		var m map[string]bool
		b.store.Update(context.Background(), func(tx *ticketing.Tx) error {
			tk, _ := tx.Ticket(id)
			forms, err := tx.Forms(id)
			m, _ = caseContacts(tk, forms)
			return err
		})
		return m
	}()
	for _, a := range []string{newcomer, "assistenza@softwareveneto.it", "mario.rossi@comune.venezia.it", referent} {
		if !contacts[a] {
			t.Errorf("%s is not on the case after the correction: %v", a, contacts)
		}
	}
	b.process(mimeMail(newcomer, CallCenter, "Re: ["+id+"]", "n2@x", results, nil, nil))
	if tk, _ := b.store.Ticket(context.Background(), id); tk.State != ticketing.StateProductionSetup {
		t.Errorf("state %s, want %s once staff added the sender", tk.State, ticketing.StateProductionSetup)
	}
}
