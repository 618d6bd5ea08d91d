package mailbot

import (
	"time"

	"mailbot/mailaddr"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Limits on automatic mail. Per recipient (the loop backstop in rateLimited), and per hour
// overall and per domain: whoever writes to the Region chooses, with Reply-To, where mailbot's
// answer goes, so without a cap a flood of requests becomes a flood of mail from the Region's
// address to third parties.

// senderAddress is who sent msg, as far as mailbot can tell: the certified sender of a verified
// PEC envelope, else the From (for an unverified envelope, the provider's).
func senderAddress(msg message) string {
	if c := certifiedSender(msg.an); c != "" {
		return c
	}
	return mailaddr.Norm(msg.env.From).String()
}

// hourlyCapped tells whether an automatic reply answering sender and going to rcpt is over an
// hourly cap: overall, or per domain of either. The reason is Italian: staff read it.
func (in *Intake) hourlyCapped(tx *ticketing.Tx, sender, rcpt string, now time.Time) (bool, string, error) {
	rl := in.cfg.RateLimit
	since := now.Add(-time.Hour)
	n, err := tx.AutoRepliesTotalSince(since)
	if err != nil {
		return false, "", err
	}
	if n >= rl.PerHour {
		return true, say.Text("autolimit.total", n, rl.PerHour), nil
	}
	seen := map[string]bool{}
	for _, d := range []string{mailaddr.Norm(sender).Domain(), mailaddr.Norm(rcpt).Domain()} {
		if d == "" || seen[d] {
			continue
		}
		seen[d] = true
		n, err := tx.AutoRepliesDomainSince(d, since)
		if err != nil {
			return false, "", err
		}
		if n >= rl.PerDomainPerHour {
			return true, say.Text("autolimit.domain", n, d, rl.PerDomainPerHour), nil
		}
	}
	return false, "", nil
}

// countAuto counts an automatic mail towards the limits, once per recipient.
func countAuto(tx *ticketing.Tx, o outgoing, now time.Time) error {
	for _, r := range o.To {
		sender := o.Answering
		if sender == "" {
			sender = r
		}
		if err := tx.AddAutoReply(ticketing.AutoReply{Rcpt: mailaddr.Norm(r).Untagged().String(), SenderDomain: mailaddr.Norm(sender).Domain(),
			RcptDomain: mailaddr.Norm(r).Domain(), At: now}); err != nil {
			return err
		}
	}
	return nil
}

// holdForStaff records an automatic reply that an hourly cap stopped (kept in the outbox as
// held): an event on the ticket and, unless the case already carries a flag, a flag, so that a
// person releases it, drops it or answers instead.
func (in *Intake) holdForStaff(tx *ticketing.Tx, tk *ticketing.Ticket, kind, rcpt, why string, now time.Time) error {
	in.log.Warn("automatic reply held for staff: hourly cap", "ticket", ticketIDOf(tk), "kind", kind, "why", why)
	if tk == nil {
		return nil // the message is quarantined: staff see it there
	}
	if err := tx.AddEvent(tk.ID, ticketing.Event{At: now, Type: ticketing.EventLimited, By: "mailbot",
		Text: say.Text("autolimit.held_event", kind, rcpt, why)}); err != nil {
		return err
	}
	if tk.FlagKind != ticketing.FlagNone {
		return nil
	}
	return tx.SetFlag(tk.ID, ticketing.FlagHeld, say.Text("autolimit.held_flag"), "mailbot", now)
}

func ticketIDOf(tk *ticketing.Ticket) string {
	if tk == nil {
		return ""
	}
	return tk.ID
}
