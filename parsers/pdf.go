package parsers

import (
	"bytes"
	"fmt"
	"strings"
	"sync"

	"github.com/ledongthuc/pdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/form"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// PDF: AcroForm fields (our blank forms name each field after its key, with the label as
// tooltip), and the page text as lines: "Label: value", or a label line followed by its value
// line, as a table exported from Word or LibreOffice comes out. No fields and no text: a scan.

var pdfConfigOnce sync.Once

func pdfConf() *model.Configuration {
	// pdfcpu would otherwise create a config directory in $HOME on first use.
	pdfConfigOnce.Do(api.DisableConfigDir)
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.FormFieldListMaxColWidth = 0 // no truncation of long values
	return conf
}

// pdfObjRe counts indirect objects in the file body ("12 0 obj"); objects packed in object
// streams are counted once pdfcpu has read the cross-reference table.
// pdfCountObjects counts "N G obj" headers, stopping past max. A scan by hand: the equivalent
// regular expression backtracks over every run of digits in binary streams and cost more than
// parsing the PDF.
func pdfCountObjects(data []byte, max int) int {
	n := 0
	for i := 0; n <= max; {
		j := bytes.Index(data[i:], []byte("obj"))
		if j < 0 {
			break
		}
		k := i + j
		i = k + 3
		if i < len(data) && (isPDFRegular(data[i])) {
			continue // "objects", "obj1": not a header
		}
		// Back over: whitespace, generation digits, whitespace, object digits.
		p := k
		steps := [...]func(byte) bool{isPDFSpace, isDigit, isPDFSpace, isDigit}
		ok := true
		for _, class := range steps {
			q := p
			for q > 0 && class(data[q-1]) {
				q--
			}
			if q == p {
				ok = false
				break
			}
			p = q
		}
		if ok {
			n++
		}
	}
	return n
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
func isPDFSpace(b byte) bool {
	return b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == '\f' || b == 0
}

// isPDFRegular tells a byte that continues a word (so "obj" is not a keyword there).
func isPDFRegular(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || isDigit(b) || b == '_'
}

// pdfFormMaxBytes is the largest PDF whose form fields are read. A filled form is tens of
// kilobytes; a bigger PDF is a scan or a manual, and pdfcpu would hold a second copy of it in
// memory for nothing: only its text is looked at.
const pdfFormMaxBytes = 4 << 20

func pdfRead(name string, data []byte, lim Limits) ([]frItem, error) {
	if n := pdfCountObjects(data, lim.MaxPDFObjects); n > lim.MaxPDFObjects {
		return nil, docErr(name, ErrLimit, reasonTooBig, fmt.Errorf("more than %d PDF objects", lim.MaxPDFObjects))
	}
	var ctx *model.Context
	var err error
	if len(data) <= pdfFormMaxBytes {
		ctx, err = api.ReadContext(bytes.NewReader(data), pdfConf())
	}
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "password") || strings.Contains(err.Error(), "encrypt") {
			return nil, docErr(name, ErrUnreadable, reasonEncrypted, err)
		}
		// pdfcpu is stricter than most viewers: the text reader may still manage.
		ctx = nil
	}
	if ctx != nil && len(ctx.XRefTable.Table) > lim.MaxPDFObjects {
		return nil, docErr(name, ErrLimit, reasonTooBig, fmt.Errorf("%d PDF objects", len(ctx.XRefTable.Table)))
	}
	var items []frItem
	if ctx != nil {
		items = pdfFormItems(ctx)
	}
	text, textErr := pdfTextItems(data)
	if len(items) > 0 {
		// A PDF form: values come from its fields; its text only names the form (the printed
		// labels next to empty-looking fields would otherwise pair with each other).
		lines := text[:0]
		for _, it := range text {
			if !it.pair {
				lines = append(lines, it)
			}
		}
		text = lines
	}
	items = append(text, items...) // text first: the title names the form
	if len(items) == 0 {
		if textErr != nil && ctx == nil {
			return nil, docErr(name, ErrUnreadable, reasonDamaged, textErr)
		}
		return nil, docErr(name, ErrUnreadable, reasonScan, textErr)
	}
	return items, nil
}

// pdfFormItems reads the AcroForm fields with pdfcpu, or by walking /AcroForm /Fields when
// pdfcpu's reader fails (LibreOffice writes combo and list boxes with hex-string /Opt entries
// it rejects).
func pdfFormItems(ctx *model.Context) []frItem {
	if !pdfHasAcroForm(ctx) {
		return nil
	}
	fields, err := pdfcpuFields(ctx)
	if err != nil {
		return pdfWalkFields(ctx)
	}
	var items []frItem
	// pdfcpu prints line ends of values as the two characters \n (it formats for a listing).
	unescape := strings.NewReplacer(`\n`, "\n")
	for _, f := range fields {
		f.V = unescape.Replace(f.V)
		switch f.Typ {
		case form.FTCheckBox:
			if f.V != "" {
				items = append(items, pdfCheckItem(f.Name, f.AltName))
			}
		default:
			items = append(items, pdfPair(f.Name, f.AltName, f.V))
		}
	}
	return items
}

// pdfcpuFields lists the form fields of the context pdfRead already has. api.FormFields would
// parse the whole file again, validate and optimise it: half the cost of reading a filled form
// (BenchmarkReadDocument), for the same fields on every fixture, LibreOffice's included. Reading
// needs no validation; what pdfcpu cannot read falls back to pdfWalkFields.
func pdfcpuFields(ctx *model.Context) (fields []form.Field, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pdfcpu panic: %v", r)
		}
	}()
	fields, _, err = form.FormFields(ctx)
	return fields, err
}

func pdfHasAcroForm(ctx *model.Context) bool {
	root, err := ctx.XRefTable.Catalog()
	if err != nil || root == nil {
		return false
	}
	_, ok := root.Find("AcroForm")
	return ok
}

// pdfPair makes a pair from a field: its name when it is a key or label, else its tooltip.
func pdfPair(name, tooltip, value string) frItem {
	label := name
	if !lblIsLabel(name) && tooltip != "" {
		label = tooltip
	}
	return frItem{label: label, value: value, pair: true}
}

// pdfCheckItem is a ticked check box: "prerequisiti.adesione_pagopa" is a yes; a box named
// "servizi.MyPay" ticks the option MyPay of the field "servizi".
func pdfCheckItem(name, tooltip string) frItem {
	if lblIsLabel(name) {
		return frItem{label: name, value: "☒", pair: true}
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 && lblIsLabel(name[:i]) {
		return frItem{label: name[:i], value: "☒ " + name[i+1:], pair: true}
	}
	return pdfPair(name, tooltip, "☒")
}

// pdfWalkFields walks the field tree by hand, with a depth bound and a visited set against
// cycles.
func pdfWalkFields(ctx *model.Context) []frItem {
	xt := ctx.XRefTable
	root, err := xt.Catalog()
	if err != nil {
		return nil
	}
	o, _ := root.Find("AcroForm")
	acro, err := xt.DereferenceDict(o)
	if err != nil || acro == nil {
		return nil
	}
	o, _ = acro.Find("Fields")
	arr, err := xt.DereferenceArray(o)
	if err != nil {
		return nil
	}
	var items []frItem
	seen := map[int]bool{}
	var walk func(o types.Object, prefix, ft string, depth int)
	walk = func(o types.Object, prefix, ft string, depth int) {
		if depth > 20 || len(items) > 5000 {
			return
		}
		if ref, ok := o.(types.IndirectRef); ok {
			if seen[ref.ObjectNumber.Value()] {
				return
			}
			seen[ref.ObjectNumber.Value()] = true
		}
		d, err := xt.DereferenceDict(o)
		if err != nil || d == nil {
			return
		}
		name := prefix
		if t, ok := d.Find("T"); ok {
			if s, err := xt.DereferenceStringOrHexLiteral(t, model.V10, nil); err == nil && s != "" {
				if name != "" {
					name += "."
				}
				name += s
			}
		}
		if n := d.NameEntry("FT"); n != nil {
			ft = *n
		}
		if kids, ok := d.Find("Kids"); ok {
			if ka, err := xt.DereferenceArray(kids); err == nil {
				for _, k := range ka {
					walk(k, name, ft, depth+1)
				}
			}
		}
		v, ok := d.Find("V")
		if !ok || name == "" {
			return
		}
		tooltip := ""
		if tu, ok := d.Find("TU"); ok {
			tooltip, _ = xt.DereferenceStringOrHexLiteral(tu, model.V10, nil)
		}
		v, _ = xt.Dereference(v)
		switch x := v.(type) {
		case types.Name:
			if ft == "Btn" {
				if x.Value() != "Off" {
					items = append(items, pdfCheckItem(name, tooltip))
				}
			} else {
				items = append(items, pdfPair(name, tooltip, x.Value()))
			}
		case types.StringLiteral, types.HexLiteral:
			s, _ := xt.DereferenceStringOrHexLiteral(x, model.V10, nil)
			items = append(items, pdfPair(name, tooltip, s))
		case types.Array:
			var vals []string
			for _, e := range x {
				if s, err := xt.DereferenceStringOrHexLiteral(e, model.V10, nil); err == nil {
					vals = append(vals, s)
				}
			}
			items = append(items, pdfPair(name, tooltip, strings.Join(vals, "\n")))
		}
	}
	for _, f := range arr {
		walk(f, "", "", 0)
	}
	return items
}

// pdfTextItems reads the text of every page as rows, splitting a row into cells at wide gaps.
func pdfTextItems(data []byte) (items []frItem, err error) {
	defer func() {
		if r := recover(); r != nil {
			items, err = nil, fmt.Errorf("pdf text panic: %v", r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("pdf text: %w", err)
	}
	pages := min(r.NumPage(), 500)
	for i := 1; i <= pages; i++ {
		p := r.Page(i)
		if p.V.IsNull() || p.V.Key("Contents").Kind() == pdf.Null {
			continue
		}
		// Plain text, not p.Content(): Content adds a glyph after every TJ (it decodes a "\n"
		// through the font), which turns "c_l736" into "c_l736t" in LibreOffice's PDFs.
		text, err := p.GetPlainText(nil)
		if err != nil {
			return items, fmt.Errorf("pdf text page %d: %w", i, err)
		}
		items = append(items, tfLinesToItems(strings.Split(text, "\n"))...)
	}
	return items, nil
}
