package parsers

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/ledongthuc/pdf"
)

// The text of a simple font's codes under a named encoding (WinAnsi, MacRoman) or a
// Differences array of glyph names (PDF 32000-1, 9.6.6): ledongthuc/pdf's tables and glyph
// list decode them, so that the text read does not change. The library is given a small PDF
// of its own holding only the encoding, never the document; the named tables are worked out
// once.

var pdfNamedEncodings sync.Map // name -> *[256]string

// pdfEncodingTable is the text of each code (none below 32 for a named encoding, as before).
func pdfEncodingTable(enc pdfValue) *[256]string {
	named := enc.Kind() == pkName
	if named {
		if t, ok := pdfNamedEncodings.Load(enc.Name()); ok {
			return t.(*[256]string)
		}
	}
	var src strings.Builder
	if named {
		src.WriteString(pdfNameSyntax(enc.Name()))
	} else {
		src.WriteString("<< /Differences [")
		diffs := enc.Key("Differences")
		for i := range diffs.Len() {
			switch e := diffs.Index(i); e.Kind() {
			case pkInt:
				src.WriteString(" " + strconv.FormatInt(e.Int64(), 10))
			case pkName:
				src.WriteString(" " + pdfNameSyntax(e.Name()))
			}
		}
		src.WriteString(" ] >>")
	}
	font := pdfEncodingFont(src.String())
	var t [256]string
	if font != nil {
		e := font.Encoder()
		for i := range t {
			if i >= 32 || !named {
				t[i] = e.Decode(string([]byte{byte(i)}))
			}
		}
	}
	if named && (enc.Name() == "WinAnsiEncoding" || enc.Name() == "MacRomanEncoding") {
		pdfNamedEncodings.Store(enc.Name(), &t)
	}
	return &t
}

// pdfNameSyntax writes a name as PDF does, every byte but letters and digits escaped.
func pdfNameSyntax(n string) string {
	var b strings.Builder
	b.WriteByte('/')
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "#%02X", c)
		}
	}
	return b.String()
}

// pdfEncodingFont is a font whose /Encoding is enc, in a PDF made for it.
func pdfEncodingFont(enc string) *pdf.Font {
	head := "%PDF-1.7\n"
	obj := "1 0 obj\n<< /Encoding " + enc + " >>\nendobj\n"
	file := head + obj + fmt.Sprintf("xref\n0 2\n0000000000 65535 f \n%010d 00000 n \n", len(head)) +
		"trailer\n<< /Size 2 /Root 1 0 R >>\n" + strings.Repeat("%\n", 50) +
		fmt.Sprintf("startxref\n%d\n%%%%EOF\n", len(head)+len(obj))
	r, err := pdf.NewReader(strings.NewReader(file), int64(len(file)))
	if err != nil {
		return nil
	}
	return &pdf.Font{V: r.Trailer().Key("Root")}
}
