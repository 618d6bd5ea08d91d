package mailbot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"mailbot/ticketing"
)

// TestUntrustedMessagesMoveNothing is finding 3 of issue 19: Reply-To is never identity, and
// what our own server says of the From (Authentication-Results of trusted_authserv_id) decides
// whether a sender on the case is believed. An untrusted message changes nothing, files no IP,
// goes to staff, and its From (never the Reply-To) hears that a person will check it; a From
// with no result at all takes the ordinary step.
func TestUntrustedMessagesMoveNothing(t *testing.T) {
	const (
		requester = "k.bianchi@comune.venezia.it"
		stranger  = "tester@evil.example"
		results   = "Esiti dei test: positivo. Chiediamo l'attivazione in esercizio.\nIP: 203.0.113.66"
		ours      = "Authentication-Results: mx.regione.veneto.it; "
	)
	cases := []struct {
		name    string
		from    string
		headers []string
		moves   bool
		ackTo   string // who gets the acknowledgement of an untrusted message
	}{
		{"Reply-To of the requester, From a stranger", stranger, []string{"Reply-To: " + requester}, false, stranger},
		{"DMARC fail on the From", requester, []string{ours + "dmarc=fail (p=none) header.from=comune.venezia.it"}, false, requester},
		{"aligned DKIM fail on the From", requester, []string{ours + "dkim=fail (bad signature) header.d=comune.venezia.it"}, false, requester},
		{"DKIM fail of a subdomain, aligned", requester, []string{ours + "dkim=fail header.d=mail.comune.venezia.it"}, false, requester},
		{"no result at all", requester, nil, true, ""},
		{"DMARC pass", requester, []string{ours + "dmarc=pass header.from=comune.venezia.it"}, true, ""},
		{"DKIM fail of an unaligned signer only", requester, []string{ours + "dkim=fail header.d=mailer.example"}, true, ""},
		{"a forged fail under another server's name", requester, []string{"Authentication-Results: evil.example; dmarc=fail header.from=comune.venezia.it"}, true, ""},
		{"the requester's own address in Reply-To", requester, []string{"Reply-To: " + requester}, true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newCaseBench(t, func(cfg *Config) { cfg.Staff.TrustedAuthservID = "mx.regione.veneto.it" })
			id := b.openCase(requester, ticketing.StateTesting)
			staffBefore := len(b.mailTo(staffOne))
			reqBefore := len(b.mailTo(requester))
			b.process(mimeMail(c.from, CallCenter, "Re: Credenziali ["+id+"]", fmt.Sprintf("m%d@x", time.Now().UnixNano()), results, c.headers, nil))
			tk, err := b.store.Ticket(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			ips, err := b.store.IPs(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if c.moves {
				if tk.State != ticketing.StateProductionSetup || !slices.Contains(ips[ticketing.EnvEsercizio], "203.0.113.66") {
					t.Errorf("state %s, IPs %v: the ordinary step was not taken", tk.State, ips)
				}
				if slices.Contains(b.mailTo(c.from), untrustedKind) {
					t.Errorf("a trusted sender was told a person will check")
				}
				return
			}
			if tk.State != ticketing.StateTesting || len(ips[ticketing.EnvEsercizio]) != 0 {
				t.Errorf("state %s, production IPs %v: an untrusted message moved the case", tk.State, ips[ticketing.EnvEsercizio])
			}
			if got := b.mailTo(c.ackTo); !slices.Equal(got[len(got)-1:], []string{untrustedKind}) {
				t.Errorf("%s was sent %v, want the acknowledgement last", c.ackTo, got)
			}
			if c.ackTo != requester && len(b.mailTo(requester)) != reqBefore {
				t.Errorf("the Reply-To got mail: %v", b.mailTo(requester)[reqBefore:])
			}
			if staff := b.mailTo(staffOne)[staffBefore:]; !slices.Equal(staff, []string{"staff_notice"}) {
				t.Errorf("staff were sent %v, want one notice", staff)
			}
			if !strings.HasPrefix(tk.Flag, "messaggio non attendibile") {
				t.Errorf("flag %q", tk.Flag)
			}
			if !hasEvent(t, b.store, id, ticketing.EventSecurity) {
				t.Errorf("no security event")
			}
		})
	}
}

// TestUntrustedRequestOpensACaseForAPerson: a new request whose From fails DMARC opens a case
// (staff need one to decide on) but files nothing: the forms wait for a person.
func TestUntrustedRequestOpensACaseForAPerson(t *testing.T) {
	b := newCaseBench(t, func(cfg *Config) { cfg.Staff.TrustedAuthservID = "mx.regione.veneto.it" })
	b.process(mimeMail("Referente <k.bianchi@comune.venezia.it>", CallCenter, "Richiesta integrazione MyPay", "forged@x",
		"In allegato i moduli.", []string{"Authentication-Results: mx.regione.veneto.it; dmarc=fail header.from=comune.venezia.it"},
		map[string][]byte{"informativa.docx": fixture(t, "informativa_generale_venezia.docx"),
			"qep.docx": fixture(t, "qualificazione_ente_prodotto_venezia.docx")}))
	tks, err := b.store.Tickets(context.Background())
	if err != nil || len(tks) != 1 {
		t.Fatalf("tickets %v, %v", tks, err)
	}
	tk := tks[0]
	if tk.State != ticketing.StateAwaitingDocuments {
		t.Errorf("state %s: a forged request moved on", tk.State)
	}
	if forms, _ := b.store.Forms(context.Background(), tk.ID); len(forms) != 0 {
		t.Errorf("%d forms filed from a forged request", len(forms))
	}
	if got := b.mailTo("k.bianchi@comune.venezia.it"); !slices.Equal(got, []string{untrustedKind}) {
		t.Errorf("the From was sent %v, want only the acknowledgement", got)
	}
}
