package parsers

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// DOCX: word/document.xml read as a stream of XML tokens. Paragraphs become lines of text,
// tables become rows of cells (frTable), content controls tagged with a field key or label
// (w:sdt with w:tag / w:alias) become pairs. Check boxes become ☒/☐ so that the value readers
// see what the referent ticked: legacy form check boxes (w:ffData/w:checkBox) and Word 2010
// content-control check boxes (w14:checkbox, whose glyph is already in the text).

const docxNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

func docxRead(name string, data []byte, lim Limits) ([]frItem, error) {
	return zipDocRead(name, data, lim, "word/document.xml", "docProps/core.xml", docxParse)
}

// zipDocRead reads a zip-based office document: its body part parsed into items, preceded by
// the title of its properties part, which names the form when the body lacks a heading.
func zipDocRead(name string, data []byte, lim Limits, body, props string, parse func([]byte) ([]frItem, error)) ([]frItem, error) {
	z, err := frOpenZip(name, data, lim)
	if err != nil {
		return nil, err
	}
	doc, err := z.read(body)
	if err != nil {
		return nil, err
	}
	items, err := parse(doc)
	if err != nil {
		return nil, docErr(name, ErrUnreadable, reasonDamaged, err)
	}
	if z.has(props) {
		if p, err := z.read(props); err == nil {
			if t := xmlElementText(p, "title"); t != "" {
				items = append([]frItem{{label: t}}, items...)
			}
		}
	}
	return items, nil
}

// docxTable collects the rows of one table; tables nest.
type docxTable struct {
	rows [][]string
	cell *strings.Builder
}

// docxSdt is an open content control.
type docxSdt struct {
	tag         string
	placeholder bool
	inContent   bool
	text        strings.Builder
}

func docxParse(doc []byte) ([]frItem, error) {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = false
	var (
		items  []frItem
		para   strings.Builder // text of the current paragraph
		tables []*docxTable
		sdts   []*docxSdt
		inText bool
		depth  int
	)
	write := func(s string) {
		for _, sd := range sdts {
			if sd.placeholder {
				return // placeholder hint of an empty content control
			}
		}
		para.WriteString(s)
		for _, sd := range sdts {
			if sd.inContent {
				sd.text.WriteString(s)
			}
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("document.xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > 200 {
				return nil, fmt.Errorf("document.xml: nesting deeper than 200")
			}
			if t.Name.Space != docxNS {
				continue
			}
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				write("\t")
			case "br", "cr":
				write("\n")
			case "tbl":
				tables = append(tables, &docxTable{})
			case "tr":
				if n := len(tables); n > 0 {
					tables[n-1].rows = append(tables[n-1].rows, nil)
				}
			case "tc":
				if n := len(tables); n > 0 {
					tables[n-1].cell = &strings.Builder{}
				}
			case "checkBox": // legacy form field: w:checked or w:default says the state
				if docxChecked(dec, &depth) {
					write("☒ ")
				} else {
					write("☐ ")
				}
			case "sdt":
				sdts = append(sdts, &docxSdt{})
			case "tag", "alias":
				if n := len(sdts); n > 0 && sdts[n-1].tag == "" {
					sdts[n-1].tag = xmlAttr(t, "val")
				}
			case "showingPlcHdr":
				if n := len(sdts); n > 0 {
					sdts[n-1].placeholder = true
				}
			case "sdtContent":
				if n := len(sdts); n > 0 {
					sdts[n-1].inContent = true
				}
			}
		case xml.EndElement:
			depth--
			if t.Name.Space != docxNS {
				continue
			}
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				line := para.String()
				para.Reset()
				if n := len(tables); n > 0 && tables[n-1].cell != nil {
					if tables[n-1].cell.Len() > 0 {
						tables[n-1].cell.WriteString("\n")
					}
					tables[n-1].cell.WriteString(line)
				} else {
					items = append(items, tfLinesToItems(strings.Split(line, "\n"))...)
				}
				for _, sd := range sdts {
					if sd.inContent && sd.text.Len() > 0 {
						sd.text.WriteString("\n")
					}
				}
			case "tc":
				if n := len(tables); n > 0 && tables[n-1].cell != nil {
					tb := tables[n-1]
					if len(tb.rows) == 0 {
						tb.rows = append(tb.rows, nil)
					}
					tb.rows[len(tb.rows)-1] = append(tb.rows[len(tb.rows)-1], tb.cell.String())
					tb.cell = nil
				}
			case "tbl":
				if n := len(tables); n > 0 {
					tb := tables[n-1]
					tables = tables[:n-1]
					rows := frTable(tb.rows)
					if n > 1 && tables[n-2].cell != nil {
						// A table inside a cell: its pairs are kept, the outer cell gets its text.
						for _, r := range tb.rows {
							tables[n-2].cell.WriteString(strings.Join(r, " ") + "\n")
						}
					}
					items = append(items, rows...)
				}
			case "sdt":
				if n := len(sdts); n > 0 {
					sd := sdts[n-1]
					sdts = sdts[:n-1]
					if sd.tag != "" && !sd.placeholder {
						items = append(items, frItem{label: sd.tag, value: strings.TrimSpace(sd.text.String()), pair: true})
					}
				}
			}
		case xml.CharData:
			if inText {
				write(string(t))
			}
		}
	}
	return items, nil
}

// docxChecked reads a w:checkBox element to its end and reports whether it is ticked.
func docxChecked(dec *xml.Decoder, depth *int) bool {
	checked, def := false, false
	seenChecked := false
	level := 1
	for level > 0 {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			level++
			v := xmlAttr(t, "val")
			on := v == "" || v == "1" || v == "true" || v == "on"
			switch t.Name.Local {
			case "checked":
				checked, seenChecked = on, true
			case "default":
				def = v == "1" || v == "true" || v == "on"
			}
		case xml.EndElement:
			level--
		}
	}
	*depth-- // the checkBox element itself has ended
	if seenChecked {
		return checked
	}
	return def
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
