package parsers

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestHiddenText (issue 18): text a reader of the document does not see is never a sure value
// on its own; what the page shows stays sure. The documents in testdata/hidden were made by
// other producers (make.sh): a scan OCRed by tesseract (its text drawn invisible, 3 Tr, over
// the image) and a form with tracked changes saved by LibreOffice as DOCX and ODT.
func TestHiddenText(t *testing.T) {
	dir := filepath.Join("testdata", "hidden")
	read := func(name string) Form {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err) // a committed fixture is missing: fail, never skip
		}
		return readOne(t, name, data)
	}

	// A scan: every value is in the OCR layer, none is sure, each says why.
	scan := read("scan.pdf")
	if got := scan.Fields["ente.pec"]; got != "protocollo.generale@pec.comune.padova.it" {
		t.Errorf("scan.pdf: ente.pec = %#v, want the OCR layer's reading", got)
	}
	if len(scan.Fields) < 5 {
		t.Errorf("scan.pdf: %d values read, want the OCR layer read: %#v", len(scan.Fields), scan.Fields)
	}
	for k := range scan.Fields {
		p := scan.Provenance[k]
		if p.Sure || !slices.ContainsFunc(p.Evidence.Against, func(s Signal) bool { return s.Kind == SigHidden }) {
			t.Errorf("scan.pdf: %s = %#v sure %v, evidence %+v: want a doubt from hidden text", k, scan.Fields[k], p.Sure, p.Evidence)
		}
	}

	// Tracked changes: the value as it is now is read and sure; deleted text is not read.
	for _, name := range []string{"tracked.docx", "tracked.odt"} {
		f := read(name)
		if f.Fields["ente.codice_ipa"] != "c_f241" || !f.Provenance["ente.codice_ipa"].Sure {
			t.Errorf("%s: codice IPA %#v (%+v), want the inserted c_f241, sure", name, f.Fields["ente.codice_ipa"], f.Provenance["ente.codice_ipa"])
		}
		for _, k := range []string{"ente.pec", "referente.telefono"} {
			if v, ok := f.Fields[k]; ok {
				t.Errorf("%s: %s = %#v read from a tracked deletion", name, k, v)
			}
		}
		if s := fmt.Sprint(f.Fields); strings.Contains(s, "c_x999") || strings.Contains(s, "vecchia") {
			t.Errorf("%s: deleted text read: %s", name, s)
		}
	}
}

// TestHiddenPDFText: a printed page with text drawn invisible (render mode 3) or off the page
// beside visible rows. A value only in hidden text is a doubt; a visible value stays sure, also
// when an OCR layer repeats it invisibly in the same place; a value that runs over the page's
// edge (a table wider than the page) is seen, cut, and stays sure.
func TestHiddenPDFText(t *testing.T) {
	var c strings.Builder
	row := func(y int, label, value, mode string, vx int) {
		fmt.Fprintf(&c, "BT /F1 11 Tf %s 50 %d Td %s Tj ET\n", mode, y, pdfString(label))
		fmt.Fprintf(&c, "BT /F1 11 Tf %s %d %d Td %s Tj ET\n", mode, vx, y, pdfString(value))
	}
	fmt.Fprintf(&c, "BT /F1 16 Tf 50 800 Td %s Tj ET\n", pdfString("Informativa Generale dell'ente"))
	row(760, "Denominazione ente", "Comune di Venezia", "0 Tr", 300)
	row(760, "Denominazione ente", "Comune di Venezia", "3 Tr", 300) // the OCR layer over it
	row(740, "Codice IPA", "c_l736", "0 Tr", 300)                    // the render mode lasts until changed
	row(720, "PEC ente", "protocollo@pec.comune.venezia.it", "3 Tr", 300)
	row(700, "Nome referente dei pagamenti", "Mario", "7 Tr", 300)
	fmt.Fprintf(&c, "BT /F1 11 Tf 0 Tr 50 680 Td %s Tj ET\n", pdfString("Cognome referente dei pagamenti"))
	fmt.Fprintf(&c, "BT /F1 11 Tf 700 680 Td %s Tj ET\n", pdfString("Rossi")) // off the page
	row(660, "Email referente", "mario.rossi.referente.pagamenti@comune.venezia.it", "0 Tr", 400)
	data := pdfObjects(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		pdfStream("", c.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	)
	f := readOne(t, "hidden.pdf", data)
	for k, want := range map[string]string{
		"ente.denominazione": "Comune di Venezia",
		"ente.codice_ipa":    "c_l736",
		"referente.email":    "mario.rossi.referente.pagamenti@comune.venezia.it",
	} {
		if f.Fields[k] != want || !f.Provenance[k].Sure {
			t.Errorf("%s = %#v (%+v), want %q, sure", k, f.Fields[k], f.Provenance[k], want)
		}
	}
	// The invisible text is read (a scan has no other), as a doubt.
	for k, want := range map[string]string{"ente.pec": "protocollo@pec.comune.venezia.it", "referente.nome": "Mario", "referente.cognome": "Rossi"} {
		if f.Fields[k] != want || f.Provenance[k].Sure {
			t.Errorf("%s = %#v sure %v, want %q read from text a reader does not see, a doubt", k, f.Fields[k], f.Provenance[k].Sure, want)
		}
	}
}

// TestHiddenWordText: Word's hidden text (w:vanish), tracked deletions (w:del) and text moved
// away (w:moveFrom) are not read; LibreOffice's deleted text (text:tracked-changes, an older
// version of the form deleted whole) and text in a style shown as none are not read either.
func TestHiddenWordText(t *testing.T) {
	head := wordP(wordR("Informativa Generale dell’ente", `<w:b/>`))
	del := `<w:del w:id="1" w:author="Ufficio" w:date="2026-02-10T09:12:00Z"><w:r><w:delText>c_x999</w:delText></w:r></w:del>`
	ins := `<w:ins w:id="2" w:author="Ufficio" w:date="2026-02-10T09:12:00Z">` + wordR("c_l736", "") + `</w:ins>`
	moved := `<w:moveFrom w:id="3" w:author="Ufficio" w:date="2026-02-10T09:12:00Z">` + wordR("Mario", "") + `</w:moveFrom>`
	doc := wordDoc(head + wordTable(
		[]string{"Codice IPA", wordP(del + ins)},
		[]string{"PEC ente", wordP(wordR("vecchia@pec.comune.venezia.it", "<w:vanish/>"))},
		[]string{"Nome referente dei pagamenti", wordP(moved)},
		[]string{"Cognome referente dei pagamenti", "Rossi"},
	))
	f := readOne(t, "tracked.docx", wordDOCX(t, doc))
	if f.Fields["ente.codice_ipa"] != "c_l736" || !f.Provenance["ente.codice_ipa"].Sure {
		t.Errorf("docx: codice IPA %#v, want c_l736 sure", f.Fields["ente.codice_ipa"])
	}
	for _, k := range []string{"ente.pec", "referente.nome"} {
		if v, ok := f.Fields[k]; ok {
			t.Errorf("docx: %s = %#v, read from text not shown", k, v)
		}
	}

	deleted := `<text:tracked-changes><text:changed-region text:id="ct1"><text:deletion><office:change-info><dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Ufficio</dc:creator></office:change-info>` +
		`<text:h text:outline-level="1">Informativa Generale dell&apos;ente</text:h><text:p>PEC ente: vecchia@pec.comune.venezia.it</text:p></text:deletion></text:changed-region></text:tracked-changes>`
	body := `<text:change text:change-id="ct1"/><text:h text:outline-level="1">Informativa Generale dell&apos;ente</text:h>` +
		loP("Codice IPA: c_l736") + loP(`Nome referente dei pagamenti: <text:span text:style-name="T9">Mario</text:span>`)
	content := strings.Replace(loContent("", deleted+body), `</office:automatic-styles>`,
		`<style:style style:name="T9" style:family="text"><style:text-properties text:display="none"/></style:style></office:automatic-styles>`, 1)
	o := readOne(t, "tracked.odt", loODT(t, content))
	if o.Fields["ente.codice_ipa"] != "c_l736" || !o.Provenance["ente.codice_ipa"].Sure {
		t.Errorf("odt: codice IPA %#v, want c_l736 sure", o.Fields["ente.codice_ipa"])
	}
	for _, k := range []string{"ente.pec", "referente.nome"} {
		if v, ok := o.Fields[k]; ok && tfClean(fmt.Sprint(v)) != "" {
			t.Errorf("odt: %s = %#v, read from text not shown", k, v)
		}
	}
}
