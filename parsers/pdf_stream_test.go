package parsers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
)

// TestPDFObjectsAsLibrary: our object reader reads every PDF committed (the forms, the printed
// letter, the layout cases) as ledongthuc/pdf reads it: the same values under the trailer (kinds, numbers, names, strings and their text, keys, lengths) and the same decoded
// stream bytes, and each stream of a page is read from the file by our own inflater.
func TestPDFObjectsAsLibrary(t *testing.T) {
	docs := map[string][]byte{}
	for _, dir := range []string{filepath.Join("..", "testdata", "forms"), filepath.Join("..", "internal", "loadreq"), "testdata"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".pdf") {
				return err
			}
			data, err := os.ReadFile(p)
			docs[p] = data
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	content := "BT /F1 11 Tf 50 800 Td (Esiti collaudo) Tj ET\n"
	docs["object streams"] = pdfCompressed(content, "")
	docs["object streams, updated"] = pdfCompressed(content, strings.ReplaceAll(content, "Esiti", "Esito"))
	if len(docs) < 20 {
		t.Fatalf("%d PDFs found: the committed forms are missing", len(docs))
	}
	own := 0
	for name, data := range docs {
		lib, libErr := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
		d, err := pdfOpen(context.Background(), data, DefaultLimits.MaxPDFObjects)
		if (libErr != nil) != (err != nil) {
			t.Errorf("%s: the library opens it with %v, ours with %v", name, libErr, err)
			continue
		}
		if err != nil {
			continue
		}
		c := &pdfCompare{t: t, name: name, seen: map[string]bool{}}
		c.walk(lib.Trailer(), d.trailerValue(), "trailer", 0)
		for _, p := range pdfPages(d, 2) {
			b := &pdfBudget{ctx: context.Background(), left: 1 << 20}
			if _, flated, ok := pdfRawStream(p.Key("Contents"), b); ok && flated {
				own++
			}
		}
	}
	if own == 0 {
		t.Error("no page's stream was inflated by our own inflater")
	}
}

type pdfCompare struct {
	t     *testing.T
	name  string
	seen  map[string]bool
	nodes int
}

func (c *pdfCompare) walk(a pdf.Value, b pdfValue, path string, depth int) {
	if c.nodes++; c.nodes > 20000 || depth > 40 {
		return
	}
	if int(a.Kind()) != int(b.Kind()) {
		c.t.Errorf("%s %s: kind %v, the library's %v", c.name, path, b.Kind(), a.Kind())
		return
	}
	fail := func(what string, got, want any) {
		c.t.Errorf("%s %s: %s %v, the library's %v", c.name, path, what, got, want)
	}
	switch a.Kind() {
	case pdf.Integer, pdf.Real:
		if a.Float64() != b.Float64() || a.Int64() != b.Int64() || a.String() != b.String() {
			fail("number", b, a)
		}
	case pdf.Name:
		if a.Name() != b.Name() {
			fail("name", b.Name(), a.Name())
		}
	case pdf.String:
		if a.RawString() != b.RawString() || a.Text() != b.Text() {
			fail("string", b.Text(), a.Text())
		}
	case pdf.Array:
		if a.Len() != b.Len() {
			fail("length", b.Len(), a.Len())
			return
		}
		for i := range a.Len() {
			c.walk(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
	case pdf.Dict, pdf.Stream:
		// An object reached again by another path is compared once.
		key := fmt.Sprint(a.Keys(), a.Key("Length"), a.Key("Type"), a.Key("T"), a.Key("Contents"), a.Key("Parent").Key("Type"), path[:min(len(path), 0)])
		if c.seen[key] && depth > 6 {
			return
		}
		c.seen[key] = true
		if !slices.Equal(a.Keys(), b.Keys()) {
			fail("keys", b.Keys(), a.Keys())
			return
		}
		for _, k := range a.Keys() {
			if k == "Parent" || k == "P" {
				continue
			}
			c.walk(a.Key(k), b.Key(k), path+"/"+k, depth+1)
		}
		if a.Kind() == pdf.Stream {
			want, wantErr := pdfCatch(func() ([]byte, error) { return io.ReadAll(a.Reader()) })
			got, gotErr := pdfCatch(func() ([]byte, error) { return io.ReadAll(pdfStreamReader(b)) })
			if !bytes.Equal(got, want) || (wantErr == nil) != (gotErr == nil) {
				fail("stream", fmt.Sprintf("%d bytes (%v)", len(got), gotErr), fmt.Sprintf("%d bytes (%v)", len(want), wantErr))
			}
		}
	}
}

func pdfCatch(f func() ([]byte, error)) (data []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}
