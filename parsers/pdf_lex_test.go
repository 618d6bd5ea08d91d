package parsers

import (
	"io"
	"strings"
	"testing"
)

// smallReads returns at most n bytes per Read: a stream's chunks end anywhere.
type smallReads struct {
	data []byte
	n    int
}

func (r *smallReads) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n, len(r.data))
	copy(p, r.data[:k])
	r.data = r.data[k:]
	return k, nil
}

// pdfTokens lexes a whole stream into comparable text.
func pdfTokens(lx *pdfLexer) []pdfTok {
	defer lx.close()
	var out []pdfTok
	var copyTok func(t pdfTok) pdfTok
	copyTok = func(t pdfTok) pdfTok {
		t.s = string([]byte(t.s)) // the lexer reuses its strings' memory
		if t.arr != nil {
			arr := make([]pdfTok, len(t.arr))
			for i, e := range t.arr {
				arr[i] = copyTok(e)
			}
			t.arr = arr
		}
		return t
	}
	for range 10000 {
		t := lx.next()
		if t.kind == ptEOF {
			break
		}
		out = append(out, copyTok(t))
		lx.release()
	}
	return out
}

func sameTokens(a, b []pdfTok) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.kind != y.kind || x.s != y.s || !(x.num == y.num || x.num != x.num && y.num != y.num) || !sameTokens(x.arr, y.arr) {
			return false
		}
	}
	return true
}

// FuzzPDFLexerChunks: a content stream reads as the same tokens whole in memory and inflated
// a few bytes at a time, wherever a chunk ends (inside a number, a string, an escape, "<<").
func FuzzPDFLexerChunks(f *testing.F) {
	for _, s := range []string{
		"BT /F1 12 Tf 72 712 Td [(Hel) -20 (lo\\051) 3.5 <48 65>] TJ ET",
		"q 1 0 0 1 0 0 cm /P <</MCID 0 /A [1 [2 3]]>> BDC (a\\\r\nb\\101c) Tj EMC Q % comment\n-.5 +3. 0.000001 TL",
		"2 beginbfchar <01> <0041> <02> <00660069> endbfchar 1 beginbfrange <03> <05> [<0042> <0043>] endbfrange",
		"BI /W 1 /H 1 ID \x00\xffEI Q",
		"((nested) \\) paren) Tj <4 1> Tj",
		"/" + strings.Repeat("N", 300) + " " + strings.Repeat("9", 300) + " " + strings.Repeat("x", 300) + " [" + strings.Repeat("1", 257) + "]",
	} {
		f.Add([]byte(s), uint8(1))
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, n uint8) {
		whole := pdfTokens(newPDFLexerBytes(data))
		chunked := pdfTokens(newPDFLexer(&smallReads{data: data, n: int(n%7) + 1}))
		if !sameTokens(whole, chunked) {
			t.Fatalf("%q: %d tokens whole, %d in chunks of %d", data, len(whole), len(chunked), n%7+1)
		}
	})
}
