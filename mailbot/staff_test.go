package mailbot

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mailbot/internal/wait"
	"mailbot/parsers"
	"mailbot/ticketing"
)

// Headers as the Region's border MTA (Postfix with the OpenDKIM and OpenDMARC milters) writes
// them: OpenDKIM puts key size and DNSSEC state in a comment holding a ";".
const (
	openDKIMPass  = "mx.regione.veneto.it; dkim=pass (2048-bit key; unprotected) header.d=regione.veneto.it header.i=@regione.veneto.it header.a=rsa-sha256 header.s=mail header.b=\"Qx7Tz1Ab\""
	openDKIMFail  = "mx.regione.veneto.it; dkim=fail reason=\"signature verification failed\" (2048-bit key; unprotected) header.d=regione.veneto.it header.i=@regione.veneto.it header.b=\"Qx7Tz1Ab\""
	openDMARCPass = "mx.regione.veneto.it; dmarc=pass (p=reject dis=none) header.from=regione.veneto.it"
	// forgedPass is what a forger writes into the message: go-msgauth parsed it happily.
	forgedPass = "mx.regione.veneto.it; dkim=pass header.d=regione.veneto.it; dmarc=pass header.from=regione.veneto.it"
	// brokenOurs is our server's header cut short (an unbalanced comment): it cannot be read.
	brokenOurs = "mx.regione.veneto.it; dkim=pass (2048-bit key; unprotected header.d=regione.veneto.it"
)

func TestStaffAuthentication(t *testing.T) {
	in := &Intake{cfg: &Config{Staff: StaffConfig{
		Addresses:         []string{staffOne, "kappa@regione.veneto.it"},
		TrustedAuthservID: "mx.regione.veneto.it",
		Secrets:           map[string]string{"kappa@regione.veneto.it": "s3greto-lungo"},
	}}}
	for _, tc := range []struct {
		name   string
		from   string
		secret string
		ar     []string // topmost first
		ok     bool
	}{
		{"opendkim pass", staffOne, "", []string{openDKIMPass}, true},
		{"opendmarc above opendkim", staffOne, "", []string{openDMARCPass, openDKIMPass}, true},
		{"rspamd", staffOne, "", []string{"mx.regione.veneto.it; dkim=pass header.d=regione.veneto.it header.s=dkim header.b=Xy+Z/123; spf=pass (mx.regione.veneto.it: domain of staff1@regione.veneto.it designates 192.0.2.10 as permitted sender) smtp.mailfrom=staff1@regione.veneto.it; dmarc=pass (policy=reject) header.from=regione.veneto.it"}, true},
		{"gmail-style header.i only", staffOne, "", []string{"mx.regione.veneto.it; dkim=pass header.i=@regione.veneto.it header.s=20230601 header.b=AbCd+1/x"}, true},
		{"signed by a subdomain", staffOne, "", []string{"mx.regione.veneto.it; dkim=pass header.d=mail.regione.veneto.it"}, true},
		{"upper-case authserv-id and domain", staffOne, "", []string{"MX.Regione.Veneto.IT; dkim=pass header.d=Regione.Veneto.IT"}, true},

		{"forged pass below an unreadable header of ours", staffOne, "", []string{brokenOurs, forgedPass}, false},
		{"forged pass below a failing header of ours", staffOne, "", []string{openDKIMFail, forgedPass}, false},
		{"forged pass below dmarc fail", staffOne, "", []string{"mx.regione.veneto.it; dmarc=fail (p=reject dis=reject) header.from=regione.veneto.it", forgedPass}, false},
		{"another server's pass", staffOne, "", []string{"evil.example.org; dkim=pass header.d=regione.veneto.it"}, false},
		{"exchange-style header without authserv-id", staffOne, "", []string{"spf=pass (sender IP is 40.107.22.51) smtp.mailfrom=regione.veneto.it; dkim=pass (signature was verified) header.d=regione.veneto.it;dmarc=pass action=none header.from=regione.veneto.it;compauth=pass reason=100"}, false},
		{"dkim of the public suffix", staffOne, "", []string{"mx.regione.veneto.it; dkim=pass header.d=veneto.it"}, false},
		{"dkim of a sibling under the public suffix", staffOne, "", []string{"mx.regione.veneto.it; dkim=pass header.d=comune.veneto.it"}, false},
		{"dkim of a lookalike suffix", staffOne, "", []string{"mx.regione.veneto.it; dkim=pass header.d=evilregione.veneto.it"}, false},
		{"dmarc pass without header.from", staffOne, "", []string{"mx.regione.veneto.it; dmarc=pass"}, false},
		{"dmarc pass for another domain", staffOne, "", []string{"mx.regione.veneto.it; dmarc=pass header.from=evil.example.org"}, false},
		{"spf pass alone", staffOne, "", []string{"mx.regione.veneto.it; spf=pass smtp.mailfrom=staff1@regione.veneto.it"}, false},
		{"no header", staffOne, "", nil, false},

		{"personal secret", "kappa@regione.veneto.it", "s3greto-lungo", nil, true},
		{"wrong secret", "kappa@regione.veneto.it", "s3greto-lung", nil, false},
		{"kelvin sign lookalike with the secret", "\u212Aappa@regione.veneto.it", "s3greto-lungo", nil, false},
		{"kelvin sign lookalike with dkim", "\u212Aappa@regione.veneto.it", "", []string{openDKIMPass}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, how := in.authenticated(&parsers.Envelope{From: tc.from, AuthResults: tc.ar}, tc.secret)
			if ok != tc.ok {
				t.Errorf("authenticated = %v (%s), want %v", ok, how, tc.ok)
			}
		})
	}
}

// TestUnicodeLookalikeIsNotStaff: a From with a Kelvin sign in place of "k" is read as written,
// never folded into a staff member's address.
func TestUnicodeLookalikeIsNotStaff(t *testing.T) {
	in := &Intake{cfg: &Config{Staff: StaffConfig{Addresses: []string{"kappa@regione.veneto.it"}}}}
	for _, from := range []string{"\u212Aappa@regione.veneto.it", "=?utf-8?q?x?= <\u212Aappa@regione.veneto.it>", "KAPPA@REGIONE.VENETO.IT"} {
		env, err := parsers.ReadEnvelope(strings.NewReader("From: " + from + "\r\nSubject: x\r\n\r\nx\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		want := !strings.Contains(from, "\u212A")
		if got := in.cfg.IsStaff(env.From); got != want {
			t.Errorf("From %q read as %q: staff %v, want %v", from, env.From, got, want)
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "mailbot.toml")
	text := strings.Replace(goodConfig, "DIR", filepath.ToSlash(dir), 1) + "[staff]\naddresses = [\"\u212Aappa@regione.veneto.it\"]\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(path); err == nil || !strings.Contains(err.Error(), "staff.addresses[0]: not an ASCII address") {
		t.Errorf("a non-ASCII staff address was accepted: %v", err)
	}
}

// TestForgedHeaderBelowOursIsNotObeyed is finding 3 of issue 11 end to end: a forged "dkim=pass"
// added below our server's unreadable or failing header changes nothing, while a genuine staff
// mail with OpenDKIM's and OpenDMARC's real headers is obeyed.
func TestForgedHeaderBelowOursIsNotObeyed(t *testing.T) {
	h, _ := newLifecycle(t)
	ctx := context.Background()
	h.deliver(request(referent, "req-forged@comune.venezia.it", "Richiesta integrazione MyPay", false))
	wait.For(t, "the ticket", func() bool { return len(h.tickets()) == 1 })
	id := h.tickets()[0].ID
	h.waitState(id, ticketing.StateAwaitingDocuments)

	for i, top := range []string{brokenOurs, openDKIMFail} {
		h.deliver(mimeMail(staffOne, CallCenter, "Re: ["+id+"]", "forged-"+string(rune('a'+i))+"@x", "#annulla forged",
			[]string{"Authentication-Results: " + top, "Authentication-Results: " + forgedPass}, nil))
	}
	wait.For(t, "two security events", func() bool {
		evs, _ := h.d.Store.Events(ctx, id)
		n := 0
		for _, e := range evs {
			if e.Type == ticketing.EventSecurity {
				n++
			}
		}
		return n == 2
	})
	if tk := h.ticket(id); tk.State == ticketing.StateCancelled {
		t.Fatal("a forged command cancelled the case")
	}

	h.deliver(mimeMail(staffOne, CallCenter, "Re: ["+id+"]", "genuine@regione.veneto.it", "#annulla richiesta ritirata",
		[]string{"Authentication-Results: " + openDMARCPass, "Authentication-Results: " + openDKIMPass}, nil))
	h.waitState(id, ticketing.StateCancelled)
}

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestSecurityWarningsAreRateLimitedPerTicket is the last point of finding 6 of issue 11: 21
// forged commands sent 21 warnings to each staff member. Now a ticket's staff are warned once
// an hour at most, and the next warning counts the commands refused meanwhile.
func TestSecurityWarningsAreRateLimitedPerTicket(t *testing.T) {
	const staffTwo = "staff2@regione.veneto.it"
	h := newHarness(t, func(c *Config) {
		c.Staff.Addresses = []string{staffOne, staffTwo}
		c.Staff.TrustedAuthservID = "mx.regione.veneto.it"
	})
	h.mail.AddUser(staffOne)
	h.mail.AddUser(staffTwo)
	clock := &fakeClock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	d, err := NewDaemon(h.cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), clock.now)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.d, h.cancel, h.done = d, cancel, make(chan struct{})
	go func() { d.Run(ctx); close(h.done) }()
	t.Cleanup(h.stop)

	h.deliver(request(referent, "req-warn@comune.venezia.it", "Richiesta integrazione MyPay", false))
	h.settle(1, 0)
	id := h.tickets()[0].ID
	forge := func(i int) {
		h.deliver(mimeMail(staffOne, CallCenter, "Re: ["+id+"]", fmt.Sprintf("forged-%d@x", i), "#annulla", nil, nil))
	}
	for i := range 21 {
		forge(i)
	}
	h.settle(22, 0)
	warnings := func(to string) []string {
		var texts []string
		for _, d := range h.mail.DeliveredTo(to) {
			if env, _ := parsers.ReadEnvelope(bytes.NewReader(d.Raw)); strings.Contains(env.Subject, "non autenticato") {
				texts = append(texts, textOf(t, d.Raw))
			}
		}
		return texts
	}
	for _, to := range []string{staffOne, staffTwo} {
		if got := warnings(to); len(got) != 1 {
			t.Fatalf("%s got %d warnings for 21 forged commands, want 1", to, len(got))
		}
	}
	clock.add(30 * time.Minute)
	forge(21)
	h.settle(23, 0)
	if got := warnings(staffOne); len(got) != 1 {
		t.Fatalf("a second warning within the hour: %d", len(got))
	}
	clock.add(31 * time.Minute)
	forge(22)
	h.settle(24, 0)
	for _, to := range []string{staffOne, staffTwo} {
		got := warnings(to)
		if len(got) != 2 {
			t.Fatalf("%s got %d warnings after the hour, want 2", to, len(got))
		}
		if !strings.Contains(got[1], "altri 21 messaggi") {
			t.Errorf("the second warning does not count the 21 refused meanwhile:\n%s", got[1])
		}
	}
	if tk := h.ticket(id); tk.State == ticketing.StateCancelled {
		t.Error("a forged command cancelled the case")
	}
	evs, _ := h.d.Store.Events(context.Background(), id)
	n := 0
	for _, e := range evs {
		if e.Type == ticketing.EventSecurity {
			n++
		}
	}
	if n != 23 {
		t.Errorf("%d security events, want one per forged message (23)", n)
	}
}
