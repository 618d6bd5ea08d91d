package mailbot

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"mailbot/internal/mailtest"
	"mailbot/internal/wait"
	"mailbot/parsers"
)

// TestRealServersEchoBounded is issue 19's finding 5 through real Postfix and Dovecot: a
// request with 150 junk attachments named with a phishing sentence (a right-to-left override
// and a NUL in each name), a Reply-To of a victim, a 60 KB Message-ID and 500 References made
// a 663 KB mail from the Region's address repeating the sentence 3,600 times, and a 160 KB
// header. Now the answer goes to the From only and is small; the names it lists are cut and
// stripped, the list cut with a count of the rest; its header carries at most 10 References of
// at most 250 bytes and a Message-ID of ours. What staff get (the notice, the digest) is
// bounded the same way.
func TestRealServersEchoBounded(t *testing.T) {
	const (
		attacker = "referente@comune.padova.it"
		victim   = "referente@comune.venezia.it"
		sentence = "phish.example"
	)
	d, imapAddr, smtpAddr, _ := realDaemon(t, []string{attacker, victim, staffOne}, nil, func(c *Config) {
		c.Staff = StaffConfig{Addresses: []string{staffOne}}
		c.Digest.To = []string{staffOne}
		// Not at the daemon's start (past 08:00 it sends the day's digest, empty): the test
		// sends it once the case is open.
		c.Digest.At = "23:59"
		c.Mailboxes = c.Mailboxes[:1]
	})
	ctx := context.Background()
	// Postfix keeps at most header_size_limit (100 KB) of one header: the References stay
	// under it without worstMail's 60 KB id, which the in-process test covers.
	huge := "\r\n <" + strings.Repeat("h", 60<<10) + "@evil.example>"
	raw := strings.Replace(worstMail("Attaccante <"+attacker+">", "Richiesta integrazione MyPay", "Reply-To: "+victim), huge, "", 1)
	// Names of about 340 characters, with no "/" that would leave only the last part of them.
	raw = strings.ReplaceAll(raw, "%2Flogin%20", "%20login%20URGENTE%20aggiornate%20l%27IBAN%20su%20phish.example%20login%20")
	mailtest.Send(t, smtpAddr, attacker, []string{CallCenter}, []byte(raw))
	if err := d.Store.WaitQuiet(ctx, map[string]int{"callcenter": 1}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	wait.For(t, "the outbox drained", func() bool { _, pending, _ := d.Store.NextDue(ctx); return !pending })

	replies := mailtest.WaitMessages(t, imapAddr, attacker, 1, 20*time.Second)
	if len(replies) != 1 {
		t.Fatalf("the From got %d replies, want 1", len(replies))
	}
	if n := len(mailtest.WaitMessages(t, imapAddr, victim, 0, time.Second)); n != 0 {
		t.Errorf("the Reply-To (a victim) got %d mails, want none", n)
	}
	reply := replies[0]
	// The answer carries the blank forms (about 90 KB); its text is what it echoes.
	if len(reply) > 150<<10 {
		t.Errorf("the reply is %d bytes", len(reply))
	}
	checkEcho(t, "reply", reply, sentence, true)
	// The morning digest lists the case and what waits for a person on it.
	if sent, err := NewDigester(d.Cfg, d.Store, slog.New(slog.DiscardHandler)).Send(ctx, time.Now()); err != nil || !sent {
		t.Fatalf("digest sent %v, %v", sent, err)
	}
	notices := mailtest.WaitMessages(t, imapAddr, staffOne, 2, 20*time.Second)
	if len(notices) != 2 {
		t.Errorf("staff got %d mails, want the notice of the new case and the digest", len(notices))
	}
	for _, raw := range notices {
		if len(raw) > 64<<10 {
			t.Errorf("a mail to staff of %d bytes", len(raw))
		}
		checkEcho(t, "staff's mail", raw, sentence, false)
	}
}

// checkEcho checks what a mail delivered by the real servers repeats of the worst message
// (worstMail): a header of ours, bounded; no bidi override or NUL; the phishing sentence a
// bounded number of times, each attachment name cut; and, when listed is set, the list of its
// 150 names cut with a count of the rest.
func checkEcho(t *testing.T, what string, raw []byte, sentence string, listed bool) {
	t.Helper()
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	env, err := parsers.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(head) > 8<<10 {
		t.Errorf("%s: header of %d bytes", what, len(head))
	}
	if strings.Contains(head, strings.Repeat("m", 300)) || !strings.HasSuffix(env.MessageID, "@regione.veneto.it") {
		t.Errorf("%s: Message-ID %.80q, In-Reply-To %.80q: the huge Message-ID is carried", what, env.MessageID, env.InReplyTo)
	}
	refs := strings.Fields(headerValue(head, "References"))
	if len(refs) > maxThreadRefs {
		t.Errorf("%s: %d References, want at most %d", what, len(refs), maxThreadRefs)
	}
	for _, r := range refs {
		if len(r) > 250 {
			t.Errorf("%s: a Reference of %d bytes", what, len(r))
		}
	}
	text := textOf(t, raw)
	if len(text) > 16<<10 {
		t.Errorf("%s: a text of %d bytes", what, len(text))
	}
	if strings.ContainsAny(text, "\u202e\x00") {
		t.Errorf("%s: a bidi override or NUL reached the text", what)
	}
	// A name holds the sentence 6 times; cut to maxEcho characters, at most 4.
	if n := strings.Count(text, sentence); n > 4*(maxEchoList+2) {
		t.Errorf("%s: the sender's sentence repeated %d times", what, n)
	}
	names := 0
	for _, line := range strings.Split(text, "\n") {
		if !strings.Contains(line, "URGENTE") {
			continue
		}
		names++
		if n := strings.Count(line, sentence); n > 4 || !strings.Contains(line, "…") {
			t.Errorf("%s: a name not cut (%d times the sentence): %.120q", what, n, line)
		}
	}
	if listed && (names == 0 || names > maxEchoList || !strings.Contains(text, "altri 130 ")) {
		t.Errorf("%s: %d names listed, want at most %d and a count of the rest:\n%s", what, names, maxEchoList, text)
	}
}
