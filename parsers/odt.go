package parsers

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ODT (and ODS, same content.xml grammar): paragraphs and headings become lines, tables rows of
// cells (frTable), form controls (form:text, form:checkbox, ...) named after a field key or
// label become pairs with their current value.

const (
	odfTextNS  = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
	odfTableNS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	odfFormNS  = "urn:oasis:names:tc:opendocument:xmlns:form:1.0"
)

func odtRead(name string, data []byte, lim Limits) ([]frItem, error) {
	return zipDocRead(name, data, lim, "content.xml", "meta.xml", odtParse)
}

type odtTable struct {
	rows [][]string
	cell *strings.Builder
}

func odtParse(content []byte) ([]frItem, error) {
	dec := xml.NewDecoder(bytes.NewReader(content))
	dec.Strict = false
	var (
		items     []frItem
		paras     []*strings.Builder // text:p / text:h nest through notes and frames
		tables    []*odtTable
		depth     int
		noteDepth int // text inside footnotes is not part of the paragraph
	)
	write := func(s string) {
		if n := len(paras); n > 0 && noteDepth == 0 {
			paras[n-1].WriteString(s)
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("content.xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > 200 {
				return nil, fmt.Errorf("content.xml: nesting deeper than 200")
			}
			switch t.Name.Space {
			case odfTextNS:
				switch t.Name.Local {
				case "p", "h":
					paras = append(paras, &strings.Builder{})
				case "s":
					n, _ := strconv.Atoi(xmlAttr(t, "c"))
					write(strings.Repeat(" ", max(1, min(n, 100))))
				case "tab":
					write("\t")
				case "line-break":
					write("\n")
				case "note":
					noteDepth++
				}
			case odfTableNS:
				switch t.Name.Local {
				case "table":
					tables = append(tables, &odtTable{})
				case "table-row":
					if n := len(tables); n > 0 {
						tables[n-1].rows = append(tables[n-1].rows, nil)
					}
				case "table-cell":
					if n := len(tables); n > 0 {
						tables[n-1].cell = &strings.Builder{}
					}
				}
			case odfFormNS:
				if it, ok := odtControl(t); ok {
					items = append(items, it)
				}
			}
		case xml.EndElement:
			depth--
			switch t.Name.Space {
			case odfTextNS:
				switch t.Name.Local {
				case "note":
					noteDepth--
				case "p", "h":
					n := len(paras)
					if n == 0 {
						continue
					}
					line := paras[n-1].String()
					paras = paras[:n-1]
					if n > 1 {
						paras[n-2].WriteString(line) // a paragraph in a frame inside a paragraph
						continue
					}
					if tn := len(tables); tn > 0 && tables[tn-1].cell != nil {
						if tables[tn-1].cell.Len() > 0 {
							tables[tn-1].cell.WriteString("\n")
						}
						tables[tn-1].cell.WriteString(line)
					} else {
						items = append(items, tfLinesToItems(strings.Split(line, "\n"))...)
					}
				}
			case odfTableNS:
				switch t.Name.Local {
				case "table-cell":
					if n := len(tables); n > 0 && tables[n-1].cell != nil {
						tb := tables[n-1]
						if len(tb.rows) == 0 {
							tb.rows = append(tb.rows, nil)
						}
						// Repeated cells (number-columns-repeated) count once: they are empty
						// padding in spreadsheets and would only multiply memory.
						tb.rows[len(tb.rows)-1] = append(tb.rows[len(tb.rows)-1], tb.cell.String())
						tb.cell = nil
					}
				case "table":
					if n := len(tables); n > 0 {
						tb := tables[n-1]
						tables = tables[:n-1]
						items = append(items, frTable(tb.rows)...)
					}
				}
			}
		case xml.CharData:
			write(string(t))
		}
	}
	return items, nil
}

// odtControl reads a form control named after a field: its current value, or for a check box
// its state (a ticked box gives "☒ label").
func odtControl(t xml.StartElement) (frItem, bool) {
	name := xmlAttr(t, "name")
	if name == "" {
		return frItem{}, false
	}
	switch t.Name.Local {
	case "text", "textarea", "formatted-text", "combobox", "date", "number":
		v := xmlAttr(t, "current-value")
		if v == "" {
			v = xmlAttr(t, "value")
		}
		return frItem{label: name, value: v, pair: true}, true
	case "checkbox":
		state := xmlAttr(t, "current-state")
		if state == "" {
			state = xmlAttr(t, "state")
		}
		if state != "checked" {
			return frItem{}, false
		}
		return frItem{label: name, value: strings.TrimSpace("☒ " + xmlAttr(t, "label")), pair: true}, true
	}
	return frItem{}, false
}
