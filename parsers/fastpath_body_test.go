package parsers

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"

	"mailbot/templates/say"
)

// The body's fast paths against the plain code they replace.

// logoSizedRef is how embeddedImage told a logo before: the body decoded as go-message decodes
// it (spaces and tabs as line ends), a logo when that fails or gives at most maxLogoBytes.
func logoSizedRef(enc []byte) bool {
	ws := bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return '\n'
		}
		return r
	}, enc)
	data, err := io.ReadAll(io.LimitReader(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(ws)), maxLogoBytes+1))
	return err != nil || len(data) <= maxLogoBytes
}

// FuzzLogoSized builds bodies around the size bound from a line repeated: logoSized may only
// call a logo what decoding would.
func FuzzLogoSized(f *testing.F) {
	line := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("logo!"), 57/5)) + "\r\n"
	f.Add([]byte(line), uint16(1100), []byte("=="))
	f.Add([]byte(line), uint16(1150), []byte(""))
	f.Add([]byte("QUJD\t"), uint16(21845), []byte("QQ"))
	f.Add([]byte("QUJDRA=="), uint16(10923), []byte(""))
	f.Add([]byte("\x00\xff"), uint16(40000), []byte("A"))
	f.Fuzz(func(t *testing.T, unit []byte, n uint16, tail []byte) {
		if len(unit) == 0 {
			return
		}
		enc := append(bytes.Repeat(unit, int(n)), tail...)
		if len(enc) >= 2*maxLogoBytes {
			enc = enc[:2*maxLogoBytes-1] // what readUpTo hands over whole
		}
		if logoSized(enc) && !logoSizedRef(enc) {
			t.Fatalf("logoSized(%d bytes of %q...) = true, decoding gives a picture over %d bytes", len(enc), unit, maxLogoBytes)
		}
	})
}

var bodySeeds = append([]string{
	"Il 26/11/2026 10:15, Mario ha scritto:", "Il giorno gio 26 nov 2026 alle ore 10:15 Mario <m@x.it>\nha scritto:\n> x",
	"On Mon, Nov 2, 2026 at 9:00 AM Mario <m@x.it> wrote: ", "in allegato la lettera; di seguito i dati:\nIndirizzo: x",
	"Mario Rossi <m@x.it> ha scritto:\n\n> citato", "il\nha\nscritto:", "Le 2 nov. 2026, Marie a écrit :\t",
	"Indirizzo: Ca' Farsetti, San Marco 4136", "E-mail <mailto:a@b.it>: x", "MAİLTO: x", "Scrivere a MAILTO: x",
	"ſoftware houſe: Srl", "ſrl", "ſ.p.a.", "Coop S.R.L", "ssnc", "ss", "s", "Sas", "x sOC. COOP", "Piave Software S.r.l. – P. IVA 04555666272", "soc. coop", "SPA", "x\u00a0y z\u2003w",
	"Referente / Payments contact", " / ", "a / b / Ente", "x mailto", "X MAILTO", "e-mail\u212aailto", "MAİLTO", "\xffmailto", "uno due tre quattro cinque sei sette otto nove dieci undici dodici: tredici", "a\xffb c\xe2\x82 d: e",
}, fastPathSeeds...)

// quoteStartRef is quoteStart as it was: the attribution's pattern tried on every joined line.
func quoteStartRef(lines []string) int {
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		lead := lowerLead(l)
		if lead == '-' && originalRe.MatchString(l) || (lead == 'i' || lead == 'b') && forwardRe.MatchString(l) {
			return i
		}
		if lead == '_' && underscoreRe.MatchString(l) && i+1 < len(lines) && outlookBlockAt(lines, nextNonBlank(lines, i+1)) {
			return i
		}
		if outlookBlockAt(lines, i) {
			return i
		}
		if lead == 'i' || lead == 'o' || lead == 'a' || lead == 'l' {
			joined := l
			for j := i; j < i+3 && j < len(lines); j++ {
				if j > i {
					joined += " " + strings.TrimSpace(lines[j])
				}
				if attributionRe.MatchString(joined) {
					return i
				}
				if strings.HasSuffix(strings.TrimSpace(lines[j]), ":") {
					break
				}
			}
		}
		// A bare "Mario Rossi <m@x.it> ha scritto:" right above quoted lines.
		if t := strings.TrimSpace(l); strings.HasSuffix(t, ":") {
			if t := strings.ToLower(t); strings.HasSuffix(t, "ha scritto:") || strings.HasSuffix(t, "wrote:") {
				if n := nextNonBlank(lines, i+1); n < len(lines) && isQuotedLine(lines[n]) {
					return i
				}
			}
		}
	}
	return len(lines)
}

func FuzzQuoteStart(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lines := strings.Split(s, "\n")
		if got, want := quoteStart(lines), quoteStartRef(lines); got != want {
			t.Fatalf("quoteStart(%q) = %d, was %d", lines, got, want)
		}
	})
}

// tfSplitLabelRef is tfSplitLabel as it was: the label's words counted in a slice, lowered
// whole to look for "mailto".
func tfSplitLabelRef(line string) (label, value string, ok bool) {
	i := strings.IndexAny(line, ":")
	if i < 0 {
		// "Partita IVA .......... 03812450249": dot leaders after a field's label stand for
		// the colon, as on a printed form.
		if m := tfDotLeaders(line); m != nil && m[0] > 0 && m[1] < len(line) && lblIsLabel(line[:m[0]]) {
			return strings.TrimSpace(line[:m[0]]), strings.TrimSpace(line[m[1]:]), true
		}
	}
	if i <= 0 {
		return "", "", false
	}
	if lt := strings.IndexAny(line, "<["); lt >= 0 && lt < i || strings.HasSuffix(strings.ToLower(line[:i]), "mailto") {
		return "", "", false // "a@b.it <mailto:a@b.it>": a link, not a label
	}
	label = strings.TrimSpace(line[:i])
	value = strings.TrimSpace(line[i+1:])
	if strings.HasPrefix(value, "//") { // "https://..." with no label
		return "", "", false
	}
	if len(label) > 90 || len(strings.Fields(label)) > 12 {
		return "", "", false
	}
	if label[len(label)-1] >= '0' && label[len(label)-1] <= '9' && value != "" && value[0] >= '0' && value[0] <= '9' {
		return "", "", false // "alle 10:30"
	}
	label = strings.TrimSpace(strings.TrimRight(strings.TrimLeft(label, "-•*> \t"), "*"))
	// "Referente: nome: Mario": the section, then the field, then the value.
	if j := strings.IndexByte(value, ':'); j > 0 && !strings.HasPrefix(value[j+1:], "//") {
		sub := strings.TrimSpace(value[:j])
		if n := len(strings.Fields(sub)); n > 0 && n <= 4 && !strings.ContainsAny(sub, "0123456789@") {
			lm := lblMatchers[""]
			_, s1, ok1 := lm.match(label)
			if _, s2, ok2 := lm.match(label + " " + sub); ok2 && (!ok1 || s2 > s1) {
				label, value = label+": "+sub, strings.TrimSpace(value[j+1:])
			}
		}
	}
	return label, value, label != ""
}

func FuzzSplitLabel(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := tfWordCount(s), len(strings.Fields(s)); got != want {
			t.Fatalf("tfWordCount(%q) = %d, strings.Fields says %d", s, got, want)
		}
		if strings.TrimSpace(s) != s {
			return // the old version failed on " :0"
		}
		l, v, ok := tfSplitLabel(s)
		rl, rv, rok := tfSplitLabelRef(s)
		if l != rl || v != rv || ok != rok {
			t.Fatalf("tfSplitLabel(%q) = %q %q %v, was %q %q %v", s, l, v, ok, rl, rv, rok)
		}
		if got, want := tfEndsMailto(s), strings.HasSuffix(strings.ToLower(s), "mailto"); got != want {
			t.Fatalf("tfEndsMailto(%q) = %v, lowered it says %v", s, got, want)
		}
	})
}

// TestSplitLabelBlank: a document's item may keep the spaces before a colon; a blank label is
// no label (it used to panic, and the part was reported unreadable).
func TestSplitLabelBlank(t *testing.T) {
	for _, line := range []string{" :0", "\t: Comune di Prova", "   :", ":x"} {
		if l, v, ok := tfSplitLabel(line); ok {
			t.Errorf("tfSplitLabel(%q) = %q, %q, true; want no label", line, l, v)
		}
	}
}

// TestOnlyOLowersToO is what tfEndsMailto stands on.
func TestOnlyOLowersToO(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.ToLower(r) == 'o' && r != 'o' && r != 'O' {
			t.Fatalf("%U lowers to o", r)
		}
	}
}

func FuzzLegalForm(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := legalFormIn(s), legalForm.FindStringIndex(s); !slices.Equal(got, want) {
			t.Fatalf("legalFormIn(%q) = %v, the expression says %v", s, got, want)
		}
	})
}

// FuzzMatchMemo asks each matcher, and the sections, twice: what they remember is what they
// work out.
func FuzzMatchMemo(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add(s)
	}
	f.Add("Codice IPA")
	f.Add("ENTE.CODICE_IPA")
	f.Fuzz(func(t *testing.T, s string) {
		wp, wh := lblSectionHeadingOnce(s)
		for range 2 {
			if p, h := lblSectionHeading(s); p != wp || h != wh {
				t.Fatalf("lblSectionHeading(%q) = %q %v, worked out %q %v", s, p, h, wp, wh)
			}
		}
		for _, lm := range []*lblMatcher{lblMatchers[""], lblMatchers[FormInformativaGenerale]} {
			want, wscore, wok := lm.matchOnce(s)
			for range 2 {
				if got, score, ok := lm.match(s); got.Key != want.Key || score != wscore || ok != wok {
					t.Fatalf("match(%q) = %q %d %v, worked out %q %d %v", s, got.Key, score, ok, want.Key, wscore, wok)
				}
			}
		}
	})
}

// FuzzSkipText: an unused body part counted is the one read, for the limits and the errors.
func FuzzSkipText(f *testing.F) {
	f.Add([]byte("<html><body>testo</body></html>"), int64(10), false, uint8(3))
	f.Add([]byte("testo"), int64(100), true, uint8(1))
	f.Add([]byte(""), int64(0), true, uint8(0))
	f.Add([]byte("abc"), int64(-1), false, uint8(2))
	f.Fuzz(func(t *testing.T, body []byte, max int64, fail bool, chunk uint8) {
		reader := func() io.Reader {
			var r io.Reader = bytes.NewReader(body)
			if fail {
				r = io.MultiReader(r, iotestErrReader{errors.New("cut")})
			}
			if chunk > 0 {
				r = &chunked{r, int(chunk)}
			}
			return r
		}
		data, cut, err := readText(reader(), max)
		n, scut, serr := skipText(reader(), max)
		if n != int64(len(data)) || scut != cut || (serr == nil) != (err == nil) {
			t.Fatalf("skipText = %d %v %v, readText read %d %v %v", n, scut, serr, len(data), cut, err)
		}
	})
}

// chunked reads at most n bytes at a time.
type chunked struct {
	r io.Reader
	n int
}

func (c *chunked) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// labelInValueRef is labelInValue as it was: the value split into a slice of lines, each line
// into a slice of words.
func labelInValueRef(v string) Signal {
	doubt := func(line string) Signal {
		return Signal{SigLabel, say.Text("doubt.other_label", tfQuote(line))}
	}
	lines := strings.Split(v, "\n")
	for _, line := range lines {
		line = strings.TrimSpace(line)
		// "Tipo dovuto ........ SERV_SOC": dot leaders stand for the colon.
		if strings.Contains(line, "...") || strings.Contains(line, "…") || strings.Contains(line, "___") {
			if m := dotLeaders.FindStringIndex(line); m != nil && m[0] > 0 {
				line = line[:m[0]] + ": " + line[m[1]:]
			}
		}
		if label, _, ok := tfSplitLabel(line); ok {
			// The label may follow a section name: "Referente pagamenti – Cognome".
			parts := strings.FieldsFunc(label, func(r rune) bool { return r == '–' || r == '—' || r == '|' })
			if lblIsLabel(label) || len(parts) > 1 && lblIsLabel(parts[len(parts)-1]) {
				return doubt(line)
			}
		}
		// A table's header row ("Codice | Descrizione | IBAN" under "Tipi di dovuto"): the
		// values are in the rows below it.
		if !strings.ContainsAny(line, "|\t") {
			// One cell: no header row.
		} else if cells := strings.FieldsFunc(line, func(r rune) bool { return r == '|' || r == '\t' }); len(cells) > 1 && frHeaderRow(cells) {
			return Signal{SigHeader, say.Text("doubt.table_header", tfQuote(line))}
		}
		// A label on a line of its own inside a value ("E-mail\na.furlan@…": a box cell
		// whose caption stands above its value) means a neighbour's cell was read.
		if len(lines) > 1 && tfIsExactLabel(line) {
			return doubt(strings.Join(lines, " "))
		}
		// A label of several words with no colon before a value ("E-mail software house
		// help@…" read as the company's name). One word is too often a value's own word
		// ("Azienda ULSS", "Servizio mensa") to count.
		if w := strings.Fields(line); len(w) > 2 && tfLabelRun(w) {
			return doubt(line)
		}
		// Another code named inside a value: "Piave Software S.r.l. – P. IVA 04555666272",
		// "Comune di San Donà (C.F. 00…, IPA c_h823)": two values, one field.
		if !strings.ContainsAny(line, "–—-(,;") {
			continue // one segment: no second code
		}
		for _, seg := range valueSegments.Split(line, -1)[1:] {
			if f, ok := codeLabelAt(seg); ok {
				return Signal{SigTwoValues, tfQuote(line) + " contiene anche " + f + ": due valori in uno"}
			}
		}
	}
	return Signal{}
}

func FuzzLabelInValue(f *testing.F) {
	for _, s := range append(bodySeeds, "E-mail\na.furlan@comune.it", "Codice | Descrizione | IBAN", "Tipo dovuto: VOTIVE",
		"E-mail software house help@x.it", "Piave Software S.r.l. – P. IVA 04555666272", "Referente pagamenti – Cognome: Rossi",
		"Tipo dovuto ........ SERV_SOC", "Codice fiscale\n\nCodice IPA") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := labelInValue(s), labelInValueRef(s); got != want {
			t.Fatalf("labelInValue(%q) = %+v, was %+v", s, got, want)
		}
		if got, want := frSectionLabel(s), frSectionLabelRef(s); got != want {
			t.Fatalf("frSectionLabel(%q) = %q, was %q", s, got, want)
		}
	})
}

func frSectionLabelRef(label string) string {
	for _, part := range strings.Split(label, " / ") {
		if p, _ := lblSectionHeading(part); p != "" {
			return p
		}
	}
	return ""
}

// frBesideSiblingsRef is frBesideSiblings as it was: each sibling's value lowered and joined
// again for every value beside it.
func frBesideSiblingsRef(f *Form, lm *lblMatcher, keys []string) {
	for _, k := range keys {
		raw := f.Fields[k]
		fd, ok := lm.byKey[k]
		v, isText := raw.(string)
		if !ok || !isText || fd.Kind != KindText || strings.Contains(v, "\n") {
			continue
		}
		sec, words := lblKeySection(k), strings.Fields(v)
		if len(words) < 2 {
			continue
		}
		// A label of the same section inside: "Cognome Furlan" as the first name, "tel. 041…",
		// "EntiPay versione 5.0" as the product's name.
		for i, w := range words[:len(words)-1] {
			if g, score, ok := lm.match(strings.TrimRight(w, ":")); ok && score >= 10000 && sec != "" && lblKeySection(g.Key) == sec && (i == 0 || g.Key != k) {
				f.against(k, Signal{SigLabel, say.Text("doubt.label_in_value", tfQuote(v), w)})
				break
			}
		}
		// A label that names a sibling too: "Nome e cognome" read as the first name.
		if lw := strings.Fields(f.Provenance[k].Label); sec != "" {
			for _, w := range lw {
				if w = strings.Trim(w, ":*"); strings.EqualFold(w, strings.TrimSuffix(sec, ".")) {
					continue // the section's own name: "Ente: indirizzo"
				}
				if g, score, ok := lm.match(w); ok && score >= 10000 && g.Key != k && lblKeySection(g.Key) == sec && g.Kind == KindText {
					sig := Signal{SigTwoValues, "l'etichetta «" + f.Provenance[k].Label + "» indica anche «" + g.Label + "»: due valori in uno"}
					f.against(k, sig)
					// "Nome e cognome: Giulia Zanon": two words are one for each field, in the
					// label's order, both for a person to confirm; more words ("Paolo Dal
					// Zotto") could split anywhere and stay whole.
					if _, has := f.Fields[g.Key]; !has && len(words) == 2 {
						mine, theirs := words[0], words[1]
						if strings.EqualFold(strings.Trim(lw[0], ":*"), w) {
							mine, theirs = theirs, mine // "Cognome e nome: Zanon Giulia"
						}
						f.Fields[k], f.Fields[g.Key] = mine, theirs
						p := f.Provenance[k]
						f.Provenance[g.Key] = Provenance{Document: p.Document, Where: p.Where, Label: p.Label, How: p.How, Evidence: Evidence{Against: []Signal{sig}}}
					}
					break
				}
			}
		}
		// A sibling's value at the end: "Roberta Dal Lago" as the first name beside the surname
		// "Dal Lago", "EntiPay versione 5.0" beside the version "5.0".
		for _, o := range keys {
			oraw := f.Fields[o]
			ov, _ := oraw.(string)
			ofd, ok := lm.byKey[o]
			if o == k || !ok || ofd.Kind != KindText || sec == "" || lblKeySection(o) != sec || strings.TrimSpace(ov) == "" {
				continue
			}
			if strings.HasSuffix(o, ".codice") {
				continue // a description names its code: "Imposta di soggiorno" beside SOGGIORNO
			}
			if strings.HasSuffix(strings.ToLower(" "+strings.Join(words, " ")), " "+strings.ToLower(strings.Join(strings.Fields(ov), " "))) {
				f.against(k, Signal{SigTwoValues, say.Text("doubt.ends_with_other", tfQuote(v), ofd.Label, tfQuote(ov))})
			}
		}
		switch m := legalFormIn(v); {
		case m != nil && sec == "ente.":
			f.against(k, Signal{SigShape, say.Text("doubt.company", tfQuote(v))})
		case m != nil && strings.Trim(v[m[1]:], " .,;–—-") != "":
			f.against(k, Signal{SigTwoValues, say.Text("doubt.after_company_form", tfQuote(v))})
		}
		// A code is one word: "REFEZIONE - Refezione scolastica" is a code and its description.
		if strings.HasSuffix(k, ".codice") {
			f.against(k, Signal{SigTwoValues, say.Text("doubt.code_and_description", tfQuote(v))})
		}
	}
}

// FuzzBesideSiblings fills three text fields of one section and one of another, and compares
// what is read of them beside each other.
func FuzzBesideSiblings(f *testing.F) {
	f.Add("Roberta Dal Lago", "Dal Lago", "Cognome Furlan", "Piave Software S.r.l. – x")
	f.Add("Giulia Zanon", "", "EntiPay versione 5.0", "5.0")
	f.Add("Mario", "Rossi", "Mario Rossi", "ROSSI")
	lm := lblMatchers[FormInformativaGenerale]
	var bySec = map[string][]string{}
	for _, fd := range lm.fields {
		if fd.Kind == KindText && lblKeySection(fd.Key) != "" {
			bySec[lblKeySection(fd.Key)] = append(bySec[lblKeySection(fd.Key)], fd.Key)
		}
	}
	secs := slices.Sorted(maps.Keys(bySec))
	f.Fuzz(func(t *testing.T, a, b, c, d string) {
		for _, sec := range secs {
			keys := bySec[sec]
			if len(keys) < 3 {
				continue
			}
			form := func() *Form {
				fm := &Form{Type: FormInformativaGenerale, Fields: map[string]any{}, Provenance: map[string]Provenance{}}
				for i, v := range []string{a, b, c} {
					fm.Fields[keys[i]] = v
					fm.Provenance[keys[i]] = Provenance{Label: lm.byKey[keys[(i+1)%3]].Label + " e " + lm.byKey[keys[i]].Label}
				}
				fm.Fields["ente.denominazione"] = d
				return fm
			}
			got, want := form(), form()
			frBesideSiblings(got, lm, slices.Sorted(maps.Keys(got.Fields)))
			frBesideSiblingsRef(want, lm, slices.Sorted(maps.Keys(want.Fields)))
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("section %s, values %q %q %q %q:\n%+v\nwas\n%+v", sec, a, b, c, d, got, want)
			}
		}
	})
}

// FuzzFillsAny reads the fuzzer's text as a body's lines: frFillsAny says what counting the
// fields filled says of none.
func FuzzFillsAny(f *testing.F) {
	f.Add("Buongiorno,\nCodice IPA: c_p1\nNote:\nx")
	f.Add("Esito: positivo\nSaluti: tanti")
	f.Add("ente.codice_ipa: c_x\n: y\nPEC ente: a@pec.it")
	f.Fuzz(func(t *testing.T, text string) {
		items := tfLinesToItems(strings.Split(text, "\n"))
		for i := range items {
			items[i].in = lblLabelOf(items[i].label)
		}
		for _, typ := range append(slices.Collect(maps.Keys(lblMatchers)), "nessuno") {
			if got, want := frFillsAny(typ, items), frMatchCount(typ, items) > 0; got != want {
				t.Fatalf("frFillsAny(%q, %q) = %v, counting says %v", typ, text, got, want)
			}
		}
	})
}
