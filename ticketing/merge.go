package ticketing

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"mailbot/templates/say"
)

// CaseFile is what the forms of a ticket say, merged field by field: per form type, each field
// holds the value of the reading that takes precedence, with its provenance and its problems.
type CaseFile struct {
	Forms     map[string]Form // by form type
	Conflicts []Conflict
	// Registry is what the registry of enti says of each ente the forms name (none without a
	// registry).
	Registry []RegistryNote
}

// Conflict is a field read with confidence as two different values that no rule of precedence
// settles (two attached copies of a form in one message, a body against a form, one form
// against another): a person decides. The field's value stays, marked not sure.
type Conflict struct {
	Type     string    `json:"type"`     // form type of the field ("" when forms of several types disagree)
	Field    string    `json:"field"`    // field key
	Readings []Reading `json:"readings"` // the values that disagree, in order of arrival
}

// Reading is one value of a field and where it was read.
type Reading struct {
	Type  string `json:"type"`
	Value string `json:"value"` // as text, lists joined with ", "
	Provenance
}

// MergeOptions is what Merge needs to know of the forms' schema.
type MergeOptions struct {
	// CrossCheck maps a field key to the form types that state the same fact under it (the
	// ente's codice fiscale in both integration forms): a value missing from one of them is
	// taken from another, and confident values that differ are a conflict.
	CrossCheck map[string][]string
	// Wording reports whether a field holds free text, where two different values are two
	// wordings of one fact rather than a conflict. Nil: every field is exact.
	Wording func(key string) bool
	// Registry is the registry of enti, a source independent of the sender (Tx.Registry); nil:
	// no registry evidence.
	Registry *Registry
}

// Ranks of readings: a staff correction over an attached form over a line of a message body.
const (
	rankBody = iota + 1
	rankDocument
	rankStaff
)

// reading is one form's say on one field.
type reading struct {
	value    any // nil when the form only reported a problem (an invalid value it dropped)
	problems []Problem
	prov     Provenance
	msg      string
	seq      int
}

func (r reading) rank() int {
	switch r.prov.How {
	case HowStaff:
		return rankStaff
	case HowBody:
		return rankBody
	}
	return rankDocument
}

// text is the reading as compared and shown: its value, or the invalid values it reported.
func (r reading) text() string {
	if r.value != nil {
		return strings.Join(values(r.value), ", ")
	}
	var vs []string
	for _, p := range r.problems {
		if p.Message != "" {
			vs = append(vs, p.Message)
		}
	}
	return strings.Join(vs, "; ")
}

// Merge builds the case file from a ticket's forms in order of arrival. For each field of each
// form type: a staff correction replaces any reading; a value read from an attached form
// replaces one read from a message body, never the reverse, unless it is a doubt that its own
// message stated with confidence; among readings of the same rank the later wins; an empty value
// replaces nothing. Forms without a type are left out.
func Merge(forms []Form, o MergeOptions) CaseFile {
	type fieldKey struct{ typ, key string }
	n := 0
	for _, f := range forms {
		n += len(f.Fields) + len(f.Problems)
	}
	readings := make(map[fieldKey][]reading, n)
	// Each field's first reading is a slice of one array, capped so that a second reading of it
	// moves its slice elsewhere (one allocation for most fields, not one each).
	first := make([]reading, 0, n)
	unsureEmpty := map[fieldKey]Provenance{} // a field read as empty without confidence
	order := make([]fieldKey, 0, n)
	meta := map[string]Form{}
	for seq, f := range forms {
		if f.Type == "" {
			continue
		}
		meta[f.Type] = f
		keys := make([]string, 0, len(f.Fields)+len(f.Problems))
		for k, v := range f.Fields {
			if hasValue(v) {
				keys = append(keys, k)
			} else if p, ok := f.Provenance[k]; ok && !p.Sure {
				unsureEmpty[fieldKey{f.Type, k}] = p
			}
		}
		for _, p := range f.Problems {
			keys = append(keys, p.Field)
		}
		slices.Sort(keys)
		for _, k := range slices.Compact(keys) {
			r := reading{msg: f.MessageID, seq: seq, prov: vouched(f.Provenance[k])}
			if hasValue(f.Fields[k]) {
				r.value = f.Fields[k]
			}
			for _, p := range f.Problems {
				if p.Field == k {
					r.problems = append(r.problems, p)
				}
			}
			fk := fieldKey{f.Type, k}
			if rs, ok := readings[fk]; ok {
				readings[fk] = append(rs, r)
			} else {
				order = append(order, fk)
				first = append(first, r)
				readings[fk] = first[len(first)-1 : len(first) : len(first)]
			}
		}
	}
	cf := CaseFile{Forms: map[string]Form{}}
	for typ, f := range meta {
		cf.Forms[typ] = Form{MessageID: f.MessageID, Type: typ, Source: f.Source, ReceivedAt: f.ReceivedAt,
			Fields: make(map[string]any, len(f.Fields)), Problems: []Problem{}, Provenance: make(map[string]Provenance, len(f.Provenance))}
	}
	exact := func(key string) bool { return o.Wording == nil || !o.Wording(key) }
	for _, fk := range order {
		rs := readings[fk]
		chosen := pick(rs)
		f := cf.Forms[fk.typ]
		set(&f, fk.key, chosen.value, chosen.problems, chosen.prov)
		if exact(fk.key) && chosen.prov.Sure && len(rs) > 1 { // one reading disagrees with none
			c := Conflict{Type: fk.typ, Field: fk.key}
			for _, r := range rs {
				against := r.seq != chosen.seq && r.prov.Sure && !same(r, chosen) && !superseded(r, rs)
				if against || r.seq == chosen.seq {
					c.Readings = append(c.Readings, Reading{Type: fk.typ, Value: r.text(), Provenance: r.prov})
				}
			}
			if len(c.Readings) > 1 {
				cf.Conflicts = append(cf.Conflicts, c)
				doubt(&f, fk.key, c)
			}
		}
		cf.Forms[fk.typ] = f
	}
	cf.crossCheck(o, exact)
	cf.corroborate(o.Registry)
	// A field no document gave a value for, but one read as empty without confidence (no box
	// ticked, labels where the value should be): a question for a person, not a missing field.
	for fk, p := range unsureEmpty {
		if f, ok := cf.Forms[fk.typ]; ok && len(values(f.Fields[fk.key])) == 0 {
			f.Fields[fk.key] = ""
			f.Provenance[fk.key] = p
		}
	}
	return cf
}

// vouched makes a doubtful reading sure when its message's verified sender is the value itself
// (an ente's PEC read from a PEC certified as coming from it, a referent's e-mail from a message
// our server authenticated as theirs): an independent source states the same fact. Only
// trusted messages reach the case file (an untrusted one files no forms), and a value that
// differs from the sender vouches for nothing: it stays a doubt.
func vouched(p Provenance) Provenance {
	if !p.Sure && p.Vouched != "" {
		p.Sure, p.Doubt = true, ""
	}
	return p
}

// pick returns the reading that takes precedence: the highest rank, then the latest. When its
// value was also read with confidence elsewhere, that confident reading stands for it.
func pick(rs []reading) reading {
	rs = sureInMessage(rs)
	best := rs[0]
	for _, r := range rs[1:] {
		// Within one message (two copies of a form, a PDF and a DOCX) order means nothing:
		// an uncertain reading does not replace a sure one.
		if r.rank() > best.rank() || r.rank() == best.rank() && (r.prov.Sure || !best.prov.Sure || r.msg != best.msg) {
			best = r
		}
	}
	if !best.prov.Sure {
		for _, r := range rs {
			if r.prov.Sure && same(r, best) && len(r.problems) == len(best.problems) {
				best.prov = r.prov
				break
			}
		}
	}
	return best
}

// sureInMessage leaves out a doubtful reading when its message also gave the field with
// confidence: a guess from an attached document (a cover letter's prose) does not outrank the
// line the sender typed under the field's label, whatever their ranks.
func sureInMessage(rs []reading) []reading {
	if !slices.ContainsFunc(rs, func(r reading) bool { return !r.prov.Sure }) {
		return rs // nothing to leave out
	}
	sure := map[string]bool{}
	for _, r := range rs {
		if r.prov.Sure && r.rank() != rankStaff {
			sure[r.msg] = true
		}
	}
	var out []reading
	for _, r := range rs {
		if r.prov.Sure || !sure[r.msg] {
			out = append(out, r)
		}
	}
	return out
}

// superseded reports whether a later message, or a staff member, replaced r: then r differing
// from the value kept is a correction, not a conflict.
func superseded(r reading, rs []reading) bool {
	for _, s := range rs {
		if s.seq > r.seq && s.rank() >= r.rank() && (s.msg != r.msg || s.rank() == rankStaff) {
			return true
		}
	}
	return false
}

// same reports whether two readings say the same, ignoring case, spacing and list order.
func same(a, b reading) bool {
	return norm(a) == norm(b)
}

func norm(r reading) string {
	var vs []string
	if r.value != nil {
		vs = values(r.value)
	} else {
		for _, p := range r.problems {
			vs = append(vs, "!"+p.Message)
		}
	}
	for i, v := range vs {
		vs[i] = strings.Join(strings.Fields(strings.ToLower(v)), " ")
	}
	sort.Strings(vs)
	return strings.Join(vs, "\x00")
}

func set(f *Form, key string, value any, problems []Problem, prov Provenance) {
	if value != nil {
		f.Fields[key] = value
	}
	f.Provenance[key] = prov
	f.Problems = slices.DeleteFunc(f.Problems, func(p Problem) bool { return p.Field == key })
	f.Problems = append(f.Problems, problems...)
}

// doubt marks a conflicting field not sure, saying what disagrees.
func doubt(f *Form, key string, c Conflict) {
	p := f.Provenance[key]
	p.Sure, p.Doubt = false, c.describe()
	f.Provenance[key] = p
}

// describe says, in Italian for staff, which values disagree and where each was read.
func (c Conflict) describe() string {
	var parts []string
	for _, r := range c.Readings {
		parts = append(parts, fmt.Sprintf("«%s» (%s)", r.Value, r.Document))
	}
	return "valori diversi: " + strings.Join(parts, " e ")
}

// crossCheck fills, for each fact stated by several form types, a form lacking it from another
// that has it, and reports confident values that differ.
func (cf *CaseFile) crossCheck(o MergeOptions, exact func(string) bool) {
	for _, key := range sortedKeys(o.CrossCheck) {
		var have, lack []string
		for _, typ := range o.CrossCheck[key] {
			f, ok := cf.Forms[typ]
			if !ok {
				continue
			}
			if _, read := f.Provenance[key]; read {
				have = append(have, typ)
			} else {
				lack = append(lack, typ)
			}
		}
		if len(have) == 0 {
			continue
		}
		if exact(key) {
			var c Conflict
			first := cf.Forms[have[0]]
			for _, typ := range have[1:] {
				f := cf.Forms[typ]
				a := reading{value: first.Fields[key], problems: problemsOf(first, key)}
				b := reading{value: f.Fields[key], problems: problemsOf(f, key)}
				if first.Provenance[key].Sure && f.Provenance[key].Sure && !same(a, b) {
					if len(c.Readings) == 0 {
						c = Conflict{Field: key, Readings: []Reading{{Type: have[0], Value: a.text(), Provenance: first.Provenance[key]}}}
					}
					c.Readings = append(c.Readings, Reading{Type: typ, Value: b.text(), Provenance: f.Provenance[key]})
				}
			}
			if len(c.Readings) > 0 {
				cf.Conflicts = append(cf.Conflicts, c)
				for _, typ := range have {
					f := cf.Forms[typ]
					doubt(&f, key, c)
					cf.Forms[typ] = f
				}
			}
		}
		// A doubtful value that another form states with confidence is settled by it: two
		// documents read the same fact alike.
		for _, typ := range have {
			f := cf.Forms[typ]
			if f.Provenance[key].Sure || cf.inConflict(typ, key) {
				continue
			}
			a := reading{value: f.Fields[key], problems: problemsOf(f, key)}
			for _, other := range have {
				o := cf.Forms[other]
				if other != typ && o.Provenance[key].Sure && a.value != nil && same(a, reading{value: o.Fields[key], problems: problemsOf(o, key)}) {
					p := f.Provenance[key]
					p.Sure, p.Doubt = true, ""
					f.Provenance[key] = p
					cf.Forms[typ] = f
					break
				}
			}
		}
		// The value lent is a sure one if any form has it.
		src := cf.Forms[have[0]]
		for _, typ := range have[1:] {
			f := cf.Forms[typ]
			if f.Provenance[key].Sure && !src.Provenance[key].Sure {
				src = f
			}
		}
		for _, typ := range lack {
			f := cf.Forms[typ]
			set(&f, key, src.Fields[key], problemsOf(src, key), src.Provenance[key])
			cf.Forms[typ] = f
		}
	}
}

func problemsOf(f Form, key string) []Problem {
	var out []Problem
	for _, p := range f.Problems {
		if p.Field == key {
			out = append(out, p)
		}
	}
	return out
}

// hasValue reports whether values(v) holds any text, without building it.
func hasValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return strings.TrimSpace(x) != ""
	case []string:
		return slices.ContainsFunc(x, func(s string) bool { return strings.TrimSpace(s) != "" })
	}
	return len(values(v)) > 0
}

// values returns a stored field value as its non-empty strings.
func values(v any) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	switch x := v.(type) {
	case string:
		add(x)
	case []string:
		for _, s := range x {
			add(s)
		}
	case []any:
		for _, s := range x {
			add(fmt.Sprint(s))
		}
	case nil:
	default:
		add(fmt.Sprint(x))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// registryPrefixes name an ente in the forms: the requesting ente, a product's pilot ente.
var registryPrefixes = []string{"ente.", "ente_pilota."}

// RegistryNote is what the registry of enti says of the ente one form names.
type RegistryNote struct {
	Type      string        `json:"type"`
	Prefix    string        `json:"prefix"`              // "ente." or "ente_pilota."
	Ente      *RegistryEnte `json:"ente,omitempty"`      // nil: the registry knows none of its codes
	Confirmed []string      `json:"confirmed,omitempty"` // field keys whose readings it confirms
}

// Describe says, in Italian for staff, what the registry says of the ente.
func (n RegistryNote) Describe() string {
	if n.Ente == nil {
		return say.Text("registry.note_none")
	}
	if len(n.Confirmed) > 0 {
		return say.Text("registry.note_confirms", n.Ente.Describe(), strings.Join(n.Confirmed, ", "))
	}
	return say.Text("registry.note", n.Ente.Describe())
}

// corroborate checks each ente the forms name against the registry of enti, a source the
// sender does not control:
//   - a codice IPA or codice fiscale the registry does not know is a doubt for staff, never a
//     problem for the referent (the registry lags behind new bodies; a person checks);
//   - a codice fiscale other than the one the registry gives the ente's codice IPA is a
//     conflict, offered to staff with the registry's value;
//   - when at least two facts read (codice IPA, codice fiscale, denominazione, PEC) agree with
//     the ente the registry finds, each of them is sure, whatever the reader's doubt.
//
// A staff member's value is never doubted (they decide, with the registry in front of them).
// A name or PEC differing from the registry's is no conflict: enti write their names in many
// ways and have several domicili digitali.
func (cf *CaseFile) corroborate(reg *Registry) {
	if reg == nil {
		return
	}
	for _, typ := range sortedKeys(cf.Forms) {
		f := cf.Forms[typ]
		for _, p := range registryPrefixes {
			if n, ok := cf.checkRegistry(&f, p, reg); ok {
				cf.Registry = append(cf.Registry, n)
			}
		}
		cf.Forms[typ] = f
	}
}

func (cf *CaseFile) checkRegistry(f *Form, p string, reg *Registry) (RegistryNote, bool) {
	read := func(field string) string {
		if _, ok := f.Provenance[p+field]; !ok || len(problemsOf(*f, p+field)) > 0 {
			return ""
		}
		return strings.TrimSpace(f.Field(p + field))
	}
	doubtable := func(field string) bool { return f.Provenance[p+field].How != HowStaff }
	ipa, code := read("codice_ipa"), read("codice_fiscale")
	if ipa == "" && code == "" {
		return RegistryNote{}, false
	}
	n := RegistryNote{Type: f.Type, Prefix: p}
	byIPA, ipaKnown := reg.ByIPA(ipa)
	byCF, cfKnown := reg.ByCodiceFiscale(code)
	e, found := reg.Ente(ipa, code)
	if found {
		n.Ente = &e
	}
	if ipa != "" && !ipaKnown && doubtable("codice_ipa") {
		d := say.Text("registry.ipa_unknown", ipa)
		if cfKnown {
			d = say.Text("registry.ipa_unknown_cf", ipa, code, byCF.Describe())
		}
		registryDoubt(f, p+"codice_ipa", d)
	}
	switch {
	case ipaKnown && code != "" && normCF(byIPA.CodiceFiscale) != normCF(code) && doubtable("codice_fiscale"):
		c := Conflict{Type: f.Type, Field: p + "codice_fiscale", Readings: []Reading{
			{Type: f.Type, Value: code, Provenance: f.Provenance[p+"codice_fiscale"]},
			{Type: f.Type, Value: byIPA.CodiceFiscale, Provenance: Provenance{Document: say.Text("registry.document", byIPA.CodiceIPA),
				Where: byIPA.Denominazione, How: HowRegistry, Sure: true}},
		}}
		cf.Conflicts = append(cf.Conflicts, c)
		doubt(f, c.Field, c)
	case code != "" && !cfKnown && doubtable("codice_fiscale"):
		registryDoubt(f, p+"codice_fiscale", say.Text("registry.cf_unknown", code))
	}
	if !found {
		return n, true
	}
	var agree []string
	if ipa != "" && strings.EqualFold(ipa, e.CodiceIPA) {
		agree = append(agree, p+"codice_ipa")
	}
	if code != "" && normCF(code) == normCF(e.CodiceFiscale) {
		agree = append(agree, p+"codice_fiscale")
	}
	if name := read("denominazione"); name != "" && normName(name) == normName(e.Denominazione) {
		agree = append(agree, p+"denominazione")
	}
	if pec := read("pec"); pec != "" && e.PEC != "" && strings.EqualFold(pec, e.PEC) {
		agree = append(agree, p+"pec")
	}
	if len(agree) < 2 {
		return n, true
	}
	for _, key := range agree {
		if cf.inConflict(f.Type, key) {
			continue
		}
		pr := f.Provenance[key]
		pr.Sure, pr.Doubt = true, ""
		f.Provenance[key] = pr
		n.Confirmed = append(n.Confirmed, key)
	}
	return n, true
}

// registryDoubt marks a field not sure, adding what the registry says to any other doubt.
func registryDoubt(f *Form, key, d string) {
	p := f.Provenance[key]
	if p.Doubt != "" {
		d = p.Doubt + "; " + d
	}
	p.Sure, p.Doubt = false, d
	f.Provenance[key] = p
}

func (cf *CaseFile) inConflict(typ, key string) bool {
	return slices.ContainsFunc(cf.Conflicts, func(c Conflict) bool { return c.Field == key && (c.Type == typ || c.Type == "") })
}
