package parsers

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"sync"
	"unsafe"
)

// A small lexer for PDF content streams and ToUnicode CMaps (PDF 32000-1, 7.2, 7.3): every token is bounded (strings, arrays, operand
// stack), the bytes come through a budget that counts what inflating produced, and the
// deadline is checked as the bytes flow, so a hostile stream stops where the budget says.

// errPDFBudget is the error a stream read returns once the document's inflate budget is spent.
var errPDFBudget = errors.New("pdf: inflated streams exceed the budget")

// pdfBudget is what one PDF may cost: bytes inflated from its streams, glyphs, and time.
type pdfBudget struct {
	ctx    context.Context
	left   int64 // inflated bytes still allowed
	glyphs int   // glyphs still allowed
	err    error // the first limit hit (errPDFBudget, ctx.Err())
}

// budgetReader counts the bytes read from an inflated stream against the budget and checks
// the deadline every 64 KB.
type budgetReader struct {
	r     io.Reader
	b     *pdfBudget
	since int
}

func (br *budgetReader) Read(p []byte) (int, error) {
	if br.b.err != nil {
		return 0, br.b.err
	}
	if int64(len(p)) > br.b.left+1 {
		p = p[:br.b.left+1]
	}
	n, err := br.r.Read(p)
	br.b.left -= int64(n)
	if br.b.left < 0 {
		br.b.err = errPDFBudget
		return 0, br.b.err
	}
	if br.since += n; br.since >= 64<<10 {
		br.since = 0
		if e := br.b.ctx.Err(); e != nil {
			br.b.err = e
			return 0, e
		}
	}
	return n, err
}

// Token kinds.
const (
	ptEOF = iota
	ptNum
	ptStr
	ptName
	ptOp
	ptArray // a whole array, in arr
	ptDict  // a whole dictionary, skipped
)

// pdfTok is one operand or operator.
type pdfTok struct {
	kind int
	num  float64
	s    string // string bytes, name, or operator
	arr  []pdfTok
}

// Bounds of one token.
const (
	pdfMaxString = 32 << 10 // bytes kept of one string; the rest is read and dropped
	pdfMaxArray  = 4096     // elements kept of one array
	pdfMaxDepth  = 8        // nesting of arrays and dictionaries
)

type pdfLexer struct {
	src   io.Reader // where chunks come from; nil when buf holds the whole stream
	chunk []byte    // the memory chunks are read into
	buf   []byte    // the bytes not yet read are buf[pos:]
	pos   int
	word  []byte      // a word or string being read
	str   []byte      // the bytes of the strings returned since the last release
	tmp   [1][]pdfTok // the operands of an operator (operands)
	// skipping counts the dictionaries being skipped: arrays inside them are not kept
	skipping int
	arena    []pdfTok          // the arrays returned since the last release
	names    map[string]string // names and operators read before, kept with the lexer
	inflater *pdfInflate       // what src inflates, back to pdfInflaters at close; nil if none
	budget   budgetReader      // src when it is counted against a budget (streamBudget)
}

// pdfArenaSize bounds the elements the arrays of one operator's operands take from the arena;
// larger arrays get their own memory.
const pdfArenaSize = 2048

// pdfStrArena is the size of the memory the strings of one operator's operands share.
const pdfStrArena = 4096

// release lets the lexer reuse the memory of the arrays and strings it returned: call it once
// no token read so far is used any more (after each operator). Most arrays are a TJ's, read
// and used at once: they cost no allocation.
func (lx *pdfLexer) release() {
	lx.arena = lx.arena[:0]
	lx.str = lx.str[:0]
}

// pdfChunkSize is how much of an inflated stream the lexer holds at a time.
const pdfChunkSize = 16 << 10

// pdfLexers keeps lexers, with their memory, for the next stream.
var pdfLexers = sync.Pool{New: func() any { return new(pdfLexer) }}

// newPDFLexer reads tokens from r a chunk at a time; close it when done.
func newPDFLexer(r io.Reader) *pdfLexer {
	lx := pdfLexers.Get().(*pdfLexer)
	lx.src, lx.pos = r, 0
	if lx.chunk == nil {
		lx.chunk = make([]byte, pdfChunkSize)
	}
	lx.buf = lx.chunk[:0]
	return lx
}

// newPDFLexerBudget reads tokens from r a chunk at a time, its bytes counted against b; close
// it when done.
func newPDFLexerBudget(r io.Reader, b *pdfBudget) *pdfLexer {
	lx := newPDFLexer(nil)
	lx.budget = budgetReader{r: r, b: b}
	lx.src = &lx.budget
	return lx
}

// newPDFLexerBytes reads tokens from data, whole in memory; close it when done.
func newPDFLexerBytes(data []byte) *pdfLexer {
	lx := pdfLexers.Get().(*pdfLexer)
	lx.src, lx.buf, lx.pos = nil, data, 0
	return lx
}

// operands is memory for an operator's operands (up to pdfMaxOperands), kept with the lexer.
func (lx *pdfLexer) operands() []pdfTok {
	if cap(lx.tmp[0]) < pdfMaxOperands {
		lx.tmp[0] = make([]pdfTok, 0, pdfMaxOperands)
	}
	return lx.tmp[0][:0]
}

// pdfMaxOperands bounds the operands kept before an operator: a CMap's bfchar or bfrange
// block has at most 100 entries of 2 or 3.
const pdfMaxOperands = 3*100 + 3

// close puts the lexer back for another stream: no token it returned may be used after.
func (lx *pdfLexer) close() {
	if z := lx.inflater; z != nil {
		z.reset(nil)
		pdfInflaters.Put(z)
	}
	lx.src, lx.buf, lx.inflater, lx.budget = nil, nil, nil, budgetReader{}
	lx.release()
	pdfLexers.Put(lx)
}

// fill reads the next chunk; false at the end of the stream or on an error (a limit: the
// stream ends there).
func (lx *pdfLexer) fill() bool {
	if lx.src == nil {
		return false
	}
	for range 100 { // a reader may return nothing a few times before data or an error
		n, err := lx.src.Read(lx.chunk[:pdfChunkSize])
		if n > 0 {
			lx.buf, lx.pos = lx.chunk[:n], 0
			return true
		}
		if err != nil {
			break
		}
	}
	lx.src = nil
	return false
}

// readByte returns the next byte; false at the end of the stream. Inlined: a call only when a
// chunk ends.
func (lx *pdfLexer) readByte() (byte, bool) {
	if lx.pos < len(lx.buf) {
		c := lx.buf[lx.pos]
		lx.pos++
		return c, true
	}
	return lx.readByteSlow()
}

func (lx *pdfLexer) readByteSlow() (byte, bool) {
	if !lx.fill() {
		return 0, false
	}
	lx.pos = 1
	return lx.buf[0], true
}

// unread steps back over the byte readByte just returned.
func (lx *pdfLexer) unread() { lx.pos-- }

// Byte classes (PDF 32000-1, 7.2.2).
const (
	pcRegular = iota
	pcSpace
	pcDelim
)

var pdfClass = func() (t [256]uint8) {
	for _, c := range []byte(" \n\r\t\f\x00") {
		t[c] = pcSpace
	}
	for _, c := range []byte("()<>[]{}/%") {
		t[c] = pcDelim
	}
	return t
}()

// skipSpace skips white space and comments; false at the end of the stream.
func (lx *pdfLexer) skipSpace() (byte, bool) {
	for {
		for lx.pos < len(lx.buf) {
			c := lx.buf[lx.pos]
			lx.pos++
			switch pdfClass[c] {
			case pcSpace:
				continue
			case pcDelim:
				if c == '%' {
					if !lx.skipComment() {
						return 0, false
					}
					continue
				}
			}
			return c, true
		}
		if !lx.fill() {
			return 0, false
		}
	}
}

// skipComment drops bytes up to a line end; false at the end of the stream.
func (lx *pdfLexer) skipComment() bool {
	for {
		c, ok := lx.readByte()
		if !ok {
			return false
		}
		if c == '\n' || c == '\r' {
			return true
		}
	}
}

// next returns the next token, arrays whole (bounded), dictionaries skipped.
func (lx *pdfLexer) next() pdfTok { return lx.token(0) }

func (lx *pdfLexer) token(depth int) pdfTok {
	c, ok := lx.skipSpace()
	if !ok {
		return pdfTok{kind: ptEOF}
	}
	switch c {
	case '(':
		return pdfTok{kind: ptStr, s: lx.keep(lx.literal())}
	case '<':
		if d, ok := lx.readByte(); ok {
			if d == '<' {
				lx.skipDict(depth + 1)
				return pdfTok{kind: ptDict}
			}
			lx.unread()
		}
		return pdfTok{kind: ptStr, s: lx.keep(lx.hex())}
	case '/':
		return pdfTok{kind: ptName, s: lx.intern(lx.words(lx.word[:0]))}
	case '[':
		return lx.array(depth + 1)
	case ']', '>', ')', '}', '{':
		return pdfTok{kind: ptOp, s: pdfDelimOps[c]}
	}
	w := lx.regular(c)
	if n, ok := pdfNumberBytes(w); ok {
		return pdfTok{kind: ptNum, num: n}
	}
	return pdfTok{kind: ptOp, s: lx.intern(w)}
}

var pdfDelimOps = [256]string{']': "]", '>': ">", ')': ")", '}': "}", '{': "{"}

// keep returns a string of b's bytes that stays valid until the next release: the strings
// of an operator's operands share memory the lexer reuses, so a page's strings (one per TJ
// element, thousands) cost no allocation each. A string kept longer is cloned by its keeper.
func (lx *pdfLexer) keep(b []byte) string {
	switch len(b) {
	case 0:
		return ""
	case 1:
		return string(b) // one byte: no allocation
	}
	if len(lx.str)+len(b) > cap(lx.str) {
		// A new block; the strings in the old one keep it alive.
		lx.str = make([]byte, 0, max(pdfStrArena, len(b)))
	}
	start := len(lx.str)
	lx.str = append(lx.str, b...)
	return unsafe.String(&lx.str[start], len(b))
}

// pdfPow10 are the powers of ten a float64 holds exactly.
var pdfPow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// pdfNumberBytes is pdfNumber without making a string: the numbers of content streams
// ("-12.5", "0.24") are a mantissa under 2^53 and at most 22 decimals, which one division
// rounds exactly as strconv does; others go to strconv.
func pdfNumberBytes(w []byte) (float64, bool) {
	if len(w) == 0 {
		return 0, false
	}
	c := w[0]
	if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.') {
		return 0, false
	}
	i, neg := 0, false
	if c == '-' || c == '+' {
		neg, i = c == '-', 1
	}
	var mant uint64
	digits, frac, dot := 0, 0, false
	for ; i < len(w); i++ {
		switch d := w[i]; {
		case d >= '0' && d <= '9':
			mant = mant*10 + uint64(d-'0')
			if digits++; dot {
				frac++
			}
		case d == '.' && !dot:
			dot = true
		default:
			return pdfNumber(string(w))
		}
	}
	if digits == 0 || digits > 15 || frac >= len(pdfPow10) {
		return pdfNumber(string(w))
	}
	n := float64(mant)
	if frac > 0 {
		n /= pdfPow10[frac]
	}
	if neg {
		n = -n
	}
	return n, true
}

// pdfOperator is the name of an operator pages use, without a new string; "" for others.
func pdfOperator(w []byte) string {
	switch string(w) {
	case "Tj":
		return "Tj"
	case "TJ":
		return "TJ"
	case "Td":
		return "Td"
	case "TD":
		return "TD"
	case "Tm":
		return "Tm"
	case "Tf":
		return "Tf"
	case "T*":
		return "T*"
	case "BT":
		return "BT"
	case "ET":
		return "ET"
	case "q":
		return "q"
	case "Q":
		return "Q"
	case "cm":
		return "cm"
	case "re":
		return "re"
	case "m":
		return "m"
	case "l":
		return "l"
	case "f":
		return "f"
	case "f*":
		return "f*"
	case "S":
		return "S"
	case "n":
		return "n"
	case "W":
		return "W"
	case "W*":
		return "W*"
	case "h":
		return "h"
	case "c":
		return "c"
	case "g":
		return "g"
	case "G":
		return "G"
	case "rg":
		return "rg"
	case "RG":
		return "RG"
	case "cs":
		return "cs"
	case "CS":
		return "CS"
	case "sc":
		return "sc"
	case "scn":
		return "scn"
	case "SC":
		return "SC"
	case "SCN":
		return "SCN"
	case "gs":
		return "gs"
	case "w":
		return "w"
	case "Do":
		return "Do"
	case "Tc":
		return "Tc"
	case "Tw":
		return "Tw"
	case "Tz":
		return "Tz"
	case "TL":
		return "TL"
	case "Ts":
		return "Ts"
	case "Tr":
		return "Tr"
	case "BDC":
		return "BDC"
	case "BMC":
		return "BMC"
	case "EMC":
		return "EMC"
	}
	return ""
}

// pdfMaxNames bounds the names a lexer keeps; it starts again once that many are kept.
const pdfMaxNames = 512

// intern returns a name or an operator as a string, the one made for it before if any: a
// stream's names (fonts, CMap keywords, marked content) repeat, one allocation each.
func (lx *pdfLexer) intern(w []byte) string {
	if s := pdfOperator(w); s != "" {
		return s
	}
	if s, ok := lx.names[string(w)]; ok {
		return s
	}
	if lx.names == nil || len(lx.names) >= pdfMaxNames {
		lx.names = make(map[string]string, 64)
	}
	s := string(w)
	lx.names[s] = s
	return s
}

// pdfNumber parses an integer or real as PDF writes them ("12", "-.5", "3.").
func pdfNumber(w string) (float64, bool) {
	if w == "" {
		return 0, false
	}
	c := w[0]
	if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.') {
		return 0, false
	}
	n, err := strconv.ParseFloat(w, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// words reads regular characters after those in b up to a delimiter or white space (at
// most 256 kept), in the lexer's buffer (valid until the next token).
func (lx *pdfLexer) words(b []byte) []byte {
	for {
		for lx.pos < len(lx.buf) {
			c := lx.buf[lx.pos]
			if pdfClass[c] != pcRegular {
				lx.word = b
				return b
			}
			lx.pos++
			if len(b) < 256 {
				b = append(b, c)
			}
		}
		if !lx.fill() {
			lx.word = b
			return b
		}
	}
}

// regular returns the word of regular characters that begins with c, the byte just read, as
// words does: a slice of the chunk when the word ends inside it (most numbers), not a copy.
func (lx *pdfLexer) regular(c byte) []byte {
	start := lx.pos - 1
	for i := lx.pos; i < len(lx.buf); i++ {
		if pdfClass[lx.buf[i]] != pcRegular {
			lx.pos = i
			return lx.buf[start:min(i, start+256)]
		}
	}
	return lx.words(append(lx.word[:0], c))
}

// literal reads a literal string after its "(", in the lexer's buffer.
func (lx *pdfLexer) literal() []byte {
	b := lx.word[:0]
	add := func(c byte) {
		if len(b) < pdfMaxString {
			b = append(b, c)
		}
	}
	depth := 1
	for {
		c, ok := lx.readByte()
		if !ok {
			break
		}
		switch c {
		case '(':
			depth++
			add(c)
			continue
		case ')':
			if depth--; depth == 0 {
				lx.word = b
				return b
			}
			add(c)
			continue
		case '\\':
		default:
			add(c)
			continue
		}
		c, ok = lx.readByte()
		if !ok {
			break
		}
		switch c {
		case 'n':
			add('\n')
		case 'r':
			add('\r')
		case 't':
			add('\t')
		case 'b':
			add('\b')
		case 'f':
			add('\f')
		case '\r':
			if d, ok := lx.readByte(); ok && d != '\n' {
				lx.unread()
			}
		case '\n':
		case '0', '1', '2', '3', '4', '5', '6', '7':
			x := int(c - '0')
			for range 2 {
				d, ok := lx.readByte()
				if !ok {
					break
				}
				if d < '0' || d > '7' {
					lx.unread()
					break
				}
				x = x*8 + int(d-'0')
			}
			add(byte(x))
		default:
			add(c)
		}
	}
	lx.word = b
	return b
}

// hex reads a hexadecimal string after its "<", in the lexer's buffer. It scans the chunk
// directly: a page's TJ strings are mostly hexadecimal (2-byte codes), thousands of bytes.
func (lx *pdfLexer) hex() []byte {
	b := lx.word[:0]
	hi := -1
scan:
	for lx.pos < len(lx.buf) || lx.fill() {
		buf := lx.buf[lx.pos:]
		for i, c := range buf {
			if c == '>' {
				lx.pos += i + 1
				break scan
			}
			v := pdfUnhex[c]
			if v < 0 {
				continue // white space or garbage
			}
			if hi < 0 {
				hi = int(v)
				continue
			}
			if len(b) < pdfMaxString {
				b = append(b, byte(hi<<4|int(v)))
			}
			hi = -1
		}
		lx.pos = len(lx.buf)
	}
	if hi >= 0 && len(b) < pdfMaxString {
		b = append(b, byte(hi<<4))
	}
	lx.word = b
	return b
}

var pdfUnhex = func() (t [256]int8) {
	for i := range t {
		t[i] = int8(unhexByte(byte(i)))
	}
	return t
}()

func unhexByte(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func (lx *pdfLexer) array(depth int) pdfTok {
	t := pdfTok{kind: ptArray}
	if depth > pdfMaxDepth {
		lx.skipTo(']')
		return t
	}
	if lx.skipping > 0 {
		// Inside a dictionary, which is skipped: the elements are read, not kept.
		for {
			if e := lx.token(depth); e.kind == ptEOF || e.kind == ptOp && e.s == "]" {
				return t
			}
		}
	}
	if depth > 1 {
		// Nested (rare in content streams and CMaps): its own memory.
		var els []pdfTok
		for {
			e := lx.token(depth)
			if e.kind == ptEOF || e.kind == ptOp && e.s == "]" {
				break
			}
			if len(els) < pdfMaxArray {
				els = append(els, e)
			}
		}
		t.arr = els
		return t
	}
	// An operand (a TJ's strings and kerning): read straight into the arena while it has room,
	// into its own memory after.
	if lx.arena == nil {
		lx.arena = make([]pdfTok, 0, pdfArenaSize)
	}
	start := len(lx.arena)
	var own []pdfTok
read:
	for {
		// The end, strings and numbers are read here, the rest by token.
		c, ok := lx.skipSpace()
		if !ok || c == ']' {
			break
		}
		var (
			kind int
			num  float64
			str  string
			arr  []pdfTok
		)
		switch {
		case c == '<' && lx.pos < len(lx.buf) && lx.buf[lx.pos] != '<':
			kind, str = ptStr, lx.keep(lx.hex())
		case c == '(':
			kind, str = ptStr, lx.keep(lx.literal())
		case pdfClass[c] == pcRegular: // a number (kerning), as token reads it
			w := lx.regular(c)
			if n, ok := pdfNumberBytes(w); ok {
				kind, num = ptNum, n
			} else {
				kind, str = ptOp, lx.intern(w)
			}
		default:
			lx.unread()
			e := lx.token(depth)
			if e.kind == ptEOF || e.kind == ptOp && e.s == "]" {
				break read
			}
			kind, num, str, arr = e.kind, e.num, e.s, e.arr
		}
		var slot *pdfTok
		switch {
		case own != nil:
			if len(own) < pdfMaxArray {
				own = append(own, pdfTok{})
				slot = &own[len(own)-1]
			}
		case len(lx.arena)-start >= pdfMaxArray:
		case len(lx.arena) < cap(lx.arena):
			lx.arena = lx.arena[:len(lx.arena)+1]
			slot = &lx.arena[len(lx.arena)-1]
		default:
			own = append(slices.Clone(lx.arena[start:]), pdfTok{})
			lx.arena = lx.arena[:start]
			slot = &own[len(own)-1]
		}
		if slot != nil {
			// Written field by field: a token made whole, then copied, read back the stores
			// just made in wider loads, which the processor waits for.
			slot.kind, slot.num, slot.s, slot.arr = kind, num, str, arr
		}
	}
	switch {
	case own != nil:
		t.arr = own
	case len(lx.arena) > start:
		t.arr = lx.arena[start:len(lx.arena):len(lx.arena)]
	}
	return t
}

func (lx *pdfLexer) skipDict(depth int) {
	lx.skipping++
	defer func() { lx.skipping-- }()
	for {
		if depth > pdfMaxDepth {
			lx.skipTo('>')
			return
		}
		e := lx.token(depth)
		if e.kind == ptEOF || e.kind == ptOp && e.s == ">" {
			if e.kind == ptOp {
				if c, ok := lx.readByte(); ok && c != '>' {
					lx.unread()
				}
			}
			return
		}
	}
}

// skipTo drops bytes up to and including c (too deep a nesting: no longer parsed).
func (lx *pdfLexer) skipTo(c byte) {
	for {
		d, ok := lx.readByte()
		if !ok || d == c {
			return
		}
	}
}

// skipInlineImage drops the data of an inline image, after its ID operator, up to "EI".
func (lx *pdfLexer) skipInlineImage() {
	var prev2, prev1 byte = ' ', ' '
	for {
		c, ok := lx.readByte()
		if !ok {
			return
		}
		if prev2 == 'E' && prev1 == 'I' && isPDFSpace(c) {
			return
		}
		prev2, prev1 = prev1, c
	}
}
