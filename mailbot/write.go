package mailbot

import (
	"context"
	"errors"
	"strings"
	"time"

	"mailbot/templates"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// maxWrittenAnswer bounds a staff member's free-text answer to a referent.
const maxWrittenAnswer = 20000

// writeReferent sends a staff member's free text to the case's referent (#scrivi, and the web
// console's "write to the referent"): through the outbox, in the case's thread, with the ticket
// tag in the subject; the text is recorded as an event of the case.
func (in *Intake) writeReferent(tx *ticketing.Tx, tk *ticketing.Ticket, text, by, line string, now time.Time) (string, error) {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	switch {
	case text == "":
		return "", refusal("refuse.write_empty", line)
	case len(text) > maxWrittenAnswer:
		return "", refusal("refuse.write_too_long", line, maxWrittenAnswer)
	case tk.Requester == "":
		return "", refusal("refuse.write_no_referent", line)
	}
	body, err := templates.Render("staff_message", struct{ TicketID, Text string }{tk.ID, text})
	if err != nil {
		return "", err
	}
	out := outgoing{TicketID: tk.ID, Kind: "staff_message", To: []string{tk.Requester},
		Subject: replySubject(tk.Subject, tk.ID), Body: body}
	if _, err := in.post.queue(tx, out, now); err != nil {
		return "", err
	}
	if err := tx.AddEvent(tk.ID, ticketing.Event{At: now, Type: ticketing.EventNote, By: by, Text: say.Text("write.event", text)}); err != nil {
		return "", err
	}
	return say.Text("write.done", line, tk.Requester), nil
}

// caseRef is how staff mail points to a case: its page in the web console when [console]
// public_url is set, else the command that shows it.
func (c *Config) caseRef(id string) string {
	if u := c.Console.CaseURL(id); u != "" {
		return u
	}
	return "mailbot tickets show " + id
}

// ErrStale refuses an action decided on a view of a case older than its last change.
var ErrStale = errors.New("the case changed since it was shown")

// ApplyUnchanged is Apply for a person who decided on a page showing the case as it was at
// seen (its UpdatedAt): in the same transaction, an action on a case changed since is refused
// with ErrStale and changes nothing, so of two staff acting on one page only the first acts.
func (in *Intake) ApplyUnchanged(ctx context.Context, id, name, arg string, values map[string]string, by string, seen time.Time) (string, error) {
	return in.applyChecked(ctx, id, command{name: name, arg: arg, values: values}, by, func(tk *ticketing.Ticket) error {
		if !tk.UpdatedAt.Equal(seen) {
			return ErrStale
		}
		return nil
	})
}
