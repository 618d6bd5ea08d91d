package bombs

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"io"
	"strings"
	"testing"
)

// TestBombsAreSmallAndExpand checks that each attachment is as small as the issue says and
// expands to what it claims: zlib streams decode, with their checksum, to the size asked.
func TestBombsAreSmallAndExpand(t *testing.T) {
	for _, c := range []struct {
		name   string
		z      []byte
		want   int64
		prefix string
	}{
		{"spaces", repeatZlib("", " ", "", 8<<20), 8 << 20, "    "},
		{"text", repeatZlib("BT /F1 12 Tf 72 700 Td ", "(A) Tj\n ", " ET\n", 4<<20), 4<<20 + 23 + 4, "BT /F1"},
	} {
		r, err := zlib.NewReader(bytes.NewReader(c.z))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var head bytes.Buffer
		n, err := io.Copy(io.MultiWriter(&limitedBuffer{&head, 16}, io.Discard), r)
		if err != nil || n != c.want || !strings.HasPrefix(head.String(), c.prefix) {
			t.Errorf("%s: %d bytes (%v) from %d, head %q; want %d", c.name, n, err, len(c.z), head.String(), c.want)
		}
	}
	if n := len(InflatePDF(1 << 30)); n > 2<<20 {
		t.Errorf("1 GiB PDF is %d bytes", n)
	}
	if n := len(WideXLSX(5000)); n > 64<<10 {
		t.Errorf("XLSX is %d bytes", n)
	}
	docx := NestedSDTDOCX(100, 10<<20)
	if len(docx) > 64<<10 {
		t.Errorf("DOCX is %d bytes", len(docx))
	}
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" && f.UncompressedSize64 < 10<<20 {
			t.Errorf("document.xml is %d bytes", f.UncompressedSize64)
		}
	}
}

type limitedBuffer struct {
	b *bytes.Buffer
	n int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if k := l.n - l.b.Len(); k > 0 {
		l.b.Write(p[:min(k, len(p))])
	}
	return len(p), nil
}
