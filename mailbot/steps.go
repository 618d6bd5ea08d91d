package mailbot

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"mailbot/mailaddr"
	"mailbot/parsers"
	"mailbot/templates"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// message is what intake knows of one incoming message: its envelope and, when it could be
// read, the analysis of its content (for a PEC message, of the inner message).
type message struct {
	env *parsers.Envelope
	an  *parsers.Analysis // nil when the content could not be analysed
	rec int64             // its row in the store, once recorded
}

func (m message) from() string {
	if c := certifiedSender(m.an); c != "" {
		return c // ASCII only (mailaddr): a look-alike must not become an address on the case
	}
	return m.env.From // never Reply-To: see senders.go
}

func (m message) subject() string {
	if m.an != nil && m.an.PEC != nil && m.an.Subject != "" {
		return m.an.Subject
	}
	return m.env.Subject
}

func (m message) forms() []parsers.Form {
	if m.an == nil {
		return nil
	}
	return m.an.Forms
}

// ownWords is the text above anything the message quotes: the only place commands are read.
func (m message) ownWords() string {
	if m.an == nil {
		return ""
	}
	return m.an.OwnWords
}

func (m message) text() string {
	if m.an == nil {
		return ""
	}
	return m.an.Text
}

// outcome is what a referent's message does to its case.
type outcome struct {
	reply       string   // template of the answer to the referent, "" for none
	nextStep    string   // what happens next, in the answer
	missing     []string // what the referent must still send or correct
	blankForms  []string // form types whose blank forms go with the answer
	staffNotice string   // why staff must look, "" for nothing
	staffLines  []string // details for staff under the notice
	isNew       bool     // the message opened the ticket (templates that serve both cases)
	question    string   // the referent's question, quoted in the answer
	step        string   // the step whose lines the answer shows (parsers.StepTests, StepPayment)
	// changes are the values proposed by the message that wait for staff (proposals.go), as
	// the sender is told of them; "" reply aside, they get their own answer.
	changes []string
}

// Forms each kind of case must carry at its first step.
var (
	integrationForms   = []string{parsers.FormInformativaGenerale, parsers.FormQualificazioneEnteProdotto}
	qualificationForms = []string{parsers.FormDomandaInvito, parsers.FormQualificazioneProdotto, parsers.FormQualificazioneProcesso}
)

// kindOf tells an integration request from a company's qualification request.
func kindOf(m message) string {
	for _, f := range m.forms() {
		if slices.Contains(qualificationForms, f.Type) {
			return ticketing.KindQualification
		}
	}
	if qualificationRE.MatchString(m.subject()) {
		return ticketing.KindQualification
	}
	return ticketing.KindIntegration
}

var (
	qualificationRE = regexp.MustCompile(`(?i)qualificazione\s+(del\s+)?(prodott|processo)|domanda\s+di\s+invito`)
	productionRE    = regexp.MustCompile(`(?i)esercizio|produzione`)
)

// recordForms files the forms of a message with the ticket, updates what the ticket says of the
// ente and the services, and returns the case's forms as they now stand.
func (in *Intake) recordForms(tx *ticketing.Tx, tk *ticketing.Ticket, m message, forms []parsers.Form, now time.Time) (caseForms, error) {
	sender := in.verifiedSender(m)
	for _, f := range forms {
		// Untyped forms ("Label: value" lines in a body) are kept too: they name the ente.
		if err := tx.AddForm(tk.ID, formRecord(m.env.MessageID, f, now, sender)); err != nil {
			return caseForms{}, err
		}
	}
	c, err := readCase(tx, tk)
	if err != nil {
		return caseForms{}, err
	}
	return c, updateEnte(tx, tk, c, now)
}

// caseForms is a case's forms, read and merged once for what a step does with them.
type caseForms struct {
	forms []ticketing.Form   // in order of arrival
	file  ticketing.CaseFile // merged, with the registry's word on the codes they name
}

// readCase reads a case's forms and merges them (CaseFile).
func readCase(tx *ticketing.Tx, tk *ticketing.Ticket) (caseForms, error) {
	forms, err := tx.Forms(tk.ID)
	if err != nil {
		return caseForms{}, err
	}
	reg, err := tx.Registry(forms)
	if err != nil {
		return caseForms{}, err
	}
	return caseForms{forms, CaseFile(tk.Kind, forms, reg)}, nil
}

// verified is a message's sender as verified (see verifiedSender); how is a ticketing.Vouch*
// constant, "" when nothing vouches for the sender.
type verified struct{ addr, how string }

// verifiedSender is who a message verifiably comes from: the certified sender of a PEC, or a
// From our own server authenticated (DMARC, or DKIM aligned with its domain).
func (in *Intake) verifiedSender(m message) verified {
	if c := certifiedSender(m.an); c != "" {
		return verified{c, ticketing.VouchPEC}
	}
	from := mailaddr.Parse(m.env.From).String()
	if from == "" {
		return verified{}
	}
	if ok, _ := authResultsPass(m.env.AuthResults, in.cfg.Staff.TrustedAuthservID, from[strings.LastIndexByte(from, '@')+1:]); ok {
		return verified{from, ticketing.VouchAuth}
	}
	return verified{}
}

// formRecord is what the case file keeps of a form read from a message. An address field whose
// doubtful value, read where its field stands, is the sender's verified address is marked
// vouched for (ticketing.Provenance.Vouched).
func formRecord(messageID string, f parsers.Form, now time.Time, sender verified) ticketing.Form {
	rec := ticketing.Form{MessageID: messageID, Type: f.Type, Source: f.Source, Fields: f.Fields,
		Provenance: make(map[string]ticketing.Provenance, len(f.Provenance)), ReceivedAt: now}
	for _, p := range f.Problems {
		rec.Problems = append(rec.Problems, ticketing.Problem{Field: p.Field, Value: p.Value, Message: p.Message})
	}
	for k, p := range f.Provenance {
		rec.Provenance[k] = ticketing.Provenance{Document: p.Document, Where: p.Where, Label: p.Label, How: p.How,
			Sure: p.Sure, Doubt: p.Doubt}
		if !p.Sure && sender.how != "" && p.Evidence.Placed() && addressField(f.Type, k) {
			if v, ok := f.Fields[k].(string); ok && !strings.ContainsAny(strings.TrimSpace(v), " \n,;") && mailaddr.Parse(v).String() == sender.addr {
				pr := rec.Provenance[k]
				pr.Vouched = sender.how
				rec.Provenance[k] = pr
			}
		}
	}
	return rec
}

// addressField reports whether a field of a form type holds one e-mail or PEC address.
func addressField(typ, key string) bool {
	spec := parsers.Spec(typ)
	if spec == nil {
		return false
	}
	for _, fd := range spec.Fields {
		if fd.Key == key {
			return fd.Kind == parsers.KindEmail || fd.Kind == parsers.KindPEC
		}
	}
	return false
}

// updateEnte sets what the ticket says of the ente and the services from its case file: the
// merged forms of its kind first, then "Label: value" lines of no form, the later winning. A
// codice fiscale or IPA code is taken only when valid and read with confidence, since it
// joins later messages to this case.
func updateEnte(tx *ticketing.Tx, tk *ticketing.Ticket, c caseForms, now time.Time) error {
	var sources []ticketing.Form
	for _, f := range c.forms {
		if f.Type == "" {
			sources = append(sources, f)
		}
	}
	for _, t := range slices.Backward(requiredForms(tk.Kind)) {
		if f, ok := c.file.Forms[t]; ok {
			sources = append(sources, f)
		}
	}
	ente, services := tk.Ente, tk.Services
	for _, f := range sources { // later sources win
		if otherEnte(f, ente) {
			// A form of another ente renames nothing: the case file shows staff its codes as a
			// conflict, and the case keeps the name that goes with its own codes.
			continue
		}
		if v := f.Field(parsers.KeyEnteDenominazione); v != "" {
			ente.Name = echoText(v, maxEcho) // shown in every mail about the case
		}
		trusted := func(key string) bool { return f.Provenance[key].Sure && !hasProblem(f, key) }
		if v := f.Field(parsers.KeyEnteCodiceFiscale); v != "" && trusted(parsers.KeyEnteCodiceFiscale) {
			ente.CodiceFiscale = v
		}
		if v := f.Field(parsers.KeyEnteCodiceIpa); v != "" && trusted(parsers.KeyEnteCodiceIpa) {
			ente.CodiceIPA = v
		}
		if v := f.List(parsers.KeyServizi); len(v) > 0 && f.Provenance[parsers.KeyServizi].Sure {
			services = v
		}
	}
	if ente == tk.Ente && slices.Equal(services, tk.Services) {
		return nil
	}
	tk.Ente, tk.Services = ente, services
	return tx.SetEnte(tk.ID, ente, services, now)
}

// otherEnte tells whether f names an ente other than e: a codice fiscale or IPA code it holds
// differs from e's.
func otherEnte(f ticketing.Form, e ticketing.Ente) bool {
	differ := func(key, known string) bool {
		v := strings.ReplaceAll(f.Field(key), " ", "")
		return known != "" && v != "" && !strings.EqualFold(v, strings.ReplaceAll(known, " ", ""))
	}
	return differ(parsers.KeyEnteCodiceFiscale, e.CodiceFiscale) || differ(parsers.KeyEnteCodiceIpa, e.CodiceIPA)
}

func hasProblem(f ticketing.Form, field string) bool {
	for _, p := range f.Problems {
		if p.Field == field {
			return true
		}
	}
	return false
}

// requiredForms are the forms a case of kind must carry at its first step.
func requiredForms(kind string) []string {
	if kind == ticketing.KindQualification {
		return qualificationForms
	}
	return integrationForms
}

// CaseFile merges a ticket's forms field by field (ticketing.Merge), cross-checking the facts
// that the forms of its kind share: the ente's codice fiscale and IPA code and the services in
// both integration forms, the company in the qualification forms; and the enti they name
// against the registry of enti (reg, from Tx.Registry; nil: no registry).
func CaseFile(kind string, forms []ticketing.Form, reg *ticketing.Registry) ticketing.CaseFile {
	cross := integrationCrossCheck
	if kind == ticketing.KindQualification {
		cross = qualificationCrossCheck
	}
	return ticketing.Merge(forms, ticketing.MergeOptions{CrossCheck: cross, Wording: wording, Registry: reg})
}

// The facts that the forms of each kind of case share (MergeOptions.CrossCheck), from the
// schema once: every case file of every request is merged with them.
var (
	integrationCrossCheck   = crossCheck(ticketing.KindIntegration)
	qualificationCrossCheck = crossCheck(ticketing.KindQualification)
)

// crossCheck maps each field key that several forms of a kind carry to those forms.
func crossCheck(kind string) map[string][]string {
	count := map[string][]string{}
	for _, t := range requiredForms(kind) {
		for _, fd := range parsers.Spec(t).Fields {
			count[fd.Key] = append(count[fd.Key], t)
		}
	}
	out := map[string][]string{}
	for k, types := range count {
		if len(types) > 1 {
			out[k] = types
		}
	}
	return out
}

// wording reports whether a field holds free text (names, descriptions), where two different
// values are two wordings of one fact, not a conflict for a person to settle.
func wording(key string) bool {
	exact, ok := exactFields[key]
	return !ok || !exact
}

// exactFields says of each key of the schema whether its values are exact (not free text), as
// the first form that has the key defines it.
var exactFields = func() map[string]bool {
	out := map[string]bool{}
	for _, spec := range parsers.Forms {
		for _, fd := range spec.Fields {
			if _, ok := out[fd.Key]; !ok {
				out[fd.Key] = fd.Kind != parsers.KindText && fd.Kind != parsers.KindList
			}
		}
	}
	return out
}()

// noticeUncertain is the staff notice of values read without confidence or in conflict.
var noticeUncertain = say.Text("step.notice_uncertain")

// noticeProposed is the staff notice of values proposed by mail (proposals.go).
var noticeProposed = say.Text("proposal.notice")

// flagUncertain marks the case for a person, unless it already carries another mark of this
// message (an unreadable attachment), which a person sees anyway.
func (in *Intake) flagUncertain(tx *ticketing.Tx, tk *ticketing.Ticket, flagged bool, now time.Time) error {
	if flagged || tk.FlagKind == ticketing.FlagChecking {
		return nil
	}
	tk.FlagKind, tk.Flag = ticketing.FlagChecking, say.Text("step.flag_checking")
	return tx.SetFlag(tk.ID, tk.FlagKind, tk.Flag, "mailbot", now)
}

// checkingDocuments reports whether a case awaiting documents waits on a person instead: some
// value was read without confidence or in conflict.
func checkingDocuments(tx *ticketing.Tx, tk ticketing.Ticket) (bool, error) {
	if tk.State != ticketing.StateAwaitingDocuments {
		return false, nil
	}
	c, err := readCase(tx, &tk)
	if err != nil {
		return false, err
	}
	return len(documentsCheck(tk.Kind, c.file).uncertain) > 0, nil
}

// clearChecking removes the mark of a case whose documents a person was to check.
func clearChecking(tx *ticketing.Tx, tk *ticketing.Ticket, by string, now time.Time) error {
	if tk.FlagKind != ticketing.FlagChecking {
		return nil
	}
	tk.FlagKind, tk.Flag = ticketing.FlagNone, ""
	return tx.ClearFlag(tk.ID, by, "", now)
}

// check is what the case file of a ticket still lacks at its first step.
type check struct {
	missing   []string // for the referent: forms absent, fields empty, values invalid, all read with confidence
	blank     []string // form types whose blank forms go with the answer
	uncertain []string // for staff: values read without confidence or in conflict, to confirm
}

func (c check) complete() bool { return len(c.missing) == 0 && len(c.uncertain) == 0 }

// documentsCheck checks the case file of a ticket at its first step: forms absent, required
// fields empty, values invalid, prerequisites not declared. Only what was read with confidence
// is the referent's to fix; what was not goes to a person.
func documentsCheck(kind string, cf ticketing.CaseFile) check {
	var c check
	seen := map[string]bool{}
	for _, t := range requiredForms(kind) {
		f, ok := cf.Forms[t]
		spec := parsers.Spec(t)
		if !ok {
			c.missing = append(c.missing, say.Text("step.missing_form", spec.Title))
			c.blank = append(c.blank, t)
			continue
		}
		for _, p := range f.Problems {
			if f.Provenance[p.Field].Sure {
				c.missing = append(c.missing, p.Message)
			}
		}
		for _, fd := range spec.Fields {
			if p, read := f.Provenance[fd.Key]; read && !p.Sure {
				continue // read without confidence: staff are asked below
			}
			if fd.Required && strings.TrimSpace(f.Field(fd.Key)) == "" && !hasProblem(f, fd.Key) {
				c.missing = append(c.missing, say.Text("step.missing_field", spec.Title, fd.Label))
			}
		}
		if t == parsers.FormInformativaGenerale {
			for _, k := range []string{parsers.KeyPrerequisitiAdesionePagopa, parsers.KeyPrerequisitiProdottiMyextranet} {
				if v := strings.ToLower(f.Field(k)); v != "" && !strings.HasPrefix(v, "s") && v != "x" && f.Provenance[k].Sure {
					c.missing = append(c.missing, prerequisiteText(k))
				}
			}
		}
	}
	for _, d := range caseDoubts(kind, cf) {
		if line := uncertainLine(d.formType, d.key, d.form, d.prov, true); !seen[line] {
			seen[line] = true
			c.uncertain = append(c.uncertain, line)
		}
	}
	c.missing = dedupe(c.missing)
	return c
}

// doubt is one value of a case file read without confidence or in conflict.
type doubt struct {
	formType, key string
	form          ticketing.Form
	prov          ticketing.Provenance
}

// caseDoubts lists the values of a case file that a person is to confirm or correct, in the
// order of the forms and of their keys.
func caseDoubts(kind string, cf ticketing.CaseFile) []doubt {
	var out []doubt
	for _, t := range requiredForms(kind) {
		f, ok := cf.Forms[t]
		if !ok {
			continue
		}
		for _, key := range slices.Sorted(maps.Keys(f.Provenance)) {
			if p := f.Provenance[key]; !p.Sure {
				out = append(out, doubt{formType: t, key: key, form: f, prov: p})
			}
		}
	}
	return out
}

// ipDoubts lists caller IPs read without confidence in forms the case does not require (the
// test results, "IP: …" in a reply), unless staff have since recorded them: they are confirmed
// as read like any other value, into the form of the case that keeps them.
func ipDoubts(kind string, cf ticketing.CaseFile) []doubt {
	var out []doubt
	for _, t := range slices.Sorted(maps.Keys(cf.Forms)) {
		if slices.Contains(requiredForms(kind), t) {
			continue
		}
		f := cf.Forms[t]
		for _, key := range []string{parsers.KeyIpCollaudo, parsers.KeyIpEsercizio} {
			p, ok := f.Provenance[key]
			types, _ := fieldTargets(kind, key)
			if !ok || p.Sure || len(types) == 0 {
				continue
			}
			kept := cf.Forms[types[0]]
			if kept.Provenance[key].Sure && !slices.ContainsFunc(f.List(key), func(ip string) bool { return !slices.Contains(kept.List(key), ip) }) {
				continue // confirmed since
			}
			out = append(out, doubt{formType: t, key: key, form: f, prov: p})
		}
	}
	return out
}

// FieldLabel is a field's label in its form (formType "": in the first form of either kind of
// case that has it), or its key when no form has it.
func FieldLabel(formType, key string) string {
	types := []string{formType}
	if formType == "" {
		types = slices.Concat(integrationForms, qualificationForms)
	}
	for _, t := range types {
		if spec := parsers.Spec(t); spec != nil {
			for _, fd := range spec.Fields {
				if fd.Key == key {
					return fd.Label
				}
			}
		}
	}
	return key
}

// uncertainLine tells staff what was read without confidence: field, value, document, place,
// doubt, and the lines that settle it: #conferma KEY when the value as read is in the case file
// (confirmable), #campo KEY=valore always.
func uncertainLine(formType, key string, f ticketing.Form, p ticketing.Provenance, confirmable bool) string {
	label := FieldLabel(formType, key)
	value := f.Field(key)
	if value == "" {
		var vs []string
		for _, pr := range f.Problems {
			if pr.Field == key {
				vs = append(vs, pr.Value)
			}
		}
		value = strings.Join(vs, ", ")
	}
	var where []string
	for _, w := range []string{p.Where, p.Label} {
		if w != "" {
			where = append(where, w)
		}
	}
	if p.Label != "" {
		where[len(where)-1] = say.Text("step.uncertain_label", p.Label)
	}
	line := say.Text("step.uncertain", label, key, value, p.Document)
	if len(where) > 0 {
		line += " (" + strings.Join(where, ", ") + ")"
	}
	if p.Doubt != "" {
		line += " — " + p.Doubt
	}
	for _, pr := range f.Problems {
		if pr.Field == key {
			line += " — " + pr.Message
		}
	}
	line += " — "
	if confirmable && f.Field(key) != "" {
		line += say.Text("step.uncertain_confirm", key) + " "
	}
	return line + say.Text("step.uncertain_correct", key)
}

func prerequisiteText(key string) string {
	if key == parsers.KeyPrerequisitiAdesionePagopa {
		return say.Text("step.prerequisite_pagopa")
	}
	return say.Text("step.prerequisite_myextranet")
}

func dedupe(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

var (
	nextTestSetup       = say.Text("next.test_setup")
	nextSendDocuments   = say.Text("next.send_documents")
	nextProductionSetup = say.Text("next.production_setup")
	nextProductionInfo  = say.Text("next.production_info")
	nextCompleted       = say.Text("next.completed")
	nextChecking        = say.Text("next.checking")
	nextReview          = say.Text("next.review")
)

// step applies a message of the requester to its case: the step it completes, or what is missing.
func (in *Intake) step(tx *ticketing.Tx, tk *ticketing.Ticket, m message, isNew bool, now time.Time) (outcome, error) {
	var o outcome
	filed, proposed, err := in.proposeChanges(tx, tk, m, &o, now)
	if err != nil {
		return o, err
	}
	c, err := in.recordForms(tx, tk, m, filed, now)
	if err != nil {
		return o, err
	}
	if len(proposed) > 0 {
		if err := flagProposal(tx, tk, now); err != nil {
			return o, err
		}
		o.staffNotice = joinNotice(o.staffNotice, noticeProposed)
		o.changes = changeLines(proposed)
	}
	if tk.State == ticketing.StateProductionSetup || tk.State == ticketing.StateProductionCheck {
		// Caller IPs sent after the request for production are proposals too.
		if ips, _, _ := callerIPs(m.an); len(ips) > 0 {
			p, ok, err := in.proposeIPs(tx, tk, m, ips, &o, now)
			if err != nil {
				return o, err
			}
			if ok {
				if err := flagProposal(tx, tk, now); err != nil {
					return o, err
				}
				o.staffNotice = joinNotice(o.staffNotice, noticeProposed)
				o.changes = append(o.changes, changeLines([]ticketing.Proposal{p})...)
			}
		}
	}
	if m.an != nil && len(m.an.Unreadable) > 0 {
		// File names are the sender's text: each echoed, the list bounded (echo.go).
		var parts []string
		for i, u := range m.an.Unreadable {
			parts = append(parts, u.Part)
			if i < maxEchoList {
				o.missing = append(o.missing, say.Text("step.unreadable", echoText(u.Part, maxEcho), u.Reason))
			}
		}
		if n := len(parts) - maxEchoList; n > 0 {
			o.missing = append(o.missing, say.Text("step.unreadable_more", n))
		}
		if err := tx.SetFlag(tk.ID, ticketing.FlagUnreadable, echoText(say.Text("step.flag_unreadable", echoList(parts)), maxEcho), "mailbot", now); err != nil {
			return o, err
		}
		o.staffNotice = say.Text("step.notice_unreadable", len(parts))
		o.staffLines = append(o.staffLines, echoItems(parts)...)
	}
	if m.an != nil {
		for i, r := range m.an.Rejected {
			if i == maxEchoList {
				o.missing = append(o.missing, say.Text("step.rejected_more", len(m.an.Rejected)-maxEchoList))
				break
			}
			o.missing = append(o.missing, say.Text("step.rejected", echoText(r.Part, maxEcho), r.Reason))
		}
	}
	switch tk.State {
	case ticketing.StateAwaitingDocuments:
		if !isNew && len(m.forms()) == 0 && len(o.missing) == 0 {
			// A question or a note, no documents: the referent already has the list of what is
			// missing; a person answers the rest.
			o.staffNotice = joinNotice(o.staffNotice, say.Text("step.notice_no_documents"))
			return o, nil
		}
		chk := documentsCheck(tk.Kind, c.file)
		if len(chk.uncertain) == 0 {
			// New documents may have settled what a person was to check.
			if err := clearChecking(tx, tk, "mailbot", now); err != nil {
				return o, err
			}
		}
		if chk.complete() && len(o.missing) == 0 {
			to, next, notice := ticketing.StateTestSetup, nextTestSetup, say.Text("step.notice_complete")
			if tk.Kind == ticketing.KindQualification {
				to, next, notice = ticketing.StateUnderReview, nextReview, say.Text("step.notice_qualification_complete")
			}
			if err := tx.SetState(tk.ID, to, "mailbot", say.Text("step.state_complete"), now); err != nil {
				return o, err
			}
			tk.State = to
			o.reply, o.nextStep, o.staffNotice = "docs_complete", next, joinNotice(o.staffNotice, notice)
			if isNew {
				o.reply = "ack"
			}
			return o, nil
		}
		o.missing = append(chk.missing, o.missing...)
		o.blankForms, o.nextStep, o.reply = chk.blank, nextSendDocuments, "docs_missing"
		if len(chk.uncertain) > 0 {
			// Never confidently wrong: what was not read with confidence goes to a person, and
			// the referent hears only that, plus what is surely missing.
			if err := in.flagUncertain(tx, tk, o.staffNotice != "", now); err != nil {
				return o, err
			}
			o.staffNotice = joinNotice(o.staffNotice, noticeUncertain)
			o.staffLines = chk.uncertain
			o.reply, o.isNew, o.nextStep = "docs_checking", isNew, nextChecking
			return o, nil
		}
		if isNew {
			o.reply = "ack"
		}
		return o, nil
	case ticketing.StateTesting:
		return in.productionRequest(tx, tk, m, o, now)
	case ticketing.StateProductionCheck:
		it := parsers.ReadIntent(parsers.StepPayment, m.text(), m.forms())
		if it.Done {
			if err := clearRead(tx, tk, now); err != nil {
				return o, err
			}
			if err := in.complete(tx, tk, say.Text("step.payment_confirmed", it.Evidence), now); err != nil {
				return o, err
			}
			o.reply, o.nextStep = "completed", nextCompleted
			return o, nil
		}
		if held(it) {
			return in.holdStep(tx, tk, it, m, o, now)
		}
		o.staffNotice = joinNotice(o.staffNotice, say.Text("step.notice_unclear_production"))
		return o, tx.SetFlag(tk.ID, ticketing.FlagUnclear, say.Text("step.flag_unclear_payment"), "mailbot", now)
	default:
		// The Region's turn, or a closed case: a person reads it.
		o.staffNotice = joinNotice(o.staffNotice, say.Text("step.notice_new_message", tk.State))
		return o, nil
	}
}

// productionRequest handles step 3: test results, the request for production and caller IPs.
// The case moves only when the referent's own words (or the esiti form's Esito) say the tests
// passed, nothing in the message says otherwise, and valid public IPs are given.
func (in *Intake) productionRequest(tx *ticketing.Tx, tk *ticketing.Ticket, m message, o outcome, now time.Time) (outcome, error) {
	text := m.text() + "\n" + m.subject()
	var esiti *parsers.Form
	for i, f := range m.forms() {
		if f.Type == parsers.FormEsitiCollaudo {
			esiti = &m.forms()[i]
		}
	}
	it := parsers.ReadIntent(parsers.StepTests, m.text(), m.forms())
	if held(it) {
		return in.holdStep(tx, tk, it, m, o, now)
	}
	ips, ipProblems, uncertain := callerIPs(m.an)
	if len(uncertain) > 0 {
		// Addresses not read with confidence are neither recorded nor called wrong: a person
		// confirms them (#campo ip_esercizio=...).
		o.staffNotice = joinNotice(o.staffNotice, say.Text("step.notice_uncertain_ips"))
		o.staffLines = append(o.staffLines, uncertain...)
		if len(ips) == 0 && len(ipProblems) == 0 {
			o.reply, o.nextStep = "docs_checking", nextChecking
			return o, nil
		}
	}
	asksProduction := productionRE.MatchString(text) || esiti != nil
	if !it.Done && !asksProduction && len(ips) == 0 && len(ipProblems) == 0 {
		o.staffNotice = joinNotice(o.staffNotice, say.Text("step.notice_unclear_testing"))
		return o, tx.SetFlag(tk.ID, ticketing.FlagUnclear, say.Text("step.flag_unclear_testing"), "mailbot", now)
	}
	var missing []string
	if !it.Done {
		missing = append(missing, say.Text("step.missing_tests"))
	}
	missing = append(missing, ipProblems...)
	if len(ips) == 0 {
		missing = append(missing, say.Text("step.missing_ips"))
	}
	if len(missing) > 0 {
		o.reply, o.nextStep, o.missing = "production_incomplete", nextProductionInfo, append(missing, o.missing...)
		o.step = parsers.StepTests
		return o, nil
	}
	if err := clearRead(tx, tk, now); err != nil {
		return o, err
	}
	// The IPs are a proposal, the first ones too: production opens to the addresses a person
	// confirmed (#accetta), never to whatever a message names.
	_, proposed, err := in.proposeIPs(tx, tk, m, ips, &o, now)
	if err != nil {
		return o, err
	}
	if proposed {
		if err := flagProposal(tx, tk, now); err != nil {
			return o, err
		}
	}
	if err := tx.SetState(tk.ID, ticketing.StateProductionSetup, "mailbot", say.Text("step.state_production", it.Evidence, strings.Join(ips, ", ")), now); err != nil {
		return o, err
	}
	tk.State = ticketing.StateProductionSetup
	o.reply, o.nextStep = "production_requested", nextProductionSetup
	o.staffNotice = joinNotice(o.staffNotice, say.Text("step.notice_production", strings.Join(ips, ", ")))
	o.staffLines = append(o.staffLines, say.Text("step.referent_writes", it.Evidence))
	return o, nil
}

// clearRead takes off the flag of a referent's message a person was to read when the
// referent's later words move the case on: what was to be read is overtaken.
func clearRead(tx *ticketing.Tx, tk *ticketing.Ticket, now time.Time) error {
	if tk.FlagKind != ticketing.FlagUnclear {
		return nil
	}
	tk.FlagKind, tk.Flag = ticketing.FlagNone, ""
	return tx.ClearFlag(tk.ID, "mailbot", say.Text("step.unflag_confirmed"), now)
}

// held reports whether a referent's words hold the case where it is: something in them says
// the step is not done (or not yet, or only if), asks a question, or is an out-of-office text.
func held(it parsers.Intent) bool {
	return !it.Done && (len(it.Against) > 0 || len(it.Questions) > 0 || it.Away)
}

// holdStep keeps a case where it is when the referent's words do not say the step is done:
// staff read the sentences that hold it, quoted with the reason; a question gets an answer
// with the case's state and next step; a failure gets the request to describe it.
func (in *Intake) holdStep(tx *ticketing.Tx, tk *ticketing.Ticket, it parsers.Intent, m message, o outcome, now time.Time) (outcome, error) {
	step, what := parsers.StepTests, say.Text("step.what_tests")
	if tk.State == ticketing.StateProductionCheck {
		step, what = parsers.StepPayment, say.Text("step.what_payment")
	}
	if it.Away {
		o.staffNotice = joinNotice(o.staffNotice, say.Text("step.notice_away"))
		return o, nil
	}
	for _, q := range it.Against {
		o.staffLines = append(o.staffLines, fmt.Sprintf("«%s» — %s", q.Sentence, q.Reason))
	}
	for _, q := range it.Questions {
		o.staffLines = append(o.staffLines, say.Text("step.question", q))
	}
	if m.an != nil && len(m.an.IPs) > 0 {
		o.staffLines = append(o.staffLines, say.Text("staff.line.ips_not_filed", strings.Join(m.an.IPs, ", ")))
	}
	if it.Evidence != "" {
		o.staffLines = append(o.staffLines, say.Text("step.also_says", it.Evidence))
	}
	o.staffNotice = joinNotice(o.staffNotice, say.Text("step.notice_not_confirmed", what))
	// The flag quotes the sentence too: staff see it on the case even when this hour's notices
	// are spent.
	quote := ""
	if len(it.Against) > 0 {
		quote = it.Against[0].Sentence
	} else if len(it.Questions) > 0 {
		quote = it.Questions[0]
	}
	if err := tx.SetFlag(tk.ID, ticketing.FlagUnclear, say.Text("step.flag_not_confirmed", what, echoText(quote, 160)), "mailbot", now); err != nil {
		return o, err
	}
	o.step = step
	switch {
	case len(it.Questions) > 0:
		o.reply, o.question, o.nextStep = "answer", it.Questions[0], nextAfterQuestion(step)
	case it.Failed():
		o.reply, o.nextStep = "step_failed", nextAfterFailure
	}
	return o, nil
}

var (
	nextAfterFailure = say.Text("next.after_failure")
	nextTestsDone    = say.Text("next.tests_done")
	nextPaymentDone  = say.Text("next.payment_done")
)

// nextAfterQuestion is the referent's next step while a person answers the question.
func nextAfterQuestion(step string) string {
	if step == parsers.StepPayment {
		return nextPaymentDone
	}
	return nextTestsDone
}

// callerIPs splits what a message says of caller addresses: the valid ones to record, the
// problems to tell the referent, and, for staff, what was read without confidence (neither
// recorded nor told as wrong).
func callerIPs(an *parsers.Analysis) (ips, problems, uncertain []string) {
	if an == nil {
		return nil, nil, nil
	}
	unsure := map[string]bool{}
	for _, f := range an.Forms {
		for k := range f.Fields {
			if p, ok := f.Provenance[k]; ok && !p.Sure && strings.HasPrefix(k, "ip") {
				rec := formRecord("", f, time.Time{}, verified{})
				uncertain = append(uncertain, uncertainLine(f.Type, k, rec, rec.Provenance[k], true))
				for _, ip := range rec.List(k) {
					unsure[ip] = true
				}
			}
		}
		for _, p := range f.Problems {
			if !strings.HasPrefix(p.Field, "ip") {
				continue
			}
			if prov, ok := f.Provenance[p.Field]; ok && !prov.Sure {
				if _, listed := f.Fields[p.Field]; !listed {
					rec := formRecord("", f, time.Time{}, verified{})
					uncertain = append(uncertain, uncertainLine(f.Type, p.Field, rec, rec.Provenance[p.Field], false))
				}
				continue
			}
			problems = append(problems, p.Message)
		}
	}
	for _, ip := range an.IPs {
		if !unsure[ip] {
			ips = append(ips, ip)
		}
	}
	slices.Sort(uncertain)
	return ips, problems, slices.Compact(uncertain)
}

// complete closes an integration and, if its ente was the pilot of a product under
// qualification, qualifies the product.
func (in *Intake) complete(tx *ticketing.Tx, tk *ticketing.Ticket, reason string, now time.Time) error {
	if err := tx.SetState(tk.ID, ticketing.StateCompleted, "mailbot", reason, now); err != nil {
		return err
	}
	tk.State = ticketing.StateCompleted
	return in.qualifyPilots(tx, tk, now)
}

// qualifyPilots finds the qualification cases in pilot whose pilot ente is this integration's
// ente and whose product is the one this integration used, and qualifies them.
func (in *Intake) qualifyPilots(tx *ticketing.Tx, integ *ticketing.Ticket, now time.Time) error {
	forms, err := tx.Forms(integ.ID)
	if err != nil {
		return err
	}
	qep, ok := CaseFile(integ.Kind, forms, nil).Forms[parsers.FormQualificazioneEnteProdotto]
	product := strings.ToLower(strings.TrimSpace(qep.Field(parsers.KeyProdottoNome)))
	ipa := strings.ToLower(integ.Ente.CodiceIPA)
	if !ok || product == "" || ipa == "" {
		return nil
	}
	ids, err := tx.TicketsInState(ticketing.KindQualification, ticketing.StatePilot)
	if err != nil {
		return err
	}
	for _, id := range ids {
		qforms, err := tx.Forms(id)
		if err != nil {
			return err
		}
		qp, ok := CaseFile(ticketing.KindQualification, qforms, nil).Forms[parsers.FormQualificazioneProdotto]
		if !ok || strings.ToLower(strings.TrimSpace(qp.Field(parsers.KeyProdottoNome))) != product ||
			strings.ToLower(qp.Field(parsers.KeyEntePilotaCodiceIpa)) != ipa {
			continue
		}
		if err := tx.SetState(id, ticketing.StateQualified, "mailbot", say.Text("step.state_qualified", integ.Ente.Name, integ.ID), now); err != nil {
			return err
		}
		qt, err := tx.Ticket(id)
		if err != nil {
			return err
		}
		body, err := templates.Render("qualified", replyData{TicketID: id, Subject: qt.Subject,
			Product: qp.Field(parsers.KeyProdottoNome) + " " + qp.Field(parsers.KeyProdottoVersione), Ente: integ.Ente.Name, NextStep: say.Text("next.qualified")})
		if err != nil {
			return err
		}
		if _, err := in.post.queue(tx, outgoing{TicketID: id, Kind: "qualified", To: []string{qt.Requester},
			Subject: replySubject(qt.Subject, id), Body: body}, now); err != nil {
			return err
		}
		in.changed(tx, CatalogProducts)
	}
	in.changed(tx, CatalogEnti)
	return nil
}

func joinNotice(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	return a + "; " + b
}
