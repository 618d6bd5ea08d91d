package mailbot

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	gosmtp "github.com/emersion/go-smtp"

	"mailbot/internal/localmail"
	"mailbot/internal/wait"
	"mailbot/parsers"
	"mailbot/templates"
	"mailbot/ticketing"
)

// harness is mailbot running against an in-process mail system, as in production but on
// loopback: real IMAP and SMTP protocol, a real SQLite file.
type harness struct {
	t      *testing.T
	mail   *localmail.LocalMail
	cfg    *Config
	d      *Daemon
	cancel context.CancelFunc
	done   chan struct{}
}

// Addresses of the test mail system, watched as in the demo.
const (
	CallCenter = "call.center@regione.veneto.it"
	Cluster    = "cluster.innovazione@regione.veneto.it"
)

// watched names the watched mailbox of each address.
var watched = map[string]string{CallCenter: "callcenter", Cluster: "cluster"}

// testConfig is a configuration for mailbot against l, data in dataDir (as internal/demo's,
// which this package's tests cannot import).
func testConfig(l *localmail.LocalMail, dataDir string) *Config {
	c := &Config{DataDir: dataDir, ReplyFrom: "Regione del Veneto - Integrazioni PagoPA <" + CallCenter + ">",
		SMTP: SMTPConfig{Addr: l.SMTPAddr, TLS: "none"}}
	for addr, name := range watched {
		c.Mailboxes = append(c.Mailboxes, MailboxConfig{Name: name, Address: addr, IMAPAddr: l.IMAPAddr,
			TLS: "none", Username: addr, Password: l.Password, FirstStart: "reply"})
	}
	slices.SortFunc(c.Mailboxes, func(a, b MailboxConfig) int { return strings.Compare(a.Name, b.Name) })
	if err := c.Complete(); err != nil {
		panic("test config: " + err.Error())
	}
	return c
}

func newHarness(t *testing.T, edit ...func(*Config)) *harness {
	t.Helper()
	l, err := localmail.Start(CallCenter, Cluster, "referente@comune.venezia.it", "referente@comune.padova.it")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	h := &harness{t: t, mail: l, cfg: testConfig(l, t.TempDir())}
	for _, e := range edit {
		e(h.cfg)
	}
	return h
}

// start runs the daemon; stop (or the test's end) stops it.
func (h *harness) start() {
	h.t.Helper()
	d, err := NewDaemon(h.cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, w := range d.Watchers {
		w.MinBackoff, w.MaxBackoff = 10*time.Millisecond, 100*time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.d, h.cancel, h.done = d, cancel, make(chan struct{})
	go func() { d.Run(ctx); close(h.done) }()
	h.t.Cleanup(h.stop)
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	<-h.done
	h.d.Close()
	h.cancel = nil
}

func (h *harness) deliver(raw string) {
	h.t.Helper()
	if _, err := h.mail.DeliverToWatched([]byte(raw), watched); err != nil {
		h.t.Fatal(err)
	}
}

// settle waits until both mailboxes have recorded up to the given UIDs and nothing is due.
func (h *harness) settle(callcenter, cluster int) {
	h.t.Helper()
	want := map[string]int{"callcenter": callcenter}
	if cluster > 0 {
		want["cluster"] = cluster
	}
	if err := h.d.Store.WaitQuiet(context.Background(), want, 20*time.Second); err != nil {
		h.t.Fatal(err)
	}
}

// waitWatching waits until a watcher has recorded its first position in the mailbox.
func (h *harness) waitWatching(mailbox string) {
	h.t.Helper()
	wait.For(h.t, "the watcher of "+mailbox, func() bool {
		var known bool
		h.d.Store.Update(context.Background(), func(tx *ticketing.Tx) (err error) {
			_, _, known, err = tx.MailboxState(mailbox)
			return err
		})
		return known
	})
}

func (h *harness) tickets() []ticketing.Ticket {
	h.t.Helper()
	list, err := h.d.Store.Tickets(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return list
}

// sentTo returns the subjects of the mail the SMTP server accepted for rcpt.
func (h *harness) sentTo(rcpt string) []string {
	var subjects []string
	for _, d := range h.mail.DeliveredTo(rcpt) {
		env, err := parsers.ReadEnvelope(bytes.NewReader(d.Raw))
		if err != nil {
			h.t.Fatal(err)
		}
		subjects = append(subjects, env.Subject)
	}
	return subjects
}

func request(from, msgID, subject string, cc bool, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: Referente <%s>\r\nTo: %s\r\n", from, CallCenter)
	if cc {
		fmt.Fprintf(&b, "Cc: %s\r\n", Cluster)
	}
	fmt.Fprintf(&b, "Subject: %s\r\nDate: Thu, 26 Nov 2026 09:12:00 +0100\r\n", subject)
	if msgID != "" {
		fmt.Fprintf(&b, "Message-ID: <%s>\r\n", msgID)
	}
	for _, e := range extra {
		b.WriteString(e + "\r\n")
	}
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\nChiediamo l'integrazione con MyPay.\r\n")
	return b.String()
}

func TestNewRequestGetsOneAckNamingTheTicket(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.deliver(request("referente@comune.venezia.it", "r1@comune.venezia.it", "Richiesta integrazione", false))
	h.settle(1, 0)
	tks := h.tickets()
	if len(tks) != 1 {
		t.Fatalf("tickets = %d, want 1", len(tks))
	}
	tk := tks[0]
	if !regexp.MustCompile(`^[A-Z]{2,5}-\d{4}-\d{3,6}$`).MatchString(tk.ID) || tk.State != ticketing.StateAwaitingDocuments || tk.WaitingOn != "ente" {
		t.Errorf("ticket = %+v", tk)
	}
	got := h.sentTo("referente@comune.venezia.it")
	want := "Re: Richiesta integrazione [" + tk.ID + "]"
	if len(got) != 1 || got[0] != want {
		t.Fatalf("acks = %q, want [%q]", got, want)
	}
	// The ack is in the referent's own mailbox, threaded and marked as automatic.
	d := h.mail.DeliveredTo("referente@comune.venezia.it")[0]
	r, err := mail.CreateReader(bytes.NewReader(d.Raw))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All",
		"In-Reply-To": "<r1@comune.venezia.it>", "References": "<r1@comune.venezia.it>",
	} {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if r.Header.Get(parsers.LoopHeader) == "" {
		t.Errorf("no %s header", parsers.LoopHeader)
	}
	// The request carried no forms: the blank ones come with the answer, intact (the outbox
	// stores their bytes once for every reply: ticketing.Part).
	blank := map[string][]byte{}
	for _, spec := range parsers.Forms {
		for _, format := range []string{"pdf", "docx"} {
			name, data, err := templates.BlankForm(spec.Type, format)
			if err != nil {
				t.Fatal(err)
			}
			blank[name] = data
		}
	}
	var attached []string
	for {
		p, err := r.NextPart()
		if err != nil {
			break
		}
		if a, ok := p.Header.(*mail.AttachmentHeader); ok {
			name, _ := a.Filename()
			attached = append(attached, name)
			if data, err := io.ReadAll(p.Body); err != nil || !bytes.Equal(data, blank[name]) {
				t.Errorf("attachment %s: %d bytes (%v), want the blank form's %d", name, len(data), err, len(blank[name]))
			}
		}
	}
	if len(attached) != 4 {
		t.Errorf("attachments %q, want both blank forms as PDF and DOCX", attached)
	}
}

func TestSameMessageInBothMailboxesIsOneTicketOneAck(t *testing.T) {
	h := newHarness(t)
	h.start()
	// Delivered copies differ in their trace headers, as they do on a real server.
	raw := request("referente@comune.venezia.it", "both@comune.venezia.it", "Richiesta con il cluster in copia", true)
	h.mail.Deliver(CallCenter, []byte("Delivered-To: "+CallCenter+"\r\nReceived: from a by b; Thu, 26 Nov 2026 09:12:01 +0100\r\n"+raw))
	h.mail.Deliver(Cluster, []byte("Delivered-To: "+Cluster+"\r\nReceived: from a by c; Thu, 26 Nov 2026 09:12:03 +0100\r\n"+raw))
	h.settle(1, 1)
	tks := h.tickets()
	if len(tks) != 1 {
		t.Fatalf("tickets = %d, want 1", len(tks))
	}
	if got := h.sentTo("referente@comune.venezia.it"); len(got) != 1 {
		t.Fatalf("acks = %q, want 1", got)
	}
	msgs, _ := h.d.Store.Messages(context.Background(), tks[0].ID)
	in := 0
	for _, m := range msgs {
		if m.Direction == "in" {
			in++
			if strings.Join(m.Mailboxes, ",") != "callcenter,cluster" && strings.Join(m.Mailboxes, ",") != "cluster,callcenter" {
				t.Errorf("copies recorded in %v, want both mailboxes", m.Mailboxes)
			}
		}
	}
	if in != 1 {
		t.Errorf("incoming messages = %d, want 1 event", in)
	}
}

func TestReusedMessageIDWithOtherContentIsKept(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.deliver(request("referente@comune.venezia.it", "same@x", "Prima richiesta", false))
	h.deliver(request("referente@comune.padova.it", "same@x", "Seconda richiesta, altro contenuto", false))
	h.settle(2, 0)
	if tks := h.tickets(); len(tks) != 2 {
		t.Fatalf("tickets = %d, want 2 (different messages sharing a Message-ID)", len(tks))
	}
}

func TestRepliesJoinTheirTicket(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.deliver(request("referente@comune.venezia.it", "q1@comune.venezia.it", "Richiesta", false))
	h.settle(1, 0)
	id := h.tickets()[0].ID
	ack := h.mail.DeliveredTo("referente@comune.venezia.it")[0]
	ackEnv, _ := parsers.ReadEnvelope(bytes.NewReader(ack.Raw))

	// By tag, by In-Reply-To to our ack, by References to the referent's own first message.
	h.deliver(request("referente@comune.venezia.it", "q2@comune.venezia.it", "Re: Richiesta ["+id+"]", false))
	h.deliver(request("referente@comune.venezia.it", "q3@comune.venezia.it", "Una domanda", false, "In-Reply-To: <"+ackEnv.MessageID+">"))
	h.deliver(request("referente@comune.venezia.it", "q4@comune.venezia.it", "Altra domanda", false, "References: <zzz@x> <q1@comune.venezia.it>"))
	// A tag of a ticket that does not exist opens a new one.
	h.deliver(request("referente@comune.padova.it", "q5@comune.padova.it", "Re: vecchia pratica [INT-2020-00009]", false))
	h.settle(5, 0)
	tks := h.tickets()
	if len(tks) != 2 {
		t.Fatalf("tickets = %d, want 2", len(tks))
	}
	tk, _ := h.d.Store.Ticket(context.Background(), id)
	if tk.Messages != 5 { // 4 in + 1 ack
		t.Errorf("messages on %s = %d, want 5", id, tk.Messages)
	}
	if got := h.sentTo("referente@comune.venezia.it"); len(got) != 1 {
		t.Errorf("mail to referent = %q, want only the first ack", got)
	}
}

func TestAutomaticMailIsRecordedNeverAnswered(t *testing.T) {
	cases := []struct {
		name, raw string
	}{
		{"out of office", request("assente@comune.treviso.it", "ooo@x", "Fuori ufficio", false, "Auto-Submitted: auto-replied")},
		{"exchange auto reply", request("assente@comune.treviso.it", "ooo2@x", "Risposta automatica", false, "X-Auto-Response-Suppress: All")},
		{"bounce", request("mailer-daemon@mx.example.org", "b@x", "Undelivered Mail", false, "Return-Path: <>")},
		{"mailing list", request("lista@example.org", "l@x", "Newsletter", false, "List-Id: <news.example.org>")},
		{"bulk", request("promo@example.org", "p@x", "Offerta", false, "Precedence: bulk")},
		{"noreply", request("no-reply@example.org", "n@x", "Notifica", false)},
		{"our own loop header", request("someone@example.org", "o@x", "Re: x", false, "X-Mailbot-Loop: ack; INT-2026-00001")},
		{"from our own address", request(CallCenter, "self@x", "Ciclo", false)},
	}
	h := newHarness(t)
	h.start()
	for _, c := range cases {
		h.deliver(c.raw)
	}
	h.settle(len(cases), 0)
	if got := h.mail.Delivered(); len(got) != 0 {
		t.Fatalf("sent %d mails, want none", len(got))
	}
	if tks := h.tickets(); len(tks) != 0 {
		t.Fatalf("tickets = %d, want 0", len(tks))
	}
	q, _ := h.d.Store.Quarantined(context.Background())
	if len(q) != len(cases) {
		t.Fatalf("quarantined %d, want %d (every message kept with a reason)", len(q), len(cases))
	}
	for _, m := range q {
		if m.Quarantine == "" {
			t.Errorf("%s: no reason", m.MessageID)
		}
	}
}

func TestOutOfOfficeReplyToAckJoinsTicketSilently(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.deliver(request("referente@comune.venezia.it", "first@x", "Richiesta", false))
	h.settle(1, 0)
	id := h.tickets()[0].ID
	h.deliver(request("referente@comune.venezia.it", "ooo@x", "Fuori ufficio: Re: Richiesta ["+id+"]", false, "Auto-Submitted: auto-replied"))
	h.settle(2, 0)
	if got := h.sentTo("referente@comune.venezia.it"); len(got) != 1 {
		t.Fatalf("mail to referent = %q, want only the ack", got)
	}
	msgs, _ := h.d.Store.Messages(context.Background(), id)
	if last := msgs[len(msgs)-1]; last.Auto == "" {
		t.Errorf("out-of-office recorded without its reason: %+v", last)
	}
}

func TestRateLimitStopsRunawayReplies(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.RateLimit.PerWindow = 3 })
	h.start()
	for i := range 6 {
		h.deliver(request("referente@comune.venezia.it", fmt.Sprintf("rl%d@x", i), fmt.Sprintf("Richiesta %d", i), false))
	}
	h.settle(6, 0)
	if got := h.sentTo("referente@comune.venezia.it"); len(got) != 3 {
		t.Fatalf("acks = %d, want 3 (the rate limit)", len(got))
	}
	if tks := h.tickets(); len(tks) != 6 {
		t.Fatalf("tickets = %d, want 6: the limit withholds replies, not tickets", len(tks))
	}
}

func TestFirstStartModes(t *testing.T) {
	for _, c := range []struct {
		mode          string
		tickets, acks int
	}{{"skip", 1, 1}, {"import", 2, 1}, {"reply", 2, 2}} {
		t.Run(c.mode, func(t *testing.T) {
			h := newHarness(t, func(cfg *Config) {
				for i := range cfg.Mailboxes {
					cfg.Mailboxes[i].FirstStart = c.mode
				}
			})
			h.deliver(request("referente@comune.venezia.it", "old@x", "Vecchia richiesta", false))
			h.start()
			h.waitWatching("callcenter")
			h.deliver(request("referente@comune.venezia.it", "new@x", "Nuova richiesta", false))
			h.settle(c.tickets, 0)
			if got := len(h.tickets()); got != c.tickets {
				t.Errorf("tickets = %d, want %d", got, c.tickets)
			}
			if got := len(h.sentTo("referente@comune.venezia.it")); got != c.acks {
				t.Errorf("acks = %d, want %d", got, c.acks)
			}
		})
	}
}

func TestRestartMidBatchLosesNothingAndRepliesOnce(t *testing.T) {
	h := newHarness(t)
	const n = 40
	for i := range n {
		h.deliver(request(fmt.Sprintf("ref%d@comune.example.it", i), fmt.Sprintf("m%d@x", i), fmt.Sprintf("Richiesta %d", i), i%3 == 0))
	}
	// Stop the daemon as soon as some, not all, of the backlog is recorded; then again.
	for round := 0; round < 3; round++ {
		h.start()
		deadline := time.Now().Add(10 * time.Second)
		for {
			tks, _ := h.d.Store.Tickets(context.Background())
			if len(tks) > (round+1)*5 || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Millisecond)
		}
		h.stop()
	}
	h.start()
	h.settle(n, (n+2)/3)
	tks := h.tickets()
	if len(tks) != n {
		t.Fatalf("tickets = %d, want %d", len(tks), n)
	}
	for i := range n {
		rcpt := fmt.Sprintf("ref%d@comune.example.it", i)
		if got := h.sentTo(rcpt); len(got) != 1 {
			t.Errorf("%s received %d replies, want 1", rcpt, len(got))
		}
	}
}

func TestWatcherReconnectsAndCatchesUp(t *testing.T) {
	h := newHarness(t)
	p := newFaultProxy(t, h.mail.IMAPAddr)
	for i := range h.cfg.Mailboxes {
		h.cfg.Mailboxes[i].IMAPAddr = p.addr
	}
	h.start()
	h.deliver(request("referente@comune.venezia.it", "before@x", "Prima", false))
	h.settle(1, 0)
	p.cut() // the server drops every connection
	h.deliver(request("referente@comune.padova.it", "after@x", "Dopo la caduta", false))
	h.settle(2, 0)
	if got := len(h.tickets()); got != 2 {
		t.Fatalf("tickets = %d, want 2", got)
	}
	if p.connections() < 4 {
		t.Errorf("connections = %d, want the watchers to have reconnected", p.connections())
	}
}

func TestOutboxRetriesTemporaryFailuresAndStopsOnPermanent(t *testing.T) {
	h := newHarness(t)
	var mu sync.Mutex
	tempFails := 2
	h.mail.Fault = func(stage, arg string) error {
		mu.Lock()
		defer mu.Unlock()
		if stage == "rcpt" && strings.Contains(arg, "padova") {
			return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "mailbox unknown"}
		}
		if stage == "data" && tempFails > 0 {
			tempFails--
			return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		}
		return nil
	}
	h.start()
	h.d.Sender.baseDelay = 10 * time.Millisecond
	h.deliver(request("referente@comune.venezia.it", "t1@x", "Richiesta", false))
	h.deliver(request("referente@comune.padova.it", "t2@x", "Richiesta", false))
	h.settle(2, 0)
	if got := h.sentTo("referente@comune.venezia.it"); len(got) != 1 {
		t.Fatalf("venezia got %d acks, want exactly 1 after retries", len(got))
	}
	out, _ := h.d.Store.Outbox(context.Background())
	states := map[string]string{}
	for _, o := range out {
		states[o.Rcpts[0]] = o.State
	}
	if states["referente@comune.padova.it"] != "failed" || states["referente@comune.venezia.it"] != "sent" {
		t.Errorf("outbox states = %v", states)
	}
}
