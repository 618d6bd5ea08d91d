package mailbot

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailbot/internal/localmail"
	"mailbot/internal/wait"
	"mailbot/ticketing"
)

// TestSenderYieldsToBacklog: while more than yieldBacklog messages wait to be recorded, the
// sender's loop leaves a reply until it has been due for yieldAge, and no longer; a smaller
// backlog (a message or a batch arriving) and a flush on demand (the CLI, shutdown) wait for
// nothing.
func TestSenderYieldsToBacklog(t *testing.T) {
	cases := []struct {
		name    string
		waiting int
		dueFor  time.Duration
		onLoop  bool // as Run sends; else Flush
		sent    bool
	}{
		{"no backlog", 0, 0, true, true},
		{"a batch arriving", yieldBacklog, 0, true, true},
		{"backlog", yieldBacklog + 1, 0, true, false},
		{"backlog, due a while", yieldBacklog + 1, yieldAge - time.Second, true, false},
		{"backlog, due long enough", yieldBacklog + 1, yieldAge, true, true},
		{"backlog, flush on demand", 5000, 0, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := localmail.Start()
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			cfg := testConfig(l, t.TempDir())
			store, err := ticketing.Open(cfg.DataDir)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			ctx := context.Background()
			queued := time.Now()
			if err := store.Update(ctx, func(tx *ticketing.Tx) error {
				return tx.Enqueue(&ticketing.OutMail{MessageID: "m@regione.veneto.it", Kind: "ack", From: CallCenter,
					Rcpts: []string{"ref@comune.example.it"}, Raw: []byte("Subject: x\r\n\r\nx\r\n")}, queued)
			}); err != nil {
				t.Fatal(err)
			}
			s := NewSender(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time { return queued.Add(c.dueFor) })
			s.waiting = func() int { return c.waiting }
			if c.onLoop {
				err = s.flush(ctx, s.yielding())
			} else {
				err = s.Flush(ctx)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := len(l.Delivered()) == 1; got != c.sent {
				t.Errorf("sent: %v, want %v", got, c.sent)
			}
		})
	}
}

// dataSamples are mails as the outbox may hold them: rendered (CRLF lines, dots leading some
// lines of quoted-printable text) or not quite (bare CR or LF, no final line end).
var dataSamples = []string{
	"",
	"Subject: x\r\n\r\nbody\r\n",
	".\r\n",
	".leading dot\r\n..two\r\nmiddle . dot\r\n.\r\n.last\r\n",
	"Subject: x\r\n\r\nno final line end",
	"Subject: x\r\n\r\n.no final line end, dotted",
	"bare\nLF\n.dotted\n",
	"bare\rCR\r\n.x\r\n",
	"double\r\r\nCR\r\n",
	"\r\n\r\n.\r\n\r\n",
	"=2E\r\n.=\r\n..\r\n",
}

// TestWriteDataAsDotWriter: what the sender writes after DATA is, byte for byte, what
// textproto's DotWriter would write: a mail reaches the server unchanged, dots unstuffed.
func TestWriteDataAsDotWriter(t *testing.T) {
	for _, s := range dataSamples {
		if got, want := viaWriteData([]byte(s)), viaDotWriter([]byte(s)); got != want {
			t.Errorf("%q: wrote %q, want %q", s, got, want)
		}
	}
}

func FuzzWriteData(f *testing.F) {
	for _, s := range dataSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if got, want := viaWriteData(raw), viaDotWriter(raw); got != want {
			t.Errorf("%q: wrote %q, want %q", raw, got, want)
		}
	})
}

func viaWriteData(raw []byte) string {
	var out bytes.Buffer
	w := textproto.NewWriter(bufio.NewWriterSize(&out, 16)) // small: writes cross its flushes
	dw := w.DotWriter()
	if err := writeData(w.W, dw, raw); err != nil {
		return err.Error()
	}
	dw.Close()
	return out.String()
}

func viaDotWriter(raw []byte) string {
	var out bytes.Buffer
	dw := textproto.NewWriter(bufio.NewWriter(&out)).DotWriter()
	dw.Write(raw)
	dw.Close()
	return out.String()
}

// TestPipelineLeavesRefusedTransaction: a server that takes commands in a pipeline refuses the
// recipient, yet answers DATA with 354 as if the mail could follow. The sender reports the
// refusal and hangs up at once: nothing it sends could end the data and deliver an empty mail.
func TestPipelineLeavesRefusedTransaction(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		fmt.Fprint(c, "220 x ESMTP\r\n")
		tp := textproto.NewReader(bufio.NewReader(c))
		var after []string // what came once DATA was answered
		data := false
		for {
			l, err := tp.ReadLine()
			if err != nil {
				got <- strings.Join(after, "|")
				return
			}
			switch cmd := strings.ToUpper(l); {
			case data:
				after = append(after, l)
			case strings.HasPrefix(cmd, "EHLO"):
				fmt.Fprint(c, "250-x\r\n250 PIPELINING\r\n")
			case strings.HasPrefix(cmd, "RCPT"):
				fmt.Fprint(c, "550 5.1.1 no such user\r\n")
			case cmd == "DATA":
				fmt.Fprint(c, "354 go ahead\r\n")
				data = true
			default:
				fmt.Fprint(c, "250 ok\r\n")
			}
		}
	}()
	cfg := &Config{SMTP: SMTPConfig{Addr: ln.Addr().String(), TLS: "none"}}
	cfg.SMTP.Timeout.Duration = 10 * time.Second
	s := &Sender{cfg: cfg}
	client, sc, err := s.dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	err = transmit(sc, &ticketing.OutMail{From: CallCenter, Rcpts: []string{"nobody@comune.example.it"},
		Raw: []byte("Subject: x\r\n\r\nx\r\n")}, cfg.SMTP.Timeout.Duration)
	if !permanent(err) || !strings.Contains(err.Error(), "RCPT TO") {
		t.Errorf("transmit: %v, want the recipient's refusal", err)
	}
	client.CloseWithSMTPClient(sc)
	if after := <-got; after != "" {
		t.Errorf("after refusing the recipient and answering DATA, the server got %q, want nothing", after)
	}
}

// TestSentLogRecordedAfterCrash: a sender that stopped once the server had two mails, noted in
// its sent log but not recorded, leaves them to the next flush, which records them as sent, on
// their cases too, and sends neither again; a third, queued, goes out once.
func TestSentLogRecordedAfterCrash(t *testing.T) {
	h := newHarness(t)
	d, err := NewDaemon(h.cfg, slog.New(slog.DiscardHandler), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	now := time.Now()
	mails := queueAcks(t, d, h, now, "m", "referente@comune.venezia.it", "referente@comune.padova.it", "tecnico@comune.padova.it")
	// The flush that stopped: the first two claimed, sent and noted, the store never told.
	client, sc, err := d.Sender.dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	log, err := openSentLog(ctx, h.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails[:2] {
		if err := d.Store.Update(ctx, func(tx *ticketing.Tx) error {
			ok, err := tx.Claim(m, now, now.Add(claimLease))
			if !ok && err == nil {
				err = errors.New("taken")
			}
			return err
		}); err != nil {
			t.Fatalf("claim %s: %v", m.MessageID, err)
		}
		if err := transmit(sc, m, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		m.SentAt = now
		if err := log.note(m); err != nil {
			t.Fatal(err)
		}
	}
	log.f.WriteString(fmt.Sprint(mails[2].ID)) // a note cut short: its mail was never sent
	log.close()
	client.CloseWithSMTPClient(sc)

	if err := d.Sender.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := d.Store.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out {
		if o.State != "sent" {
			t.Errorf("%s: %s, want sent", o.MessageID, o.State)
		}
		if got := len(h.mail.DeliveredTo(o.Rcpts[0])); got != 1 {
			t.Errorf("%s delivered %d times, want once", o.MessageID, got)
		}
		events, err := d.Store.Events(ctx, mails[i].TicketID)
		if err != nil {
			t.Fatal(err)
		}
		if n := countEvents(events, ticketing.EventSent); n != 1 {
			t.Errorf("%s: %d sent events, want 1", o.MessageID, n)
		}
	}
	if st, err := os.Stat(filepath.Join(h.cfg.DataDir, "outbox-sent.log")); err != nil || st.Size() != 0 {
		t.Errorf("sent log after the flush: %v, want empty", err)
	}
}

// TestClaimsOfStoppedFlushGivenBack: a flush claims its whole batch at once; one that stops
// mid-batch leaves the rest claimed. The next flush sends them at once, not once the lease runs
// out, and leaves alone a mail of that batch given a later try meanwhile.
func TestClaimsOfStoppedFlushGivenBack(t *testing.T) {
	h := newHarness(t)
	d, err := NewDaemon(h.cfg, slog.New(slog.DiscardHandler), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	now := time.Now()
	mails := queueAcks(t, d, h, now, "c", "referente@comune.venezia.it", "referente@comune.padova.it", "tecnico@comune.padova.it", "ufficio@comune.rovigo.it")
	// The flush that stopped: all four claimed; the first sent and noted; the last failed for
	// now and was given a try in 45 s, within the lease; the two between never tried.
	log, err := openSentLog(ctx, h.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	lease := now.Add(claimLease)
	if err := log.claimed(lease); err != nil {
		t.Fatal(err)
	}
	later := now.Add(45 * time.Second)
	if err := d.Store.Update(ctx, func(tx *ticketing.Tx) error {
		for _, m := range mails {
			if ok, err := tx.Claim(m, now, lease); err != nil || !ok {
				return fmt.Errorf("claim %s: %v %v", m.MessageID, ok, err)
			}
		}
		return tx.MarkRetry(mails[3], later, "451 try again later")
	}); err != nil {
		t.Fatal(err)
	}
	client, sc, err := d.Sender.dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := transmit(sc, mails[0], 10*time.Second); err != nil {
		t.Fatal(err)
	}
	mails[0].SentAt = now
	if err := log.note(mails[0]); err != nil {
		t.Fatal(err)
	}
	log.close()
	client.CloseWithSMTPClient(sc)

	if err := d.Sender.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := d.Store.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out {
		want, times := "sent", 1
		if i == 3 {
			want, times = "queued", 0
		}
		if o.State != want {
			t.Errorf("%s: %s, want %s", o.MessageID, o.State, want)
		}
		if got := len(h.mail.DeliveredTo(o.Rcpts[0])); got != times {
			t.Errorf("%s delivered %d times, want %d", o.MessageID, got, times)
		}
	}
	if next, ok, err := d.Store.NextDue(ctx); err != nil || !ok || !next.Equal(later.UTC()) {
		t.Errorf("next due %v (%v, %v), want the retry at %v", next, ok, err, later.UTC())
	}
}

// queueAcks opens a ticket for each recipient and queues it a small mail, Message-ID prefix+N.
func queueAcks(t *testing.T, d *Daemon, h *harness, now time.Time, prefix string, rcpts ...string) []*ticketing.OutMail {
	t.Helper()
	var mails []*ticketing.OutMail
	if err := d.Store.Update(context.Background(), func(tx *ticketing.Tx) error {
		for i, rcpt := range rcpts {
			tk, err := tx.NewTicket(ticketing.KindIntegration, "Richiesta", rcpt, rcpt, now, h.cfg.Location())
			if err != nil {
				return err
			}
			m := &ticketing.OutMail{TicketID: tk.ID, MessageID: fmt.Sprintf("%s%d@regione.veneto.it", prefix, i), Kind: "ack",
				From: CallCenter, Rcpts: []string{rcpt}, Raw: fmt.Appendf(nil, "Subject: %s%d\r\n\r\nx\r\n", prefix, i)}
			if err := tx.Enqueue(m, now); err != nil {
				return err
			}
			mails = append(mails, m)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return mails
}

func countEvents(events []ticketing.Event, typ string) int {
	n := 0
	for _, e := range events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// TestBrokenPartFailsOnlyItsMail: a queued mail whose stored part no longer matches its sum (a
// damaged database) is given up, recorded as failed, and the mail queued beside it is still sent.
func TestBrokenPartFailsOnlyItsMail(t *testing.T) {
	h := newHarness(t)
	store, err := ticketing.Open(h.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	good, bad := ticketing.NewPart([]byte("UEsDBBQ=\r\n")), ticketing.NewPart([]byte("JVBERi0=\r\n"))
	now := time.Now()
	if err := store.Update(context.Background(), func(tx *ticketing.Tx) error {
		for i, p := range []ticketing.Part{good, bad} {
			raw := fmt.Appendf(nil, "Subject: parte %d\r\n\r\n", i)
			p.At = len(raw)
			if err := tx.Enqueue(&ticketing.OutMail{MessageID: fmt.Sprintf("p%d@regione.veneto.it", i), Kind: "ack",
				From: CallCenter, Rcpts: []string{"referente@comune.venezia.it"}, Raw: raw, Parts: []ticketing.Part{p}}, now); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	db, err := sql.Open("sqlite", filepath.Join(h.cfg.DataDir, "mailbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE outbox_parts SET data = ? WHERE sum = ?", []byte("altro"), bad.Sum); err != nil {
		t.Fatal(err)
	}
	db.Close()

	h.start()
	wait.For(t, "the intact mail sent and the broken one given up", func() bool {
		list, err := h.d.Store.Outbox(context.Background())
		if err != nil || len(list) != 2 {
			return false
		}
		return list[0].State == "sent" && list[1].State == "failed"
	})
	got := h.mail.DeliveredTo("referente@comune.venezia.it")
	if len(got) != 1 || !bytes.Contains(got[0].Raw, good.Data) {
		t.Errorf("%d mails delivered, want the intact one only, with its part", len(got))
	}
}
