package parsers

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// ODT (and ODS, same content.xml grammar), read through the shared walk (wordxml.go):
// paragraphs and headings become lines, tables rows of cells (frTable). Form controls
// (office:forms: form:text, form:checkbox, ...) named after a field key or label become pairs
// with their current value, and where a control stands in the text (draw:control) its value is
// written, a check box as ☒/☐ and its label. Text in a style with a line through it
// (style:text-line-through-style, LibreOffice's strike-through) is an option crossed out: it is
// not read. Nor is text a reader does not see: in a style shown as none (text:display), and the
// text of tracked deletions, which LibreOffice keeps apart in text:tracked-changes (the body
// holds the text as it is now).

const (
	odfTextNS  = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
	odfTableNS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	odfFormNS  = "urn:oasis:names:tc:opendocument:xmlns:form:1.0"
	odfStyleNS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
	odfDrawNS  = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
	odfXMLNS   = "http://www.w3.org/XML/1998/namespace"
)

func odtRead(name string, data []byte, lim Limits) ([]frItem, error) {
	return zipDocRead(name, data, lim, "content.xml", "meta.xml", odtParse)
}

// odtShown is what a form control shows in the text.
type odtShown struct {
	text  string
	check bool // a check box: text is its label
	on    bool
}

// odtReader interprets OpenDocument elements for the shared walk.
type odtReader struct {
	w         *docWalk
	paras     int             // open text:p / text:h (they nest through frames and notes)
	noteDepth int             // text inside footnotes is not part of the paragraph
	struckSty map[string]bool // automatic styles with a line through
	styleName string          // style:style being read
	spans     []bool          // open text:span (and paragraphs): struck or not
	struck    int             // how many of them are struck
	controls  map[string]odtShown
	tracked   int // inside text:tracked-changes: deleted text, not read
}

func odtParse(content []byte, lim Limits) ([]frItem, error) {
	r := &odtReader{w: newDocWalk(lim), struckSty: map[string]bool{}, controls: map[string]odtShown{}}
	if err := xmlWalk(xml.NewDecoder(bytes.NewReader(content)), r.w, r.start, r.end, r.chars); err != nil {
		return nil, fmt.Errorf("content.xml: %w", err)
	}
	return r.w.finish()
}

// pushStyle opens a span or paragraph in a style, struck or not.
func (r *odtReader) pushStyle(t xml.StartElement) {
	s := r.struckSty[xmlAttr(t, "style-name")]
	r.spans = append(r.spans, s)
	if s {
		r.struck++
	}
}

func (r *odtReader) popStyle() {
	if n := len(r.spans); n > 0 {
		if r.spans[n-1] {
			r.struck--
		}
		r.spans = r.spans[:n-1]
	}
}

func (r *odtReader) write(s string) {
	if r.paras > 0 && r.noteDepth == 0 && r.struck == 0 && r.tracked == 0 {
		r.w.text(s)
	}
}

func (r *odtReader) start(t xml.StartElement) {
	if t.Name.Space == odfTextNS && t.Name.Local == "tracked-changes" {
		r.tracked++
	}
	if r.tracked > 0 {
		return
	}
	w := r.w
	switch t.Name.Space {
	case odfStyleNS:
		switch t.Name.Local {
		case "style":
			r.styleName = xmlAttr(t, "name")
		case "text-properties":
			if v := xmlAttr(t, "text-line-through-style"); r.styleName != "" && v != "" && v != "none" {
				r.struckSty[r.styleName] = true
			}
			if xmlAttr(t, "display") == "none" && r.styleName != "" {
				r.struckSty[r.styleName] = true // hidden text: not read either
			}
		}
	case odfTextNS:
		switch t.Name.Local {
		case "p", "h":
			r.paras++
			r.pushStyle(t)
		case "span":
			r.pushStyle(t)
		case "s":
			n, _ := strconv.Atoi(xmlAttr(t, "c"))
			r.write(strings.Repeat(" ", max(1, min(n, 100))))
		case "tab":
			r.write("\t")
		case "line-break":
			r.write("\n")
		case "note":
			r.noteDepth++
		case "bookmark", "bookmark-start":
			w.bookmark(xmlAttr(t, "name"))
		}
	case odfTableNS:
		switch t.Name.Local {
		case "table":
			w.startTable()
		case "table-row":
			w.startRow()
		case "table-cell", "covered-table-cell":
			w.startCell()
		}
	case odfFormNS:
		r.formControl(t)
	case odfDrawNS:
		if t.Name.Local == "control" && r.noteDepth == 0 && r.struck == 0 {
			if c, ok := r.controls[xmlAttr(t, "control")]; ok {
				if c.check {
					w.mark(c.on)
					w.text(c.text)
				} else if c.text != "" {
					w.text(fieldMark + c.text)
				}
			}
		}
	}
}

func (r *odtReader) end(t xml.EndElement) {
	if r.tracked > 0 {
		if t.Name.Space == odfTextNS && t.Name.Local == "tracked-changes" {
			r.tracked--
		}
		return
	}
	w := r.w
	switch t.Name.Space {
	case odfStyleNS:
		if t.Name.Local == "style" {
			r.styleName = ""
		}
	case odfTextNS:
		switch t.Name.Local {
		case "note":
			r.noteDepth--
		case "span":
			r.popStyle()
		case "p", "h":
			r.popStyle()
			if r.paras--; r.paras == 0 {
				w.endPara() // a paragraph in a frame inside a paragraph ends with it
			}
		}
	case odfTableNS:
		switch t.Name.Local {
		// Repeated cells (number-columns-repeated) count once: they are empty padding in
		// spreadsheets and would only multiply memory.
		case "table-cell", "covered-table-cell":
			w.endCell(1)
		case "table":
			w.endTable()
		}
	}
}

func (r *odtReader) chars(c xml.CharData) { r.write(string(c)) }

// formControl reads a form control: named after a field it gives a pair with its current value
// (a ticked check box gives "☒ label"); every control is remembered by id for where it stands
// in the text.
func (r *odtReader) formControl(t xml.StartElement) {
	var shown odtShown
	switch t.Name.Local {
	case "text", "textarea", "formatted-text", "combobox", "date", "number", "time":
		v := xmlAttr(t, "current-value")
		if v == "" {
			v = xmlAttr(t, "value")
		}
		shown = odtShown{text: v}
	case "checkbox":
		state := xmlAttr(t, "current-state")
		if state == "" {
			state = xmlAttr(t, "state")
		}
		shown = odtShown{text: xmlAttr(t, "label"), check: true, on: state == "checked"}
	default:
		return
	}
	if len(r.controls) < 1000 {
		for _, a := range t.Attr {
			if a.Name.Local == "id" && (a.Name.Space == odfFormNS || a.Name.Space == odfXMLNS) {
				r.controls[a.Value] = shown
			}
		}
	}
	name := xmlAttr(t, "name")
	if name == "" {
		return
	}
	switch {
	case !shown.check:
		r.w.control(name, shown.text)
	case shown.on:
		r.w.control(name, strings.TrimSpace(markOn+" "+shown.text))
	}
}
