package parsers

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"mailbot/internal/bombs"
)

// pdfZlib compresses b as a FlateDecode stream.
func pdfZlib(b []byte) []byte {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(b)
	w.Close()
	return z.Bytes()
}

// pdfCompressed builds a PDF as PDF 1.5 producers write it: the catalog, page tree, page and
// font in an object stream, the content stream's /Length an indirect object, and a
// cross-reference stream compressed with the PNG Up predictor. update, when not empty, is
// appended as an incremental update replacing the content stream (object 5), with its own
// cross-reference stream whose /Prev is the first one.
func pdfCompressed(content, update string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := map[int]int{}
	inStm := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	var head, body strings.Builder
	for i, o := range inStm {
		fmt.Fprintf(&head, "%d %d ", i+1, body.Len())
		body.WriteString(o + "\n")
	}
	stm := pdfZlib([]byte(head.String() + body.String()))
	offs[6] = b.Len()
	fmt.Fprintf(&b, "6 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n", len(inStm), head.Len(), len(stm))
	b.Write(stm)
	b.WriteString("\nendstream\nendobj\n")
	data := pdfZlib([]byte(content))
	offs[5] = b.Len()
	fmt.Fprintf(&b, "5 0 obj\n<< /Filter /FlateDecode /Length 7 0 R >>\nstream\n")
	b.Write(data)
	b.WriteString("\nendstream\nendobj\n")
	offs[7] = b.Len()
	fmt.Fprintf(&b, "7 0 obj\n%d\nendobj\n", len(data))
	offs[8] = b.Len()
	xref := func(entries [][3]int, dict string) {
		// W [1 4 2], rows predicted with PNG Up (filter byte 2, each byte minus the one above).
		var rows, prev []byte
		prev = make([]byte, 7)
		for _, e := range entries {
			row := []byte{byte(e[0]), byte(e[1] >> 24), byte(e[1] >> 16), byte(e[1] >> 8), byte(e[1]), byte(e[2] >> 8), byte(e[2])}
			rows = append(rows, 2)
			for i := range row {
				rows = append(rows, row[i]-prev[i])
			}
			prev = row
		}
		z := pdfZlib(rows)
		fmt.Fprintf(&b, "<< /Type /XRef /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 7 >> /Length %d %s >>\nstream\n", len(z), dict)
		b.Write(z)
		b.WriteString("\nendstream\nendobj\n")
	}
	b.WriteString("8 0 obj\n")
	xref([][3]int{{0, 0, 65535}, {2, 6, 0}, {2, 6, 1}, {2, 6, 2}, {2, 6, 3}, {1, offs[5], 0}, {1, offs[6], 0}, {1, offs[7], 0}, {1, offs[8], 0}}, "/Size 9")
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", offs[8])
	if update == "" {
		return b.Bytes()
	}
	data = pdfZlib([]byte(update))
	offs[5] = b.Len()
	fmt.Fprintf(&b, "5 0 obj\n<< /Filter /FlateDecode /Length %d >>\nstream\n", len(data))
	b.Write(data)
	b.WriteString("\nendstream\nendobj\n")
	offs[9] = b.Len()
	b.WriteString("9 0 obj\n")
	xref([][3]int{{1, offs[5], 0}, {1, offs[9], 0}}, fmt.Sprintf("/Size 10 /Index [5 1 9 1] /Prev %d", offs[8]))
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", offs[9])
	return b.Bytes()
}

// pdfItemText joins what a PDF reads as.
func pdfItemText(t *testing.T, data []byte) string {
	t.Helper()
	items, err := pdfRead(context.Background(), "x.pdf", data, Limits{})
	if err != nil {
		t.Fatalf("pdfRead: %v", err)
	}
	var s []string
	for _, it := range items {
		s = append(s, it.label+"="+it.value)
	}
	return strings.Join(s, "|")
}

// TestPDFCompressedObjects: a PDF whose objects are in an object stream, listed by a
// predicted cross-reference stream, reads as the same PDF written plainly; an incremental
// update (a second cross-reference stream with /Prev) replaces the page's text; an update
// of a plain file (a second xref table with /Prev) too.
func TestPDFCompressedObjects(t *testing.T) {
	content := "BT /F1 11 Tf 50 800 Td (Esiti collaudo) Tj ET\nBT /F1 11 Tf 50 780 Td (Esito: positivo) Tj ET\n"
	plain := pdfItemText(t, buildPDF([]string{"Esiti collaudo", "Esito: positivo"}, nil))
	if got := pdfItemText(t, pdfCompressed(content, "")); got != plain || !strings.Contains(got, "positivo") {
		t.Errorf("object streams: %q, written plainly %q", got, plain)
	}
	got := pdfItemText(t, pdfCompressed(content, strings.ReplaceAll(content, "positivo", "negativo")))
	if !strings.Contains(got, "negativo") || strings.Contains(got, "positivo") {
		t.Errorf("updated: %q, want the update's text", got)
	}

	base := buildPDF([]string{"Esiti collaudo", "Esito: positivo"}, nil)
	d, err := pdfOpen(context.Background(), base, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var contents pdfRef
	for _, kv := range pdfPages(d, 1)[0].dict() {
		if kv.k == "Contents" {
			contents = kv.v.(pdfRef)
		}
	}
	prev := bytes.LastIndex(base, []byte("startxref"))
	prevOff, _ := pdfIntAt(base, prev+len("startxref"))
	var up bytes.Buffer
	up.Write(base)
	text := "BT /F1 11 Tf 50 800 Td (Esiti collaudo) Tj ET\nBT /F1 11 Tf 50 780 Td (Esito: negativo) Tj ET\n"
	at := up.Len()
	fmt.Fprintf(&up, "%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", contents.num, len(text), text)
	xref := up.Len()
	fmt.Fprintf(&up, "xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n",
		contents.num, at, len(d.xref), pdfTrailerRoot(d), prevOff, xref)
	if got := pdfItemText(t, up.Bytes()); !strings.Contains(got, "negativo") || strings.Contains(got, "positivo") {
		t.Errorf("updated table: %q, want the update's text", got)
	}
}

func pdfTrailerRoot(d *pdfDoc) string {
	r := d.trailer.get("Root").(pdfRef)
	return fmt.Sprintf("%d %d R", r.num, r.gen)
}

// TestPDFHostileObjects: files made to loop or recurse are read as damaged, at once, by the
// object reader alone (no prescan before it): an object stream kept in itself, references in a
// circle, a /Parent loop, a /Prev chain pointing at itself, nesting a thousand deep.
func TestPDFHostileObjects(t *testing.T) {
	plain := string(buildPDF([]string{"Esiti collaudo", "Esito: positivo"}, nil))
	xrefAt := strings.LastIndex(plain, "\nxref\n") + 1
	cases := map[string][]byte{
		"object stream in itself": bombs.SelfRefPDF(),
		"prev loop":               []byte(strings.Replace(plain, "trailer\n<<", fmt.Sprintf("trailer\n<< /Prev %d", xrefAt), 1)),
		"deep nesting":            []byte(strings.Replace(plain, "/Type /Page ", "/Type /Page /X "+strings.Repeat("[", 5000)+" ", 1)),
		"parent loop":             []byte(strings.Replace(plain, "/Type /Page ", "/Type /Page /Parent 3 0 R ", 1)),
		"kids loop":               []byte(strings.Replace(plain, "/Kids [", "/Kids [2 0 R ", 1)),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			pdfWalkAll(t, data)
			_, _ = pdfRead(context.Background(), "x.pdf", data, Limits{})
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

// pdfWalkAll opens data with the object reader and reaches every value it can (bounded),
// failing on a panic that is not the reader's own report of damage: an index out of range, a
// nil dereference.
func pdfWalkAll(t *testing.T, data []byte) {
	defer func() {
		if r := recover(); r != nil {
			if _, bug := r.(runtime.Error); bug {
				t.Fatalf("runtime error: %v", r)
			}
		}
	}()
	d, err := pdfOpen(context.Background(), data, 1000)
	if err != nil {
		return
	}
	nodes := 0
	b := &pdfBudget{ctx: context.Background(), left: 64 << 10} // for all the streams
	var walk func(v pdfValue, depth int)
	walk = func(v pdfValue, depth int) {
		defer func() {
			if r := recover(); r != nil {
				if _, bug := r.(runtime.Error); bug {
					t.Fatalf("runtime error: %v", r)
				}
			}
		}()
		if nodes++; nodes > 2000 || depth > 20 {
			return
		}
		_ = v.Text() + v.String() + v.Name()
		switch v.Kind() {
		case pkArray:
			for i := range min(v.Len(), 64) {
				walk(v.Index(i), depth+1)
			}
		case pkDict, pkStream:
			for _, k := range v.Keys() {
				walk(v.Key(k), depth+1)
			}
			if v.Kind() == pkStream {
				lx := pdfStreamLexer(v, b)
				for range 2000 {
					if lx.next().kind == ptEOF {
						break
					}
					lx.release()
				}
				lx.close()
			}
		}
	}
	walk(d.trailerValue(), 0)
	for _, p := range pdfPages(d, 4) {
		walk(p, 0)
	}
}

// FuzzPDFObjects: the object reader never fails with a runtime error (only with its own
// report of damage, which the readers recover), and reading a file ends.
func FuzzPDFObjects(f *testing.F) {
	content := "BT /F1 11 Tf 50 800 Td (Esiti collaudo) Tj ET\n"
	f.Add(bombs.SelfRefPDF())
	f.Add(buildPDF([]string{"Esiti collaudo", "Esito: positivo"}, []string{"ente.codice_fiscale"}))
	f.Add(pdfCompressed(content, ""))
	f.Add(pdfCompressed(content, strings.ReplaceAll(content, "Esiti", "Esito")))
	if letter, err := os.ReadFile("../internal/loadreq/letter/lettera_trasmissione.pdf"); err == nil {
		f.Add(letter)
	} else {
		f.Fatal("committed fixture missing:", err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pdfWalkAll(t, data)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := pdfRead(ctx, "x.pdf", data, Limits{MaxPDFObjects: 1000}); errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("reading did not end: %v", err)
		}
	})
}

// objectDefRef is how a definition was read before objectDef: object's value, unboxed.
func objectDefRef(p *pdfParser) (pdfObjDef, bool) {
	def, ok := p.object().(pdfObjDef)
	return def, ok
}

// FuzzObjectDef: objectDef reads what object read at any place of a file, a definition or not,
// and panics where it panicked, with the same damage.
func FuzzObjectDef(f *testing.F) {
	f.Add([]byte("1 0 obj\n<</Type/Font/Widths[1 2 3]>>\nendobj\n"), uint16(0))
	f.Add([]byte("1 0 R 2 0 obj 5 endobj"), uint16(0))
	f.Add([]byte("12 0 obj\n<</Length 3>>stream\nabc\nendstream endobj"), uint16(0))
	f.Add([]byte("7 0 obj (x) 8 0 obj"), uint16(0))
	f.Add([]byte("-1 0 obj 5 endobj"), uint16(0))
	f.Add([]byte("4294967296 0 obj 5 endobj"), uint16(0))
	f.Add([]byte("1 65536 obj 5 endobj"), uint16(2))
	f.Add([]byte("1 0 objx 5 endobj"), uint16(0))
	f.Add([]byte("3 0 obj\n[1 2"), uint16(0))
	f.Add([]byte("<</A 1>>"), uint16(0))
	if letter, err := os.ReadFile("../internal/loadreq/letter/lettera_trasmissione.pdf"); err == nil {
		f.Add(letter, uint16(bytes.Index(letter, []byte("9 0 obj"))))
	} else {
		f.Fatal("committed fixture missing:", err)
	}
	f.Fuzz(func(t *testing.T, data []byte, off uint16) {
		if int(off) > len(data) {
			return
		}
		read := func(f func(p *pdfParser) (pdfObjDef, bool)) (def pdfObjDef, ok bool, pos int, panicked string) {
			d := &pdfDoc{data: data, ctx: context.Background(), maxObjs: 1000}
			p := d.parser(int(off), false)
			defer func() {
				if r := recover(); r != nil {
					panicked = fmt.Sprint(r)
				}
			}()
			def, ok = f(p)
			return def, ok, p.pos, ""
		}
		d1, ok1, pos1, p1 := read((*pdfParser).objectDef)
		d2, ok2, pos2, p2 := read(objectDefRef)
		if p1 != p2 || ok1 != ok2 || pos1 != pos2 || !reflect.DeepEqual(d1, d2) {
			t.Fatalf("objectDef: %#v %v at %d, panic %q; object: %#v %v at %d, panic %q", d1, ok1, pos1, p1, d2, ok2, pos2, p2)
		}
	})
}
