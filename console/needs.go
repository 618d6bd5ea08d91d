package console

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-message/mail"

	"mailbot/mailbot"
	"mailbot/ticketing"
)

// What a case needs from a person, shown first on its page: the values in doubt, the messages
// not acted on because of their sender, the replies held back, the messages kept outside any case that are about it, its flag, and the referent's
// last message. Each is settled in place.

// HeldReply is an automatic reply of the case held back by an hourly cap.
type HeldReply struct {
	ticketing.OutMail
	Subject string
	Text    string
}

// Proposal is a value proposed by mail that waits for a person to accept or reject it.
type Proposal struct {
	ticketing.Proposal
	Label    string               // of the field
	Msg      int64                // the message it came in, in the thread; 0 if it is not there
	Replaces []ticketing.Proposal // older proposals for the field it superseded: no longer to be accepted
}

// Needs tells whether anything waits for a person's decision.
func (c *Case) Needs() bool {
	return len(c.Doubts) > 0 || len(c.Proposals) > 0 || len(c.Senders) > 0 || len(c.Held) > 0 || len(c.Kept) > 0 ||
		c.Ticket.FlagKind != ticketing.FlagNone
}

// needs reads what the case waits for beside its forms: held replies and quarantined mail.
func (s *Server) needs(ctx context.Context, c *Case) error {
	props, err := s.store.ListProposals(ctx, c.Ticket.ID)
	if err != nil {
		return err
	}
	for _, p := range props {
		if !p.Pending() {
			continue
		}
		v := Proposal{Proposal: p, Label: mailbot.FieldLabel(p.FormType, p.Field), Replaces: mailbot.Superseded(p.Seq, props)}
		for _, m := range c.Messages {
			if m.MessageID == p.MessageID {
				v.Msg = m.ID
			}
		}
		c.Proposals = append(c.Proposals, v)
	}
	if c.Senders, err = s.store.SenderDoubts(ctx, c.Ticket.ID); err != nil {
		return err
	}
	held, err := s.store.HeldMailOf(ctx, c.Ticket.ID)
	if err != nil {
		return err
	}
	for _, m := range held {
		h := HeldReply{OutMail: m}
		if mr, _ := mail.CreateReader(bytes.NewReader(m.Raw)); mr != nil {
			h.Subject, _ = mr.Header.Subject()
		}
		h.Text, _, _ = walk(bytes.NewReader(m.Raw), func(int, string, io.Reader) bool { return true })
		c.Held = append(c.Held, h)
	}
	if c.Kept, err = s.store.QuarantineOf(ctx, c.Ticket); err != nil {
		return err
	}
	c.Last = lastFromReferent(c.Messages, s.cfg.IsStaff)
	return nil
}

// lastFromReferent is the last message received from outside the staff that is not automatic:
// what the referent last said, or nil.
func lastFromReferent(msgs []Mail, isStaff func(string) bool) *Mail {
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Direction == "in" && m.Auto == "" && !isStaff(m.From) {
			return &msgs[i]
		}
	}
	return nil
}

// Action is a staff command's form as the case page shows it, built from the command table.
type Action struct {
	Name string // the posted "azione"
	mailbot.ConsoleForm
	Fields []Field
}

// Field is one field of an action's form, with its options resolved for the case.
type Field struct {
	mailbot.FormField
	ID      string
	Options []mailbot.Option
}

// actions builds the forms of every command that has a console action and applies to the case.
func actions(c *Case, me string) []Action {
	var out []Action
	tk := c.Ticket
	sub := strings.NewReplacer("{referente}", tk.Requester)
	for _, cmd := range mailbot.Commands {
		if cmd.Form == "" || cmd.Console.Shown != nil && !cmd.Console.Shown(tk) {
			continue
		}
		a := Action{Name: cmd.Form, ConsoleForm: cmd.Console}
		a.Intro = sub.Replace(a.Intro)
		shown := true
		for _, f := range cmd.Console.Fields {
			fd := Field{FormField: f, ID: cmd.Form + "-" + f.Name, Options: append([]mailbot.Option(nil), f.Options...)}
			fd.Label = sub.Replace(f.Label)
			if f.From != "" {
				more := c.options(f.From, me)
				if len(more) == 0 {
					shown = false // a choice without options: nothing to do here
				}
				fd.Options = append(fd.Options, more...)
			}
			a.Fields = append(a.Fields, fd)
		}
		if shown {
			out = append(out, a)
		}
	}
	return out
}

// options are the options of a choice that come from the case or the configuration.
func (c *Case) options(from mailbot.Choices, me string) []mailbot.Option {
	var out []mailbot.Option
	switch from {
	case mailbot.ChoicesStaff:
		out = append(out, mailbot.Option{Value: "me", Label: "me (" + me + ")"})
		for _, a := range c.Staff {
			out = append(out, mailbot.Option{Value: a, Label: a})
		}
	case mailbot.ChoicesNextStates:
		for _, st := range c.Next {
			out = append(out, mailbot.Option{Value: st, Label: ticketing.StateLabel(st) + " (" + st + ")"})
		}
	case mailbot.ChoicesCatalogs:
		for _, cat := range c.Catalogs {
			out = append(out, mailbot.Option{Value: cat, Label: cat})
		}
	case mailbot.ChoicesProposals:
		for _, p := range c.Proposals {
			out = append(out, mailbot.Option{Value: strconv.Itoa(p.Seq), Label: "n. " + strconv.Itoa(p.Seq) + ", " + p.Label + ": «" + p.Value + "»"})
		}
	case mailbot.ChoicesHeld:
		for _, h := range c.Held {
			out = append(out, mailbot.Option{Value: strconv.FormatInt(h.ID, 10), Label: "n. " + strconv.FormatInt(h.ID, 10) + ", «" + h.Subject + "» a " + strings.Join(h.Rcpts, ", ")})
		}
	case mailbot.ChoicesSenders:
		for _, d := range c.Senders {
			out = append(out, mailbot.Option{Value: strconv.FormatInt(d.ID, 10), Label: "n. " + strconv.FormatInt(d.ID, 10) + ", «" + d.Subject + "» da " + d.From})
		}
	case mailbot.ChoicesKept:
		for _, m := range c.Kept {
			out = append(out, mailbot.Option{Value: strconv.FormatInt(m.ID, 10), Label: "n. " + strconv.FormatInt(m.ID, 10) + ", «" + m.Subject + "» da " + m.From})
		}
	case mailbot.ChoicesDoubts:
		for _, d := range c.Doubts {
			if d.Value != "" && len(d.Readings) == 0 { // confirming one side leaves a conflict standing
				out = append(out, mailbot.Option{Value: d.Type + "." + d.Key, Label: d.Label + ": «" + d.Value + "»"})
			}
		}
	}
	return out
}

// distinctReadings are the readings of a conflict with a value, one per value: what a person
// may choose.
func distinctReadings(rs []ticketing.Reading) []ticketing.Reading {
	var out []ticketing.Reading
	for _, r := range rs {
		if r.Value != "" && !slices.ContainsFunc(out, func(o ticketing.Reading) bool { return o.Value == r.Value }) {
			out = append(out, r)
		}
	}
	return out
}
