package corpus

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"strings"
)

// DOCX as Word writes it: rsid attributes, runs split in the middle of words (spell-check and
// revision boundaries), proofErr marks, bookmarks, legacy form fields (FORMTEXT, FORMCHECKBOX with
// w:ffData), content controls (w:sdt, w14:checkbox with their own glyphs), merged cells
// (w:gridSpan, w:vMerge).

// How Word values are written.
const (
	wvPlain    = "plain"    // runs of text
	wvFormText = "formtext" // legacy FORMTEXT fields
	wvSDT      = "sdt"      // text content controls
)

type wordDoc struct {
	b       strings.Builder
	rsid    int
	ffCount int
	sdtID   int
	values  string // wv*
	sec     string // sec*
	blank   map[string]bool
	// corrected: key -> an earlier value, deleted with track changes before the current one.
	corrected map[string]string
}

func (w *wordDoc) nextRsid() string {
	w.rsid++
	return fmt.Sprintf("00%06X", 0x3A1F20+w.rsid*7919%0xFFFF)
}

func xt(s string) string { return html.EscapeString(s) }

// runs writes text as Word does after editing: split into runs at arbitrary points, with the
// same formatting, sometimes inside a word.
func (w *wordDoc) runs(text, rpr string) {
	if text == "" {
		return
	}
	rs := []rune(text)
	cuts := []int{}
	if len(rs) > 6 {
		cuts = append(cuts, len(rs)/3+1)
	}
	if len(rs) > 14 {
		cuts = append(cuts, 2*len(rs)/3)
	}
	prev := 0
	for i, c := range append(cuts, len(rs)) {
		part := string(rs[prev:c])
		prev = c
		if i == 1 {
			w.b.WriteString(`<w:proofErr w:type="spellStart"/>`)
		}
		fmt.Fprintf(&w.b, `<w:r w:rsidR="%s"><w:rPr>%s<w:lang w:val="it-IT"/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r>`, w.nextRsid(), rpr, xt(part))
		if i == 1 {
			w.b.WriteString(`<w:proofErr w:type="spellEnd"/>`)
		}
	}
}

func (w *wordDoc) para(style string, f func()) {
	fmt.Fprintf(&w.b, `<w:p w:rsidR="%s" w:rsidRDefault="%s" w:rsidP="%s"><w:pPr>`, w.nextRsid(), w.nextRsid(), w.nextRsid())
	if style != "" {
		fmt.Fprintf(&w.b, `<w:pStyle w:val="%s"/>`, style)
	}
	w.b.WriteString(`<w:spacing w:after="0"/></w:pPr>`)
	f()
	w.b.WriteString(`</w:p>`)
}

// formText writes a legacy text form field whose result is value (five en spaces when empty).
func (w *wordDoc) formText(value string) {
	w.ffCount++
	if value == "" {
		value = "\u2002\u2002\u2002\u2002\u2002"
	}
	fmt.Fprintf(&w.b, `<w:bookmarkStart w:id="%d" w:name="Testo%d"/>`, w.ffCount, w.ffCount)
	fmt.Fprintf(&w.b, `<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Testo%d"/><w:enabled/><w:calcOnExit w:val="0"/><w:textInput/></w:ffData></w:fldChar></w:r>`, w.ffCount)
	w.b.WriteString(`<w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>`)
	lines := strings.Split(value, "\n")
	for i, l := range lines {
		if i > 0 {
			w.b.WriteString(`<w:r><w:rPr><w:noProof/></w:rPr><w:br/></w:r>`)
		}
		w.runs(l, `<w:noProof/>`)
	}
	w.b.WriteString(`<w:r><w:fldChar w:fldCharType="end"/></w:r>`)
	fmt.Fprintf(&w.b, `<w:bookmarkEnd w:id="%d"/>`, w.ffCount)
}

// sdtText writes a plain-text content control; empty, it shows Word's placeholder.
func (w *wordDoc) sdtText(tag, value string) {
	w.sdtID++
	fmt.Fprintf(&w.b, `<w:sdt><w:sdtPr><w:alias w:val="%s"/><w:tag w:val="%s"/><w:id w:val="%d"/>`, xt(tag), xt(tag), -1702300000+w.sdtID*13)
	if value == "" {
		w.b.WriteString(`<w:showingPlcHdr/>`)
	}
	w.b.WriteString(`<w:text w:multiLine="1"/></w:sdtPr><w:sdtContent>`)
	if value == "" {
		w.b.WriteString(`<w:r><w:rPr><w:rStyle w:val="Testosegnaposto"/></w:rPr><w:t>Fare clic o toccare qui per immettere il testo.</w:t></w:r>`)
	} else {
		for i, l := range strings.Split(value, "\n") {
			if i > 0 {
				w.b.WriteString(`<w:r><w:br/></w:r>`)
			}
			w.runs(l, "")
		}
	}
	w.b.WriteString(`</w:sdtContent></w:sdt>`)
}

// checkbox writes one check box before an option, in the block's style.
func (w *wordDoc) checkbox(style string, on bool) {
	switch style {
	case chLegacy:
		w.ffCount++
		// Half the boxes are ticked by the default value, half by w:checked (what Word writes
		// when the person clicks a protected form); an explicit w:checked val=0 wins over a
		// default of 1.
		state := `<w:default w:val="0"/>`
		switch {
		case on && w.ffCount%2 == 0:
			state = `<w:default w:val="1"/>`
		case on:
			state = `<w:default w:val="0"/><w:checked/>`
		case w.ffCount%3 == 0:
			state = `<w:default w:val="1"/><w:checked w:val="0"/>`
		}
		fmt.Fprintf(&w.b, `<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Controllo%d"/><w:enabled/><w:calcOnExit w:val="0"/><w:checkBox><w:sizeAuto/>%s</w:checkBox></w:ffData></w:fldChar></w:r>`, w.ffCount, state)
		w.b.WriteString(`<w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>`)
	case chSDT, chSDTWing:
		w.sdtID++
		onG, offG, font, onV, offV := "☒", "☐", "MS Gothic", "2612", "2610"
		if style == chSDTWing {
			onG, offG, font, onV, offV = "\u00fe", "\u00a8", "Wingdings", "00FE", "00A8"
		}
		g, val := offG, "0"
		if on {
			g, val = onG, "1"
		}
		fmt.Fprintf(&w.b, `<w:sdt><w:sdtPr><w:id w:val="%d"/><w14:checkbox><w14:checked w14:val="%s"/><w14:checkedState w14:val="%s" w14:font="%s"/><w14:uncheckedState w14:val="%s" w14:font="%s"/></w14:checkbox></w:sdtPr><w:sdtContent>`, -900000000+w.sdtID*17, val, onV, font, offV, font)
		fmt.Fprintf(&w.b, `<w:r><w:rPr><w:rFonts w:ascii="%s" w:eastAsia="%s" w:hAnsi="%s" w:hint="eastAsia"/></w:rPr><w:t>%s</w:t></w:r></w:sdtContent></w:sdt>`, font, font, font, g)
	default:
		g := "☐"
		if on {
			g = "☒"
		}
		fmt.Fprintf(&w.b, `<w:r><w:rPr><w:rFonts w:ascii="Segoe UI Symbol" w:hAnsi="Segoe UI Symbol"/></w:rPr><w:t>%s</w:t></w:r>`, g)
	}
}

// value writes the content of a value cell or the tail of a label line.
func (w *wordDoc) value(bl block) {
	if bl.Kind == bChoice {
		switch bl.Style {
		case chLegacy, chSDT, chSDTWing:
			for i, o := range bl.Opts {
				if i > 0 {
					w.b.WriteString(`<w:r><w:t xml:space="preserve">   </w:t></w:r>`)
				}
				w.checkbox(bl.Style, o.On)
				fmt.Fprintf(&w.b, `<w:r><w:t xml:space="preserve"> %s</w:t></w:r>`, xt(o.Text))
			}
		case chTracked:
			// "MyPay / MyPivot" with the unchosen option and its separator deleted as a
			// tracked change: still in the file as w:delText.
			shown := false
			for _, o := range bl.Opts {
				if o.On {
					if shown {
						w.b.WriteString(`<w:r><w:t xml:space="preserve"> / </w:t></w:r>`)
					}
					fmt.Fprintf(&w.b, `<w:r><w:t>%s</w:t></w:r>`, xt(o.Text))
					shown = true
					continue
				}
				del := o.Text + " / "
				if shown {
					del = " / " + o.Text
				}
				w.rsid++
				fmt.Fprintf(&w.b, `<w:del w:id="%d" w:author="Ufficio Ragioneria" w:date="2026-03-09T10:41:00Z"><w:r w:rsidDel="%s"><w:delText xml:space="preserve">%s</w:delText></w:r></w:del>`, 900+w.rsid, w.nextRsid(), xt(del))
			}
		case chStrike:
			for i, o := range bl.Opts {
				if i > 0 {
					w.b.WriteString(`<w:r><w:t xml:space="preserve"> / </w:t></w:r>`)
				}
				rpr := ""
				if !o.On {
					rpr = `<w:strike/>`
				}
				fmt.Fprintf(&w.b, `<w:r><w:rPr>%s</w:rPr><w:t>%s</w:t></w:r>`, rpr, xt(o.Text))
			}
		default:
			w.runs(choiceText(bl), "")
		}
		return
	}
	v := strings.Join(bl.Lines, "\n")
	if w.blank[bl.Key] {
		v = ""
	}
	if old, ok := w.corrected[bl.Key]; ok {
		// A value corrected with track changes on: the old one deleted, the new inserted.
		w.rsid++
		fmt.Fprintf(&w.b, `<w:del w:id="%d" w:author="Ufficio Ragioneria" w:date="2026-03-09T10:40:00Z"><w:r><w:delText>%s</w:delText></w:r></w:del>`, 700+w.rsid, xt(old))
		fmt.Fprintf(&w.b, `<w:ins w:id="%d" w:author="Ufficio Ragioneria" w:date="2026-03-09T10:40:00Z">`, 701+w.rsid)
		w.runs(v, "")
		w.b.WriteString(`</w:ins>`)
		return
	}
	switch w.values {
	case wvFormText:
		w.formText(v)
	case wvSDT:
		w.sdtText(bl.Key, v)
	default:
		for i, l := range bl.Lines {
			if i > 0 {
				w.b.WriteString(`<w:r><w:br/></w:r>`)
			}
			w.runs(l, "")
		}
	}
}

func (w *wordDoc) cell(width int, extra string, f func()) {
	fmt.Fprintf(&w.b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/>%s</w:tcPr>`, width, extra)
	w.para("", f)
	w.b.WriteString(`</w:tc>`)
}

// wordXML renders blocks as word/document.xml. Pairs go in a two-column table; a section is a
// heading paragraph (numbered, bold) or a merged row across the table (caption); "option | X"
// choices merge the label cell down (w:vMerge).
func wordXML(bs []block, values, sec string, corrected map[string]string, paragraphs bool) []byte {
	w := &wordDoc{values: values, sec: sec, corrected: corrected}
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	w.b.WriteString(`<w:document xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:w10="urn:schemas-microsoft-com:office:word" xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml" xmlns:wne="http://schemas.microsoft.com/office/word/2006/wordml" mc:Ignorable="w14 w15"><w:body>`)
	const lw, vw = 3600, 5800
	inTable := false
	sinoHeader := false // the "| Sì | No" header row is above the current row
	openT := func() {
		if inTable {
			return
		}
		inTable = true
		fmt.Fprintf(&w.b, `<w:tbl><w:tblPr><w:tblStyle w:val="Grigliatabella"/><w:tblW w:w="0" w:type="auto"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid><w:gridCol w:w="%d"/><w:gridCol w:w="%d"/><w:gridCol w:w="%d"/></w:tblGrid>`, lw, vw-800, 800)
	}
	closeT := func() {
		if inTable {
			w.b.WriteString(`</w:tbl>`)
			w.para("", func() {})
			inTable = false
		}
	}
	for _, bl := range bs {
		switch bl.Kind {
		case bTitle:
			w.para("Titolo", func() { w.runs(bl.Text, `<w:b/>`) })
		case bText:
			closeT()
			w.para("", func() { w.runs(bl.Text, "") })
		case bHeading:
			sinoHeader = false
			switch {
			case sec == secCaption && !paragraphs:
				openT()
				w.b.WriteString(`<w:tr>`)
				w.cell(lw+vw, `<w:gridSpan w:val="3"/><w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/>`, func() { w.runs(bl.Text, `<w:b/>`) })
				w.b.WriteString(`</w:tr>`)
			case sec == secBold:
				closeT()
				w.para("", func() { w.runs(bl.Text, `<w:b/><w:bCs/>`) })
			default:
				closeT()
				w.para("Titolo2", func() { w.runs(bl.Text, "") })
			}
		case bPair, bChoice:
			if paragraphs {
				closeT()
				w.para("", func() {
					w.runs(bl.Text+": ", "")
					w.value(bl)
				})
				continue
			}
			openT()
			if bl.Kind == bChoice && bl.Style == chSiNo {
				// Rows under a "| Sì | No" header row: one per yes/no question, one per option.
				yesNo := len(bl.Opts) == 2 && bl.Opts[0].Text == "Sì"
				if !sinoHeader || !yesNo {
					w.b.WriteString(`<w:tr>`)
					w.cell(lw, "", func() {
						if !yesNo {
							w.runs(bl.Text, `<w:b/>`)
						}
					})
					w.cell(vw-800, "", func() { w.runs("Sì", `<w:b/>`) })
					w.cell(800, "", func() { w.runs("No", `<w:b/>`) })
					w.b.WriteString(`</w:tr>`)
					sinoHeader = yesNo
				}
				row := func(label string, yes bool) {
					w.b.WriteString(`<w:tr>`)
					w.cell(lw, "", func() { w.runs(label, "") })
					w.cell(vw-800, "", func() {
						if yes {
							w.runs("X", "")
						}
					})
					w.cell(800, "", func() {
						if !yes {
							w.runs("X", "")
						}
					})
					w.b.WriteString(`</w:tr>`)
				}
				if yesNo {
					row(bl.Text, bl.Opts[0].On)
				} else {
					for _, o := range bl.Opts {
						row(o.Text, o.On)
					}
				}
				continue
			}
			sinoHeader = false
			if bl.Kind == bChoice && (bl.Style == chXCol || bl.Style == chSiNo) {
				for i, o := range bl.Opts {
					vm := `<w:vMerge w:val="restart"/>`
					if i > 0 {
						vm = `<w:vMerge/>`
					}
					w.b.WriteString(`<w:tr>`)
					w.cell(lw, vm, func() {
						if i == 0 {
							w.runs(bl.Text, "")
						}
					})
					w.cell(vw-800, "", func() { w.runs(o.Text, "") })
					w.cell(800, "", func() {
						if o.On {
							w.runs("X", "")
						}
					})
					w.b.WriteString(`</w:tr>`)
				}
				continue
			}
			w.b.WriteString(`<w:tr>`)
			w.cell(lw, "", func() { w.runs(bl.Text, "") })
			w.cell(vw, `<w:gridSpan w:val="2"/>`, func() { w.value(bl) })
			w.b.WriteString(`</w:tr>`)
		}
	}
	closeT()
	w.b.WriteString(`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1417" w:right="1134" w:bottom="1134" w:left="1134" w:header="708" w:footer="708" w:gutter="0"/><w:cols w:space="708"/><w:docGrid w:linePitch="360"/></w:sectPr></w:body></w:document>`)
	return []byte(w.b.String())
}

const wordStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:asciiTheme="minorHAnsi" w:hAnsiTheme="minorHAnsi"/><w:sz w:val="22"/><w:lang w:val="it-IT"/></w:rPr></w:rPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normale"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Titolo"><w:name w:val="Title"/><w:rPr><w:sz w:val="32"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Titolo2"><w:name w:val="heading 2"/><w:basedOn w:val="Normale"/><w:next w:val="Normale"/><w:pPr><w:keepNext/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="26"/></w:rPr></w:style><w:style w:type="character" w:styleId="Testosegnaposto"><w:name w:val="Placeholder Text"/><w:rPr><w:color w:val="808080"/></w:rPr></w:style><w:style w:type="table" w:styleId="Grigliatabella"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:left w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:right w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="auto"/></w:tblBorders></w:tblPr></w:style></w:styles>`

// docxZip packs document.xml into a DOCX with the parts Word always writes.
func docxZip(document []byte) ([]byte, error) {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	files := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/_rels/document.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`},
		{"word/document.xml", string(document)},
		{"word/styles.xml", wordStyles},
		{"word/settings.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:zoom w:percent="100"/><w:proofState w:spelling="clean" w:grammar="clean"/><w:defaultTabStop w:val="708"/><w:hyphenationZone w:val="283"/><w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat><w:rsids><w:rsidRoot w:val="003A1F20"/></w:rsids><w:themeFontLang w:val="it-IT"/></w:settings>`},
		{"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>Ufficio Ragioneria</dc:creator><cp:lastModifiedBy>Utente</cp:lastModifiedBy><cp:revision>3</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">2026-03-02T09:14:00Z</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">2026-03-09T11:02:00Z</dcterms:modified></cp:coreProperties>`},
		{"docProps/app.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Template>Normal.dotm</Template><TotalTime>12</TotalTime><Pages>1</Pages><Application>Microsoft Office Word</Application><AppVersion>16.0000</AppVersion></Properties>`},
	}
	for _, f := range files {
		// A fixed time: the file is the same byte for byte on every run.
		fw, err := z.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: fixedTime})
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write([]byte(f.body)); err != nil {
			return nil, err
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
