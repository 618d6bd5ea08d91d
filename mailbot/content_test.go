package mailbot

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailbot/internal/pectest"
	"mailbot/ticketing"
)

func mailFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "mail", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPECRequestAndReceipt: a request inside a PEC envelope of a provider in the index opens a
// ticket for the real sender and is answered to them; the PEC receipt that refers to it joins
// the ticket unanswered.
func TestPECRequestAndReceipt(t *testing.T) {
	h := newHarness(t)
	const sender = "protocollo@pec.comune.esempio.it"
	h.mail.AddUser(sender)
	h.start()
	if _, _, err := ImportPECProviders(context.Background(), h.d.Store, pectest.LDIF(testPEC()), time.Now()); err != nil {
		t.Fatal(err)
	}
	// The fixture's request, in an envelope the test provider signs (the fixture's own
	// signature is no provider's).
	raw := string(mailFixture(t, "pec-posta-certificata.eml"))
	start := strings.Index(raw, "filename=\"postacert.eml\"\r\n\r\n") + len("filename=\"postacert.eml\"\r\n\r\n")
	env, err := testPEC().Envelope(sender, CallCenter, "Richiesta integrazione MyPay", raw[start:strings.Index(raw, "\r\n------MIXED-PEC--")], nil)
	if err != nil {
		t.Fatal(err)
	}
	h.mail.Deliver(CallCenter, []byte(env))
	h.settle(1, 0)
	tks := h.tickets()
	if len(tks) != 1 || tks[0].Requester != sender || !strings.Contains(tks[0].Subject, "Comune di Esempio") {
		t.Fatalf("tickets %+v", tks)
	}
	if got := h.sentTo(sender); len(got) != 1 {
		t.Fatalf("replies to the PEC sender: %q", got)
	}
	h.mail.Deliver(CallCenter, mailFixture(t, "pec-avvenuta-consegna.eml"))
	h.settle(2, 0)
	if tk := h.ticket(tks[0].ID); tk.Messages != 3 {
		t.Errorf("ticket messages %d, want request, ack and receipt", tk.Messages)
	}
	if got := len(h.mail.Delivered()); got != 1 {
		t.Errorf("mails sent %d, want only the ack", got)
	}
}

// TestUnreadableAndOversizeAreToldNotGuessed: a scan is flagged for a person and the referent is
// told; a message over the size limit is kept, quarantined, and its sender told in plain words.
func TestUnreadableAndOversizeAreToldNotGuessed(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Limits.MaxMessageSize = 20000 })
	h.start()
	jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0}, make([]byte, 2000)...)
	h.deliver(mimeMail("Referente <referente@comune.venezia.it>", CallCenter, "Richiesta con moduli scansionati", "scan@x",
		"In allegato i moduli firmati e scansionati.", nil, map[string][]byte{"informativa.jpg": jpeg}))
	h.settle(1, 0)
	tk := h.tickets()[0]
	if tk.FlagKind != ticketing.FlagUnreadable || !strings.Contains(tk.Flag, "informativa.jpg") {
		t.Errorf("flag %q, want the unreadable attachment named", tk.Flag)
	}
	if _, text := h.lastTo("referente@comune.venezia.it"); !strings.Contains(text, "informativa.jpg") || !strings.Contains(text, "non è leggibile") {
		t.Errorf("reply does not explain the unreadable attachment:\n%s", text)
	}

	h.deliver(mimeMail("Referente <referente@comune.padova.it>", CallCenter, "Moduli in alta risoluzione", "big@x",
		"Allegati.", nil, map[string][]byte{"scansione.pdf": make([]byte, 30000)}))
	h.settle(2, 0)
	q, _ := h.d.Store.Quarantined(context.Background())
	if len(q) != 1 || !strings.Contains(q[0].Quarantine, "over the limit") {
		t.Fatalf("quarantine %+v", q)
	}
	if subj, text := h.lastTo("referente@comune.padova.it"); !strings.Contains(text, "dimensione massima") {
		t.Errorf("oversize reply %q:\n%s", subj, text)
	}
	if n := len(h.tickets()); n != 1 {
		t.Errorf("tickets %d: an oversized message opens none", n)
	}
}
