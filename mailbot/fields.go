package mailbot

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"mailbot/parsers"
	"mailbot/templates"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Staff confirm or correct a form value with "#campo KEY=VALUE" (by mail) or "mailbot ticket
// field ID KEY=VALUE" (CLI): the value joins the case file as a staff reading, sure and above
// every other, and the case is checked again, which can move it on.

// fieldAssignRE finds each "key=" of a #campo line; the value runs to the next one, so a value
// may hold spaces ("ente.denominazione=Comune di Venezia").
var fieldAssignRE = regexp.MustCompile(`(?:^|\s)([A-Za-z_][A-Za-z0-9_.]*)\s*=`)

// parseFieldArgs reads "k1=v1 k2=v two" into keys and values, in order.
func parseFieldArgs(arg string) (keys []string, values map[string]string) {
	values = map[string]string{}
	locs := fieldAssignRE.FindAllStringSubmatchIndex(arg, -1)
	for i, l := range locs {
		end := len(arg)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		k := strings.ToLower(arg[l[2]:l[3]])
		if _, dup := values[k]; !dup {
			keys = append(keys, k)
		}
		values[k] = strings.TrimSpace(arg[l[1]:end])
	}
	return keys, values
}

// fieldTargets returns the form types of a case whose value key names: "tipo.chiave" names one
// form, a bare key every form of the case's kind that has it (the ente's codice fiscale is in
// both integration forms).
func fieldTargets(kind, key string) (types []string, field string) {
	for _, t := range requiredForms(kind) {
		if rest, ok := strings.CutPrefix(key, t+"."); ok {
			key = rest
			if hasField(t, key) {
				return []string{t}, key
			}
			return nil, key
		}
	}
	for _, t := range requiredForms(kind) {
		if hasField(t, key) {
			types = append(types, t)
		}
	}
	return types, key
}

func hasField(formType, key string) bool {
	return slices.ContainsFunc(parsers.Spec(formType).Fields, func(f parsers.Field) bool { return f.Key == key })
}

// setFields records staff's values for a ticket's forms, checked as a form's would be, then
// checks the case file again: a case awaiting documents that is now complete moves on and the
// referent gets the usual answer; one still lacking something gets the list again. Nothing is
// recorded if any value is refused.
func (in *Intake) setFields(tx *ticketing.Tx, tk *ticketing.Ticket, keys []string, values map[string]string, by, line string, now time.Time) (string, error) {
	return in.recordFields(tx, tk, keys, values, nil, by, line, now)
}

// recordFields is setFields; read, when not nil, holds per key the provenance of the value as
// read that staff confirm (#conferma), kept in the record beside who confirmed it.
func (in *Intake) recordFields(tx *ticketing.Tx, tk *ticketing.Ticket, keys []string, values map[string]string, read map[string]ticketing.Provenance, by, line string, now time.Time) (string, error) {
	if len(keys) == 0 {
		return "", refusal("refuse.field_usage", line)
	}
	perType := map[string]*parsers.Form{}
	prov := map[string]ticketing.Provenance{} // "type.key": the reading confirmed
	var order, done []string
	for _, k := range keys {
		v := values[k]
		types, key := fieldTargets(tk.Kind, k)
		if len(types) == 0 {
			return "", refusal("refuse.field_unknown", line, k, tk.Kind)
		}
		if strings.TrimSpace(v) == "" {
			return "", refusal("refuse.field_empty", line, k)
		}
		for _, t := range types {
			f := perType[t]
			if r, ok := read[k]; ok {
				prov[t+"."+key] = r
			}
			if f == nil {
				f = &parsers.Form{Type: t, Fields: map[string]any{}}
				perType[t] = f
				order = append(order, t)
			}
			f.Fields[key] = v
		}
		done = append(done, key+"="+v)
	}
	for _, t := range order {
		f := perType[t]
		parsers.CheckForm(f)
		if len(f.Problems) > 0 {
			return "", refusal("refuse.field_problem", line, f.Problems[0].Message)
		}
		rec := ticketing.Form{Type: t, Source: by, Fields: f.Fields, Provenance: map[string]ticketing.Provenance{}, ReceivedAt: now}
		for k := range f.Fields {
			rec.Provenance[k] = ticketing.Provenance{Document: say.Text("field.given_by", by), How: ticketing.HowStaff, Sure: true}
			if r, ok := prov[t+"."+k]; ok {
				doc := r.Document
				if r.How != ticketing.HowStaff { // confirmed once already: it names who did
					doc = say.Text("field.confirmed_by", r.Document, by)
				}
				rec.Provenance[k] = ticketing.Provenance{Document: doc, Where: r.Where, Label: r.Label, How: ticketing.HowStaff, Sure: true}
			}
		}
		if err := tx.AddForm(tk.ID, rec); err != nil {
			return "", err
		}
		// Caller addresses confirmed by a person are the ones to enable.
		for key, env := range map[string]string{parsers.KeyIpCollaudo: ticketing.EnvCollaudo, parsers.KeyIpEsercizio: ticketing.EnvEsercizio} {
			if ips := rec.List(key); len(ips) > 0 {
				if err := tx.AddIPs(tk.ID, env, ips, now); err != nil {
					return "", err
				}
			}
		}
	}
	event, res := "field.corrected_event", say.Text("field.corrected", line)
	if read != nil {
		event, res = "field.confirmed_event", say.Text("field.confirmed", line)
	}
	if err := tx.AddEvent(tk.ID, ticketing.Event{At: now, Type: ticketing.EventField, By: by,
		Text: say.Text(event, strings.Join(done, ", "))}); err != nil {
		return "", err
	}
	cs, err := readCase(tx, tk)
	if err != nil {
		return "", err
	}
	if err := updateEnte(tx, tk, cs, now); err != nil {
		return "", err
	}
	if tk.State != ticketing.StateAwaitingDocuments {
		return res, nil
	}
	chk := documentsCheck(tk.Kind, cs.file)
	if len(chk.uncertain) > 0 {
		return say.Text("field.still_uncertain", res, len(chk.uncertain), strings.Join(chk.uncertain, "\n  ")), nil
	}
	if err := clearChecking(tx, tk, by, now); err != nil {
		return "", err
	}
	if len(chk.missing) > 0 {
		if err := in.tellReferent(tx, tk, "docs_missing", nextSendDocuments, chk.missing, chk.blank, now); err != nil {
			return "", err
		}
		return say.Text("field.still_missing", res, len(chk.missing)), nil
	}
	to, next := ticketing.StateTestSetup, nextTestSetup
	if tk.Kind == ticketing.KindQualification {
		to, next = ticketing.StateUnderReview, nextReview
	}
	if err := tx.SetState(tk.ID, to, by, say.Text("field.complete_state"), now); err != nil {
		return "", err
	}
	tk.State = to
	if err := in.tellReferent(tx, tk, "docs_complete", next, nil, nil, now); err != nil {
		return "", err
	}
	return say.Text("field.complete", res, to, ticketing.StateLabel(to)), nil
}

// tellReferent sends the referent of a ticket a step answer that no message of theirs
// prompted (a staff member's correction did), in the ticket's thread.
func (in *Intake) tellReferent(tx *ticketing.Tx, tk *ticketing.Ticket, name, next string, missing, blank []string, now time.Time) error {
	if tk.Requester == "" {
		return nil
	}
	body, err := templates.Render(name, replyData{TicketID: tk.ID, Subject: tk.Subject, NextStep: next, Missing: missing,
		State: ticketing.StateLabel(tk.State)})
	if err != nil {
		return err
	}
	out := outgoing{TicketID: tk.ID, Kind: name, To: []string{tk.Requester},
		Subject: replySubject(tk.Subject, tk.ID), Body: body}
	if out.Attachments, err = blankForms(blank); err != nil {
		return err
	}
	_, err = in.post.queue(tx, out, now)
	return err
}

// confirm is "#conferma KEY" (or "#conferma tutto"): staff confirm a value of the case file read
// without confidence as it was read, without typing it again. It is recorded as #campo records a
// value, with where it was read, and moves the case on when it was the last doubt.
func (in *Intake) confirm(c call) (string, error) {
	arg := strings.ToLower(strings.TrimSpace(c.arg))
	cs, err := readCase(c.tx, c.tk)
	if err != nil {
		return "", err
	}
	cf := cs.file
	doubts := append(caseDoubts(c.tk.Kind, cf), ipDoubts(c.tk.Kind, cf)...)
	var keys, listed []string
	values, read := map[string]string{}, map[string]ticketing.Provenance{}
	for _, d := range doubts {
		listed = append(listed, d.key)
		if arg != "tutto" && arg != d.key && arg != d.formType+"."+d.key {
			continue
		}
		v := d.form.Field(d.key)
		if v == "" {
			return "", refusal("refuse.confirm_invalid", c.line, d.key, d.key)
		}
		k := d.formType + "." + d.key // only the form in doubt, not every form with the key
		if !slices.Contains(requiredForms(c.tk.Kind), d.formType) {
			k = d.key // a caller IP of the test results: kept in the case's own form
		}
		keys = append(keys, k)
		values[k], read[k] = v, d.prov
	}
	if len(keys) == 0 {
		if len(listed) == 0 {
			return "", refusal("refuse.confirm_none", c.line)
		}
		if arg == "" {
			return "", refusal("refuse.confirm_which", c.line, strings.Join(dedupe(listed), ", "))
		}
		return "", refusal("refuse.confirm_not_doubtful", c.line, arg, strings.Join(dedupe(listed), ", "))
	}
	return in.recordFields(c.tx, c.tk, keys, values, read, c.by, c.line, c.now)
}

// Doubt is one value of a case file a person is to confirm or correct, with what the case page
// shows of it.
type Doubt struct {
	Type, Key string // form type and field key: "Type.Key" names it to #conferma and #campo
	Label     string // the field's label in its form
	Value     string // as read, what #conferma would record; "" when nothing valid was read
	Read      ticketing.Provenance
	Problems  []string            // what is wrong with the value as written
	Readings  []ticketing.Reading // the readings that disagree, when the doubt is a conflict
	// Settle is the key #campo settles it with: "Type.Key", or Key alone when forms of several
	// types disagree (a value for one of them would leave the conflict standing).
	Settle string
}

// Doubts lists the values of a case file read without confidence or in conflict, in the order
// of the forms and of their keys, then the caller IPs #conferma settles too.
func Doubts(kind string, forms []ticketing.Form, reg *ticketing.Registry) []Doubt {
	cf := CaseFile(kind, forms, reg)
	var out []Doubt
	for _, d := range caseDoubts(kind, cf) {
		dd := Doubt{Type: d.formType, Key: d.key, Label: FieldLabel(d.formType, d.key), Value: d.form.Field(d.key), Read: d.prov,
			Settle: d.formType + "." + d.key}
		for _, pr := range d.form.Problems {
			if pr.Field == d.key {
				dd.Problems = append(dd.Problems, pr.Message)
			}
		}
		for _, c := range cf.Conflicts {
			if c.Field == d.key && (c.Type == d.formType || c.Type == "") {
				dd.Readings = append(dd.Readings, c.Readings...)
				if c.Type == "" {
					dd.Settle = d.key
				}
			}
		}
		out = append(out, dd)
	}
	// Caller IPs read with doubt in the test results: #conferma takes them as read into the
	// case's own form, which #campo names by the key alone.
	for _, d := range ipDoubts(kind, cf) {
		out = append(out, Doubt{Type: d.formType, Key: d.key, Label: FieldLabel(d.formType, d.key), Value: d.form.Field(d.key), Read: d.prov, Settle: d.key})
	}
	return out
}
