package parsers

import (
	"bytes"
	"compress/flate"
	"io"
	"reflect"
	"sync"

	"github.com/ledongthuc/pdf"
)

// Stream bytes read from the file itself: ledongthuc/pdf's Value.Reader gives every stream a
// new inflater (a 32 KB window and its tables, most of what reading a page allocated). A
// stream that is stored or FlateDecode-compressed without a predictor, in a file that is not
// encrypted, is inflated here by an inflater reused across streams and documents; any other
// (a predictor, another filter, an encrypted file, a damaged zlib header) goes to the library
// as before, so what is read does not change.

// pdfStreamOffset is where a stream's bytes start in the file. The library keeps it private
// (Value.data holds a stream{hdr, ptr, offset}); read through reflection, and if a version of
// the library lays it out differently, every stream takes the library's reader.
var pdfStreamOffset = func() func(v pdf.Value) (int64, bool) {
	f, ok := reflect.TypeFor[pdf.Value]().FieldByName("data")
	if !ok || f.Type.Kind() != reflect.Interface {
		return nil
	}
	return func(v pdf.Value) (int64, bool) {
		d := reflect.ValueOf(&v).Elem().FieldByIndex(f.Index)
		if d.IsNil() {
			return 0, false
		}
		e := d.Elem()
		if t := e.Type(); t.Kind() != reflect.Struct || t.Name() != "stream" || t.PkgPath() != "github.com/ledongthuc/pdf" {
			return 0, false
		}
		o := e.FieldByName("offset")
		if !o.IsValid() || o.Kind() != reflect.Int64 {
			return 0, false
		}
		return o.Int(), true
	}
}()

// pdfInflater is a flate reader over a stream's bytes, kept for the next stream.
type pdfInflater struct {
	src bytes.Reader
	fr  io.ReadCloser
}

var pdfInflaters sync.Pool

// pdfStreamLexer returns a lexer over the decoded bytes of stream v, counted against b's
// budget; close it when done.
func pdfStreamLexer(v pdf.Value, b *pdfBudget) *pdfLexer {
	if raw, flated, ok := pdfRawStream(v, b); ok {
		if !flated {
			b.left -= int64(len(raw))
			if b.left < 0 {
				b.err = errPDFBudget
				return newPDFLexerBytes(nil)
			}
			return newPDFLexerBytes(raw)
		}
		z, _ := pdfInflaters.Get().(*pdfInflater)
		if z == nil {
			z = &pdfInflater{}
			z.src.Reset(raw)
			z.fr = flate.NewReader(&z.src)
		} else {
			z.src.Reset(raw)
			_ = z.fr.(flate.Resetter).Reset(&z.src, nil)
		}
		lx := newPDFLexer(&budgetReader{r: z.fr, b: b})
		lx.done = func() { pdfInflaters.Put(z) }
		return lx
	}
	return newPDFLexer(&budgetReader{r: v.Reader(), b: b})
}

// pdfRawStream returns the bytes of stream v in the file, without the zlib header when flated
// is true; ok is false when the library must read it.
func pdfRawStream(v pdf.Value, b *pdfBudget) (raw []byte, flated, ok bool) {
	in := b.file
	if in == nil || in.encrypted || pdfStreamOffset == nil || in.err != nil {
		return nil, false, false
	}
	off, ok := pdfStreamOffset(v)
	if !ok || off < int64(len(in.head)) || off >= in.size {
		return nil, false, false
	}
	switch f := v.Key("Filter"); {
	case f.Kind() == pdf.Null:
	case f.Kind() == pdf.Name && f.Name() == "FlateDecode" && v.Key("DecodeParms").Kind() == pdf.Null:
		flated = true
	default:
		return nil, false, false
	}
	n := v.Key("Length").Int64()
	if n <= 0 || n > in.left {
		return nil, false, false // empty, or past the read budget: as the library does
	}
	raw = in.data[off:min(off+n, in.size)]
	if flated {
		// zlib (RFC 1950): deflate, no preset dictionary; the checksum at the end is not
		// checked, as a failed check only ended the stream.
		if len(raw) < 2 || raw[0]&0x0f != 8 || raw[0]>>4 > 7 || (uint16(raw[0])<<8|uint16(raw[1]))%31 != 0 || raw[1]&0x20 != 0 {
			return nil, false, false
		}
		raw = raw[2:]
	}
	if err := in.ctx.Err(); err != nil {
		return nil, false, false
	}
	in.left -= int64(len(raw))
	return raw, flated, true
}
