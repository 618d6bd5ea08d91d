package mailbot

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"mailbot/mailaddr"
	"mailbot/parsers"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Money and production need a person. Once a case's forms were first complete (it left
// awaiting_documents), a message that gives another IBAN or any other address (the ente's PEC,
// the referent's, a software house's or company's contact: guardedFields) changes
// nothing by itself: the value is taken out of the forms filed with the case and recorded as a
// proposal (ticketing/proposals.go). Caller IPs for production are always proposals, the first
// ones too. The case may still move; staff confirm (#accetta N), which records the value as a
// staff correction is recorded, or reject it (#rifiuta N). A sender who can write from an
// address on the case, or forge one no server vouches for, thus cannot redirect payments or
// open production to their own machines.

// guardedFields are the form values only a person may change once the forms were complete:
// where the ente's money goes, and every address a form names. An address in the case's forms
// may act on the case (senders.go: caseContacts reads fields of kind e-mail and PEC), so a
// later form that adds or changes one (a software house's or company's technical contact, the
// company's PEC) would otherwise hand the case to whoever it names, on the word of a sender
// that may not be who it claims (many comuni sign nothing). mailbot is sure only with
// evidence, and the evidence for a new party on the case is a person's acceptance; whoever
// sends it, as for the IBAN, since an authenticated referent's mailbox can be misused too and
// one rule for every address is one staff can follow.
var guardedFields = guarded()

func guarded() []string {
	keys := []string{parsers.KeyTipiDovutoIban}
	for key, kind := range fieldKinds() {
		if kind == parsers.KindEmail || kind == parsers.KindPEC {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys[1:]) // a stable order: proposals are numbered as they are made
	return keys
}

// proposeChanges returns the forms of m as the case files them: once the case's forms were
// first complete, a guarded value differing from the case's is taken out and recorded as a
// proposal (an invalid one is only taken out: it replaces nothing either).
func (in *Intake) proposeChanges(tx *ticketing.Tx, tk *ticketing.Ticket, m message, o *outcome, now time.Time) ([]parsers.Form, []ticketing.Proposal, error) {
	forms := m.forms()
	if tk.State == ticketing.StateAwaitingDocuments || len(forms) == 0 {
		return forms, nil, nil
	}
	have, err := readCase(tx, tk)
	if err != nil {
		return nil, nil, err
	}
	cf := have.file
	known, err := tx.Proposals(tk.ID)
	if err != nil {
		return nil, nil, err
	}
	var out []parsers.Form
	var made []ticketing.Proposal
	for _, f := range forms {
		for _, key := range guardedFields {
			_, read := f.Fields[key]
			if !read && !slices.ContainsFunc(f.Problems, func(p parsers.Problem) bool { return p.Field == key }) {
				continue
			}
			value := strings.Join(formRecord("", f, now, verified{}).List(key), ", ")
			formType, old := caseValue(tk.Kind, cf, f.Type, key)
			if value != "" && sameValue(value, old) {
				continue // the case's own value, read again
			}
			f = withoutField(f, key)
			if f.Type == "" && mailaddr.Same(value, m.from()) {
				continue // "Email: " in the sender's signature: no change anyone asked for
			}
			if types, _ := fieldTargets(tk.Kind, key); len(types) == 0 {
				continue // no form of this kind of case has it (a qualification's IBAN): nothing to accept
			}
			if value == "" || !validValue(formType, key, value) || slices.ContainsFunc(known, func(p ticketing.Proposal) bool {
				return p.Pending() && p.Field == key && sameValue(p.Value, value)
			}) {
				continue
			}
			if again, err := resentRejected(tx, known, key, value, m, o, now); err != nil || again {
				if err != nil {
					return nil, nil, err
				}
				continue
			}
			where := f.Source
			if p, ok := f.Provenance[key]; ok && p.Document != "" {
				where = p.Document
			}
			p := ticketing.Proposal{TicketID: tk.ID, Field: key, FormType: formType, Old: old, Value: value,
				MessageID: m.env.MessageID, Document: where, CreatedAt: now, State: ticketing.ProposalPending}
			if p.Seq, err = tx.AddProposal(p); err != nil {
				return nil, nil, err
			}
			if err := supersede(tx, p, known, now); err != nil {
				return nil, nil, err
			}
			known, made = append(known, p), append(made, p)
		}
		out = append(out, f)
	}
	return out, made, nil
}

// validValue reports whether a staff correction (#campo) would take value for key: an invalid
// one (an IBAN whose check digits are wrong, a PEC without @) is no proposal anyone could accept.
func validValue(formType, key, value string) bool {
	if formType == "" {
		formType = parsers.FormInformativaGenerale
	}
	f := parsers.Form{Type: formType, Fields: map[string]any{key: value}}
	parsers.CheckForm(&f)
	return !slices.ContainsFunc(f.Problems, func(p parsers.Problem) bool { return p.Field == key })
}

// caseValue is the value the case file holds for key, and the form type a confirmed proposal
// sets: the reading's own form when it is one of the case's, else "" (every form with the key).
func caseValue(kind string, cf ticketing.CaseFile, formType, key string) (target, value string) {
	if slices.Contains(requiredForms(kind), formType) {
		return formType, cf.Forms[formType].Field(key)
	}
	for _, t := range requiredForms(kind) {
		if f, ok := cf.Forms[t]; ok && f.Field(key) != "" {
			return "", f.Field(key)
		}
	}
	return "", ""
}

// sameValue compares two values as a person would: case, spacing and list order aside.
func sameValue(a, b string) bool { return sameValueNorm(a) == sameValueNorm(b) }

// sameValueNorm is s as sameValue compares it: lower case, no spaces, its list sorted.
func sameValueNorm(s string) string {
	var parts []string
	for _, p := range strings.Split(strings.ToLower(s), ",") {
		if p = strings.Join(strings.Fields(p), ""); p != "" {
			parts = append(parts, p)
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

// withoutField is f without key's value, provenance and problems; f's maps are left alone (the
// analysis is read again by the steps).
func withoutField(f parsers.Form, key string) parsers.Form {
	fields := make(map[string]any, len(f.Fields))
	for k, v := range f.Fields {
		if k != key {
			fields[k] = v
		}
	}
	prov := make(map[string]parsers.Provenance, len(f.Provenance))
	for k, v := range f.Provenance {
		if k != key {
			prov[k] = v
		}
	}
	f.Fields, f.Provenance = fields, prov
	f.Problems = slices.DeleteFunc(slices.Clone(f.Problems), func(p parsers.Problem) bool { return p.Field == key })
	return f
}

// proposeIPs records caller IPs for production read from m as a proposal; addresses already
// confirmed for the case are left out. It returns the proposal, or ok false when nothing new
// was proposed (all confirmed, or the same already waiting).
func (in *Intake) proposeIPs(tx *ticketing.Tx, tk *ticketing.Ticket, m message, ips []string, o *outcome, now time.Time) (p ticketing.Proposal, ok bool, err error) {
	have, err := tx.IPs(tk.ID)
	if err != nil {
		return p, false, err
	}
	confirmed := have[ticketing.EnvEsercizio]
	var fresh []string
	for _, ip := range ips {
		if !slices.Contains(confirmed, ip) && !slices.Contains(fresh, ip) {
			fresh = append(fresh, ip)
		}
	}
	if len(fresh) == 0 {
		return p, false, nil
	}
	value := strings.Join(fresh, ", ")
	known, err := tx.Proposals(tk.ID)
	if err != nil {
		return p, false, err
	}
	for _, k := range known {
		if k.Pending() && k.Field == parsers.KeyIpEsercizio && sameValue(k.Value, value) {
			return k, true, nil
		}
	}
	if again, err := resentRejected(tx, known, parsers.KeyIpEsercizio, value, m, o, now); err != nil || again {
		return p, false, err
	}
	where := say.Text("proposal.in_text")
	for _, f := range m.forms() {
		if _, read := f.Fields[parsers.KeyIpEsercizio]; read && f.Source != "" {
			where = f.Source
		}
	}
	p = ticketing.Proposal{TicketID: tk.ID, Field: parsers.KeyIpEsercizio, Old: strings.Join(confirmed, ", "), Value: value,
		MessageID: m.env.MessageID, Document: where, CreatedAt: now, State: ticketing.ProposalPending}
	if p.Seq, err = tx.AddProposal(p); err != nil {
		return p, false, err
	}
	return p, true, supersede(tx, p, known, now)
}

// resentRejected handles a value staff already rejected for key, sent again: it reopens no
// decision by itself (a sender repeating a value is no new evidence for it). The resend is
// counted on the rejected proposal with an event, and staff are told the first time only, so
// a referent (or someone writing as one) who insists cannot flood them; staff who change their
// mind set the value themselves (#campo, which #accetta's refusal spells out). It reports
// whether value was such a resend.
func resentRejected(tx *ticketing.Tx, known []ticketing.Proposal, key, value string, m message, o *outcome, now time.Time) (bool, error) {
	i := slices.IndexFunc(known, func(p ticketing.Proposal) bool {
		return p.State == ticketing.ProposalRejected && p.Field == key && sameValue(p.Value, value)
	})
	if i < 0 {
		return false, nil
	}
	r := known[i]
	n, err := tx.ProposalResent(r.TicketID, r.Seq)
	if err != nil {
		return false, err
	}
	line := say.Text("proposal.resent", r.Seq, FieldLabel(r.FormType, r.Field), echoText(r.Value, maxEcho), r.DecidedBy,
		r.DecidedAt.Format("02/01/2006 15:04"), echoText(m.env.MessageID, maxEcho))
	if err := tx.AddEvent(r.TicketID, ticketing.Event{At: now, Type: ticketing.EventProposal, By: "mailbot", Text: line}); err != nil {
		return false, err
	}
	if n == 1 {
		o.staffNotice = joinNotice(o.staffNotice, say.Text("proposal.notice_resent"))
		o.staffLines = append(o.staffLines, line)
	}
	return true, nil
}

// supersede marks the proposals still waiting that p, newer, replaces, so that none of them can
// be accepted after it and put back a stale value. A value replaces the field's: any older
// proposal for the same field is superseded. Caller IPs add to the case's list, so an older
// IP proposal is superseded only when p holds every one of its addresses (otherwise both wait,
// and accepting either takes nothing of the other's away).
// known is updated in place, so that a later form of the same message compares with what waits
// now, not with what waited before it.
func supersede(tx *ticketing.Tx, p ticketing.Proposal, known []ticketing.Proposal, now time.Time) error {
	for i, k := range known {
		if !k.Pending() || k.Seq >= p.Seq || !replaces(p, k) {
			continue
		}
		if err := tx.SupersedeProposal(k.TicketID, k.Seq, p.Seq, now); err != nil {
			return err
		}
		known[i].State, known[i].SupersededBy = ticketing.ProposalSuperseded, p.Seq
		if err := tx.AddEvent(k.TicketID, ticketing.Event{At: now, Type: ticketing.EventProposal, By: "mailbot",
			Text: say.Text("proposal.event_superseded", k.Seq, p.Seq, FieldLabel(k.FormType, k.Field), echoText(k.Value, maxEcho), echoText(p.Value, maxEcho))}); err != nil {
			return err
		}
	}
	return nil
}

// replaces tells whether newer, accepted, would make older's value stale: the same field of
// the same form (a proposal for every form with the key covers each), and for caller IPs all
// of older's addresses.
func replaces(newer, older ticketing.Proposal) bool {
	if newer.Field != older.Field || newer.FormType != older.FormType && newer.FormType != "" && older.FormType != "" {
		return false
	}
	if newer.Field != parsers.KeyIpEsercizio {
		return true
	}
	has := strings.Split(sameValueNorm(newer.Value), ",")
	for _, ip := range strings.Split(sameValueNorm(older.Value), ",") {
		if !slices.Contains(has, ip) {
			return false
		}
	}
	return true
}

// flagProposal marks the case as waiting for staff to decide, unless another reason for a
// person to look is on it already (the proposals are counted and shown anyway).
func flagProposal(tx *ticketing.Tx, tk *ticketing.Ticket, now time.Time) error {
	if tk.FlagKind != ticketing.FlagNone {
		return nil
	}
	tk.FlagKind, tk.Flag = ticketing.FlagProposal, ticketing.FlagProposal.Label()
	return tx.SetFlag(tk.ID, tk.FlagKind, tk.Flag, "mailbot", now)
}

// proposalView is a proposal as staff notices show it: the sender's text echoed safely.
type proposalView struct {
	Seq                        int
	Label, Field               string
	Old, Value                 string
	MessageID, Document, State string
	Replaces                   string // the older proposals it superseded, "" for none
}

func viewProposal(p ticketing.Proposal, list []ticketing.Proposal) proposalView {
	return proposalView{Seq: p.Seq, Label: FieldLabel(p.FormType, p.Field), Field: p.Field, Old: echoText(p.Old, maxEcho),
		Value: echoText(p.Value, maxEcho), MessageID: echoText(p.MessageID, maxEcho), Document: echoText(p.Document, maxEcho), State: string(p.State),
		Replaces: supersededText(p.Seq, list)}
}

// supersededText names the proposals of list that seq superseded, for staff: "" for none.
func supersededText(seq int, list []ticketing.Proposal) string {
	var parts []string
	for _, o := range Superseded(seq, list) {
		parts = append(parts, say.Text("proposal.replaced_one", o.Seq, echoText(o.Value, maxEcho)))
	}
	if len(parts) == 0 {
		return ""
	}
	return say.Text("proposal.replaces", strings.Join(parts, ", "))
}

// Superseded lists the proposals of list that proposal seq superseded, oldest first: what the
// console and the notices show beside it, since they can no longer be accepted.
func Superseded(seq int, list []ticketing.Proposal) []ticketing.Proposal {
	var out []ticketing.Proposal
	for _, o := range list {
		if o.State == ticketing.ProposalSuperseded && o.SupersededBy == seq {
			out = append(out, o)
		}
	}
	return out
}

// pendingViews lists a case's proposals waiting for staff.
func pendingViews(tx *ticketing.Tx, ticketID string) ([]proposalView, error) {
	list, err := tx.Proposals(ticketID)
	if err != nil {
		return nil, err
	}
	var out []proposalView
	for _, p := range list {
		if p.Pending() {
			out = append(out, viewProposal(p, list))
		}
	}
	return out, nil
}

// changeLines are the proposed changes as the referent reads them: the field and the value
// received (never the old value: the sender may not be who they claim).
func changeLines(ps []ticketing.Proposal) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s: %s", FieldLabel(p.FormType, p.Field), echoText(p.Value, maxEcho)))
	}
	return out
}

// Handlers of #accetta and #rifiuta.

// proposalOf reads the proposal a command names by its number, pending.
func proposalOf(c call) (ticketing.Proposal, string, error) {
	num, rest, _ := strings.Cut(strings.TrimSpace(c.arg), " ")
	list, err := c.tx.Proposals(c.tk.ID)
	if err != nil {
		return ticketing.Proposal{}, "", err
	}
	var pending []string
	for _, p := range list {
		if p.Pending() {
			pending = append(pending, strconv.Itoa(p.Seq))
		}
	}
	waiting := say.Text("proposal.none_waiting")
	if len(pending) > 0 {
		waiting = say.Text("proposal.waiting", strings.Join(pending, ", "))
	}
	n, err := strconv.Atoi(strings.TrimPrefix(num, "n."))
	if err != nil {
		return ticketing.Proposal{}, "", refusal("proposal.refuse_number", c.line, waiting)
	}
	p, err := c.tx.Proposal(c.tk.ID, n)
	if errors.Is(err, ticketing.ErrNotFound) {
		return p, "", refusal("proposal.refuse_unknown", c.line, n, waiting)
	}
	if err != nil {
		return p, "", err
	}
	switch p.State {
	case ticketing.ProposalConfirmed:
		return p, "", refusal("proposal.refuse_accepted", c.line, n, p.DecidedBy, p.DecidedAt.Format("02/01/2006 15:04"))
	case ticketing.ProposalRejected:
		key := p.Field
		if p.FormType != "" {
			key = p.FormType + "." + p.Field
		}
		return p, "", refusal("proposal.refuse_rejected", c.line, n, p.DecidedBy, p.DecidedAt.Format("02/01/2006 15:04"), key, echoText(p.Value, maxEcho))
	case ticketing.ProposalSuperseded:
		return p, "", refusal("proposal.refuse_superseded", c.line, n, p.SupersededBy, FieldLabel(p.FormType, p.Field), waiting)
	}
	return p, strings.TrimSpace(rest), nil
}

// acceptProposal is "#accetta N": the proposed value becomes the case's, recorded as a staff
// correction (#campo) with where it was read; caller IPs become the ones to enable.
func (in *Intake) acceptProposal(c call) (string, error) {
	p, _, err := proposalOf(c)
	if err != nil {
		return "", err
	}
	key := p.Field
	if p.FormType != "" {
		key = p.FormType + "." + p.Field
	}
	// The value first: a refused one (invalid) leaves the proposal pending, since a refusal
	// among a mail's commands rolls nothing back.
	read := map[string]ticketing.Provenance{key: {Document: say.Text("proposal.read_in", p.Seq, echoText(p.MessageID, maxEcho), echoText(p.Document, maxEcho))}}
	if _, err := in.recordFields(c.tx, c.tk, []string{key}, map[string]string{key: p.Value}, read, c.by, c.line, c.now); err != nil {
		return "", err
	}
	if err := c.tx.DecideProposal(c.tk.ID, p.Seq, ticketing.ProposalConfirmed, c.by, c.now); err != nil {
		return "", err
	}
	if err := c.tx.AddEvent(c.tk.ID, ticketing.Event{At: c.now, Type: ticketing.EventProposal, By: c.by,
		Text: say.Text("proposal.event_accepted", p.Seq, FieldLabel(p.FormType, p.Field), echoText(p.Old, maxEcho), echoText(p.Value, maxEcho))}); err != nil {
		return "", err
	}
	if err := in.proposalDecided(c); err != nil {
		return "", err
	}
	return say.Text("proposal.accepted", c.line, FieldLabel(p.FormType, p.Field), echoText(p.Value, maxEcho)), nil
}

// rejectProposal is "#rifiuta N [motivo]": the case keeps its value; the decision is recorded.
func (in *Intake) rejectProposal(c call) (string, error) {
	p, why, err := proposalOf(c)
	if err != nil {
		return "", err
	}
	if err := c.tx.DecideProposal(c.tk.ID, p.Seq, ticketing.ProposalRejected, c.by, c.now); err != nil {
		return "", err
	}
	text := say.Text("proposal.event_rejected", p.Seq, FieldLabel(p.FormType, p.Field), echoText(p.Old, maxEcho), echoText(p.Value, maxEcho))
	if why != "" {
		text += ": " + why
	}
	if err := c.tx.AddEvent(c.tk.ID, ticketing.Event{At: c.now, Type: ticketing.EventProposal, By: c.by, Text: text}); err != nil {
		return "", err
	}
	if err := in.proposalDecided(c); err != nil {
		return "", err
	}
	kept := say.Text("proposal.no_value")
	if p.Old != "" {
		kept = "«" + echoText(p.Old, maxEcho) + "»"
	}
	return say.Text("proposal.rejected", c.line, FieldLabel(p.FormType, p.Field), kept), nil
}

// proposalDecided takes the case's proposal flag off once no proposal waits.
func (in *Intake) proposalDecided(c call) error {
	tk, err := c.tx.Ticket(c.tk.ID)
	if err != nil {
		return err
	}
	*c.tk = *tk
	if tk.FlagKind != ticketing.FlagProposal {
		return nil
	}
	if left, err := pendingViews(c.tx, tk.ID); err != nil || len(left) > 0 {
		return err
	}
	c.tk.FlagKind, c.tk.Flag = ticketing.FlagNone, ""
	return c.tx.ClearFlag(tk.ID, c.by, say.Text("proposal.none_left"), c.now)
}

// productionIPsReady refuses to prepare production while its caller IPs are not confirmed: a
// proposal waits, or none was ever confirmed.
func productionIPsReady(tx *ticketing.Tx, tk *ticketing.Ticket) ([]string, error) {
	list, err := tx.Proposals(tk.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		if p.Pending() && p.Field == parsers.KeyIpEsercizio {
			return nil, refusal("proposal.ips_unconfirmed", echoText(p.Value, maxEcho), p.Seq, p.Seq)
		}
	}
	ips, err := tx.IPs(tk.ID)
	if err != nil {
		return nil, err
	}
	if len(ips[ticketing.EnvEsercizio]) == 0 {
		return nil, refusal("proposal.ips_none", parsers.KeyIpEsercizio)
	}
	return ips[ticketing.EnvEsercizio], nil
}
