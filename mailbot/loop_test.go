package mailbot

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mailbot/internal/localmail"
	"mailbot/internal/mailtest"
	"mailbot/parsers"
	"mailbot/ticketing"
)

// Loops: mailbot facing a program that answers everything it receives. Each test states how
// many mails mailbot sends before the loop ends, and why: the sender's own headers
// (Auto-Submitted, X-Mailbot-Loop), the threading of its answer into the same ticket, or, when
// nothing else works, the per-recipient rate limit (10 in 10 minutes, 50 a day by default).

// relay hands every mail the SMTP server accepts for addr to handle, in order, as a program
// reading that mailbox would.
type relay struct {
	l       *localmail.LocalMail
	addr    string
	handle  func(raw []byte) error
	mu      sync.Mutex
	handled int
}

func startRelay(t *testing.T, l *localmail.LocalMail, addr string, handle func(raw []byte) error) *relay {
	r := &relay{l: l, addr: addr, handle: handle}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			got := l.DeliveredTo(addr)
			r.mu.Lock()
			next := r.handled
			r.mu.Unlock()
			for _, d := range got[next:] {
				if err := r.handle(d.Raw); err != nil {
					t.Errorf("%s: %v", addr, err)
					return
				}
				r.mu.Lock()
				r.handled++
				r.mu.Unlock()
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	return r
}

// pending is how many accepted mails the relay has not handled yet.
func (r *relay) pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.l.DeliveredTo(r.addr)) - r.handled
}

// answer builds an auto-responder's answer to in: the headers given, then a short body.
func answer(from, to string, n int, headers ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: Risponditore <%s>\r\nTo: %s\r\nDate: %s\r\nMessage-ID: <auto-%d-%d@example.org>\r\n",
		from, to, time.Now().Format(time.RFC1123Z), n, time.Now().UnixNano())
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\nSono fuori ufficio fino a lunedì.\r\n")
	return []byte(b.String())
}

// autoResponders are the kinds of answering machine the tests face. Each answers every mail it
// gets, to its sender, through the SMTP server.
var autoResponders = []struct {
	name string
	// reply builds the n-th answer to in (whose envelope is env).
	reply func(env *parsers.Envelope, hdr mail.Header, n int) []byte
	// sent is how many mails mailbot sends the responder, in one loop; why says why it stops.
	sent int
	why  string
}{
	{
		name: "no Auto-Submitted, a new thread each time",
		reply: func(env *parsers.Envelope, _ mail.Header, n int) []byte {
			return answer(AutoResponder, env.From, n, "Subject: Risposta automatica")
		},
		sent: 10, why: "nothing tells its answers from a person's: only the rate limit (10 in 10 minutes) stops it",
	},
	{
		name: "no Auto-Submitted, the subject kept",
		reply: func(env *parsers.Envelope, _ mail.Header, n int) []byte {
			return answer(AutoResponder, env.From, n, "Subject: Risposta automatica: "+env.Subject)
		},
		sent: 1, why: "its answer carries the ticket's tag: it joins the ticket, where a message without documents is for staff",
	},
	{
		name: "Auto-Submitted: auto-replied",
		reply: func(env *parsers.Envelope, _ mail.Header, n int) []byte {
			return answer(AutoResponder, env.From, n, "Subject: Risposta automatica", "Auto-Submitted: auto-replied")
		},
		sent: 1, why: "RFC 3834: an automatic answer is recorded, never answered",
	},
	{
		name: "echoes X-Mailbot-Loop, nothing else",
		reply: func(env *parsers.Envelope, hdr mail.Header, n int) []byte {
			return answer(AutoResponder, env.From, n, "Subject: Risposta automatica", parsers.LoopHeader+": "+hdr.Get(parsers.LoopHeader))
		},
		sent: 1, why: "mailbot's own loop header marks mail it caused",
	},
}

// AutoResponder is the test servers' answering machine.
const AutoResponder = "autoresponder@example.org"

func TestLoopWithAutoResponder(t *testing.T) {
	for _, ar := range autoResponders {
		t.Run(ar.name, func(t *testing.T) {
			h := newHarness(t)
			h.mail.AddUser(AutoResponder)
			n := 0
			machine := startRelay(t, h.mail, AutoResponder, func(raw []byte) error {
				env, hdr, err := envelopeOf(raw)
				if err != nil {
					return err
				}
				n++
				return mailtest.SendErr(h.mail.SMTPAddr, AutoResponder, []string{env.From}, ar.reply(env, hdr, n))
			})
			h.startLogged(nil)
			// Someone writes once from the responder's address; everything after is the machines.
			h.deliver(request(AutoResponder, "trigger@example.org", "Richiesta di informazioni", false))
			h.waitLoopQuiet(machine, 1)

			if got := len(h.mail.DeliveredTo(AutoResponder)); got != ar.sent {
				t.Errorf("mailbot sent the responder %d mails, want %d: %s", got, ar.sent, ar.why)
			}
			if got := len(h.mail.DeliveredTo(CallCenter)); got != ar.sent {
				t.Errorf("the responder sent %d mails, want %d, one per mail it got", got, ar.sent)
			}
			if ar.sent > 1 {
				// The last answer opened a ticket like every other, but was not answered.
				tks := h.tickets()
				if len(tks) != ar.sent+1 {
					t.Errorf("tickets = %d, want %d", len(tks), ar.sent+1)
				}
				last := tks[0]
				for _, tk := range tks {
					if tk.ID > last.ID { // numbered in order, zero-padded
						last = tk
					}
				}
				if !hasEvent(t, h.d.Store, last.ID, ticketing.EventLimited) {
					t.Errorf("%s: no %s event: the withheld reply must be on record", last.ID, ticketing.EventLimited)
				}
			}
		})
	}
}

// TestLoopRateLimitPerDay runs the worst responder through a day: a fresh loop every 10
// minutes (someone writes again from its address) gets 10 replies each, until the daily 50.
func TestLoopRateLimitPerDay(t *testing.T) {
	h := newHarness(t)
	h.mail.AddUser(AutoResponder)
	worst := autoResponders[0]
	n := 0
	machine := startRelay(t, h.mail, AutoResponder, func(raw []byte) error {
		env, hdr, err := envelopeOf(raw)
		if err != nil {
			return err
		}
		n++
		return mailtest.SendErr(h.mail.SMTPAddr, AutoResponder, []string{env.From}, worst.reply(env, hdr, n))
	})
	clock := &testClock{t: time.Now()}
	h.startAt(clock.now, nil)
	want := []int{10, 10, 10, 10, 10, 0} // per window; 50 a day
	total := 0
	for w, wantN := range want {
		h.deliver(request(AutoResponder, fmt.Sprintf("trigger%d@example.org", w), "Richiesta", false))
		h.waitLoopQuiet(machine, w+1)
		got := len(h.mail.DeliveredTo(AutoResponder)) - total
		total += got
		if got != wantN {
			t.Errorf("window %d: mailbot sent %d mails, want %d", w, got, wantN)
		}
		clock.advance(10*time.Minute + time.Second)
	}
	if total != 50 {
		t.Errorf("mailbot sent %d mails in the day, want 50", total)
	}
}

// TestLoopTwoMailbots sets two mailbots against each other: the Region's (A, call.center@)
// and a software house's (B, assistenza@), each answering its own mailbox. B's address writes
// once to A. Between them may sit gateways that strip what marks automatic mail, or even the
// threading: the loop must end all the same, within the stated number of mails.
func TestLoopTwoMailbots(t *testing.T) {
	const a, b = CallCenter, "assistenza@softwarehouse.example.it"
	autoHeaders := []string{"Auto-Submitted", "X-Auto-Response-Suppress", parsers.LoopHeader, "Precedence"}
	cases := []struct {
		name             string
		stripAtA, stripB []string // header fields a gateway removes before each mailbox
		unthread         bool     // the gateways also drop In-Reply-To, References and [tags]
		aToB, bToA       int
		why              string
	}{
		{"nothing stripped", nil, nil, false, 1, 0, "B sees A's Auto-Submitted and X-Mailbot-Loop"},
		{"B's gateway strips the automatic headers", nil, autoHeaders, false, 1, 1, "B answers once; A sees B's Auto-Submitted"},
		{"both gateways strip the automatic headers", autoHeaders, autoHeaders, false, 1, 1,
			"A threads B's answer into the ticket by its tag and In-Reply-To: no reply"},
		{"both strip the automatic headers and the threading", autoHeaders, autoHeaders, true, 10, 10,
			"each answer opens a ticket on the other side: the rate limit (10 in 10 minutes) ends it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := localmail.Start(a, b, inbox(a), inbox(b))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(l.Close)
			// What the SMTP server accepts for a or b goes through a gateway into the INBOX
			// its mailbot watches.
			gwA := startRelay(t, l, a, func(raw []byte) error { return l.Deliver(inbox(a), gateway(raw, c.stripAtA, c.unthread)) })
			gwB := startRelay(t, l, b, func(raw []byte) error { return l.Deliver(inbox(b), gateway(raw, c.stripB, c.unthread)) })
			da := startMailbot(t, l, "callcenter", a, "Regione del Veneto <"+a+">")
			db := startMailbot(t, l, "helpdesk", b, "Assistenza Software House <"+b+">")

			if err := l.Deliver(inbox(a), []byte(request(b, "first@softwarehouse.example.it", "Richiesta di attivazione", false))); err != nil {
				t.Fatal(err)
			}
			waitQuiet(t, func() (bool, string) {
				inA, _ := da.Store.CopiesIn(context.Background(), "callcenter")
				inB, _ := db.Store.CopiesIn(context.Background(), "helpdesk")
				_, qa, _ := da.Store.NextDue(context.Background())
				_, qb, _ := db.Store.NextDue(context.Background())
				wantA, wantB := 1+len(l.DeliveredTo(a)), len(l.DeliveredTo(b))
				return !qa && !qb && gwA.pending() == 0 && gwB.pending() == 0 && inA == wantA && inB == wantB,
					fmt.Sprintf("A recorded %d/%d, B %d/%d, outboxes pending %v %v", inA, wantA, inB, wantB, qa, qb)
			})
			if got := len(l.DeliveredTo(b)); got != c.aToB {
				t.Errorf("A sent B %d mails, want %d: %s", got, c.aToB, c.why)
			}
			if got := len(l.DeliveredTo(a)); got != c.bToA {
				t.Errorf("B sent A %d mails, want %d: %s", got, c.bToA, c.why)
			}
		})
	}
}

// inbox is the account a gateway delivers a's mail to, and its mailbot watches.
func inbox(a string) string { return "in-" + a }

// startMailbot runs a mailbot of its own (data directory, mailbox, reply address) on l.
func startMailbot(t *testing.T, l *localmail.LocalMail, name, addr, replyFrom string) *Daemon {
	t.Helper()
	cfg := &Config{DataDir: t.TempDir(), ReplyFrom: replyFrom, SMTP: SMTPConfig{Addr: l.SMTPAddr, TLS: "none"},
		Mailboxes: []MailboxConfig{{Name: name, Address: addr, IMAPAddr: l.IMAPAddr, TLS: "none",
			Username: inbox(addr), Password: l.Password, FirstStart: "reply"}}}
	if err := cfg.Complete(); err != nil {
		t.Fatal(err)
	}
	d, err := NewDaemon(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; d.Close() })
	return d
}

var tagRE = regexp.MustCompile(`\s*\[[A-Z]{2,5}-\d{4}-\d{3,6}\]`)

// gateway is a mail gateway on the way in: it removes the header fields strip names and,
// with unthread, every link to an earlier message (In-Reply-To, References, [ticket] tags).
func gateway(raw []byte, strip []string, unthread bool) []byte {
	if unthread {
		strip = append(strip, "In-Reply-To", "References", "Subject")
	}
	out := stripFields(raw, strip...)
	if unthread {
		env, _, err := envelopeOf(raw)
		if err == nil {
			out = append([]byte("Subject: "+tagRE.ReplaceAllString(env.Subject, "")+"\r\n"), out...)
		}
	}
	return out
}

// stripFields removes the named header fields (with their continuation lines) from raw.
func stripFields(raw []byte, names ...string) []byte {
	head, body, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	var out bytes.Buffer
	drop := false
	for line := range strings.SplitSeq(string(head), "\r\n") {
		if line == "" || (line[0] != ' ' && line[0] != '\t') {
			name, _, _ := strings.Cut(line, ":")
			drop = false
			for _, n := range names {
				drop = drop || strings.EqualFold(strings.TrimSpace(name), n)
			}
		}
		if !drop {
			out.WriteString(line + "\r\n")
		}
	}
	out.WriteString("\r\n")
	out.Write(body)
	return out.Bytes()
}

func envelopeOf(raw []byte) (*parsers.Envelope, mail.Header, error) {
	env, err := parsers.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, err
	}
	return env, m.Header, nil
}

// waitLoopQuiet waits until nothing is in flight: every mail to the responder answered, every
// answer recorded by mailbot (beside the test's own triggers), nothing in the outbox.
func (h *harness) waitLoopQuiet(machine *relay, triggers int) {
	h.t.Helper()
	waitQuiet(h.t, func() (bool, string) {
		recorded, _ := h.d.Store.CopiesIn(context.Background(), "callcenter")
		_, queued, _ := h.d.Store.NextDue(context.Background())
		want := len(h.mail.DeliveredTo(CallCenter)) + triggers
		return !queued && machine.pending() == 0 && recorded == want,
			fmt.Sprintf("recorded %d/%d, responder behind by %d, outbox pending %v", recorded, want, machine.pending(), queued)
	})
}

// waitQuiet waits until quiet holds twice in a row, 50 ms apart. quiet must account for every
// stage a mail passes (outbox, SMTP, relay, INBOX, intake), so that true means nothing is in
// flight; the second look guards against reading the stages at different instants.
func waitQuiet(t *testing.T, quiet func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	streak := 0
	for {
		ok, state := quiet()
		if ok {
			streak++
		} else {
			streak = 0
		}
		if streak == 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the loop did not end within 20 s: %s", state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func hasEvent(t *testing.T, s *ticketing.Store, ticketID, typ string) bool {
	t.Helper()
	events, err := s.Events(context.Background(), ticketID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Type == typ {
			return true
		}
	}
	return false
}

// testClock is a clock the test moves forward.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
