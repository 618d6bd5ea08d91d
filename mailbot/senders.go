package mailbot

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"mailbot/parsers"
	"mailbot/templates"
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
// From and Reply-To are claims the sender makes; neither is authenticated here. Accepting a
// Reply-To on the case is therefore no weaker than accepting its From, and it keeps a requester
// who wrote "From: protocollo@…, Reply-To: referente@…" (recorded as the Reply-To) on their
// case. What is refused is a sender nobody on the case named.

// bareAddress returns the address in a form value such as "Mario Rossi <m.rossi@x.it>" or
// "m.rossi@x.it", folded (ASCII only: parsers.FoldASCII); "" when the value holds none.
func bareAddress(v string) string {
	v = strings.TrimSpace(v)
	if a, err := mail.ParseAddress(v); err == nil {
		v = a.Address
	}
	if strings.ContainsAny(v, " \t\r\n<>,;") || strings.Count(v, "@") != 1 || strings.HasPrefix(v, "@") || strings.HasSuffix(v, "@") {
		return ""
	}
	return parsers.FoldASCII(v)
}

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
	if a := bareAddress(tk.Requester); a != "" {
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
				a := bareAddress(v)
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

// certifiedSender is the sender a PEC envelope certifies (daticert.xml's mittente), or "" when
// msg is not a PEC message of type posta-certificata or its certification data are missing or
// disagree with the message inside. The provider's S/MIME signature is not checked against
// AgID's list of providers (mailbot has no copy of it), so a forged envelope is as good as a
// forged From, which is what the other addresses rely on too.
func certifiedSender(an *parsers.Analysis) string {
	if an == nil || an.PEC == nil || an.Receipt != "" || an.PEC.Tipo != "posta-certificata" {
		return ""
	}
	m := bareAddress(an.PEC.Mittente)
	if m == "" || an.From != "" && bareAddress(an.From) != m {
		return ""
	}
	return m
}

// senderOnCase tells whether msg comes from someone the case names (see the top of this file),
// judged on the forms already on the case: a form in msg itself cannot vouch for its sender.
func senderOnCase(tx *ticketing.Tx, tk *ticketing.Ticket, msg message) (bool, error) {
	forms, err := tx.Forms(tk.ID)
	if err != nil {
		return false, fmt.Errorf("contacts of %s: %w", tk.ID, err)
	}
	mailAddrs, pecAddrs := caseContacts(tk, forms)
	claimed := []string{msg.env.From, msg.env.ReplyTo}
	if msg.an != nil && msg.an.PEC != nil {
		claimed = append(claimed, msg.an.From)
	}
	for _, a := range claimed {
		if a = bareAddress(a); a != "" && mailAddrs[a] {
			return true, nil
		}
	}
	if c := certifiedSender(msg.an); c != "" && (pecAddrs[c] || mailAddrs[c]) {
		return true, nil
	}
	return false, nil
}

// senderUnknownKind is the staff notice about a sender not on the case; at most one per case
// and hour is mailed (the rest are recorded), so a flood of such mail is not a flood to staff.
const senderUnknownKind = "sender_unknown"

// senderNotOnCase records a message from a sender the case does not name and tells staff. The
// case does not move, the message's forms and IPs are not filed with it, and the sender gets
// no answer.
func (in *Intake) senderNotOnCase(tx *ticketing.Tx, tk *ticketing.Ticket, msg message, now time.Time) error {
	from := bareAddress(msg.env.From)
	if c := certifiedSender(msg.an); c != "" {
		from = c
	}
	subject := echoText(msg.subject(), maxEcho)
	in.log.Info("message from a sender not on the case: recorded, not acted on", "ticket", tk.ID, "from", from)
	if err := tx.AddEvent(tk.ID, ticketing.Event{At: now, Type: ticketing.EventMessage, By: from,
		Text: "messaggio da un mittente non presente nella pratica (registrato, nessun effetto, nessuna risposta): " + subject}); err != nil {
		return err
	}
	if tk.FlagKind == ticketing.FlagNone { // a mark already there is as visible, and says more
		tk.FlagKind, tk.Flag = ticketing.FlagStranger, "mittente non presente nella pratica: "+from
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
	lines := []string{"mittente: " + from}
	if rt := bareAddress(msg.env.ReplyTo); rt != "" && rt != from {
		lines = append(lines, "indirizzo di risposta: "+rt)
	}
	lines = append(lines, "oggetto: "+subject, "Message-ID: "+echoText(msg.env.MessageID, maxEcho))
	if msg.an != nil {
		if len(msg.an.IPs) > 0 {
			lines = append(lines, "indirizzi IP nel messaggio (non registrati): "+echoText(strings.Join(msg.an.IPs, ", "), maxEcho))
		}
		var parts []string
		for _, f := range msg.an.Forms {
			if f.Source != "" && f.Source != parsers.SourceBody {
				parts = append(parts, f.Source)
			}
		}
		if len(parts) > 0 {
			lines = append(lines, "moduli nel messaggio (non registrati): "+echoText(strings.Join(parts, ", "), maxEcho))
		}
	}
	body, err := templates.Render("sender_unknown", staffData{TicketID: tk.ID, Ticket: tk, Lines: lines,
		StateLabel: ticketing.StateLabel(tk.State), Show: in.cfg.caseRef(tk.ID)})
	if err != nil {
		return err
	}
	out := outgoing{TicketID: tk.ID, Kind: senderUnknownKind, To: to,
		Subject: "[" + tk.ID + "] messaggio da un mittente non presente nella pratica", Body: body}
	_, err = in.post.queue(tx, out, now)
	return err
}
