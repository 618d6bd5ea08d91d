package mailbot

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"mailbot/parsers"
	"mailbot/ticketing"
)

// post is the one way into the outbox, for intake, staff commands and the scheduler alike: queue
// threads a mail, renders it and queues it in the transaction that decided to send it, and wakes
// the sender only once that transaction commits (a rolled-back decision sends nothing).
type post struct {
	cfg  *Config
	wake func() // Sender.Kick; nil where nothing runs to wake (the CLI: the daemon polls)
}

// queue threads o (threadOnto), renders it and queues it in tx, and returns its Message-ID. A
// mail about a ticket is also recorded as an outgoing message of that ticket, so that an answer
// to it threads back even without the subject tag, and noted as a reply; unless o.Aside.
func (p post) queue(tx *ticketing.Tx, o outgoing, now time.Time) (string, error) {
	if err := threadOnto(tx, &o); err != nil {
		return "", err
	}
	from := p.cfg.replyAddress()
	msgID := newMessageID(o.TicketID, from[strings.LastIndexByte(from, '@')+1:])
	raw, parts, err := renderParts(o, p.cfg.ReplyFrom, msgID, now)
	if err != nil {
		return "", err
	}
	om := &ticketing.OutMail{TicketID: o.TicketID, MessageID: msgID, Kind: o.Kind, From: from,
		Rcpts: o.To, Raw: raw, Parts: parts, Auto: o.Auto}
	if err := tx.Enqueue(om, now); err != nil {
		return "", err
	}
	if o.Held != "" {
		// Kept, not sent: counted towards the caps and recorded in the thread when released.
		return msgID, tx.HoldOutbox(om.ID, o.Held)
	}
	if p.wake != nil {
		tx.AfterCommit(p.wake)
	}
	if o.Auto {
		if err := countAuto(tx, o, now); err != nil {
			return "", err
		}
	}
	if o.Redacted != nil {
		// What stays once the server has the real one: the same mail, secrets masked.
		r := o
		r.Body = *o.Redacted
		red, err := render(r, p.cfg.ReplyFrom, msgID, now)
		if err != nil {
			return "", err
		}
		if err := tx.SetRedacted(om.ID, red); err != nil {
			return "", err
		}
	}
	if o.TicketID == "" || o.Aside {
		return msgID, nil
	}
	if _, err := tx.AddMessage(&ticketing.Message{TicketID: o.TicketID, Direction: "out", MessageID: msgID,
		Digest: "out", From: from, To: o.To, Subject: o.Subject, Date: now, ReceivedAt: now}); err != nil {
		return "", err
	}
	return msgID, tx.AddEvent(o.TicketID, ticketing.Event{At: now, Type: ticketing.EventReply, By: "mailbot",
		Text: o.Kind + " a " + strings.Join(o.To, ", ")})
}

// threadOnto is the one threading rule: a mail answers what its caller set (the message it
// replies to, with that message's References), or else the latest message of its ticket, with
// the ticket's earlier messages as References. A Message-ID mailbot made up
// (parsers.IsMadeUpMessageID) is left out everywhere: it would mislead the recipient's client.
func threadOnto(tx *ticketing.Tx, o *outgoing) error {
	if parsers.IsMadeUpMessageID(o.InReplyTo) {
		o.InReplyTo = ""
	}
	o.References = realIDs(o.References)
	if o.InReplyTo != "" || len(o.References) > 0 || o.TicketID == "" {
		return nil
	}
	ids, err := tx.MessageIDs(o.TicketID)
	if err != nil {
		return err
	}
	if ids = realIDs(ids); len(ids) > 0 {
		o.InReplyTo, o.References = ids[len(ids)-1], ids[:len(ids)-1]
	}
	return nil
}

// realIDs is ids without the made-up ones (and empty ones).
func realIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id != "" && !parsers.IsMadeUpMessageID(id) {
			out = append(out, id)
		}
	}
	return out
}

// claimLease is how long a sender owns a mail it is transmitting. After a crash mid-send the mail
// is tried again once the lease runs out; it must outlast one SMTP exchange (30 s timeout).
const claimLease = time.Minute

// Sender delivers the outbox over SMTP. Each mail goes out as the exact bytes rendered when it
// was queued, so a retry after a crash repeats the same message (same Message-ID) rather than
// composing a second one.
type Sender struct {
	cfg   *Config
	store *ticketing.Store
	log   *slog.Logger
	now   func() time.Time
	wake  chan struct{}

	// MaxAttempts before a temporarily failing mail is given up.
	MaxAttempts int
	// baseDelay is the first retry delay, doubled at each attempt.
	baseDelay time.Duration
	// flushing serialises Flush: two concurrent flushes would both send the same due mail.
	flushing sync.Mutex
	// waiting, if set, is how many messages the watchers have listed and not yet recorded.
	waiting func() int
}

// While more than yieldBacklog messages wait to be recorded, Run leaves each mail until it has
// been due for yieldAge: during a backlog the single writer and the CPU go to recording (a
// recorded request is safe, its mailbox position advanced) rather than to sending, while no
// reply waits more than yieldAge for it. Below yieldBacklog (a message or a batch arriving)
// the sender does not wait at all.
const (
	yieldBacklog = 100
	yieldAge     = 10 * time.Second
	yieldPoll    = 250 * time.Millisecond // how often a yielding sender looks again
)

// NewSender wires a sender.
func NewSender(cfg *Config, store *ticketing.Store, log *slog.Logger, now func() time.Time) *Sender {
	return &Sender{cfg: cfg, store: store, log: log, now: now, wake: make(chan struct{}, 1), MaxAttempts: 12, baseDelay: 30 * time.Second}
}

// Kick tells the sender that new mail is queued.
func (s *Sender) Kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run delivers due mail until ctx ends.
func (s *Sender) Run(ctx context.Context) error {
	for {
		yielding := s.yielding()
		if err := s.flush(ctx, yielding); err != nil && ctx.Err() == nil {
			s.log.Error("outbox", "err", err)
		}
		// Mail queued by another process (the CLI) is noticed within this.
		wait := 2 * time.Second
		if yielding {
			wait = yieldPoll // nothing kicks the sender when the backlog ends
		}
		if next, ok, err := s.store.NextDue(ctx); err == nil && ok {
			if yielding {
				next = next.Add(yieldAge)
			}
			if d := next.Sub(s.now()); d < wait {
				wait = max(d, 50*time.Millisecond)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// yielding says whether intake is behind by more than yieldBacklog messages.
func (s *Sender) yielding() bool { return s.waiting != nil && s.waiting() > yieldBacklog }

// Flush sends every mail due now over one SMTP connection, and returns when the due queue is
// empty or the server is unreachable. The mails the server accepts are noted in the sent log
// and recorded as sent together (settle); what an earlier flush noted and did not record is
// recorded first.
func (s *Sender) Flush(ctx context.Context) error { return s.flush(ctx, false) }

// flush is Flush; yielding, only of the mail due for yieldAge.
func (s *Sender) flush(ctx context.Context, yielding bool) error {
	s.flushing.Lock()
	defer s.flushing.Unlock()
	log, err := openSentLog(ctx, s.store.Dir())
	if err != nil {
		return err
	}
	defer log.close()
	if err := s.settle(ctx, log, nil, nil, time.Time{}); err != nil {
		return err
	}
	for {
		upTo := s.now()
		if yielding {
			upTo = upTo.Add(-yieldAge)
		}
		due, err := s.store.DueMail(ctx, upTo, 100)
		if err != nil || len(due) == 0 {
			return err
		}
		if due, err = s.failBroken(ctx, due); err != nil || len(due) == 0 {
			if err == nil {
				continue // the next due, if any
			}
			return err
		}
		client, sc, err := s.dial(ctx)
		if err != nil {
			// Nothing was attempted: every due mail waits for the next try.
			for i := range due {
				if rerr := s.retry(ctx, &due[i], err); rerr != nil {
					return rerr
				}
			}
			return fmt.Errorf("connect to %s: %w", s.cfg.SMTP.Addr, err)
		}
		err = s.sendAll(ctx, log, client, sc, due)
		client.CloseWithSMTPClient(sc)
		if err != nil {
			return err
		}
	}
}

// failBroken gives up the mails the store could not make whole (ticketing.OutMail.Broken: a
// damaged database) and returns the others: sending them stops for none. The failure is in
// the ticket's history and the outbox list, for a person to see.
func (s *Sender) failBroken(ctx context.Context, due []ticketing.OutMail) ([]ticketing.OutMail, error) {
	ok := due[:0]
	for i := range due {
		m := due[i]
		if m.Broken == nil {
			ok = append(ok, m)
			continue
		}
		s.log.Error("mail given up", "ticket", m.TicketID, "kind", m.Kind, "err", m.Broken)
		if err := s.store.Update(ctx, func(tx *ticketing.Tx) error {
			return tx.MarkFailed(&m, "stored part unreadable: "+m.Broken.Error(), s.now())
		}); err != nil {
			return nil, err
		}
	}
	return ok, nil
}

// CheckSMTP connects to the SMTP server and authenticates, as the outbox would, then quits
// (mailbot config check -connect).
func CheckSMTP(ctx context.Context, cfg *Config) error {
	s := &Sender{cfg: cfg}
	client, sc, err := s.dial(ctx)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", cfg.SMTP.Addr, err)
	}
	return client.CloseWithSMTPClient(sc)
}

func (s *Sender) dial(ctx context.Context) (*gomail.Client, *smtp.Client, error) {
	host, portStr, _ := net.SplitHostPort(s.cfg.SMTP.Addr)
	port, _ := strconv.Atoi(portStr)
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(s.cfg.SMTP.Timeout.Duration)}
	switch s.cfg.SMTP.TLS {
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	}
	if s.cfg.SMTP.InsecureTLS {
		opts = append(opts, gomail.WithTLSConfig(&tls.Config{ServerName: host, InsecureSkipVerify: true}))
	}
	switch {
	case s.cfg.SMTP.OAuth2 != nil:
		// A token per connection: a fresh one whenever the last is about to expire.
		tok, err := s.cfg.SMTP.OAuth2.Token(ctx)
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, gomail.WithSMTPAuthCustom(smtpSASL{s.cfg.SMTP.OAuth2.saslClient(s.cfg.SMTP.Username, tok)}))
	case s.cfg.SMTP.Username != "":
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.SMTP.Username), gomail.WithPassword(s.cfg.SMTP.Password))
	}
	client, err := gomail.NewClient(host, opts...)
	if err != nil {
		return nil, nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, s.cfg.SMTP.Timeout.Duration)
	defer cancel()
	sc, err := client.DialToSMTPClientWithContext(dctx)
	if err != nil {
		return nil, nil, err
	}
	return client, sc, nil
}

// sendAll claims the due mails in one transaction and sends them one after the other, noting
// each the server accepts in the sent log, then records them all sent and gives back the
// claims of those not tried (settle). It returns an error when the store fails or the
// connection is no longer usable.
func (s *Sender) sendAll(ctx context.Context, log *sentLog, client *gomail.Client, sc *smtp.Client, due []ticketing.OutMail) (err error) {
	now := s.now()
	lease := now.Add(claimLease)
	var mine []*ticketing.OutMail
	if err := log.claimed(lease); err != nil {
		return err
	}
	if err := s.store.Update(ctx, func(tx *ticketing.Tx) error {
		mine = mine[:0]
		for i := range due {
			ok, err := tx.Claim(&due[i], now, lease)
			if err != nil {
				return err
			}
			if ok { // else taken by another sender: not ours to send
				mine = append(mine, &due[i])
			}
		}
		return nil
	}); err != nil {
		return err
	}
	var sent []*ticketing.OutMail
	i := 0 // mine[i:] not tried yet
	defer func() {
		if serr := s.settle(ctx, log, sent, mine[i:], lease); err == nil {
			err = serr
		}
	}()
	for i < len(mine) {
		if s.now().After(now.Add(claimLease / 2)) {
			return nil // a slow server: the rest are claimed again, not sent on a lease running out
		}
		m := mine[i]
		i++
		err := transmit(sc, m, s.cfg.SMTP.Timeout.Duration)
		if err == nil {
			s.log.Info("mail sent", "ticket", m.TicketID, "kind", m.Kind, "message_id", m.MessageID)
			m.SentAt = s.now()
			sent = append(sent, m)
			nerr := log.note(m)
			if nerr == nil && m.Kind != KindCredentials {
				continue
			}
			// Recorded at once: the log failed, or the mail carried secrets, just replaced in
			// the store, whose files are then scrubbed to leave no copy.
			if err := s.settle(ctx, log, sent, nil, lease); err != nil {
				return err
			}
			if err := log.claimed(lease); err != nil { // the rest of the batch, still claimed
				return err
			}
			sent = nil
			if m.Kind == KindCredentials {
				if err := s.store.Scrub(ctx); err != nil {
					return err
				}
			}
			continue
		}
		if permanent(err) {
			s.log.Error("mail refused", "ticket", m.TicketID, "kind", m.Kind, "message_id", m.MessageID, "err", err)
			if uerr := s.store.Update(ctx, func(tx *ticketing.Tx) error { return tx.MarkFailed(m, err.Error(), s.now()) }); uerr != nil {
				return uerr
			}
			if m.Kind == KindCredentials {
				if serr := s.store.Scrub(ctx); serr != nil {
					return serr
				}
			}
			// The server still talks: reset the transaction and go on with the next mail.
			if err := client.ResetWithSMTPClient(sc); err != nil {
				return err
			}
			continue
		}
		if rerr := s.retry(ctx, m, err); rerr != nil {
			return rerr
		}
		return err // temporary: the connection may be gone, start afresh later
	}
	return nil
}

// recordSentFor bounds how long a sender insists on recording the mails the server accepted;
// well within claimLease, so that no other sender takes them meanwhile.
const recordSentFor = 30 * time.Second

// settle records in one transaction the mails sent (and whatever the sent log holds from a flush
// that stopped before recording it), gives back the claims of those not tried (unsent, claimed
// until lease: due again at once) and those a stopped flush left (noted in the log: flushes take
// the log in turn, so a claim noted there and not settled is no running flush's), then clears
// the log. The server already has the mails: if
// the database is busy (a lock held elsewhere beyond busy_timeout) it tries again for a while;
// if it gives up, the log keeps them for the next flush.
func (s *Sender) settle(ctx context.Context, log *sentLog, sent, unsent []*ticketing.OutMail, lease time.Time) error {
	noted, leases, err := log.noted(s.now())
	if err != nil {
		return err
	}
	for _, m := range sent {
		delete(noted, m.ID)
	}
	if len(sent) == 0 && len(noted) == 0 && len(unsent) == 0 && len(leases) == 0 {
		return nil
	}
	give := time.Now().Add(recordSentFor)
	delay := 100 * time.Millisecond
	for {
		// Recorded even when the daemon is stopping: the log would have them recorded at start.
		err := s.store.Update(context.WithoutCancel(ctx), func(tx *ticketing.Tx) error {
			for _, m := range sent {
				if err := tx.MarkSent(m, m.SentAt); err != nil {
					return err
				}
			}
			for _, id := range slices.Sorted(maps.Keys(noted)) {
				if err := tx.MarkSentID(id, noted[id]); err != nil {
					return err
				}
			}
			now := s.now()
			for _, m := range unsent {
				if _, err := tx.Claim(m, lease, now); err != nil { // claimed until lease: due now
					return err
				}
			}
			for _, l := range leases {
				if l.Equal(lease) {
					continue // this flush's own: unsent above, or still being sent
				}
				if err := tx.Unclaim(l, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			return log.clear()
		}
		if ctx.Err() != nil || time.Now().After(give) {
			return err
		}
		s.log.Error("cannot record a sent mail, retrying", "mails", len(sent)+len(noted), "retry_in", delay, "err", err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}

// transmit sends one mail on an open connection. timeout bounds each exchange, not the
// connection's life: a flush sends many mails over one connection.
func transmit(sc *smtp.Client, m *ticketing.OutMail, timeout time.Duration) error {
	if err := sc.UpdateDeadline(timeout); err != nil {
		return err
	}
	var w io.WriteCloser
	var err error
	if ok, _ := sc.Extension("PIPELINING"); ok && len(m.Rcpts) == 1 {
		w, err = pipeline(sc, m.From, m.Rcpts[0])
	} else {
		w, err = stepwise(sc, m.From, m.Rcpts, timeout)
	}
	if err != nil {
		return err
	}
	if err := sc.UpdateDeadline(timeout); err != nil {
		w.Close()
		return err
	}
	if err := writeData(sc.Text.W, w, m.Raw); err != nil {
		w.Close()
		return fmt.Errorf("write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("end of data: %w", err)
	}
	return nil
}

// stepwise starts a mail's transaction a command at a time, each answer awaited.
func stepwise(sc *smtp.Client, from string, rcpts []string, timeout time.Duration) (io.WriteCloser, error) {
	if err := sc.Mail(from); err != nil {
		return nil, fmt.Errorf("MAIL FROM: %w", err)
	}
	for _, r := range rcpts {
		if err := sc.UpdateDeadline(timeout); err != nil {
			return nil, err
		}
		if err := sc.Rcpt(r); err != nil {
			return nil, fmt.Errorf("RCPT TO %s: %w", r, err)
		}
	}
	if err := sc.UpdateDeadline(timeout); err != nil {
		return nil, err
	}
	w, err := sc.Data()
	if err != nil {
		return nil, fmt.Errorf("DATA: %w", err)
	}
	return w, nil
}

// pipeline starts a mail's transaction with a server that takes commands in a pipeline (RFC
// 2920): MAIL, RCPT and DATA go in one write, the same commands as stepwise's, and their
// answers are read after, one round trip instead of three. For one recipient only: with
// several, one refused must stop the mail before DATA, as stepwise does.
func pipeline(sc *smtp.Client, from, rcpt string) (io.WriteCloser, error) {
	if strings.ContainsAny(from+rcpt, "\r\n") {
		return nil, errors.New("smtp: A line must not contain CR or LF") // as sc.Mail and sc.Rcpt say
	}
	mail := "MAIL FROM:" + from
	if ok, _ := sc.Extension("8BITMIME"); ok {
		mail += " BODY=8BITMIME"
	}
	if ok, _ := sc.Extension("SMTPUTF8"); ok {
		mail += " SMTPUTF8"
	}
	t := sc.Text
	t.W.WriteString(mail + "\r\nRCPT TO:" + rcpt + "\r\nDATA\r\n")
	if err := t.W.Flush(); err != nil {
		return nil, fmt.Errorf("MAIL FROM: %w", err)
	}
	_, _, merr := t.ReadResponse(250)
	_, _, rerr := t.ReadResponse(25)
	_, _, derr := t.ReadResponse(354)
	switch {
	case merr != nil || rerr != nil:
		if derr == nil {
			// The server waits for the mail of a transaction it refused: leave it, so that it
			// delivers nothing.
			sc.Close()
		}
		if merr != nil {
			return nil, fmt.Errorf("MAIL FROM: %w", merr)
		}
		return nil, fmt.Errorf("RCPT TO %s: %w", rcpt, rerr)
	case derr != nil:
		return nil, fmt.Errorf("DATA: %w", derr)
	}
	return dataWriter{t.DotWriter(), t}, nil
}

// dataWriter is the mail's writer after a pipelined DATA: closing it ends the data and reads
// the server's answer, as sc.Data's writer does.
type dataWriter struct {
	io.WriteCloser
	t *textproto.Conn
}

func (d dataWriter) Close() error {
	d.WriteCloser.Close()
	_, _, err := d.t.ReadResponse(250)
	return err
}

// writeData writes raw through dw, the DATA writer that textproto's DotWriter makes on bw, with
// the same bytes on the wire. The DotWriter handles a mail a byte at a time (about a tenth of
// the sender's CPU in a backlog); the outbox's mails are CRLF lines already, so all but their
// last line go straight to bw with only a leading dot doubled (RFC 5321 4.5.2), and the last
// line through dw, which then ends the data as it would have. Anything else (a bare CR or LF)
// goes through dw whole.
func writeData(bw *bufio.Writer, dw io.Writer, raw []byte) error {
	crlf := bytes.Count(raw, []byte("\r\n"))
	last := bytes.LastIndexByte(raw[:max(len(raw)-1, 0)], '\n') + 1 // where the last line starts
	if last == 0 || crlf != bytes.Count(raw, []byte("\n")) || crlf != bytes.Count(raw, []byte("\r")) {
		_, err := dw.Write(raw)
		return err
	}
	head := raw[:last]
	if head[0] == '.' {
		bw.WriteByte('.')
	}
	for {
		i := bytes.Index(head, []byte("\n."))
		if i < 0 {
			break
		}
		bw.Write(head[:i+1])
		bw.WriteByte('.')
		head = head[i+1:]
	}
	bw.Write(head)
	_, err := dw.Write(raw[last:]) // bw's error, if any, sticks: dw reports it
	return err
}

// retry schedules another attempt with exponential backoff, or gives up after MaxAttempts.
func (s *Sender) retry(ctx context.Context, m *ticketing.OutMail, cause error) error {
	now := s.now()
	if m.Attempts+1 >= s.MaxAttempts {
		s.log.Error("mail given up", "ticket", m.TicketID, "kind", m.Kind, "attempts", m.Attempts+1, "err", cause)
		if err := s.store.Update(ctx, func(tx *ticketing.Tx) error {
			return tx.MarkFailed(m, "too many temporary failures: "+cause.Error(), now)
		}); err != nil || m.Kind != KindCredentials {
			return err
		}
		return s.store.Scrub(ctx)
	}
	delay := min(s.baseDelay<<m.Attempts, 2*time.Hour)
	s.log.Warn("mail deferred", "ticket", m.TicketID, "kind", m.Kind, "retry_in", delay, "err", cause)
	return s.store.Update(ctx, func(tx *ticketing.Tx) error { return tx.MarkRetry(m, now.Add(delay), cause.Error()) })
}

// permanent tells a 5xx answer (give up) from anything else (try again).
func permanent(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500 && te.Code < 600
}
