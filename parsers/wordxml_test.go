package parsers

import (
	"archive/zip"
	"bytes"
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// wordDoc wraps a body the way Word 2016 writes word/document.xml: every namespace it declares,
// mc:Ignorable, paragraphs with w:rsid attributes and run properties.
func wordDoc(body string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:w10="urn:schemas-microsoft-com:office:word" xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" xmlns:wne="http://schemas.microsoft.com/office/word/2006/wordml" mc:Ignorable="w14 wp14"><w:body>` +
		body + `<w:sectPr w:rsidR="00C24F1B"><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1417" w:right="1134" w:bottom="1134" w:left="1134" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>`
}

// wordP is a paragraph of runs as Word writes them; each run is given as its XML.
func wordP(runs ...string) string {
	return `<w:p w:rsidR="00C24F1B" w:rsidRDefault="00C24F1B" w:rsidP="00A1B2C3"><w:pPr><w:spacing w:after="0"/></w:pPr>` + strings.Join(runs, "") + `</w:p>`
}

// wordR is a run of text with optional run properties (inner XML of w:rPr).
func wordR(text, rPr string) string {
	pr := ""
	if rPr != "" {
		pr = "<w:rPr>" + rPr + "</w:rPr>"
	}
	return `<w:r w:rsidRPr="00D4E5F6">` + pr + `<w:t xml:space="preserve">` + text + `</w:t></w:r>`
}

// wordTable is a table with Word's properties; each cell is raw XML (paragraphs).
func wordTable(rows ...[]string) string {
	var b strings.Builder
	b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="Grigliatabella"/><w:tblW w:w="0" w:type="auto"/><w:tblLook w:val="04A0"/></w:tblPr><w:tblGrid><w:gridCol w:w="4814"/><w:gridCol w:w="4814"/></w:tblGrid>`)
	for _, r := range rows {
		b.WriteString(`<w:tr w:rsidR="00C24F1B" w14:paraId="1A2B3C4D" w14:textId="77777777">`)
		for _, c := range r {
			if !strings.HasPrefix(c, "<") {
				c = wordP(wordR(c, ""))
			}
			b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="4814" w:type="dxa"/></w:tcPr>` + c + `</w:tc>`)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
	return b.String()
}

// wordDOCX zips a document.xml as Word does (deflated, with its other parts).
func wordDOCX(t testing.TB, documentXML string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", documentXML},
		{"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title></dc:title><dc:creator>Ufficio Ragioneria</dc:creator></cp:coreProperties>`},
	} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// loContent wraps a body the way LibreOffice writes content.xml: automatic styles first (P1 a
// paragraph style, T1 struck text as Writer's strike-through button makes it), then
// office:forms, then the text.
func loContent(forms, body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:form="urn:oasis:names:tc:opendocument:xmlns:form:1.0" xmlns:xforms="http://www.w3.org/2002/xforms" office:version="1.3"><office:scripts/><office:font-face-decls><style:font-face style:name="Liberation Serif" svg:font-family="&apos;Liberation Serif&apos;" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"/></office:font-face-decls><office:automatic-styles><style:style style:name="Table1" style:family="table"><style:table-properties style:width="17cm" table:align="margins"/></style:style><style:style style:name="P1" style:family="paragraph" style:parent-style-name="Table_20_Contents"/><style:style style:name="T1" style:family="text"><style:text-properties style:text-line-through-style="solid" style:text-line-through-type="single"/></style:style><style:style style:name="T2" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style></office:automatic-styles><office:body><office:text><text:sequence-decls><text:sequence-decl text:display-outline-level="0" text:name="Table"/></text:sequence-decls>` +
		forms + body + `</office:text></office:body></office:document-content>`
}

// loODT zips a content.xml as LibreOffice does: mimetype stored first, the rest deflated.
func loODT(t testing.TB, contentXML string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range []struct {
		name, body string
		method     uint16
	}{
		{"mimetype", "application/vnd.oasis.opendocument.text", zip.Store},
		{"content.xml", contentXML, zip.Deflate},
		{"meta.xml", `<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"><office:meta><meta:generator>LibreOffice/7.4.7.2$Linux_X86_64 LibreOffice_project/40$Build-2</meta:generator></office:meta></office:document-meta>`, zip.Deflate},
		{"META-INF/manifest.xml", `<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"/>`, zip.Deflate},
	} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: e.method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func loP(s string) string { return `<text:p text:style-name="P1">` + s + `</text:p>` }

func loTable(rows ...[]string) string {
	var b strings.Builder
	b.WriteString(`<table:table table:name="Table1" table:style-name="Table1"><table:table-column table:style-name="Table1.A" table:number-columns-repeated="2"/>`)
	for _, r := range rows {
		b.WriteString(`<table:table-row>`)
		for _, c := range r {
			if !strings.HasPrefix(c, "<") {
				c = loP(c)
			}
			b.WriteString(`<table:table-cell table:style-name="Table1.A1" office:value-type="string">` + c + `</table:table-cell>`)
		}
		b.WriteString(`</table:table-row>`)
	}
	b.WriteString(`</table:table>`)
	return b.String()
}

func readOne(t *testing.T, name string, data []byte) Form {
	t.Helper()
	forms, err := ReadDocument(name, "", data, Limits{})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(forms) != 1 {
		t.Fatalf("%s: %d forms, want 1: %+v", name, len(forms), forms)
	}
	return forms[0]
}

// TestWalkWhereAndHow: every value says where it stood and how it was read, the same way in
// DOCX and ODT.
func TestWalkWhereAndHow(t *testing.T) {
	legacyBox := func(on bool) string {
		v := "0"
		if on {
			v = "1"
		}
		return `<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Controllo1"/><w:enabled/><w:calcOnExit w:val="0"/><w:checkBox><w:sizeAuto/><w:default w:val="` + v + `"/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>`
	}
	docx := wordDOCX(t, wordDoc(
		wordP(wordR("Informativa Generale dell’ente", `<w:b/><w:sz w:val="28"/>`))+
			wordP(wordR("Codice IPA: c_l736", ""))+
			wordTable(
				[]string{"Denominazione ente", "Comune di Venezia"},
				[]string{"Servizi richiesti", wordP(legacyBox(true), wordR(" MyPay   ", ""), legacyBox(false), wordR(" MyPivot", ""))},
			)+
			`<w:sdt><w:sdtPr><w:alias w:val="PEC ente"/><w:tag w:val="ente.pec"/><w:id w:val="-1189209437"/></w:sdtPr><w:sdtContent>`+wordP(wordR("protocollo@pec.comune.venezia.it", ""))+`</w:sdtContent></w:sdt>`))
	odt := loODT(t, loContent(
		`<office:forms form:automatic-focus="false" form:apply-design-mode="false"><form:form form:name="Form"><form:checkbox form:name="Check Box 1" form:control-implementation="ooo:com.sun.star.form.component.CheckBox" xml:id="control1" form:id="control1" form:label="MyPay" form:current-state="checked" form:image-position="center"><form:properties/></form:checkbox><form:checkbox form:name="Check Box 2" form:control-implementation="ooo:com.sun.star.form.component.CheckBox" xml:id="control2" form:id="control2" form:label="MyPivot" form:image-position="center"/></form:form></office:forms>`,
		`<text:h text:style-name="P2" text:outline-level="1"><text:span text:style-name="T2">Informativa Generale dell&apos;ente</text:span></text:h>`+
			loP("Codice IPA: c_l736")+
			loTable([]string{"Denominazione ente", "Comune di Venezia"},
				[]string{"Servizi richiesti", loP(`<draw:control text:anchor-type="as-char" draw:z-index="0" draw:name="Form 1" draw:style-name="gr1" draw:text-style-name="P3" svg:width="2cm" svg:height="0.4cm" draw:control="control1" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"/> <draw:control draw:control="control2"/>`)}),
	))
	for _, c := range []struct {
		name string
		data []byte
	}{{"informativa.docx", docx}, {"informativa.odt", odt}} {
		f := readOne(t, c.name, c.data)
		want := map[string]Provenance{
			"ente.codice_ipa":    {Document: c.name, Where: "paragrafo 2", Label: "Codice IPA", How: HowLine, Sure: true, Evidence: Evidence{Check: CheckPassed}},
			"ente.denominazione": {Document: c.name, Where: "tabella 1, riga 1", Label: "Denominazione ente", How: HowTable, Sure: true},
			"servizi":            {Document: c.name, Where: "tabella 1, riga 2", Label: "Servizi richiesti", How: HowFormField, Sure: true},
		}
		for k, w := range want {
			if got := f.Provenance[k]; !reflect.DeepEqual(got, w) {
				t.Errorf("%s %s: provenance %+v, want %+v", c.name, k, got, w)
			}
		}
		if got := f.Fields["servizi"]; !equalStrings(got, []string{"MyPay"}) {
			t.Errorf("%s: servizi = %#v, want [MyPay]", c.name, got)
		}
	}
	f := readOne(t, "informativa.docx", docx)
	if p := f.Provenance["ente.pec"]; p.How != HowIdentity || f.Fields["ente.pec"] != "protocollo@pec.comune.venezia.it" {
		t.Errorf("content control: %v %+v", f.Fields["ente.pec"], p)
	}
}

func equalStrings(v any, want []string) bool {
	got, ok := v.([]string)
	if !ok || len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// docxBomb is a DOCX of nested content controls, each tagged, around a paragraph of n bytes of
// text in 1 KiB runs: ~10 KB zipped for 10 MiB of text.
func docxBomb(t testing.TB, nesting, n int) []byte {
	var b strings.Builder
	for i := 0; i < nesting; i++ {
		b.WriteString(`<w:sdt><w:sdtPr><w:tag w:val="note"/></w:sdtPr><w:sdtContent>`)
	}
	b.WriteString(`<w:p>`)
	run := `<w:r><w:t>` + strings.Repeat("A", 1024) + `</w:t></w:r>`
	for i := 0; i < n/1024; i++ {
		b.WriteString(run)
	}
	b.WriteString(`</w:p>`)
	for i := 0; i < nesting; i++ {
		b.WriteString(`</w:sdtContent></w:sdt>`)
	}
	return wordDOCX(t, wordDoc(b.String()))
}

// TestDOCXBomb (issue 11, finding 2): ~100 nested content controls around 10 MiB of text took
// 2.5 GB, every level keeping its own copy. Now nesting is capped and the text counted once
// against Limits.MaxTextBytes: both bombs stop with ErrLimit having allocated little more than
// the decompressed document.
func TestDOCXBomb(t *testing.T) {
	for _, c := range []struct {
		name    string
		nesting int
	}{{"deep", 100}, {"shallow", walkMaxControls - 2}} {
		data := docxBomb(t, c.nesting, 10<<20)
		if len(data) > 100<<10 {
			t.Fatalf("bomb is %d bytes zipped", len(data))
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := ReadDocument("bomba.docx", "", data, Limits{})
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrLimit) {
			t.Errorf("%s: err %v, want ErrLimit", c.name, err)
		}
		// The decompressed document.xml is ~11 MiB; reading it and decoding costs a few times
		// that, never once per level.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 120<<20 {
			t.Errorf("%s: allocated %d MiB, want under 120", c.name, alloc>>20)
		}
	}
	// Under the bounds, nested controls give their value once.
	inner := `<w:sdt><w:sdtPr><w:id w:val="1"/></w:sdtPr><w:sdtContent>` + wordR("c_l736", "") + `</w:sdtContent></w:sdt>`
	f := readOne(t, "annidati.docx", wordDOCX(t, wordDoc(wordP(wordR("Informativa generale", ""))+
		wordP(`<w:sdt><w:sdtPr><w:tag w:val="ente.codice_ipa"/></w:sdtPr><w:sdtContent>`+inner+`</w:sdtContent></w:sdt>`))))
	if got := f.Fields["ente.codice_ipa"]; got != "c_l736" {
		t.Errorf("nested controls: %q, want c_l736", got)
	}
}
