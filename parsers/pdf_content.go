package parsers

import (
	"math"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// The text of a page as glyphs with their positions (PDF 32000-1, 9.4: text state, text
// matrix, glyph widths), read by our own interpreter over ledongthuc/pdf's object graph. Its
// Page.Content adds a stray glyph after every TJ and re-reads each font at every Tf; this one
// reads each font once per page and keeps every stream inside the document's budget.

// pdfGlyph is one character drawn on a page, in points from the bottom left corner.
type pdfGlyph struct {
	x, y, w, size float32
	s             string
	hidden        bool // drawn invisible (Tr 3: a scan's OCR layer)
	off           bool // outside the page's visible box
}

// pdfGlyphBufs keeps the memory of a page's glyphs for the next page: the glyphs are read
// into words and lines, which copy their text, and not used after.
var pdfGlyphBufs sync.Pool

func pdfGetGlyphs() []pdfGlyph {
	if p, ok := pdfGlyphBufs.Get().(*[]pdfGlyph); ok {
		return (*p)[:0]
	}
	return make([]pdfGlyph, 0, 512)
}

// pdfPutGlyphs gives back a page's glyphs, once nothing reads them any more.
func pdfPutGlyphs(g []pdfGlyph) {
	if cap(g) > 0 && cap(g) <= 1<<16 {
		pdfGlyphBufs.Put(&g)
	}
}

// pdfRule is a horizontal edge drawn on a page (a table border, the top or bottom of a
// shaded cell), from x0 to x1 at height y.
type pdfRule struct{ x0, x1, y float32 }

// pdfPage is what the layout needs of one page.
type pdfPage struct {
	glyphs []pdfGlyph
	rules  []pdfRule
	// scratch: the layout may drop and reorder glyphs in place, nothing reads them after (no
	// copy of them is made)
	scratch bool
}

// pdfMatrix is an affine transform [a b c d e f] (PDF 32000-1, 8.3.4).
type pdfMatrix [6]float64

var pdfIdentity = pdfMatrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (apply m, then n).
func (m pdfMatrix) mul(n pdfMatrix) pdfMatrix {
	return pdfMatrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func (m pdfMatrix) apply(x, y float64) (float64, float64) {
	return x*m[0] + y*m[2] + m[4], x*m[1] + y*m[3] + m[5]
}

type pdfGState struct {
	ctm                       pdfMatrix
	tc, tw, th, tl, rise, tfs float64
	font                      *pdfFont
	invisible                 bool // text render mode 3 or 7: neither filled nor stroked
}

// pdfMaxXObjectDepth bounds form XObjects drawn inside form XObjects.
const pdfMaxXObjectDepth = 3

// pdfReadPage interprets the content of one page. A panic of the object reader (a damaged
// object) ends the page with what was read so far.
func pdfReadPage(page pdfValue, b *pdfBudget) (pg pdfPage) {
	in := &pdfInterp{b: b, fonts: map[string]*pdfFont{}, res: pdfInherited(page, "Resources")}
	in.page.glyphs = pdfGetGlyphs()
	defer func() {
		if r := recover(); r != nil {
			pg = in.page
		}
		in.releaseFonts()
	}()
	in.g = pdfGState{ctm: pdfIdentity, th: 1}
	in.run(page.Key("Contents"), 0)
	in.drawnBoxes()
	pdfHideOffPage(page, in.page.glyphs)
	return in.page
}

// pdfBox is a small square drawn on a page: a check box printed as graphics (Word's legacy
// check boxes, as LibreOffice prints them), ticked when two strokes cross inside it.
type pdfBox struct{ x0, y0, x1, y1 float64 }

// drawnBoxes adds a glyph "☒" or "☐" where a check box is drawn, so that the line reads as
// if the mark were written.
func (in *pdfInterp) drawnBoxes() {
	for _, b := range in.boxes {
		mark := "☐"
		for _, s := range in.strokes {
			if s[0] >= b.x0-1 && s[0] <= b.x1+1 && s[2] >= b.x0-1 && s[2] <= b.x1+1 &&
				s[1] >= b.y0-1 && s[1] <= b.y1+1 && s[3] >= b.y0-1 && s[3] <= b.y1+1 {
				mark = "☒"
				break
			}
		}
		h := b.y1 - b.y0
		in.page.glyphs = append(in.page.glyphs, pdfGlyph{x: float32(b.x0), y: float32(b.y0 + 0.18*h),
			w: float32(b.x1 - b.x0), size: float32(h), s: mark})
	}
}

// pdfPageTitle reads a page until a line names a form, and returns that line: a title is
// drawn first, so a filled form's page is seldom read to the end.
func pdfPageTitle(page pdfValue, b *pdfBudget) (title string) {
	in := &pdfInterp{b: b, fonts: map[string]*pdfFont{}, res: pdfInherited(page, "Resources")}
	in.page.glyphs = pdfGetGlyphs()
	defer func() {
		if r := recover(); r != nil {
			title = pdfTitleLine(in.page)
		}
		pdfPutGlyphs(in.page.glyphs)
		in.releaseFonts()
	}()
	in.g = pdfGState{ctm: pdfIdentity, th: 1}
	in.onET = func() bool {
		in.ets++
		if in.ets > 8 || len(in.page.glyphs) == in.seen {
			return false
		}
		in.seen = len(in.page.glyphs)
		title = pdfTitleLine(in.page)
		return title != ""
	}
	in.run(page.Key("Contents"), 0)
	if title == "" {
		title = pdfTitleLine(in.page)
	}
	return title
}

// pdfInherited finds a page attribute on the page or its ancestors (PDF 32000-1, 7.7.3.4).
func pdfInherited(page pdfValue, key string) pdfValue {
	v := page
	for range 32 {
		if v.IsNull() {
			break
		}
		if r := v.Key(key); !r.IsNull() {
			return r
		}
		v = v.Key("Parent")
	}
	return pdfValue{}
}

type pdfInterp struct {
	b     *pdfBudget
	page  pdfPage
	res   pdfValue
	fonts map[string]*pdfFont
	g     pdfGState
	stack []pdfGState
	tm    pdfMatrix
	tlm   pdfMatrix
	path  struct{ x, y float64 } // current point, for horizontal line segments
	// onET, when set, runs at the end of each text object; true stops the reading.
	onET         func() bool
	ets, seen    int
	stop         bool
	boxes        []pdfBox
	strokes      [][4]float64 // diagonal segments
	loaded       []*pdfFont   // fonts whose tables go back to pdfFontTables after the page
	fontDict     pdfValue     // the resources' /Font, once read
	fontDictRead bool
	// the glyph width scale and size of the last string shown, and what they were worked
	// out from
	scaleOf [8]float64
	wScale  float64
	size    float32
}

// run interprets a content stream, or an array of streams read as one.
func (in *pdfInterp) run(contents pdfValue, depth int) {
	if contents.Kind() == pkArray {
		for i := range min(contents.Len(), 256) {
			if in.b.err != nil || in.stop {
				return
			}
			in.run(contents.Index(i), depth)
		}
		return
	}
	if contents.Kind() != pkStream || in.b.err != nil {
		return
	}
	lx := pdfStreamLexer(contents, in.b)
	defer lx.close()
	ops := lx.operands()
	for in.b.err == nil && !in.stop {
		t := lx.next()
		if t.kind == ptEOF {
			return
		}
		if t.kind != ptOp {
			if len(ops) < 16 {
				ops = append(ops, t)
			}
			continue
		}
		in.op(t.s, ops, lx, depth)
		ops = ops[:0]
		lx.release()
	}
}

func pdfNum(ops []pdfTok, i int) float64 {
	if i < len(ops) && ops[i].kind == ptNum {
		return ops[i].num
	}
	return 0
}

func pdfOpsMatrix(ops []pdfTok) (pdfMatrix, bool) {
	if len(ops) < 6 {
		return pdfMatrix{}, false
	}
	var m pdfMatrix
	for i := range 6 {
		m[i] = pdfNum(ops, len(ops)-6+i)
	}
	return m, true
}

func (in *pdfInterp) op(op string, ops []pdfTok, lx *pdfLexer, depth int) {
	g := &in.g
	switch op {
	case "q":
		if len(in.stack) < 64 {
			in.stack = append(in.stack, *g)
		}
	case "Q":
		if n := len(in.stack); n > 0 {
			*g = in.stack[n-1]
			in.stack = in.stack[:n-1]
		}
	case "cm":
		if m, ok := pdfOpsMatrix(ops); ok {
			g.ctm = m.mul(g.ctm)
		}
	case "BT":
		in.tm, in.tlm = pdfIdentity, pdfIdentity
	case "ET":
		if in.onET != nil && in.onET() {
			in.stop = true
		}
	case "Tc":
		g.tc = pdfNum(ops, 0)
	case "Tw":
		g.tw = pdfNum(ops, 0)
	case "Tz":
		g.th = pdfNum(ops, 0) / 100
	case "TL":
		g.tl = pdfNum(ops, 0)
	case "Ts":
		g.rise = pdfNum(ops, 0)
	case "Tr":
		m := pdfNum(ops, 0)
		g.invisible = m == 3 || m == 7
	case "Tf":
		if len(ops) >= 2 && ops[0].kind == ptName {
			g.font = in.font(ops[0].s)
			g.tfs = pdfNum(ops, 1)
		}
	case "Td", "TD":
		tx, ty := pdfNum(ops, 0), pdfNum(ops, 1)
		if op == "TD" {
			g.tl = -ty
		}
		in.tlm = pdfMatrix{1, 0, 0, 1, tx, ty}.mul(in.tlm)
		in.tm = in.tlm
	case "Tm":
		if m, ok := pdfOpsMatrix(ops); ok {
			in.tm, in.tlm = m, m
		}
	case "T*":
		in.nextLine()
	case "Tj":
		if len(ops) > 0 && ops[0].kind == ptStr {
			in.show(ops[0].s)
		}
	case "'":
		in.nextLine()
		if len(ops) > 0 && ops[len(ops)-1].kind == ptStr {
			in.show(ops[len(ops)-1].s)
		}
	case "\"":
		if len(ops) == 3 {
			g.tw, g.tc = pdfNum(ops, 0), pdfNum(ops, 1)
		}
		in.nextLine()
		if len(ops) > 0 && ops[len(ops)-1].kind == ptStr {
			in.show(ops[len(ops)-1].s)
		}
	case "TJ":
		if len(ops) == 0 || ops[0].kind != ptArray {
			return
		}
		for _, e := range ops[0].arr {
			switch e.kind {
			case ptStr:
				in.show(e.s)
			case ptNum:
				// [1 0 0 1 tx 0] × Tm, the products with zeros left out
				tx := pdfPerMille(-e.num) * g.tfs * g.th
				in.tm[4], in.tm[5] = tx*in.tm[0]+in.tm[4], tx*in.tm[1]+in.tm[5]
			}
		}
	case "re":
		if len(ops) == 4 {
			x, y, w, h := pdfNum(ops, 0), pdfNum(ops, 1), pdfNum(ops, 2), pdfNum(ops, 3)
			in.rule(x, y, x+w, y)
			in.rule(x, y+h, x+w, y+h)
			ax, ay := in.g.ctm.apply(x, y)
			bx, by := in.g.ctm.apply(x+w, y+h)
			bw, bh := math.Abs(bx-ax), math.Abs(by-ay)
			if bw >= 5 && bw <= 16 && math.Abs(bw-bh) <= 1.5 && len(in.boxes) < 2000 {
				in.boxes = append(in.boxes, pdfBox{min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)})
			}
		}
	case "m":
		in.path.x, in.path.y = pdfNum(ops, 0), pdfNum(ops, 1)
	case "l":
		x, y := pdfNum(ops, 0), pdfNum(ops, 1)
		in.rule(in.path.x, in.path.y, x, y)
		ax, ay := in.g.ctm.apply(in.path.x, in.path.y)
		bx, by := in.g.ctm.apply(x, y)
		if math.Abs(bx-ax) > 2 && math.Abs(by-ay) > 2 && len(in.strokes) < 4000 {
			in.strokes = append(in.strokes, [4]float64{ax, ay, bx, by})
		}
		in.path.x, in.path.y = x, y
	case "ID":
		lx.skipInlineImage()
	case "Do":
		if len(ops) > 0 && ops[0].kind == ptName && depth < pdfMaxXObjectDepth {
			in.xobject(ops[0].s, depth)
		}
	}
}

// xobject draws a form XObject: some producers put a whole page's text in one.
func (in *pdfInterp) xobject(name string, depth int) {
	x := in.res.Key("XObject").Key(name)
	if x.Kind() != pkStream || x.Key("Subtype").Name() != "Form" {
		return
	}
	saved, savedRes, savedFonts := in.g, in.res, in.fonts
	if m, ok := pdfArrayMatrix(x.Key("Matrix")); ok {
		in.g.ctm = m.mul(in.g.ctm)
	}
	savedDict, savedRead := in.fontDict, in.fontDictRead
	if r := x.Key("Resources"); !r.IsNull() {
		in.res, in.fonts, in.fontDictRead = r, map[string]*pdfFont{}, false
	}
	in.run(x, depth+1)
	in.g, in.res, in.fonts = saved, savedRes, savedFonts
	in.fontDict, in.fontDictRead = savedDict, savedRead
}

func pdfArrayMatrix(v pdfValue) (pdfMatrix, bool) {
	if v.Kind() != pkArray || v.Len() != 6 {
		return pdfMatrix{}, false
	}
	var m pdfMatrix
	for i := range 6 {
		m[i] = v.Index(i).Float64()
	}
	return m, true
}

// rule keeps a horizontal segment (after the CTM) as a possible row boundary.
func (in *pdfInterp) rule(x0, y0, x1, y1 float64) {
	ax, ay := in.g.ctm.apply(x0, y0)
	bx, by := in.g.ctm.apply(x1, y1)
	if math.Abs(ay-by) > 0.5 || math.Abs(ax-bx) < 4 || len(in.page.rules) >= 20000 {
		return
	}
	if ax > bx {
		ax, bx = bx, ax
	}
	in.page.rules = append(in.page.rules, pdfRule{float32(ax), float32(bx), float32(ay)})
}

func (in *pdfInterp) nextLine() {
	in.tlm = pdfMatrix{1, 0, 0, 1, 0, -in.g.tl}.mul(in.tlm)
	in.tm = in.tlm
}

// show draws a string: one glyph per character code, advancing the text matrix. The text
// rendering matrix of a glyph is [size×scale 0 0 size 0 rise] × Tm × CTM (PDF 32000-1,
// 9.4.4); within a string Tm only moves along its first row, so the glyphs' widths and size
// are worked out once and each glyph costs its position (the products with the matrices'
// zeros left out, which changes no result).
func (in *pdfInterp) show(s string) {
	g := &in.g
	f := g.font
	if f == nil {
		f = pdfFallbackFont
	}
	tm, c := &in.tm, &g.ctm
	a, d := g.tfs*g.th, g.tfs
	s0, s1, s2, s3 := a*tm[0], a*tm[1], d*tm[2], d*tm[3]
	if k := &in.scaleOf; s0 != k[0] || s1 != k[1] || s2 != k[2] || s3 != k[3] || c[0] != k[4] || c[1] != k[5] || c[2] != k[6] || c[3] != k[7] {
		// A TJ shows each of its strings with the same matrices: worked out once. (Compared
		// one by one, as the arrays' == compares them, without a call.)
		*k = [8]float64{s0, s1, s2, s3, c[0], c[1], c[2], c[3]}
		in.wScale = math.Hypot(s0*c[0]+s1*c[2], s0*c[1]+s1*c[3])
		in.size = float32(math.Hypot(s2*c[0]+s3*c[2], s2*c[1]+s3*c[3]))
	}
	wScale, size := in.wScale, in.size
	for len(s) > 0 {
		code, n := f.code(s)
		s = s[n:]
		text := f.text(code)
		w0 := f.width(code, text)
		em := pdfPerMille(w0) // the width in text space units
		if text != "" && in.b.err == nil {
			if in.b.glyphs--; in.b.glyphs < 0 {
				in.b.err = errPDFGlyphs
				return
			}
			p4, p5 := g.rise*tm[2]+tm[4], g.rise*tm[3]+tm[5]
			// Written field by field into its place: a glyph made whole, then copied, read
			// back the stores just made in wider loads, which the processor waits for.
			in.page.glyphs = append(in.page.glyphs, pdfGlyph{})
			gl := &in.page.glyphs[len(in.page.glyphs)-1]
			gl.x, gl.y = float32(p4*c[0]+p5*c[2]+c[4]), float32(p4*c[1]+p5*c[3]+c[5])
			gl.w = float32(em * wScale)
			gl.size = size
			gl.s = text
			gl.hidden = g.invisible
		}
		tx := em*g.tfs + g.tc
		if n == 1 && code == 32 {
			tx += g.tw
		}
		tx *= g.th
		tm[4], tm[5] = tx*tm[0]+tm[4], tx*tm[1]+tm[5]
	}
}

// pdfPerMilleOf is n/1000 for the integers n a font's widths and a TJ's kerning mostly are,
// worked out once.
var pdfPerMilleOf = func() (t [4096]float64) {
	for i := range t {
		t[i] = float64(i-2048) / 1000
	}
	return t
}()

// pdfPerMille is x/1000, the same number, without a division for most glyphs: a division's
// result is waited for by everything that moves the text position. Zero is divided, which
// keeps its sign.
func pdfPerMille(x float64) float64 {
	if i := int(x); i != 0 && float64(i) == x && i >= -2048 && i < 2048 {
		return pdfPerMilleOf[i+2048]
	}
	return x / 1000
}

// font loads a font resource once per page (resources dictionary).
func (in *pdfInterp) font(name string) *pdfFont {
	if f, ok := in.fonts[name]; ok {
		return f
	}
	var f *pdfFont
	if len(in.fonts) < 64 {
		if !in.fontDictRead {
			// Looked up once a page, not at every Tf.
			in.fontDict, in.fontDictRead = in.res.Key("Font"), true
		}
		f = loadPDFFont(in.fontDict.Key(name), in.b)
		in.fonts[name] = f
		if f != nil && f.pooled {
			in.loaded = append(in.loaded, f)
		}
	}
	return f
}

// pdfFont decodes character codes to text and gives their widths (1/1000 of the size).
type pdfFont struct {
	twoByte bool              // composite font: 2-byte codes (Identity-H and the like)
	toUni   map[uint32]string // from the ToUnicode CMap
	simple  *[256]string      // simple font: the encoding's characters
	widths  map[uint32]float64
	first   int
	wArr    []float64    // simple font widths from FirstChar
	dw      float64      // composite font default width
	one     *[256]string // a simple font's text of each code, from toUni and simple together
	pooled  bool         // one is from pdfFontTables
}

// pdfFallbackFont reads codes as Latin-1 when a font is missing.
var pdfFallbackFont = &pdfFont{simple: &pdfLatin1, one: &pdfLatin1}

var pdfLatin1 = func() (t [256]string) {
	for i := range t {
		if i >= 32 {
			t[i] = string(rune(i))
		}
	}
	return t
}()

func (f *pdfFont) code(s string) (uint32, int) {
	if f.twoByte && len(s) >= 2 {
		return uint32(s[0])<<8 | uint32(s[1]), 2
	}
	return uint32(s[0]), 1
}

func (f *pdfFont) text(code uint32) string {
	if f.one != nil && code < 256 {
		return f.one[code]
	}
	if t, ok := f.toUni[code]; ok {
		return t
	}
	if f.simple != nil && code < 256 {
		return f.simple[code]
	}
	return ""
}

func (f *pdfFont) width(code uint32, text string) float64 {
	switch {
	case f.wArr != nil:
		if i := int(code) - f.first; i >= 0 && i < len(f.wArr) {
			return f.wArr[i]
		}
	case f.widths != nil || f.twoByte:
		if w, ok := f.widths[code]; ok {
			return w
		}
		return f.dw
	}
	return pdfEstimateWidth(text)
}

// pdfEstimateWidth approximates a glyph width of a standard font (Helvetica-like), which
// the file need not describe (PDF 32000-1, 9.6.2.2): close enough to tell a word gap from a
// column gap.
func pdfEstimateWidth(text string) float64 {
	if text == "" {
		return 0
	}
	switch r := []rune(text)[0]; {
	case r == ' ' || strings.ContainsRune("iljtfrI.,:;'!|()[]/", r):
		return 278
	case r == 'm' || r == 'w' || r == 'M' || r == 'W' || r == '@':
		return 833
	case r >= 'A' && r <= 'Z':
		return 667
	}
	return 556
}

// Bounds of one font.
const (
	pdfMaxCMapBytes = 256 << 10
	pdfMaxCMapCodes = 1 << 16
)

func loadPDFFont(v pdfValue, b *pdfBudget) *pdfFont {
	if v.Kind() != pkDict {
		return nil
	}
	f := &pdfFont{}
	if v.Key("Subtype").Name() == "Type0" {
		f.twoByte = true
		f.dw = 1000
		desc := v.Key("DescendantFonts").Index(0)
		if dw := desc.Key("DW"); dw.Kind() == pkInt || dw.Kind() == pkReal {
			f.dw = dw.Float64()
		}
		f.widths = pdfCIDWidths(desc.Key("W"))
	} else {
		ws := v.Key("Widths")
		if n := ws.Len(); n > 0 && n <= 4096 {
			f.first = int(v.Key("FirstChar").Int64())
			f.wArr = make([]float64, n)
			for i := range n {
				f.wArr[i] = ws.Index(i).Float64()
			}
		}
		f.simple = pdfSimpleEncoding(v)
	}
	tu := v.Key("ToUnicode")
	if f.twoByte {
		if tu.Kind() == pkStream {
			m := map[uint32]string{}
			if pdfReadCMap(tu, b, func(c uint32, t string) bool {
				m[c] = t
				return len(m) < pdfMaxCMapCodes
			}) {
				f.toUni = m
			}
		}
		if strings.Contains(v.Key("BaseFont").Name(), "Wingdings") {
			pdfSymbolBoxes(f, strings.Contains(v.Key("BaseFont").Name(), "Wingdings2"))
		}
		return f
	}
	// A simple font: its codes are one byte, their text one table (the CMap's text, else the
	// encoding's), one lookup per glyph.
	wingdings := strings.Contains(v.Key("BaseFont").Name(), "Wingdings")
	if tu.Kind() != pkStream && !wingdings {
		f.one = f.simple // the encoding's table as it is
		return f
	}
	one := pdfGetFontTable()
	f.pooled = true
	var mapped [256]bool
	if tu.Kind() == pkStream {
		n := 0
		if pdfReadCMap(tu, b, func(c uint32, t string) bool {
			if c < 256 {
				one[c], mapped[c] = t, true
			}
			n++
			return n < pdfMaxCMapCodes
		}) {
			f.toUni = map[uint32]string{} // read: the Wingdings boxes go in it too
		} else {
			mapped = [256]bool{}
		}
	}
	if wingdings {
		pdfSymbolBoxes(f, strings.Contains(v.Key("BaseFont").Name(), "Wingdings2"))
	}
	for c := range one {
		if t, ok := f.toUni[uint32(c)]; ok {
			one[c] = t
		} else if !mapped[c] {
			one[c] = f.simple[c]
		}
	}
	f.one = one
	return f
}

// pdfFontTables keeps simple fonts' tables of text for the next page: a table is read only
// while its page is (a glyph keeps its text, not the table), and loadPDFFont writes each of
// its entries.
var pdfFontTables sync.Pool

func pdfGetFontTable() *[256]string {
	if t, ok := pdfFontTables.Get().(*[256]string); ok {
		return t
	}
	return new([256]string)
}

// releaseFonts gives back the tables of the fonts the page loaded, once it is read.
func (in *pdfInterp) releaseFonts() {
	for _, f := range in.loaded {
		if f.pooled {
			pdfFontTables.Put(f.one)
			f.one, f.pooled = nil, false
		}
	}
	in.loaded = nil
}

// pdfSymbolBoxes maps the check boxes of the Wingdings fonts, which Word uses for its check
// boxes, to the characters the form grammar reads: their codes otherwise read as "þ" or "¨"
// (or as private-use characters U+F0xx through a ToUnicode CMap).
func pdfSymbolBoxes(f *pdfFont, two bool) {
	boxes := map[uint32]string{0xFE: "☑", 0xFD: "☒", 0x78: "☒", 0xA8: "☐", 0x6F: "☐", 0xFC: "✓", 0xFB: "✗"}
	if two {
		boxes = map[uint32]string{0x52: "☑", 0x54: "☒", 0x4F: "☒", 0x51: "☒", 0xA3: "☐", 0x50: "✓"}
	}
	simple := pdfLatin1
	if f.simple != nil {
		simple = *f.simple
	}
	for c, t := range boxes {
		simple[c] = t
		if f.toUni != nil {
			f.toUni[c] = t
			f.toUni[0xF000+c] = t
		}
	}
	f.simple = &simple
}

// pdfCIDWidths reads a composite font's W array: "c [w1 w2 ...]" or "c1 c2 w" (PDF
// 32000-1, 9.7.4.3), bounded.
func pdfCIDWidths(w pdfValue) map[uint32]float64 {
	out := map[uint32]float64{}
	n := min(w.Len(), 8192)
	for i := 0; i+1 < n; {
		c := w.Index(i).Int64()
		next := w.Index(i + 1)
		if next.Kind() == pkArray {
			for j := range min(next.Len(), 8192) {
				out[uint32(c)+uint32(j)] = next.Index(j).Float64()
			}
			i += 2
			continue
		}
		if i+2 >= n {
			break
		}
		c2, wd := next.Int64(), w.Index(i+2).Float64()
		for k := c; k <= c2 && k-c < 8192 && len(out) < pdfMaxCMapCodes; k++ {
			out[uint32(k)] = wd
		}
		i += 3
	}
	return out
}

// pdfSimpleEncoding is the text of each code of a simple font: WinAnsi, MacRoman or a
// Differences array, as ledongthuc/pdf decodes them; Latin-1 when nothing is said.
func pdfSimpleEncoding(v pdfValue) *[256]string {
	enc := v.Key("Encoding")
	switch enc.Kind() {
	case pkName:
	case pkDict:
		if enc.Key("Differences").Len() > 512 {
			return &pdfLatin1
		}
	default:
		// No encoding: ledongthuc would read the ToUnicode CMap itself, unbounded.
		return &pdfLatin1
	}
	return pdfEncodingTable(enc)
}

// pdfReadCMap reads a ToUnicode CMap (bfchar and bfrange; PDF 32000-1, 9.10.3), bounded in
// bytes and codes, giving each code's text to set until it says no more; false if the CMap
// is too big to be a font's (what set was given is then not used).
func pdfReadCMap(v pdfValue, b *pdfBudget, set func(code uint32, text string) (more bool)) (ok bool) {
	sub := &pdfBudget{ctx: b.ctx, left: min(b.left, pdfMaxCMapBytes), glyphs: 0}
	lx := pdfStreamLexer(v, sub)
	defer lx.close()
	defer func() { b.left -= min(b.left, pdfMaxCMapBytes) - sub.left }()
	more := true
	ops := lx.operands()
	for sub.err == nil && more {
		t := lx.next()
		if t.kind == ptEOF {
			break
		}
		if t.kind != ptOp {
			if len(ops) < pdfMaxOperands {
				ops = append(ops, t)
			}
			continue
		}
		switch t.s {
		case "beginbfchar", "beginbfrange", "begincodespacerange":
			ops = ops[:0]
			lx.release()
		case "endbfchar":
			for i := 0; i+1 < len(ops); i += 2 {
				if ops[i].kind == ptStr && ops[i+1].kind == ptStr {
					more = set(pdfCode(ops[i].s), pdfUTF16(ops[i+1].s))
				}
			}
			ops = ops[:0]
			lx.release()
		case "endbfrange":
			for i := 0; i+2 < len(ops); i += 3 {
				lo, hi, dst := ops[i], ops[i+1], ops[i+2]
				if lo.kind != ptStr || hi.kind != ptStr {
					continue
				}
				a, z := pdfCode(lo.s), pdfCode(hi.s)
				for c := a; c <= z && c-a < 65536 && more; c++ {
					switch dst.kind {
					case ptStr:
						u := utf16.Decode(pdfUnits(dst.s))
						if len(u) > 0 {
							u[len(u)-1] += rune(c - a)
						}
						more = set(c, string(u))
					case ptArray:
						if k := int(c - a); k < len(dst.arr) && dst.arr[k].kind == ptStr {
							more = set(c, pdfUTF16(dst.arr[k].s))
						}
					}
				}
			}
			ops = ops[:0]
			lx.release()
		default:
			ops = ops[:0]
			lx.release()
		}
	}
	// A CMap this big is not a font's: the codes are read without it.
	return sub.err == nil
}

func pdfCode(s string) uint32 {
	var c uint32
	for i := 0; i < len(s) && i < 4; i++ {
		c = c<<8 | uint32(s[i])
	}
	return c
}

func pdfUnits(s string) []uint16 {
	u := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
	}
	return u
}

// pdfUTF16 decodes a CMap's UTF-16BE text. Without surrogates it is encoded straight into a
// string: a letter's is one byte, which costs no allocation.
func pdfUTF16(s string) string {
	var buf [64]byte
	b := buf[:0]
	for i := 0; i+1 < len(s); i += 2 {
		r := rune(s[i])<<8 | rune(s[i+1])
		if utf16.IsSurrogate(r) {
			return string(utf16.Decode(pdfUnits(s)))
		}
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}
