package mailbot

import (
	"slices"
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

// autoCounts are the automatic replies that the limits on one reply look at.
type autoCounts struct {
	window, day int           // to its recipient, in the rate limit's window and in the last day
	hour        int           // every reply, in the last hour
	domains     []domainCount // of its sender's domain and its recipient's, in the last hour
}

type domainCount struct {
	domain string
	n      int
}

// autoCountsOf reads, in one statement, what the limits on an automatic reply answering sender
// and going to rcpt count.
func (in *Intake) autoCountsOf(tx *ticketing.Tx, sender, rcpt string, now time.Time) (autoCounts, error) {
	var c autoCounts
	key, hour := mailaddr.Norm(rcpt).Untagged().String(), now.Add(-time.Hour)
	tallies := []ticketing.Tally{ticketing.RcptTally(key, now.Add(-in.cfg.RateLimit.Window.Duration)),
		ticketing.RcptTally(key, now.Add(-24*time.Hour)), ticketing.AllTally(hour)}
	for _, d := range []string{mailaddr.Norm(sender).Domain(), mailaddr.Norm(rcpt).Domain()} {
		if d != "" && !slices.ContainsFunc(c.domains, func(dc domainCount) bool { return dc.domain == d }) {
			c.domains = append(c.domains, domainCount{domain: d})
			tallies = append(tallies, ticketing.DomainTally(d, hour))
		}
	}
	n, err := tx.AutoReplyCounts(tallies...)
	if err != nil {
		return c, err
	}
	c.window, c.day, c.hour = n[0], n[1], n[2]
	for i := range c.domains {
		c.domains[i].n = n[3+i]
	}
	return c, nil
}

// hourlyCapped tells whether an automatic reply is over an hourly cap: overall, or per domain of
// its sender or its recipient. The reason is Italian: staff read it.
func (in *Intake) hourlyCapped(c autoCounts) (bool, string) {
	rl := in.cfg.RateLimit
	if c.hour >= rl.PerHour {
		return true, say.Text("autolimit.total", c.hour, rl.PerHour)
	}
	for _, d := range c.domains {
		if d.n >= rl.PerDomainPerHour {
			return true, say.Text("autolimit.domain", d.n, d.domain, rl.PerDomainPerHour)
		}
	}
	return false, ""
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
