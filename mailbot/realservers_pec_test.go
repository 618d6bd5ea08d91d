package mailbot

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"

	"mailbot/internal/formgen"
	"mailbot/internal/mailtest"
	"mailbot/internal/pectest"
	"mailbot/internal/wait"
	"mailbot/parsers"
	"mailbot/ticketing"
)

// TestRealServersPECEnvelopes is issue 19's finding on PEC envelopes through real Postfix and
// Dovecot. A case in testing names the ente's PEC (a real mailbox here); the index of PEC
// providers lists two providers. Five envelopes reporting passed tests with a caller IP move
// nothing and reach the ente's PEC with nothing: a hand-made one (daticert.xml naming the
// ente's PEC, smime.p7s signed by a self-signed certificate bearing the provider's name), a
// genuine one altered after signing, a genuine one of another PEC account whose inner
// message claims the ente's PEC as its From, one of a provider of the index signing with
// SHA-1, and a genuine one the ente sent to someone else, resent to us. Then a genuine envelope of the ente's PEC moves
// the case, and its answer reaches the ente's PEC.
func TestRealServersPECEnvelopes(t *testing.T) {
	const (
		referent = "referente@comune.venezia.it"
		pec      = "referente+pec@comune.venezia.it" // delivered to the referent's INBOX, told apart by its To
		outer    = "posta-certificata@pec.example.it"
		results  = "Esiti dei test: positivo. Chiediamo l'attivazione in esercizio.\nIP: 203.0.113.66"
	)
	d, imapAddr, smtpAddr, _ := realDaemon(t, []string{referent, staffOne}, nil, func(c *Config) {
		c.Staff = StaffConfig{Addresses: []string{staffOne}}
		c.Mailboxes = c.Mailboxes[:1]
	})
	ctx := context.Background()
	h := &harness{t: t, d: d}
	provider, err := pectest.NewProvider("Gestore PEC di prova S.p.A.", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	forger, err := pectest.NewSelfSigned(provider.Name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// A provider of the index still signing with SHA-1, whose signatures a forger able to make
	// SHA-1 collisions could reuse: its envelopes are not believed.
	weak, err := pectest.NewProvider("Gestore PEC SHA-1 S.p.A.", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	weak.Digest = pkcs7.OIDDigestAlgorithmSHA1
	// What `mailbot pec import` does with AgID's file.
	if _, _, err := ImportPECProviders(ctx, d.Store, pectest.LDIF(provider, weak), time.Now()); err != nil {
		t.Fatal(err)
	}

	values := maps.Clone(formgen.Fixtures()[0].Values)
	values["ente.pec"] = pec
	informativa, err := formgen.Fill(parsers.FormInformativaGenerale, formgen.FormatDOCX, values)
	if err != nil {
		t.Fatal(err)
	}
	run := fmt.Sprint(time.Now().UnixNano())
	req := mimeMail("Referente <"+referent+">", CallCenter, "Richiesta integrazione MyPay e MyPivot", "req."+run+"@comune.venezia.it",
		"In allegato i moduli.", nil, map[string][]byte{"informativa.docx": informativa,
			"qep.xlsx": fixture(t, "qualificazione_ente_prodotto_venezia.xlsx")})
	id := realCaseInTesting(h, smtpAddr, referent, []string{CallCenter}, req)
	toPEC := func() int {
		n := 0
		for _, raw := range mailtest.WaitMessages(t, imapAddr, referent, 0, time.Second) {
			if env, _ := parsers.ReadEnvelope(bytes.NewReader(raw)); env != nil && slices.Contains(env.To, pec) {
				n++
			}
		}
		return n
	}
	inner := func(from string) string {
		return mimeMail(from, CallCenter, "Re: Credenziali di collaudo ["+id+"]", fmt.Sprintf("in.%d@pec.example.it", time.Now().UnixNano()), results, nil, nil)
	}
	subject := "Re: Credenziali di collaudo [" + id + "]"
	copies := 1
	send := func(raw string, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		mailtest.Send(t, smtpAddr, outer, []string{CallCenter}, []byte(raw))
		copies++
		if err := d.Store.WaitQuiet(ctx, map[string]int{"callcenter": copies}, 20*time.Second); err != nil {
			t.Fatal(err)
		}
	}

	for _, c := range []struct {
		name string
		raw  func() (string, error)
	}{
		{"hand-made, self-signed", func() (string, error) { return forger.Envelope(pec, CallCenter, subject, inner(pec), nil) }},
		{"genuine, altered after signing", func() (string, error) {
			return provider.Envelope(pec, CallCenter, subject, inner(pec), func(s string) string {
				return strings.Replace(s, "203.0.113.66", "198.51.100.99", 1)
			})
		}},
		{"genuine, of another PEC account, inner From the ente's PEC", func() (string, error) {
			return provider.Envelope("attaccante@pec.example.it", CallCenter, subject, inner(pec), nil)
		}},
		{"of a provider of the index, signed with SHA-1", func() (string, error) {
			return weak.Envelope(pec, CallCenter, subject, inner(pec), nil)
		}},
		{"genuine, sent by the ente to someone else and resent to us", func() (string, error) {
			return provider.Envelope(pec, "cittadino@pec.example.it", subject, inner(pec), nil)
		}},
	} {
		send(c.raw())
		if tk := h.ticket(id); tk.State != ticketing.StateTesting {
			t.Fatalf("%s: the envelope moved the case to %s", c.name, tk.State)
		}
		ips, err := d.Store.IPs(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for env, list := range ips {
			if slices.Contains(list, "203.0.113.66") || slices.Contains(list, "198.51.100.99") {
				t.Errorf("%s: its IP was recorded for %s: %v", c.name, env, list)
			}
		}
	}
	notice := false
	for _, raw := range mailtest.WaitMessages(t, imapAddr, staffOne, 2, 20*time.Second) {
		if env, _ := parsers.ReadEnvelope(bytes.NewReader(raw)); env != nil && strings.Contains(env.Subject, "mittente non presente nella pratica") {
			notice = true
		}
	}
	if !notice {
		t.Error("staff got no notice of a sender not on the case")
	}
	wait.For(t, "the outbox drained", func() bool { _, pending, _ := d.Store.NextDue(ctx); return !pending })
	if n := toPEC(); n != 0 {
		t.Errorf("the ente's PEC got %d mails after unverified envelopes, want none", n)
	}

	send(provider.Envelope(pec, CallCenter, subject, inner(pec), nil))
	h.waitState(id, ticketing.StateProductionSetup)
	wait.For(t, "the answer to the ente's PEC", func() bool { return toPEC() == 1 })
}
