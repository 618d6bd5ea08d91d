package parsers

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"

	"github.com/ledongthuc/pdf"
)

// TestPDFStreamOwnReader: the streams of a LibreOffice PDF (the page, the fonts' ToUnicode
// CMaps) are read from the file by our own reader, not the library's, and decode to the same
// bytes. If a version of ledongthuc/pdf hid the stream's offset elsewhere, reading would still
// work through the library, only slower: this says so.
func TestPDFStreamOwnReader(t *testing.T) {
	data, err := os.ReadFile("../testdata/forms/libreoffice/informativa_generale_venezia.pdf")
	if err != nil {
		t.Fatal("committed fixture missing:", err)
	}
	in := newPDFInput(context.Background(), data)
	r, err := pdf.NewReader(in, in.size)
	if err != nil {
		t.Fatal(err)
	}
	page := pdfPages(r, 1)[0]
	streams := []pdf.Value{page.Key("Contents")}
	fonts := pdfInherited(page, "Resources").Key("Font")
	for _, k := range fonts.Keys() {
		if tu := fonts.Key(k).Key("ToUnicode"); tu.Kind() == pdf.Stream {
			streams = append(streams, tu)
		}
	}
	if len(streams) < 2 {
		t.Fatalf("%d streams, want the page's and its fonts' CMaps", len(streams))
	}
	for i, v := range streams {
		b := &pdfBudget{ctx: context.Background(), left: 1 << 20, file: in}
		raw, flated, ok := pdfRawStream(v, b)
		if !ok || !flated || len(raw) == 0 {
			t.Fatalf("stream %d: not read by our own reader (ok %v, flated %v)", i, ok, flated)
		}
		lx := pdfStreamLexer(v, b)
		var got []byte
		for lx.fill() {
			got = append(got, lx.buf...)
		}
		lx.close()
		want, err := io.ReadAll(v.Reader())
		if err != nil && len(want) == 0 {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("stream %d: %d bytes, the library reads %d", i, len(got), len(want))
		}
	}
}
