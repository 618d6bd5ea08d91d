package parsers

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"regexp"
)

// errPDFObjectLoop is a file whose object streams refer to themselves.
var errPDFObjectLoop = fmt.Errorf("pdf: object streams refer to themselves")

// pdfCheckObjRefs refuses a file whose cross-reference streams place an object stream in an
// object stream (itself, or in a loop), or whose object stream's dictionary refers to an
// object kept in an object stream. ledongthuc/pdf recursed on these until the goroutine stack
// overflowed; our object reader stops at the loop (errPDFLoop), and this names the damage
// before anything is read. PDF 32000-1 §7.5.7 forbids both (a stream is never in an object
// stream; an object stream's Length is never compressed), so no genuine file is refused.
// Cross-reference streams this cannot decode are left to the object reader.
func pdfCheckObjRefs(data []byte, maxObjects int) error {
	inStream := map[int64]int64{} // object number -> the object stream that holds it
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("/XRef"))
		if j < 0 {
			break
		}
		i += j + 5
		if i < len(data) && isPDFRegular(data[i]) { // /XRefStm
			continue
		}
		dict, body, ok := pdfStreamAround(data, i)
		if !ok {
			continue
		}
		pdfXrefEntries(dict, body, maxObjects, func(obj, typ, f2 int64) {
			if typ == 2 {
				inStream[obj] = f2
			}
		})
	}
	if len(inStream) == 0 {
		return nil
	}
	for obj, s := range inStream {
		if _, ok := inStream[s]; ok {
			return fmt.Errorf("%w: object %d is in object stream %d, which is itself in an object stream", errPDFObjectLoop, obj, s)
		}
	}
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("/ObjStm"))
		if j < 0 {
			return nil
		}
		i += j + 7
		dict, _, ok := pdfStreamAround(data, i)
		if !ok {
			continue
		}
		for _, m := range pdfIndirectRef.FindAllSubmatch(dict, 64) {
			n, _ := pdfIntAt(m[1], 0)
			if _, ok := inStream[n]; ok {
				return fmt.Errorf("%w: an object stream's dictionary refers to object %d, kept in an object stream", errPDFObjectLoop, n)
			}
		}
	}
}

var pdfIndirectRef = regexp.MustCompile(`(\d{1,10})\s+\d{1,5}\s+R`)

// pdfStreamAround returns the dictionary of the stream object around data[i] (from its "obj"
// keyword to "stream") and the stream's bytes (up to "endstream").
func pdfStreamAround(data []byte, i int) (dict, body []byte, ok bool) {
	from := max(0, i-2048)
	o := bytes.LastIndex(data[from:i], []byte("obj"))
	s := bytes.Index(data[i:], []byte("stream"))
	if o < 0 || s < 0 {
		return nil, nil, false
	}
	dict = data[from+o+3 : i+s]
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
	return dict, data[k : k+e], true
}

// pdfXrefEntries decodes a cross-reference stream (unfiltered, or FlateDecode with no
// predictor or PNG Up, what the library reads) and calls fn with each entry's object number,
// type and second field; it stops after maxObjects entries.
func pdfXrefEntries(dict, body []byte, maxObjects int, fn func(obj, typ, f2 int64)) {
	w := pdfIntArray(dict, "/W", 3)
	if len(w) != 3 || w[0] < 0 || w[1] < 0 || w[2] < 0 || w[0] > 8 || w[1] > 8 || w[2] > 8 {
		return
	}
	index := pdfIntArray(dict, "/Index", 128)
	if len(index) == 0 {
		size, ok := pdfKeyInt(dict, "/Size")
		if !ok {
			return
		}
		index = []int64{0, size}
	}
	var r io.Reader = bytes.NewReader(body)
	if bytes.Contains(dict, []byte("/Filter")) {
		if !bytes.Contains(dict, []byte("/FlateDecode")) {
			return
		}
		zr, err := zlib.NewReader(r)
		if err != nil {
			return
		}
		r = zr
		if pred, ok := pdfKeyInt(dict, "/Predictor"); ok && pred != 1 {
			cols, _ := pdfKeyInt(dict, "/Columns")
			if pred != 12 || cols != w[0]+w[1]+w[2] {
				return
			}
			r = &pdfPNGUp{r: r, row: make([]byte, 1+cols), prev: make([]byte, cols)}
		}
	}
	width := int(w[0] + w[1] + w[2])
	if width == 0 {
		return
	}
	br := io.LimitReader(r, int64(maxObjects+1)*int64(width+1))
	buf := make([]byte, width)
	seen := 0
	for p := 0; p+1 < len(index); p += 2 {
		start, n := index[p], index[p+1]
		for k := int64(0); k < n; k++ {
			if seen++; seen > maxObjects {
				return
			}
			if _, err := io.ReadFull(br, buf); err != nil {
				return
			}
			typ := int64(1) // a zero-width type field means type 1
			if w[0] > 0 {
				typ = pdfBigEndian(buf[:w[0]])
			}
			fn(start+k, typ, pdfBigEndian(buf[w[0]:w[0]+w[1]]))
		}
	}
}

func pdfBigEndian(b []byte) int64 {
	var n int64
	for _, c := range b {
		n = n<<8 | int64(c)
	}
	return n
}

// pdfKeyInt reads the integer after key in a dictionary's bytes.
func pdfKeyInt(dict []byte, key string) (int64, bool) {
	i := bytes.Index(dict, []byte(key))
	if i < 0 || i+len(key) < len(dict) && isPDFRegular(dict[i+len(key)]) {
		return 0, false
	}
	return pdfIntAt(dict, i+len(key))
}

// pdfIntArray reads up to max integers of the array after key in a dictionary's bytes.
func pdfIntArray(dict []byte, key string, max int) []int64 {
	i := bytes.Index(dict, []byte(key))
	if i < 0 {
		return nil
	}
	k := i + len(key)
	for k < len(dict) && isPDFSpace(dict[k]) {
		k++
	}
	if k >= len(dict) || dict[k] != '[' {
		return nil
	}
	k++
	var out []int64
	for len(out) < max {
		n, ok := pdfIntAt(dict, k)
		if !ok {
			break
		}
		out = append(out, n)
		k = pdfSkipInt(dict, k)
	}
	return out
}

// pdfPNGUp undoes the PNG "Up" predictor (12), row by row.
type pdfPNGUp struct {
	r      io.Reader
	row    []byte // filter byte + a row
	prev   []byte
	pend   []byte
	strict bool // a row filtered otherwise than Up is an error (as ledongthuc/pdf read streams)
}

var errPDFPNG = errors.New("malformed PNG-Up encoding")

func (p *pdfPNGUp) Read(b []byte) (int, error) {
	if len(p.pend) == 0 {
		if _, err := io.ReadFull(p.r, p.row); err != nil {
			return 0, err
		}
		if p.strict && p.row[0] != 2 {
			return 0, errPDFPNG
		}
		for i, c := range p.row[1:] {
			p.prev[i] += c
		}
		p.pend = p.prev
	}
	n := copy(b, p.pend)
	p.pend = p.pend[n:]
	return n, nil
}
