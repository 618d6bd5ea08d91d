package mailbot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mailbot/mailaddr"
	"mailbot/parsers"
	"mailbot/templates"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Who may move a case. A ticket number, a codice fiscale or an IPA code is no secret (they are
// in every reply, in public registers), so knowing one must not be enough to report tests,
// give caller IPs or confirm a payment. A message moves its case only when it comes from
// someone the case names: its requester, an address named in the forms already on the case
// (the referent's email, the software house's or company's technical contact), or a PEC address
// named there, through a PEC envelope. Anything else is recorded, shown to staff and otherwise
// ignored: no step, no forms or IPs kept as the case's, no reply that would reveal the case.
//
// Identity rests on what is authenticated, never on what a sender claims. Reply-To is a claim
// anyone can write: it never puts a message on a case, and mailbot always answers the From
// (a differing Reply-To is only shown to staff). The From is a claim too, but one the border
// MTA checks: when our own server's Authentication-Results (trusted_authserv_id, the header
// staff commands rely on) reports DMARC or aligned DKIM failing for the From domain, or the
// From is on the case only through its Reply-To, the message is untrusted: recorded, shown to
// staff, acknowledged to the From, and nothing else. A From with no result at all (many comuni
// sign nothing) may still take the ordinary steps; what moves money or production waits for a
// person anyway.

// fieldKinds maps every form field key to its kind (KindEmail, KindPEC, ...), across forms: a
// "Label: value" form in a body has no type but its keys are the schema's.
func fieldKinds() map[string]string {
	kinds := map[string]string{}
	for _, s := range parsers.Forms {
		for _, f := range s.Fields {
			kinds[f.Key] = f.Kind
		}
	}
	return kinds
}

// caseContacts lists the addresses a case knows: mail (requester, emails named in its forms)
// and pec (PEC addresses named in its forms, which count only through a PEC envelope: a PEC
// mailbox cannot send ordinary mail, so an ordinary message claiming one is not from it).
// A field the reader flagged as invalid names nobody.
func caseContacts(tk *ticketing.Ticket, forms []ticketing.Form) (mailAddrs, pecAddrs map[string]bool) {
	mailAddrs, pecAddrs = map[string]bool{}, map[string]bool{}
	if a := mailaddr.Parse(tk.Requester).String(); a != "" {
		mailAddrs[a] = true
	}
	kinds := fieldKinds()
	for _, f := range forms {
		for key := range f.Fields {
			kind := kinds[key]
			if kind != parsers.KindEmail && kind != parsers.KindPEC || hasProblem(f, key) {
				continue
			}
			for _, v := range f.List(key) {
				a := mailaddr.Parse(v).String()
				switch {
				case a == "":
				case kind == parsers.KindPEC:
					pecAddrs[a] = true
				default:
					mailAddrs[a] = true
				}
			}
		}
	}
	return mailAddrs, pecAddrs
}

// certifiedSender is the sender a PEC envelope certifies (daticert.xml's mittente), or "" unless
// msg is a PEC message of type posta-certificata whose provider signature verified against the
// index of PEC providers (pec.go) and whose three claims of the sender agree: daticert.xml's
// mittente, the envelope's "Per conto di:" and the From of the message inside. An envelope
// that fails any of this is ordinary mail from its outer From.
func certifiedSender(an *parsers.Analysis) string {
	if an == nil || an.PEC == nil || an.Receipt != "" || an.PEC.Tipo != "posta-certificata" {
		return ""
	}
	m := mailaddr.Parse(an.PEC.Mittente).String()
	if !an.PEC.Verified || m == "" || mailaddr.Parse(an.From).String() != m || mailaddr.Parse(an.PEC.OnBehalfOf).String() != m {
		return ""
	}
	return m
}

// senderOnCase tells whether msg comes from someone the case names (see the top of this file),
// judged on the forms already on the case: a form in msg itself cannot vouch for its sender.
// viaReplyTo tells that the From is not on the case but the Reply-To is: a sender borrowing
// someone else's identity.
func senderOnCase(tx *ticketing.Tx, tk *ticketing.Ticket, msg message) (onCase, viaReplyTo bool, err error) {
	forms, err := tx.Forms(tk.ID)
	if err != nil {
		return false, false, fmt.Errorf("contacts of %s: %w", tk.ID, err)
	}
	mailAddrs, pecAddrs := caseContacts(tk, forms)
	if c := certifiedSender(msg.an); c != "" && (pecAddrs[c] || mailAddrs[c]) {
		return true, false, nil
	}
	if a := mailaddr.Parse(msg.from()).String(); a != "" && mailAddrs[a] {
		return true, false, nil
	}
	rt := mailaddr.Parse(msg.env.ReplyTo).String()
	return false, rt != "" && mailAddrs[rt], nil
}

// fromAuth is what our own server says of a message's From domain.
type fromAuth int

const (
	authNone fromAuth = iota // no result for the From domain, or no header of ours
	authPass                 // DMARC pass, or DKIM pass aligned with the From domain
	authFail                 // DMARC fail, or an aligned DKIM signature failing and none passing
)

// fromAuthentication reads the topmost Authentication-Results header of our own server
// (authservID) among headers, topmost first. Only that one counts: rfc/8601:1016 has the border
// MTA add its header above anything the sender wrote (and remove forged ones), so a header of
// our server further down may be the sender's. One that cannot be parsed authenticates nothing
// and condemns nothing. The reason is Italian: staff read it.
func fromAuthentication(headers []string, authservID, fromDomain string) (fromAuth, string) {
	if authservID == "" {
		return authNone, say.Text("auth.no_server")
	}
	for _, v := range headers {
		res, err := parsers.ParseAuthResults(v)
		if mailaddr.Fold(res.AuthServID) != mailaddr.Fold(authservID) {
			continue
		}
		if err != nil {
			return authNone, say.Text("auth.unreadable", authservID)
		}
		fail := ""
		for _, r := range res.Results {
			switch r.Method {
			case "dkim":
				signer := r.Prop("header", "d")
				if signer == "" {
					_, signer, _ = strings.Cut(r.Prop("header", "i"), "@")
				}
				if !aligned(signer, fromDomain) {
					continue
				}
				switch r.Result {
				case "pass":
					return authPass, "DKIM pass (" + signer + ")"
				case "fail":
					fail = say.Text("auth.dkim_fail", authservID, signer)
				}
			case "dmarc":
				if f := r.Prop("header", "from"); f == "" || mailaddr.Domain(f) != fromDomain {
					continue
				}
				switch r.Result {
				case "pass":
					return authPass, "DMARC pass"
				case "fail":
					fail = say.Text("auth.dmarc_fail", authservID, fromDomain)
				}
			}
		}
		if fail != "" {
			return authFail, fail
		}
		return authNone, say.Text("auth.none", authservID)
	}
	return authNone, say.Text("auth.no_header", authservID)
}

// untrustedReason says why msg, on a case or opening one, is not to be believed ("" if it may
// be): DMARC or aligned DKIM failing for its From, a From on the case only through Reply-To,
// or more than one From (the first, the one we would read, need not be what the border MTA
// judged).
func (in *Intake) untrustedReason(msg message, viaReplyTo bool) string {
	if msg.env.FromCount > 1 && certifiedSender(msg.an) == "" {
		return say.Text("auth.many_from", msg.env.FromCount)
	}
	if viaReplyTo {
		return say.Text("auth.reply_to_only", mailaddr.Parse(msg.env.ReplyTo).String())
	}
	from := msg.env.From
	if certifiedSender(msg.an) != "" {
		return "" // the PEC provider vouches for the sender, not our border MTA
	}
	if v, why := fromAuthentication(msg.env.AuthResults, in.cfg.Staff.TrustedAuthservID, from[strings.LastIndexByte(from, '@')+1:]); v == authFail {
		return why
	}
	return ""
}

// untrustedKind is the acknowledgement of an untrusted message.
const untrustedKind = "untrusted_ack"

// untrusted records a message that is not to be believed: no step, no forms or IPs filed, the
// case flagged, staff told why, and the From told that a person will check it (within the caps).
func (in *Intake) untrusted(tx *ticketing.Tx, tk *ticketing.Ticket, msg message, why string, now time.Time) error {
	from := mailaddr.Parse(msg.from()).String()
	subject := echoText(msg.subject(), maxEcho)
	in.log.Info("untrusted message: recorded, not acted on", "ticket", tk.ID, "from", from)
	if err := tx.MarkSenderDoubt(msg.rec, ticketing.SenderDoubtUntrusted); err != nil {
		return err
	}
	if err := tx.AddEvent(tk.ID, ticketing.Event{At: now, Type: ticketing.EventSecurity, By: from, Kind: ticketing.SecurityUntrusted,
		Text: say.Text("untrusted.event", why, subject)}); err != nil {
		return err
	}
	if tk.FlagKind == ticketing.FlagNone {
		tk.FlagKind, tk.Flag = ticketing.FlagUntrusted, say.Text("untrusted.flag", from)
		if err := tx.SetFlag(tk.ID, tk.FlagKind, tk.Flag, "mailbot", now); err != nil {
			return err
		}
	}
	lines := append([]string{say.Text("staff.line.sender", from), say.Text("staff.line.reason", why)}, senderLines(msg)...)
	lines = append(lines, say.Text("staff.line.checked", msg.rec))
	if err := in.notifyStaff(tx, tk, say.Text("untrusted.notice"), now, lines...); err != nil {
		return err
	}
	return in.queueReply(tx, tk, msg, untrustedKind, outcome{}, now)
}

// senderLines are what staff see of a message not acted on: its Reply-To when it differs from
// the sender, subject, Message-ID, and the IPs and forms it holds, none of them recorded.
func senderLines(msg message) []string {
	var lines []string
	if rt := mailaddr.Parse(msg.env.ReplyTo).String(); rt != "" && rt != mailaddr.Parse(msg.from()).String() {
		lines = append(lines, say.Text("staff.line.reply_to", echoText(rt, maxEcho)))
	}
	lines = append(lines, say.Text("staff.line.subject", echoText(msg.subject(), maxEcho)), "Message-ID: "+echoText(msg.env.MessageID, maxEcho))
	if msg.an != nil {
		if len(msg.an.IPs) > 0 {
			lines = append(lines, say.Text("staff.line.ips_not_filed", echoList(msg.an.IPs)))
		}
		var parts []string
		for _, f := range msg.an.Forms {
			if f.Source != "" && f.Source != parsers.SourceBody {
				parts = append(parts, f.Source)
			}
		}
		if len(parts) > 0 {
			lines = append(lines, say.Text("staff.line.forms_not_filed", echoList(parts)))
		}
	}
	return lines
}

// senderUnknownKind is the staff notice about a sender not on the case; at most one per case
// and hour is mailed (the rest are recorded), so a flood of such mail is not a flood to staff.
const senderUnknownKind = "sender_unknown"

// senderNotOnCase records a message from a sender the case does not name and tells staff. The
// case does not move, the message's forms and IPs are not filed with it, and the sender gets
// no answer.
func (in *Intake) senderNotOnCase(tx *ticketing.Tx, tk *ticketing.Ticket, msg message, now time.Time) error {
	from := mailaddr.Parse(msg.env.From).String()
	if c := certifiedSender(msg.an); c != "" {
		from = c
	}
	subject := echoText(msg.subject(), maxEcho)
	in.log.Info("message from a sender not on the case: recorded, not acted on", "ticket", tk.ID, "from", from)
	if err := tx.MarkSenderDoubt(msg.rec, ticketing.SenderDoubtStranger); err != nil {
		return err
	}
	if err := tx.AddEvent(tk.ID, ticketing.Event{At: now, Type: ticketing.EventMessage, By: from,
		Text: say.Text("stranger.event", subject)}); err != nil {
		return err
	}
	if tk.FlagKind == ticketing.FlagNone { // a mark already there is as visible, and says more
		tk.FlagKind, tk.Flag = ticketing.FlagStranger, say.Text("stranger.flag", from)
		if err := tx.SetFlag(tk.ID, tk.FlagKind, tk.Flag, "mailbot", now); err != nil {
			return err
		}
	}
	to := in.cfg.StaffAddresses()
	if tk.Assignee != "" && strings.Contains(tk.Assignee, "@") {
		to = []string{tk.Assignee}
	}
	if len(to) == 0 {
		return nil
	}
	err := tx.RecordSent(ticketing.Sent{TicketID: tk.ID, Kind: senderUnknownKind,
		Anchor: ticketing.Anchor(now.UTC().Truncate(time.Hour)), Seq: 1, At: now, Rcpts: to})
	if err != nil {
		if errors.Is(err, ticketing.ErrAlreadySent) {
			in.log.Debug("notice of a sender not on the case already sent this hour", "ticket", tk.ID)
			return nil
		}
		return err
	}
	lines := append(append([]string{say.Text("staff.line.sender", from)}, senderLines(msg)...), say.Text("staff.line.checked", msg.rec))
	body, err := templates.Render("sender_unknown", staffData{TicketID: tk.ID, Ticket: tk, Lines: lines,
		StateLabel: ticketing.StateLabel(tk.State), Show: in.cfg.caseRef(tk.ID)})
	if err != nil {
		return err
	}
	out := outgoing{TicketID: tk.ID, Kind: senderUnknownKind, To: to,
		Subject: say.Text("stranger.subject", tk.ID), Body: body}
	_, err = in.post.queue(tx, out, now)
	return err
}

// checkedSender is "#verificato N": a person looked at message N, not acted on because of its
// sender, and it leaves what the case waits for (what it asked, if genuine, they do with the
// other commands). The case's flag for such messages goes with the last of them.
func (in *Intake) checkedSender(c call) (string, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(c.arg), 10, 64)
	if err != nil || id <= 0 {
		return "", refusal("refuse.checked_number", echoText(c.arg, maxEcho))
	}
	d, err := c.tx.SenderDoubt(c.tk.ID, id)
	if errors.Is(err, ticketing.ErrNotFound) {
		return "", refusal("refuse.checked_gone", id, c.tk.ID)
	}
	if err != nil {
		return "", err
	}
	if err := c.tx.MarkSenderDoubt(id, ""); err != nil {
		return "", err
	}
	res := say.Text("checked.done", id, echoText(d.From, maxEcho), echoText(d.Subject, maxEcho))
	if err := c.tx.AddEvent(c.tk.ID, ticketing.Event{At: c.now, Type: ticketing.EventSecurity, By: c.by, Text: res}); err != nil {
		return "", err
	}
	if c.tk.FlagKind != ticketing.FlagStranger && c.tk.FlagKind != ticketing.FlagUntrusted {
		return res, nil
	}
	if left, err := c.tx.SenderDoubtsLeft(c.tk.ID); err != nil || left > 0 {
		return res, err
	}
	c.tk.FlagKind, c.tk.Flag = ticketing.FlagNone, ""
	return res, c.tx.ClearFlag(c.tk.ID, c.by, say.Text("checked.none_left"), c.now)
}
