package mailbot

import (
	"bytes"
	"context"
	"errors"
	"mime"
	"net/mail"
	"strconv"
	"strings"
	"time"

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
	return in.decideHeldUpdate(ctx, id, by, in.releaseHeld)
}

// DropHeld gives up a held reply for good.
func (in *Intake) DropHeld(ctx context.Context, id int64, by string) (string, error) {
	return in.decideHeldUpdate(ctx, id, by, in.dropHeld)
}

func (in *Intake) decideHeldUpdate(ctx context.Context, id int64, by string, decide func(*ticketing.Tx, ticketing.OutMail, string, time.Time) (string, error)) (string, error) {
	var res string
	err := in.store.Update(ctx, func(tx *ticketing.Tx) error {
		m, err := heldReply(tx, id)
		if err != nil {
			return err
		}
		res, err = decide(tx, m, by, in.now())
		return err
	})
	return res, err
}

// decideHeld is "#trattenuta N invia|scarta": the case's held reply N sent (within the caps)
// or dropped, as from the list of held replies, but with the case's page checked unchanged.
func (in *Intake) decideHeld(c call) (string, error) {
	n, what, _ := strings.Cut(strings.TrimSpace(c.arg), " ")
	id, err := strconv.ParseInt(n, 10, 64)
	if err != nil || id <= 0 {
		return "", refusal("refuse.held_number", echoText(n, maxEcho))
	}
	m, err := heldReply(c.tx, id)
	if errors.Is(err, ErrHeldGone) || err == nil && m.TicketID != c.tk.ID {
		return "", refusal("refuse.held_gone", id, c.tk.ID)
	}
	if err != nil {
		return "", err
	}
	switch strings.ToLower(strings.TrimSpace(what)) {
	case "invia":
		return in.releaseHeld(c.tx, m, c.by, c.now)
	case "scarta":
		return in.dropHeld(c.tx, m, c.by, c.now)
	}
	return "", refusal("refuse.held_decision", echoText(what, maxEcho))
}

func (in *Intake) releaseHeld(tx *ticketing.Tx, m ticketing.OutMail, by string, now time.Time) (string, error) {
	for _, r := range m.Rcpts {
		c, err := in.autoCountsOf(tx, r, r, now)
		if err != nil {
			return "", err
		}
		if capped, why := in.hourlyCapped(c); capped {
			return "", refusal("refuse.held_still_over", why)
		}
	}
	if err := tx.ReleaseHeld(m.ID, now); err != nil {
		return "", err
	}
	if err := countAuto(tx, outgoing{To: m.Rcpts}, now); err != nil {
		return "", err
	}
	if in.post.wake != nil {
		tx.AfterCommit(in.post.wake)
	}
	res := say.Text("held.sent", m.Kind, strings.Join(m.Rcpts, ", "))
	if m.TicketID == "" {
		return res, nil
	}
	if _, err := tx.AddMessage(&ticketing.Message{TicketID: m.TicketID, Direction: "out", MessageID: m.MessageID,
		Digest: "out", From: in.cfg.replyAddress(), To: m.Rcpts, Subject: subjectOf(m.Raw), Date: now, ReceivedAt: now}); err != nil {
		return "", err
	}
	return res, tx.AddEvent(m.TicketID, ticketing.Event{At: now, Type: ticketing.EventMessage, By: by, Text: say.Text("held.sent_event", res)})
}

func (in *Intake) dropHeld(tx *ticketing.Tx, m ticketing.OutMail, by string, now time.Time) (string, error) {
	if err := tx.DropHeld(m.ID, say.Text("held.dropped_by", by, now.In(in.cfg.Location()).Format("02/01/2006 15:04"))); err != nil {
		return "", err
	}
	res := say.Text("held.dropped", m.Kind, strings.Join(m.Rcpts, ", "))
	if m.TicketID == "" {
		return res, nil
	}
	return res, tx.AddEvent(m.TicketID, ticketing.Event{At: now, Type: ticketing.EventMessage, By: by, Text: say.Text("held.dropped_event", res)})
}

// decideKept is "#trattenuto N allega|scarta": message N, kept outside any case, joined to this
// case or dismissed; either is an event of the case.
func (in *Intake) decideKept(c call) (string, error) {
	n, what, _ := strings.Cut(strings.TrimSpace(c.arg), " ")
	id, err := strconv.ParseInt(n, 10, 64)
	if err != nil || id <= 0 {
		return "", refusal("refuse.kept_number", echoText(n, maxEcho))
	}
	var res string
	switch strings.ToLower(strings.TrimSpace(what)) {
	case "allega":
		res = say.Text("kept.attached", id, c.tk.ID)
		err = c.tx.AttachQuarantined(id, c.tk.ID, c.by, c.now)
	case "scarta":
		if err = c.tx.DismissQuarantined(id, c.by, c.now); err == nil {
			res = say.Text("kept.dismissed", id)
			err = c.tx.AddEvent(c.tk.ID, ticketing.Event{At: c.now, Type: ticketing.EventMessage, By: c.by, Text: res})
		}
	default:
		return "", refusal("refuse.kept_decision", echoText(what, maxEcho))
	}
	if errors.Is(err, ticketing.ErrNotFound) {
		return "", refusal("refuse.kept_gone", id)
	}
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
