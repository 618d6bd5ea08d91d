package mailbot

import (
	"bytes"
	"context"
	"errors"
	"mime"
	"net/mail"
	"strings"

	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Held replies: automatic answers an hourly cap stopped, kept rendered in the outbox. A person
// sees them (mailbot held list, the console), releases one when the caps allow it again, or
// drops it; each is recorded on its case.

// ErrHeldGone is a held reply already released or dropped.
var ErrHeldGone = errors.New("not held (already released or dropped)")

// HeldMail lists the held replies, oldest first.
func (in *Intake) HeldMail(ctx context.Context) ([]ticketing.OutMail, error) {
	return in.store.HeldMail(ctx)
}

// ReleaseHeld sends a held reply, if the hourly caps allow it now; it is then counted towards
// them and joins its case's thread. The answer is Italian, for the person who asked.
func (in *Intake) ReleaseHeld(ctx context.Context, id int64, by string) (string, error) {
	var res string
	err := in.store.Update(ctx, func(tx *ticketing.Tx) error {
		m, err := heldReply(tx, id)
		if err != nil {
			return err
		}
		now := in.now()
		for _, r := range m.Rcpts {
			if capped, why, err := in.hourlyCapped(tx, r, r, now); err != nil {
				return err
			} else if capped {
				return refusal("refuse.held_still_over", why)
			}
		}
		if err := tx.ReleaseHeld(id, now); err != nil {
			return err
		}
		if err := countAuto(tx, outgoing{To: m.Rcpts}, now); err != nil {
			return err
		}
		if in.post.wake != nil {
			tx.AfterCommit(in.post.wake)
		}
		res = say.Text("held.sent", m.Kind, strings.Join(m.Rcpts, ", "))
		if m.TicketID == "" {
			return nil
		}
		if _, err := tx.AddMessage(&ticketing.Message{TicketID: m.TicketID, Direction: "out", MessageID: m.MessageID,
			Digest: "out", From: in.cfg.replyAddress(), To: m.Rcpts, Subject: subjectOf(m.Raw), Date: now, ReceivedAt: now}); err != nil {
			return err
		}
		return tx.AddEvent(m.TicketID, ticketing.Event{At: now, Type: ticketing.EventMessage, By: by, Text: say.Text("held.sent_event", res)})
	})
	return res, err
}

// DropHeld gives up a held reply for good.
func (in *Intake) DropHeld(ctx context.Context, id int64, by string) (string, error) {
	var res string
	err := in.store.Update(ctx, func(tx *ticketing.Tx) error {
		m, err := heldReply(tx, id)
		if err != nil {
			return err
		}
		now := in.now()
		if err := tx.DropHeld(id, say.Text("held.dropped_by", by, now.In(in.cfg.Location()).Format("02/01/2006 15:04"))); err != nil {
			return err
		}
		res = say.Text("held.dropped", m.Kind, strings.Join(m.Rcpts, ", "))
		if m.TicketID == "" {
			return nil
		}
		return tx.AddEvent(m.TicketID, ticketing.Event{At: now, Type: ticketing.EventMessage, By: by, Text: say.Text("held.dropped_event", res)})
	})
	return res, err
}

// heldReply is the held reply id, or ErrHeldGone.
func heldReply(tx *ticketing.Tx, id int64) (ticketing.OutMail, error) {
	m, err := tx.Held(id)
	if errors.Is(err, ticketing.ErrNotFound) {
		return ticketing.OutMail{}, ErrHeldGone
	}
	return m, err
}

// subjectOf is the decoded Subject of a rendered mail.
func subjectOf(raw []byte) string {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	s, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return msg.Header.Get("Subject")
	}
	return s
}
