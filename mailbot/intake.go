package mailbot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"time"

	"mailbot/mailaddr"
	"mailbot/parsers"
	"mailbot/templates"
	"mailbot/templates/say"
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
	cfg    *Config
	store  *ticketing.Store
	log    *slog.Logger
	now    func() time.Time
	post   post
	limits parsers.Limits
	// preparing bounds the messages prepared at once by all watchers together (see maxPreparing).
	preparing chan struct{}

	// Documents, if set, reads each message's documents in worker processes (the daemon's);
	// nil reads them in this process, for tests that need no isolation.
	Documents *ReaderPool

	// Health, if set, is told how reading documents goes.
	Health *Health

	// OnChange, if set, is told after a commit that a published catalog changed.
	OnChange func(catalog string)

	// recordFault, in tests, makes recording a message fail as a store or a bug would.
	recordFault func(Incoming) error
}

// Catalogs that a case can change.
const (
	CatalogProducts = "prodotti"
	CatalogEnti     = "enti"
)

// NewIntake wires an intake; now is the clock (tests pass a fake one); wake wakes the outbox
// after a transaction that queued mail commits (nil: nothing to wake).
func NewIntake(cfg *Config, store *ticketing.Store, log *slog.Logger, now func() time.Time, wake func()) *Intake {
	lim := parsers.Limits{MaxMessageBytes: cfg.Limits.MaxMessageSize}.WithDefaults()
	return &Intake{cfg: cfg, store: store, log: log, now: now, post: post{cfg, wake}, limits: lim,
		preparing: make(chan struct{}, min(runtime.GOMAXPROCS(0), maxPreparing))}
}

// maxPreparing bounds the messages prepared at once, whatever the cores: each holds its
// attachment (up to Limits.MaxDocumentBytes) and its body text while it is read, and the
// documents themselves are read at most two at a time (parsers.ReadDocument), so more would
// only add memory.
const maxPreparing = 4

// changed tells OnChange, once tx commits, that a catalog changed.
func (in *Intake) changed(tx *ticketing.Tx, catalog string) {
	if in.OnChange != nil {
		tx.AfterCommit(func() { in.OnChange(catalog) })
	}
}

// decision is where a message belongs and why it is not answered.
type decision struct {
	ticketID   string // existing ticket, or "" to open one / quarantine
	open       string // kind of ticket to open, "" for none
	auto       string // reason not to answer
	quarantine string // reason to hold for a person, for the log and the quarantine list
	// held: why it is held, which decides what else happens (an answer, a notice to staff).
	held ticketing.QuarantineKind
}

// Prepared is an incoming message read and analysed, ready to be recorded. Preparing touches
// no shared state, so a batch is prepared in parallel and recorded in order.
type Prepared struct {
	m    Incoming
	msg  message
	perr error
}

// Prepare reads and analyses a stored message.
func (in *Intake) Prepare(m Incoming) Prepared {
	data, held, open, done := in.openStored(m)
	defer done()
	var (
		env  *parsers.Envelope
		perr error
		raw  *parsers.Message // the header read once for both readings
	)
	if held {
		if raw, perr = parsers.ReadMessage(data); perr == nil {
			env = raw.Envelope()
		}
	} else {
		env, perr = in.envelope(open)
	}
	p := Prepared{m: m, msg: message{env: env}, perr: perr}
	if perr == nil && !m.Oversize {
		p.msg.an = in.analyze(m, raw, open)
		in.verifyPEC(m, p.msg.an)
		if an := p.msg.an; an != nil && an.PEC != nil && an.Receipt == "" && parsers.ValidMessageID(an.MessageID) {
			// A PEC envelope stands for the message inside it: that is the ID the sender, its
			// receipts and any reply know.
			env.MessageID, env.Synthetic = an.MessageID, false
		}
	}
	return p
}

// Process prepares and records one message.
func (in *Intake) Process(ctx context.Context, m Incoming) error {
	return in.Record(ctx, in.Prepare(m))
}

// Record records one prepared message. It returns an error only when the store fails; what is
// wrong with the message itself ends as a quarantine reason or a reply, never as an error.
func (in *Intake) Record(ctx context.Context, p Prepared) error {
	return in.RecordBatch(ctx, []Prepared{p})
}

// maxAttempts is how many times intake tries to record a message before it records it as
// quarantined: no single message may stop its mailbox.
const maxAttempts = 3

// RecordBatch records prepared messages of one mailbox, in order, in one transaction: all of them
// with their replies and the mailbox position, or none (a crash refetches them). Committing
// once per batch instead of once per message is most of intake's speed on a backlog.
//
// When one message fails, those before it are recorded without it, and the failed attempt at it
// is counted in the database: at the maxAttempts-th it is recorded as quarantined with its
// error, so that the mailbox moves on, and the rest of the batch follows. Until then the error
// is returned and the watcher fetches the message again. A store that fails as a whole (cannot
// begin or commit) counts against no message.
func (in *Intake) RecordBatch(ctx context.Context, batch []Prepared) error {
	for len(batch) > 0 {
		err := in.recordGroup(ctx, batch)
		var re *recordError
		if err == nil || ctx.Err() != nil || !errors.As(err, &re) {
			return err
		}
		if re.i > 0 {
			if err := in.RecordBatch(ctx, batch[:re.i]); err != nil {
				return err
			}
		}
		if err := in.recordFailed(ctx, batch[re.i], err); err != nil {
			return err
		}
		batch = batch[re.i+1:]
	}
	return nil
}

// recordError is the failure of the i-th message of a group.
type recordError struct {
	i   int
	err error
}

func (e *recordError) Error() string { return e.err.Error() }
func (e *recordError) Unwrap() error { return e.err }

// recordGroup records messages in one transaction.
func (in *Intake) recordGroup(ctx context.Context, batch []Prepared) error {
	now := in.now()
	return in.store.Update(ctx, func(tx *ticketing.Tx) error {
		pos := mailboxPositions{}
		for i, p := range batch {
			if err := in.recordOne(tx, p, pos, now); err != nil {
				return &recordError{i, fmt.Errorf("record %s uid %d: %w", p.m.Mailbox, p.m.UID, err)}
			}
		}
		return pos.write(tx)
	})
}

// mailboxPositions are where a group's mailboxes stand as its transaction records them: each read
// once and written once, before the commit, rather than at every message (three statements
// fewer a message; the transaction commits all of it or none).
type mailboxPositions map[string]*mailboxPosition

type mailboxPosition struct {
	uv, last     uint32
	known, moved bool
	// recorded is the highest UID recorded under each UIDVALIDITY: the attempts at it and
	// before it are forgotten.
	recorded map[uint32]uint32
}

// of is where mailbox stands in this transaction.
func (ps mailboxPositions) of(tx *ticketing.Tx, mailbox string) (*mailboxPosition, error) {
	if p, ok := ps[mailbox]; ok {
		return p, nil
	}
	uv, last, known, err := tx.MailboxState(mailbox)
	if err != nil {
		return nil, err
	}
	p := &mailboxPosition{uv: uv, last: last, known: known}
	ps[mailbox] = p
	return p, nil
}

// done reports whether m was processed before (a crash or a reconnect fetched it again).
func (p *mailboxPosition) done(m Incoming) bool {
	return p.known && p.uv == m.UIDValidity && m.UID <= p.last
}

// advance moves the position past m, recorded.
func (p *mailboxPosition) advance(m Incoming) {
	p.uv, p.last, p.known, p.moved = m.UIDValidity, m.UID, true, true
	if p.recorded == nil {
		p.recorded = map[uint32]uint32{}
	}
	p.recorded[m.UIDValidity] = max(p.recorded[m.UIDValidity], m.UID)
}

// write stores the positions that moved and forgets the failed attempts at what was recorded.
func (ps mailboxPositions) write(tx *ticketing.Tx) error {
	for mailbox, p := range ps {
		if !p.moved {
			continue
		}
		if err := tx.SetMailboxState(mailbox, p.uv, p.last); err != nil {
			return err
		}
		for uv, uid := range p.recorded {
			if err := tx.ClearAttemptsThrough(mailbox, uv, uid); err != nil {
				return err
			}
		}
	}
	return nil
}

// recordOne is recordTx with a panic turned into an error: a message that crashes intake must
// be counted and quarantined like one that fails, not crash the daemon again at every start.
func (in *Intake) recordOne(tx *ticketing.Tx, p Prepared, pos mailboxPositions, now time.Time) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return in.recordTx(tx, p, pos, now)
}

// recordTx records one message in tx.
func (in *Intake) recordTx(tx *ticketing.Tx, p Prepared, pos mailboxPositions, now time.Time) error {
	m, msg, env, perr := p.m, p.msg, p.msg.env, p.perr
	if in.recordFault != nil {
		if err := in.recordFault(m); err != nil {
			return err
		}
	}
	at, err := pos.of(tx, m.Mailbox)
	if err != nil {
		return err
	}
	if at.done(m) {
		return nil // processed before a crash or a reconnect: nothing to do
	}
	advance := func() error {
		at.advance(m)
		return nil
	}
	if perr != nil {
		rec := &ticketing.Message{Direction: "in", MessageID: parsers.MadeUpMessageID("unparsable", m.Blob),
			Digest: m.Blob, Blob: m.Blob, Quarantine: "unreadable message: " + perr.Error(),
			QuarantineKind: ticketing.QuarantineUnreadable, ReceivedAt: now}
		id, _, err := in.upsert(tx, rec)
		if err != nil {
			return err
		}
		if err := tx.AddCopy(id, m.Mailbox, m.UIDValidity, m.UID); err != nil {
			return err
		}
		return advance()
	}
	if id, ticketID, err := tx.FindMessage(env.MessageID, env.Digest); err == nil {
		// The same message in another mailbox (or again): one event, every copy recorded.
		if err := tx.AddCopy(id, m.Mailbox, m.UIDValidity, m.UID); err != nil {
			return err
		}
		if err := in.redactIfSecret(tx, ticketID, msg, m.Blob); err != nil {
			return err
		}
		return advance()
	} else if !errors.Is(err, ticketing.ErrNotFound) {
		return err
	}
	d, err := in.decide(tx, msg, m)
	if err != nil {
		return err
	}
	var tk *ticketing.Ticket
	if d.open != "" {
		if tk, err = tx.NewTicket(d.open, echoText(msg.subject(), maxEcho), msg.from(), msg.from(), now, in.cfg.Location()); err != nil {
			return err
		}
	} else if d.ticketID != "" {
		if tk, err = tx.Ticket(d.ticketID); err != nil {
			return err
		}
	}
	rec := &ticketing.Message{Direction: "in", MessageID: env.MessageID, Digest: env.Digest, Blob: m.Blob,
		From: msg.from(), To: append(append([]string{}, env.To...), env.Cc...), Subject: msg.subject(), Date: env.Date,
		Auto: d.auto, Quarantine: d.quarantine, QuarantineKind: d.held, ReceivedAt: now}
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
	msg.rec = id
	if err := in.respond(tx, tk, msg, m, d, now); err != nil {
		return err
	}
	if err := in.redactIfSecret(tx, rec.TicketID, msg, m.Blob); err != nil {
		return err
	}
	return advance()
}

// respond does what a recorded message calls for: a staff member's commands, a step of the
// referent's case, or only an event.
func (in *Intake) respond(tx *ticketing.Tx, tk *ticketing.Ticket, msg message, m Incoming, d decision, now time.Time) error {
	env := msg.env
	if tk == nil {
		if d.held == ticketing.QuarantineOversize && !m.Silent {
			return in.queueReply(tx, nil, msg, "oversize", outcome{}, now)
		}
		if d.held == ticketing.QuarantineUnanswerable { // staff must hear of it
			return in.notifyQuarantine(tx, whyUnanswerable, d.quarantine, msg.from(), msg.subject(), m, now)
		}
		if d.held == ticketing.QuarantineStaffUnmatched && !m.Silent { // their commands are answered
			return in.answerUnmatched(tx, msg, now)
		}
		return nil
	}
	if d.auto != "" {
		return tx.AddEvent(tk.ID, ticketing.Event{At: now, Type: ticketing.EventAuto, By: msg.from(),
			Text: say.Text("intake.auto_event", d.auto, msg.subject())})
	}
	if in.cfg.IsStaff(env.From) {
		return in.staffMessage(tx, tk, msg, now)
	}
	viaReplyTo := false
	if d.open == "" {
		// A new request is from its requester by definition; anything later must come from
		// someone the case names (senders.go).
		onCase, rt, err := senderOnCase(tx, tk, msg)
		if err != nil {
			return err
		}
		if !onCase && !rt {
			return in.senderNotOnCase(tx, tk, msg, now)
		}
		viaReplyTo = rt
	}
	if why := in.untrustedReason(msg, viaReplyTo); why != "" {
		return in.untrusted(tx, tk, msg, why, now)
	}
	if d.open == "" {
		if err := tx.AddEvent(tk.ID, ticketing.Event{At: now, Type: ticketing.EventMessage, By: msg.from(), Text: say.Text("intake.received_event", msg.subject())}); err != nil {
			return err
		}
	}
	o, err := in.step(tx, tk, msg, d.open != "", now)
	if err != nil {
		return err
	}
	if rt := mailaddr.Parse(msg.env.ReplyTo).String(); rt != "" && rt != mailaddr.Parse(msg.from()).String() {
		// Never used: shown so that a person notices a sender steering answers elsewhere.
		if o.staffNotice == "" {
			o.staffNotice = say.Text("notice.reply_to")
		}
		o.staffLines = append(o.staffLines, say.Text("staff.line.reply_to", echoText(rt, maxEcho)))
	}
	if o.staffNotice != "" {
		if err := in.notifyStaff(tx, tk, o.staffNotice, now, o.staffLines...); err != nil {
			return err
		}
	}
	if m.Silent {
		return nil
	}
	if o.reply != "" {
		if err := in.queueReply(tx, tk, msg, o.reply, o, now); err != nil {
			return err
		}
	}
	if len(o.changes) > 0 { // the sender hears that a person checks them first
		if err := in.queueReply(tx, tk, msg, "change_checking", o, now); err != nil {
			return err
		}
		if tk.Requester != "" && !mailaddr.Same(tk.Requester, msg.from()) {
			return in.tellChanges(tx, tk, msg, o.changes, now)
		}
	}
	return nil
}

// tellChanges tells the referent of the changes someone else on the case proposed: the one
// whose payments or case they would redirect hears of it, whoever asked.
func (in *Intake) tellChanges(tx *ticketing.Tx, tk *ticketing.Ticket, msg message, changes []string, now time.Time) error {
	body, err := templates.Render("change_checking", replyData{TicketID: tk.ID, Subject: echoText(msg.subject(), maxEcho),
		Changes: changes, ChangedBy: echoText(msg.from(), maxEcho)})
	if err != nil {
		return err
	}
	_, err = in.post.queue(tx, outgoing{TicketID: tk.ID, Kind: "change_checking", To: []string{tk.Requester},
		Subject: replySubject(tk.Subject, tk.ID), Body: body}, now)
	return err
}

// analyze reads a stored message's content; a failure leaves the message to be answered on its
// envelope alone.
func (in *Intake) analyze(m Incoming, raw *parsers.Message, open func() (io.ReadCloser, error)) *parsers.Analysis {
	start := time.Now()
	rd := parsers.InProcess
	if in.Documents != nil {
		rd = in.Documents.Message(Budget{CPU: in.cfg.Limits.MessageReadCPU.Duration, Documents: in.cfg.Limits.MessageDocuments})
	}
	var (
		an  *parsers.Analysis
		err error
	)
	if raw != nil {
		an, err = raw.Analyze(in.limits, rd)
	} else {
		f, oerr := open()
		if oerr != nil {
			in.log.Error("open stored message", "blob", m.Blob, "err", oerr)
			return nil
		}
		defer f.Close()
		an, err = parsers.AnalyzeWith(f, in.limits, rd)
	}
	if err != nil {
		in.log.Warn("message content not understood", "blob", m.Blob, "err", err)
		return nil
	}
	in.Health.read(time.Since(start), slices.Concat(an.Unreadable, an.Rejected))
	return an
}

// envelope reads the stored message's header.
func (in *Intake) envelope(open func() (io.ReadCloser, error)) (*parsers.Envelope, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parsers.ReadEnvelope(f)
}

// upsert records a message unless an identical one is already there; isNew says which.
func (in *Intake) upsert(tx *ticketing.Tx, rec *ticketing.Message) (id int64, isNew bool, err error) {
	if id, _, err := tx.FindMessage(rec.MessageID, rec.Digest); err == nil {
		return id, false, nil
	} else if !errors.Is(err, ticketing.ErrNotFound) {
		return 0, false, err
	}
	id, err = tx.AddMessage(rec)
	return id, err == nil, err
}

// decide finds where a message belongs and whether it may be answered.
func (in *Intake) decide(tx *ticketing.Tx, msg message, m Incoming) (decision, error) {
	var d decision
	env := msg.env
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
	case msg.an != nil && msg.an.Auto:
		d.auto = msg.an.AutoReason
	case own[msg.from()]:
		d.auto = "reply address is one of our own mailboxes"
	}
	if ticketID == "" && env.Receipt != "" && env.ReceiptFor != "" {
		ticketID, err = tx.TicketByMessageID(env.ReceiptFor)
		if err != nil && !errors.Is(err, ticketing.ErrNotFound) {
			return d, err
		}
	}
	kind := kindOf(msg)
	if ticketID == "" && d.auto == "" && !in.cfg.IsStaff(env.From) {
		// A new message about an ente that already has an open case joins it.
		if ticketID, err = in.enteTicket(tx, kind, msg); err != nil {
			return d, err
		}
	}
	switch {
	case ticketID != "":
		d.ticketID = ticketID
	case d.auto != "" && env.OurLoop:
		// Our own mail come back (the digest or a notice sent to a watched address) is kept
		// quietly; a loop header on mail we never sent is someone else's doing.
		if ours, err := tx.QueuedByUs(env.MessageID); err != nil {
			return d, err
		} else if !ours {
			d.held, d.quarantine = ticketing.QuarantineLoop, "automatic message matching no ticket: loop header on mail mailbot did not send"
		}
	case d.auto != "":
		d.held, d.quarantine = ticketing.QuarantineAutomatic, "automatic message matching no ticket: "+d.auto
	case m.Oversize:
		d.held, d.quarantine = ticketing.QuarantineOversize, fmt.Sprintf("message of %d bytes is over the limit of %d bytes", m.Size, in.cfg.Limits.MaxMessageSize)
	case in.cfg.IsStaff(env.From):
		d.held, d.quarantine = ticketing.QuarantineStaffUnmatched, "staff message matching no ticket"
	default:
		d.open = kind
	}
	if d.open != "" {
		if err := replyable(msg.from()); err != nil {
			// No answer can reach the sender: a person looks at the message, and no case is
			// opened for an address nobody can write to. (On an existing case, queueReply
			// skips the answer and senders.go decides what the message may do.)
			d.open, d.held, d.quarantine = "", ticketing.QuarantineUnanswerable, "sender address cannot be answered: "+err.Error()
		}
	}
	return d, nil
}

// enteTicket finds the open case of the ente named by a message's forms.
func (in *Intake) enteTicket(tx *ticketing.Tx, kind string, msg message) (string, error) {
	for _, f := range msg.forms() {
		// Only a code read with confidence joins a case: a misread one could hand the message
		// to another ente's case.
		cf, ipa := sureText(f, parsers.KeyEnteCodiceFiscale), sureText(f, parsers.KeyEnteCodiceIpa)
		if cf == "" && ipa == "" {
			continue
		}
		id, err := tx.OpenTicketForEnte(kind, cf, ipa)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, ticketing.ErrNotFound) {
			return "", err
		}
	}
	return "", nil
}

// sureText is a form's text field if it was read with confidence, else "".
func sureText(f parsers.Form, key string) string {
	v, _ := f.Fields[key].(string)
	if p, ok := f.Provenance[key]; ok && !p.Sure {
		return ""
	}
	return v
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

// queueReply renders and queues an automatic answer to the sender of msg, unless the
// per-recipient rate limit says enough (the backstop against loops no header check caught).
func (in *Intake) queueReply(tx *ticketing.Tx, tk *ticketing.Ticket, msg message, name string, o outcome, now time.Time) error {
	to := msg.from()
	ticketID := ""
	if tk != nil {
		ticketID = tk.ID
	}
	if to == "" {
		return nil
	}
	if err := replyable(to); err != nil {
		// Rendering would fail and, with it, recording the message: no answer is possible.
		in.log.Warn("automatic reply impossible: address refused", "ticket", ticketID, "err", err)
		if tk != nil {
			return tx.AddEvent(tk.ID, ticketing.Event{At: now, Type: ticketing.EventMessage, By: "mailbot",
				Text: say.Text("notice.unreplyable_event", err.Error())})
		}
		return nil
	}
	sender := senderAddress(msg)
	counts, err := in.autoCountsOf(tx, sender, to, now)
	if err != nil {
		return err
	}
	if limited, why := in.rateLimited(counts); limited {
		in.log.Warn("automatic reply withheld by rate limit", "ticket", ticketID, "why", why)
		if tk != nil {
			return tx.AddEvent(tk.ID, ticketing.Event{At: now, Type: ticketing.EventLimited, By: "mailbot", Text: to + ": " + why})
		}
		return nil
	}
	capped, held := in.hourlyCapped(counts)
	data := replyData{TicketID: ticketID, Name: displayName(msg.env.FromName), Subject: echoText(msg.subject(), maxEcho),
		NextStep: o.nextStep, New: o.isNew,
		Question: echoText(o.question, maxEcho), Step: o.step, Changes: o.changes}
	if !msg.env.Date.IsZero() {
		data.Received = msg.env.Date.In(in.cfg.Location()).Format("02/01/2006 15:04")
	}
	if tk == nil {
		data.Limit = fmt.Sprintf("%d MB", in.cfg.Limits.MaxMessageSize>>20)
	} else {
		data.State = ticketing.StateLabel(tk.State)
	}
	var sources []string
	for _, f := range msg.forms() {
		if f.Source != "" && f.Source != parsers.SourceBody {
			sources = append(sources, f.Source)
		}
	}
	data.Attachments = echoItems(sources)
	for _, m := range o.missing {
		// Bounded in number by the forms' schema and by the lists in step; a value read from a
		// form may be long.
		data.Missing = append(data.Missing, echoText(m, maxEchoLine))
	}
	body, err := templates.Render(name, data)
	if err != nil {
		return err
	}
	subject := body.Subject
	if subject == "" {
		subject = replySubject(echoText(msg.subject(), maxEcho), ticketID)
	}
	out := outgoing{TicketID: ticketID, Kind: name, To: []string{to}, Subject: subject, Body: body,
		InReplyTo: msg.env.MessageID, References: msg.env.References, Auto: true, Answering: sender}
	if msg.env.Synthetic {
		out.InReplyTo = "" // a made-up ID would mislead the referent's client
	}
	if out.Attachments, err = blankForms(o.blankForms); err != nil {
		return err
	}
	if capped {
		out.Held = held
		if _, err := in.post.queue(tx, out, now); err != nil {
			return err
		}
		return in.holdForStaff(tx, tk, name, to, held, now)
	}
	_, err = in.post.queue(tx, out, now)
	return err
}

// notifyStaff tells the staff list, in the ticket's thread but not to the referent, that a
// person must look at a case; lines are details under the reason.
func (in *Intake) notifyStaff(tx *ticketing.Tx, tk *ticketing.Ticket, reason string, now time.Time, lines ...string) error {
	// The notice shows the case as this transaction leaves it (state, turn, assignee), not the
	// copy the step started from.
	tk, err := tx.Ticket(tk.ID)
	if err != nil {
		return err
	}
	to := in.cfg.StaffAddresses()
	if tk.Assignee != "" && replyable(tk.Assignee) == nil {
		to = []string{tk.Assignee}
	}
	if len(to) == 0 {
		return nil
	}
	if lines, err = in.noticeAllowed(tx, tk, reason, lines, now); err != nil || lines == nil {
		return err
	}
	reg, err := registryLine(tx, tk)
	if err != nil {
		return err
	}
	proposals, err := pendingViews(tx, tk.ID)
	if err != nil {
		return err
	}
	body, err := templates.Render("staff_notice", staffData{TicketID: tk.ID, Reason: echoText(reason, maxEcho), Ticket: tk,
		StateLabel: ticketing.StateLabel(tk.State), Show: in.cfg.caseRef(tk.ID), Lines: echoLines(lines), Registry: reg, Proposals: proposals})
	if err != nil {
		return err
	}
	out := outgoing{TicketID: tk.ID, Kind: "staff_notice", To: to,
		Subject: "[" + tk.ID + "] " + echoText(reason, maxEcho), Body: body}
	_, err = in.post.queue(tx, out, now)
	return err
}

// maxStaffNotices bounds the notices about one case per hour: a sender who can make mailbot
// write to staff (automatic replies threaded on a case, untrusted mail) must not flood them.
const maxStaffNotices = 3

// foldedNotice starts the event of a notice not mailed because of maxStaffNotices.
const foldedNotice = "avviso allo staff trattenuto"

// noticeAllowed takes one of the case's notices of this hour and returns lines with, in front,
// how many were held back since the last one mailed; nil when the hour's notices are spent
// (the notice is then recorded as an event, for the next one to count).
func (in *Intake) noticeAllowed(tx *ticketing.Tx, tk *ticketing.Ticket, reason string, lines []string, now time.Time) ([]string, error) {
	last, sentBefore, err := tx.LastSentOf(tk.ID, "staff_notice")
	if err != nil {
		return nil, err
	}
	anchor := ticketing.Anchor(now.UTC().Truncate(time.Hour))
	for seq := 1; seq <= maxStaffNotices; seq++ {
		err := tx.RecordSent(ticketing.Sent{TicketID: tk.ID, Kind: "staff_notice", Anchor: anchor, Seq: seq, At: now, Rcpts: in.cfg.Staff.Addresses})
		if errors.Is(err, ticketing.ErrAlreadySent) {
			continue
		}
		if err != nil {
			return nil, err
		}
		folded := 0
		if sentBefore {
			if folded, err = tx.CountEventsSince(tk.ID, ticketing.EventLimited, ticketing.LimitedNoticeHeld, last.At); err != nil {
				return nil, err
			}
		}
		if folded > 0 {
			lines = append([]string{say.Text("notice.folded",
				last.At.In(in.cfg.Location()).Format("02/01/2006 15:04"), folded, maxStaffNotices)}, lines...)
		}
		return append([]string{}, lines...), nil
	}
	in.log.Warn("staff notice withheld: too many on this case this hour", "ticket", tk.ID)
	return nil, tx.AddEvent(tk.ID, ticketing.Event{At: now, Type: ticketing.EventLimited, By: "mailbot", Kind: ticketing.LimitedNoticeHeld,
		Text: foldedNotice + " (limite orario): " + echoText(reason, maxEcho)})
}

// rateLimited tells whether an automatic reply is over the limits per recipient: the backstop
// against loops no header check caught.
func (in *Intake) rateLimited(c autoCounts) (bool, string) {
	rl := in.cfg.RateLimit
	if c.window >= rl.PerWindow {
		return true, fmt.Sprintf("%d automatic replies in %s", c.window, rl.Window.Duration)
	}
	if c.day >= rl.PerDay {
		return true, fmt.Sprintf("%d automatic replies in a day", c.day)
	}
	return false, ""
}

// replyData is what the reply templates see.
type replyData struct {
	TicketID    string
	Name        string
	Subject     string
	Received    string
	NextStep    string
	State       string
	Attachments []string
	Missing     []string
	Limit       string
	Product     string
	Ente        string
	New         bool     // the message answered opened the ticket
	Question    string   // the referent's question, quoted in the answer
	Step        string   // the step whose lines to write the mail shows (parsers.StepTests, StepPayment)
	Changes     []string // values the message proposed, waiting for staff ("IBAN di accredito: IT…")
	ChangedBy   string   // who proposed them, when the mail goes to the referent instead
}

// staffData is what the mail to staff sees.
type staffData struct {
	TicketID   string
	Reason     string
	Ticket     *ticketing.Ticket
	StateLabel string
	Show       string
	Lines      []string
	Registry   string         // what the registry of enti says of the case's ente, "" without a registry
	Proposals  []proposalView // values proposed by mail waiting for staff (#accetta, #rifiuta)
}

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

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
