package mailbot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mailbot/internal/mailtest"
	"mailbot/internal/wait"
	"mailbot/ticketing"
)

// TestRealServersLookalikeSenders: through real Postfix and Dovecot, on a case in testing, a
// message from another mailbox of the referent's domain (authenticated by our border), one
// from a stranger whose display name is the referent's address, and one whose From names the
// referent and the stranger move nothing and record no IP. The first two reach nobody; the
// third, which names the referent first, reaches the referent alone, as the acknowledgement
// that a person will check. Each is an item for a person, settled by #verificato.
func TestRealServersLookalikeSenders(t *testing.T) {
	const (
		referent = "referente@comune.venezia.it"
		stranger = "referente@comune.padova.it"
		results  = "Test positivi, IP %s. Chiediamo l'attivazione in esercizio."
	)
	d, imapAddr, smtpAddr, _ := realDaemon(t, []string{referent, stranger, staffOne}, nil, func(c *Config) {
		c.Staff = StaffConfig{Addresses: []string{staffOne}, TrustedAuthservID: "mx.regione.veneto.it"}
		c.Mailboxes = c.Mailboxes[:1]
	})
	ctx := context.Background()
	h := &harness{t: t, d: d}
	run := fmt.Sprint(time.Now().UnixNano())
	req := mimeMail("Referente <"+referent+">", CallCenter, "Richiesta integrazione MyPay e MyPivot", "req."+run+"@comune.venezia.it",
		"In allegato i moduli.", nil, map[string][]byte{"informativa.odt": fixture(t, "informativa_generale_venezia.odt"),
			"qep.xlsx": fixture(t, "qualificazione_ente_prodotto_venezia.xlsx")})
	id := realCaseInTesting(h, smtpAddr, referent, []string{CallCenter}, req)
	referentBefore := len(mailtest.WaitMessages(t, imapAddr, referent, 1, 20*time.Second))
	copies := 1
	for i, c := range []struct{ name, from, envFrom, ip string }{
		{"another mailbox of the domain, DMARC pass", "Protocollo <protocollo@comune.venezia.it>", "protocollo@comune.venezia.it", "203.0.113.71"},
		{"display name the referent's address", `"` + referent + `" <` + stranger + `>`, stranger, "203.0.113.72"},
		{"two From mailboxes, the referent first", referent + ", " + stranger, stranger, "203.0.113.73"},
	} {
		raw := mimeMail(c.from, CallCenter, "Re: Credenziali di collaudo ["+id+"]", fmt.Sprintf("look%d.%s@x.example", i, run),
			fmt.Sprintf(results, c.ip), []string{"Authentication-Results: mx.regione.veneto.it; dmarc=pass header.from=" + c.envFrom[strings.IndexByte(c.envFrom, '@')+1:]}, nil)
		mailtest.Send(t, smtpAddr, c.envFrom, []string{CallCenter}, []byte(raw))
		copies++
		if err := d.Store.WaitQuiet(ctx, map[string]int{"callcenter": copies}, 20*time.Second); err != nil {
			t.Fatal(err)
		}
		if tk := h.ticket(id); tk.State != ticketing.StateTesting {
			t.Fatalf("%s: the case moved to %s", c.name, tk.State)
		}
		ips, _ := d.Store.IPs(ctx, id)
		if slices.Contains(ips[ticketing.EnvEsercizio], c.ip) || slices.Contains(proposedIPs(t, d.Store, id), c.ip) {
			t.Errorf("%s: its IP was recorded or proposed", c.name)
		}
	}
	wait.For(t, "the outbox drained", func() bool { _, pending, _ := d.Store.NextDue(ctx); return !pending })
	time.Sleep(time.Second) // room for a wrong reply to arrive
	if got := mailtest.WaitMessages(t, imapAddr, stranger, 0, time.Second); len(got) != 0 {
		t.Errorf("the stranger got %d messages, want none", len(got))
	}
	told := mailtest.WaitMessages(t, imapAddr, referent, referentBefore+1, 20*time.Second)
	if len(told) != referentBefore+1 || !strings.Contains(strings.Join(strings.Fields(textOf(t, told[len(told)-1])), " "), "lo verificherà una persona") {
		t.Errorf("the referent got %d new messages, want only the acknowledgement that a person will check", len(told)-referentBefore)
	}
	// Each of the three waits for a person as an item of its own; one click each settles them.
	doubts, err := d.Store.SenderDoubts(ctx, id)
	if err != nil || len(doubts) != 3 {
		t.Fatalf("%d messages waiting for a person (%v), want the three", len(doubts), err)
	}
	for _, m := range doubts {
		if _, err := d.Intake.Apply(ctx, id, "verificato", strconv.FormatInt(m.ID, 10), nil, staffOne); err != nil {
			t.Fatal(err)
		}
	}
	if tk := h.ticket(id); tk.FlagKind == ticketing.FlagStranger || tk.FlagKind == ticketing.FlagUntrusted || tk.State != ticketing.StateTesting {
		t.Errorf("flag %q, state %s after the three were verified", tk.FlagKind, tk.State)
	}
	list, err := d.Store.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if slices.Contains(m.Rcpts, "protocollo@comune.venezia.it") {
			t.Errorf("another mailbox of the domain was sent %s", m.Kind)
		}
	}
}
