package mailbot

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"mailbot/mailaddr"
	"mailbot/parsers"
	"mailbot/templates"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// A staff member steers a case by mail: command lines at the top of a reply to any ticket mail,
// e.g. "#assegna mario.rossi", "#stato testing", "#credenziali collaudo" followed by
// "chiave: valore" lines. Commands are obeyed only from a staff address whose message is
// authenticated; the From header alone proves nothing.

// command is one command line and, for a command that takes them, the key: value lines under it.
type command struct {
	name, arg string
	values    map[string]string
	keys      []string // in order, for messages
}

// parseCommands reads the command lines at the top of a message's fresh text. Parsing stops at
// the first line that is neither a command, a key: value line under a command that takes them
// (#credenziali), nor blank.
func parseCommands(text string) (cmds []command, secret string) {
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			name, arg, _ := strings.Cut(line[1:], " ")
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "codice" {
				secret = strings.TrimSpace(arg)
				continue
			}
			cmds = append(cmds, command{name: name, arg: strings.TrimSpace(arg)})
			continue
		}
		if n := len(cmds); n > 0 && takesLines(cmds[n-1].name) {
			if k, v, ok := strings.Cut(line, ":"); ok && !strings.Contains(k, " ") {
				c := &cmds[n-1]
				if c.values == nil {
					c.values = map[string]string{}
				}
				k = strings.ToLower(strings.TrimSpace(k))
				c.values[k] = strings.TrimSpace(v)
				c.keys = append(c.keys, k)
				continue
			}
		}
		break
	}
	return cmds, secret
}

// takesLines tells whether the "chiave: valore" lines under a command line belong to it.
func takesLines(name string) bool {
	c, ok := CommandNamed(name)
	return ok && c.Lines
}

// authenticated tells whether a staff member's message is really theirs: the Authentication-Results
// header of our own mail server reporting DKIM pass aligned with the From domain or DMARC pass
// for it, or else the staff member's own secret. The reason says why not, in Italian.
func (in *Intake) authenticated(env *parsers.Envelope, secret string) (bool, string) {
	id := in.cfg.Staff.TrustedAuthservID
	why := say.Text("staffauth.none", id)
	if !mailaddr.Norm(env.From).Trusted() {
		return false, say.Text("staffauth.bad_from")
	}
	if env.FromCount > 1 {
		return false, say.Text("staffauth.many_from")
	}
	if id != "" {
		ok, how := authResultsPass(env.AuthResults, id, env.From[strings.LastIndexByte(env.From, '@')+1:])
		if ok {
			return true, how
		}
		why = say.Text("staffauth.no_secret", how)
	}
	if want := in.cfg.Staff.Secrets[env.From]; want != "" && secret != "" &&
		subtle.ConstantTimeCompare([]byte(want), []byte(secret)) == 1 {
		return true, say.Text("staffauth.secret")
	}
	return false, why
}

// authResultsPass tells whether our own server (authservID) vouches for the From domain of a
// staff member's message (see fromAuthentication).
func authResultsPass(headers []string, authservID, fromDomain string) (bool, string) {
	v, how := fromAuthentication(headers, authservID, fromDomain)
	return v == authPass, how
}

// aligned is relaxed DKIM alignment (rfc/7489:620): the signing domain and the From domain share
// their organisational domain, found with the Public Suffix List, so "veneto.it" (a public
// suffix) aligns with nothing and "regione.veneto.it" with its own subdomains only.
func aligned(signer, from string) bool {
	signer, from = mailaddr.Domain(signer), mailaddr.Domain(from)
	if signer == "" || !mailaddr.IsASCII(signer) || !mailaddr.IsASCII(from) {
		return false
	}
	if signer == from {
		return true
	}
	a, err := publicsuffix.EffectiveTLDPlusOne(signer)
	if err != nil {
		return false
	}
	b, err := publicsuffix.EffectiveTLDPlusOne(from)
	return err == nil && a == b
}

// staffMessage applies a staff member's commands to a ticket and answers them with the outcome
// of each line. A message without commands is recorded as correspondence.
func (in *Intake) staffMessage(tx *ticketing.Tx, tk *ticketing.Ticket, msg message, now time.Time) error {
	by := msg.env.From
	cmds, secret := parseCommands(msg.ownWords())
	if len(cmds) == 0 {
		return tx.AddEvent(tk.ID, ticketing.Event{At: now, Type: ticketing.EventMessage, By: by, Text: say.Text("staff.message_event", msg.subject())})
	}
	ok, how := in.authenticated(msg.env, secret)
	if !ok {
		in.log.Warn("staff command refused: not authenticated", "ticket", tk.ID, "from", by)
		return in.warnStaff(tx, tk, msg, len(cmds), how, now)
	}
	var lines []string
	for _, c := range cmds {
		res, err := in.apply(tx, tk, c, say.Text("staff.by_mail", by, how), now)
		if errors.Is(err, errRefused) {
			res = err.Error()
		} else if err != nil {
			return err
		}
		lines = append(lines, res)
		if tk, err = tx.Ticket(tk.ID); err != nil {
			return err
		}
	}
	body, err := templates.Render("staff_result", staffData{TicketID: tk.ID, Ticket: tk, Lines: lines,
		StateLabel: ticketing.StateLabel(tk.State), Show: in.cfg.caseRef(tk.ID)})
	if err != nil {
		return err
	}
	out := outgoing{TicketID: tk.ID, Kind: "staff_result", To: []string{by}, Subject: replySubject(msg.subject(), tk.ID),
		Body: body, InReplyTo: msg.env.MessageID, References: msg.env.References}
	_, err = in.post.queue(tx, out, now)
	return err
}

// securityWarningEvery is how often at most the staff are warned of refused commands on one
// ticket: a forger sending many makes one warning, and the next one counts the others.
const securityWarningEvery = time.Hour

// warnStaff records a refused staff command and warns the staff list, at most once per ticket
// every securityWarningEvery; a warning after a quiet spell says how many were refused meanwhile.
func (in *Intake) warnStaff(tx *ticketing.Tx, tk *ticketing.Ticket, msg message, n int, how string, now time.Time) error {
	text := say.Text("staffauth.refused", n, how)
	ev := ticketing.Event{At: now, Type: ticketing.EventSecurity, By: msg.env.From, Count: n, Window: securityWarningEvery}
	lastID, last, warned, err := tx.LastEvent(tk.ID, ticketing.EventSecurity, ticketing.SecurityRefusedWarned)
	if err != nil {
		return err
	}
	if len(in.cfg.StaffAddresses()) == 0 || warned && now.Sub(last) < securityWarningEvery {
		in.log.Warn("security warning withheld: staff already warned of this ticket", "ticket", tk.ID, "at", last)
		ev.Kind, ev.Text = ticketing.SecurityRefusedQuiet, say.Text("staffauth.refused_quiet", text)
		return tx.AddEvent(tk.ID, ev)
	}
	lines := []string{say.Text("staff.line.claimed_sender", msg.env.From), say.Text("staff.line.subject", msg.subject()), "Message-ID: " + msg.env.MessageID}
	if warned {
		meanwhile, err := tx.CountEventsAfter(tk.ID, ticketing.EventSecurity, ticketing.SecurityRefusedQuiet, lastID)
		if err != nil {
			return err
		}
		if meanwhile > 0 {
			lines = append(lines, say.Text("staffauth.meanwhile",
				last.In(in.cfg.Location()).Format("02/01/2006 15:04"), meanwhile))
		}
	}
	ev.Kind, ev.Text = ticketing.SecurityRefusedWarned, say.Text("staffauth.refused_warned", text)
	if err := tx.AddEvent(tk.ID, ev); err != nil {
		return err
	}
	body, err := templates.Render("security_warning", staffData{TicketID: tk.ID, Ticket: tk, Reason: how,
		StateLabel: ticketing.StateLabel(tk.State), Show: in.cfg.caseRef(tk.ID), Lines: echoLines(lines)})
	if err != nil {
		return err
	}
	out := outgoing{TicketID: tk.ID, Kind: "security_warning", To: in.cfg.StaffAddresses(),
		Subject: say.Text("staffauth.subject", tk.ID), Body: body}
	_, err = in.post.queue(tx, out, now)
	return err
}

// errRefused marks a command refused for a reason the staff member is told; nothing changed.
var errRefused = errors.New("refused")

// refusedError carries the Italian reason of a refusal.
type refusedError struct{ reason string }

func (e refusedError) Error() string        { return e.reason }
func (e refusedError) Is(target error) bool { return target == errRefused }

// refusal is how every command says no: key names the text the staff member reads in
// templates/say/sentences.txt (a refuse.* key), args fill its verbs.
func refusal(key string, args ...any) error {
	return refusedError{say.Text(key, args...)}
}

// apply carries out one staff command and says, in Italian, what happened. A refusal is an
// error matching errRefused whose text says why.
func (in *Intake) apply(tx *ticketing.Tx, tk *ticketing.Ticket, c command, by string, now time.Time) (string, error) {
	line := "#" + c.name
	if c.arg != "" {
		line += " " + c.arg
	}
	cmd, ok := CommandNamed(c.name)
	if !ok {
		return "", refusal("refuse.unknown_command", line, commandNames())
	}
	return cmd.run(in, call{tx: tx, tk: tk, name: c.name, arg: c.arg, values: c.values, by: by, line: line, now: now})
}

// moveTo changes a ticket's state on a person's command.
func (in *Intake) moveTo(tx *ticketing.Tx, tk *ticketing.Ticket, to, by, reason, line string, now time.Time) (string, error) {
	if err := ticketing.CheckTransition(tk.Kind, tk.State, to); err != nil {
		return "", refusal("refuse.not_done", line, err)
	}
	var err error
	if to == ticketing.StateCompleted {
		err = tx.SetState(tk.ID, to, by, reason, now)
		if err == nil {
			tk.State = to
			err = in.qualifyPilots(tx, tk, now)
		}
	} else {
		err = tx.SetState(tk.ID, to, by, reason, now)
	}
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s: stato %s (%s)", line, to, ticketing.StateLabel(to)), nil
}

// redactionMark replaces a secret in everything mailbot keeps.
const redactionMark = "[RIMOSSO DOPO L'INVIO]"

// Apply runs one staff command on a ticket, as a staff member's mail would, for the CLI. The
// returned text says what happened; a refusal is an error that says why, and changed nothing.
func (in *Intake) Apply(ctx context.Context, id, name, arg string, values map[string]string, by string) (string, error) {
	return in.applyChecked(ctx, id, command{name: name, arg: arg, values: values}, by, nil)
}

// applyChecked runs c on ticket id in one transaction, after check (if set) accepts the ticket
// as it is in that transaction.
func (in *Intake) applyChecked(ctx context.Context, id string, c command, by string, check func(*ticketing.Ticket) error) (string, error) {
	var res string
	var refused error
	err := in.store.Update(ctx, func(tx *ticketing.Tx) error {
		tk, err := tx.Ticket(id)
		if err != nil {
			return fmt.Errorf("ticket %s: %w", id, err)
		}
		if check != nil {
			if err := check(tk); err != nil {
				return err
			}
		}
		res, err = in.apply(tx, tk, c, by, in.now())
		if errors.Is(err, errRefused) {
			refused = err
			return refused // roll back: nothing of a refused command stays
		}
		return err
	})
	if refused != nil {
		return "", refused
	}
	if err != nil {
		return "", err
	}
	return res, nil
}
