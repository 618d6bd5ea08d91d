package mailbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"mailbot/parsers"
	"mailbot/templates"
	"mailbot/ticketing"
)

// Incoming is one message fetched from a watched mailbox and already stored as a blob.
type Incoming struct {
	Mailbox     string
	UIDValidity uint32
	UID         uint32
	Blob        string // content hash of the stored raw message
	Size        int64
	Oversize    bool // only the head was kept: the message is over the size limit
	Silent      bool // record without answering (first_start = "import")
}

// Intake turns incoming messages into ticket events and queues the replies, each message in one
// transaction together with the watcher's position, so that a crash at any instant either
// leaves the message to be fetched again or records it, its reply and the new position at once.
type Intake struct {
	cfg   *Config
	store *ticketing.Store
	log   *slog.Logger
	now   func() time.Time
	kick  func() // wakes the outbox
}

// NewIntake wires an intake; now is the clock (tests pass a fake one).
func NewIntake(cfg *Config, store *ticketing.Store, log *slog.Logger, now func() time.Time, kick func()) *Intake {
	if kick == nil {
		kick = func() {}
	}
	return &Intake{cfg: cfg, store: store, log: log, now: now, kick: kick}
}

// decision is what intake does with one message.
type decision struct {
	ticketID   string // existing ticket, or "" to open one / quarantine
	open       bool   // open a new ticket
	auto       string // reason not to answer
	quarantine string // reason to hold for a person
	reply      string // template of the reply, "" for none
	event      string // text of the ticket event
}

// Process records one message. It returns an error only when the store fails; what is wrong
// with the message itself ends as a quarantine reason, never as an error.
func (in *Intake) Process(ctx context.Context, m Incoming) error {
	env, perr := in.envelope(m)
	now := in.now()
	var queued bool
	err := in.store.Update(ctx, func(tx *ticketing.Tx) error {
		queued = false
		uv, last, known, err := tx.MailboxState(m.Mailbox)
		if err != nil {
			return err
		}
		if known && uv == m.UIDValidity && m.UID <= last {
			return nil // processed before a crash or a reconnect: nothing to do
		}
		advance := func() error { return tx.SetMailboxState(m.Mailbox, m.UIDValidity, m.UID) }
		if perr != nil {
			rec := &ticketing.Message{Direction: "in", MessageID: "unparsable-" + m.Blob[:32] + "@mailbot.invalid",
				Digest: m.Blob, Blob: m.Blob, Quarantine: "messaggio non leggibile: " + perr.Error(), ReceivedAt: now}
			id, err := in.upsert(tx, rec)
			if err != nil {
				return err
			}
			if err := tx.AddCopy(id, m.Mailbox, m.UIDValidity, m.UID); err != nil {
				return err
			}
			return advance()
		}
		if id, _, err := tx.FindMessage(env.MessageID, env.Digest); err == nil {
			// The same message in another mailbox (or again): one event, every copy recorded.
			if err := tx.AddCopy(id, m.Mailbox, m.UIDValidity, m.UID); err != nil {
				return err
			}
			return advance()
		} else if !errors.Is(err, ticketing.ErrNotFound) {
			return err
		}
		d, err := in.decide(tx, env, m)
		if err != nil {
			return err
		}
		var tk *ticketing.Ticket
		if d.open {
			if tk, err = tx.NewTicket(ticketing.KindIntegration, env.Subject, replyTo(env), env.From, now, in.cfg.Location()); err != nil {
				return err
			}
		} else if d.ticketID != "" {
			if tk, err = tx.Ticket(d.ticketID); err != nil {
				return err
			}
		}
		rec := &ticketing.Message{Direction: "in", MessageID: env.MessageID, Digest: env.Digest, Blob: m.Blob,
			From: env.From, To: append(append([]string{}, env.To...), env.Cc...), Subject: env.Subject, Date: env.Date,
			Auto: d.auto, Quarantine: d.quarantine, ReceivedAt: now}
		if tk != nil {
			rec.TicketID = tk.ID
		}
		id, err := tx.AddMessage(rec)
		if err != nil {
			return err
		}
		if err := tx.AddCopy(id, m.Mailbox, m.UIDValidity, m.UID); err != nil {
			return err
		}
		if tk != nil && d.event != "" {
			if err := tx.AddEvent(tk.ID, ticketing.Event{At: now, Type: ticketing.EventMessage, By: env.From, Text: d.event}); err != nil {
				return err
			}
		}
		if d.reply != "" && !m.Silent {
			if queued, err = in.queueReply(tx, tk, env, d.reply, now); err != nil {
				return err
			}
		}
		return advance()
	})
	if err != nil {
		return fmt.Errorf("record %s uid %d: %w", m.Mailbox, m.UID, err)
	}
	if queued {
		in.kick()
	}
	return nil
}

// envelope reads the stored message's header.
func (in *Intake) envelope(m Incoming) (*parsers.Envelope, error) {
	f, err := in.store.OpenBlob(m.Blob)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parsers.ReadEnvelope(f)
}

// upsert records a message unless an identical one is already there.
func (in *Intake) upsert(tx *ticketing.Tx, rec *ticketing.Message) (int64, error) {
	if id, _, err := tx.FindMessage(rec.MessageID, rec.Digest); err == nil {
		return id, nil
	} else if !errors.Is(err, ticketing.ErrNotFound) {
		return 0, err
	}
	return tx.AddMessage(rec)
}

// decide finds where a message belongs and whether it gets an answer.
func (in *Intake) decide(tx *ticketing.Tx, env *parsers.Envelope, m Incoming) (decision, error) {
	var d decision
	ticketID, err := in.thread(tx, env)
	if err != nil {
		return d, err
	}
	own := in.cfg.ownAddresses()
	switch {
	case env.OurLoop || own[env.From]:
		d.auto = "mail sent by mailbot itself"
	case env.Receipt != "":
		d.auto = "PEC receipt: " + env.Receipt
	case env.AutoReason != "":
		d.auto = env.AutoReason
	case own[replyTo(env)]:
		d.auto = "reply address is one of our own mailboxes"
	}
	if ticketID == "" && env.Receipt != "" && env.ReceiptFor != "" {
		ticketID, err = tx.TicketByMessageID(env.ReceiptFor)
		if err != nil && !errors.Is(err, ticketing.ErrNotFound) {
			return d, err
		}
	}
	switch {
	case ticketID != "":
		d.ticketID = ticketID
		d.event = "messaggio ricevuto: " + env.Subject
		if d.auto != "" {
			d.event = "messaggio automatico registrato (" + d.auto + "): " + env.Subject
		}
	case d.auto != "":
		d.quarantine = "automatic message matching no ticket: " + d.auto
	case m.Oversize:
		d.quarantine = fmt.Sprintf("message of %d bytes is over the limit of %d bytes", m.Size, in.cfg.Limits.MaxMessageSize)
		d.reply = "oversize"
	default:
		d.open = true
		d.event = ""
		d.reply = "ack"
	}
	return d, nil
}

// thread finds the ticket a message continues: by the [ID] tag in its subject, then by its
// In-Reply-To and References against every message of every ticket, ours included.
func (in *Intake) thread(tx *ticketing.Tx, env *parsers.Envelope) (string, error) {
	for _, id := range parsers.TicketIDs(env.Subject) {
		if _, err := tx.Ticket(id); err == nil {
			return id, nil
		} else if !errors.Is(err, ticketing.ErrNotFound) {
			return "", err
		}
	}
	refs := append(append([]string{}, env.InReplyTo...), reverse(env.References)...)
	for _, ref := range refs {
		id, err := tx.TicketByMessageID(ref)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, ticketing.ErrNotFound) {
			return "", err
		}
	}
	return "", nil
}

// queueReply renders and queues an automatic answer, unless the per-recipient rate limit says
// enough (the backstop against loops no header check caught).
func (in *Intake) queueReply(tx *ticketing.Tx, tk *ticketing.Ticket, env *parsers.Envelope, name string, now time.Time) (bool, error) {
	to := replyTo(env)
	ticketID := ""
	if tk != nil {
		ticketID = tk.ID
	}
	if to == "" {
		return false, nil
	}
	if limited, why, err := in.rateLimited(tx, to, now); err != nil {
		return false, err
	} else if limited {
		in.log.Warn("automatic reply withheld by rate limit", "ticket", ticketID, "rcpt", to, "why", why)
		if tk != nil {
			return false, tx.AddEvent(tk.ID, ticketing.Event{At: now, Type: ticketing.EventLimited, By: "mailbot", Text: to + ": " + why})
		}
		return false, nil
	}
	data := replyData{TicketID: ticketID, Name: env.FromName, Subject: env.Subject, NextStep: nextStepFirst}
	if !env.Date.IsZero() {
		data.Received = env.Date.In(in.cfg.Location()).Format("02/01/2006 15:04")
	}
	if tk == nil {
		data.Limit = fmt.Sprintf("%d MB", in.cfg.Limits.MaxMessageSize>>20)
	}
	body, err := templates.Render(name, data)
	if err != nil {
		return false, err
	}
	subject := body.Subject
	if subject == "" {
		subject = replySubject(env.Subject, ticketID)
	}
	o := outgoing{TicketID: ticketID, Kind: name, To: []string{to}, Subject: subject, Body: body,
		InReplyTo: env.MessageID, References: env.References, Auto: true}
	if env.Synthetic {
		o.InReplyTo = "" // a made-up ID would mislead the referent's client
	}
	return true, in.enqueue(tx, o, now)
}

// enqueue renders o and queues it, recording it as an outgoing message of its ticket so that a
// reply to it threads back even without the subject tag.
func (in *Intake) enqueue(tx *ticketing.Tx, o outgoing, now time.Time) error {
	domain := in.cfg.replyAddress()
	domain = domain[strings.LastIndexByte(domain, '@')+1:]
	msgID := newMessageID(o.TicketID, domain)
	raw, err := render(o, in.cfg.ReplyFrom, msgID, now)
	if err != nil {
		return err
	}
	if err := tx.Enqueue(&ticketing.OutMail{TicketID: o.TicketID, MessageID: msgID, Kind: o.Kind,
		From: in.cfg.replyAddress(), Rcpts: o.To, Raw: raw, Auto: o.Auto}, now); err != nil {
		return err
	}
	if o.TicketID == "" {
		return nil
	}
	if _, err := tx.AddMessage(&ticketing.Message{TicketID: o.TicketID, Direction: "out", MessageID: msgID,
		Digest: "out", From: in.cfg.replyAddress(), To: o.To, Subject: o.Subject, Date: now, ReceivedAt: now}); err != nil {
		return err
	}
	return tx.AddEvent(o.TicketID, ticketing.Event{At: now, Type: ticketing.EventReply, By: "mailbot",
		Text: o.Kind + " a " + strings.Join(o.To, ", ")})
}

func (in *Intake) rateLimited(tx *ticketing.Tx, rcpt string, now time.Time) (bool, string, error) {
	rl := in.cfg.RateLimit
	n, err := tx.AutoRepliesSince(rcpt, now.Add(-rl.Window.Duration))
	if err != nil {
		return false, "", err
	}
	if n >= rl.PerWindow {
		return true, fmt.Sprintf("%d automatic replies in %s", n, rl.Window.Duration), nil
	}
	n, err = tx.AutoRepliesSince(rcpt, now.Add(-24*time.Hour))
	if err != nil {
		return false, "", err
	}
	if n >= rl.PerDay {
		return true, fmt.Sprintf("%d automatic replies in a day", n), nil
	}
	return false, "", nil
}

// replyData is what the reply templates see.
type replyData struct {
	TicketID    string
	Name        string
	Subject     string
	Received    string
	NextStep    string
	Attachments []string
	Missing     []string
	Limit       string
}

const nextStepFirst = "verificheremo i moduli Informativa Generale dell'ente e Qualificazione Ente-Prodotto e, se completi, predisporremo l'ambiente di collaudo e le invieremo le credenziali di accesso."

// replySubject is "Re: <subject> [ID]", without stacking prefixes or tags.
func replySubject(subject, ticketID string) string {
	s := strings.TrimSpace(subject)
	for {
		l := strings.ToLower(s)
		if strings.HasPrefix(l, "re:") || strings.HasPrefix(l, "r:") || strings.HasPrefix(l, "fw:") || strings.HasPrefix(l, "i:") {
			s = strings.TrimSpace(s[strings.IndexByte(s, ':')+1:])
			continue
		}
		break
	}
	if ticketID != "" {
		s = strings.TrimSpace(strings.ReplaceAll(s, "["+ticketID+"]", ""))
		return "Re: " + s + " [" + ticketID + "]"
	}
	return "Re: " + s
}

func replyTo(env *parsers.Envelope) string {
	if env.ReplyTo != "" {
		return env.ReplyTo
	}
	return env.From
}

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
