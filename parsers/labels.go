package parsers

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
	"unsafe"
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
	var buf [24]string
	raw := lblSplit(s, buf[:0])
	return lblReduce(raw, make([]string, 0, min(len(raw)+2, 64)))
}

// lblSplit appends the words of s to dst: lowercase, accents folded, split at every rune that
// is neither a letter nor a digit. Text already in lowercase ASCII is not copied.
func lblSplit(s string, dst []string) []string { return lblSplitIn(s, dst, nil) }

// lblSplitIn is lblSplit lowering s, if it must, into *lower (nil: new memory): the words are
// then valid until *lower is written again.
func lblSplitIn(s string, dst []string, lower *[]byte) []string {
	lowered := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c >= 'A' && c <= 'Z' {
			if lower == nil {
				s = lblLower(s)
			} else {
				*lower = lblAppendLower((*lower)[:0], s)
				s = lblBytesString(*lower)
			}
			lowered = true
			break
		}
	}
	start := -1
	for i := 0; i < len(s); i++ {
		// After lblLower a space is the only separator; before, any byte but a-z and 0-9.
		if c := s[i]; lowered && c == ' ' || !lowered && !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			if start >= 0 {
				dst = append(dst, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		dst = append(dst, s[start:])
	}
	return dst
}

// lblLower is s in lowercase with accents folded and a space for every rune that is neither a
// letter nor a digit; ASCII is handled a byte at a time.
func lblLower(s string) string {
	return lblBytesString(lblAppendLower(make([]byte, 0, len(s)), s)) // not written again: no copy
}

// lblBytesString is b as a string, without a copy: b must not be written while it is read.
func lblBytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// lblAppendLower appends lblLower(s) to b.
func lblAppendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 'A' && c <= 'Z':
				b = append(b, c+'a'-'A')
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				b = append(b, c)
			default:
				b = append(b, ' ')
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r = lblFold(unicode.ToLower(r)); unicode.IsLetter(r) || unicode.IsDigit(r) {
			b = utf8.AppendRune(b, r)
		} else {
			b = append(b, ' ')
		}
	}
	return b
}

// lblFold folds the accented letters of Italian (and a few neighbours) to plain ASCII, as
// lblAccents does.
func lblFold(r rune) rune {
	switch r {
	case 'à', 'á', 'â', 'ä':
		return 'a'
	case 'è', 'é', 'ê', 'ë':
		return 'e'
	case 'ì', 'í', 'î', 'ï':
		return 'i'
	case 'ò', 'ó', 'ô', 'ö':
		return 'o'
	case 'ù', 'ú', 'û', 'ü':
		return 'u'
	case 'ç':
		return 'c'
	case 'ñ':
		return 'n'
	}
	return r
}

// lblLexEntry is what lblReduce knows of a word: a stop word, an abbreviation, the first word
// of a two-word abbreviation. One lookup per word.
type lblLexEntry struct {
	stop  bool
	words []string            // expansion of the word alone
	pairs map[string][]string // second word to the expansion of the pair
}

var lblLex = func() map[string]lblLexEntry {
	m := map[string]lblLexEntry{}
	for w := range lblStop {
		e := m[w]
		e.stop = true
		m[w] = e
	}
	for w, exp := range lblWords {
		e := m[w]
		e.words = exp
		m[w] = e
	}
	for p, exp := range lblPairs {
		e := m[p[0]]
		if e.pairs == nil {
			e.pairs = map[string][]string{}
		}
		e.pairs[p[1]] = exp
		m[p[0]] = e
	}
	return m
}()

// lblVowel are the final vowels a token loses.
var lblVowel = [256]bool{'a': true, 'e': true, 'i': true, 'o': true, 'u': true}

// lblLexMax and lblLexFirst are the length of the longest word of lblLex and the bytes its
// words begin with: a word outside them is not looked up.
var lblLexMax, lblLexFirst = func() (n int, first [256]bool) {
	for w := range lblLex {
		n = max(n, len(w))
		first[w[0]] = true
	}
	return n, first
}()

// lblReduce appends to dst the tokens of a label's words: runs of single letters joined ("i p
// a" gives "ipa"), abbreviations expanded, stop words dropped, a final vowel cut, duplicates
// dropped.
func lblReduce(raw []string, dst []string) []string {
	out := dst[:0]
	var seen map[string]struct{} // for long texts; short ones are searched
	add := func(w string, stop bool) {
		if stop {
			return
		}
		for len(w) > 3 && lblVowel[w[len(w)-1]] {
			w = w[:len(w)-1] // "servizio", "servizi" -> "serviz"
		}
		if seen != nil {
			if _, dup := seen[w]; !dup {
				seen[w] = struct{}{}
				out = append(out, w)
			}
			return
		}
		if !slices.Contains(out, w) {
			if out = append(out, w); len(out) == 32 {
				seen = lblGetSeen()
				for _, t := range out {
					seen[t] = struct{}{}
				}
			}
		}
	}
	expand := func(exp []string) {
		for _, e := range exp {
			add(e, lblLex[e].stop)
		}
	}
	// word returns the i-th word after joining runs of single letters, and the next index.
	word := func(i int) (string, int) {
		j := i
		for j < len(raw) && (len(raw[j]) == 1 || len(raw[j]) <= utf8.UTFMax && utf8.RuneCountInString(raw[j]) == 1) {
			j++
		}
		if j-i >= 2 {
			return strings.Join(raw[i:j], ""), j
		}
		return raw[i], i + 1
	}
	for i := 0; i < len(raw); {
		w, next := word(i)
		var e lblLexEntry
		known := false
		if len(w) <= lblLexMax && lblLexFirst[w[0]] { // most words are none of the lexicon's
			e, known = lblLex[w]
		}
		if known && e.pairs != nil && next < len(raw) {
			w2, after := word(next)
			if exp, ok := e.pairs[w2]; ok {
				expand(exp)
				i = after
				continue
			}
		}
		if e.words != nil {
			expand(e.words)
		} else {
			add(w, e.stop)
		}
		i = next
	}
	if seen != nil {
		lblPutSeen(seen)
	}
	return out
}

// lblSeen keeps the sets of tokens seen of long texts (a document's whole text is reduced
// for its form's marker), emptied, for the next text.
var lblSeen sync.Pool

func lblGetSeen() map[string]struct{} {
	if m, ok := lblSeen.Get().(map[string]struct{}); ok {
		return m
	}
	return make(map[string]struct{}, 256)
}

func lblPutSeen(m map[string]struct{}) {
	if len(m) <= 1<<14 {
		clear(m)
		lblSeen.Put(m)
	}
}

// lblNorm is the canonical text of a label or heading, for marker search.
func lblNorm(s string) string { return strings.Join(lblTokens(s), " ") }

// Label index. Every token of the schema's labels, aliases and section names has a number;
// a label's tokens are looked up once, and a phrase is only tried from the label's tokens that
// begin it, so matching costs the label's length, not the schema's.

// lblVocab numbers the schema's tokens from 1; 0 is any other token. Filled while the package
// initialises, read only afterwards.
var lblVocab = map[string]uint16{}

// lblIntern returns the number of a schema token, adding it if new (initialisation only).
func lblIntern(t string) uint16 {
	id, ok := lblVocab[t]
	if !ok {
		id = uint16(len(lblVocab) + 1)
		lblVocab[t] = id
	}
	return id
}

// lblIDs appends the numbers of toks to dst (0 for a token the schema does not use).
func lblIDs(toks []string, dst []uint16) []uint16 {
	for _, t := range toks {
		var id uint16
		if n := len(t); n <= lblVocabMax && (n == 0 || n >= 64 || lblVocabShape[t[0]]&(1<<n) != 0) {
			id = lblVocab[t]
		}
		dst = append(dst, id)
	}
	return dst
}

// lblVocabShape has, for each first byte, bit n set when a schema token of n bytes begins with
// it (n < 64): most words of a document are no schema token, told without a lookup. Every bit
// is set until the vocabulary is complete.
var lblVocabShape = func() (t [256]uint64) {
	for i := range t {
		t[i] = ^uint64(0)
	}
	return t
}()

// lblVocabMax is the length of the longest schema token, once the vocabulary is complete
// (the package's variables are initialised); every token is looked up before.
var lblVocabMax = 1 << 30

func init() {
	n := 0
	var shape [256]uint64
	for t := range lblVocab {
		n = max(n, len(t))
		if len(t) > 0 && len(t) < 64 {
			shape[t[0]] |= 1 << len(t)
		}
	}
	lblVocabMax, lblVocabShape = n, shape
}

// lblLabel is a label read once: its tokens and their numbers.
type lblLabel struct {
	toks []string
	ids  []uint16
}

func lblLabelOf(s string) lblLabel {
	t := lblTokens(s)
	return lblLabel{toks: t, ids: lblIDs(t, make([]uint16, 0, len(t)))}
}

// lblLabelInto is lblLabelOf with the tokens and their numbers appended to toks and ids (the
// caller's memory, on its stack when the label is only matched).
func lblLabelInto(s string, toks []string, ids []uint16) lblLabel {
	var buf [24]string
	t := lblReduce(lblSplit(s, buf[:0]), toks)
	return lblLabel{toks: t, ids: lblIDs(t, ids)}
}

// lblArena hands out the tokens of a page's labels from shared arrays (as pdfArena does its
// words): a label kept with its item costs no arrays of its own. A nil arena allocates them.
type lblArena struct {
	toks []string
	ids  []uint16
}

// lblNoTokens is the tokens of a label without any: read, not nil.
var lblNoTokens = []string{}

func (a *lblArena) labelOf(s string) lblLabel {
	if a == nil {
		return lblLabelOf(s)
	}
	var tb [32]string
	var ib [32]uint16
	return a.keep(lblLabelInto(s, tb[:0], ib[:0]))
}

// reduce is the label of words split already (lblSplit's).
func (a *lblArena) reduce(words []string) lblLabel {
	if a == nil {
		toks := lblReduce(words, make([]string, 0, min(len(words)+2, 64)))
		return lblLabel{toks: toks, ids: lblIDs(toks, make([]uint16, 0, len(toks)))}
	}
	var tb [32]string
	var ib [32]uint16
	toks := lblReduce(words, tb[:0])
	return a.keep(lblLabel{toks: toks, ids: lblIDs(toks, ib[:0])})
}

// keep copies a label read into the caller's memory into the arena's.
func (a *lblArena) keep(in lblLabel) lblLabel {
	if len(in.toks) == 0 {
		return lblLabel{toks: lblNoTokens}
	}
	out := lblLabel{toks: pdfTake(&a.toks, len(in.toks), 256), ids: pdfTake(&a.ids, len(in.ids), 256)}
	copy(out.toks, in.toks)
	copy(out.ids, in.ids)
	return out
}

// has reports whether the label has the schema token id.
func (l lblLabel) has(id uint16) bool { return slices.Contains(l.ids, id) }

// lblPhrase is one way of writing a field's label.
type lblPhrase struct {
	field  Field
	tokens []string
	ids    []uint16
}

// lblMatcher maps labels to the fields of one form (or of all forms when the type is unknown).
type lblMatcher struct {
	union     bool                 // every form's fields: a generic label is not weighed against other forms'
	generics  map[lblSetID][]Field // a generic label (its sorted token numbers) to the fields it may mean
	fields    []Field
	order     map[string]int // key to its place in fields, from 1
	byKey     map[string]Field
	phrases   []lblPhrase
	byFirst   [][]int32          // token number to the phrases (indexes) that begin with it
	bySection map[string][]int32 // section prefix to the phrases of its fields, in order
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
	lm := &lblMatcher{byKey: map[string]Field{}, order: map[string]int{}, bySection: map[string][]int32{}}
	for _, f := range fields {
		if _, dup := lm.byKey[f.Key]; !dup {
			lm.byKey[f.Key] = f
			lm.fields = append(lm.fields, f)
			lm.order[f.Key] = len(lm.fields)
		}
		for _, p := range append([]string{f.Label}, f.Aliases...) {
			if t := lblTokens(p); len(t) > 0 {
				ph := lblPhrase{field: f, tokens: t}
				for _, w := range t {
					ph.ids = append(ph.ids, lblIntern(w))
				}
				lm.phrases = append(lm.phrases, ph)
			}
		}
	}
	for i, p := range lm.phrases {
		for int(p.ids[0]) >= len(lm.byFirst) {
			lm.byFirst = append(lm.byFirst, nil)
		}
		lm.byFirst[p.ids[0]] = append(lm.byFirst[p.ids[0]], int32(i))
		if sec := lblKeySection(p.field.Key); sec != "" {
			lm.bySection[sec] = append(lm.bySection[sec], int32(i))
		}
	}
	lm.generics = lblGenerics(lm.fields)
	return lm
}

// lblKeysDotted is whether every field key has a dot.
var lblKeysDotted = func() bool {
	for _, m := range lblMatchers {
		for k := range m.byKey {
			if !strings.Contains(k, ".") {
				return false
			}
		}
	}
	return true
}()

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
	if len(label) > lblMemoLabel {
		return lm.matchOnce(label)
	}
	k := lblMemoKey{lm, label}
	if r, hit := lblMemo.Load(k); hit {
		r := r.(lblMemoResult)
		return r.f, r.score, r.ok
	}
	f, score, ok = lm.matchOnce(label)
	lblRemember(k, lblMemoResult{f: f, score: score, ok: ok})
	return f, score, ok
}

// lblRemember keeps what a label was found to be.
func lblRemember(k lblMemoKey, r lblMemoResult) {
	if lblMemoSize.Add(1) > lblMemoMax {
		// Labels no form has keep coming: forget them all, the usual ones come back.
		lblMemo.Clear()
		lblMemoSize.Store(1)
	}
	lblMemo.Store(k, r)
}

// The labels match was asked about, and what it answered. Every message asks again of the same
// few dozen labels ("Codice IPA", "Denominazione ente"), and the readers ask of one several
// times; matching costs a microsecond, a look here a tenth of it.
var (
	lblMemo     sync.Map // lblMemoKey -> lblMemoResult
	lblMemoSize atomic.Int64
)

// lblMemoMax bounds the labels remembered (a few hundred bytes each); lblMemoLabel the length
// of one: a longer line is prose, not a label, and asked once.
const lblMemoMax, lblMemoLabel = 8192, 120

type lblMemoKey struct {
	lm    *lblMatcher // nil: the section the label heads (lblSectionHeading)
	label string
}

type lblMemoResult struct {
	f      Field
	score  int
	ok     bool
	prefix string
}

// matchOnce is match, worked out.
func (lm *lblMatcher) matchOnce(label string) (f Field, score int, ok bool) {
	if f, ok := lm.key(label); ok {
		return f, 100000, true
	}
	// The label's tokens are only matched: read on the stack.
	var tb [32]string
	var ib [32]uint16
	return lm.matchLabel(lblLabelInto(label, tb[:0], ib[:0]))
}

// matchRead is match for a label whose tokens are read already (in).
func (lm *lblMatcher) matchRead(label string, in lblLabel) (f Field, score int, ok bool) {
	if f, ok := lm.key(label); ok {
		return f, 100000, true
	}
	return lm.matchLabel(in)
}

// key finds the field whose key is the label ("ente.codice_fiscale", as a form field is named).
func (lm *lblMatcher) key(label string) (Field, bool) {
	if lblKeysDotted && strings.IndexByte(label, '.') < 0 {
		return Field{}, false // every key has a dot ("ente.codice_fiscale"), and lowering keeps it
	}
	k := strings.TrimSpace(label)
	if strings.ContainsAny(k, " \t\n") {
		return Field{}, false // keys have no spaces: spare the lower-casing
	}
	// ASCII lowers byte for byte: on the stack, as long as the longest key.
	var buf [48]byte
	b := buf[:0]
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= 0x80 || len(b) == len(buf) {
			f, ok := lm.byKey[strings.ToLower(k)]
			return f, ok
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	f, ok := lm.byKey[string(b)]
	return f, ok
}

// matchLabel is match for a label already read, without the exact key.
func (lm *lblMatcher) matchLabel(in lblLabel) (f Field, score int, ok bool) {
	n := len(in.ids)
	if n == 0 || n > 16 {
		return Field{}, 0, false
	}
	best, bestAt := -1, int32(-1)
	for _, first := range in.ids {
		if int(first) >= len(lm.byFirst) {
			continue
		}
		for _, at := range lm.byFirst[first] {
			p := &lm.phrases[at]
			extra := n - len(p.ids)
			// A short phrase inside a long label is a guess too far ("data" in "data di nascita
			// del legale rappresentante"): the phrase must cover at least half of the label.
			if extra < 0 || extra > len(p.ids) {
				continue
			}
			all := true
			for _, t := range p.ids[1:] {
				if !in.has(t) {
					all = false
					break
				}
			}
			if !all {
				continue
			}
			s := len(p.ids)*100 - extra
			if extra == 0 {
				s += 10000
			}
			// The earliest phrase of the schema wins a tie, whichever token led to it.
			if s > best || s == best && at < bestAt {
				best, bestAt = s, at
			}
		}
	}
	if best < 0 {
		return Field{}, 0, false
	}
	return lm.phrases[bestAt].field, best, true
}

// lblIsLabel reports whether text reads as a field label of any form.
func lblIsLabel(text string) bool {
	_, _, ok := lblMatchers[""].match(text)
	return ok
}

// lblFindMarker returns the form type whose marker appears in text, the earliest one when
// several do, and "" if none.
func lblFindMarker(text string) string {
	if len(text) < 128 {
		var tb [32]string
		var ib [32]uint16
		return lblFindMarkerRead(lblLabelInto(text, tb[:0], ib[:0]).ids)
	}
	// A document's whole text is searched: its words, tokens and their numbers are read into
	// memory kept for the next text.
	m := lblMarkerMems.Get().(*lblMarkerMem)
	typ := m.find(text)
	m.put()
	return typ
}

// find is lblFindMarker of text, read in m's memory; text may be m.text.
func (m *lblMarkerMem) find(text string) string {
	m.raw = lblSplitIn(text, m.raw[:0], &m.lower)
	m.toks = lblReduce(m.raw, m.toks[:0])
	m.ids = lblIDs(m.toks, m.ids[:0])
	return lblFindMarkerRead(m.ids)
}

// put gives m back for the next search, unless it grew too large.
func (m *lblMarkerMem) put() {
	if cap(m.raw) <= 1<<16 && cap(m.toks) <= 1<<16 && cap(m.lower) <= 1<<20 && cap(m.text) <= 1<<20 {
		clear(m.raw)
		clear(m.toks)
		lblMarkerMems.Put(m)
	}
}

// lblMarkerMem is the memory of a marker search over a long text.
type lblMarkerMem struct {
	raw, toks []string
	ids       []uint16
	lower     []byte // the text lowered, which raw's words are in
	text      []byte // the text, when its searcher writes it here (frBuild)
}

var lblMarkerMems = sync.Pool{New: func() any { return new(lblMarkerMem) }}

// lblFindMarkerRead is lblFindMarker for a text whose tokens are read already: a marker is
// found where its tokens stand one after the other.
// The earliest place wins; there, the longest marker, the first in lblMarkers of equal ones.
func lblFindMarkerRead(ids []uint16) string {
	for i, id := range ids {
		if int(id) >= len(lblMarkersByFirst) {
			continue
		}
		bestLen, bestType := 0, ""
		for _, k := range lblMarkersByFirst[id] {
			m := &lblMarkers[k]
			if i+len(m.ids) <= len(ids) && slices.Equal(ids[i:i+len(m.ids)], m.ids) && (bestType == "" || m.size > bestLen) {
				bestLen, bestType = m.size, m.formType
			}
		}
		if bestType != "" {
			return bestType
		}
	}
	return ""
}

// lblMarker is a title or marker of a form: its tokens, and the length of their text (the
// longer of two markers found at one place wins).
type lblMarker struct {
	ids      []uint16
	size     int
	formType string
}

// lblMarkers are the titles and markers of every form, read once.
var lblMarkers = func() []lblMarker {
	var out []lblMarker
	for _, spec := range Forms {
		for _, m := range append([]string{spec.Title}, spec.Markers...) {
			if t := lblTokens(m); len(t) > 0 {
				mk := lblMarker{size: len(strings.Join(t, " ")), formType: spec.Type}
				for _, w := range t {
					mk.ids = append(mk.ids, lblIntern(w))
				}
				out = append(out, mk)
			}
		}
	}
	return out
}()

// lblMarkersByFirst lists the markers (indexes in lblMarkers, in order) by their first token.
var lblMarkersByFirst = func() [][]int {
	var by [][]int
	for k, m := range lblMarkers {
		for int(m.ids[0]) >= len(by) {
			by = append(by, nil)
		}
		by[m.ids[0]] = append(by[m.ids[0]], k)
	}
	return by
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
	names  [][]uint16 // token numbers of each name
	tokens []uint16   // every token of every name
}

// has reports whether a token is one of the section's names' tokens.
func (s *lblSection) has(id uint16) bool { return id != 0 && slices.Contains(s.tokens, id) }

var lblSections = func() []lblSection {
	var out []lblSection
	for _, s := range Sections {
		ls := lblSection{prefix: s.Prefix}
		for _, n := range s.Names {
			var ids []uint16
			for _, w := range lblTokens(n) {
				id := lblIntern(w)
				ids = append(ids, id)
				if !slices.Contains(ls.tokens, id) {
					ls.tokens = append(ls.tokens, id)
				}
			}
			ls.names = append(ls.names, ids)
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

// lblSectionHeading reads a line as a section heading: the section's prefix, or "" with
// heading true for a numbered heading of a part that is no section ("3. Servizi richiesti").
func lblSectionHeading(text string) (prefix string, heading bool) {
	if len(text) > lblMemoLabel {
		return lblSectionHeadingOnce(text)
	}
	k := lblMemoKey{nil, text}
	if r, hit := lblMemo.Load(k); hit {
		r := r.(lblMemoResult)
		return r.prefix, r.ok
	}
	prefix, heading = lblSectionHeadingOnce(text)
	lblRemember(k, lblMemoResult{prefix: prefix, ok: heading})
	return prefix, heading
}

// lblSectionHeadingOnce is lblSectionHeading, worked out.
func lblSectionHeadingOnce(text string) (prefix string, heading bool) {
	var tb [32]string
	var ib [32]uint16
	return lblSectionHeadingRead(text, lblLabelInto(text, tb[:0], ib[:0]))
}

// lblSectionHeadingRead is lblSectionHeading for a text whose tokens are read already.
func lblSectionHeadingRead(text string, in lblLabel) (prefix string, heading bool) {
	toks := in.toks
	if len(toks) == 0 || len(toks) > 8 {
		return "", false
	}
	// The tokens that may name a section (tokens are distinct: no set needed), by the numbers
	// the label was read with.
	var buf [8]uint16
	set := buf[:0]
	for i, w := range toks {
		if lblHeadingFiller[w] || utf8.RuneCountInString(w) == 1 || lblDigits(w) {
			continue
		}
		set = append(set, in.ids[i])
	}
	for _, s := range lblSections {
		for _, n := range s.names {
			if len(n) == len(set) && lblAllIn(n, set) {
				return s.prefix, true
			}
		}
	}
	return "", len(toks) <= 6 && lblNumbered(text)
}

// lblNumbered reports whether text begins with the numbering of a heading: "2.", "B)",
// "IV -", "Sezione 3". It is asked of most lines of a page: written out, it is the regular
// expression of TestNumberedAsRegexp.
func lblNumbered(text string) bool {
	i := 0
	for i < len(text) && lblRESpace(text[i]) {
		i++
	}
	t := text[i:]
	if lblWordFold(t, "sezione") || lblWordFold(t, "quadro") || lblWordFold(t, "parte") {
		return true
	}
	if t == "" {
		return false
	}
	// A run of one or two digits, one letter a-h, or one to four roman digits; then white
	// space and a separator. A longer run fails at each of its lengths.
	n := 0
	switch c := t[0] | 0x20; {
	case t[0] >= '0' && t[0] <= '9':
		for n < len(t) && t[n] >= '0' && t[n] <= '9' {
			n++
		}
		if n > 2 {
			return false
		}
	case c >= 'a' && c <= 'h':
		n = 1
	case c == 'i' || c == 'v' || c == 'x':
		for n < len(t) && (t[n]|0x20 == 'i' || t[n]|0x20 == 'v' || t[n]|0x20 == 'x') {
			n++
		}
		if n > 4 {
			return false
		}
	default:
		return false
	}
	for n < len(t) && lblRESpace(t[n]) {
		n++
	}
	if n == len(t) {
		return false
	}
	switch t[n] {
	case '.', ')', '-', ':':
		return true
	}
	return strings.HasPrefix(t[n:], "–")
}

// lblRESpace is \s of a regular expression.
func lblRESpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// lblWordFold reports whether s begins with the lowercase ASCII word w (no "k") in any case,
// as (?i) folds it ("ſ" is an "s"), and no letter, digit or underscore follows it (\b).
func lblWordFold(s, w string) bool {
	i := 0
	for k := 0; k < len(w); k++ {
		if i >= len(s) {
			return false
		}
		switch {
		case s[i]|0x20 == w[k] && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z'):
			i++
		case w[k] == 's' && strings.HasPrefix(s[i:], "ſ"):
			i += len("ſ")
		default:
			return false
		}
	}
	if i == len(s) {
		return true
	}
	c := s[i]
	return !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_')
}

// lblDigits reports whether w is only digits (or empty): strings.Trim(w, "0123456789") == "".
func lblDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// lblAllIn reports whether every (schema) token of toks is in set.
func lblAllIn(toks, set []uint16) bool {
	for _, t := range toks {
		if !slices.Contains(set, t) {
			return false
		}
	}
	return true
}

// matchIn finds the field a label means among the fields of a section: a phrase matches when
// its tokens are in the label or in the section's names, and one at least in the label
// ("Codice fiscale" under "Referente dei pagamenti" is "Codice fiscale referente").
func (lm *lblMatcher) matchIn(in []uint16, prefix string) (f Field, score int, ok bool) {
	sec := lblSectionOf(prefix)
	if sec == nil || len(in) == 0 || len(in) > 16 {
		return Field{}, 0, false
	}
	best := -1
	for _, at := range lm.bySection[prefix] {
		p := &lm.phrases[at]
		overlap, all := 0, true
		for _, t := range p.ids {
			switch {
			case slices.Contains(in, t):
				overlap++
			case !sec.has(t):
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
		s := len(p.ids)*100 - extra
		if extra == 0 {
			s += 10000
		}
		if s > best {
			best, f = s, p.field
		}
	}
	return f, best, best >= 0
}

// lblSetID is a set of at most lblSetMax schema tokens as a map key: the numbers sorted,
// zeros after them.
type lblSetID [lblSetMax]uint16

const lblSetMax = 12

// lblSetKey is the key of a set of tokens; ok is false when one is not a schema token or there
// are too many, so that the set is no generic label.
func lblSetKey(ids []uint16) (k lblSetID, ok bool) {
	n := 0
	for _, id := range ids {
		if id == 0 {
			return k, false
		}
		if slices.Contains(k[:n], id) {
			continue
		}
		if n == lblSetMax {
			return k, false
		}
		k[n] = id
		n++
	}
	slices.Sort(k[:n])
	return k, true
}

// generic returns the fields of lm whose printed label, without the words of its own section
// (and only if it has some), is exactly the label: "Codice fiscale" is generic for "Codice
// fiscale ente" and "Codice fiscale referente"; "Codice IPA" is no field's generic label.
func (lm *lblMatcher) generic(in []uint16) []Field {
	k, ok := lblSetKey(in)
	if !ok {
		return nil
	}
	return lm.generics[k]
}

// lblGenerics maps each generic label (as lblSetKey) to the fields it is generic for.
func lblGenerics(fields []Field) map[lblSetID][]Field {
	m := map[lblSetID][]Field{}
	for _, f := range fields {
		sec := lblSectionOf(lblKeySection(f.Key))
		var all, rest []uint16
		for _, t := range lblTokens(f.Label) {
			all = append(all, lblIntern(t))
		}
		for _, t := range all {
			if sec == nil || !sec.has(t) {
				rest = append(rest, t)
			}
		}
		if len(rest) > 0 && len(rest) < len(all) {
			k, ok := lblSetKey(rest)
			if !ok {
				panic("parsers: a generic label longer than lblSetMax tokens: " + f.Label)
			}
			m[k] = append(m[k], f)
		}
	}
	return m
}

// resolve finds the field a label means in the section sec (a key prefix, "" outside any) for
// a value. A label naming its section ("Referente: nome", "Codice fiscale referente") means
// that section's field wherever it stands; a generic label means the field of the section it
// stands in, and is not used in a section that lacks such a field; outside any section a generic
// label that could mean two fields is settled by which kind of value it has, else read with a
// doubt.
func (lm *lblMatcher) resolve(label string, in lblLabel, value, sec string) (Field, string, bool) {
	g, gok := lm.key(label)
	gs := 100000
	if !gok {
		g, gs, gok = lm.matchLabel(in)
	}
	gsec := lblKeySection(g.Key)
	if gok && gs >= 10000 && (gsec == "" || gsec == sec) {
		return g, "", true
	}
	// The section written in the label: "Ente: indirizzo", "Tipo dovuto: IBAN".
	var q Field
	qs, qok := -1, false
	for _, s := range lblSections {
		for _, n := range s.names {
			if !lblAllIn(n, in.ids) || len(n) >= len(in.ids) {
				continue
			}
			var rest []uint16
			for _, t := range in.ids {
				if t == 0 || !slices.Contains(n, t) {
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
		if r, rs, ok := lm.matchIn(in.ids, sec); ok && (rs >= 10000 || !gok || gs < 10000) {
			return r, "", true
		}
	}
	if gok {
		names := false
		if s := lblSectionOf(gsec); s != nil {
			for _, t := range in.ids {
				names = names || s.has(t)
			}
		}
		if gsec == "" || names {
			return g, "", true
		}
		cands := lm.generic(in.ids)
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
