package parsers

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DOCX: word/document.xml read through the shared walk (wordxml.go). Paragraphs become lines of
// text, tables rows of cells (frTable), content controls tagged with a field key or label (w:sdt
// with w:tag / w:alias) pairs. Check boxes become ☒/☐ so that the choice grammar sees what the
// referent ticked: legacy form check boxes (FORMCHECKBOX: w:ffData/w:checkBox, w:checked else
// w:default), Word 2010 content-control check boxes (w14:checkbox: the state is w14:checked,
// whatever glyph the content shows) and boxes typed in a symbol font (w:sym, Wingdings runs).
// Struck-through text (w:strike, w:dstrike) is an option crossed out: it is not read. Text a
// reader of the document does not see is not read either: hidden (w:vanish), and tracked
// deletions (w:del, whose text is w:delText, and text moved away, w:moveFrom), which Word shows
// struck out or not at all; the document says what its text is now.

const docxNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

func docxRead(name string, data []byte, lim Limits) ([]frItem, error) {
	return zipDocRead(name, data, lim, "word/document.xml", "docProps/core.xml", docxParse)
}

// zipDocRead reads a zip-based office document: its body part parsed into items, preceded by
// the title of its properties part, which names the form when the body lacks a heading.
func zipDocRead(name string, data []byte, lim Limits, body, props string, parse func([]byte, Limits) ([]frItem, error)) ([]frItem, error) {
	z, err := frOpenZip(name, data, lim)
	if err != nil {
		return nil, err
	}
	doc, err := z.read(body)
	if err != nil {
		return nil, err
	}
	items, err := parse(doc, lim)
	var le *limitErr
	if errors.As(err, &le) {
		return nil, docErr(name, ErrLimit, reasonTooBig, err)
	}
	if err != nil {
		return nil, docErr(name, ErrUnreadable, reasonDamaged, err)
	}
	if z.has(props) {
		if p, err := z.read(props); err == nil {
			if t := xmlElementText(p, "title"); t != "" {
				items = append([]frItem{{label: t}}, items...)
			}
			form := propsForm(p)
			if form == "" && z.has("docProps/custom.xml") {
				if c, err := z.read("docProps/custom.xml"); err == nil {
					form = propsForm(c)
				}
			}
			if form != "" {
				items = append([]frItem{{form: form}}, items...)
			}
		}
	}
	return items, nil
}

// propsForm returns the form type a document's properties name (mailbot's own forms): a
// "mailbot:TYPE:VERSION" keyword, or the text of a property named mailbot_form.
func propsForm(doc []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = false
	named, depth := 0, 0 // depth of the property named mailbot_form, 0 outside it
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if named == 0 && xmlAttr(t, "name") == FormProperty {
				named = depth
			}
		case xml.EndElement:
			if depth == named {
				named = 0
			}
			depth--
		case xml.CharData:
			s := strings.TrimSpace(string(t))
			if named > 0 && Spec(s) != nil {
				return s
			}
			if typ := formOfKeywords(s); typ != "" {
				return typ
			}
		}
	}
}

const (
	docxW14NS = "http://schemas.microsoft.com/office/word/2010/wordml"
	docxMcNS  = "http://schemas.openxmlformats.org/markup-compatibility/2006"
)

// docxSdt is an open content control (w:sdt): its properties come before its content.
type docxSdt struct {
	tag         string // w:alias or w:tag, whichever comes first: what names the field
	key         string // w:tag
	placeholder bool
	checkbox    bool // w14:checkbox: its glyph is replaced by the state in w14:checked
	checked     bool
	open        bool // its content started, a control of the walk is open
}

// docxReader interprets WordprocessingML elements for the shared walk.
type docxReader struct {
	w        *docWalk
	sdts     []*docxSdt
	inRun    bool
	inRPr    bool
	inText   bool
	struck   bool   // w:strike / w:dstrike: struck text is not chosen
	hidden   bool   // w:vanish
	deleted  int    // open w:del / w:moveFrom: a tracked deletion
	symFont  string // a symbol font (Wingdings) of the run: its characters are check boxes or nothing
	fallback int    // inside mc:Fallback, which repeats the content of mc:Choice
	span     int    // w:gridSpan of the current cell

	// A legacy check-box form field (w:ffData/w:checkBox).
	inCheckBox            bool
	cbChecked, cbDefault  bool
	cbSeenChecked, cbSeen bool
}

func docxParse(doc []byte, lim Limits) ([]frItem, error) {
	r := &docxReader{w: newDocWalk(lim)}
	if err := xmlWalk(xml.NewDecoder(bytes.NewReader(doc)), r.w, r.start, r.end, r.chars); err != nil {
		return nil, fmt.Errorf("document.xml: %w", err)
	}
	return r.w.finish()
}

// on reads an OOXML boolean property: absent val means on.
func docxOn(t xml.StartElement) bool {
	switch xmlAttr(t, "val") {
	case "0", "false", "off", "none":
		return false
	}
	return true
}

func (r *docxReader) start(t xml.StartElement) {
	if t.Name.Space == docxMcNS && t.Name.Local == "Fallback" || r.fallback > 0 {
		r.fallback++
		return
	}
	if t.Name.Space == docxW14NS {
		if n := len(r.sdts); n > 0 {
			switch t.Name.Local {
			case "checkbox":
				r.sdts[n-1].checkbox = true
			case "checked":
				r.sdts[n-1].checked = docxOn(t)
			}
		}
		return
	}
	if t.Name.Space != docxNS {
		return
	}
	w := r.w
	switch t.Name.Local {
	case "r":
		r.inRun, r.struck, r.hidden, r.symFont = true, false, false, ""
	case "del", "moveFrom":
		r.deleted++
	case "rPr":
		r.inRPr = r.inRun
	case "strike", "dstrike":
		if r.inRPr {
			r.struck = docxOn(t)
		}
	case "vanish":
		if r.inRPr {
			r.hidden = docxOn(t)
		}
	case "rFonts":
		if r.inRPr {
			r.symFont = symbolFont(xmlAttr(t, "ascii"))
		}
	case "t":
		r.inText = true
	case "tab":
		if r.inRun {
			r.write("\t")
		}
	case "br", "cr":
		r.write("\n")
	case "sym":
		if m, ok := symbolMark(symbolFont(xmlAttr(t, "font")), xmlAttr(t, "char")); ok && !r.struck && r.deleted == 0 {
			w.mark(m)
		}
	case "bookmarkStart":
		w.bookmark(xmlAttr(t, "name"))
	case "tbl":
		w.startTable()
	case "tr":
		w.startRow()
	case "tc":
		w.startCell()
		r.span = 1
	case "gridSpan":
		if n, err := strconv.Atoi(xmlAttr(t, "val")); err == nil && n > 1 {
			r.span = n
		}
	case "checkBox": // legacy form field: w:checked, else w:default, says the state
		r.inCheckBox, r.cbChecked, r.cbDefault, r.cbSeenChecked = true, false, false, false
	case "checked":
		if r.inCheckBox {
			r.cbChecked, r.cbSeenChecked = docxOn(t), true
		}
	case "default":
		if r.inCheckBox {
			r.cbDefault = docxOn(t)
		}
	case "sdt":
		if len(r.sdts) >= walkMaxControls {
			w.fail("content controls nested deeper than %d", walkMaxControls)
			return
		}
		r.sdts = append(r.sdts, &docxSdt{})
	case "tag", "alias":
		if n := len(r.sdts); n > 0 && r.sdts[n-1].tag == "" {
			r.sdts[n-1].tag = xmlAttr(t, "val")
		}
		// The key is in w:tag; LibreOffice keeps only w:alias, so mailbot's forms put it in both.
		if n := len(r.sdts); n > 0 && (t.Name.Local == "tag" || r.sdts[n-1].key == "") {
			r.sdts[n-1].key = xmlAttr(t, "val")
		}
	case "showingPlcHdr":
		if n := len(r.sdts); n > 0 {
			r.sdts[n-1].placeholder = docxOn(t)
		}
	case "sdtContent":
		if n := len(r.sdts); n > 0 && !r.sdts[n-1].open {
			sd := r.sdts[n-1]
			sd.open = true
			w.startControl(sd.tag, sd.key, sd.placeholder && !sd.checkbox)
			if sd.checkbox {
				w.mark(sd.checked)
				w.hideControl() // the glyph in the content is the same state, in some font
			}
		}
	}
}

func (r *docxReader) end(t xml.EndElement) {
	if r.fallback > 0 {
		r.fallback--
		return
	}
	if t.Name.Space != docxNS {
		return
	}
	w := r.w
	switch t.Name.Local {
	case "r":
		r.inRun = false
	case "del", "moveFrom":
		r.deleted--
	case "rPr":
		r.inRPr = false
	case "t":
		r.inText = false
	case "p":
		w.endPara()
	case "tc":
		w.endCell(r.span)
		r.span = 1
	case "tbl":
		w.endTable()
	case "checkBox":
		if r.inCheckBox {
			r.inCheckBox = false
			if r.cbSeenChecked {
				w.mark(r.cbChecked)
			} else {
				w.mark(r.cbDefault)
			}
		}
	case "sdt":
		if n := len(r.sdts); n > 0 {
			sd := r.sdts[n-1]
			r.sdts = r.sdts[:n-1]
			if sd.open {
				w.endControl(sd.placeholder || sd.checkbox)
			}
		}
	}
}

func (r *docxReader) chars(c xml.CharData) {
	if r.inText {
		r.write(string(c))
	}
}

// write adds the text of a run, unless struck or hidden; a run in a symbol font holds check
// boxes (or decorations, dropped).
func (r *docxReader) write(s string) {
	if r.struck || r.hidden || r.deleted > 0 || r.fallback > 0 {
		return
	}
	if r.symFont != "" {
		for _, c := range s {
			if m, ok := symbolMark(r.symFont, fmt.Sprintf("%X", c)); ok {
				r.w.mark(m)
			}
		}
		return
	}
	r.w.text(s)
}

// symbolFont names the symbol fonts whose characters are check boxes, "" for others.
func symbolFont(font string) string {
	switch f := strings.ToLower(strings.TrimSpace(font)); f {
	case "wingdings", "wingdings 2", "webdings":
		return f
	}
	return ""
}

// symbolMark reads a character of a symbol font (hex code, as w:sym writes it: "F0FE" or "FE")
// as a ticked or empty box.
func symbolMark(font, hex string) (on, ok bool) {
	if font == "" {
		return false, false
	}
	n, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return false, false
	}
	c := n & 0xFF // Word writes symbol characters at U+F000 + code
	switch font {
	case "wingdings":
		switch c {
		case 0xFE, 0xFD, 0x78, 0xFB, 0xFC:
			return true, true
		case 0xA8, 0x6F, 0x71, 0x72:
			return false, true
		}
	case "wingdings 2":
		switch c {
		case 0x52, 0x54, 0x51, 0x50, 0x4F:
			return true, true
		case 0xA3, 0x2A:
			return false, true
		}
	}
	return false, false
}

// xmlAttr returns the value of an attribute by local name, whatever its namespace.
func xmlAttr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// xmlElementText returns the text of the first element with a local name (dc:title).
func xmlElementText(doc []byte, local string) string {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = false
	in := false
	var b strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return strings.TrimSpace(b.String())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			in = t.Name.Local == local
		case xml.EndElement:
			if in {
				return strings.TrimSpace(b.String())
			}
		case xml.CharData:
			if in {
				b.Write(t)
			}
		}
	}
}
