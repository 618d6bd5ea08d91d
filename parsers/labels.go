package parsers

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Label matching. People write labels their own way: "C.F. dell'ente:", "Cod. IPA *",
// "E-mail del referente". Both sides (what the document says and the schema's labels and
// aliases) are reduced to sets of tokens: lowercase, no accents, no punctuation, abbreviations
// expanded, articles and prepositions dropped, a final vowel cut so that singular and plural
// meet ("servizio richiesto" = "servizi richiesti"). A schema phrase matches when all its tokens
// are in the label; the longest phrase wins, so "Codice fiscale referente" never lands in
// "ente.codice_fiscale" through the shorter alias "codice fiscale".

// lblAccents folds the accented letters of Italian (and a few neighbours) to plain ASCII.
var lblAccents = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ä", "a", "è", "e", "é", "e", "ê", "e", "ë", "e",
	"ì", "i", "í", "i", "î", "i", "ï", "i", "ò", "o", "ó", "o", "ô", "o", "ö", "o",
	"ù", "u", "ú", "u", "û", "u", "ü", "u", "ç", "c", "ñ", "n",
)

// lblStop are words that carry no meaning in a label.
var lblStop = map[string]bool{
	"di": true, "del": true, "dello": true, "della": true, "dei": true, "degli": true, "delle": true,
	"dell": true, "d": true, "il": true, "lo": true, "la": true, "i": true, "gli": true, "le": true,
	"l": true, "un": true, "una": true, "uno": true, "per": true, "in": true, "nel": true, "nella": true,
	"a": true, "al": true, "alla": true, "ai": true, "da": true, "dal": true, "con": true, "su": true,
	"e": true, "ed": true, "o": true, "od": true, "si": true, "no": true, "sul": true, "come": true,
	"suo": true, "sua": true, "vostro": true, "vostra": true, "indicare": true, "specificare": true,
}

// lblPairs expand two-token abbreviations ("c f", "p iva", "e mail").
var lblPairs = map[[2]string][]string{
	{"c", "f"}:          {"codice", "fiscale"},
	{"cod", "fisc"}:     {"codice", "fiscale"},
	{"p", "iva"}:        {"partita", "iva"},
	{"part", "iva"}:     {"partita", "iva"},
	{"e", "mail"}:       {"email"},
	{"rag", "soc"}:      {"ragione", "sociale"},
	{"web", "service"}:  {"web", "services"},
	{"my", "pay"}:       {"mypay"},
	{"my", "pivot"}:     {"mypivot"},
	{"my", "extranet"}:  {"myextranet"},
	{"pago", "pa"}:      {"pagopa"},
	{"indirizzi", "ip"}: {"ip"},
	{"indirizzo", "ip"}: {"ip"},
}

// lblWords expand one-token abbreviations.
var lblWords = map[string][]string{
	"cf":          {"codice", "fiscale"},
	"piva":        {"partita", "iva"},
	"cod":         {"codice"},
	"tel":         {"telefono"},
	"mail":        {"email"},
	"denom":       {"denominazione"},
	"ws":          {"web", "services"},
	"webservices": {"web", "services"},
	"webservice":  {"web", "services"},
	"rif":         {"riferimento"},
}

// lblTokens reduces a label to its meaningful tokens, in order, without duplicates.
func lblTokens(s string) []string {
	s = lblAccents.Replace(strings.ToLower(s))
	raw := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	raw = lblJoinLetters(raw)
	var out []string
	seen := map[string]bool{}
	add := func(w string) {
		if lblStop[w] {
			return
		}
		for len(w) > 3 && strings.ContainsRune("aeiou", rune(w[len(w)-1])) {
			w = w[:len(w)-1] // "servizio", "servizi" -> "serviz"
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for i := 0; i < len(raw); i++ {
		if i+1 < len(raw) {
			if exp, ok := lblPairs[[2]string{raw[i], raw[i+1]}]; ok {
				for _, w := range exp {
					add(w)
				}
				i++
				continue
			}
		}
		if exp, ok := lblWords[raw[i]]; ok {
			for _, w := range exp {
				add(w)
			}
			continue
		}
		add(raw[i])
	}
	return out
}

// lblJoinLetters joins runs of single letters: "i.p.a." gives "ipa", "c.f." gives "cf".
func lblJoinLetters(raw []string) []string {
	out := raw[:0:0]
	for i := 0; i < len(raw); i++ {
		j := i
		for j < len(raw) && len([]rune(raw[j])) == 1 {
			j++
		}
		if j-i >= 2 {
			out = append(out, strings.Join(raw[i:j], ""))
			i = j - 1
			continue
		}
		out = append(out, raw[i])
	}
	return out
}

// lblNorm is the canonical text of a label or heading, for marker search.
func lblNorm(s string) string { return strings.Join(lblTokens(s), " ") }

// lblPhrase is one way of writing a field's label.
type lblPhrase struct {
	field  Field
	tokens []string
}

// lblMatcher maps labels to the fields of one form (or of all forms when the type is unknown).
type lblMatcher struct {
	union    bool               // every form's fields: a generic label is not weighed against other forms'
	generics map[string][]Field // a generic label (lblSetKey) to the fields it may mean
	fields   []Field
	byKey    map[string]Field
	phrases  []lblPhrase
}

// lblMatchers caches one matcher per form type, plus "" for the union of all forms.
var lblMatchers = func() map[string]*lblMatcher {
	m := map[string]*lblMatcher{}
	var all []Field
	for _, spec := range Forms {
		m[spec.Type] = newLblMatcher(spec.Fields)
		all = append(all, spec.Fields...)
	}
	// Every form's labels, so that "Integrazioni (MyPay / MyPivot)" is known as well as
	// "Servizi richiesti"; a key keeps the field of the first form that has it.
	m[""] = newLblMatcher(all)
	m[""].union = true
	return m
}()

func newLblMatcher(fields []Field) *lblMatcher {
	lm := &lblMatcher{byKey: map[string]Field{}}
	for _, f := range fields {
		if _, dup := lm.byKey[f.Key]; !dup {
			lm.byKey[f.Key] = f
			lm.fields = append(lm.fields, f)
		}
		for _, p := range append([]string{f.Label}, f.Aliases...) {
			if t := lblTokens(p); len(t) > 0 {
				lm.phrases = append(lm.phrases, lblPhrase{field: f, tokens: t})
			}
		}
	}
	lm.generics = lblGenerics(lm.fields)
	return lm
}

// matcherFor returns the matcher of a form type, or of all forms for "" or an unknown type.
func matcherFor(formType string) *lblMatcher {
	if m, ok := lblMatchers[formType]; ok {
		return m
	}
	return lblMatchers[""]
}

// match finds the field a label means. score grows with the certainty: an exact key beats an
// exact label, which beats a phrase contained in the label, longer phrases first.
func (lm *lblMatcher) match(label string) (f Field, score int, ok bool) {
	k := strings.ToLower(strings.TrimSpace(label))
	if fk, found := lm.byKey[k]; found {
		return fk, 100000, true
	}
	in := lblTokens(label)
	if len(in) == 0 || len(in) > 16 {
		return Field{}, 0, false
	}
	set := make(map[string]bool, len(in))
	for _, t := range in {
		set[t] = true
	}
	best := -1
	for _, p := range lm.phrases {
		all := true
		for _, t := range p.tokens {
			if !set[t] {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		extra := len(in) - len(p.tokens)
		// A short phrase inside a long label is a guess too far ("data" in "data di nascita
		// del legale rappresentante"): the phrase must cover at least half of the label.
		if extra > len(p.tokens) {
			continue
		}
		s := len(p.tokens)*100 - extra
		if extra == 0 {
			s += 10000
		}
		if s > best {
			best, f = s, p.field
		}
	}
	if best < 0 {
		return Field{}, 0, false
	}
	return f, best, true
}

// lblIsLabel reports whether text reads as a field label of any form.
func lblIsLabel(text string) bool {
	_, _, ok := lblMatchers[""].match(text)
	return ok
}

// lblFindMarker returns the form type whose marker appears in text, the earliest one when
// several do, and "" if none.
func lblFindMarker(text string) string {
	norm := " " + lblNorm(text) + " "
	bestPos, bestLen, bestType := -1, 0, ""
	for _, m := range lblMarkers {
		i := strings.Index(norm, m.norm)
		if i >= 0 && (bestPos < 0 || i < bestPos || i == bestPos && len(m.norm) > bestLen) {
			bestPos, bestLen, bestType = i, len(m.norm), m.formType
		}
	}
	return bestType
}

// lblMarkers are the titles and markers of every form, normalised once (" tokens ... ").
var lblMarkers = func() []struct{ norm, formType string } {
	var out []struct{ norm, formType string }
	for _, spec := range Forms {
		for _, m := range append([]string{spec.Title}, spec.Markers...) {
			if mn := lblNorm(m); mn != "" {
				out = append(out, struct{ norm, formType string }{" " + mn + " ", spec.Type})
			}
		}
	}
	return out
}()

// FieldLabel returns the printed label of a field key in a form type (any form if the type is
// unknown), or the key itself.
func FieldLabel(formType, key string) string {
	if f, ok := matcherFor(formType).byKey[key]; ok {
		return f.Label
	}
	if f, ok := lblMatchers[""].byKey[key]; ok {
		return f.Label
	}
	return key
}

// Sections. A heading ("1. Ente", "Dati del referente dei pagamenti", a table caption
// "Tabella 2 - Referente") opens a section; labels under it are resolved among the section's
// fields first. Both sides are token sets, as for labels.

// lblHeadingFiller are words of a heading that do not name its section.
var lblHeadingFiller = map[string]bool{
	"dat": true, "sezion": true, "quadr": true, "part": true, "anagrafic": true, "informazion": true,
	"tabell": true, "general": true, "identificativ": true, "relativ": true, "riferiment": true,
}

// lblSection is a section with its names as token sets.
type lblSection struct {
	prefix string
	names  [][]string
	tokens map[string]bool // every token of every name
}

var lblSections = func() []lblSection {
	var out []lblSection
	for _, s := range Sections {
		ls := lblSection{prefix: s.Prefix, tokens: map[string]bool{}}
		for _, n := range s.Names {
			t := lblTokens(n)
			ls.names = append(ls.names, t)
			for _, w := range t {
				ls.tokens[w] = true
			}
		}
		out = append(out, ls)
	}
	return out
}()

func lblSectionOf(prefix string) *lblSection {
	for i := range lblSections {
		if lblSections[i].prefix == prefix {
			return &lblSections[i]
		}
	}
	return nil
}

// lblKeySection is the section prefix of a field key ("referente." for "referente.nome"), ""
// for a field outside every section.
func lblKeySection(key string) string {
	if i := strings.IndexByte(key, '.'); i > 0 && lblSectionOf(key[:i+1]) != nil {
		return key[:i+1]
	}
	return ""
}

// lblNumbering matches the numbering of a heading: "2.", "B)", "IV -", "Sezione 3".
var lblNumbering = regexp.MustCompile(`(?i)^\s*(?:(?:\d{1,2}|[a-h]|[ivx]{1,4})\s*[.)\-–:]|sezione\b|quadro\b|parte\b)`)

// lblSectionHeading reads a line as a section heading: the section's prefix, or "" with
// heading true for a numbered heading of a part that is no section ("3. Servizi richiesti").
func lblSectionHeading(text string) (prefix string, heading bool) {
	toks := lblTokens(text)
	if len(toks) == 0 || len(toks) > 8 {
		return "", false
	}
	set := map[string]bool{}
	for _, w := range toks {
		if lblHeadingFiller[w] || len([]rune(w)) == 1 || strings.Trim(w, "0123456789") == "" {
			continue
		}
		set[w] = true
	}
	for _, s := range lblSections {
		for _, n := range s.names {
			if len(n) == len(set) && lblAllIn(n, set) {
				return s.prefix, true
			}
		}
	}
	return "", lblNumbering.MatchString(text) && len(toks) <= 6
}

func lblAllIn(toks []string, set map[string]bool) bool {
	for _, t := range toks {
		if !set[t] {
			return false
		}
	}
	return true
}

// matchIn finds the field a label means among the fields of a section: a phrase matches when
// its tokens are in the label or in the section's names, and one at least in the label
// ("Codice fiscale" under "Referente dei pagamenti" is "Codice fiscale referente").
func (lm *lblMatcher) matchIn(in []string, prefix string) (f Field, score int, ok bool) {
	sec := lblSectionOf(prefix)
	if sec == nil || len(in) == 0 || len(in) > 16 {
		return Field{}, 0, false
	}
	set := make(map[string]bool, len(in))
	for _, t := range in {
		set[t] = true
	}
	best := -1
	for _, p := range lm.phrases {
		if !strings.HasPrefix(p.field.Key, prefix) {
			continue
		}
		overlap, all := 0, true
		for _, t := range p.tokens {
			switch {
			case set[t]:
				overlap++
			case !sec.tokens[t]:
				all = false
			}
		}
		if !all || overlap == 0 {
			continue
		}
		extra := len(in) - overlap
		if extra > overlap {
			continue
		}
		s := len(p.tokens)*100 - extra
		if extra == 0 {
			s += 10000
		}
		if s > best {
			best, f = s, p.field
		}
	}
	return f, best, best >= 0
}

// generic returns the fields of lm whose printed label, without the words of its own section
// (and only if it has some), is exactly the label: "Codice fiscale" is generic for "Codice
// fiscale ente" and "Codice fiscale referente"; "Codice IPA" is no field's generic label.
func (lm *lblMatcher) generic(in []string) []Field {
	return lm.generics[lblSetKey(in)]
}

// lblSetKey is a token set as a map key.
func lblSetKey(toks []string) string {
	t := slices.Clone(toks)
	slices.Sort(t)
	return strings.Join(slices.Compact(t), " ")
}

// lblGenerics maps each generic label (as lblSetKey) to the fields it is generic for.
func lblGenerics(fields []Field) map[string][]Field {
	m := map[string][]Field{}
	for _, f := range fields {
		sec := lblSectionOf(lblKeySection(f.Key))
		all := lblTokens(f.Label)
		var rest []string
		for _, t := range all {
			if sec == nil || !sec.tokens[t] {
				rest = append(rest, t)
			}
		}
		if len(rest) > 0 && len(rest) < len(all) {
			k := lblSetKey(rest)
			m[k] = append(m[k], f)
		}
	}
	return m
}

func lblSet(toks []string) map[string]bool {
	m := make(map[string]bool, len(toks))
	for _, t := range toks {
		m[t] = true
	}
	return m
}

// resolve finds the field a label means in the section sec (a key prefix, "" outside any) for
// a value. A label naming its section ("Referente: nome", "Codice fiscale referente") means
// that section's field wherever it stands; a generic label means the field of the section it
// stands in, and is not used in a section that lacks such a field; outside any section a generic
// label that could mean two fields is settled by which kind of value it has, else read with a
// doubt.
func (lm *lblMatcher) resolve(label, value, sec string) (Field, string, bool) {
	in := lblTokens(label)
	g, gs, gok := lm.match(label)
	gsec := lblKeySection(g.Key)
	if gok && gs >= 10000 && (gsec == "" || gsec == sec) {
		return g, "", true
	}
	// The section written in the label: "Ente: indirizzo", "Tipo dovuto: IBAN".
	var q Field
	qs, qok := -1, false
	for _, s := range lblSections {
		for _, n := range s.names {
			set := lblSet(in)
			if !lblAllIn(n, set) || len(n) >= len(in) {
				continue
			}
			var rest []string
			for _, t := range in {
				if !slices.Contains(n, t) {
					rest = append(rest, t)
				}
			}
			if f, fs, ok := lm.matchIn(rest, s.prefix); ok && fs > qs {
				q, qs, qok = f, fs, true
			}
		}
	}
	if qok && qs >= 10000 {
		return q, "", true
	}
	if sec != "" {
		if r, rs, ok := lm.matchIn(in, sec); ok && (rs >= 10000 || !gok || gs < 10000) {
			return r, "", true
		}
	}
	if gok {
		names := false
		if s := lblSectionOf(gsec); s != nil {
			for _, t := range in {
				names = names || s.tokens[t]
			}
		}
		if gsec == "" || names {
			return g, "", true
		}
		cands := lm.generic(in)
		if sec != "" && gsec != sec && slices.ContainsFunc(cands, func(c Field) bool { return c.Key == g.Key }) {
			return Field{}, "", false // "Email" under "Ente": no such field in this section
		}
		if len(cands) > 1 && !lm.union {
			var fit []Field
			for _, c := range cands {
				if tfPlausible(c.Kind, value) {
					fit = append(fit, c)
				}
			}
			if len(fit) > 1 {
				// "00339370272" could be a provisional personal code, but is an ente's.
				fit = slices.DeleteFunc(fit, func(c Field) bool { return !tfTypical(c.Kind, value) })
			}
			if len(fit) == 1 {
				return fit[0], "", true
			}
			var labels []string
			for _, c := range cands {
				labels = append(labels, "«"+c.Label+"»")
			}
			return g, "l'etichetta «" + strings.TrimSpace(label) + "» non è in una sezione e può indicare " + strings.Join(labels, " o "), true
		}
		return g, "", true
	}
	if qok {
		return q, "", true
	}
	return Field{}, "", false
}
