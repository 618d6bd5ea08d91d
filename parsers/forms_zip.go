package parsers

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"mailbot/templates/say"
)

// frMaxZipEntries bounds the entries of a DOCX/ODT/XLSX: real ones have tens, a few hundred
// with many images; thousands mean an attack on the central directory.
const frMaxZipEntries = 2000

// frZip is an office document opened as a zip, with a budget of decompressed bytes shared by
// every entry read from it: declared sizes are checked first, actual bytes while reading (a
// zip bomb lies about its sizes).
type frZip struct {
	name   string
	zr     *zip.Reader
	budget int64
}

func frOpenZip(name string, data []byte, lim Limits) (*frZip, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, docErr(name, ErrUnreadable, reasonDamaged, fmt.Errorf("open zip: %w", err))
	}
	if len(zr.File) > frMaxZipEntries {
		return nil, docErr(name, ErrLimit, reasonTooBig, fmt.Errorf("%d zip entries", len(zr.File)))
	}
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize64
		if declared > uint64(lim.MaxDecompressedBytes) {
			return nil, docErr(name, ErrLimit, reasonTooBig, fmt.Errorf("declared decompressed size over %d bytes", lim.MaxDecompressedBytes))
		}
	}
	return &frZip{name: name, zr: zr, budget: lim.MaxDecompressedBytes}, nil
}

// has reports whether the zip holds an entry.
func (z *frZip) has(entry string) bool {
	for _, f := range z.zr.File {
		if f.Name == entry {
			return true
		}
	}
	return false
}

// read returns an entry, charging its actual size to the budget.
func (z *frZip) read(entry string) ([]byte, error) {
	for _, f := range z.zr.File {
		if f.Name != entry {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, docErr(z.name, ErrUnreadable, reasonDamaged, fmt.Errorf("open %s: %w", entry, err))
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, z.budget+1))
		if err != nil {
			return nil, docErr(z.name, ErrUnreadable, reasonDamaged, fmt.Errorf("read %s: %w", entry, err))
		}
		z.budget -= int64(len(b))
		if z.budget < 0 {
			return nil, docErr(z.name, ErrLimit, reasonTooBig, fmt.Errorf("%s decompresses beyond the limit", entry))
		}
		return b, nil
	}
	return nil, docErr(z.name, ErrUnreadable, reasonDamaged, fmt.Errorf("missing %s", entry))
}

// stream opens an entry for reading, charging its bytes to the budget as they are read: a
// reader that stops early (a sheet past its row cap) pays only for what it read. A read past
// the budget fails with a *DocumentError wrapping ErrLimit.
func (z *frZip) stream(entry string) (io.ReadCloser, error) {
	for _, f := range z.zr.File {
		if f.Name != entry {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, docErr(z.name, ErrUnreadable, reasonDamaged, fmt.Errorf("open %s: %w", entry, err))
		}
		return &zipStream{z: z, entry: entry, rc: rc}, nil
	}
	return nil, docErr(z.name, ErrUnreadable, reasonDamaged, fmt.Errorf("missing %s", entry))
}

type zipStream struct {
	z     *frZip
	entry string
	rc    io.ReadCloser
}

func (s *zipStream) Read(p []byte) (int, error) {
	if s.z.budget <= 0 {
		// Exactly at the budget is fine if the entry ends there.
		var one [1]byte
		if n, err := s.rc.Read(one[:]); n == 0 && err != nil {
			return 0, err
		}
		return 0, docErr(s.z.name, ErrLimit, reasonTooBig, fmt.Errorf("%s decompresses beyond the limit", s.entry))
	}
	if int64(len(p)) > s.z.budget {
		p = p[:s.z.budget]
	}
	n, err := s.rc.Read(p)
	s.z.budget -= int64(n)
	return n, err
}

func (s *zipStream) Close() error { return s.rc.Close() }

// frTable turns the rows of a table into items, each with its row ("riga 3") as where. Two
// cells make a label/value pair; with more cells, label/value pairs side by side when every
// other cell is a label, else the first cell labels the rest; a first row of labels over rows of
// values is a table by columns (several "tipi dovuto"); a single cell is a line of text
// ("Label: value" or a title).
func frTable(rows [][]string) []frItem {
	var items []frItem
	add := func(r int, its ...frItem) {
		for _, it := range its {
			it.where = fmt.Sprintf("riga %d", r+1)
			if it.pair && it.how == "" {
				it.how = HowTable
			}
			items = append(items, it)
		}
	}
	rows = frOptionColumns(rows)
	rows = frDropNotes(rows)
	// A caption row above the header ("Tipi di dovuto" alone in its row) is the section the
	// columns belong to, never a value.
	head := 0
	for head+2 < len(rows) && frCaptionRow(rows[head]) && frHeaderRow(rows[head+1]) {
		head++
	}
	if len(rows)-head >= 2 && len(rows[head]) >= 2 {
		allLabels := frHeaderRow(rows[head])
		next := rows[head+1]
		secondLabels := len(next) >= 2 && lblIsLabel(next[0]) && lblIsLabel(next[1])
		if allLabels && !secondLabels {
			for ri := range head {
				add(ri, tfLinesToItems([]string{joinNonEmpty(rows[ri], " ")})...)
			}
			for ri, r := range rows[head+1:] {
				for i, c := range r {
					if i < len(rows[head]) {
						add(head+ri+1, frItem{label: rows[head][i], value: c, pair: true})
					}
				}
			}
			return items
		}
	}
	ticks := frTickGroups(rows)
	for ri := 0; ri < len(rows); ri++ {
		r := rows[ri]
		if j := frPersonColumn(r); j > 0 {
			// "" | "Referente dei pagamenti" | "Sostituto": the rows below are the section's
			// in column j; the other columns are other people, not this form's values.
			add(ri, tfLinesToItems([]string{r[j]})...)
			for ri+1 < len(rows) && len(rows[ri+1]) > j && !frCaptionRow(rows[ri+1]) && tfClean(rows[ri+1][0]) != "" {
				ri++
				add(ri, frItem{label: frLabelText(rows[ri][0]), value: rows[ri][j], pair: true})
			}
			continue
		}
		if ri > 0 && frCaptionRow(rows[ri-1]) && len(r) >= 3 && frHeaderRow(r) && ri+1 < len(rows) && frValueRow(rows[ri+1], len(r)) {
			// A header row under a section row inside a larger table ("Sezione D – Tipi di
			// dovuto", then "Codice | Descrizione | IBAN di accredito"): the rows below it are
			// read by columns, the header is never a value.
			for ri+1 < len(rows) && frValueRow(rows[ri+1], len(r)) {
				ri++
				for i, c := range rows[ri] {
					add(ri, frItem{label: r[i], value: c, pair: true})
				}
			}
			continue
		}
		if ticks[ri] && len(r) == 2 {
			r = append(r[:2:2], "") // the empty tick cell of the last column, not written
		}
		if ticks[ri] && len(r) >= 3 {
			// Option | tick columns: "Servizi" | "MyPay" | "X", then "" | "MyPivot" | "".
			if mark, ok := tfMarkValue(r[len(r)-1]); ok && joinNonEmpty(r[1:len(r)-1], " ") != "" {
				add(ri, frItem{label: frLabelText(r[0]), value: joinNonEmpty(r[1:len(r)-1], " ") + " " + mark, pair: true})
				continue
			}
		}
		// Drop empty cells at the end: layout columns.
		for len(r) > 0 && tfClean(r[len(r)-1]) == "" && len(r) > 2 {
			r = r[:len(r)-1]
		}
		switch {
		case len(r) == 0:
		case len(r) == 1 || tfClean(r[0]) == "" && len(r) == 2:
			add(ri, tfLinesToItems([]string{r[len(r)-1]})...)
		case len(r) == 2:
			add(ri, frItem{label: frLabelText(r[0]), value: r[1], pair: true})
		default:
			sideBySide := len(r)%2 == 0
			for i := 0; i < len(r) && sideBySide; i += 2 {
				sideBySide = lblIsLabel(r[i])
			}
			if sideBySide {
				for i := 0; i < len(r); i += 2 {
					add(ri, frItem{label: frLabelText(r[i]), value: r[i+1], pair: true})
				}
			} else {
				add(ri, frItem{label: frLabelText(r[0]), value: joinNonEmpty(r[1:], "\n"), pair: true, sig: frCellsBeside(r[1:])})
			}
		}
	}
	return items
}

// frPersonColumn finds, in a header row over people side by side ("" | "Referente dei
// pagamenti" | "Sostituto"), the one column headed by a section's own name, beside other
// columns headed by something else; 0 when the row is no such header.
func frPersonColumn(r []string) int {
	if len(r) < 3 || tfClean(r[0]) != "" {
		return 0
	}
	col := 0
	for j, c := range r[1:] {
		c = tfClean(c)
		if c == "" {
			return 0
		}
		if p, _ := lblSectionHeading(c); p != "" {
			if col > 0 {
				return 0 // two sections' columns: the rows are not one section's
			}
			col = j + 1
		}
	}
	return col
}

// frValueRow reports whether a row of a table by columns of width n holds values: as many
// cells, the first filled and not a label.
func frValueRow(r []string, n int) bool {
	return len(r) == n && tfClean(r[0]) != "" && !lblIsLabel(r[0]) && !frCaptionRow(r)
}

// frNoteWords head a column of remarks beside the values ("Note per la compilazione", "Note UOC
// Contabilità").
var frNoteWords = map[string]bool{"note": true, "annotazioni": true, "osservazioni": true, "commenti": true, "istruzioni": true}

// frDropNotes blanks a column of remarks: one headed by a note word, in one of the first rows,
// after the label and value columns. Its cells ("11 cifre", "int. 3412", the blank form's
// "MyPay e/o MyPivot") are not part of the values beside them.
func frDropNotes(rows [][]string) [][]string {
	col, head := -1, -1
	for ri := 0; ri < min(len(rows), 3) && col < 0; ri++ {
		for c := 2; c < len(rows[ri]); c++ {
			words := strings.Fields(strings.ToLower(tfClean(rows[ri][c])))
			if len(words) > 0 && frNoteWords[strings.Trim(words[0], ":")] {
				col, head = c, ri
				break
			}
		}
	}
	if col < 0 {
		return rows
	}
	out := slices.Clone(rows)
	for ri := head + 1; ri < len(out); ri++ {
		if col < len(out[ri]) && tfClean(out[ri][col]) != "" {
			out[ri] = slices.Clone(out[ri])
			out[ri][col] = ""
		}
	}
	return out
}

// frCellsBeside is the evidence of a value written in several cells beside its label: unless
// the cells are options with their marks ("☒ MyPay" | "☐ MyPivot"), the cells after the first
// are a note or another column read with the value ("0444 753111" | "int. 3412", "MyPay" |
// "MyPay e/o MyPivot" under "Note per la compilazione").
func frCellsBeside(cells []string) Signal {
	var filled []string
	for _, c := range cells {
		if c = tfClean(c); c != "" {
			filled = append(filled, c)
		}
	}
	if len(filled) < 2 {
		return Signal{}
	}
	for _, c := range filled {
		if _, marks := tfChoiceSegs(c, false); marks > 0 || strings.Contains(c, fieldMark) {
			return Signal{}
		}
	}
	return Signal{SigTwoValues, say.Text("doubt.cells_beside", tfQuote(strings.Join(filled, " / ")))}
}

// frCaptionRow reports whether a row holds one cell of text and nothing else.
func frCaptionRow(r []string) bool {
	n := 0
	for _, c := range r {
		if tfClean(c) != "" {
			n++
		}
	}
	return n == 1 && tfClean(r[0]) != ""
}

// frHeaderRow reports whether every cell of a row can head a column: a field label, or a label
// that names a field only inside its section ("Codice", "Descrizione" under "Tipi dovuto").
func frHeaderRow(r []string) bool {
	if len(r) < 2 {
		return false
	}
	for _, c := range r {
		if tfClean(c) == "" {
			return false
		}
		if lblIsLabel(c) {
			continue
		}
		if len(lblMatchers[""].generic(lblLabelOf(c).ids)) == 0 {
			return false
		}
	}
	return true
}

// frOptionColumns rewrites blocks of a table where options head columns of marks: "" | "Sì" |
// "No" then "Adesione a PagoPA" | "X" | "", or "" | "MyPay" | "MyPivot" then "Servizi" | "X" |
// "". Each row becomes its label and its value in the choice grammar ("☒ MyPay\n☐ MyPivot"); a
// Sì / No pair of columns gives "sì" or "no", so that a row of options ("MyPay" | "" | "X")
// reads as that option left unticked. The header keeps its first cell, which may be the
// label of the rows' choice ("Servizi richiesti" | "Sì" | "No"). Other rows stay as they are.
func frOptionColumns(rows [][]string) [][]string {
	var out [][]string
	for h := 0; h < len(rows); h++ {
		head := rows[h]
		opts := frHeaderOptions(head)
		if opts == nil {
			out = append(out, head)
			continue
		}
		yesNo := len(opts) == 2 && tfYesNoHeader(opts)
		var block [][]string
		ticked := false
		k := h + 1
		for ; k < len(rows); k++ {
			r := rows[k]
			if len(r) < 2 || tfClean(r[0]) == "" {
				break
			}
			var on []int
			ok := true
			for j := 1; j < len(r) && ok; j++ {
				c := tfClean(r[j])
				switch {
				case j >= len(head) || tfClean(head[j]) == "":
					ok = c == ""
				case tfIsTick(c):
					on = append(on, j)
				case c != "" && c != markOff:
					ok = false
				}
			}
			if !ok {
				break
			}
			ticked = ticked || len(on) > 0
			var marks []string
			for j := 1; j < len(head); j++ {
				if o := tfClean(head[j]); o != "" {
					m := markOff
					if slices.Contains(on, j) {
						m = markOn
					}
					marks = append(marks, m+" "+o)
				}
			}
			v := strings.Join(marks, "\n")
			if yesNo && len(on) == 1 {
				v, _ = tfYesNoWord(tfClean(head[on[0]]))
			} else if yesNo && len(on) == 0 {
				v = ""
			}
			block = append(block, []string{r[0], v})
		}
		if !ticked || len(block) == 0 {
			out = append(out, head)
			continue
		}
		out = append(out, []string{head[0]})
		out = append(out, block...)
		h = k - 1
	}
	return out
}

// frHeaderOptions returns the options a row heads columns with ("Sì", "No"; "MyPay",
// "MyPivot"): two or more short cells after the first, none a label or a tick; nil otherwise.
func frHeaderOptions(head []string) []string {
	if len(head) < 3 {
		return nil
	}
	var opts []string
	for _, c := range head[1:] {
		c = tfClean(c)
		if c == "" {
			continue
		}
		if len(strings.Fields(c)) > 3 || lblIsLabel(c) || tfIsTick(c) || strings.ContainsAny(c, "0123456789@") {
			return nil
		}
		opts = append(opts, c)
	}
	if len(opts) < 2 {
		return nil
	}
	return opts
}

// tfYesNoHeader reports whether two column headers are "Sì" and "No".
func tfYesNoHeader(opts []string) bool {
	a, _ := tfYesNoWord(opts[0])
	b, _ := tfYesNoWord(opts[1])
	return a == "sì" && b == "no" && len(opts[0]) <= 3 && len(opts[1]) <= 3
}

// frTickGroups finds the rows of options with a tick column: a label row and the rows under it
// whose label cell is merged with it (empty), three cells or more, one at least ending with a
// tick ("Servizi" | "MyPay" | "", "" | "MyPivot" | "X"). An empty last cell is then an option
// left unticked, not padding.
func frTickGroups(rows [][]string) map[int]bool {
	out := map[int]bool{}
	for i := 0; i < len(rows); {
		j := i + 1
		// Rows under the label: its cell merged (empty, or repeated as spreadsheets do).
		for j < len(rows) && len(rows[j]) >= 2 && (tfClean(rows[j][0]) == "" || len(rows[i]) > 0 && tfClean(rows[j][0]) == tfClean(rows[i][0])) {
			j++
		}
		ticked := false
		for k := i; k < j; k++ {
			r := rows[k]
			ticked = ticked || len(r) >= 3 && tfIsTick(tfClean(r[len(r)-1])) && tfClean(r[len(r)-2]) != ""
		}
		for k := i; k < j && ticked; k++ {
			out[k] = true
		}
		i = j
	}
	return out
}

// tfIsTick reports whether a cell is only a tick: "X", "✓", "☒", "[X]".
func tfIsTick(c string) bool {
	switch strings.ToLower(strings.TrimSpace(c)) {
	case "x", "✓", "✔", "☒", "☑", "■", "⌧", "✗", "✘", "[x]", "(x)":
		return true
	}
	return false
}

// frLabelText strips what decorates a label cell: a final colon, asterisks of required fields.
func frLabelText(s string) string {
	s = tfClean(s)
	for {
		t := bytes.TrimRight([]byte(s), " :*\t\n")
		if len(t) == len(s) {
			return s
		}
		s = string(t)
	}
}

func joinNonEmpty(ss []string, sep string) string {
	var out []string
	for _, s := range ss {
		if s = tfClean(s); s != "" {
			out = append(out, s)
		}
	}
	var b bytes.Buffer
	for i, s := range out {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s)
	}
	return b.String()
}
