package parsers

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The XML walk shared by DOCX and ODT. Each format's reader turns its own elements into calls
// on a docWalk (a paragraph ends, a table cell starts, a check box is ticked, a control holds a
// value); docWalk turns those into items: paragraphs into lines, tables into rows of cells
// (frTable), each with where it stood ("paragrafo 3", "tabella 1, riga 4") and how it was read.
// Text is counted against a budget, controls nest only so deep, and a control's value is a
// slice of one shared buffer, so a document of nested controls around megabytes of text costs
// its size once, not once per level.

// Bounds of the walk: real forms nest a control in a control at most a few times, and a
// field's value is a few lines.
const (
	walkMaxXMLDepth  = 200
	walkMaxControls  = 32
	walkMaxValueText = 64 << 10
)

// Check-box marks written into the text, read back by the choice grammar (tfChoiceSegs).
const (
	markOn  = "☒"
	markOff = "☐"
)

// fieldMark is written into the text before what a form control or field shows, so that a pair
// whose value came from a control is known as read from a form field (a private-use rune that
// tfClean removes).
const fieldMark = "\uE001"

// docWalk assembles the items of one document.
type docWalk struct {
	items  []frItem
	para   strings.Builder // text of the current top-level paragraph (or cell paragraph)
	tables []*walkTable
	nPara  int // top-level paragraphs seen, for "paragrafo N"
	nTable int // tables seen, for "tabella N"
	budget int64
	err    error

	// Controls (DOCX content controls): text written while any is open also goes to ctlText;
	// each control remembers where its text starts.
	ctls    []walkControl
	ctlText strings.Builder
	hide    int // open controls whose text is not the value (placeholders, check-box glyphs)
}

type walkTable struct {
	n    int
	rows [][]string
	cell *strings.Builder
	key  string // a field key a bookmark in the current cell names (mailbot's own forms)
}

type walkControl struct {
	tag   string // field key or label the control is named after
	key   string // the name a program gave it (w:tag): a field key in mailbot's own forms
	start int    // offset of its text in ctlText
	hide  bool   // its text is hidden: a placeholder hint or a check-box glyph
	where string
}

func newDocWalk(lim Limits) *docWalk {
	return &docWalk{budget: lim.MaxTextBytes}
}

// limitErr reports a walk that went over a bound; the reader wraps it as ErrLimit.
type limitErr struct{ what string }

func (e *limitErr) Error() string { return e.what }

func (w *docWalk) fail(format string, args ...any) {
	if w.err == nil {
		w.err = &limitErr{fmt.Sprintf(format, args...)}
	}
}

// text adds text to the current paragraph (and to the open controls), against the budget.
func (w *docWalk) text(s string) {
	if w.err != nil || s == "" {
		return
	}
	if w.hide > 0 {
		return
	}
	w.budget -= int64(len(s))
	if w.budget < 0 {
		w.fail("text beyond %d bytes", w.budget+int64(len(s)))
		return
	}
	w.para.WriteString(s)
	if len(w.ctls) > 0 && w.ctlText.Len() < walkMaxValueText {
		w.ctlText.WriteString(s)
	}
}

// mark writes a check box: ticked or not.
func (w *docWalk) mark(on bool) {
	if on {
		w.text(fieldMark + markOn + " ")
	} else {
		w.text(fieldMark + markOff + " ")
	}
}

// where says where the walk stands: a table row or a top-level paragraph.
func (w *docWalk) where() string {
	if n := len(w.tables); n > 0 {
		t := w.tables[0]
		return fmt.Sprintf("tabella %d, riga %d", t.n, max(1, len(t.rows)))
	}
	return fmt.Sprintf("paragrafo %d", w.nPara+1)
}

// endPara ends a paragraph: in a table cell it becomes a line of the cell, else lines of text.
func (w *docWalk) endPara() {
	line := w.para.String()
	w.para.Reset()
	if len(w.ctls) > 0 && w.ctlText.Len() > 0 && w.ctlText.Len() < walkMaxValueText {
		w.ctlText.WriteString("\n")
	}
	if n := len(w.tables); n > 0 && w.tables[n-1].cell != nil {
		c := w.tables[n-1].cell
		if c.Len() > 0 {
			c.WriteString("\n")
		}
		c.WriteString(line)
		return
	}
	w.nPara++
	if strings.TrimSpace(line) == "" {
		return
	}
	where := fmt.Sprintf("paragrafo %d", w.nPara)
	for _, it := range tfLinesToItems(strings.Split(line, "\n")) {
		it.where = where
		w.items = append(w.items, it)
	}
}

func (w *docWalk) startTable() {
	if len(w.tables) >= 16 {
		w.fail("tables nested deeper than 16")
		return
	}
	w.nTable++
	w.tables = append(w.tables, &walkTable{n: w.nTable})
}

func (w *docWalk) startRow() {
	if n := len(w.tables); n > 0 {
		w.tables[n-1].rows = append(w.tables[n-1].rows, nil)
	}
}

func (w *docWalk) startCell() {
	if n := len(w.tables); n > 0 {
		w.tables[n-1].cell = &strings.Builder{}
	}
}

// endCell ends a cell; span > 1 adds empty cells after it, so that columns stay aligned under
// a merged header ("Sì" | "No" over ticks).
func (w *docWalk) endCell(span int) {
	n := len(w.tables)
	if n == 0 || w.tables[n-1].cell == nil {
		return
	}
	tb := w.tables[n-1]
	if len(tb.rows) == 0 {
		tb.rows = append(tb.rows, nil)
	}
	r := len(tb.rows) - 1
	if tb.key != "" {
		// The cell a bookmark named after a field stands in holds that field's value, wherever
		// in the cell the writer typed it.
		w.items = append(w.items, frItem{label: tb.key, value: strings.TrimSpace(tb.cell.String()), pair: true,
			how: HowFormField, key: tb.key, where: fmt.Sprintf("tabella %d, riga %d", tb.n, len(tb.rows))})
		tb.key = ""
	}
	tb.rows[r] = append(tb.rows[r], tb.cell.String())
	for i := 1; i < min(span, 64); i++ {
		tb.rows[r] = append(tb.rows[r], "")
	}
	tb.cell = nil
}

// endTable turns the rows of the innermost table into items. A table inside a cell gives its
// pairs, and its text to the outer cell.
func (w *docWalk) endTable() {
	n := len(w.tables)
	if n == 0 {
		return
	}
	tb := w.tables[n-1]
	w.tables = w.tables[:n-1]
	if n > 1 && w.tables[n-2].cell != nil {
		for _, r := range tb.rows {
			w.tables[n-2].cell.WriteString(strings.Join(r, " ") + "\n")
		}
	}
	prefix := fmt.Sprintf("tabella %d, ", tb.n)
	for _, it := range frTable(tb.rows) {
		it.where = prefix + it.where
		w.items = append(w.items, it)
	}
}

// startControl opens a content control named tag ("" if unnamed) and key; hide hides its text.
func (w *docWalk) startControl(tag, key string, hide bool) {
	if len(w.ctls) >= walkMaxControls {
		w.fail("controls nested deeper than %d", walkMaxControls)
		return
	}
	if len(w.ctls) == 0 {
		w.ctlText.Reset()
	}
	w.ctls = append(w.ctls, walkControl{tag: tag, key: key, start: w.ctlText.Len(), hide: hide, where: w.where()})
	if hide {
		w.hide++
	}
}

// bookmark notes a bookmark (DOCX w:bookmarkStart, ODT text:bookmark): in a table cell, one
// named after a field key names the cell's value. mailbot's own ODT forms carry their keys so,
// and LibreOffice keeps bookmarks from ODT to ODT and to DOCX.
func (w *docWalk) bookmark(name string) {
	n := len(w.tables)
	if n == 0 || w.tables[n-1].cell == nil || w.tables[n-1].key != "" {
		return
	}
	if _, ok := lblMatchers[""].key(name); ok {
		w.tables[n-1].key = strings.ToLower(strings.TrimSpace(name))
	}
}

// hideControl hides the text of the innermost control from now on (a check box's glyph).
func (w *docWalk) hideControl() {
	if n := len(w.ctls); n > 0 && !w.ctls[n-1].hide {
		w.ctls[n-1].hide = true
		w.hide++
	}
}

// endControl closes the innermost control: one named after a field gives a pair with its text.
func (w *docWalk) endControl(placeholder bool) {
	n := len(w.ctls)
	if n == 0 {
		return
	}
	c := w.ctls[n-1]
	w.ctls = w.ctls[:n-1]
	if c.hide {
		w.hide--
	}
	if c.tag == "" || placeholder || c.hide {
		return
	}
	v := ""
	if s := w.ctlText.String(); c.start < len(s) {
		v = strings.TrimSpace(s[c.start:])
	}
	w.items = append(w.items, frItem{label: c.tag, value: v, pair: true, where: c.where, how: HowFormField, key: c.key})
}

// control adds a pair read from a named form control (ODT office:forms).
func (w *docWalk) control(name, value string) {
	w.items = append(w.items, frItem{label: name, value: value, pair: true, how: HowFormField, where: "controllo " + name, key: name})
}

// finish ends the walk: what is left open is closed, and the first error returned.
func (w *docWalk) finish() ([]frItem, error) {
	if w.err != nil {
		return nil, w.err
	}
	if w.para.Len() > 0 {
		w.endPara()
	}
	return w.items, nil
}

// xmlWalk runs a decoder over a document, calling start and end for each element and text for
// character data, with a depth bound; it stops at the first error of the walk.
func xmlWalk(dec *xml.Decoder, w *docWalk, start func(xml.StartElement), end func(xml.EndElement), text func(xml.CharData)) error {
	dec.Strict = false
	depth := 0
	for w.err == nil {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > walkMaxXMLDepth {
				w.fail("XML nesting deeper than %d", walkMaxXMLDepth)
				return nil
			}
			start(t)
		case xml.EndElement:
			depth--
			end(t)
		case xml.CharData:
			text(t)
		}
	}
	return nil
}
