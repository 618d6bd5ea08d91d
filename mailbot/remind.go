package mailbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"mailbot/mailaddr"
	"mailbot/templates"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Reminders chases cases nobody moves: a sollecito to the referent when the ente has been silent
// for its state's number of working days, again every as many days, and after the last one the
// case is flagged stalled and handed to staff; staff are also told when the Region sits on a case
// beyond its threshold. What is due is computed from the database at an instant, so a check
// missed while the daemon was down happens at the next one, and the schedule_sent record queued
// in the same transaction as the mail makes a second send impossible.
type Reminders struct {
	cfg   *Config
	store *ticketing.Store
	log   *slog.Logger
	post  post
}

// NewReminders wires the reminder check.
func NewReminders(cfg *Config, store *ticketing.Store, log *slog.Logger) *Reminders {
	return &Reminders{cfg: cfg, store: store, log: log, post: post{cfg: cfg}}
}

// Due is one mail the check would send at an instant.
type Due struct {
	Ticket    ticketing.Ticket
	Kind      string    // ticketing.SentReminder, SentEscalation or SentStalled
	Seq       int       // 1, 2, ... within one wait
	Anchor    time.Time // start of the wait: entering the state, or the ente's last message
	Days      int       // whole working days waited since Anchor
	Threshold int       // working days after which this kind is due
	Sent      int       // reminders already sent in this wait
	To        []string
	Reason    string // for operators, Italian
}

// MailKind is the kind operators see: reminder (to the referent) or escalation (to staff).
func (d Due) MailKind() string {
	if d.Kind == ticketing.SentReminder {
		return "reminder"
	}
	return "escalation"
}

// Plan lists what is due at now without sending anything.
func (r *Reminders) Plan(ctx context.Context, now time.Time) ([]Due, error) {
	var all []Due
	err := r.store.View(ctx, func(tx *ticketing.Tx) error {
		if !r.cfg.inOfficeHours(now) {
			return nil
		}
		tickets, err := tx.AllTickets()
		if err != nil {
			return err
		}
		for _, tk := range tickets {
			due, _, err := r.dueFor(tx, tk, now)
			if err != nil {
				return err
			}
			all = append(all, due...)
		}
		return nil
	})
	return all, err
}

// Run queues what is due at now, each ticket in its own transaction (recomputed there, so a
// concurrent run or a message just arrived is taken into account), and returns what it queued.
// A ticket that fails is logged and skipped; the others go on.
func (r *Reminders) Run(ctx context.Context, now time.Time) ([]Due, error) {
	if !r.cfg.inOfficeHours(now) {
		return nil, nil
	}
	var ids []string
	if err := r.store.View(ctx, func(tx *ticketing.Tx) error {
		tickets, err := tx.AllTickets()
		for _, tk := range tickets {
			if ticketing.IsOpen(tk.Kind, tk.State) || tk.FlagKind == ticketing.FlagStalled {
				ids = append(ids, tk.ID)
			}
		}
		return err
	}); err != nil {
		return nil, err
	}
	var queued []Due
	var errs []error
	for _, id := range ids {
		if ctx.Err() != nil {
			return queued, ctx.Err()
		}
		var done []Due
		err := r.store.Update(ctx, func(tx *ticketing.Tx) error {
			done = nil
			tk, err := tx.Ticket(id)
			if err != nil {
				return err
			}
			due, unstall, err := r.dueFor(tx, *tk, now)
			if err != nil {
				return err
			}
			if unstall {
				// The ente wrote, or the case moved on: it is no longer stalled.
				if err := tx.ClearFlag(tk.ID, "mailbot", say.Text("remind.unstalled"), now); err != nil {
					return err
				}
			}
			for _, d := range due {
				if err := r.queue(tx, d, now); err != nil {
					return err
				}
			}
			done = due
			return nil
		})
		if err != nil {
			r.log.Error("reminder check", "ticket", id, "err", err)
			errs = append(errs, fmt.Errorf("ticket %s: %w", id, err))
			continue
		}
		for _, d := range done {
			r.log.Info("scheduled mail queued", "ticket", id, "kind", d.Kind, "seq", d.Seq, "days", d.Days)
		}
		queued = append(queued, done...)
	}
	return queued, errors.Join(errs...)
}

// dueFor computes what is due for one ticket at now, and whether its stalled flag is stale.
// Office hours are the caller's business.
func (r *Reminders) dueFor(tx *ticketing.Tx, tk ticketing.Ticket, now time.Time) ([]Due, bool, error) {
	cal := r.cfg.WorkCalendar()
	side := ticketing.WaitingOn(tk.Kind, tk.State)
	if side == ticketing.WaitingNone {
		return nil, tk.FlagKind == ticketing.FlagStalled, nil
	}
	sent, err := tx.SentFor(tk.ID)
	if err != nil {
		return nil, false, err
	}
	if side == ticketing.WaitingRegione {
		limit := r.cfg.escalateAfter(tk.State)
		anchor := tk.StateSince
		days := cal.WorkingDaysBetween(anchor, now)
		if limit == 0 || days < limit || hasSent(sent, ticketing.SentEscalation, anchor, 1) {
			return nil, tk.FlagKind == ticketing.FlagStalled, nil
		}
		d := Due{Ticket: tk, Kind: ticketing.SentEscalation, Seq: 1, Anchor: anchor, Days: days, Threshold: limit,
			To: r.staffFor(tk)}
		d.Reason = say.Text("remind.escalation",
			ticketing.StateLabel(tk.State), tk.State, days, limit, r.day(anchor))
		return r.addressed(d), tk.FlagKind == ticketing.FlagStalled, nil
	}

	if pending, err := checkingDocuments(tx, tk); err != nil || pending {
		// A person is checking readings of the documents: the ente has nothing to send.
		return nil, tk.FlagKind == ticketing.FlagStalled, err
	}
	anchor, err := r.waitStart(tx, tk)
	if err != nil {
		return nil, false, err
	}
	stalledNow := hasSent(sent, ticketing.SentStalled, anchor, 1)
	unstall := tk.FlagKind == ticketing.FlagStalled && !stalledNow
	limit := r.cfg.remindAfter(tk.State)
	if limit == 0 || stalledNow {
		return nil, unstall, nil
	}
	n, last := 0, anchor
	for _, s := range sent {
		if s.Kind == ticketing.SentReminder && s.Anchor == ticketing.Anchor(anchor) {
			n++
			if s.At.After(last) {
				last = s.At
			}
		}
	}
	if cal.WorkingDaysBetween(last, now) < limit {
		return nil, unstall, nil
	}
	days := cal.WorkingDaysBetween(anchor, now)
	label := fmt.Sprintf("%s (%s)", ticketing.StateLabel(tk.State), tk.State)
	if n < r.cfg.Reminders.Max {
		d := Due{Ticket: tk, Kind: ticketing.SentReminder, Seq: n + 1, Anchor: anchor, Days: days, Threshold: limit,
			Sent: n, To: nonEmptyStrings(mailaddr.Norm(tk.Requester).String())}
		d.Reason = say.Text("remind.reminder",
			n+1, r.cfg.Reminders.Max, label, days, r.day(anchor))
		return r.addressed(d), unstall, nil
	}
	d := Due{Ticket: tk, Kind: ticketing.SentStalled, Seq: 1, Anchor: anchor, Days: days, Threshold: limit, Sent: n,
		To: r.staffFor(tk)}
	d.Reason = say.Text("remind.stalled",
		n, label, days, r.day(anchor))
	return r.addressed(d), unstall, nil
}

// waitStart is when the current wait of a case began. On the Region's side, when it entered its
// state; on the ente's, then or when the ente last wrote, whichever is later: automatic mail
// (out of office, receipts) is no answer, and neither is staff's, ours, or a sender's the case
// does not name (senders.go).
func (r *Reminders) waitStart(tx *ticketing.Tx, tk ticketing.Ticket) (time.Time, error) {
	anchor := tk.StateSince
	if ticketing.WaitingOn(tk.Kind, tk.State) != ticketing.WaitingEnte {
		return anchor, nil
	}
	thread, err := tx.Thread(tk.ID)
	if err != nil {
		return anchor, err
	}
	forms, err := tx.Forms(tk.ID)
	if err != nil {
		return anchor, err
	}
	mailAddrs, pecAddrs := caseContacts(&tk, forms)
	own := r.ownOrStaff()
	for _, m := range thread {
		from := mailaddr.Parse(m.From).String()
		onCase := mailAddrs[from] || pecAddrs[from]
		if m.Direction == "in" && m.Auto == "" && onCase && !own[mailaddr.Norm(m.From).String()] && m.ReceivedAt.After(anchor) {
			anchor = m.ReceivedAt
		}
	}
	return anchor, nil
}

// addressed drops a mail nobody could receive, saying so in the log.
func (r *Reminders) addressed(d Due) []Due {
	if len(d.To) == 0 {
		r.log.Warn("scheduled mail has no recipient", "ticket", d.Ticket.ID, "kind", d.Kind)
		return nil
	}
	return []Due{d}
}

func hasSent(sent []ticketing.Sent, kind string, anchor time.Time, seq int) bool {
	a := ticketing.Anchor(anchor)
	for _, s := range sent {
		if s.Kind == kind && s.Anchor == a && s.Seq == seq {
			return true
		}
	}
	return false
}

// staffFor is who hears of a case that waits on the Region: its assignee if that is an address,
// otherwise the staff list (an assignee given by name has no address of its own), otherwise
// the digest's readers.
func (r *Reminders) staffFor(tk ticketing.Ticket) []string {
	if a := strings.TrimSpace(tk.Assignee); strings.Contains(a, "@") {
		return []string{strings.ToLower(a)}
	}
	if len(r.cfg.StaffAddresses()) > 0 {
		return append([]string{}, r.cfg.StaffAddresses()...)
	}
	return append([]string{}, r.cfg.Digest.To...)
}

// ownOrStaff are the senders whose mail is not the ente speaking.
func (r *Reminders) ownOrStaff() map[string]bool {
	own := r.cfg.ownAddresses()
	for _, a := range r.cfg.StaffAddresses() {
		own[strings.ToLower(a)] = true
	}
	return own
}

func (r *Reminders) day(t time.Time) string {
	return t.In(r.cfg.WorkCalendar().Loc).Format("02/01/2006")
}

func nonEmptyStrings(s ...string) []string {
	var out []string
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// reminderData is what the reminder template sees.
type reminderData struct {
	TicketID   string
	Subject    string
	Ente       string
	StateLabel string
	Since      string
	Days       int
	NextStep   string
	Missing    []string
	Seq, Max   int
}

// escalationData is what the escalation template sees.
type escalationData struct {
	TicketID   string
	Subject    string
	Ente       string
	Requester  string
	State      string
	StateLabel string
	Turn       string
	Since      string
	Days       int
	Threshold  int
	Assignee   string
	Stalled    bool
	Reminders  int
	Show       string // the case's page in the web console, or the command that shows it
}

// queue renders and queues one due mail, records it in schedule_sent and notes it on the ticket,
// all in tx.
func (r *Reminders) queue(tx *ticketing.Tx, d Due, now time.Time) error {
	tk := d.Ticket
	var o outgoing
	switch d.Kind {
	case ticketing.SentReminder:
		step := remindStepOf(tk.Kind, tk.State)
		if tk.State == ticketing.StateAwaitingDocuments {
			// Say exactly what is still missing or wrong, as the last answer did.
			c, err := readCase(tx, &tk)
			if err != nil {
				return err
			}
			if chk := documentsCheck(tk.Kind, c.file); len(chk.missing) > 0 {
				step.missing = chk.missing
			}
		}
		body, err := templates.Render("reminder", reminderData{TicketID: tk.ID, Subject: tk.Subject, Ente: tk.Ente.Name,
			StateLabel: ticketing.StateLabel(tk.State), Since: r.day(d.Anchor), Days: d.Days, NextStep: step.next,
			Missing: step.missing, Seq: d.Seq, Max: r.cfg.Reminders.Max})
		if err != nil {
			return err
		}
		o = outgoing{TicketID: tk.ID, Kind: "reminder", To: d.To, Subject: replySubject(tk.Subject, tk.ID), Body: body}
	default:
		body, err := templates.Render("escalation", escalationData{TicketID: tk.ID, Subject: tk.Subject, Ente: tk.Ente.Name,
			Requester: tk.Requester, State: tk.State, StateLabel: ticketing.StateLabel(tk.State),
			Turn: turnLabel(ticketing.WaitingOn(tk.Kind, tk.State)), Since: r.day(d.Anchor), Days: d.Days,
			Threshold: d.Threshold, Assignee: tk.Assignee, Stalled: d.Kind == ticketing.SentStalled, Reminders: d.Sent, Show: r.cfg.caseRef(tk.ID)})
		if err != nil {
			return err
		}
		o = outgoing{TicketID: tk.ID, Kind: "escalation", To: d.To, Subject: body.Subject, Body: body, Aside: true}
	}
	msgID, err := r.post.queue(tx, o, now)
	if err != nil {
		return err
	}
	if err := tx.RecordSent(ticketing.Sent{TicketID: tk.ID, Kind: d.Kind, Anchor: ticketing.Anchor(d.Anchor), Seq: d.Seq,
		At: now, MessageID: msgID, Rcpts: d.To}); err != nil {
		return err
	}
	if d.Kind == ticketing.SentStalled {
		if err := tx.SetFlag(tk.ID, ticketing.FlagStalled, say.Text("remind.stalled_flag", d.Sent), "mailbot", now); err != nil {
			return err
		}
	}
	if o.Aside {
		return tx.AddEvent(tk.ID, ticketing.Event{At: now, Type: ticketing.EventNote, By: "mailbot",
			Text: say.Text("remind.aside_event", strings.Join(d.To, ", "), d.Reason)})
	}
	return nil
}

func turnLabel(side string) string {
	switch side {
	case ticketing.WaitingEnte:
		return say.Text("turn.ente")
	case ticketing.WaitingRegione:
		return say.Text("turn.regione")
	}
	return say.Text("turn.none")
}

type remindStep struct {
	next    string
	missing []string
}

// remindStepOf is what a referent must do next in a state, and what we still wait for.
func remindStepOf(kind, state string) remindStep {
	if kind == ticketing.KindQualification {
		switch state {
		case ticketing.StateAwaitingDocuments:
			return remindStep{say.Text("remind.next.qualification_documents"),
				[]string{say.Text("remind.missing.invitation"), say.Text("remind.missing.product_forms"), say.Text("remind.missing.process_form"), say.Text("remind.missing.pilot")}}
		case ticketing.StatePilot:
			return remindStep{say.Text("remind.next.pilot"),
				[]string{say.Text("remind.missing.pilot_outcome")}}
		}
	}
	switch state {
	case ticketing.StateAwaitingDocuments:
		return remindStep{say.Text("remind.next.documents"),
			[]string{say.Text("remind.missing.general_form"), say.Text("remind.missing.ente_product_form")}}
	case ticketing.StateTesting:
		return remindStep{say.Text("remind.next.testing"),
			[]string{say.Text("remind.missing.test_outcome"), say.Text("remind.missing.production_ips")}}
	case ticketing.StateProductionCheck:
		return remindStep{say.Text("remind.next.production"),
			[]string{say.Text("remind.missing.first_payment")}}
	}
	return remindStep{say.Text("remind.next.other"), nil}
}
