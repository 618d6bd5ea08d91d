package parsers

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
)

// XLSX: every sheet is read as a table (two columns: label, value). The sheet name is a line of
// text before its rows, so a sheet called "Informativa generale" names its form.
//
// The sheet XML is streamed and the caps apply while reading, before anything is kept: a 26 KB
// workbook can declare a cell at column XFD on each of 5,000 rows, and a reader that builds the
// grid first (excelize's GetRows pads every row to the widest one) took 2.3 GB for it.
const (
	xlsxMaxRows        = 2000     // rows read from one sheet: a form has tens
	xlsxMaxCols        = 64       // columns read: a form has a handful; cells further right are skipped
	xlsxMaxSheets      = 50       // sheets read from one workbook
	xlsxMaxCells       = 200000   // cell elements scanned in a workbook, kept or not
	xlsxMaxCellBytes   = 64 << 10 // text kept from one cell
	xlsxMaxSharedBytes = 4 << 20  // shared strings held in memory
)

// xlsxSheet is a sheet of the workbook and the zip entry that holds it.
type xlsxSheet struct{ name, entry string }

// xlsxBook is what a sheet's cells refer to: shared strings and date formats.
type xlsxBook struct {
	shared   []string
	dateXF   []bool // by cell style index: the number is a date
	date1904 bool
}

// xlsxReader reads one workbook, with a count of the cells scanned and the caller's deadline.
type xlsxReader struct {
	ctx   context.Context
	name  string
	z     *frZip
	cells int
}

func xlsxRead(ctx context.Context, name string, data []byte, lim Limits) ([]frItem, error) {
	z, err := frOpenZip(name, data, lim)
	if err != nil {
		return nil, err
	}
	x := &xlsxReader{ctx: ctx, name: name, z: z}
	sheets, book, err := x.workbook()
	if err != nil {
		return nil, err
	}
	var items []frItem
	for _, s := range sheets {
		rows, err := x.sheet(s.entry, book)
		if err != nil {
			return nil, err
		}
		items = append(items, frItem{label: s.name})
		items = append(items, frTable(rows)...)
	}
	return items, nil
}

// damaged and tooBig make the reader's errors.
func (x *xlsxReader) damaged(err error) error {
	return docErr(x.name, ErrUnreadable, reasonDamaged, err)
}

func (x *xlsxReader) tooBig(format string, args ...any) error {
	return docErr(x.name, ErrLimit, reasonTooBig, fmt.Errorf(format, args...))
}

// decoder opens an entry as a stream of XML tokens, charged to the zip's budget as it is read.
func (x *xlsxReader) decoder(entry string) (*xml.Decoder, io.Closer, error) {
	rc, err := x.z.stream(entry)
	if err != nil {
		return nil, nil, err
	}
	d := xml.NewDecoder(rc)
	d.Strict = false // Excel's XML is fine; other writers' sometimes is not
	return d, rc, nil
}

// token returns the next token, checking the deadline every so often.
func (x *xlsxReader) token(d *xml.Decoder, n *int) (xml.Token, error) {
	if *n++; *n%1024 == 0 {
		if err := x.ctx.Err(); err != nil {
			return nil, docErr(x.name, ErrLimit, reasonTooSlow, err)
		}
	}
	t, err := d.Token()
	if err != nil {
		var de *DocumentError
		if errors.As(err, &de) {
			return nil, de // the zip's budget ran out
		}
		return nil, err
	}
	return t, nil
}

// workbook reads the list of sheets, the shared strings and the styles that make a number a date.
func (x *xlsxReader) workbook() ([]xlsxSheet, *xlsxBook, error) {
	book := &xlsxBook{}
	type wbSheet struct{ name, rid string }
	var list []wbSheet
	d, c, err := x.decoder("xl/workbook.xml")
	if err != nil {
		return nil, nil, err
	}
	defer c.Close()
	for n := 0; ; {
		t, err := x.token(d, &n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, x.wrap("xl/workbook.xml", err)
		}
		se, ok := t.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "workbookPr":
			v := attr(se, "date1904")
			book.date1904 = v == "1" || v == "true"
		case "sheet":
			if len(list) == xlsxMaxSheets {
				continue
			}
			list = append(list, wbSheet{name: attr(se, "name"), rid: attr(se, "id")})
		}
	}
	rels := x.rels()
	var sheets []xlsxSheet
	for i, s := range list {
		entry := rels[s.rid]
		if entry == "" {
			entry = fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)
		}
		if x.z.has(entry) {
			sheets = append(sheets, xlsxSheet{name: s.name, entry: entry})
		}
	}
	if len(sheets) == 0 {
		return nil, nil, x.damaged(fmt.Errorf("no worksheet"))
	}
	if x.z.has("xl/sharedStrings.xml") {
		if book.shared, err = x.sharedStrings(); err != nil {
			return nil, nil, err
		}
	}
	if x.z.has("xl/styles.xml") {
		if book.dateXF, err = x.styles(); err != nil {
			return nil, nil, err
		}
	}
	return sheets, book, nil
}

// wrap turns an XML or read error of entry into a document error, keeping one already made.
func (x *xlsxReader) wrap(entry string, err error) error {
	var de *DocumentError
	if errors.As(err, &de) {
		return de
	}
	return x.damaged(fmt.Errorf("%s: %w", entry, err))
}

// rels maps the workbook's relationship ids to zip entries. A missing or broken file leaves
// the conventional names to be tried.
func (x *xlsxReader) rels() map[string]string {
	out := map[string]string{}
	const entry = "xl/_rels/workbook.xml.rels"
	if !x.z.has(entry) {
		return out
	}
	d, c, err := x.decoder(entry)
	if err != nil {
		return out
	}
	defer c.Close()
	for n := 0; ; {
		t, err := x.token(d, &n)
		if err != nil {
			return out
		}
		if se, ok := t.(xml.StartElement); ok && se.Name.Local == "Relationship" && len(out) < 10*xlsxMaxSheets {
			target := attr(se, "Target")
			if strings.HasPrefix(target, "/") {
				target = strings.TrimPrefix(target, "/")
			} else {
				target = path.Join("xl", target)
			}
			out[attr(se, "Id")] = target
		}
	}
}

// sharedStrings reads the table of strings cells refer to by index, bounded in bytes.
func (x *xlsxReader) sharedStrings() ([]string, error) {
	const entry = "xl/sharedStrings.xml"
	d, c, err := x.decoder(entry)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var (
		out   []string
		total int
		n     int
	)
	for {
		t, err := x.token(d, &n)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, x.wrap(entry, err)
		}
		se, ok := t.(xml.StartElement)
		if !ok || se.Name.Local != "si" {
			continue
		}
		s, err := x.text(d, &n, entry)
		if err != nil {
			return nil, err
		}
		if total += len(s); total > xlsxMaxSharedBytes {
			return nil, x.tooBig("shared strings over %d bytes", xlsxMaxSharedBytes)
		}
		out = append(out, s)
	}
}

// text collects the text of the <t> elements inside the element just started (a shared string,
// an inline string, a value), up to its end; phonetic runs (<rPh>) are not the cell's text.
func (x *xlsxReader) text(d *xml.Decoder, n *int, entry string) (string, error) {
	var b strings.Builder
	depth, inT, inPh := 1, 0, 0
	for depth > 0 {
		t, err := x.token(d, n)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", x.wrap(entry, err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			depth++
			switch t.Name.Local {
			case "t", "v":
				inT++
			case "rPh":
				inPh++
			}
		case xml.EndElement:
			depth--
			switch t.Name.Local {
			case "t", "v":
				inT--
			case "rPh":
				inPh--
			}
		case xml.CharData:
			if inT > 0 && inPh == 0 && b.Len() < xlsxMaxCellBytes {
				b.Write(t[:min(len(t), xlsxMaxCellBytes-b.Len())])
			}
		}
	}
	return b.String(), nil
}

// styles reads which cell styles show numbers as dates.
func (x *xlsxReader) styles() ([]bool, error) {
	const entry = "xl/styles.xml"
	d, c, err := x.decoder(entry)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	custom := map[string]bool{} // numFmtId -> is a date
	var (
		dates []bool
		inXfs bool
		n     int
	)
	for {
		t, err := x.token(d, &n)
		if err == io.EOF {
			return dates, nil
		}
		if err != nil {
			return nil, x.wrap(entry, err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "numFmt":
				custom[attr(t, "numFmtId")] = isDateFormat(attr(t, "formatCode"))
			case "cellXfs":
				inXfs = true
			case "xf":
				if inXfs && len(dates) < 64<<10 {
					id := attr(t, "numFmtId")
					dates = append(dates, custom[id] || isBuiltinDate(id))
				}
			}
		case xml.EndElement:
			if t.Name.Local == "cellXfs" {
				inXfs = false
			}
		}
	}
}

// isBuiltinDate reports whether a built-in number format is a date (ECMA-376 part 1, 18.8.30):
// 14-22, and the East Asian ones 27-36 and 50-58. Times alone (45-47) are not.
func isBuiltinDate(id string) bool {
	n, err := strconv.Atoi(id)
	return err == nil && (n >= 14 && n <= 22 || n >= 27 && n <= 36 || n >= 50 && n <= 58)
}

// isDateFormat reports whether a custom number format shows a date: a day or year code outside
// quoted text and [brackets] ("m" alone may be minutes).
func isDateFormat(code string) bool {
	var b strings.Builder
	quoted, bracket := false, false
	for _, r := range code {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '[':
			bracket = true
		case r == ']':
			bracket = false
		case !bracket:
			b.WriteRune(r)
		}
	}
	s := strings.ToLower(b.String())
	return strings.ContainsAny(s, "dy") || strings.Contains(s, "g") && strings.Contains(s, "a") // Italian "gg/mm/aaaa"
}

// xlsxRow is one row read, at its 1-based index in the sheet.
type xlsxRow struct {
	index int
	cells []string
}

// sheet streams one worksheet into rows, within the caps. Rows after the last kept one and
// cells right of the last kept column are skipped without being held.
func (x *xlsxReader) sheet(entry string, book *xlsxBook) ([][]string, error) {
	d, c, err := x.decoder(entry)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var (
		rows   []xlsxRow
		cur    *xlsxRow
		col    int
		merges []string
		n      int
	)
read:
	for {
		t, err := x.token(d, &n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, x.wrap(entry, err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				idx := 1
				if len(rows) > 0 {
					idx = rows[len(rows)-1].index + 1
				}
				if r, err := strconv.Atoi(attr(t, "r")); err == nil && r > 0 {
					idx = r
				}
				if idx > xlsxMaxRows {
					break read // rows come in order: nothing further is kept
				}
				rows = append(rows, xlsxRow{index: idx})
				cur, col = &rows[len(rows)-1], 0
			case "c":
				if x.cells++; x.cells > xlsxMaxCells {
					return nil, x.tooBig("over %d cells", xlsxMaxCells)
				}
				col++
				if ref := attr(t, "r"); ref != "" {
					if cc, _, ok := cellRef(ref); ok {
						col = cc
					}
				}
				if cur == nil || col > xlsxMaxCols {
					if err := d.Skip(); err != nil {
						return nil, x.wrap(entry, err)
					}
					continue
				}
				v, err := x.cell(d, &n, entry, t, book)
				if err != nil {
					return nil, err
				}
				if v == "" {
					continue
				}
				for len(cur.cells) < col {
					cur.cells = append(cur.cells, "")
				}
				cur.cells[col-1] = v
			case "mergeCell":
				if len(merges) < xlsxMaxRows {
					merges = append(merges, attr(t, "ref"))
				}
			}
		case xml.EndElement:
			if t.Name.Local == "row" {
				cur = nil
			}
		}
	}
	fillMerges(rows, merges)
	// Rows as a grid from the first: empty rows between stay empty, as the sheet shows them.
	var out [][]string
	for _, r := range rows {
		for len(out) < r.index-1 {
			out = append(out, nil)
		}
		if len(out) == r.index-1 {
			out = append(out, r.cells)
		}
	}
	return out, nil
}

// cell reads the value of a <c> element as the sheet shows it.
func (x *xlsxReader) cell(d *xml.Decoder, n *int, entry string, se xml.StartElement, book *xlsxBook) (string, error) {
	raw, err := x.text(d, n, entry)
	if err != nil {
		return "", err
	}
	switch attr(se, "t") {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil || i < 0 || i >= len(book.shared) {
			return "", nil
		}
		return book.shared[i], nil
	case "b":
		if strings.TrimSpace(raw) == "1" {
			return "TRUE", nil
		}
		return "FALSE", nil
	case "inlineStr", "str", "e":
		return raw, nil
	case "d":
		if tm, err := time.Parse("2006-01-02T15:04:05", strings.TrimSpace(raw)); err == nil {
			return tm.Format("02/01/2006"), nil
		}
		return raw, nil
	}
	raw = strings.TrimSpace(raw)
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return raw, nil
	}
	if s, err := strconv.Atoi(attr(se, "s")); err == nil && s >= 0 && s < len(book.dateXF) && book.dateXF[s] {
		return excelDate(f, book.date1904), nil
	}
	if strings.ContainsAny(raw, "eE") {
		return strconv.FormatFloat(f, 'f', -1, 64), nil // 8.0007580279E10 is a codice fiscale
	}
	return raw, nil
}

// excelDate turns a date serial number into gg/mm/aaaa. The 1900 system counts from 1899-12-30
// (Lotus's phantom 29 February 1900 makes earlier serials one day off, and no form has them).
func excelDate(serial float64, date1904 bool) string {
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if serial < 0 || serial > 2958465 || math.IsNaN(serial) { // 9999-12-31
		return strconv.FormatFloat(serial, 'f', -1, 64)
	}
	return base.AddDate(0, 0, int(serial)).Format("02/01/2006")
}

// fillMerges copies the value of a cell merged down several rows into the rows below it, in its
// column: a label spanning two rows labels the values of both. Merges across columns are left
// alone, since repeating a label into its value's cells would make the label its own value.
func fillMerges(rows []xlsxRow, merges []string) {
	if len(merges) == 0 {
		return
	}
	at := map[int]int{}
	for i, r := range rows {
		at[r.index] = i
	}
	for _, m := range merges {
		from, to, ok := strings.Cut(m, ":")
		if !ok {
			continue
		}
		c0, r0, ok0 := cellRef(from)
		_, r1, ok1 := cellRef(to)
		if !ok0 || !ok1 || r1 <= r0 || c0 > xlsxMaxCols {
			continue
		}
		top, ok := at[r0]
		if !ok || len(rows[top].cells) < c0 || rows[top].cells[c0-1] == "" {
			continue
		}
		v := rows[top].cells[c0-1]
		for r := r0 + 1; r <= min(r1, xlsxMaxRows); r++ {
			i, ok := at[r]
			if !ok {
				continue
			}
			for len(rows[i].cells) < c0 {
				rows[i].cells = append(rows[i].cells, "")
			}
			if rows[i].cells[c0-1] == "" {
				rows[i].cells[c0-1] = v
			}
		}
	}
}

// cellRef splits "XFD5" into its 1-based column and row. Columns stop at XFD (16,384).
func cellRef(ref string) (col, row int, ok bool) {
	i := 0
	for ; i < len(ref) && i < 3; i++ {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
	}
	if i == 0 {
		return 0, 0, false
	}
	row, err := strconv.Atoi(strings.ReplaceAll(ref[i:], "$", ""))
	if err != nil || row <= 0 {
		return 0, 0, false
	}
	return col, row, true
}

// attr returns the value of the attribute named local, whatever its namespace.
func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
