package parsers

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unsafe"

	"mailbot/templates/say"
)

// Printed PDFs: a word processor's table printed to PDF has no fields, only glyphs at
// positions. The rows and columns are rebuilt from them: glyphs make words and lines (by
// baseline and gaps), lines make table rows (split where a border or a shaded cell's edge
// runs between them, or where the gap is wider than a line's), cells are assigned to columns
// by their left edges across the page, and a cell that wraps is joined again. Then each
// label cell is paired with the value cell beside it. A label is never a value: a cell that is
// itself a label, or a block of labels, is a section heading or a list of labels whose values
// stand in the next column, never the value of the label before it.

// pdfWord is a run of glyphs with no gap between them.
type pdfWord struct {
	x0, x1 float32
	s      string
	hidden bool // a glyph of it is not shown (pdf_hidden.go)
}

// pdfCell is the text of one line inside one column.
type pdfCell struct {
	col    int
	y      float32 // the line's baseline
	words  []pdfWord
	joined string // the text of a cell of several words, once a row's blocks have read it
}

func (c pdfCell) x0() float32 { return c.words[0].x0 }
func (c pdfCell) x1() float32 { return c.words[len(c.words)-1].x1 }
func (c pdfCell) text() string {
	if len(c.words) == 1 {
		return c.words[0].s // most cells, and every word of a justified line
	}
	if c.joined != "" {
		return c.joined
	}
	n := len(c.words)
	for _, w := range c.words {
		n += len(w.s)
	}
	var b strings.Builder
	b.Grow(n)
	for i, w := range c.words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.s)
	}
	return b.String()
}

// pdfArena hands out a page's words, cells and blocks from shared arrays: a line or a row
// takes a slice of a chunk, capped so that an append copies, not an array of its own. A nil
// arena allocates each. The layout of a page takes its arenas from pdfPageMems and gives them
// back once its items are read: nothing of a page's words, cells and blocks outlives it but
// their strings.
type pdfArena struct {
	words  pdfChunks[pdfWord]
	cells  pdfChunks[pdfCell]
	blocks pdfChunks[pdfBlock]
	lines  []pdfLine // the page's lines (pdfLinesIn)
	text   []byte    // the chunk the text of the page's lines is in (keepText)
}

// pdfChunks are the arrays an arena hands out slices of, kept (emptied) when it is reset.
type pdfChunks[T any] struct {
	all [][]T
	cur int // the chunk slices are taken from
}

// take returns n elements (length n, capacity n), from a new chunk of at least least elements
// when those in hand are full.
func (c *pdfChunks[T]) take(n, least int) []T {
	for ; c.cur < len(c.all); c.cur++ {
		if ch := c.all[c.cur]; cap(ch)-len(ch) >= n {
			c.all[c.cur] = ch[:len(ch)+n]
			return ch[len(ch) : len(ch)+n : len(ch)+n]
		}
	}
	ch := make([]T, n, max(n, least))
	c.all = append(c.all, ch)
	return ch[:n:n]
}

// reset empties the chunks (zeroed: they hold no strings for the collector) for reuse.
func (c *pdfChunks[T]) reset() {
	for i, ch := range c.all {
		clear(ch)
		c.all[i] = ch[:0]
	}
	c.cur = 0
}

// pdfTake returns n elements of *chunk (length n, capacity n), starting a new chunk of at
// least min elements when the one in hand is full.
func pdfTake[T any](chunk *[]T, n, least int) []T {
	c := *chunk
	if cap(c)-len(c) < n {
		c = make([]T, 0, max(n, least))
	}
	*chunk = c[:len(c)+n]
	return c[len(c) : len(c)+n : len(c)+n]
}

func (a *pdfArena) takeWords(n int) []pdfWord {
	if a == nil {
		return make([]pdfWord, n)
	}
	return a.words.take(n, 256)
}

func (a *pdfArena) takeCells(n int) []pdfCell {
	if a == nil {
		return make([]pdfCell, n)
	}
	return a.cells.take(n, 128)
}

func (a *pdfArena) takeBlocks(n int) []pdfBlock {
	if a == nil {
		return make([]pdfBlock, n)
	}
	return a.blocks.take(n, 64)
}

// kept reports whether the arena is small enough to keep for another page: a page of tens of
// thousands of words is let go.
func (a *pdfArena) kept() bool {
	return len(a.words.all) <= 32 && len(a.cells.all) <= 32 && len(a.blocks.all) <= 32
}

func (a *pdfArena) reset() {
	a.words.reset()
	a.cells.reset()
	a.blocks.reset()
	clear(a.lines)
	a.lines = a.lines[:0]
	a.text = nil // its strings are kept by the page's items: never written again
}

// keepText returns b as a string in a chunk shared with the text of the page's other lines,
// which is never written again once a string is made of it: one allocation a page, not one a
// line. A nil arena allocates the string.
func (a *pdfArena) keepText(b []byte) string {
	if a == nil || len(b) == 0 {
		return string(b)
	}
	if cap(a.text)-len(a.text) < len(b) {
		a.text = make([]byte, 0, max(len(b), 1024))
	}
	start := len(a.text)
	a.text = append(a.text, b...)
	return unsafe.String(&a.text[start], len(b))
}

// pdfItemBufs keeps the arrays of a page's items for the next document: frReadDocument gives
// them back once the items are grouped into forms, which copy what they keep.
var pdfItemBufs sync.Pool

// pdfGetItems returns an empty array of items with room for n.
func pdfGetItems(n int) []frItem {
	if p, ok := pdfItemBufs.Get().(*[]frItem); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]frItem, 0, n)
}

// pdfPutItems gives back the array of items once nothing reads them any more.
func pdfPutItems(items []frItem) {
	if c := cap(items); c > 0 && c <= 1<<12 {
		items = items[:c]
		clear(items)
		items = items[:0]
		pdfItemBufs.Put(&items)
	}
}

// pdfPageMem is the memory of one page's layout: its lines' words and cells, its rows' blocks,
// the rows themselves and the scratch of its columns.
type pdfPageMem struct {
	lines, rows pdfArena
	rowBuf      []pdfRow
	cols        pdfColScratch
}

var pdfPageMems = sync.Pool{New: func() any { return new(pdfPageMem) }}

// put gives the memory back, emptied, once nothing of the page's layout is read any more.
func (m *pdfPageMem) put() {
	if m.lines.kept() && m.rows.kept() && len(m.rowBuf) <= 1<<12 {
		m.lines.reset()
		m.rows.reset()
		clear(m.rowBuf)
		m.rowBuf = m.rowBuf[:0]
		pdfPageMems.Put(m)
	}
}

// pdfLine is the text on one baseline, split into cells at wide gaps.
type pdfLine struct {
	y, size float32
	cells   []pdfCell
}

// pdfLines groups a page's glyphs into lines, words and cells.
func pdfLines(glyphs []pdfGlyph) []pdfLine { return pdfLinesIn(glyphs, &pdfArena{}) }

// pdfLinesIn is pdfLines with the words and cells taken from arena.
func pdfLinesIn(glyphs []pdfGlyph, arena *pdfArena) []pdfLine {
	buf := append(pdfGetGlyphs(), glyphs...)
	defer pdfPutGlyphs(buf)
	return pdfLinesOf(buf, arena)
}

// pdfLinesOf is pdfLinesIn reading glyphs in place: it drops and reorders them.
func pdfLinesOf(glyphs []pdfGlyph, arena *pdfArena) []pdfLine {
	gs := pdfDropHiddenCopies(glyphs)
	// Glyphs mostly come in reading order: a stable sort of what is sorted already changes
	// nothing, and checking costs a pass where sorting moves every glyph.
	byY := func(a, b pdfGlyph) int {
		switch {
		case a.y > b.y:
			return -1
		case a.y < b.y:
			return 1
		}
		return 0
	}
	if !pdfSortedByY(gs) {
		slices.SortStableFunc(gs, byY)
	}
	// Room for the text of every line: the glyphs' text at most.
	n := 0
	for i := range gs {
		n += len(gs[i].s)
	}
	if cap(arena.text)-len(arena.text) < n {
		arena.text = make([]byte, 0, n)
	}
	lines := arena.lines[:0] // the last page's array, kept with the arena
	defer func() { arena.lines = lines }()
	for i := 0; i < len(gs); {
		y, size := gs[i].y, max(gs[i].size, 1)
		j := i + 1
		for j < len(gs) && y-gs[j].y <= 0.4*max(size, gs[j].size) {
			size = max(size, gs[j].size)
			j++
		}
		run := gs[i:j]
		if !pdfSortedByX(run) {
			slices.SortStableFunc(run, pdfByX)
		}
		if l := pdfSplitLine(run, size, arena); len(l.cells) > 0 {
			l.y = y
			for k := range l.cells {
				l.cells[k].y = y
			}
			lines = append(lines, l)
		}
		i = j
	}
	return lines
}

// pdfSortedByY is slices.IsSortedFunc(gs, byY) of pdfLinesOf, without a call a glyph: no
// glyph above the one before it.
func pdfSortedByY(gs []pdfGlyph) bool {
	for i := 1; i < len(gs); i++ {
		if gs[i].y > gs[i-1].y {
			return false
		}
	}
	return true
}

// pdfSortedByX is slices.IsSortedFunc(gs, pdfByX), without a call a glyph.
func pdfSortedByX(gs []pdfGlyph) bool {
	for i := 1; i < len(gs); i++ {
		if gs[i].x < gs[i-1].x {
			return false
		}
	}
	return true
}

func pdfByX(a, b pdfGlyph) int {
	switch {
	case a.x < b.x:
		return -1
	case a.x > b.x:
		return 1
	}
	return 0
}

// pdfSplitLine cuts a line into words (a space glyph or a gap over 0.15 em) and cells (a gap
// over 0.8 em: a column, or a tab stop). The line's words share one string and one array,
// which the cells slice.
func pdfSplitLine(run []pdfGlyph, size float32, arena *pdfArena) pdfLine {
	l := pdfLine{size: size}
	type span struct {
		from, to int // the word's bytes in text
		x0, x1   float32
		cell     bool // the word begins a cell
		hidden   bool // it starts off the page, or a glyph of it is invisible (pdf_hidden.go)
	}
	var spansBuf [64]span
	spans := spansBuf[:0]
	var textBuf [256]byte
	text := textBuf[:0]
	var prevX1 float32
	var prev *pdfGlyph
	space := false
	for i := range run {
		g := &run[i]
		if pdfBlank(g.s) {
			space = true
			continue
		}
		if prev != nil && g.x >= prev.x && g.x-prev.x < 0.1*size && prev.s == g.s {
			continue // drawn twice (a bold effect)
		}
		box := g.s == "☒" || g.s == "☐"
		gap := g.x - prevX1
		switch {
		case prev == nil || gap > 0.55*size:
			spans = append(spans, span{from: len(text), x0: g.x, cell: true, hidden: g.off})
		case space || gap > 0.15*size || box || prev.s == "☒" || prev.s == "☐":
			spans = append(spans, span{from: len(text), x0: g.x, hidden: g.off})
		}
		text = append(text, g.s...)
		sp := &spans[len(spans)-1]
		sp.to = len(text)
		sp.x1 = max(g.x+g.w, g.x)
		sp.hidden = sp.hidden || g.hidden
		prevX1, prev, space = sp.x1, g, false
	}
	if len(spans) == 0 {
		return l
	}
	all := arena.keepText(text)
	words := arena.takeWords(len(spans))
	cells := 0
	for i, sp := range spans {
		w := all[sp.from:sp.to]
		if len(w) == 2 { // the keys' length: most words are not looked up
			if t, ok := pdfWingdingsText[w]; ok {
				w = t
			}
		}
		words[i] = pdfWord{sp.x0, sp.x1, w, sp.hidden}
		if sp.cell {
			cells++
		}
	}
	l.cells = arena.takeCells(cells)[:0]
	for i := 0; i < len(spans); {
		j := i + 1
		for j < len(spans) && !spans[j].cell {
			j++
		}
		l.cells = append(l.cells, pdfCell{words: words[i:j:j]})
		i = j
	}
	return l
}

// pdfBlank is strings.TrimSpace(s) == "" for a glyph's text, without a call for a letter.
func pdfBlank(s string) bool {
	if len(s) == 1 && s[0] > ' ' && s[0] < 0x80 {
		return false
	}
	return strings.TrimSpace(s) == ""
}

// pdfWingdingsText maps Word's Wingdings check boxes printed through another font (the
// converter kept the character, not the symbol): alone, "þ" is a ticked box and "¨" an
// empty one; neither is Italian. Every key is two bytes long: pdfSplitLine looks up no other word.
var pdfWingdingsText = map[string]string{"þ": "☑", "ý": "☒", "¨": "☐"}

// pdfRow is a table row: its lines, and whether a drawn rule closes it from the row above.
type pdfRow struct {
	lines []pdfLine
	ruled bool // a border separates it from the previous row
}

// pdfRows groups lines into rows: a new row where a rule runs between two lines, over the
// cells of the lower one, or where the baselines are further apart than a wrapped line's.
// A row's lines follow each other: they are a slice of lines, not a copy.
func pdfRows(lines []pdfLine, rules []pdfRule) []pdfRow {
	return pdfRowsIn(make([]pdfRow, 0, len(lines)), lines, rules)
}

// pdfRowsIn is pdfRows appending the rows to rows (emptied).
func pdfRowsIn(rows []pdfRow, lines []pdfLine, rules []pdfRule) []pdfRow {
	rows = slices.Grow(rows[:0], len(lines))
	for i, l := range lines {
		if i == 0 {
			rows = append(rows, pdfRow{lines: lines[0:1:1]})
			continue
		}
		a := lines[i-1]
		ruled := pdfRuleBetween(a, l, rules)
		if ruled || a.y-l.y > 1.45*max(a.size, l.size) {
			rows = append(rows, pdfRow{lines: lines[i : i+1 : i+1], ruled: ruled})
			continue
		}
		r := &rows[len(rows)-1]
		start := i - len(r.lines)
		r.lines = lines[start : i+1 : i+1]
	}
	return rows
}

func pdfRuleBetween(a, b pdfLine, rules []pdfRule) bool {
	hi, lo := a.y-0.15*a.size, b.y+0.7*b.size
	if hi <= lo {
		return false
	}
	// Over the lower line's first cell: a rule under the options only ("Sì" / "No" beside a
	// label that spans both rows) does not end the label's row.
	c := b.cells[0]
	for _, r := range rules {
		if r.y < hi && r.y > lo && r.x0 < c.x1()-1 && r.x1 > c.x0()+1 {
			return true
		}
	}
	return false
}

// pdfColumns assigns each cell a column: left edges within 4 points of each other across
// the page are one column. A cell that runs into a column where at least three cells start
// (a value set close to a long label, a vertically centred value beside a label's middle
// line) is cut there first. It returns each column's right edge (the widest line's end).
func pdfColumns(lines []pdfLine) (right []float32) { return pdfColumnsIn(lines, &pdfColScratch{}) }

// pdfColScratch is the memory pdfColumnsIn works in, kept for the next page: the cells'
// edges, their clusters, and the columns' right edges it returns.
type pdfColScratch struct {
	xs, starts, right []float32
	counts            []int
}

// pdfColumnsIn is pdfColumns working in s: what it returns is valid until s is used again.
func pdfColumnsIn(lines []pdfLine, s *pdfColScratch) (right []float32) {
	starts, counts := pdfStarts(lines, s)
	var strongBuf [16]float32
	strong := strongBuf[:0]
	for i, x := range starts {
		if counts[i] >= 2 {
			strong = append(strong, x)
		}
	}
	cut := false
	for i := range lines {
		cells := pdfCutAtColumns(lines[i].cells, strong, lines[i].size)
		cut = cut || len(cells) != len(lines[i].cells) // a cut adds a cell
		lines[i].cells = cells
	}
	if cut {
		starts, _ = pdfStarts(lines, s)
	}
	right = slices.Grow(s.right[:0], len(starts))[:len(starts)]
	clear(right)
	s.right = right
	for i := range lines {
		for j := range lines[i].cells {
			c := &lines[i].cells[j]
			k, _ := slices.BinarySearch(starts, c.x0()+4.01)
			c.col = max(k-1, 0)
			right[c.col] = max(right[c.col], c.x1())
		}
	}
	return right
}

// pdfStarts clusters the cells' left edges: each cluster's first edge and its size, in s's
// memory (valid until its next use).
func pdfStarts(lines []pdfLine, s *pdfColScratch) (starts []float32, counts []int) {
	n := 0
	for _, l := range lines {
		n += len(l.cells)
	}
	xs := slices.Grow(s.xs[:0], n)
	for _, l := range lines {
		for _, c := range l.cells {
			xs = append(xs, c.x0())
		}
	}
	slices.Sort(xs)
	starts, counts = s.starts[:0], s.counts[:0]
	for i, x := range xs {
		if i == 0 || x-xs[i-1] > 4 {
			starts = append(starts, x)
			counts = append(counts, 0)
		}
		counts[len(counts)-1]++
	}
	s.xs, s.starts, s.counts = xs, starts, counts
	return starts, counts
}

// pdfCutAtColumns cuts cells before a word that starts at a column, after a space.
// A line with no cell cut is returned as it is (most lines: no copy).
func pdfCutAtColumns(cells []pdfCell, strong []float32, size float32) []pdfCell {
	var out []pdfCell
	for i, c := range cells {
		from := 0
		for k := 1; k < len(c.words); k++ {
			w := c.words[k]
			if w.x0-c.words[k-1].x1 < 0.5*size { // a space, not the gap between columns
				continue
			}
			for _, x := range strong {
				if x > c.words[from].x0+4 && w.x0 >= x-2 && w.x0 <= x+2 {
					if out == nil {
						out = make([]pdfCell, 0, len(cells)+1)
						for _, d := range cells[:i] {
							out = append(out, pdfCell{y: d.y, words: d.words})
						}
					}
					out = append(out, pdfCell{y: c.y, words: c.words[from:k]})
					from = k
					break
				}
			}
		}
		if out != nil {
			out = append(out, pdfCell{y: c.y, words: c.words[from:]})
		}
	}
	if out == nil {
		return cells
	}
	return out
}

// pdfBlock is the text of one column within a row, line by line.
type pdfBlock struct {
	col    int
	lines  []pdfCell
	joined string // the label of a block of several lines, once its row's blocks are made
}

// label joins a label's lines with spaces: a word broken in two ("denominazion" / "e")
// still matches, label tokens losing their last vowel anyway.
func (b pdfBlock) label() string {
	if len(b.lines) == 1 {
		return strings.TrimRight(strings.TrimSpace(strings.TrimRight(b.lines[0].text(), " :*")), " :*")
	}
	if b.joined != "" {
		return b.joined
	}
	var buf [4]string
	return strings.TrimRight(strings.TrimSpace(strings.Join(b.appendTexts(buf[:0]), " ")), " :*")
}

// value joins the lines of a cell: a line that wrapped because the next word did not fit
// continues with a space, a line ended short of the edge was ended by its writer, and a
// word too long for the cell (a date, an address, a URL broken after a slash) is joined
// again without a space. In a list (list is true) one word per line is one item per line.
func (b pdfBlock) value(right float32, list bool) string { return b.join(right, list) }

func (b pdfBlock) join(right float32, list bool) string {
	var s strings.Builder
	for i, l := range b.lines {
		if i > 0 {
			prev := b.lines[i-1]
			w := l.words[0]
			size := max(prev.x1()-prev.x0(), 1) / float32(max(len([]rune(prev.text())), 1)) * 2 // about an em
			last := prev.words[len(prev.words)-1].s
			full := prev.x1() >= right-size
			wrapped := prev.x1()+(w.x1-w.x0)+4 >= right // the next word did not fit
			switch {
			case full && len(prev.words) == 1 && strings.ContainsAny(last, "0123456789@._/"),
				wrapped && strings.HasSuffix(last, "/"):
				// a code, an address, a date too long for the cell, broken at its edge
			case list && !pdfJoinsPhrase(last, w.s):
				// one item per line ("pagamenti spontanei" / "caricamento flussi"), unless a
				// function word binds the lines ("web services dal gestionale" / "dell'ente")
				s.WriteByte('\n')
			case wrapped:
				s.WriteByte(' ')
			default:
				s.WriteByte('\n')
			}
		}
		s.WriteString(l.text())
	}
	return s.String()
}

// pdfJoinsPhrase tells whether a line ending in last and a line starting with first are
// one phrase: one of them is a preposition or an article ("dal", "dell'ente").
func pdfJoinsPhrase(last, first string) bool {
	word := func(w string) string {
		w = strings.ToLower(strings.Trim(w, ",;:.()"))
		if i := strings.IndexAny(w, "'’"); i > 0 {
			w = w[:i]
		}
		return w
	}
	return lblStop[word(last)] || lblStop[word(first)]
}

func (b pdfBlock) texts() []string { return b.appendTexts(make([]string, 0, len(b.lines))) }

// appendTexts appends the block's lines less " :*" at their ends to dst.
func (b pdfBlock) appendTexts(dst []string) []string {
	for _, l := range b.lines {
		dst = append(dst, strings.TrimRight(l.text(), " :*"))
	}
	return dst
}

// blocks returns the row's columns, left to right, taken from the page's arena (nil: allocated).
func (r pdfRow) blocks(arena *pdfArena) []pdfBlock {
	// Two passes: the columns and their cells counted, then the blocks and cells taken at
	// their sizes.
	var colsBuf, countBuf [16]int
	cols, count := colsBuf[:0], countBuf[:0]
	n := 0
	for _, l := range r.lines {
		for _, c := range l.cells {
			k := slices.Index(cols, c.col)
			if k < 0 {
				cols, count = append(cols, c.col), append(count, 0)
				k = len(cols) - 1
			}
			count[k]++
			n++
		}
	}
	var bs []pdfBlock
	if len(cols) > 0 {
		bs = arena.takeBlocks(len(cols))
	}
	for k, col := range cols {
		bs[k] = pdfBlock{col: col}
	}
	all := arena.takeCells(n)
	off := 0
	for k := range bs {
		bs[k].lines = all[off : off : off+count[k]]
		off += count[k]
	}
	for _, l := range r.lines {
		for _, c := range l.cells {
			k := slices.IndexFunc(bs, func(b pdfBlock) bool { return b.col == c.col })
			if len(c.words) > 1 {
				c.joined = c.text() // read several times: label, value, prose
			}
			bs[k].lines = append(bs[k].lines, c)
		}
	}
	slices.SortFunc(bs, func(a, b pdfBlock) int { return a.col - b.col })
	for k := range bs {
		if len(bs[k].lines) > 1 {
			bs[k].joined = bs[k].label() // read several times: header, label, value
		}
	}
	return bs
}

// pdfMarks are the cells that only tick the option beside them.
var pdfMarks = map[string]bool{"x": true, "X": true, "✓": true, "✔": true, "☒": true, "☑": true, "■": true, "⌧": true, "✗": true, "✘": true}

// pdfIsMark tells a cell that is one of pdfMarks; a word of a letter, longer than any, is not
// looked up.
func pdfIsMark(c pdfCell) bool {
	return len(c.words) == 1 && len(c.words[0].s) <= pdfMarkMax && pdfMarks[c.words[0].s]
}

// pdfMarkMax is the length of the longest of pdfMarks.
var pdfMarkMax = func() (n int) {
	for m := range pdfMarks {
		n = max(n, len(m))
	}
	return n
}()

// pdfMergeMarks moves a column of ticks ("X" beside the options it ticks) onto the lines of
// the options, "MyPivot X", which the form grammar reads as a mark after the option.
func pdfMergeMarks(bs []pdfBlock) []pdfBlock {
	for i := len(bs) - 1; i >= 1; i-- {
		marks := bs[i]
		if slices.ContainsFunc(marks.lines, func(c pdfCell) bool { return !pdfIsMark(c) }) {
			continue
		}
		opts := &bs[i-1]
		if len(opts.lines) < 2 || lblIsLabel(opts.label()) {
			continue // one option, or a label: the mark stays a cell of its own
		}
		moved := true
		for _, m := range marks.lines {
			k := slices.IndexFunc(opts.lines, func(c pdfCell) bool { return c.y-m.y < 2 && m.y-c.y < 2 })
			if k < 0 {
				moved = false
				break
			}
		}
		if !moved {
			continue
		}
		for _, m := range marks.lines {
			k := slices.IndexFunc(opts.lines, func(c pdfCell) bool { return c.y-m.y < 2 && m.y-c.y < 2 })
			c := &opts.lines[k]
			c.words, c.joined = append(slices.Clone(c.words), m.words...), ""
		}
		opts.joined = ""
		bs = slices.Delete(bs, i, i+1)
	}
	return bs
}

// pdfExactLabel reports whether text is exactly a field's label (or key), not a value that
// merely contains a label's words ("Software house S.r.l.").
func pdfExactLabel(text string) bool {
	_, score, ok := lblMatchers[""].match(strings.TrimRight(strings.TrimSpace(text), " :*"))
	return ok && score >= 10000
}

// pdfLabelBlock reports whether every line of a block is a label: "denominazione / codice
// fiscale / codice IPA" is a list of labels, never a value.
func pdfLabelBlock(lines []string) bool {
	if len(lines) < 2 {
		return false
	}
	// Each line is tried first: most blocks' first line is no label, and the lines joined are
	// long.
	var first string
	several := false
	for i, l := range lines {
		f, score, ok := lblMatchers[""].match(strings.TrimRight(strings.TrimSpace(l), " :*"))
		if !ok || score < 10000 {
			return false // each line exactly a label: "legale dell'ente" is not
		}
		if i == 0 {
			first = f.Key
		}
		several = several || f.Key != first
	}
	// "Indirizzo della" / "sede" is one label, and so are lines that are one label joined.
	return several && !pdfExactLabel(strings.Join(lines, " "))
}

// pdfTitleLine is the first line of a page that names a form, "" if none does.
func pdfTitleLine(pg pdfPage) string {
	mem := pdfPageMems.Get().(*pdfPageMem)
	defer mem.put()
	for _, l := range pdfLinesIn(pg.glyphs, &mem.lines) {
		var parts []string
		for _, c := range l.cells {
			parts = append(parts, c.text())
		}
		if t := strings.Join(parts, " "); lblFindMarker(t) != "" {
			return t
		}
	}
	return ""
}

// pdfLayoutItems reads one page's glyphs and rules as items: table rows as label/value pairs,
// the other lines as text.
func pdfLayoutItems(page int, pg pdfPage) []frItem {
	mem := pdfPageMems.Get().(*pdfPageMem)
	defer mem.put()
	var lines []pdfLine
	if pg.scratch {
		lines = pdfLinesOf(pg.glyphs, &mem.lines)
	} else {
		lines = pdfLinesIn(pg.glyphs, &mem.lines)
	}
	if len(lines) == 0 {
		return nil
	}
	right := pdfColumnsIn(lines, &mem.cols)
	rows := pdfRowsIn(mem.rowBuf, lines, pg.rules)
	mem.rowBuf = rows
	cells := 0
	for _, l := range lines {
		cells += len(l.cells)
	}
	arena := &mem.rows
	items := pdfGetItems(cells) // about one item a cell: grown once, if ever
	var la lblArena             // the tokens of the labels kept with the items
	var text []string           // consecutive one-column rows, read as lines of text
	textRow, textHidden := 0, false
	flush := func() {
		if len(text) > 0 {
			start := len(items)
			items = tfAppendLinesToItems(items, text, &la)
			for k := start; k < len(items); k++ {
				if it := &items[k]; it.pair {
					it.how = HowLine
					it.where = pdfWhere(page, textRow)
					if pdfExactLabel(it.value) || pdfLabelBlock(strings.Split(it.value, "\n")) {
						it.value = "" // a label is never a value
					}
					it.value, it.sig = pdfPlausible(it.label, it.value, nil)
				}
			}
			if textHidden {
				pdfHideItems(items[start:])
			}
			text, textHidden = text[:0], false
		}
	}
	section := ""
	var yn pdfYesNo
	rowItems := func(bs []pdfBlock, where pdfPlace) []frItem { return pdfRowItems(bs, right, &section, where, &la) }
	for i, r := range rows {
		bs := r.blocks(arena)
		hidden := r.hidden()
		where := pdfPlace{page, i + 1} // written out only for a pair
		it, ok := yn.row(bs, where, rowItems)
		if hidden {
			pdfHideItems(it) // the row's answer, or the options group it closed
		}
		if len(it) > 0 {
			flush()
			items = append(items, it...)
		}
		if ok {
			yn.hidden = yn.hidden || hidden
			continue
		}
		if len(bs) == 1 {
			if r.ruled {
				flush()
				if l := bs[0].label(); len(bs[0].lines) > 1 && pdfExactLabel(l) && !hidden {
					// A bordered row holding only a wrapped label: its value is empty,
					// never the label's own second line.
					items = append(items, frItem{label: l, pair: true, how: HowTable, where: where.String()})
					continue
				}
			}
			if len(text) == 0 {
				textRow = i + 1
			}
			text = bs[0].appendTexts(text)
			textHidden = textHidden || hidden
			continue
		}
		flush()
		start := len(items)
		items = pdfAppendRowItems(items, bs, right, &section, where, &la)
		row := items[start:]
		if !r.ruled && pdfProseRow(bs) {
			for k := range row {
				if row[k].pair && row[k].value != "" && row[k].sig.Kind == "" {
					row[k].sig = Signal{SigProse, say.Text("doubt.prose", row[k].label+" "+row[k].value)}
				}
			}
		}
		if hidden {
			pdfHideItems(row)
		}
	}
	flush()
	return append(items, yn.end(rowItems)...)
}

// pdfWhere is the provenance of a row: "pagina 1, riga 3".
func pdfWhere(page, row int) string {
	return "pagina " + strconv.Itoa(page) + ", riga " + strconv.Itoa(row)
}

// pdfPlace is a row of a page, as a pair's provenance names it.
type pdfPlace struct{ page, row int }

func (p pdfPlace) String() string { return pdfWhere(p.page, p.row) }

// pdfProseRow tells a line of a justified paragraph from a table row: a printed letter's
// word gaps make each word a cell, so most cells of such a "row" are one word, many of them.
func pdfProseRow(bs []pdfBlock) bool {
	words := 0
	for _, b := range bs {
		if len(b.lines) == 1 && !strings.Contains(strings.TrimSpace(b.lines[0].text()), " ") {
			words++
		}
	}
	return len(bs) >= 6 && words*3 >= len(bs)*2
}

// pdfYesNo reads "Sì | No" columns: a header row with the two words (after a label, or
// alone), then rows of a label or an option with a mark under one of them. After a label
// ("Servizi | Sì | No", then "MyPay | X"), the options marked Sì are that label's value;
// alone, each row's label takes the word its mark stands under.
type pdfYesNo struct {
	head    map[int]string // column -> "Sì" or "No"
	label   string         // the label of an options group, "" for a plain header
	options []string
	rows    int        // option rows read
	pending []pdfBlock // the header row, read as an ordinary row if no option follows
	where   pdfPlace
	hidden  bool // a row of the group is text a reader does not see
}

func (yn *pdfYesNo) row(bs []pdfBlock, where pdfPlace, rowItems func([]pdfBlock, pdfPlace) []frItem) ([]frItem, bool) {
	// A header row: "Sì" and "No" in two columns at least, after a label or not. Most rows are
	// none: found without a map.
	words := 0
	for k, b := range bs {
		if pdfYesNoWord(b.label()) != "" {
			words++ // blocks are columns: each a column of its own
		} else if k > 0 || len(bs) == 1 {
			words = 0
			break
		}
	}
	var head map[int]string
	if words >= 2 {
		head = map[int]string{}
		for _, b := range bs {
			if w := pdfYesNoWord(b.label()); w != "" {
				head[b.col] = w
			}
		}
	}
	if len(head) >= 2 {
		out := yn.end(rowItems)
		yn.head, yn.label, yn.where = head, "", where
		if _, isHead := head[bs[0].col]; !isHead {
			yn.label, yn.pending = bs[0].label(), bs
		}
		return out, true
	}
	if yn.head == nil || len(bs) != 2 || !pdfMarks[bs[1].label()] {
		return yn.end(rowItems), false
	}
	answer, ok := yn.head[bs[1].col]
	if !ok {
		return yn.end(rowItems), false
	}
	if yn.label != "" {
		yn.rows++
		if answer == "sì" {
			yn.options = append(yn.options, bs[0].label())
		}
		return nil, true
	}
	return []frItem{{label: bs[0].label(), value: answer, pair: true, how: HowTable, where: where.String()}}, true
}

// pdfYesNoWord is "sì" or "no" for a cell that says it, in any case, "" for any other.
func pdfYesNoWord(label string) string {
	if len(label) > 9 {
		return "" // lowering shrinks a character to a third of its bytes at most
	}
	switch t := strings.ToLower(label); t {
	case "sì", "si":
		return "sì"
	case "no":
		return "no"
	}
	return ""
}

// end closes an options group: its label and the options marked Sì. A header row that no
// option row followed ("Adesione … | Sì | No", boxes drawn, not written) is an ordinary row.
func (yn *pdfYesNo) end(rowItems func([]pdfBlock, pdfPlace) []frItem) []frItem {
	var out []frItem
	switch {
	case yn.label != "" && yn.rows == 0:
		out = rowItems(yn.pending, yn.where)
	case yn.label != "":
		v := ""
		if len(yn.options) > 0 {
			v = "☒ " + strings.Join(yn.options, " ☒ ")
		}
		out = append(out, frItem{label: yn.label, value: v, pair: true, how: HowTable, where: yn.where.String()})
	}
	if yn.hidden {
		pdfHideItems(out)
	}
	*yn = pdfYesNo{}
	return out
}

// pdfRowItems pairs the cells of one table row. A label cell takes the next cell as its value
// unless that cell is a label too: then the first is a section ("Ente" | "Codice fiscale" |
// value) whose name is kept in front of the labels after it. A block of labels next to a
// block of values of as many lines pairs line by line.
func pdfRowItems(bs []pdfBlock, right []float32, section *string, where pdfPlace, la *lblArena) []frItem {
	return pdfAppendRowItems(make([]frItem, 0, len(bs)), bs, right, section, where, la)
}

// pdfAppendRowItems is pdfRowItems appending to items: a page's rows go straight into its
// items, not through a slice a row; the labels' tokens kept with them come from la.
func pdfAppendRowItems(items []frItem, bs []pdfBlock, right []float32, section *string, where pdfPlace, la *lblArena) []frItem {
	// in is the label's tokens when they are read already (nil: not).
	pair := func(label, value, doubt string, in *lblLabel) {
		if *section != "" && !strings.Contains(strings.ToLower(label), strings.ToLower(*section)) {
			label, in = *section+" "+label, nil
		}
		value, sig := pdfPlausible(label, value, in)
		if doubt != "" {
			sig = Signal{SigTwoValues, doubt}
		}
		items = append(items, frItem{label: label, value: value, pair: true, how: HowTable, where: where.String(), sig: sig})
	}
	if bs[0].col > 0 && len(bs) >= 2 && *section != "" {
		// A row under a section cell that spans several rows: the section still holds.
	} else {
		*section = ""
	}
	bs = pdfMergeMarks(bs)
	var linesBuf, nextBuf [4]string // most cells are a line or two
	for i := 0; i < len(bs); i++ {
		b := bs[i]
		lines := b.appendTexts(linesBuf[:0])
		label := b.label()
		isBlock := pdfLabelBlock(lines)
		var in lblLabel
		isLabel := false
		if !isBlock {
			in = la.labelOf(label)
			_, _, isLabel = lblMatchers[""].matchRead(label, in)
		}
		if !isBlock && !isLabel {
			if len(bs) == 2 && i == 0 && !pdfExactLabel(bs[1].label()) && !pdfLabelBlock(bs[1].texts()) {
				// Two cells side by side: a label this reader does not know ("Codice"
				// under a section heading) may still be one to the form's sections.
				pair(label, bs[1].value(right[bs[1].col], false), "", &in)
				break
			}
			// The cell's text less " :*" at its ends has the same tokens: frBuild reads
			// them from here.
			items = append(items, frItem{label: strings.Join(lines, " "), in: in})
			continue
		}
		if i+1 >= len(bs) {
			if isBlock {
				for _, l := range lines {
					pair(l, "", "", nil)
				}
			} else {
				pair(label, "", "", nil)
			}
			break
		}
		next := bs[i+1]
		nextLines := next.appendTexts(nextBuf[:0])
		nextIsLabel := pdfExactLabel(next.label()) || pdfLabelBlock(nextLines)
		switch {
		case nextIsLabel && !isBlock:
			*section = label // "Ente" | "denominazione / codice fiscale / codice IPA" | values
			continue
		case nextIsLabel:
			for _, l := range lines {
				pair(l, "", "", nil)
			}
			continue
		case isBlock && len(nextLines) == len(lines):
			for k := range lines {
				pair(lines[k], nextLines[k], "", nil)
			}
		case isBlock && lblIsLabel(label) && len(nextLines) <= 2:
			pair(label, next.value(right[next.col], pdfListLabel(label, nil)), "", nil)
		case isBlock:
			d := say.Text("doubt.cell_lines", len(lines), len(nextLines))
			for k := range lines {
				v := ""
				if k < len(nextLines) {
					v = nextLines[k]
				}
				pair(lines[k], v, d, nil)
			}
		default:
			pair(label, next.value(right[next.col], pdfListLabel(label, &in)), "", &in)
		}
		i++
	}
	return items
}

// pdfMatch matches a label among every form's fields, with its tokens if they are read
// already (in, nil if not).
func pdfMatch(label string, in *lblLabel) (Field, int, bool) {
	if in == nil {
		return lblMatchers[""].match(label)
	}
	return lblMatchers[""].matchRead(label, *in)
}

// pdfListLabel tells a label whose field holds a list (IP addresses, web services).
func pdfListLabel(label string, in *lblLabel) bool {
	f, _, ok := pdfMatch(label, in)
	return ok && frIsList(f.Kind)
}

var (
	pdfDateRe = regexp.MustCompile(`^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$`)
	pdfIPRe   = regexp.MustCompile(`\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:`)
)

// pdfPlausible checks a value read from a printed table against its label's kind, before
// anyone validates it: a date is never an IP address (it stood in the next cell, or the
// next row), so it is dropped; a date field without a digit is kept, with a doubt in
// Italian for staff.
func pdfPlausible(label, value string, in *lblLabel) (string, Signal) {
	v := strings.TrimSpace(value)
	if v == "" {
		return value, Signal{} // an empty value: its label is not read
	}
	f, _, ok := pdfMatch(label, in)
	if !ok {
		return value, Signal{}
	}
	switch {
	case f.Kind == KindIPs && !pdfIPRe.MatchString(v) && slices.ContainsFunc(strings.Fields(v), pdfDateRe.MatchString):
		return "", Signal{}
	case f.Kind == KindDate && !strings.ContainsFunc(v, unicode.IsDigit):
		return value, Signal{SigShape, say.Text("doubt.not_a_date", v)}
	}
	return value, Signal{}
}
