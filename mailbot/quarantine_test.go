package mailbot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"mailbot/internal/mailtest"
	"mailbot/parsers"
	"mailbot/templates"
	"mailbot/ticketing"
)

// malformedFroms are From fields that once stopped a mailbox for good: the address they yield
// was refused when the reply was rendered, the transaction failed, and the watcher fetched the
// same UID again forever. The quoted forms are what Postfix makes of an unbalanced quote.
var malformedFroms = []string{
	`"broken@evil.example`,
	`"broken@evil.example"@mailbot-ci.localdomain`,
	`"Mario <m@evil.example>"@mailbot-ci.localdomain`,
	`x@y)`,
	`a"b@evil.example`,
	`broken@evil.example\`,
	`"john doe"@evil.example`,
}

// TestMalformedFromDoesNotStopMailbox: after each malformed From, an ordinary request to the same
// mailbox is answered, and the malformed message is recorded (answered, or quarantined with
// staff told once).
func TestMalformedFromDoesNotStopMailbox(t *testing.T) {
	for i, from := range malformedFroms {
		t.Run(from, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(c *Config) { c.Staff.Addresses = []string{staffOne} })
			h.start()
			bad := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Richiesta\r\nMessage-ID: <bad%d@evil.example>\r\nDate: Thu, 26 Nov 2026 09:00:00 +0100\r\n\r\nBuongiorno.\r\n", from, CallCenter, i)
			h.deliver(bad)
			h.deliver(request("referente@comune.venezia.it", fmt.Sprintf("ok%d@comune.venezia.it", i), "Richiesta integrazione MyPay", false))
			h.settle(2, 0)
			if got := h.sentTo("referente@comune.venezia.it"); len(got) != 1 {
				t.Errorf("the ordinary request after the malformed From got %d answers, want 1", len(got))
			}
			q, err := h.d.Store.Quarantined(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(q) > 0 {
				if !strings.Contains(q[0].Quarantine, "cannot be answered") {
					t.Errorf("quarantine reason %q", q[0].Quarantine)
				}
				if n := len(h.mail.DeliveredTo(staffOne)); n != 1 {
					t.Errorf("staff got %d notices of the quarantined message, want 1", n)
				}
			}
		})
	}
}

// TestUnanswerableSenderIsQuarantined: a From that net/mail reads as x@y@host cannot be
// answered; it opens no case, is quarantined, and staff hear of it once.
func TestUnanswerableSenderIsQuarantined(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Staff.Addresses = []string{staffOne} })
	h.start()
	raw := "From: \"broken@evil.example\"@mailbot-ci.localdomain\r\nTo: " + CallCenter + ", " + Cluster +
		"\r\nSubject: Richiesta\r\nMessage-ID: <q1@evil.example>\r\n\r\nBuongiorno.\r\n"
	h.deliver(raw)
	h.settle(1, 1)
	if tks := h.tickets(); len(tks) != 0 {
		t.Errorf("a case was opened for an address nobody can write to: %v", tks)
	}
	q, err := h.d.Store.Quarantined(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || !strings.Contains(q[0].Quarantine, "cannot be answered") || len(q[0].Mailboxes) != 2 {
		t.Fatalf("quarantined = %+v, want the one message, in both mailboxes", q)
	}
	got := h.mail.DeliveredTo(staffOne)
	if len(got) != 1 {
		t.Fatalf("staff got %d notices, want 1 for both copies", len(got))
	}
	env, _ := parsers.ReadEnvelope(bytes.NewReader(got[0].Raw))
	if !strings.Contains(env.Subject, "quarantena") {
		t.Errorf("notice subject %q", env.Subject)
	}
}

// quarantineIntake is an intake on a fresh store with one watched mailbox, as a watcher uses it.
func quarantineIntake(t testing.TB, dir string) (*Intake, *ticketing.Store) {
	t.Helper()
	cfg := &Config{DataDir: dir, ReplyFrom: "Regione del Veneto - Integrazioni PagoPA <" + CallCenter + ">",
		Mailboxes: []MailboxConfig{{Name: "callcenter", Address: CallCenter, IMAPAddr: "127.0.0.1:1", TLS: "none",
			Username: CallCenter, Password: "x", FirstStart: "reply"}},
		SMTP:  SMTPConfig{Addr: "127.0.0.1:1", TLS: "none"},
		Staff: StaffConfig{Addresses: []string{staffOne}}}
	if err := cfg.Complete(); err != nil {
		t.Fatal(err)
	}
	store, err := ticketing.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return NewIntake(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now, nil), store
}

// prepare stores raw as the message at uid of the callcenter mailbox and prepares it.
func prepare(t testing.TB, in *Intake, store *ticketing.Store, uid uint32, raw []byte) Prepared {
	t.Helper()
	sum, err := store.PutBlob(raw)
	if err != nil {
		t.Fatal(err)
	}
	return in.Prepare(Incoming{Mailbox: "callcenter", UIDValidity: 1, UID: uid, Blob: sum, Size: int64(len(raw))})
}

func position(t testing.TB, store *ticketing.Store) uint32 {
	t.Helper()
	var last uint32
	if err := store.Update(context.Background(), func(tx *ticketing.Tx) (err error) {
		_, last, _, err = tx.MailboxState("callcenter")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return last
}

// TestFailingMessageIsQuarantinedAfterThreeAttempts: a message that cannot be recorded is found
// in its batch (the others are recorded), tried again at each fetch, restarts included, and
// at the third attempt recorded as quarantined with its error; the mailbox moves on and staff
// are told once.
func TestFailingMessageIsQuarantinedAfterThreeAttempts(t *testing.T) {
	dir := t.TempDir()
	msgs := map[uint32][]byte{}
	for uid := uint32(1); uid <= 3; uid++ {
		msgs[uid] = []byte(request(fmt.Sprintf("referente+%d@comune.venezia.it", uid), fmt.Sprintf("m%d@comune.venezia.it", uid), "Richiesta", false))
	}
	fault := func(m Incoming) error {
		if m.UID == 2 {
			return errors.New("disk says no")
		}
		return nil
	}
	ctx := context.Background()
	from := uint32(1)
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		// Each attempt is a new process on the same data directory, as after a restart.
		func() {
			in, store := quarantineIntake(t, dir)
			in.recordFault = fault
			var batch []Prepared
			for uid := from; uid <= 3; uid++ {
				batch = append(batch, prepare(t, in, store, uid, msgs[uid]))
			}
			err := in.RecordBatch(ctx, batch)
			last := position(t, store)
			if attempt < maxAttempts {
				if err == nil || last != 1 {
					t.Fatalf("attempt %d: err = %v, position %d; want an error and the position after uid 1", attempt, err, last)
				}
			} else if err != nil || last != 3 {
				t.Fatalf("attempt %d: err = %v, position %d; want the mailbox past every message", attempt, err, last)
			}
			from = last + 1
			store.Close()
		}()
	}
	in, store := quarantineIntake(t, dir)
	_ = in
	q, err := store.Quarantined(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || !strings.Contains(q[0].Quarantine, "disk says no") || !strings.Contains(q[0].Quarantine, "3 attempts") {
		t.Fatalf("quarantined = %+v, want uid 2 with its error", q)
	}
	tks, err := store.Tickets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tks) != 2 {
		t.Errorf("tickets = %d, want 2 (uids 1 and 3)", len(tks))
	}
	out, err := store.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	notices := 0
	for _, o := range out {
		if o.Kind == "staff_quarantine" {
			notices++
		}
	}
	if notices != 1 {
		t.Errorf("staff notices of the quarantine = %d, want 1", notices)
	}
}

// TestPanicWhileRecordingIsQuarantined: a bug that panics on one message is counted like a
// failure and ends in quarantine instead of crashing the daemon at every start.
func TestPanicWhileRecordingIsQuarantined(t *testing.T) {
	in, store := quarantineIntake(t, t.TempDir())
	in.recordFault = func(Incoming) error { panic("boom") }
	p := prepare(t, in, store, 1, []byte(request("referente@comune.venezia.it", "p@x", "Richiesta", false)))
	for range maxAttempts - 1 {
		if err := in.Record(context.Background(), p); err == nil {
			t.Fatal("a panic recorded the message")
		}
	}
	if err := in.Record(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if last := position(t, store); last != 1 {
		t.Errorf("position %d, want 1", last)
	}
}

// FuzzRecord feeds arbitrary bytes through Prepare and Record into a temporary store: whatever
// the message, the mailbox position advances (at once, or after the counted attempts).
func FuzzRecord(f *testing.F) {
	for _, from := range malformedFroms {
		f.Add([]byte("From: " + from + "\r\nTo: " + CallCenter + "\r\nSubject: x\r\n\r\nbody\r\n"))
	}
	f.Add([]byte(request("referente@comune.venezia.it", "r@x", "Richiesta integrazione MyPay", true)))
	f.Add([]byte("From: staff1@regione.veneto.it\r\nSubject: Re: [INT-2026-00001]\r\n\r\n#chiudi\r\n"))
	f.Add([]byte("garbage without a header"))
	f.Add([]byte{})
	in, store := quarantineIntake(f, f.TempDir())
	uid := uint32(0)
	f.Fuzz(func(t *testing.T, raw []byte) {
		uid++
		p := prepare(t, in, store, uid, raw)
		var err error
		for range maxAttempts {
			if err = in.Record(context.Background(), p); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("not recorded after %d attempts: %v", maxAttempts, err)
		}
		if last := position(t, store); last != uid {
			t.Fatalf("position %d, want %d", last, uid)
		}
	})
}

// TestRealServersMalformedFrom: against Postfix and Dovecot, a malformed From (which Postfix
// rewrites to "broken@evil.example"@host) followed by an ordinary request to the same mailbox:
// the ordinary request is answered.
func TestRealServersMalformedFrom(t *testing.T) {
	const referent = "referente@comune.venezia.it"
	d, imapAddr, smtpAddr, _ := realDaemon(t, []string{referent, staffOne}, nil, func(c *Config) {
		c.Staff = StaffConfig{Addresses: []string{staffOne}}
		c.Mailboxes = c.Mailboxes[:1]
	})
	ctx := context.Background()

	run := time.Now().UnixNano()
	for i, from := range []string{`"broken@evil.example`, `x@y)`, `broken@evil.example\`} {
		bad := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Richiesta\r\nMessage-ID: <bad%d-%d@evil.example>\r\n\r\nBuongiorno.\r\n", from, CallCenter, i, run)
		mailtest.Send(t, smtpAddr, "bounce@evil.example", []string{CallCenter}, []byte(bad))
	}
	req := request(referent, fmt.Sprintf("after-bad-%d@comune.venezia.it", run), "Richiesta integrazione MyPay - Comune di Venezia", false)
	mailtest.Send(t, smtpAddr, referent, []string{CallCenter}, []byte(req))

	got := mailtest.WaitMessages(t, imapAddr, referent, 1, 30*time.Second)
	env, err := parsers.ReadEnvelope(bytes.NewReader(got[0]))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(env.Subject, "Richiesta integrazione MyPay") {
		t.Errorf("answer subject %q", env.Subject)
	}
	if err := d.Store.WaitQuiet(ctx, map[string]int{"callcenter": 4}, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := len(mailtest.WaitMessages(t, imapAddr, staffOne, 1, 20*time.Second)); n != 1 {
		t.Errorf("staff got %d quarantine notices, want 1 (the Postfix-rewritten quote)", n)
	}
}

// TestGoldenQuarantineNotice renders the notice staff get about a quarantined message.
func TestGoldenQuarantineNotice(t *testing.T) {
	body, err := templates.Render("staff_quarantine", quarantineData{Why: whyUnanswerable,
		Detail: "sender address cannot be answered: mail: expected single address",
		From:   "broken@evil.example@mailbot-ci.localdomain", Subject: "Richiesta", Mailbox: "callcenter", UID: 42})
	if err != nil {
		t.Fatal(err)
	}
	date := time.Date(2026, 11, 26, 9, 12, 30, 0, time.FixedZone("CET", 3600))
	raw, err := render(outgoing{Kind: "staff_quarantine", To: []string{staffOne}, Subject: "Messaggio in quarantena nella casella callcenter", Body: body},
		"Regione del Veneto - Integrazioni PagoPA <call.center@regione.veneto.it>", "fixed.id@regione.veneto.it", date)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "staff_quarantine.eml", normaliseMail(raw))
	golden(t, "staff_quarantine.txt", []byte(body.Text))
}

// TestOwnDigestComesBackQuietly: the daily digest sent to a watched mailbox comes back to
// mailbot, which recognises its own mail and records it without quarantine; a message that
// merely carries the loop header, not sent by mailbot, is still held for a person.
func TestOwnDigestComesBackQuietly(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Staff.Addresses = []string{staffOne}
		c.Digest.To = []string{CallCenter}
	})
	h.start()
	g := NewDigester(h.cfg, h.d.Store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	// Past digest.at the daemon's scheduler sends the day's digest itself at start; either way
	// exactly one digest goes out today.
	if _, err := g.Send(context.Background(), time.Now()); err != nil {
		t.Fatalf("digest: %v", err)
	}
	h.d.Sender.Kick()
	h.settle(1, 0)
	forged := "From: someone@evil.example\r\nTo: " + CallCenter + "\r\nSubject: Riepilogo\r\nMessage-ID: <forged@evil.example>\r\n" +
		parsers.LoopHeader + ": digest; \r\n\r\nniente\r\n"
	h.deliver(forged)
	h.settle(2, 0)
	q, err := h.d.Store.Quarantined(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].MessageID != "forged@evil.example" {
		t.Errorf("quarantined = %+v, want only the forged loop header", q)
	}
	if len(h.mail.DeliveredTo(staffOne)) != 0 {
		t.Errorf("staff were told of mailbot's own digest")
	}
}

// TestStaffCommandsMatchingNoTicketAreAnswered: a staff member's commands that name no ticket
// are not obeyed, and the staff member is told so (in Italian, without echoing values).
func TestStaffCommandsMatchingNoTicketAreAnswered(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Staff.Addresses = []string{staffOne} })
	h.start()
	h.deliver("From: " + staffOne + "\r\nTo: " + CallCenter + "\r\nSubject: Re: [INT-2026-09999] credenziali\r\nMessage-ID: <s1@regione.veneto.it>\r\n\r\n" +
		"#credenziali collaudo\r\ncodice_ipa: c_l736\r\npassword_mypay: Segreta-123\r\n")
	h.deliver("From: " + staffOne + "\r\nTo: " + CallCenter + "\r\nSubject: pranzo\r\nMessage-ID: <s2@regione.veneto.it>\r\n\r\nci vediamo alle 13\r\n")
	h.settle(2, 0)
	got := h.mail.DeliveredTo(staffOne)
	if len(got) != 1 {
		t.Fatalf("staff member got %d answers, want 1 (only the mail with commands)", len(got))
	}
	raw := string(got[0].Raw)
	env, _ := parsers.ReadEnvelope(strings.NewReader(raw))
	if !strings.Contains(env.Subject, "[INT-2026-09999]") || len(env.InReplyTo) != 1 || env.InReplyTo[0] != "s1@regione.veneto.it" {
		t.Errorf("answer subject %q, In-Reply-To %v", env.Subject, env.InReplyTo)
	}
	if strings.Contains(raw, "Segreta-123") {
		t.Errorf("the answer echoes a credential")
	}
	if len(h.tickets()) != 0 {
		t.Errorf("a ticket was opened")
	}
}

// TestGoldenStaffUnmatched renders the answer to staff commands that match no ticket.
func TestGoldenStaffUnmatched(t *testing.T) {
	body, err := templates.Render("staff_unmatched", unmatchedData{Subject: "Re: credenziali [INT-2026-09999]",
		Tags: []string{"INT-2026-09999"}, Lines: []string{"#credenziali collaudo", "#chiudi"}})
	if err != nil {
		t.Fatal(err)
	}
	date := time.Date(2026, 11, 26, 9, 12, 30, 0, time.FixedZone("CET", 3600))
	raw, err := render(outgoing{Kind: "staff_unmatched", To: []string{staffOne}, Subject: "Re: credenziali [INT-2026-09999]", Body: body,
		InReplyTo: "s1@regione.veneto.it"}, "Regione del Veneto - Integrazioni PagoPA <call.center@regione.veneto.it>", "fixed.id@regione.veneto.it", date)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "staff_unmatched.eml", normaliseMail(raw))
	golden(t, "staff_unmatched.txt", []byte(body.Text))
}
