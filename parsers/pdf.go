package parsers

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// PDF: AcroForm fields (pdf_fields.go) and the page text, rebuilt into lines and table rows
// from the glyph positions (pdf_content.go, pdf_layout.go). Read lazily by our object reader
// (pdf_obj.go), which parses an object only when it is reached, once: a filled form costs its
// field tree and the text of its first page (the title that names the form); a form without
// filled fields costs its pages' text. No fields and no text: a scan.
//
// Bounds, against documents made to exhaust memory or time: the objects the file declares
// (checked in the raw bytes before any table is allocated), the bytes inflated from every
// stream read (lim.MaxDecompressedBytes for the whole document), nesting and chains of
// objects, pages, glyphs, and the deadline, checked as the bytes flow.

// Bounds of one PDF besides those of Limits.
const (
	pdfMaxPages   = 30      // pages whose text is read; forms have a few
	pdfMaxGlyphs  = 150_000 // glyphs of the pages read
	pdfTitlePages = 3       // pages read for the title of a filled form
)

var errPDFGlyphs = errors.New("pdf: too many glyphs")

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

// pdfRead reads a PDF as items; it stops soon after ctx is done.
func pdfRead(ctx context.Context, name string, data []byte, lim Limits) (items []frItem, err error) {
	lim = lim.WithDefaults()
	if n := pdfCountObjects(data, lim.MaxPDFObjects); n > lim.MaxPDFObjects {
		return nil, docErr(name, ErrLimit, reasonTooBig, fmt.Errorf("more than %d PDF objects", lim.MaxPDFObjects))
	}
	if err := pdfCheckObjRefs(data, lim.MaxPDFObjects); err != nil {
		return nil, docErr(name, ErrUnreadable, reasonDamaged, err)
	}
	if err := pdfPrescan(data, lim); err != nil {
		return nil, docErr(name, ErrLimit, reasonTooBig, err)
	}
	b := &pdfBudget{ctx: ctx, left: lim.MaxDecompressedBytes, glyphs: pdfMaxGlyphs}
	limitErr := func() error {
		switch {
		case ctx.Err() != nil:
			return docErr(name, ErrLimit, reasonTooSlow, ctx.Err())
		case b.err != nil:
			return docErr(name, ErrLimit, reasonTooBig, b.err)
		}
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			items, err = nil, docErr(name, ErrUnreadable, reasonDamaged, fmt.Errorf("pdf: %v", r))
		}
		if e := limitErr(); e != nil {
			items, err = nil, e
		}
	}()
	r, err := pdfOpen(ctx, data, lim.MaxPDFObjects)
	if err != nil {
		if e := limitErr(); e != nil {
			return nil, e
		}
		if bytes.Contains(data, []byte("/Encrypt")) {
			return nil, docErr(name, ErrUnreadable, reasonEncrypted, err)
		}
		return nil, docErr(name, ErrUnreadable, reasonDamaged, err)
	}
	fields := pdfFormFields(r, b)
	pages := pdfPages(r, pdfMaxPages)
	filled := false
	for _, it := range fields.items {
		if tfClean(it.value) != "" {
			filled = true
			break
		}
	}
	var text, geometric []frItem
	titled := false
	for i, p := range pages {
		if b.err != nil {
			break
		}
		switch {
		case fields.generic > 0:
			// Fields named "Campo1": the page's text names them; its own pairs would pair
			// the printed labels with each other, so only its lines are kept.
			pg := pdfReadPage(p, b)
			geometric = append(geometric, pdfGeometryItems(i+1, p, pg)...)
			if !filled {
				for _, it := range pdfLayoutItems(i+1, pg) {
					if !it.pair {
						text = append(text, it)
					}
				}
			} else if t := pdfTitleLine(pg); !titled && t != "" {
				text, titled = append(text, frItem{label: t}), true
			}
			pdfPutGlyphs(pg.glyphs)
		case !filled:
			pg := pdfReadPage(p, b)
			pg.scratch = true // read once, then given back
			if items := pdfLayoutItems(i+1, pg); len(text) == 0 {
				text = items // the first page's, not copied
			} else {
				text = append(text, items...)
			}
			pdfPutGlyphs(pg.glyphs)
		case titled || i >= pdfTitlePages:
		default:
			// A filled form: values come from its fields; its text only names the form (the
			// printed labels next to the fields would otherwise pair with each other), so
			// only the line that carries a form's title or marker is kept.
			if t := pdfPageTitle(p, b); t != "" {
				text, titled = append(text, frItem{label: t}), true
			}
		}
		if filled && titled && fields.generic == 0 {
			break
		}
	}
	if e := limitErr(); e != nil {
		return nil, e
	}
	items = append(append(text, fields.items...), geometric...) // text first: the title names the form
	if len(items) == 0 {
		return nil, docErr(name, ErrUnreadable, reasonScan, nil)
	}
	if typ := formOfKeywords(pdfText(r.trailerValue().Key("Info").Key("Keywords"))); typ != "" {
		items = append([]frItem{{form: typ}}, items...) // mailbot's own form says which it is
	}
	return items, nil
}

// pdfPages lists up to max page dictionaries, walking the page tree with depth and visit
// bounds (a tree may loop).
func pdfPages(r *pdfDoc, max int) (out []pdfValue) {
	defer func() { _ = recover() }() // a damaged page tree: the pages found so far
	visits := 0
	var walk func(v pdfValue, depth int)
	walk = func(v pdfValue, depth int) {
		if visits++; len(out) >= max || depth > 32 || visits > 8*max+64 || v.Kind() != pkDict {
			return
		}
		kids := v.Key("Kids")
		if v.Key("Type").Name() == "Page" || kids.Kind() != pkArray {
			out = append(out, v)
			return
		}
		for i := range min(kids.Len(), 8*max+64) {
			if walk(kids.Index(i), depth+1); len(out) >= max {
				return
			}
		}
	}
	walk(r.trailerValue().Key("Root").Key("Pages"), 0)
	return out
}

// pdfPrescan checks, in the raw bytes, what the object reader would trust: the size of the
// cross-reference table (/Size, /Index, the subsections of an xref table), the object count
// of object streams (/N), and what their streams inflate to (each is read whole, once).
func pdfPrescan(data []byte, lim Limits) error {
	maxObj := int64(lim.MaxPDFObjects)
	// Every /Size, then every /N, then every /Index is checked, the first too large refused:
	// each key starts at a slash, so one pass over the slashes finds them all, and the first
	// error of each key is kept.
	var errSize, errN, errIndex error
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], '/')
		if j < 0 {
			break
		}
		i += j + 1
		rest := data[i:]
		switch {
		case errSize == nil && bytes.HasPrefix(rest, []byte("Size")):
			if e := pdfPrescanCount(data, i+4, "/Size", maxObj); e != nil {
				errSize = e
			}
		case errN == nil && bytes.HasPrefix(rest, []byte("N")):
			if e := pdfPrescanCount(data, i+1, "/N", maxObj); e != nil {
				errN = e
			}
		case errIndex == nil && bytes.HasPrefix(rest, []byte("Index")):
			errIndex = pdfPrescanIndex(data, i+5, maxObj)
		}
	}
	for _, err := range []error{errSize, errN, errIndex} {
		if err != nil {
			return err
		}
	}
	return pdfPrescanXref(data, lim)
}

// pdfPrescanXref is the rest of pdfPrescan: the subsections of xref tables, then the object
// streams.
func pdfPrescanXref(data []byte, lim Limits) error {
	maxObj := int64(lim.MaxPDFObjects)
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("xref"))
		if j < 0 {
			break
		}
		i += j + 4
		if j > 0 && data[i-5] == 't' { // "startxref"
			continue
		}
		k := i
		for range 1024 {
			var start, count int64
			var ok bool
			if start, count, k, ok = pdfRangeAt(data, k); !ok {
				break
			}
			if pdfRangePast(start, count, maxObj) {
				return fmt.Errorf("xref subsection %d %d: more than %d objects", start, count, maxObj)
			}
			for range min(count, maxObj) * 3 {
				k = pdfSkipToken(data, k)
			}
		}
	}
	return pdfCheckObjStreams(data, lim)
}

// pdfPrescanCount checks the number after a key that ends at data[i] ("/Size 24").
func pdfPrescanCount(data []byte, i int, key string, maxObj int64) error {
	if i < len(data) && isPDFRegular(data[i]) {
		return nil // "/Sizes", "/Name": another key
	}
	if n, ok := pdfIntAt(data, i); ok && n > maxObj {
		return fmt.Errorf("%s %d: more than %d objects", key, n, maxObj)
	}
	return nil
}

// pdfPrescanIndex checks the pairs of an /Index array after the key, which ends at data[i].
func pdfPrescanIndex(data []byte, i int, maxObj int64) error {
	k := i
	for k < len(data) && isPDFSpace(data[k]) {
		k++
	}
	if k >= len(data) || data[k] != '[' {
		return nil
	}
	k++
	for range 64 {
		var start, count int64
		var ok bool
		if start, count, k, ok = pdfRangeAt(data, k); !ok {
			break
		}
		if pdfRangePast(start, count, maxObj) {
			return fmt.Errorf("/Index [%d %d]: more than %d objects", start, count, maxObj)
		}
	}
	return nil
}

// pdfRangeAt reads the pair "start count" of objects at data[k] (an xref subsection, an /Index
// entry) and returns where it ends; ok is false when either is not an integer.
func pdfRangeAt(data []byte, k int) (start, count int64, end int, ok bool) {
	start, ok1 := pdfIntAt(data, k)
	k = pdfSkipInt(data, k)
	count, ok2 := pdfIntAt(data, k)
	return start, count, pdfSkipInt(data, k), ok1 && ok2
}

// pdfRangePast reports whether a range of objects is negative or reaches past maxObj.
func pdfRangePast(start, count, maxObj int64) bool {
	return start+count > maxObj || start < 0 || count < 0
}

// pdfMaxObjStm bounds what one object stream inflates to.
const pdfMaxObjStm = 8 << 20

// pdfCheckObjStreams inflates each object stream once, counting, and refuses the file when
// one inflates past pdfMaxObjStm or all of them past the document's budget.
func pdfCheckObjStreams(data []byte, lim Limits) error {
	total := lim.MaxDecompressedBytes
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("/ObjStm"))
		if j < 0 {
			return nil
		}
		i += j + 7
		s := bytes.Index(data[i:], []byte("stream"))
		if s < 0 {
			return nil
		}
		dict := data[max(0, i-7-2048) : i+s]
		k := i + s + 6
		if k < len(data) && data[k] == '\r' {
			k++
		}
		if k < len(data) && data[k] == '\n' {
			k++
		}
		e := bytes.Index(data[k:], []byte("endstream"))
		if e < 0 {
			e = len(data) - k
		}
		layers := bytes.Count(dict[bytes.LastIndex(dict, []byte("obj"))+1:], []byte("FlateDecode"))
		var r io.Reader = bytes.NewReader(data[k : k+e])
		for range min(layers, 4) {
			zr, err := zlib.NewReader(r)
			if err != nil {
				break
			}
			r = zr
		}
		n, _ := io.Copy(io.Discard, io.LimitReader(r, min(pdfMaxObjStm, total)+1))
		if n > min(pdfMaxObjStm, total) {
			return fmt.Errorf("an object stream inflates past %d bytes", min(pdfMaxObjStm, total))
		}
		total -= n
		i = k + e
	}
}

// pdfIntAt reads an unsigned or signed integer after white space at data[i:].
func pdfIntAt(data []byte, i int) (int64, bool) {
	for i < len(data) && isPDFSpace(data[i]) {
		i++
	}
	j := i
	if j < len(data) && (data[j] == '-' || data[j] == '+') {
		j++
	}
	k := j
	for k < len(data) && isDigit(data[k]) && k-j < 18 {
		k++
	}
	if k == j || k < len(data) && (isDigit(data[k]) || data[k] == '.') {
		if k-j >= 18 {
			return 1 << 62, true // more digits than any bound
		}
		return 0, false
	}
	n, err := strconv.ParseInt(string(data[i:k]), 10, 64)
	return n, err == nil
}

func pdfSkipInt(data []byte, i int) int {
	for i < len(data) && isPDFSpace(data[i]) {
		i++
	}
	if i < len(data) && (data[i] == '-' || data[i] == '+') {
		i++
	}
	for i < len(data) && isDigit(data[i]) {
		i++
	}
	return i
}

func pdfSkipToken(data []byte, i int) int {
	for i < len(data) && isPDFSpace(data[i]) {
		i++
	}
	for i < len(data) && !isPDFSpace(data[i]) {
		i++
	}
	return i
}
