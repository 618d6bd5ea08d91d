package mailbot

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"mailbot/internal/mailtest"
	"mailbot/parsers"
)

// TestRealServers runs mailbot against a real Dovecot (IMAP) and Postfix (SMTP, delivering to
// Dovecot over LMTP), as started by .ci/mailservers: a request to the call center with the
// cluster in Cc yields one ticket and one acknowledgement in the referent's own mailbox, and an
// out-of-office reply to it yields nothing.
func TestRealServers(t *testing.T) {
	imapAddr, smtpAddr := mailtest.Real(t)
	const referent = "referente@comune.venezia.it"
	for _, u := range []string{CallCenter, Cluster, referent} {
		mailtest.Reset(t, imapAddr, u)
	}
	cfg := &Config{
		DataDir:   t.TempDir(),
		ReplyFrom: "Regione del Veneto - Integrazioni PagoPA <" + CallCenter + ">",
		SMTP:      SMTPConfig{Addr: smtpAddr, TLS: "none"},
	}
	for _, m := range []struct{ name, addr string }{{"callcenter", CallCenter}, {"cluster", Cluster}} {
		cfg.Mailboxes = append(cfg.Mailboxes, MailboxConfig{Name: m.name, Address: m.addr, IMAPAddr: imapAddr,
			TLS: "none", Username: m.addr, Password: "secret", FirstStart: "reply"})
	}
	if err := cfg.complete(); err != nil {
		t.Fatal(err)
	}
	d, err := NewDaemon(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	id := fmt.Sprintf("real-%d@comune.venezia.it", time.Now().UnixNano())
	req := request(referent, id, "Richiesta integrazione MyPay - Comune di Venezia", true)
	mailtest.Send(t, smtpAddr, referent, []string{CallCenter, Cluster}, []byte(req))

	got := mailtest.WaitMessages(t, imapAddr, referent, 1, 20*time.Second)
	env, err := parsers.ReadEnvelope(bytes.NewReader(got[0]))
	if err != nil {
		t.Fatal(err)
	}
	tks, err := d.Store.Tickets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tks) != 1 {
		t.Fatalf("tickets = %d, want 1", len(tks))
	}
	if want := "Re: Richiesta integrazione MyPay - Comune di Venezia [" + tks[0].ID + "]"; env.Subject != want {
		t.Errorf("ack subject %q, want %q", env.Subject, want)
	}
	// Both copies must have been seen before we can say the second produced nothing.
	if err := WaitQuiet(ctx, d.Store, map[string]int{"callcenter": 1, "cluster": 1}, 20*time.Second); err != nil {
		t.Fatal(err)
	}

	// The referent's out-of-office answers our acknowledgement: recorded, never answered.
	ooo := request(referent, "ooo-"+id, "Fuori ufficio: "+env.Subject, false, "Auto-Submitted: auto-replied", "In-Reply-To: <"+env.MessageID+">")
	mailtest.Send(t, smtpAddr, referent, []string{CallCenter}, []byte(ooo))
	if err := WaitQuiet(ctx, d.Store, map[string]int{"callcenter": 2}, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // room for a wrong reply to arrive
	if got := mailtest.WaitMessages(t, imapAddr, referent, 1, time.Second); len(got) != 1 {
		t.Errorf("referent's mailbox holds %d messages, want only the acknowledgement", len(got))
	}
	tk, _ := d.Store.Ticket(ctx, tks[0].ID)
	if tk.Messages != 3 {
		t.Errorf("ticket messages = %d, want 3 (request, ack, out-of-office)", tk.Messages)
	}
}
