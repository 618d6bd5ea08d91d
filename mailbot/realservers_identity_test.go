package mailbot

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"mailbot/internal/mailtest"
	"mailbot/internal/wait"
	"mailbot/parsers"
	"mailbot/ticketing"
)

// TestRealServersIdentityAndQuotes is issue 19's findings 3 and 6 through real Postfix and
// Dovecot: a stranger's results and caller IP with the referent's address in Reply-To move
// nothing, record no IP, reach the referent's mailbox with nothing, and the stranger's own
// mailbox gets the short acknowledgement that a person will check; the same message in the
// referent's own name, failing DMARC at our border, moves nothing either and the referent is
// told a person will check; then a staff member's HTML-only reply with #nota on top and a
// quoted #annulla records the note and cancels nothing.
func TestRealServersIdentityAndQuotes(t *testing.T) {
	const (
		referent = "referente@comune.venezia.it"
		stranger = "referente@comune.padova.it" // a real mailbox, so that we see what it gets
	)
	d, imapAddr, smtpAddr, _ := realDaemon(t, []string{referent, stranger, staffOne}, nil, func(c *Config) {
		c.Staff = StaffConfig{Addresses: []string{staffOne}, Secrets: map[string]string{staffOne: "C0dice-Segreto"},
			TrustedAuthservID: "mx.regione.veneto.it"}
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

	bad := mimeMail("Tester <"+stranger+">", CallCenter, "Re: Credenziali di collaudo ["+id+"]", "hijack."+run+"@comune.padova.it",
		"Test positivi, IP 203.0.113.66. Chiediamo l'attivazione in esercizio.", []string{"Reply-To: " + referent}, nil)
	mailtest.Send(t, smtpAddr, stranger, []string{CallCenter}, []byte(bad))
	ack := mailtest.WaitMessages(t, imapAddr, stranger, 1, 20*time.Second)
	if len(ack) != 1 || !strings.Contains(strings.Join(strings.Fields(textOf(t, ack[0])), " "), "lo verificherà una persona") {
		t.Fatalf("the stranger got %d messages, want the acknowledgement that a person will check", len(ack))
	}
	if tk := h.ticket(id); tk.State != ticketing.StateTesting {
		t.Errorf("state %s: a Reply-To moved the case", tk.State)
	}
	ips, err := d.Store.IPs(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(ips[ticketing.EnvEsercizio], "203.0.113.66") {
		t.Errorf("the stranger's IP was recorded: %v", ips)
	}
	time.Sleep(time.Second) // room for a wrong reply to arrive
	if n := len(mailtest.WaitMessages(t, imapAddr, referent, 0, time.Second)); n != referentBefore {
		t.Errorf("the referent (the Reply-To) got %d new messages, want none", n-referentBefore)
	}

	// The referent's own address, forged: our border server says DMARC fails for it. The case
	// stays, and the referent hears that a person will check a message sent in their name.
	forged := mimeMail("Referente <"+referent+">", CallCenter, "Re: Credenziali di collaudo ["+id+"]", "forged."+run+"@comune.venezia.it",
		"Test positivi, IP 203.0.113.67. Chiediamo l'attivazione in esercizio.",
		[]string{"Authentication-Results: mx.regione.veneto.it; dmarc=fail (p=none) header.from=comune.venezia.it"}, nil)
	mailtest.Send(t, smtpAddr, stranger, []string{CallCenter}, []byte(forged))
	told := mailtest.WaitMessages(t, imapAddr, referent, referentBefore+1, 20*time.Second)
	if len(told) != referentBefore+1 || !strings.Contains(strings.Join(strings.Fields(textOf(t, told[len(told)-1])), " "), "lo verificherà una persona") {
		t.Fatalf("the referent got %d new messages, want the acknowledgement that a person will check", len(told)-referentBefore)
	}
	if tk := h.ticket(id); tk.State != ticketing.StateTesting || !strings.HasPrefix(tk.Flag, "messaggio non attendibile") {
		t.Errorf("state %s, flag %q: a From failing DMARC moved the case or was not flagged", tk.State, tk.Flag)
	}
	if ips, _ := d.Store.IPs(ctx, id); slices.Contains(ips[ticketing.EnvEsercizio], "203.0.113.67") {
		t.Errorf("the forged message's IP was recorded: %v", ips)
	}

	html := "<html><body><div>#codice C0dice-Segreto<br>#nota sentito il referente</div>" +
		"<blockquote>#annulla non ci interessa più<br>Mario</blockquote></body></html>"
	staff := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: [%s]\r\nMessage-ID: <html.%s@regione.veneto.it>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/html; charset=utf-8\r\n\r\n%s\r\n", staffOne, CallCenter, id, run, html)
	mailtest.Send(t, smtpAddr, staffOne, []string{CallCenter}, []byte(staff))
	var outcome string
	wait.For(t, "the outcome of the staff member's commands", func() bool {
		for _, raw := range mailtest.WaitMessages(t, imapAddr, staffOne, 0, time.Second) {
			if env, _ := parsers.ReadEnvelope(bytes.NewReader(raw)); env != nil && strings.HasPrefix(env.Subject, "Re: ") {
				outcome = textOf(t, raw)
			}
		}
		return outcome != ""
	})
	if !strings.Contains(outcome, "nota registrata") || strings.Contains(outcome, "#annulla") {
		t.Errorf("outcome of the staff reply:\n%s", outcome)
	}
	if tk := h.ticket(id); tk.State != ticketing.StateTesting {
		t.Errorf("state %s: a quoted #annulla ran", tk.State)
	}
}

// realCaseInTesting sends req, the referent's complete request, to rcpts through the real
// servers and moves the case it opens to testing, as staff do once test credentials are sent.
func realCaseInTesting(h *harness, smtpAddr, referent string, rcpts []string, req string) string {
	t, ctx := h.t, context.Background()
	t.Helper()
	mailtest.Send(t, smtpAddr, referent, rcpts, []byte(req))
	wait.For(t, "the ticket", func() bool { l, _ := h.d.Store.Tickets(ctx); return len(l) == 1 })
	tks, _ := h.d.Store.Tickets(ctx)
	id := tks[0].ID
	h.waitState(id, ticketing.StateTestSetup)
	if err := h.d.Store.Update(ctx, func(tx *ticketing.Tx) error {
		return tx.SetState(id, ticketing.StateTesting, staffOne, "credenziali di collaudo inviate", time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	return id
}
