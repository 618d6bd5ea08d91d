package parsers

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"mailbot/internal/bombs"
)

// TestXLSXWideRowsBomb: 5,000 rows with a cell at column XFD (26 KB) took 2.3 GB when every row
// was padded to the widest; streamed with column and row caps it is read in a few megabytes,
// and the form in its first row is still found.
func TestXLSXWideRowsBomb(t *testing.T) {
	bomb := bombs.WideXLSX(5000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	forms, err := ReadDocument("esiti.xlsx", "", bomb, Limits{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("reading a %d-byte workbook allocated %d MB", len(bomb), alloc>>20)
	}
	if len(forms) != 1 || forms[0].Fields["collaudo.esito"] != "positivo" {
		t.Errorf("forms %+v", forms)
	}
}

// xlsxOf builds a workbook from its sheet XML (rows inside <sheetData>, anything after it) and
// optional shared strings and styles.
func xlsxOf(t *testing.T, sheet, shared, styles string) []byte {
	t.Helper()
	entries := map[string]string{
		"xl/workbook.xml": `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="Foglio uno" sheetId="1" r:id="rId7"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/dati.xml"/></Relationships>`,
		"xl/worksheets/dati.xml": `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + sheet + `</worksheet>`,
	}
	order := []string{"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/dati.xml"}
	if shared != "" {
		entries["xl/sharedStrings.xml"] = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + shared + `</sst>`
		order = append(order, "xl/sharedStrings.xml")
	}
	if styles != "" {
		entries["xl/styles.xml"] = `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + styles + `</styleSheet>`
		order = append(order, "xl/styles.xml")
	}
	return buildZip(t, entries, order...)
}

// TestXLSXCells: values read as the sheet shows them: shared strings (rich runs joined, phonetic
// runs left out), inline strings, numbers (a codice fiscale Excel wrote in E notation), dates by
// built-in and custom formats, booleans; empty rows kept between, cells right of the column cap
// skipped, and a label merged down two rows labels both.
func TestXLSXCells(t *testing.T) {
	shared := `<si><t>Denominazione ente</t></si><si><r><t>Comune di </t></r><r><t>Venezia</t></r><rPh><t>ヴェネツィア</t></rPh></si><si><t>IBAN</t></si>`
	styles := `<numFmts count="1"><numFmt numFmtId="164" formatCode="gg/mm/aaaa;@"/></numFmts>` +
		`<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs>`
	sheet := `<sheetData>` +
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>C.F. ente</t></is></c><c r="B2"><v>8.0007580279E10</v></c></row>` +
		`<row r="4"><c r="A4" t="inlineStr"><is><t>Data lettera</t></is></c><c r="B4" s="1"><v>46352</v></c><c r="C4" s="2"><v>46353</v></c></row>` +
		`<row r="5"><c r="A5" t="s"><v>2</v></c><c r="B5" t="inlineStr"><is><t>IT60X0542811101000000123456</t></is></c><c r="XFD5" t="inlineStr"><is><t>lontano</t></is></c></row>` +
		`<row r="6"><c r="B6" t="inlineStr"><is><t>IT02L1234512345123456789012</t></is></c></row>` +
		`<row r="7"><c r="A7" t="b"><v>1</v></c><c r="B7" t="str"><f>A1</f><v>calcolato</v></c></row>` +
		`</sheetData><mergeCells count="1"><mergeCell ref="A5:A6"/></mergeCells>`
	x := &xlsxReader{ctx: context.Background(), name: "t.xlsx"}
	var err error
	if x.z, err = frOpenZip("t.xlsx", xlsxOf(t, sheet, shared, styles), DefaultLimits); err != nil {
		t.Fatal(err)
	}
	sheets, book, err := x.workbook()
	if err != nil {
		t.Fatal(err)
	}
	if len(sheets) != 1 || sheets[0].name != "Foglio uno" {
		t.Fatalf("sheets %+v", sheets)
	}
	rows, err := x.sheet(sheets[0].entry, book)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Denominazione ente", "Comune di Venezia"},
		{"C.F. ente", "80007580279"},
		nil,
		{"Data lettera", "26/11/2026", "27/11/2026"},
		{"IBAN", "IT60X0542811101000000123456"},
		{"IBAN", "IT02L1234512345123456789012"},
		{"TRUE", "calcolato"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows\n%q\nwant\n%q", rows, want)
	}
}

// TestXLSXLimits: rows past the cap are not read; too many cells, too many shared strings, a
// sheet past the decompression budget and an expired deadline each stop the reading.
func TestXLSXLimits(t *testing.T) {
	var rows strings.Builder
	for r := 1; r <= xlsxMaxRows+10; r++ {
		fmt.Fprintf(&rows, `<row r="%d"><c t="inlineStr"><is><t>Esito</t></is></c><c t="inlineStr"><is><t>r%d</t></is></c></row>`, r, r)
	}
	x := &xlsxReader{ctx: context.Background(), name: "t.xlsx"}
	x.z, _ = frOpenZip("t.xlsx", xlsxOf(t, `<sheetData>`+rows.String()+`</sheetData>`, "", ""), DefaultLimits)
	sheets, book, err := x.workbook()
	if err != nil {
		t.Fatal(err)
	}
	got, err := x.sheet(sheets[0].entry, book)
	if err != nil || len(got) != xlsxMaxRows || got[len(got)-1][1] != fmt.Sprint("r", xlsxMaxRows) {
		t.Errorf("row cap: %d rows, %v", len(got), err)
	}

	manyCells := `<sheetData><row r="1">` + strings.Repeat(`<c/>`, xlsxMaxCells+1) + `</row></sheetData>`
	manyShared := strings.Repeat(`<si><t>`+strings.Repeat("s", 1<<10)+`</t></si>`, xlsxMaxSharedBytes>>10+1)
	for _, c := range []struct {
		name   string
		doc    []byte
		lim    Limits
		ctx    context.Context
		reason string
	}{
		{"cells", xlsxOf(t, manyCells, "", ""), Limits{}, nil, reasonTooBig},
		{"shared", xlsxOf(t, `<sheetData/>`, manyShared, ""), Limits{}, nil, reasonTooBig},
		{"budget", xlsxOf(t, `<sheetData>`+rows.String()+`</sheetData>`, "", ""), Limits{MaxDecompressedBytes: 20000}, nil, reasonTooBig},
		{"deadline", xlsxOf(t, `<sheetData>`+rows.String()+`</sheetData>`, "", ""), Limits{}, canceled(), reasonTooSlow},
	} {
		ctx := c.ctx
		if ctx == nil {
			ctx = context.Background()
		}
		_, err := xlsxRead(ctx, c.name+".xlsx", c.doc, c.lim.WithDefaults())
		var de *DocumentError
		if !errors.Is(err, ErrLimit) || !errors.As(err, &de) || de.Key != c.reason {
			t.Errorf("%s: %v, want ErrLimit %q", c.name, err, c.reason)
		}
	}
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
