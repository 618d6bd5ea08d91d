package parsers

import (
	"bufio"
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
)

// A small lexer for PDF content streams and ToUnicode CMaps (PDF 32000-1, 7.2, 7.3). Our own
// rather than ledongthuc/pdf's Interpret: every token is bounded (strings, arrays, operand
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
	r     *bufio.Reader
	buf   []byte
	tmp   [pdfMaxDepth + 2][]pdfTok // elements of the arrays being read, by depth
	arena []pdfTok                  // the arrays returned since the last release
}

// pdfArenaSize bounds the elements the arrays of one operator's operands take from the arena;
// larger arrays get their own memory.
const pdfArenaSize = 2048

// release lets the lexer reuse the memory of the arrays it returned: call it once no token
// read so far is used any more (after each operator). Most arrays are a TJ's, read and used
// at once: they cost no allocation.
func (lx *pdfLexer) release() { lx.arena = lx.arena[:0] }

func newPDFLexer(r io.Reader) *pdfLexer {
	return &pdfLexer{r: bufio.NewReaderSize(r, 4096)}
}

func isPDFDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// skipSpace skips white space and comments; false at the end of the stream.
func (lx *pdfLexer) skipSpace() (byte, bool) {
	for {
		c, err := lx.r.ReadByte()
		if err != nil {
			return 0, false
		}
		switch {
		case isPDFSpace(c):
		case c == '%':
			for c != '\n' && c != '\r' {
				if c, err = lx.r.ReadByte(); err != nil {
					return 0, false
				}
			}
		default:
			return c, true
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
		return pdfTok{kind: ptStr, s: lx.literal()}
	case '<':
		if d, err := lx.r.ReadByte(); err == nil && d == '<' {
			lx.skipDict(depth + 1)
			return pdfTok{kind: ptDict}
		}
		_ = lx.r.UnreadByte()
		return pdfTok{kind: ptStr, s: lx.hex()}
	case '/':
		return pdfTok{kind: ptName, s: lx.word(nil)}
	case '[':
		return lx.array(depth + 1)
	case ']', '>', ')', '}', '{':
		return pdfTok{kind: ptOp, s: string(c)}
	}
	w := lx.wordBytes(c)
	if n, ok := pdfNumberBytes(w); ok {
		return pdfTok{kind: ptNum, num: n}
	}
	return pdfTok{kind: ptOp, s: pdfOperator(w)}
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
	n := float64(mant) / pdfPow10[frac]
	if neg {
		n = -n
	}
	return n, true
}

// pdfOperator is an operator's name, without a new string for the operators pages use.
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
	return string(w)
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

// word reads regular characters up to a delimiter or white space.
func (lx *pdfLexer) word(start []byte) string {
	lx.buf = append(lx.buf[:0], start...)
	return string(lx.words())
}

// wordBytes is word starting with c, in the lexer's buffer (valid until the next token).
func (lx *pdfLexer) wordBytes(c byte) []byte {
	lx.buf = append(lx.buf[:0], c)
	return lx.words()
}

// words reads regular characters after those in lx.buf up to a delimiter or white space.
func (lx *pdfLexer) words() []byte {
	b := lx.buf
	for {
		c, err := lx.r.ReadByte()
		if err != nil {
			break
		}
		if isPDFSpace(c) || isPDFDelim(c) {
			_ = lx.r.UnreadByte()
			break
		}
		if len(b) < 256 {
			b = append(b, c)
		}
	}
	lx.buf = b
	return b
}

func (lx *pdfLexer) literal() string {
	b := lx.buf[:0]
	add := func(c byte) {
		if len(b) < pdfMaxString {
			b = append(b, c)
		}
	}
	depth := 1
	for {
		c, err := lx.r.ReadByte()
		if err != nil {
			break
		}
		switch c {
		case '(':
			depth++
			add(c)
			continue
		case ')':
			if depth--; depth == 0 {
				lx.buf = b
				return string(b)
			}
			add(c)
			continue
		case '\\':
		default:
			add(c)
			continue
		}
		c, err = lx.r.ReadByte()
		if err != nil {
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
			if d, err := lx.r.ReadByte(); err == nil && d != '\n' {
				_ = lx.r.UnreadByte()
			}
		case '\n':
		case '0', '1', '2', '3', '4', '5', '6', '7':
			x := int(c - '0')
			for range 2 {
				d, err := lx.r.ReadByte()
				if err != nil {
					break
				}
				if d < '0' || d > '7' {
					_ = lx.r.UnreadByte()
					break
				}
				x = x*8 + int(d-'0')
			}
			add(byte(x))
		default:
			add(c)
		}
	}
	lx.buf = b
	return string(b)
}

func (lx *pdfLexer) hex() string {
	b := lx.buf[:0]
	hi := -1
	for {
		c, err := lx.r.ReadByte()
		if err != nil || c == '>' {
			break
		}
		v := unhexByte(c)
		if v < 0 {
			continue // white space or garbage
		}
		if hi < 0 {
			hi = v
			continue
		}
		if len(b) < pdfMaxString {
			b = append(b, byte(hi<<4|v))
		}
		hi = -1
	}
	if hi >= 0 && len(b) < pdfMaxString {
		b = append(b, byte(hi<<4))
	}
	lx.buf = b
	return string(b)
}

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
	els := lx.tmp[depth][:0]
	for {
		if depth > pdfMaxDepth {
			lx.skipTo(']')
			break
		}
		e := lx.token(depth)
		if e.kind == ptEOF || e.kind == ptOp && e.s == "]" {
			break
		}
		if len(els) < pdfMaxArray {
			els = append(els, e)
		}
	}
	lx.tmp[depth] = els
	switch {
	case len(els) == 0:
	case len(lx.arena)+len(els) <= pdfArenaSize:
		if lx.arena == nil {
			lx.arena = make([]pdfTok, 0, pdfArenaSize)
		}
		start := len(lx.arena)
		lx.arena = append(lx.arena, els...)
		t.arr = lx.arena[start:len(lx.arena):len(lx.arena)]
	default:
		t.arr = slices.Clone(els)
	}
	return t
}

func (lx *pdfLexer) skipDict(depth int) {
	for {
		if depth > pdfMaxDepth {
			lx.skipTo('>')
			return
		}
		e := lx.token(depth)
		if e.kind == ptEOF || e.kind == ptOp && e.s == ">" {
			if e.kind == ptOp {
				if c, err := lx.r.ReadByte(); err == nil && c != '>' {
					_ = lx.r.UnreadByte()
				}
			}
			return
		}
	}
}

// skipTo drops bytes up to and including c (too deep a nesting: no longer parsed).
func (lx *pdfLexer) skipTo(c byte) {
	for {
		d, err := lx.r.ReadByte()
		if err != nil || d == c {
			return
		}
	}
}

// skipInlineImage drops the data of an inline image, after its ID operator, up to "EI".
func (lx *pdfLexer) skipInlineImage() {
	var prev2, prev1 byte = ' ', ' '
	for {
		c, err := lx.r.ReadByte()
		if err != nil {
			return
		}
		if prev2 == 'E' && prev1 == 'I' && isPDFSpace(c) {
			return
		}
		prev2, prev1 = prev1, c
	}
}
