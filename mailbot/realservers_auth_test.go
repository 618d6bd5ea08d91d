package mailbot

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"mailbot/internal/mailtest"
	"mailbot/internal/wait"
	"mailbot/parsers"
	"mailbot/ticketing"
)

// TestRealServersForgedAndGenuineStaffHeaders is finding 3 of issue 11 through real Postfix and
// Dovecot: a forged staff command carrying a forged "dkim=pass" below an unreadable header of
// our server is not obeyed (staff get a warning in their real mailbox), while a staff command
// whose topmost header is OpenDKIM's real format, ";" inside its comment, is. CI's Postfix signs
// nothing, so both messages bring their headers with them; the trusted authserv-id is ours.
func TestRealServersForgedAndGenuineStaffHeaders(t *testing.T) {
	const referent = "referente@comune.venezia.it"
	d, imapAddr, smtpAddr, _ := realDaemon(t, []string{referent, staffOne}, nil, func(c *Config) {
		c.Staff = StaffConfig{Addresses: []string{staffOne}, TrustedAuthservID: "mx.regione.veneto.it"}
		c.Mailboxes = c.Mailboxes[:1]
	})
	ctx := context.Background()
	h := &harness{t: t, d: d}
	run := fmt.Sprint(time.Now().UnixNano())
	send := func(from, subject, body string, headers ...string) {
		raw := mimeMail(from, CallCenter, subject, run+"."+fmt.Sprint(time.Now().UnixNano())+"@"+strings.Split(from, "@")[1], body, headers, nil)
		mailtest.Send(t, smtpAddr, from, []string{CallCenter}, []byte(raw))
	}

	send(referent, "Richiesta integrazione MyPay", "Chiediamo l'integrazione con MyPay.")
	wait.For(t, "the ticket", func() bool { l, _ := d.Store.Tickets(ctx); return len(l) == 1 })
	tks, _ := d.Store.Tickets(ctx)
	id := tks[0].ID
	h.waitState(id, ticketing.StateAwaitingDocuments)

	send(staffOne, "Re: ["+id+"]", "#annulla forged", "Authentication-Results: "+brokenOurs, "Authentication-Results: "+forgedPass)
	warning := mailtest.WaitMessages(t, imapAddr, staffOne, 1, 20*time.Second)
	if env, _ := parsers.ReadEnvelope(bytes.NewReader(warning[0])); !strings.Contains(env.Subject, "non autenticato") {
		t.Fatalf("staff got %q, want the security warning", env.Subject)
	}
	if tk := h.ticket(id); tk.State != ticketing.StateAwaitingDocuments {
		t.Fatalf("the forged command moved the case to %s", tk.State)
	}

	send(staffOne, "Re: ["+id+"]", "#annulla richiesta ritirata", "Authentication-Results: "+openDKIMPass)
	h.waitState(id, ticketing.StateCancelled)
	got := mailtest.WaitMessages(t, imapAddr, staffOne, 2, 20*time.Second)
	if len(got) != 2 {
		t.Fatalf("staff mailbox holds %d messages, want the warning and the outcome", len(got))
	}
	if text := textOf(t, got[1]); !strings.Contains(text, "#annulla") || !strings.Contains(text, ticketing.StateCancelled) {
		t.Errorf("outcome of the genuine command:\n%s", text)
	}
}
