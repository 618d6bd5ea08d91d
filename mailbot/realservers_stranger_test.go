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
	"mailbot/parsers"
	"mailbot/ticketing"
)

// TestRealServersStrangerMovesNothing: against the real Dovecot and Postfix, a case in testing
// gets a stranger's mail with its ticket tag, "test positivi" and a caller IP. The case stays in
// testing with no IP recorded, the stranger's mailbox stays empty, and staff get the notice of a
// sender not on the case.
func TestRealServersStrangerMovesNothing(t *testing.T) {
	const (
		referent = "referente@comune.venezia.it"
		stranger = "referente@comune.padova.it" // a real mailbox, so that we can see it gets nothing
	)
	d, imapAddr, smtpAddr, _ := realDaemon(t, []string{referent, stranger, staffOne}, nil, func(c *Config) {
		c.Staff = StaffConfig{Addresses: []string{staffOne}}
	})
	ctx := context.Background()
	h := &harness{t: t, d: d}
	run := fmt.Sprint(time.Now().UnixNano())

	// The referent's request with both forms opens the case; staff then move it to testing.
	req := mimeMail("Referente <"+referent+">", CallCenter+"\r\nCc: "+Cluster, "Richiesta integrazione MyPay e MyPivot", "req."+run+"@comune.venezia.it",
		"In allegato i moduli.", nil, map[string][]byte{"informativa.odt": fixture(t, "informativa_generale_venezia.odt"),
			"qep.xlsx": fixture(t, "qualificazione_ente_prodotto_venezia.xlsx")})
	id := realCaseInTesting(h, smtpAddr, referent, []string{CallCenter, Cluster}, req)
	staffBefore := len(mailtest.WaitMessages(t, imapAddr, staffOne, 1, 20*time.Second))

	// The stranger knows the ticket number.
	bad := mimeMail("Tester <"+stranger+">", CallCenter, "Re: Credenziali di collaudo ["+id+"]", "stranger."+run+"@comune.padova.it",
		"Buongiorno, test positivi, IP 203.0.113.66. Chiediamo l'attivazione in esercizio.", nil, nil)
	mailtest.Send(t, smtpAddr, stranger, []string{CallCenter}, []byte(bad))
	if err := d.Store.WaitQuiet(ctx, map[string]int{"callcenter": 2, "cluster": 1}, 20*time.Second); err != nil {
		t.Fatal(err)
	}

	got := mailtest.WaitMessages(t, imapAddr, staffOne, staffBefore+1, 20*time.Second)
	var notice string
	for _, raw := range got {
		env, err := parsers.ReadEnvelope(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(env.Subject, "mittente non presente nella pratica") {
			notice = textOf(t, raw)
		}
	}
	if notice == "" {
		t.Fatalf("staff got no notice of a sender not on the case (%d mails)", len(got))
	}
	for _, want := range []string{id, stranger, "203.0.113.66", "non sono stati acquisiti"} {
		if !strings.Contains(strings.Join(strings.Fields(notice), " "), want) {
			t.Errorf("the notice does not mention %q:\n%s", want, notice)
		}
	}
	tk := h.ticket(id)
	if tk.State != ticketing.StateTesting {
		t.Errorf("state %s, want %s: a stranger moved the case", tk.State, ticketing.StateTesting)
	}
	ips, err := d.Store.IPs(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for env, list := range ips {
		if slices.Contains(list, "203.0.113.66") {
			t.Errorf("the stranger's IP was recorded for %s: %v", env, list)
		}
	}
	out, err := d.Store.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range out {
		if slices.Contains(m.Rcpts, stranger) {
			t.Errorf("mail queued to the stranger: %s", m.Kind)
		}
	}
	time.Sleep(time.Second) // room for a wrong reply to arrive
	if n := len(mailtest.WaitMessages(t, imapAddr, stranger, 0, time.Second)); n != 0 {
		t.Errorf("the stranger's mailbox holds %d messages, want none", n)
	}
	if n := len(mailtest.WaitMessages(t, imapAddr, referent, 1, 10*time.Second)); n != 1 {
		t.Errorf("the referent's mailbox holds %d messages, want only the acknowledgement", n)
	}
}
