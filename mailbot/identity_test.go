package mailbot

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"

	"mailbot/internal/pectest"
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
			proposed := proposedIPs(t, b.store, id)
			if c.moves {
				// The IPs wait for staff as a proposal (issue 19 item 4), enabled by nobody yet.
				if tk.State != ticketing.StateProductionSetup || len(ips[ticketing.EnvEsercizio]) != 0 || !slices.Contains(proposed, "203.0.113.66") {
					t.Errorf("state %s, IPs %v, proposed %v: the ordinary step was not taken", tk.State, ips, proposed)
				}
				if slices.Contains(b.mailTo(c.from), untrustedKind) {
					t.Errorf("a trusted sender was told a person will check")
				}
				return
			}
			if tk.State != ticketing.StateTesting || len(ips[ticketing.EnvEsercizio]) != 0 || len(proposed) != 0 {
				t.Errorf("state %s, production IPs %v, proposed %v: an untrusted message moved the case", tk.State, ips[ticketing.EnvEsercizio], proposed)
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

// TestStaffNoticesCappedPerCaseAndHour is finding 7 of issue 19: fifteen threaded out-of-office
// replies (no automatic-mail header) on one case made fifteen notices to staff. Now at most
// maxStaffNotices go out per case and hour; the rest are recorded, and the next notice counts them.
func TestStaffNoticesCappedPerCaseAndHour(t *testing.T) {
	b := newCaseBench(t)
	b.process(benchRequest("Referente <k.bianchi@comune.venezia.it>", "Richiesta integrazione"))
	tks, _ := b.store.Tickets(context.Background())
	id := tks[0].ID
	notices := func() []string {
		var out []string
		list, err := b.store.DueMail(context.Background(), b.clock.now().Add(time.Hour), 10000)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			if m.Kind == "staff_notice" {
				out = append(out, strings.Join(strings.Fields(textOf(t, m.Raw)), " "))
			}
		}
		return out
	}
	for i := range 15 {
		b.process(mimeMail("k.bianchi@comune.venezia.it", CallCenter, "Re: Richiesta integrazione ["+id+"]", fmt.Sprintf("ooo%d@x", i),
			"Sono fuori ufficio fino a lunedì.", nil, nil))
		b.clock.advance(time.Second)
	}
	if n := len(notices()); n != maxStaffNotices {
		t.Errorf("notices = %d, want %d within the hour", n, maxStaffNotices)
	}
	events, _ := b.store.Events(context.Background(), id)
	folded := 0
	for _, e := range events {
		if e.Type == ticketing.EventLimited && strings.HasPrefix(e.Text, foldedNotice) {
			folded++
		}
	}
	if folded != 15-maxStaffNotices {
		t.Errorf("folded notices recorded = %d, want %d", folded, 15-maxStaffNotices)
	}
	b.clock.advance(time.Hour)
	b.process(mimeMail("k.bianchi@comune.venezia.it", CallCenter, "Re: Richiesta integrazione ["+id+"]", "back@x", "Sono rientrata.", nil, nil))
	all := notices()
	if len(all) != maxStaffNotices+1 {
		t.Fatalf("notices = %d, want one more the next hour", len(all))
	}
	if want := fmt.Sprintf("altri %d avvisi non sono stati inviati", 15-maxStaffNotices); !strings.Contains(all[len(all)-1], want) {
		t.Errorf("the next notice does not count the folded ones (%q):\n%s", want, all[len(all)-1])
	}
}

// TestStaffNoticesHeldInOneBatchAreCounted: out-of-office replies fetched together are recorded
// in one transaction at one instant, the notices mailed and those held back alike; the next
// hour's notice still counts every one held back (it counted none: they bore the time of the
// last notice mailed).
func TestStaffNoticesHeldInOneBatchAreCounted(t *testing.T) {
	b := newCaseBench(t)
	b.process(benchRequest("Referente <k.bianchi@comune.venezia.it>", "Richiesta integrazione"))
	tks, _ := b.store.Tickets(context.Background())
	id := tks[0].ID
	var batch []Prepared
	for i := range 15 {
		raw := mimeMail("k.bianchi@comune.venezia.it", CallCenter, "Re: Richiesta integrazione ["+id+"]", fmt.Sprintf("ooo%d@x", i),
			"Sono fuori ufficio fino a lunedì.", nil, nil)
		sum, err := b.store.PutBlob([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		b.uid++
		batch = append(batch, b.in.Prepare(Incoming{Mailbox: "callcenter", UIDValidity: 1, UID: b.uid, Blob: sum, Size: int64(len(raw))}))
	}
	if err := b.in.RecordBatch(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	b.clock.advance(time.Hour)
	b.process(mimeMail("k.bianchi@comune.venezia.it", CallCenter, "Re: Richiesta integrazione ["+id+"]", "back@x", "Sono rientrata.", nil, nil))
	due, err := b.store.DueMail(context.Background(), b.clock.now().Add(time.Hour), 10000)
	if err != nil {
		t.Fatal(err)
	}
	var notices []string
	for _, m := range due {
		if m.Kind == "staff_notice" {
			notices = append(notices, strings.Join(strings.Fields(textOf(t, m.Raw)), " "))
		}
	}
	if len(notices) != maxStaffNotices+1 {
		t.Fatalf("notices = %d, want %d and one the next hour", len(notices), maxStaffNotices+1)
	}
	if want := fmt.Sprintf("altri %d avvisi non sono stati inviati", 15-maxStaffNotices); !strings.Contains(notices[len(notices)-1], want) {
		t.Errorf("the next notice does not count the held ones (%q):\n%s", want, notices[len(notices)-1])
	}
}

// worstMail is the message of finding 5 of issue 19: 150 junk attachments, each named with a
// phishing sentence wrapped in a right-to-left override and a NUL (RFC 2231, as a client would
// encode them), a 62 KB subject, a 60 KB Message-ID and 500 References, one of them 60 KB.
func worstMail(from, subject string, headers ...string) string {
	var b strings.Builder
	refs := make([]string, 0, 501)
	for i := range 500 {
		refs = append(refs, fmt.Sprintf("<ref%d.%s@evil.example>", i, strings.Repeat("r", 80)))
	}
	refs = append(refs, "<"+strings.Repeat("h", 60<<10)+"@evil.example>")
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@evil.example>\r\nReferences: %s\r\nMIME-Version: 1.0\r\n",
		from, CallCenter, subject, strings.Repeat("m", 60<<10), strings.Join(refs, "\r\n "))
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nVedi allegati.\r\n")
	for i := range 150 {
		name := fmt.Sprintf("%%E2%%80%%AE%s%%00%d.png", strings.Repeat("URGENTE%20aggiornate%20l%27IBAN%20su%20phish.example%2Flogin%20", 3), i)
		fmt.Fprintf(&b, "--XX\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename*=utf-8''%s\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n", name)
	}
	b.WriteString("--XX--\r\n")
	return b.String()
}

// TestEchoNothingUnbounded is finding 5 of issue 19: every mail mailbot writes about the worst
// message (the reply to its sender, the acknowledgement of an untrusted one, the staff notice,
// the notice of a stranger on a case, the security warning of a forged staff mail, the digest)
// repeats its text a bounded number of times, without control or bidi characters, with
// References of at most 10 well-formed ids and never its huge Message-ID.
func TestEchoNothingUnbounded(t *testing.T) {
	const sentence = "phish.example"
	subject := "Richiesta " + strings.Repeat("phish.example ", 62<<10/14)
	b := newCaseBench(t, func(cfg *Config) {
		cfg.Staff.TrustedAuthservID = "mx.regione.veneto.it"
		cfg.Digest.To = []string{staffOne}
	})
	b.process(worstMail("Mario <mario@comune.example.it>", subject))
	tks, _ := b.store.Tickets(context.Background())
	if len(tks) != 1 {
		t.Fatalf("tickets = %d", len(tks))
	}
	id := tks[0].ID
	b.clock.advance(time.Minute)
	b.process(worstMail("stranger@evil.example", "Re: ["+id+"] "+subject))
	b.clock.advance(time.Minute)
	b.process(worstMail("mario@comune.example.it", "Re: ["+id+"] "+subject,
		"Authentication-Results: mx.regione.veneto.it; dmarc=fail header.from=comune.example.it"))
	b.clock.advance(time.Minute)
	b.process(strings.Replace(worstMail(staffOne, "Re: ["+id+"] "+subject), "Vedi allegati.", "#annulla prova", 1))
	if _, err := NewDigester(b.in.cfg, b.store, b.in.log).Send(context.Background(), b.clock.now()); err != nil {
		t.Fatal(err)
	}
	due, err := b.store.DueMail(context.Background(), b.clock.now().Add(time.Hour), 10000)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, m := range due {
		kinds[m.Kind] = true
		raw := string(m.Raw)
		head, body, _ := strings.Cut(raw, "\r\n\r\n")
		if len(head) > 8<<10 {
			t.Errorf("%s: header of %d bytes", m.Kind, len(head))
		}
		if strings.Contains(head, strings.Repeat("m", 300)) || strings.Contains(head, strings.Repeat("h", 300)) {
			t.Errorf("%s: the huge Message-ID is repeated", m.Kind)
		}
		if refs := strings.Count(headerValue(head, "References"), "<"); refs > maxThreadRefs {
			t.Errorf("%s: %d References", m.Kind, refs)
		}
		text := textOf(t, m.Raw)
		if n := strings.Count(text, sentence); n > 3*(maxEchoList+2) {
			t.Errorf("%s: the sender's sentence repeated %d times in the text", m.Kind, n)
		}
		if strings.ContainsAny(text, "\u202e\x00") {
			t.Errorf("%s: a bidi override or NUL reached the text", m.Kind)
		}
		if m.Kind != "ack" && m.Kind != "docs_missing" && len(body) > 64<<10 {
			t.Errorf("%s: %d bytes", m.Kind, len(body))
		}
	}
	for _, k := range []string{"ack", untrustedKind, "staff_notice", senderUnknownKind, "security_warning", "digest"} {
		if !kinds[k] {
			t.Errorf("no %s mail was written: the test does not cover it (%v)", k, kinds)
		}
	}
}

// headerValue is the unfolded value of the first header field called name in head.
func headerValue(head, name string) string {
	for _, f := range strings.Split(strings.ReplaceAll(head, "\r\n ", " "), "\r\n") {
		if k, v, ok := strings.Cut(f, ":"); ok && strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// TestQuotedCommandNeverRuns is finding 6 of issue 19: a staff member's HTML-only reply with
// #nota on top and, in a blockquote without an attribution line, a referent's text holding
// #annulla, records the note and cancels nothing.
func TestQuotedCommandNeverRuns(t *testing.T) {
	b := newCaseBench(t, func(cfg *Config) { cfg.Staff.Secrets = map[string]string{staffOne: "C0dice-Segreto"} })
	id := b.openCase("k.bianchi@comune.venezia.it", ticketing.StateTesting)
	html := "<html><body><div>#codice C0dice-Segreto<br>#nota sentito il referente</div>" +
		"<blockquote style=\"margin:0 0 0 .8ex\">#annulla non ci interessa più<br>Mario</blockquote></body></html>"
	b.process(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: [%s]\r\nMessage-ID: <html-staff@regione.veneto.it>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/html; charset=utf-8\r\n\r\n%s\r\n", staffOne, CallCenter, id, html))
	tk, err := b.store.Ticket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if tk.State != ticketing.StateTesting {
		t.Errorf("state %s: a quoted #annulla ran", tk.State)
	}
	if !hasEvent(t, b.store, id, ticketing.EventNote) {
		t.Errorf("the staff member's own #nota was not recorded")
	}
}

// TestQuotedCredentialsAreMasked is finding 8 of issue 19: a referent who answers the
// credentials mail quoting it (plain "> " lines, or an HTML blockquote) would store the
// password in their own message. mailbot keeps only keyed hashes of the passwords it sent, and
// the stored copy of such a reply has them masked; the hash table never holds a value.
func TestQuotedCredentialsAreMasked(t *testing.T) {
	const pw, pw2 = "Segreta-MyPay9", "Pivot!2026xy"
	referent := "k.bianchi@comune.venezia.it"
	b := newCaseBench(t)
	id := b.openCase(referent, ticketing.StateTestSetup)
	if _, err := b.in.Apply(context.Background(), id, "credenziali", "collaudo",
		map[string]string{"codice_ipa": "c_l736", "password_mypay": pw, "password_mypivot": pw2}, "cli:test"); err != nil {
		t.Fatal(err)
	}
	b.process(mimeMail(referent, CallCenter, "Re: Credenziali di collaudo ["+id+"]", "quote@comune.venezia.it",
		"Grazie, ricevute.\n\nIl 26/11/2026 10:00, Call Center ha scritto:\n> password_mypay: "+pw+"\n> password_mypivot:"+pw2+".", nil, nil))
	b.process(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: Credenziali [%s]\r\nMessage-ID: <quote-html@comune.venezia.it>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/html; charset=utf-8\r\n\r\n<p>Ok</p><blockquote>Password MyPay: <b>%s</b></blockquote>\r\n", referent, CallCenter, id, pw))
	var stored []string
	filepath.Walk(filepath.Join(b.in.cfg.DataDir, "messages"), func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			data, _ := os.ReadFile(path)
			stored = append(stored, string(data))
		}
		return nil
	})
	masked := 0
	for _, s := range stored {
		if strings.Contains(s, pw) || strings.Contains(s, pw2) {
			t.Errorf("a stored message holds a password:\n%s", s)
		}
		if strings.Contains(s, "X-Mailbot-Redacted") {
			masked++
		}
	}
	if masked != 2 {
		t.Errorf("%d masked copies, want the two replies", masked)
	}
	if err := b.store.Update(context.Background(), func(tx *ticketing.Tx) error {
		hashes, err := tx.SecretHashes(id)
		if len(hashes) != 2 || slices.Contains(hashes, pw) {
			t.Errorf("hashes %v", hashes)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// testPEC is the PEC provider of the tests' index of providers.
var testPEC = sync.OnceValue(func() *pectest.Provider {
	p, err := pectest.NewProvider("Gestore PEC di prova S.p.A.", time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	return p
})

// TestPECEnvelopesAreVerified is finding 3 of issue 19 for PEC: an envelope counts for its
// certified sender only when the provider's signature verifies over it and the provider is in
// the imported index, and daticert.xml's sender, the envelope's "Per conto di" and the inner
// From agree. Anything else is ordinary mail from the envelope's outer From (the provider's
// address), which no case names.
func TestPECEnvelopesAreVerified(t *testing.T) {
	const (
		pec     = "protocollo@pec.comune.venezia.it"
		results = "Esiti dei test: positivo. Chiediamo l'attivazione in esercizio.\nIP: 203.0.113.66"
	)
	stranger, err := pectest.NewProvider("Gestore Fasullo", time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	sha1, err := pectest.NewProvider(testPEC().Name, now)
	if err != nil {
		t.Fatal(err)
	}
	sha1.Digest = pkcs7.OIDDigestAlgorithmSHA1
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	small, err := pectest.NewProviderWith(testPEC().Name, rsaKey, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	expired, err := pectest.NewProviderWith(testPEC().Name, p256, now.AddDate(-3, 0, 0), now.AddDate(0, 0, -1))
	if err != nil {
		t.Fatal(err)
	}
	inner := func(from, id string) string {
		return mimeMail(from, CallCenter, "Re: Credenziali ["+id+"]", fmt.Sprintf("in%d@pec", time.Now().UnixNano()), results, nil, nil)
	}
	cases := []struct {
		name  string
		env   func(id string) (string, error)
		index bool
		moves bool
	}{
		{"genuine", func(id string) (string, error) {
			return testPEC().Envelope(pec, CallCenter, "Re: ["+id+"]", inner(pec, id), nil)
		}, true, true},
		{"genuine, content altered after signing", func(id string) (string, error) {
			return testPEC().Envelope(pec, CallCenter, "Re: ["+id+"]", inner(pec, id), func(s string) string {
				return strings.Replace(s, "203.0.113.66", "198.51.100.99", 1)
			})
		}, true, false},
		{"signed by a provider not in the index", func(id string) (string, error) {
			return stranger.Envelope(pec, CallCenter, "Re: ["+id+"]", inner(pec, id), nil)
		}, true, false},
		{"genuine, but no index imported", func(id string) (string, error) {
			return testPEC().Envelope(pec, CallCenter, "Re: ["+id+"]", inner(pec, id), nil)
		}, false, false},
		{"inner From not the certified sender", func(id string) (string, error) {
			return testPEC().Envelope(pec, CallCenter, "Re: ["+id+"]", inner("altro@pec.example.it", id), nil)
		}, true, false},
		// What a verified provider signature is (README): each of these is signed by a certificate
		// of the index, over the envelope as sent.
		{"signed with SHA-1", func(id string) (string, error) {
			return sha1.Envelope(pec, CallCenter, "Re: ["+id+"]", inner(pec, id), nil)
		}, true, false},
		{"signed with a 1024-bit RSA key", func(id string) (string, error) {
			return small.Envelope(pec, CallCenter, "Re: ["+id+"]", inner(pec, id), nil)
		}, true, false},
		{"signed by a certificate expired the day before", func(id string) (string, error) {
			return expired.Envelope(pec, CallCenter, "Re: ["+id+"]", inner(pec, id), nil)
		}, true, false},
		{"genuine, but certified as sent to someone else and resent to us", func(id string) (string, error) {
			return testPEC().Envelope(pec, "cittadino@pec.example.it", "Re: ["+id+"]", inner(pec, id), nil)
		}, true, false},
		{"envelope's Per conto di not the certified sender", func(id string) (string, error) {
			raw, err := testPEC().Envelope(pec, CallCenter, "Re: ["+id+"]", inner(pec, id), nil)
			return strings.Replace(raw, "Per conto di: "+pec, "Per conto di: altro@pec.example.it", 1), err
		}, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newCaseBench(t)
			if _, _, err := ImportPECProviders(context.Background(), b.store, pectest.LDIF(testPEC(), sha1, small, expired), b.clock.now()); err != nil {
				t.Fatal(err)
			}
			if !c.index {
				if err := b.store.ImportPECProviders(context.Background(), nil, b.clock.now()); err != nil {
					t.Fatal(err)
				}
			}
			id := b.openCase("k.bianchi@comune.venezia.it", ticketing.StateTesting)
			raw, err := c.env(id)
			if err != nil {
				t.Fatal(err)
			}
			b.process(raw)
			tk, _ := b.store.Ticket(context.Background(), id)
			ips, _ := b.store.IPs(context.Background(), id)
			moved := tk.State == ticketing.StateProductionSetup
			if moved != c.moves {
				t.Errorf("state %s, IPs %v: moved %v, want %v", tk.State, ips[ticketing.EnvEsercizio], moved, c.moves)
			}
			if slices.Contains(ips[ticketing.EnvEsercizio], "198.51.100.99") {
				t.Errorf("the altered IP was recorded")
			}
			if !c.moves && len(b.mailTo(pec)) != 0 {
				t.Errorf("the certified sender of an unverified envelope was answered: %v", b.mailTo(pec))
			}
		})
	}
}

// TestPECProviderIndex: the index is read as AgID publishes it (LDIF, folded lines, base64
// certificates), and a file that is not one is refused without touching the stored index.
func TestPECProviderIndex(t *testing.T) {
	b := newCaseBench(t)
	other, err := pectest.NewProvider("Altro Gestore", b.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	n, certs, err := ImportPECProviders(context.Background(), b.store, pectest.LDIF(testPEC(), other), b.clock.now())
	if err != nil || n != 2 || certs != 2 {
		t.Fatalf("imported %d providers, %d certificates, %v", n, certs, err)
	}
	for _, bad := range []string{"", "dn: o=x\nproviderName: x\n", "dn: o=x\nproviderCertificate:: bm90IGEgY2VydA==\n", "Codice_IPA,Denominazione\n"} {
		if _, _, err := ImportPECProviders(context.Background(), b.store, []byte(bad), b.clock.now()); err == nil {
			t.Errorf("index %q accepted", bad)
		}
	}
	if got, _ := b.store.PECCertificates(context.Background()); len(got) != 2 {
		t.Errorf("%d certificates stored after refused imports, want the 2 of the last good one", len(got))
	}
}
