package mailbot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mailbot/parsers"
	"mailbot/templates"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// recordFailed counts a failed attempt at recording p; at the last one it records p as
// quarantined with cause and tells staff. It returns cause while p is to be tried again.
func (in *Intake) recordFailed(ctx context.Context, p Prepared, cause error) error {
	m := p.m
	n := 0
	if err := in.store.Update(ctx, func(tx *ticketing.Tx) (err error) {
		n, err = tx.CountAttempt(m.Mailbox, m.UIDValidity, m.UID, cause.Error())
		return err
	}); err != nil {
		// The store itself fails (locked, full): nothing is counted, everything is retried.
		return fmt.Errorf("%w (attempt not counted: %v)", cause, err)
	}
	if n < maxAttempts {
		in.log.Warn("message not recorded, will retry", "mailbox", m.Mailbox, "uid", m.UID, "attempt", n, "err", cause)
		return cause
	}
	in.log.Error("message quarantined: it could not be recorded", "mailbox", m.Mailbox, "uid", m.UID, "attempts", n, "err", cause)
	reason := fmt.Sprintf("not recorded after %d attempts: %v", n, cause)
	err := in.store.Update(ctx, func(tx *ticketing.Tx) error {
		return in.quarantine(tx, p, say.Text("quarantine.not_recorded", n), reason, in.now())
	})
	if err != nil {
		return fmt.Errorf("quarantine %s uid %d: %w (recording it failed with: %v)", m.Mailbox, m.UID, err, cause)
	}
	return nil
}

// quarantine records the message of p, outside any ticket, as held for a person with reason,
// advances its mailbox past it and tells staff why (in Italian) (once per message, however many copies).
// It relies on the raw message only: whatever made the normal path fail is not tried again.
func (in *Intake) quarantine(tx *ticketing.Tx, p Prepared, why, reason string, now time.Time) error {
	m := p.m
	uv, last, known, err := tx.MailboxState(m.Mailbox)
	if err != nil {
		return err
	}
	if known && uv == m.UIDValidity && m.UID <= last {
		return tx.ClearAttempts(m.Mailbox, m.UIDValidity, m.UID)
	}
	rec := &ticketing.Message{Direction: "in", MessageID: parsers.MadeUpMessageID("unrecorded", m.Blob),
		Digest: m.Blob, Blob: m.Blob, Quarantine: reason, QuarantineKind: ticketing.QuarantineUnrecorded, ReceivedAt: now}
	if env := p.msg.env; env != nil {
		rec.From, rec.Subject, rec.Date = env.From, env.Subject, env.Date
	}
	id, isNew, err := in.upsert(tx, rec)
	if err != nil {
		return err
	}
	if err := tx.AddCopy(id, m.Mailbox, m.UIDValidity, m.UID); err != nil {
		return err
	}
	if err := tx.ClearAttempts(m.Mailbox, m.UIDValidity, m.UID); err != nil {
		return err
	}
	if err := tx.SetMailboxState(m.Mailbox, m.UIDValidity, m.UID); err != nil {
		return err
	}
	if !isNew {
		return nil
	}
	return in.notifyQuarantine(tx, why, reason, rec.From, rec.Subject, m, now)
}

// maxQuarantineNotices bounds the notices about quarantined messages per hour: a flood of broken
// mail must not become a flood of mail to staff (the quarantine list keeps every one).
const maxQuarantineNotices = 10

// notifyQuarantine tells the staff list that a message was held for a person.
func (in *Intake) notifyQuarantine(tx *ticketing.Tx, why, detail, from, subject string, m Incoming, now time.Time) error {
	to := in.cfg.StaffAddresses()
	if len(to) == 0 {
		return nil
	}
	if n, err := tx.MailQueuedSince("staff_quarantine", now.Add(-time.Hour)); err != nil {
		return err
	} else if n >= maxQuarantineNotices {
		in.log.Warn("quarantine notice withheld: too many in the last hour", "mailbox", m.Mailbox, "uid", m.UID)
		return nil
	}
	body, err := templates.Render("staff_quarantine", quarantineData{Why: why, Detail: echoText(detail, maxEchoLine),
		From: echoText(from, maxEcho), Subject: echoText(subject, maxEcho), Mailbox: m.Mailbox, UID: m.UID})
	if err != nil {
		return err
	}
	_, err = in.post.queue(tx, outgoing{Kind: "staff_quarantine", To: to,
		Subject: say.Text("quarantine.subject", m.Mailbox), Body: body}, now)
	return err
}

// whyUnanswerable is what staff read when no answer can reach a sender.
var whyUnanswerable = say.Text("quarantine.unanswerable")

// quarantineData is what the notice of a quarantined message sees: why in Italian, the
// technical detail as it was logged.
type quarantineData struct {
	Why, Detail, From, Subject, Mailbox string
	UID                                 uint32
}

// maxUnmatchedAnswers bounds the answers to staff commands that match no ticket, per hour.
const maxUnmatchedAnswers = 10

// answerUnmatched tells a staff member that the commands of their message were not obeyed
// because it names no existing ticket, instead of leaving them to wonder.
func (in *Intake) answerUnmatched(tx *ticketing.Tx, msg message, now time.Time) error {
	cmds, _ := parseCommands(msg.ownWords())
	if len(cmds) == 0 {
		return nil // a staff member's ordinary mail: held for a person, nothing to answer
	}
	if n, err := tx.MailQueuedSince("staff_unmatched", now.Add(-time.Hour)); err != nil {
		return err
	} else if n >= maxUnmatchedAnswers {
		in.log.Warn("answer to unmatched staff commands withheld: too many in the last hour")
		return nil
	}
	data := unmatchedData{Subject: echoText(msg.subject(), maxEcho), Tags: parsers.TicketIDs(msg.subject())}
	for _, c := range cmds {
		// Only the command line: credentials' values never travel back.
		data.Lines = append(data.Lines, strings.TrimSpace("#"+c.name+" "+c.arg))
	}
	data.Lines = echoItems(data.Lines)
	if len(data.Tags) > maxEchoList {
		data.Tags = data.Tags[:maxEchoList]
	}
	body, err := templates.Render("staff_unmatched", data)
	if err != nil {
		return err
	}
	out := outgoing{Kind: "staff_unmatched", To: []string{msg.env.From}, Subject: replySubject(echoText(msg.subject(), maxEcho), ""),
		Body: body, InReplyTo: msg.env.MessageID, References: msg.env.References}
	_, err = in.post.queue(tx, out, now)
	return err
}

// unmatchedData is what the answer to unmatched staff commands sees.
type unmatchedData struct {
	Subject string
	Tags    []string // ticket codes in the subject that name no ticket
	Lines   []string // the commands, without values
}
