package parsers

import (
	"bytes"
	"compress/zlib"
	"encoding/ascii85"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Stream bytes (PDF 32000-1, 7.3.8), read from the file's bytes. A stream that is stored or
// FlateDecode-compressed without a predictor, in a file that is not encrypted, is inflated
// by our inflater (pdf_inflate.go), reused across streams and documents (a new one costs its
// window and tables); any other goes through pdfStreamReader,
// which decodes what ledongthuc/pdf decoded (FlateDecode with the PNG Up predictor,
// ASCII85Decode) and panics where it panicked (another filter, a damaged zlib header).

// pdfInflaters keeps inflaters, with their window and tables, for the next stream.
var pdfInflaters = sync.Pool{New: func() any { return new(pdfInflate) }}

// pdfStreamLexer returns a lexer over the decoded bytes of stream v, counted against b's
// budget; close it when done.
func pdfStreamLexer(v pdfValue, b *pdfBudget) *pdfLexer {
	if raw, flated, ok := pdfRawStream(v, b); ok {
		if !flated {
			b.left -= int64(len(raw))
			if b.left < 0 {
				b.err = errPDFBudget
				return newPDFLexerBytes(nil)
			}
			return newPDFLexerBytes(raw)
		}
		z := pdfInflaters.Get().(*pdfInflate)
		z.reset(raw)
		lx := newPDFLexerBudget(z, b)
		lx.inflater = z
		return lx
	}
	return newPDFLexerBudget(pdfStreamReader(v), b)
}

// pdfRawStream returns the bytes of stream v in the file, without the zlib header when flated
// is true; ok is false when pdfStreamReader must read it.
func pdfRawStream(v pdfValue, b *pdfBudget) (raw []byte, flated, ok bool) {
	s, ok := v.x.(*pdfStrm)
	if !ok || v.d.crypt != nil || s.off < 0 {
		return nil, false, false
	}
	switch f := v.Key("Filter"); {
	case f.Kind() == pkNull:
	case f.Kind() == pkName && f.Name() == "FlateDecode" && v.Key("DecodeParms").Kind() == pkNull:
		flated = true
	default:
		return nil, false, false
	}
	n := v.Key("Length").Int64()
	if n <= 0 {
		return nil, false, false // empty: as the library does
	}
	raw = v.d.data[s.off:int(min(int64(s.off)+n, int64(len(v.d.data))))]
	if flated {
		// zlib (RFC 1950): deflate, no preset dictionary; the checksum at the end is not
		// checked, as a failed check only ended the stream.
		if len(raw) < 2 || raw[0]&0x0f != 8 || raw[0]>>4 > 7 || (uint16(raw[0])<<8|uint16(raw[1]))%31 != 0 || raw[1]&0x20 != 0 {
			return nil, false, false
		}
		raw = raw[2:]
	}
	if err := b.ctx.Err(); err != nil {
		return nil, false, false
	}
	return raw, flated, true
}

// pdfStreamReader decodes stream v as ledongthuc/pdf's Value.Reader did: /Length bytes from
// the file (none when it is 0: no filter then), decrypted, then each filter in turn.
func pdfStreamReader(v pdfValue) io.Reader {
	s, ok := v.x.(*pdfStrm)
	if !ok {
		return pdfErrReader{errors.New("stream not present")}
	}
	n := v.Key("Length").Int64()
	if n == 0 {
		return bytes.NewReader(nil)
	}
	var raw []byte
	if s.off >= 0 && n > 0 {
		raw = v.d.data[s.off:int(min(int64(s.off)+n, int64(len(v.d.data))))]
	}
	if v.d.crypt != nil {
		raw = v.d.crypt.decrypt(s.ref, raw)
	}
	var r io.Reader = bytes.NewReader(raw)
	filter, param := v.Key("Filter"), v.Key("DecodeParms")
	switch filter.Kind() {
	case pkNull:
	case pkName:
		r = pdfFilter(r, filter.Name(), param)
	case pkArray:
		for i := range min(filter.Len(), 8) {
			r = pdfFilter(r, filter.Index(i).Name(), param.Index(i))
		}
	default:
		panic(fmt.Errorf("unsupported filter %v", filter))
	}
	return r
}

func pdfFilter(r io.Reader, name string, param pdfValue) io.Reader {
	switch name {
	case "FlateDecode":
		zr, err := zlib.NewReader(r)
		if err != nil {
			panic(err)
		}
		pred := param.Key("Predictor")
		if pred.Kind() == pkNull {
			return zr
		}
		if pred.Int64() != 12 {
			panic("pred")
		}
		cols := param.Key("Columns").Int64()
		if cols < 0 || cols > 1<<16 {
			panic("pdf: PNG predictor columns")
		}
		return &pdfPNGUp{r: zr, row: make([]byte, 1+cols), prev: make([]byte, cols), strict: true}
	case "ASCII85Decode":
		if param.dict() != nil {
			panic("not expected DecodeParms for ascii85")
		}
		return ascii85.NewDecoder(&pdfA85Chars{r: r})
	}
	panic("unknown filter " + name)
}

// pdfA85Chars keeps the characters of ASCII base-85 and ends at "~" (its end, "~>").
type pdfA85Chars struct {
	r   io.Reader
	eod bool
}

func (a *pdfA85Chars) Read(p []byte) (int, error) {
	if a.eod {
		return 0, io.EOF
	}
	n, err := a.r.Read(p)
	out := 0
	for _, c := range p[:n] {
		if c == '~' {
			a.eod = true
			return out, io.EOF
		}
		if c >= '!' && c <= 'u' || c == 'z' {
			p[out] = c
			out++
		}
	}
	return out, err
}

type pdfErrReader struct{ err error }

func (e pdfErrReader) Read([]byte) (int, error) { return 0, e.err }

// pdfReadAll is the whole decoded stream v, which must be at most max bytes (an object stream
// or a cross-reference stream: read whole, once).
func pdfReadAll(v pdfValue, max int64) []byte {
	data, _ := io.ReadAll(io.LimitReader(pdfStreamReader(v), max+1))
	if int64(len(data)) > max {
		panic(fmt.Errorf("pdf: a stream inflates past %d bytes", max))
	}
	return data
}
