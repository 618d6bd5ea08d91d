package parsers

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// AcroForm fields (PDF 32000-1, 12.7), read by walking /Root /AcroForm /Fields: only the
// field dictionaries are parsed, never the rest of the file. A field's full name joins the
// partial names of its ancestors with dots ("ente" > "codice_fiscale"); type, flags and value
// are inherited. Our blank forms name each field after its key, with the label as tooltip
// (/TU); other producers' names are often "Text1", so the tooltip is the label then.

// Bounds of the field tree.
const (
	pdfMaxFieldDepth = 16
	pdfMaxFieldNodes = 5000
)

// pdfFieldsResult is what the field tree holds.
type pdfFieldsResult struct {
	items   []frItem
	fields  int // terminal fields, filled or not
	generic int // fields named neither by a label nor by a tooltip ("Campo1", "Casella1")
}

// Field flags (PDF 32000-1, tables 226 and 230).
const (
	pdfFfRadio      = 1 << 15
	pdfFfPushbutton = 1 << 16
)

func pdfFormFields(r *pdfDoc, b *pdfBudget) (res pdfFieldsResult) {
	defer func() {
		if recover() != nil {
			res.items = nil // a damaged field tree: the page text may still tell
		}
	}()
	fields := r.trailerValue().Key("Root").Key("AcroForm").Key("Fields")
	nodes := 0
	var walk func(v pdfValue, name, ft string, ff int64, val pdfValue, depth int)
	walk = func(v pdfValue, name, ft string, ff int64, val pdfValue, depth int) {
		if nodes++; depth > pdfMaxFieldDepth || nodes > pdfMaxFieldNodes || v.Kind() != pkDict {
			return
		}
		if nodes%64 == 0 && b.ctx.Err() != nil {
			return
		}
		if t := pdfFieldName(v.Key("T")); t != "" {
			if name != "" {
				name += "."
			}
			name += t
		}
		if n := v.Key("FT").Name(); n != "" {
			ft = n
		}
		if f := v.Key("Ff"); f.Kind() == pkInt {
			ff = f.Int64()
		}
		if x := v.Key("V"); !x.IsNull() {
			val = x
		}
		kids := v.Key("Kids")
		hasFieldKids := false
		for i := range min(kids.Len(), pdfMaxFieldNodes) {
			if k := kids.Index(i); !k.Key("T").IsNull() || !k.Key("FT").IsNull() {
				hasFieldKids = true
				walk(k, name, ft, ff, val, depth+1)
			}
		}
		if hasFieldKids || name == "" {
			return
		}
		res.fields++
		if pdfGenericName(name, pdfText(v.Key("TU"))) {
			res.generic++ // named by the text printed beside it: pdfGeometryItems
			return
		}
		if it, ok := pdfFieldItem(v, name, ft, ff, val); ok {
			res.items = append(res.items, it)
		}
	}
	for i := range min(fields.Len(), pdfMaxFieldNodes) {
		walk(fields.Index(i), "", "", 0, pdfValue{}, 0)
	}
	return res
}

// pdfFieldItem reads one terminal field's value: text, choice (one option or several), check
// box (its export name when it says more than "on") or radio group (the chosen export name).
func pdfFieldItem(v pdfValue, name, ft string, ff int64, val pdfValue) (frItem, bool) {
	tooltip := pdfText(v.Key("TU"))
	var it frItem
	switch ft {
	case "Btn":
		if ff&pdfFfPushbutton != 0 {
			return frItem{}, false
		}
		on := val.Name()
		if on == "" {
			on = pdfWidgetState(v)
		}
		if on == "" || on == "Off" {
			return frItem{}, false
		}
		if ff&pdfFfRadio != 0 {
			it = pdfPair(name, tooltip, pdfExportName(v, on))
		} else {
			it = pdfCheckItem(name, tooltip, pdfExportName(v, on))
		}
	case "Ch":
		var vals []string
		switch val.Kind() {
		case pkArray:
			for i := range min(val.Len(), 256) {
				vals = append(vals, pdfOptionText(v, pdfText(val.Index(i))))
			}
		default:
			vals = append(vals, pdfOptionText(v, pdfText(val)))
		}
		it = pdfPair(name, tooltip, strings.Join(vals, "\n"))
	default:
		it = pdfPair(name, tooltip, pdfText(val))
	}
	it.how = HowFormField
	it.where = "campo «" + name + "»"
	it.key = name
	return it, true
}

// pdfWidgetState is the appearance state of a check box's widgets when the field has no /V.
func pdfWidgetState(v pdfValue) string {
	if as := v.Key("AS").Name(); as != "" {
		return as
	}
	kids := v.Key("Kids")
	for i := range min(kids.Len(), 64) {
		if as := kids.Index(i).Key("AS").Name(); as != "" && as != "Off" {
			return as
		}
	}
	return ""
}

// pdfExportName is the name a ticked box exports, decoded from its /Opt when it has one
// (PDF 32000-1, 12.7.4.2.3: the states are then indexes into /Opt).
func pdfExportName(v pdfValue, on string) string {
	if opt := v.Key("Opt"); opt.Kind() == pkArray {
		n := 0
		for _, c := range on {
			if c < '0' || c > '9' {
				n = -1
				break
			}
			n = n*10 + int(c-'0')
		}
		if n >= 0 && n < opt.Len() {
			return pdfText(opt.Index(n))
		}
	}
	return on
}

// pdfOptionText maps a choice's export value to the text shown for it, from [export text]
// pairs in /Opt.
func pdfOptionText(v pdfValue, export string) string {
	opt := v.Key("Opt")
	for i := range min(opt.Len(), 1024) {
		o := opt.Index(i)
		if o.Kind() == pkArray && o.Len() == 2 && pdfText(o.Index(0)) == export {
			return pdfText(o.Index(1))
		}
	}
	return export
}

// pdfText decodes a text string (PDF 32000-1, 7.9.2.2): UTF-16BE with a byte order mark,
// UTF-8 with one (PDF 2.0), else PDFDocEncoding. A name is its own text. Line ends become
// "\n" (Acrobat ends lines with "\r").
func pdfText(v pdfValue) string {
	var s string
	switch v.Kind() {
	case pkString:
		raw := v.RawString()
		if t, ok := strings.CutPrefix(raw, "\xef\xbb\xbf"); ok && utf8.ValidString(t) {
			s = t
		} else {
			s = v.Text()
		}
	case pkName:
		s = v.Name()
	case pkInt, pkReal:
		s = v.String()
	default:
		return ""
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// pdfFieldName decodes a partial field name; LibreOffice writes its non-ASCII bytes as #XX
// escapes ("Modalit#C3#A0"), as in a PDF name.
func pdfFieldName(v pdfValue) string {
	t := pdfText(v)
	if !strings.Contains(t, "#") {
		return t
	}
	var b []byte
	for i := 0; i < len(t); i++ {
		if t[i] == '#' && i+2 < len(t) && unhexByte(t[i+1]) >= 0 && unhexByte(t[i+2]) >= 0 {
			b = append(b, byte(unhexByte(t[i+1])<<4|unhexByte(t[i+2])))
			i += 2
			continue
		}
		b = append(b, t[i])
	}
	if !utf8.Valid(b) {
		return t
	}
	return string(b)
}

// pdfPair makes a pair from a field: its name when it is a key or label, else its tooltip.
func pdfPair(name, tooltip, value string) frItem {
	label := name
	if !lblIsLabel(name) && tooltip != "" {
		label = tooltip
	}
	return frItem{label: label, value: value, pair: true}
}

// pdfCheckItem is a ticked check box. "prerequisiti.adesione_pagopa" is a yes; a box named
// "servizi.MyPay", or a box "servizi" exporting "MyPay", ticks the option MyPay of "servizi".
func pdfCheckItem(name, tooltip, export string) frItem {
	plain := export == "" || pdfYesExport(export)
	if !pdfExactLabel(name) {
		// "Servizi richiesti MyPay": the label, then the option the box ticks.
		for _, s := range []string{name, tooltip} {
			if pdfExactLabel(s) {
				continue
			}
			for i := strings.LastIndexByte(s, ' '); i > 0; i = strings.LastIndexByte(s[:i], ' ') {
				if pdfExactLabel(s[:i]) {
					return frItem{label: s[:i], value: "☒ " + s[i+1:], pair: true}
				}
			}
		}
	}
	switch {
	case lblIsLabel(name) && plain:
		return frItem{label: name, value: "☒", pair: true}
	case lblIsLabel(name):
		return frItem{label: name, value: "☒ " + export, pair: true}
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 && lblIsLabel(name[:i]) {
		return frItem{label: name[:i], value: "☒ " + name[i+1:], pair: true}
	}
	if !plain {
		return pdfPair(name, tooltip, "☒ "+export)
	}
	return pdfPair(name, tooltip, "☒")
}

// pdfYesExport tells the export names that only say "ticked".
func pdfYesExport(s string) bool {
	switch strings.ToLower(s) {
	case "yes", "on", "1", "true", "x", "sì", "si", "ja", "oui", "checked", "selezionato":
		return true
	}
	return false
}

// pdfGenericName tells a field whose name and tooltip say nothing ("Campo1", "Text3").
func pdfGenericName(name, tooltip string) bool {
	if lblIsLabel(name) || tooltip != "" && lblIsLabel(tooltip) {
		return false
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 && lblIsLabel(name[:i]) {
		return false // "servizi.MyPay"
	}
	return true
}

// pdfGeometryItems reads the generically named fields of one page by where their widgets
// stand: a text field is named by the cell on its left in the same table row, a check box by
// the row's first cell, and ticks the option printed on its right.
func pdfGeometryItems(pageNo int, page pdfValue, pg pdfPage) (items []frItem) {
	defer func() { _ = recover() }() // a damaged annotation: the ones read so far
	annots := page.Key("Annots")
	if annots.Len() == 0 {
		return nil
	}
	lines := pdfLines(pg.glyphs)
	pdfColumns(lines)
	rows := pdfRows(lines, pg.rules)
	for i := range min(annots.Len(), pdfMaxFieldNodes) {
		a := annots.Index(i)
		if a.Key("Subtype").Name() != "Widget" {
			continue
		}
		name, ft, ff, val, tooltip := pdfInheritedField(a)
		if name == "" || !pdfGenericName(name, tooltip) {
			continue
		}
		r := a.Key("Rect")
		if r.Len() != 4 {
			continue
		}
		x0, y0, x1, y1 := float32(r.Index(0).Float64()), float32(r.Index(1).Float64()), float32(r.Index(2).Float64()), float32(r.Index(3).Float64())
		x0, x1 = min(x0, x1), max(x0, x1)
		y0, y1 = min(y0, y1), max(y0, y1)
		it, ok := pdfFieldItem(a, name, ft, ff, val)
		if !ok {
			continue
		}
		check := ft == "Btn" && ff&pdfFfRadio == 0
		label := pdfRowLabel(rows, x0, y0, y1, check)
		if label == "" {
			continue
		}
		it.label = label
		if check {
			if opt := pdfTextRight(lines, x1, y0, y1); opt != "" {
				it.value = "☒ " + opt
			}
		}
		it.where = fmt.Sprintf("pagina %d, campo «%s»", pageNo, name)
		items = append(items, it)
	}
	return items
}

// pdfInheritedField is a widget's full field name and its inherited type, flags, value and
// tooltip, up its /Parent chain.
func pdfInheritedField(a pdfValue) (name, ft string, ff int64, val pdfValue, tooltip string) {
	ffSet := false
	for v, n := a, 0; v.Kind() == pkDict && n < pdfMaxFieldDepth; v, n = v.Key("Parent"), n+1 {
		if t := pdfFieldName(v.Key("T")); t != "" {
			if name != "" {
				name = t + "." + name
			} else {
				name = t
			}
		}
		if ft == "" {
			ft = v.Key("FT").Name()
		}
		if f := v.Key("Ff"); !ffSet && f.Kind() == pkInt {
			ff, ffSet = f.Int64(), true
		}
		if x := v.Key("V"); val.IsNull() && !x.IsNull() {
			val = x
		}
		if tooltip == "" {
			tooltip = pdfText(v.Key("TU"))
		}
	}
	return name, ft, ff, val, tooltip
}

// pdfRowLabel is the text left of x in the table row beside [y0, y1]: its first cell for a
// check box (the options stand between), the nearest one for a text field.
func pdfRowLabel(rows []pdfRow, x, y0, y1 float32, first bool) string {
	for _, r := range rows {
		beside := false
		for _, l := range r.lines {
			if l.y >= y0-3 && l.y <= y1+3 {
				beside = true
			}
		}
		if !beside {
			continue
		}
		var left []pdfBlock
		for _, b := range r.blocks(nil) {
			if b.lines[len(b.lines)-1].x1() <= x+1 && slices.IndexFunc(b.lines, func(c pdfCell) bool { return c.x1() > x+1 }) < 0 {
				left = append(left, b)
			}
		}
		if len(left) == 0 {
			continue
		}
		if first {
			return left[0].label()
		}
		return left[len(left)-1].label()
	}
	return ""
}

// pdfTextRight is the words printed just right of x on the line beside [y0, y1]: a check
// box's option.
func pdfTextRight(lines []pdfLine, x, y0, y1 float32) string {
	for _, l := range lines {
		if l.y < y0-3 || l.y > y1+3 {
			continue
		}
		var words []string
		var prev float32
		for _, c := range l.cells {
			for _, w := range c.words {
				switch {
				case w.x0 < x-1:
					continue
				case len(words) > 0 && w.x0-prev > 0.6*l.size:
					return strings.Join(words, " ")
				}
				words, prev = append(words, w.s), w.x1
			}
		}
		if len(words) > 0 {
			return strings.Join(words, " ")
		}
	}
	return ""
}
