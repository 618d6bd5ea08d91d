package formgen

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/xuri/excelize/v2"

	"mailbot/parsers"
	"mailbot/templates"
)

func init() { api.DisableConfigDir() }

func TestReproducible(t *testing.T) {
	a, err := BlankFiles()
	if err != nil {
		t.Fatal(err)
	}
	b, err := BlankFiles()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(parsers.Forms)*len(BlankFormats) {
		t.Fatalf("got %d blank files, want %d", len(a), len(parsers.Forms)*len(BlankFormats))
	}
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
	fa, err := FixtureFiles()
	if err != nil {
		t.Fatal(err)
	}
	fb, err := FixtureFiles()
	if err != nil {
		t.Fatal(err)
	}
	for name := range fa {
		if !bytes.Equal(fa[name], fb[name]) {
			t.Errorf("fixture %s differs between two runs", name)
		}
	}
}

// TestCommittedUpToDate fails when templates/forms or testdata/forms differ from what the
// generator makes now: regenerate them, never edit them by hand.
func TestCommittedUpToDate(t *testing.T) {
	const regen = "run: go run ./internal/formgen/cmd/formgen -out templates/forms -fixtures testdata/forms"
	blank, err := BlankFiles()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range blank {
		got, err := os.ReadFile(filepath.Join("..", "..", "templates", "forms", name))
		if err != nil {
			t.Errorf("%v; %s", err, regen)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("templates/forms/%s is not what the generator makes; %s", name, regen)
		}
	}
	entries, err := os.ReadDir(filepath.Join("..", "..", "templates", "forms"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := blank[e.Name()]; !ok {
			t.Errorf("templates/forms/%s is not made by the generator: remove it", e.Name())
		}
	}
	fixtures, err := FixtureFiles()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range fixtures {
		got, err := os.ReadFile(filepath.Join("..", "..", "testdata", "forms", name))
		if err != nil {
			t.Errorf("%v; %s", err, regen)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/forms/%s is not what the generator makes; %s", name, regen)
		}
	}
}

// TestEmbeddedBlankForms checks that what mailbot attaches is what the generator makes.
func TestEmbeddedBlankForms(t *testing.T) {
	for _, spec := range parsers.Forms {
		for _, format := range BlankFormats {
			name, data, err := templates.BlankForm(spec.Type, format)
			if err != nil {
				t.Fatalf("BlankForm(%s, %s): %v", spec.Type, format, err)
			}
			want, err := Blank(spec.Type, format)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, want) {
				t.Errorf("embedded %s (%s) differs from the generator", name, spec.Type)
			}
		}
	}
}

func TestFillErrors(t *testing.T) {
	if _, err := Fill("modulo_x", FormatPDF, nil); !errors.Is(err, ErrUnknownForm) {
		t.Errorf("unknown form: got %v", err)
	}
	if _, err := Fill(parsers.FormEsitiCollaudo, "rtf", nil); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("unknown format: got %v", err)
	}
	_, err := Fill(parsers.FormEsitiCollaudo, FormatPDF, map[string]string{"collaudo.esitto": "positivo"})
	if !errors.Is(err, ErrUnknownField) || !strings.Contains(err.Error(), "collaudo.esitto") {
		t.Errorf("unknown field: got %v", err)
	}
}

// sampleValues fills every field of a form with a value that exercises escaping: accents,
// apostrophes, a double space, XML and PDF specials, and two lines in multi-line fields.
func sampleValues(spec parsers.FormSpec) map[string]string {
	v := make(map[string]string)
	for i, f := range spec.Fields {
		s := "Valore à è ì ò ù  n." + string(rune('A'+i)) + " (l'ente) <&> \\ fine"
		if isMultiline(f) {
			s += "\nseconda riga"
		}
		v[f.Key] = s
	}
	return v
}

func TestPDFForm(t *testing.T) {
	// Relaxed, pdfcpu's default: strict mode wants /Widths even for the standard 14 fonts, which
	// PDF 32000-1 table 111 exempts.
	conf := model.NewDefaultConfiguration()
	for _, spec := range parsers.Forms {
		for _, values := range []map[string]string{nil, sampleValues(spec)} {
			b, err := Fill(spec.Type, FormatPDF, values)
			if err != nil {
				t.Fatal(err)
			}
			if err := api.Validate(bytes.NewReader(b), conf); err != nil {
				t.Fatalf("%s: pdfcpu validation: %v", spec.Type, err)
			}
			fields, err := api.FormFields(bytes.NewReader(b), conf)
			if err != nil {
				t.Fatalf("%s: form fields: %v", spec.Type, err)
			}
			var names []string
			got := map[string]string{}
			tips := map[string]string{}
			for _, f := range fields {
				names = append(names, f.Name)
				got[f.Name] = f.V
				tips[f.Name] = f.AltName
			}
			for _, f := range spec.Fields {
				if !slices.Contains(names, f.Key) {
					t.Errorf("%s: no field %s in %v", spec.Type, f.Key, names)
					continue
				}
				if tips[f.Key] != f.Label {
					t.Errorf("%s %s: tooltip %q, want the label %q", spec.Type, f.Key, tips[f.Key], f.Label)
				}
				// pdfcpu's listing shows a line end as the two characters `\n`.
				want := strings.ReplaceAll(values[f.Key], "\n", `\n`)
				if g := got[f.Key]; g != want {
					t.Errorf("%s %s: value %q, want %q", spec.Type, f.Key, g, want)
				}
			}
			if len(fields) != len(spec.Fields) {
				t.Errorf("%s: %d fields, want %d", spec.Type, len(fields), len(spec.Fields))
			}
		}
	}
}

// zipFiles reads a zip into name → content, keeping the entry order in names.
func zipFiles(t *testing.T, b []byte) (names []string, files map[string][]byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	files = map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, f.Name)
		files[f.Name] = data
	}
	return names, files
}

// tableRows reads the paragraphs of every table cell of a WordprocessingML or ODF document:
// cells are elements named cell (w:tc, table:table-cell), line breaks (w:br, text:line-break)
// become "\n".
func tableRows(t *testing.T, doc []byte, cell, row, text, br string) (title string, rows [][2]string) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var cur []string
	var buf strings.Builder
	inCell, inTable := false, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case row:
				cur = nil
				inTable = true
			case cell:
				inCell = true
				buf.Reset()
			case br:
				buf.WriteString("\n")
			case "s": // ODF text:s, c spaces
				n := 1
				for _, a := range e.Attr {
					if a.Name.Local == "c" {
						n, _ = strconv.Atoi(a.Value)
					}
				}
				buf.WriteString(strings.Repeat(" ", n))
			}
		case xml.EndElement:
			switch e.Name.Local {
			case cell:
				inCell = false
				cur = append(cur, buf.String())
			case row:
				if len(cur) != 2 {
					t.Fatalf("row with %d cells", len(cur))
				}
				rows = append(rows, [2]string{cur[0], cur[1]})
			}
		case xml.CharData:
			if inCell {
				buf.Write(e)
			} else if !inTable && strings.TrimSpace(string(e)) != "" {
				title += string(e)
			}
		}
	}
	_ = text
	return title, rows
}

func checkRows(t *testing.T, what string, spec parsers.FormSpec, values map[string]string, title string, rows [][2]string) {
	t.Helper()
	if title != spec.Title {
		t.Errorf("%s: title %q, want %q", what, title, spec.Title)
	}
	if len(rows) != len(spec.Fields) {
		t.Fatalf("%s: %d rows, want %d", what, len(rows), len(spec.Fields))
	}
	for i, f := range spec.Fields {
		if rows[i][0] != f.Label || rows[i][1] != values[f.Key] {
			t.Errorf("%s row %d: %q | %q, want %q | %q", what, i, rows[i][0], rows[i][1], f.Label, values[f.Key])
		}
	}
}

func TestDOCX(t *testing.T) {
	for _, spec := range parsers.Forms {
		for _, values := range []map[string]string{nil, sampleValues(spec)} {
			b, err := Fill(spec.Type, FormatDOCX, values)
			if err != nil {
				t.Fatal(err)
			}
			_, files := zipFiles(t, b)
			for _, part := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml"} {
				if files[part] == nil {
					t.Fatalf("%s: no %s", spec.Type, part)
				}
			}
			title, rows := tableRows(t, files["word/document.xml"], "tc", "tr", "t", "br")
			checkRows(t, spec.Type+" docx", spec, values, title, rows)
		}
	}
}

func TestODT(t *testing.T) {
	for _, spec := range parsers.Forms {
		for _, values := range []map[string]string{nil, sampleValues(spec)} {
			b, err := Fill(spec.Type, FormatODT, values)
			if err != nil {
				t.Fatal(err)
			}
			// ODF 1.3 part 2, 3.3: "mimetype" first, stored, no extra field.
			zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			first := zr.File[0]
			if first.Name != "mimetype" || first.Method != zip.Store || len(first.Extra) != 0 {
				t.Fatalf("%s: first entry %q method %d extra %d", spec.Type, first.Name, first.Method, len(first.Extra))
			}
			if !bytes.HasPrefix(b[30:], []byte("mimetypeapplication/vnd.oasis.opendocument.text")) {
				t.Fatalf("%s: mimetype not readable at offset 30", spec.Type)
			}
			_, files := zipFiles(t, b)
			if files["META-INF/manifest.xml"] == nil {
				t.Fatalf("%s: no manifest", spec.Type)
			}
			title, rows := tableRows(t, files["content.xml"], "table-cell", "table-row", "p", "line-break")
			checkRows(t, spec.Type+" odt", spec, values, title, rows)
		}
	}
}

func TestXLSX(t *testing.T) {
	spec := *parsers.Spec(parsers.FormQualificazioneEnteProdotto)
	values := sampleValues(spec)
	b, err := Fill(spec.Type, FormatXLSX, values)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != spec.Title {
		t.Errorf("A1 %q, want the title", rows[0][0])
	}
	var got [][2]string
	for _, r := range rows[1:] {
		got = append(got, [2]string{r[0], r[1]})
	}
	checkRows(t, "xlsx", spec, values, spec.Title, got)
}

func TestWrapText(t *testing.T) {
	label := "Adesione a PagoPA con Regione del Veneto come intermediario tecnologico (sì/no)"
	lines := wrapText(label, labelSize, labelW)
	if len(lines) < 2 {
		t.Fatalf("long label not wrapped: %q", lines)
	}
	if strings.Join(lines, " ") != label {
		t.Errorf("wrapping lost text: %q", lines)
	}
	for _, l := range lines {
		if textWidth(l, labelSize) > labelW {
			t.Errorf("line %q wider than the column", l)
		}
	}
}
