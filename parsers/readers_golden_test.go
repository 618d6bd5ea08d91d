package parsers_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mailbot/internal/formgen"
	"mailbot/internal/loadreq"
	"mailbot/parsers"
)

var update = flag.Bool("update", false, "rewrite testdata/readers.golden.json")

// goldenLimits are the defaults with a reading time no loaded machine reaches, so the golden
// file records what the readers read, never a timeout.
var goldenLimits = parsers.Limits{DocumentTimeout: 10 * time.Minute}

// TestReadersGolden records everything the readers return for every document we have (the
// corpus, the held-out sets, the committed forms, the formgen fixtures in every format, the load
// command's requests and printed letter) and compares it with testdata/readers.golden.json.
// The corpus tests count what is right; this one notices any change at all, so a refactor of
// the readers (issue 17) proves that it changes nothing. A change meant to alter readings updates the file:
//
//	go test ./parsers -run TestReadersGolden -update
func TestReadersGolden(t *testing.T) {
	got := map[string]any{}
	dirs := []string{filepath.Join("..", "testdata", "forms"), filepath.Join("testdata", "pdf")}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			ext := strings.ToLower(filepath.Ext(p))
			if !slices.Contains([]string{".eml", ".pdf", ".docx", ".odt", ".xlsx"}, ext) {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			got[filepath.ToSlash(p)] = goldenRead(filepath.Base(p), data)
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", dir, err)
		}
	}
	if len(got) < 140 {
		t.Fatalf("only %d documents found: the corpus is missing", len(got))
	}
	for _, format := range []string{formgen.FormatPDF, formgen.FormatDOCX, formgen.FormatODT, formgen.FormatXLSX} {
		for _, fx := range formgen.Fixtures() {
			data, err := formgen.Fill(fx.FormType, format, fx.Values)
			if err != nil {
				t.Fatalf("formgen %s %s: %v", fx.Name, format, err)
			}
			got["formgen/"+fx.Name+"."+format] = goldenRead(fx.Name+"."+format, data)
		}
	}
	req, err := loadreq.New(1, "referente@comune.venezia.it", time.Date(2026, 11, 26, 9, 12, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	got["loadreq/request.eml"] = goldenRead("request.eml", req)
	got["loadreq/letter.eml"] = goldenRead("letter.eml", loadreq.Letter(1, "referente@comune.venezia.it", time.Date(2026, 11, 26, 9, 12, 0, 0, time.UTC)))
	got["loadreq/lettera_trasmissione.pdf"] = goldenRead("lettera_trasmissione.pdf", loadreq.LetterPDF)

	out, err := json.MarshalIndent(got, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, '\n')
	golden := filepath.Join("testdata", "readers.golden.json")
	if *update {
		if err := os.WriteFile(golden, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read %s (make it with -update): %v", golden, err)
	}
	if bytes.Equal(want, out) {
		return
	}
	var wantDocs map[string]json.RawMessage
	if err := json.Unmarshal(want, &wantDocs); err != nil {
		t.Fatalf("%s: %v", golden, err)
	}
	var gotDocs map[string]json.RawMessage
	if err := json.Unmarshal(out, &gotDocs); err != nil {
		t.Fatal(err)
	}
	changed := 0
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range gotDocs {
			if !yield(k) {
				return
			}
		}
		for k := range wantDocs {
			if _, ok := gotDocs[k]; !ok && !yield(k) {
				return
			}
		}
	}) {
		if !bytes.Equal(wantDocs[name], gotDocs[name]) {
			changed++
			t.Errorf("%s: the readers' output changed\nwant %s\n got %s", name, goldenShort(wantDocs[name]), goldenShort(gotDocs[name]))
		}
	}
	t.Errorf("%d documents read differently; if that is meant, run go test ./parsers -run TestReadersGolden -update", changed)
}

// goldenRead is what the readers return for one document: Analyze's result for a message,
// ReadDocument's forms or error otherwise.
func goldenRead(name string, data []byte) any {
	if strings.HasSuffix(name, ".eml") {
		an, err := parsers.Analyze(bytes.NewReader(data), goldenLimits)
		if err != nil {
			return map[string]any{"error": err.Error()}
		}
		return an
	}
	forms, err := parsers.ReadDocument(name, "", data, goldenLimits)
	r := map[string]any{"forms": forms}
	if err != nil {
		r["error"] = err.Error()
	}
	return r
}

func goldenShort(b []byte) string {
	var c bytes.Buffer
	if err := json.Compact(&c, b); err != nil {
		return string(b)
	}
	if s := c.String(); len(s) > 4000 {
		return s[:4000] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return c.String()
}
