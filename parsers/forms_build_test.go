package parsers

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Builders of small documents for the tests and fuzz seeds: just the parts the readers use.

func buildZip(t testing.TB, entries map[string]string, order ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range order {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(entries[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const testDocxHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"><w:body>`

// docxPara is a paragraph of text.
func docxPara(s string) string {
	return `<w:p><w:r><w:t xml:space="preserve">` + html.EscapeString(s) + `</w:t></w:r></w:p>`
}

// docxTableXML is a table; cells may hold raw XML when they start with "<".
func docxTableXML(rows ...[]string) string {
	var b strings.Builder
	b.WriteString("<w:tbl>")
	for _, r := range rows {
		b.WriteString("<w:tr>")
		for _, c := range r {
			if strings.HasPrefix(c, "<") {
				b.WriteString("<w:tc>" + c + "</w:tc>")
			} else {
				b.WriteString("<w:tc>" + docxPara(c) + "</w:tc>")
			}
		}
		b.WriteString("</w:tr>")
	}
	b.WriteString("</w:tbl>")
	return b.String()
}

func buildDOCX(t testing.TB, body string) []byte {
	return buildZip(t, map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/document.xml":   testDocxHead + body + `</w:body></w:document>`,
	}, "[Content_Types].xml", "word/document.xml")
}

const testOdtHead = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:form="urn:oasis:names:tc:opendocument:xmlns:form:1.0"><office:body><office:text>`

func odtPara(s string) string { return `<text:p>` + html.EscapeString(s) + `</text:p>` }

func odtTableXML(rows ...[]string) string {
	var b strings.Builder
	b.WriteString("<table:table>")
	for _, r := range rows {
		b.WriteString("<table:table-row>")
		for _, c := range r {
			b.WriteString("<table:table-cell>" + odtPara(c) + "</table:table-cell>")
		}
		b.WriteString("</table:table-row>")
	}
	b.WriteString("</table:table>")
	return b.String()
}

func buildODT(t testing.TB, body string) []byte {
	return buildZip(t, map[string]string{
		"mimetype":    "application/vnd.oasis.opendocument.text",
		"content.xml": testOdtHead + body + `</office:text></office:body></office:document-content>`,
	}, "mimetype", "content.xml")
}

// buildXLSX makes a workbook with one sheet per entry of sheets (name, rows).
func buildXLSX(t testing.TB, sheets ...any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i := 0; i+1 < len(sheets); i += 2 {
		name := sheets[i].(string)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[i+1].([][]string) {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellStr(name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pdfString writes a PDF literal string (ASCII only in these tests).
func pdfString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
	return "(" + r.Replace(s) + ")"
}

// pdfHex writes a UTF-16BE hex string with BOM, as LibreOffice does for /Opt.
func pdfHex(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, r := range s {
		fmt.Fprintf(&b, "%04X", r)
	}
	b.WriteString(">")
	return b.String()
}

// buildPDF makes a one-page PDF with lines of text (Helvetica, one per row; a line with a tab
// puts the part after it at x=300, like a table column) and AcroForm fields given as the inner
// entries of their dictionaries ("/FT /Tx /T (ente.codice_ipa) /V (c_l736)").
func buildPDF(lines []string, fields []string) []byte {
	var content strings.Builder
	y := 800
	for _, l := range lines {
		left, right, hasTab := strings.Cut(l, "\t")
		fmt.Fprintf(&content, "BT /F1 11 Tf 50 %d Td %s Tj ET\n", y, pdfString(left))
		if hasTab {
			fmt.Fprintf(&content, "BT /F1 11 Tf 300 %d Td %s Tj ET\n", y, pdfString(right))
		}
		y -= 20
	}
	const firstField = 6
	var objs []string
	var annots, refs []string
	for i := range fields {
		refs = append(refs, fmt.Sprintf("%d 0 R", firstField+i))
	}
	annots = refs
	acro := ""
	if len(fields) > 0 {
		acro = " /AcroForm << /Fields [" + strings.Join(refs, " ") + "] >>"
	}
	objs = append(objs,
		"<< /Type /Catalog /Pages 2 0 R"+acro+" >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots ["+strings.Join(annots, " ")+"] >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	)
	for i, f := range fields {
		objs = append(objs, fmt.Sprintf("<< /Type /Annot /Subtype /Widget /P 3 0 R /Rect [300 %d 550 %d] %s >>", 700-20*i, 715-20*i, f))
	}
	return pdfObjects(objs...)
}
