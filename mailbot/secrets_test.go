package mailbot

import (
	"context"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"mailbot/internal/wait"
	"mailbot/parsers"
	"mailbot/ticketing"
)

// TestSecretsNeverStayAtRest is finding 5 of issue 11: whatever becomes of a message carrying
// credentials or a #codice (obeyed, refused as unauthenticated, refused for a wrong code, naming
// no ticket, sent by a referent, recorded from a second mailbox) and of a credentials mail the
// server refuses for good (5xx), no secret stays in the database, its write-ahead log, the stored
// messages or the logs, while the daemon runs and after it stops.
func TestSecretsNeverStayAtRest(t *testing.T) {
	const (
		codice    = "C0dice-Person4le"
		wrong     = "C0dice-Sbagliat0"
		pwObeyed  = "Obbedit0-MyPay"
		pwForged  = "Forgiat0-MyPay"
		pwNoCase  = "Senz4Pratica-MyPay"
		pwRefer   = "Dal-Referent3"
		padova    = "referente@comune.padova.it"
		delivered = "Delivered-To: "
	)
	h, logs := newLifecycle(t, func(c *Config) { c.Staff.Secrets = map[string]string{staffOne: codice} })
	// Padova's server refuses everything for good: the credentials mail fails with a 5xx.
	h.mail.Fault = func(stage, arg string) error {
		if stage == "rcpt" && strings.Contains(arg, "padova") {
			return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "mailbox unknown"}
		}
		return nil
	}
	ctx := context.Background()
	h.deliver(request(padova, "req-secrets@comune.padova.it", "Richiesta integrazione MyPay", false))
	wait.For(t, "the ticket", func() bool { return len(h.tickets()) == 1 })
	id := h.tickets()[0].ID
	if _, err := h.d.Intake.Apply(ctx, id, "stato", ticketing.StateTestSetup, nil, "cli:test"); err != nil {
		t.Fatal(err)
	}

	// Obeyed (authenticated by #codice), arriving in both mailboxes as two copies that differ in
	// their delivery headers, as real servers write them.
	obeyed := mimeMail(staffOne, CallCenter+"\r\nCc: "+Cluster, "Re: ["+id+"]", "cred@regione.veneto.it",
		"#codice "+codice+"\n#credenziali collaudo\ncodice_ipa: c_pd\npassword_mypay: "+pwObeyed, nil, nil)
	for _, to := range []string{CallCenter, Cluster} {
		if err := h.mail.Deliver(to, []byte(delivered+to+"\r\n"+obeyed)); err != nil {
			t.Fatal(err)
		}
	}
	// Refused: no authentication at all, and a wrong personal code.
	h.deliver(mimeMail(staffOne, CallCenter, "Re: ["+id+"]", "forged@x", "#credenziali collaudo\ncodice_ipa: c_pd\npassword_mypay: "+pwForged, nil, nil))
	h.deliver(mimeMail(staffOne, CallCenter, "Re: ["+id+"]", "wrong@x", "#codice "+wrong+"\n#nota prova", nil, nil))
	// Authenticated, but naming no ticket: quarantined.
	h.deliver(mimeMail(staffOne, CallCenter, "Re: [INT-2026-99999]", "nocase@regione.veneto.it",
		"#credenziali collaudo\ncodice_ipa: c_pd\npassword_mypay: "+pwNoCase, []string{staffAuth}, nil))
	// A referent writing a credentials block.
	h.deliver(mimeMail(padova, CallCenter, "Re: ["+id+"]", "refer@comune.padova.it", "#credenziali collaudo\npassword_mypay: "+pwRefer, nil, nil))
	h.settle(6, 1)

	out, err := h.d.Store.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	failed := false
	for _, o := range out {
		failed = failed || o.Kind == KindCredentials && o.State == "failed"
	}
	if !failed {
		t.Fatalf("the credentials mail did not fail: %+v", out)
	}
	if tk := h.ticket(id); tk.State != ticketing.StateTesting {
		t.Errorf("state %s: the authenticated credentials were not obeyed", tk.State)
	}

	secrets := []string{codice, wrong, pwObeyed, pwForged, pwNoCase, pwRefer}
	var found []string
	deadline := time.Now().Add(10 * time.Second)
	for found = secretsAtRest(h, logs, secrets...); len(found) > 0 && time.Now().Before(deadline); found = secretsAtRest(h, logs, secrets...) {
		time.Sleep(50 * time.Millisecond)
	}
	for _, f := range found {
		t.Errorf("while running: %s", f)
	}
	h.stop()
	for _, f := range secretsAtRest(h, logs, secrets...) {
		t.Errorf("after stopping: %s", f)
	}
}

// TestRedactingAnUnrecordedMessageDoesNotFail: a message carrying a secret that is not recorded
// under its own Message-ID (a quarantine of its own) must not make recording fail, which would
// stop its mailbox.
func TestRedactingAnUnrecordedMessageDoesNotFail(t *testing.T) {
	h := newHarness(t)
	h.start()
	msg := message{env: &parsers.Envelope{MessageID: "nowhere@x", Digest: "d", From: staffOne}, an: &parsers.Analysis{Text: "#codice abcdefgh"}}
	if err := h.d.Store.Update(context.Background(), func(tx *ticketing.Tx) error {
		return h.d.Intake.redactIfSecret(tx, "", msg, "")
	}); err != nil {
		t.Fatal(err)
	}
}
