package mailbot

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"mailbot/internal/formgen"
	"mailbot/parsers"
	"mailbot/ticketing"
)

// TestLookalikeSendersAreNotOnTheCase: only the very address a case names is on it. Another
// mailbox of the same domain, even one our border MTA authenticated, a display name holding the
// address, a +tag, a look-alike domain (a Cyrillic "е", a longer name ending like it), a Sender
// or Reply-To naming it, none of them moves the case or hears of it; a message with two From
// mailboxes names no single sender and waits for a person. Case does not matter.
func TestLookalikeSendersAreNotOnTheCase(t *testing.T) {
	const (
		requester = "k.bianchi@comune.venezia.it"
		results   = "Esiti dei test: positivo. Chiediamo l'attivazione in esercizio.\nIP: 203.0.113.66"
		ours      = "Authentication-Results: mx.regione.veneto.it; "
	)
	const (
		moves     = "moves"
		stranger  = "stranger"  // recorded, staff told, sender not answered
		untrusted = "untrusted" // recorded, staff told, the From told a person checks
	)
	cases := []struct {
		name    string
		from    string
		headers []string
		want    string
		answer  string // who is answered
	}{
		{"another mailbox of the domain, DMARC pass", "protocollo@comune.venezia.it",
			[]string{ours + "dmarc=pass header.from=comune.venezia.it"}, stranger, ""},
		{"display name holding the address", `"k.bianchi@comune.venezia.it" <evil@evil.example>`,
			[]string{ours + "dmarc=pass header.from=evil.example"}, stranger, ""},
		{"+tag of the address", "k.bianchi+test@comune.venezia.it", nil, stranger, ""},
		{"Cyrillic е in the domain", "k.bianchi@comune.v\u0435nezia.it", nil, stranger, ""},
		{"domain ending like it", "k.bianchi@comune.venezia.it.evil.example", nil, stranger, ""},
		{"Sender naming the requester", "evil@evil.example", []string{"Sender: " + requester}, stranger, ""},
		{"two From mailboxes, the requester first", requester + ", evil@evil.example", nil, untrusted, requester},
		{"two From fields, the requester first", requester, []string{"From: evil@evil.example"}, untrusted, requester},
		{"the address in capitals", "K.Bianchi@Comune.Venezia.IT", nil, moves, requester},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newCaseBench(t, func(cfg *Config) { cfg.Staff.TrustedAuthservID = "mx.regione.veneto.it" })
			id := b.openCase(requester, ticketing.StateTesting)
			before := len(b.mailTo(requester))
			b.process(mimeMail(c.from, CallCenter, "Re: Credenziali ["+id+"]", fmt.Sprintf("m%d@x", time.Now().UnixNano()), results, c.headers, nil))
			tk, err := b.store.Ticket(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if moved := tk.State != ticketing.StateTesting; moved != (c.want == moves) {
				t.Errorf("state %s: moved %v, want %s", tk.State, moved, c.want)
			}
			if c.want != moves && len(proposedIPs(t, b.store, id)) != 0 {
				t.Errorf("its IP was proposed")
			}
			flag := map[string]ticketing.FlagKind{stranger: ticketing.FlagStranger, untrusted: ticketing.FlagUntrusted}[c.want]
			if c.want != moves && tk.FlagKind != flag {
				t.Errorf("flag %q (%s), want %q", tk.FlagKind, tk.Flag, flag)
			}
			got := b.mailTo(requester)[before:]
			switch {
			case c.answer == "" && len(got) != 0:
				t.Errorf("the requester got %v", got)
			case c.want == untrusted && !slices.Equal(got, []string{untrustedKind}):
				t.Errorf("the requester got %v, want the acknowledgement", got)
			}
			for _, other := range []string{"evil@evil.example", "protocollo@comune.venezia.it", "k.bianchi+test@comune.venezia.it"} {
				if got := b.mailTo(other); len(got) != 0 {
					t.Errorf("%s got %v", other, got)
				}
			}
		})
	}
}

// TestFormOfAnotherEnteRenamesNothing: a referent of the Comune di Venezia's case sending an
// Informativa of the Comune di Padova (its name, codice fiscale and IPA code): the case keeps
// Venezia's name and codes (it was renamed "Comune di Padova" with Venezia's IPA code, in every
// mail about the case), staff see Padova's codice fiscale as a conflict, and the form's IBAN
// waits for a person.
func TestFormOfAnotherEnteRenamesNothing(t *testing.T) {
	b := newCaseBench(t)
	id := b.openCase("k.bianchi@comune.venezia.it", ticketing.StateTesting)
	before, _ := b.store.Ticket(context.Background(), id)
	v := maps.Clone(formgen.Fixtures()[0].Values)
	v["ente.denominazione"] = "Comune di Padova"
	v["ente.codice_fiscale"] = "00644060287"
	v["ente.codice_ipa"] = "c_g224"
	v["tipi_dovuto.iban"] = "IT60X0542811101000000123456"
	doc, err := formgen.Fill(parsers.FormInformativaGenerale, formgen.FormatDOCX, v)
	if err != nil {
		t.Fatal(err)
	}
	b.process(mimeMail("k.bianchi@comune.venezia.it", CallCenter, "Re: ["+id+"]", fmt.Sprintf("o%d@x", time.Now().UnixNano()),
		"Modulo aggiornato.", nil, map[string][]byte{"informativa.docx": doc}))
	tk, _ := b.store.Ticket(context.Background(), id)
	if tk.Ente != before.Ente || tk.Ente.Name != "Comune di Venezia" {
		t.Errorf("ente %+v, want %+v", tk.Ente, before.Ente)
	}
	forms, err := b.store.Forms(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(CaseFile(tk.Kind, forms, nil).Conflicts, func(c ticketing.Conflict) bool { return c.Field == parsers.KeyEnteCodiceFiscale }) {
		t.Errorf("no conflict on the ente's codice fiscale for staff")
	}
	if props, _ := b.store.ListProposals(context.Background(), id); len(props) != 1 || props[0].Value != "IT60X0542811101000000123456" {
		t.Errorf("proposals %+v, want the IBAN", props)
	}
}

// TestSenderDoubtsSettledOneByOne: each message not acted on because of its sender (a stranger,
// one failing DMARC) is one item for a person, even on a case already flagged for something
// else; #verificato settles one, refuses a number that is not such a message of the case, and
// the flag for such messages goes with the last of them.
func TestSenderDoubtsSettledOneByOne(t *testing.T) {
	const requester = "k.bianchi@comune.venezia.it"
	b := newCaseBench(t, func(cfg *Config) { cfg.Staff.TrustedAuthservID = "mx.regione.veneto.it" })
	id := b.openCase(requester, ticketing.StateTesting)
	ctx := context.Background()
	send := func(from string, headers ...string) {
		b.process(mimeMail(from, CallCenter, "Re: Credenziali ["+id+"]", fmt.Sprintf("s%d@x", time.Now().UnixNano()),
			"Test positivi.\nIP: 203.0.113.66", headers, nil))
	}
	send("tester@evil.example")
	send(requester, "Authentication-Results: mx.regione.veneto.it; dmarc=fail header.from=comune.venezia.it")
	doubts, err := b.store.SenderDoubts(ctx, id)
	if err != nil || len(doubts) != 2 || doubts[0].Kind != ticketing.SenderDoubtStranger || doubts[1].Kind != ticketing.SenderDoubtUntrusted {
		t.Fatalf("sender doubts %+v, %v: want the stranger's and the untrusted message", doubts, err)
	}
	tk, _ := b.store.Ticket(ctx, id)
	if tk.FlagKind != ticketing.FlagStranger {
		t.Fatalf("flag %q", tk.FlagKind)
	}
	for _, arg := range []string{"0", "x", strconv.FormatInt(doubts[0].ID+1000, 10)} {
		if _, err := b.in.Apply(ctx, id, "verificato", arg, nil, staffOne); !errors.Is(err, errRefused) {
			t.Errorf("#verificato %s: %v, want a refusal", arg, err)
		}
	}
	if _, err := b.in.Apply(ctx, id, "verificato", strconv.FormatInt(doubts[0].ID, 10), nil, staffOne); err != nil {
		t.Fatal(err)
	}
	if tk, _ := b.store.Ticket(ctx, id); tk.FlagKind != ticketing.FlagStranger {
		t.Errorf("flag %q gone with one message still waiting", tk.FlagKind)
	}
	if _, err := b.in.Apply(ctx, id, "verificato", strconv.FormatInt(doubts[0].ID, 10), nil, staffOne); !errors.Is(err, errRefused) {
		t.Errorf("a message verified twice: %v", err)
	}
	if _, err := b.in.Apply(ctx, id, "verificato", strconv.FormatInt(doubts[1].ID, 10), nil, staffOne); err != nil {
		t.Fatal(err)
	}
	tk, _ = b.store.Ticket(ctx, id)
	left, _ := b.store.SenderDoubts(ctx, id)
	if tk.FlagKind != ticketing.FlagNone || len(left) != 0 {
		t.Errorf("flag %q, %d messages left after both were verified", tk.FlagKind, len(left))
	}
	if tk.State != ticketing.StateTesting {
		t.Errorf("state %s: verifying a message acted on it", tk.State)
	}
}
