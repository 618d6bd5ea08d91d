package parsers

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// fuzzLimits keep one fuzz input cheap.
var fuzzLimits = Limits{MaxDecompressedBytes: 1 << 20, MaxPDFObjects: 2000, DocumentTimeout: 5 * time.Second}

// checkReadResult asserts what holds for any input: an error is ErrUnreadable or ErrLimit and
// carries an Italian reason; forms have a known type or "", non-nil fields and problems, and
// values of the documented types. A panic in our own readers (zip, XML, text) is a bug; the
// PDF libraries are known to panic on garbage and are recovered on purpose.
func checkReadResult(t *testing.T, name string, forms []Form, err error) {
	if err != nil {
		var de *DocumentError
		if !errors.As(err, &de) || !(errors.Is(err, ErrUnreadable) || errors.Is(err, ErrLimit)) || de.Reason == "" {
			t.Fatalf("%s: bad error %v", name, err)
		}
		if strings.Contains(err.Error(), "panic while reading") && !strings.HasSuffix(name, ".pdf") {
			t.Fatalf("%s: reader panicked: %v", name, err)
		}
		return
	}
	for _, f := range forms {
		if f.Type != "" && Spec(f.Type) == nil {
			t.Fatalf("unknown type %q", f.Type)
		}
		if f.Fields == nil || f.Problems == nil {
			t.Fatalf("nil fields or problems: %+v", f)
		}
		for k, v := range f.Fields {
			switch v.(type) {
			case string, []string:
			default:
				t.Fatalf("field %s has type %T", k, v)
			}
		}
	}
}

func fuzzReadDocument(f *testing.F, name string, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		forms, err := ReadDocument(name, "", data, fuzzLimits)
		checkReadResult(t, name, forms, err)
	})
}

func FuzzReadDOCX(f *testing.F) {
	fuzzReadDocument(f, "modulo.docx",
		buildDOCX(f, docxPara("Informativa generale")+docxTableXML(informativaRows...)),
		buildDOCX(f, docxPara("Esito: positivo")+docxPara("IP: 203.0.113.1")),
		[]byte("PK\x03\x04word/document.xml"))
}

func FuzzReadODT(f *testing.F) {
	fuzzReadDocument(f, "modulo.odt",
		buildODT(f, odtPara("Informativa generale")+odtTableXML(informativaRows...)),
		buildODT(f, `<office:forms><form:text form:name="ente.codice_ipa" form:current-value="c_l736"/></office:forms>`))
}

func FuzzReadXLSX(f *testing.F) {
	fuzzReadDocument(f, "modulo.xlsx", buildXLSX(f, "Esiti collaudo", [][]string{{"Esito", "positivo"}, {"IP", "203.0.113.5"}}))
}

func FuzzReadText(f *testing.F) {
	for _, s := range []string{
		"Esito: positivo\nIP: 203.0.113.10, 10.0.0.1",
		"INFORMATIVA GENERALE\nC.F.: 00339370272\nCod. IPA: c_l736\nServizi: [X] MyPay [ ] MyPivot",
		"Codice IPA\nc_l736\nIntegrazioni (MyPay / MyPivot)\nMyPay, MyPivot",
		"Adesione a PagoPA con Regione del\nVeneto come intermediario tecnologico\n(sì/no)\nsì",
		"Data: 31/02/2025\nLettera di adesione inviata il: 3 febbraio 2025",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		forms := ReadText(s, SourceBody)
		checkReadResult(t, "corpo", forms, nil)
		for _, fm := range forms {
			if len(fm.Fields) == 0 && len(fm.Problems) == 0 {
				t.Fatalf("empty form from text: %+v", fm) // "IP: 0" is a form with a problem
			}
			again := fm
			CheckForm(&again) // idempotent
			if len(again.Problems) != len(fm.Problems) {
				t.Fatalf("CheckForm not idempotent: %v then %v", fm.Problems, again.Problems)
			}
		}
	})
}

// FuzzWordXML feeds raw document.xml / content.xml to the shared walk (no zip around it, so the
// fuzzer reaches the XML quickly): it never panics, stays within its bounds, and every item says
// where it stood.
func FuzzWordXML(f *testing.F) {
	f.Add(true, wordDoc(wordP(wordR("Servizi richiesti: ", ""), wordCheckSdt(true), wordR(" MyPay", ""), wordR("MyPivot", "<w:strike/>"))+
		wordTable([]string{"Codice fiscale", "00339370272"}, []string{"", "MyPivot", "X"})))
	f.Add(true, wordDoc(`<w:sdt><w:sdtPr><w:tag w:val="ente.codice_ipa"/></w:sdtPr><w:sdtContent><w:sdt><w:sdtContent>`+wordP(wordR("c_l736", ""))+`</w:sdtContent></w:sdt></w:sdtContent></w:sdt>`+
		wordP(`<w:r><w:fldChar><w:ffData><w:checkBox><w:default w:val="1"/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:sym w:font="Wingdings" w:char="F0FE"/></w:r>`)))
	f.Add(false, loContent(`<office:forms><form:form><form:checkbox form:name="x" xml:id="c1" form:label="MyPay" form:current-state="checked"/></form:form></office:forms>`,
		loP(`Servizi: <draw:control draw:control="c1"/> <text:span text:style-name="T1">MyPivot</text:span>`)+loTable([]string{"", "Sì", "No"}, []string{"Adesione a PagoPA", "X", ""})))
	f.Fuzz(func(t *testing.T, docx bool, xmlText string) {
		lim := Limits{MaxTextBytes: 1 << 16}.WithDefaults()
		var items []frItem
		var err error
		if docx {
			items, err = docxParse([]byte(xmlText), lim)
		} else {
			items, err = odtParse([]byte(xmlText), lim)
		}
		if err != nil {
			return
		}
		total := 0
		for _, it := range items {
			total += len(it.label) + len(it.value)
			if it.where == "" {
				t.Fatalf("item without where: %+v", it)
			}
		}
		// Text is counted once: items hold at most the budget, plus labels repeated for the
		// pairs of a table by columns and the marks the walk writes.
		if total > 8*len(xmlText)+(1<<16) {
			t.Fatalf("%d bytes of items from %d bytes of XML", total, len(xmlText))
		}
		forms := frBuild(items, "x", "x", false)
		checkReadResult(t, "x", forms, nil)
	})
}

// FuzzChoice checks the choice grammar on any value: services are among the two, an uncertain
// choice says why, a choice with nothing ticked is never "all", and reading is deterministic.
func FuzzChoice(f *testing.F) {
	for _, s := range []string{"☒ MyPay ☐ MyPivot", "MyPay ☒ MyPivot ☐", "MyPay [X]\nMyPivot [ ]", "X MyPay\nMyPivot", "MyPay / MyPivot",
		"☐ Sì ☒ No", "Sì / No", "x", "[x] pagamenti spontanei [ ] caricamento flussi", "entrambi", "MyPay\nX\nMyPivot", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		services, _, doubt := tfServices([]string{s})
		for _, x := range services {
			if x != ServiceMyPay && x != ServiceMyPivot {
				t.Fatalf("service %q from %q", x, s)
			}
		}
		segs, marks := tfChoiceSegs(s, true)
		anyOn := false
		for _, sg := range segs {
			anyOn = anyOn || sg.on
		}
		if marks > 0 && !anyOn && len(services) > 0 {
			t.Fatalf("%q: nothing ticked but services %v", s, services)
		}
		if marks > 0 && !anyOn && strings.Contains(strings.ToLower(s), "my") && doubt == "" && len(services) == 0 {
			// Options offered with none ticked: an uncertain empty choice, said so.
			p, q := tfServiceWords(s)
			if p || q {
				t.Fatalf("%q: no ticks and no doubt", s)
			}
		}
		a1, ok1, d1 := tfYesNo(s)
		a2, ok2, d2 := tfYesNo(s)
		if a1 != a2 || ok1 != ok2 || d1 != d2 {
			t.Fatalf("tfYesNo not deterministic on %q", s)
		}
		if a1 != "" && a1 != "sì" && a1 != "no" {
			t.Fatalf("yes/no %q from %q", a1, s)
		}
		items, _ := tfSplitList([]string{s}, []string{"pagamenti spontanei", "caricamento flussi"})
		for _, it := range items {
			if strings.TrimSpace(it) == "" {
				t.Fatalf("empty list item from %q", s)
			}
		}
	})
}

// FuzzResolveAndPlausible resolves any label in any section of any form with any value, and
// checks the form: the field found belongs to the form, an implausible value is never a
// problem, and CheckForm keeps an uncertain reading uncertain.
func FuzzResolveAndPlausible(f *testing.F) {
	f.Add(0, "Codice fiscale", "00339370272", 1)
	f.Add(0, "Nome", "Mario", 2)
	f.Add(1, "IP chiamanti in collaudo", "11/03/2026", 0)
	f.Add(0, "Referente: nome", "Mario", 0)
	f.Add(5, "IP", "041 2748111, 10.0.0.1", 0)
	f.Fuzz(func(t *testing.T, form int, label, value string, section int) {
		if form < 0 || form >= len(Forms) || section < 0 || section > len(Sections) {
			return
		}
		spec := Forms[form]
		sec := ""
		if section > 0 {
			sec = Sections[section-1].Prefix
		}
		lm := matcherFor(spec.Type)
		fd, _, ok := lm.resolve(label, lblLabelOf(label), tfClean(value), sec)
		if !ok {
			return
		}
		if _, known := lm.byKey[fd.Key]; !known {
			t.Fatalf("%q resolved to %q, not a field of %s", label, fd.Key, spec.Type)
		}
		fm := Form{Type: spec.Type, Source: "x", Fields: map[string]any{fd.Key: value}, Provenance: map[string]Provenance{fd.Key: {Document: "x", How: HowLine, Sure: true}}}
		CheckForm(&fm)
		v := tfClean(value)
		if !frIsList(fd.Kind) && fd.Kind != KindYesNo && !strings.Contains(v, "\n") && !tfPlausible(fd.Kind, v) {
			for _, p := range fm.Problems {
				if p.Field == fd.Key {
					t.Fatalf("implausible %q in %s (%s) reported as a problem: %s", v, fd.Key, fd.Kind, p.Message)
				}
			}
		}
		sure := fm.Provenance[fd.Key].Sure
		CheckForm(&fm)
		if p, ok := fm.Provenance[fd.Key]; ok && !sure && p.Sure {
			t.Fatalf("CheckForm made %s sure again", fd.Key)
		}
	})
}

// FuzzLabelRun checks that the label runs found without building text are those found by
// joining the words and matching the text: a value that names another field's label is
// doubted exactly as before.
func FuzzLabelRun(f *testing.F) {
	for _, s := range []string{
		"E-mail software house help@ditta.it", "Codice fiscale dell'ente 80012345678",
		"Comune di San Donà di Piave", "C. F. ente 123", "P. IVA e-mail PEC", "i p a codice IPA c_h823",
		"Nome COGNOME Referente pagamenti", "È l'ÉNTE à la carte", "a b c d e f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		w := strings.Fields(line)
		if len(w) < 3 || len(w) > 16 {
			return
		}
		want := false
		for i := range w {
			for n := min(4, len(w)-i-1); n >= 2; n-- {
				want = want || tfIsExactLabel(strings.Join(w[i:i+n], " "))
			}
		}
		if got := tfLabelRun(w); got != want {
			t.Fatalf("tfLabelRun(%q) = %v, joined text says %v", w, got, want)
		}
	})
}
