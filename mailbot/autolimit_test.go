package mailbot

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"mailbot/mailaddr"
	"mailbot/parsers"
	"mailbot/ticketing"
)

// sent is one automatic mail in the outbox, as its recipient would read it.
type sent struct {
	to, subject, text string
	attachments       int
	size              int
}

// autoMail returns the automatic replies queued so far, oldest first.
func (b *caseBench) autoMail() []sent {
	b.t.Helper()
	due, err := b.store.DueMail(context.Background(), b.clock.now().Add(time.Hour), 10000)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []sent
	for _, m := range due {
		if m.Kind != "ack" && m.Kind != "docs_missing" {
			continue
		}
		s := sent{to: strings.Join(m.Rcpts, ","), size: len(m.Raw), text: strings.ReplaceAll(textOf(b.t, m.Raw), "\r\n", "\n")}
		env, err := parsers.ReadEnvelope(bytes.NewReader(m.Raw))
		if err != nil {
			b.t.Fatal(err)
		}
		s.subject = env.Subject
		r, err := mail.CreateReader(bytes.NewReader(m.Raw))
		if err != nil {
			b.t.Fatal(err)
		}
		for {
			p, err := r.NextPart()
			if err != nil {
				break
			}
			if _, ok := p.Header.(*mail.AttachmentHeader); ok {
				s.attachments++
			}
		}
		out = append(out, s)
	}
	return out
}

// request builds a request without forms (its answer carries the blank forms).
func benchRequest(from, subject string, headers ...string) string {
	return mimeMail(from, CallCenter, subject, fmt.Sprintf("r%d@x", time.Now().UnixNano()), "Chiediamo l'integrazione con MyPay.", headers, nil)
}

// TestAutomaticMailCaps: automatic replies are limited per recipient (an address counted
// without its +extension and case), and per hour overall and per domain of the sender or of the
// recipient; a reply over an hourly cap is not sent but held for staff (an event and a flag).
func TestAutomaticMailCaps(t *testing.T) {
	cases := []struct {
		name    string
		limits  func(*RateLimitConfig)
		senders []string // From, or "From|Reply-To"
		sent    int      // replies queued
		held    int      // replies held for staff (hourly caps)
	}{
		{"per recipient: +extensions and case count as one address", func(r *RateLimitConfig) { r.PerWindow = 3 },
			[]string{"ref+1@comune.example.it", "REF+2@comune.example.it", "ref@Comune.Example.IT", "ref+4@comune.example.it", "ref+5@comune.example.it"}, 3, 0},
		{"overall per hour", func(r *RateLimitConfig) { r.PerHour = 3 },
			[]string{"a@one.example", "b@two.example", "c@three.example", "d@four.example", "e@five.example"}, 3, 2},
		{"per sender domain per hour", func(r *RateLimitConfig) { r.PerDomainPerHour = 2 },
			[]string{"a@spam.example", "b@spam.example", "c@spam.example", "d@comune.example.it"}, 3, 1},
		{"a Reply-To never chooses the recipient", func(r *RateLimitConfig) { r.PerDomainPerHour = 2 },
			[]string{"a@one.example|v1@victim.example", "b@two.example|v2@victim.example", "c@three.example|v3@victim.example"}, 3, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newCaseBench(t, func(cfg *Config) { c.limits(&cfg.RateLimit) })
			for i, s := range c.senders {
				from, replyTo, _ := strings.Cut(s, "|")
				var h []string
				if replyTo != "" {
					h = append(h, "Reply-To: "+replyTo)
				}
				b.process(benchRequest(from, fmt.Sprintf("Richiesta %d", i), h...))
				b.clock.advance(time.Second)
			}
			if got := len(b.autoMail()); got != c.sent {
				t.Errorf("replies queued = %d, want %d", got, c.sent)
			}
			tks, err := b.store.Tickets(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(tks) != len(c.senders) {
				t.Fatalf("tickets = %d, want %d: limits hold replies, not tickets", len(tks), len(c.senders))
			}
			held := 0
			for _, tk := range tks {
				if tk.FlagKind == ticketing.FlagHeld {
					held++
					if !hasEvent(t, b.store, tk.ID, ticketing.EventLimited) {
						t.Errorf("%s flagged without a %s event", tk.ID, ticketing.EventLimited)
					}
				}
			}
			if held != c.held {
				t.Errorf("cases held for staff = %d, want %d", held, c.held)
			}
		})
	}
}

// TestHourlyCapsReopenAfterAnHour: an hourly cap counts the last hour, not forever.
func TestHourlyCapsReopenAfterAnHour(t *testing.T) {
	b := newCaseBench(t, func(cfg *Config) { cfg.RateLimit.PerHour = 2 })
	for i := range 3 {
		b.process(benchRequest(fmt.Sprintf("r%d@d%d.example", i, i), "Richiesta"))
	}
	b.clock.advance(time.Hour + time.Second)
	b.process(benchRequest("late@late.example", "Richiesta"))
	if got := len(b.autoMail()); got != 3 {
		t.Errorf("replies = %d, want 2 then 1 an hour later", got)
	}
}

// TestHourlyCapsAtTheWindowEdge: a cap counts the replies of the hour that ends now, to the
// nanosecond: a reply an hour old exactly has left it, one a nanosecond younger has not. No
// instant lets one reply more through than the cap.
func TestHourlyCapsAtTheWindowEdge(t *testing.T) {
	for _, c := range []struct {
		name   string
		limits func(*RateLimitConfig)
		from   func(i int) string
	}{
		{"overall", func(r *RateLimitConfig) { r.PerHour = 2 }, func(i int) string { return fmt.Sprintf("r%d@d%d.example", i, i) }},
		{"per domain", func(r *RateLimitConfig) { r.PerDomainPerHour = 2 }, func(i int) string { return fmt.Sprintf("r%d@comune.example.it", i) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newCaseBench(t, func(cfg *Config) { c.limits(&cfg.RateLimit) })
			steps := []struct {
				after time.Duration // since the step before
				sent  bool
			}{
				{0, true},                // 09:00
				{30 * time.Minute, true}, // 09:30
				{30*time.Minute - time.Nanosecond, false}, // 09:00 is still in the hour
				{time.Nanosecond, true},                   // 10:00: 09:00 has left it
				{0, false},                                // 09:30 and 10:00 in the hour
				{30*time.Minute - time.Nanosecond, false},
				{time.Nanosecond, true}, // 10:30: 09:30 has left it
			}
			want := 0
			for i, st := range steps {
				b.clock.advance(st.after)
				b.process(benchRequest(c.from(i), fmt.Sprintf("Richiesta %d", i)))
				if st.sent {
					want++
				}
				if got := len(b.autoMail()); got != want {
					t.Fatalf("step %d at %s: %d replies queued, want %d", i, b.clock.now().Format("15:04:05.999999999"), got, want)
				}
			}
		})
	}
}

// TestRepliesEchoLittleAndAttachOnlyToTheSender: what a reply repeats of the message it answers
// is bounded (subject and name cut to 200 characters, a name that is not a name left out), and
// the reply, blank forms included, goes to the From, never to a Reply-To elsewhere.
func TestRepliesEchoLittleAndAttachOnlyToTheSender(t *testing.T) {
	long := strings.Repeat("A", 62<<10)
	cases := []struct {
		name        string
		from        string
		subject     string
		headers     []string
		to          string
		greeting    string
		attachments int
	}{
		{"a person writing from their address", "Mario Rossi <mario.rossi@comune.example.it>", "Richiesta", nil,
			"mario.rossi@comune.example.it", "Gentile Mario Rossi,", 4},
		{"same address in Reply-To, other case", "Mario Rossi <Mario.Rossi@comune.example.it>", "Richiesta", []string{"Reply-To: mario.rossi@comune.example.it"},
			"mario.rossi@comune.example.it", "Gentile Mario Rossi,", 4},
		{"a Reply-To elsewhere: the reply goes to the From", "Mario Rossi <mario.rossi@comune.example.it>", "Richiesta", []string{"Reply-To: altro@terzi.example"},
			"mario.rossi@comune.example.it", "Gentile Mario Rossi,", 4},
		{"a display name with a URL", "\"Visita http://spam.example/x\" <a@spam.example>", "Richiesta", nil, "a@spam.example", "Gentile referente,", 4},
		{"a display name with a web address", "\"Offerte su www.spam.example\" <a@spam.example>", "Richiesta", nil, "a@spam.example", "Gentile referente,", 4},
		{"a display name with an address", "\"boss@ente.example\" <a@spam.example>", "Richiesta", nil, "a@spam.example", "Gentile referente,", 4},
		{"a display name of 300 characters", "\"" + strings.Repeat("B", 300) + "\" <a@spam.example>", "Richiesta", nil,
			"a@spam.example", "Gentile " + strings.Repeat("B", 199) + "…,", 4},
		{"a subject of 62 KB", "a@spam.example", long, nil, "a@spam.example", "Gentile referente,", 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newCaseBench(t)
			b.process(benchRequest(c.from, c.subject, c.headers...))
			mails := b.autoMail()
			if len(mails) != 1 {
				t.Fatalf("replies = %d, want 1", len(mails))
			}
			m := mails[0]
			if m.to != c.to {
				t.Errorf("reply to %q, want %q", m.to, c.to)
			}
			if !strings.HasPrefix(m.text, c.greeting+"\n") {
				t.Errorf("greeting %q, want %q", strings.SplitN(m.text, "\n", 2)[0], c.greeting)
			}
			if m.attachments != c.attachments {
				t.Errorf("attachments = %d, want %d", m.attachments, c.attachments)
			}
			if withheld := strings.Contains(m.text, "non sono allegati"); withheld != (c.attachments == 0) {
				t.Errorf("the reply says the forms are withheld: %v, want %v", withheld, c.attachments == 0)
			}
			if c.attachments == 0 && strings.Contains(m.text, "sono allegati.") {
				t.Errorf("the reply promises attachments it does not carry:\n%s", m.text)
			}
			if n := len([]rune(m.subject)); n > maxEcho+len("Re:  [INT-2026-00001]") {
				t.Errorf("subject of %d characters", n)
			}
			if strings.Contains(m.text, strings.Repeat("A", maxEcho)) {
				t.Errorf("the body repeats more than %d characters of the subject", maxEcho)
			}
			if m.size > 150<<10 {
				t.Errorf("reply of %d bytes", m.size)
			}
		})
	}
}

func TestEchoText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Richiesta integrazione", "Richiesta integrazione"},
		{"  a\r\n\tb  ", "a b"},
		{"x\u202ey\u0000z", "xy z"},
		{strings.Repeat("é", 200), strings.Repeat("é", 200)},
		{strings.Repeat("é", 201), strings.Repeat("é", 199) + "…"},
	} {
		if got := echoText(c.in, maxEcho); got != c.want {
			t.Errorf("echoText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"Mario Rossi", "Mario Rossi"},
		{"Dott.ssa Maria Bianchi", "Dott.ssa Maria Bianchi"},
		{"Software Veneto S.r.l.", "Software Veneto S.r.l."},
		{"Visita HTTP://spam", ""},
		{"spam.example.com offerte", ""},
		{"info@ente.it", ""},
		{"Mario\u0007Rossi", ""},
		{"Mario \u202eissoR", ""},
	} {
		if got := displayName(c.in); got != c.want {
			t.Errorf("displayName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"Referente+42@Comune.Venezia.IT", "referente@comune.venezia.it"},
		{"referente@comune.venezia.it", "referente@comune.venezia.it"},
		{"+x@d.it", "+x@d.it"},
		{"\u212a+1@d.it", "\u212a@d.it"},
	} {
		if got := mailaddr.Norm(c.in).Untagged().String(); got != c.want {
			t.Errorf("the per-recipient key of %q = %q, want %q", c.in, got, c.want)
		}
	}
}
