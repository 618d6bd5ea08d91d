// Package bombs makes the hostile inputs of issue 11 ("memory and time bombs") on the fly, so
// that no large file is committed: small attachments that expand to gigabytes when a reader
// builds them whole, and messages whose header or body is itself huge. Tests use them to check
// that mailbot reads each within its budgets and stays small while doing it.
package bombs

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"hash/adler32"
	"strings"
)

// Bomb is one hostile message: its name in test output, and its raw bytes.
type Bomb struct {
	Name string
	Raw  []byte
}

// All returns every bomb, each as a message from `from` to `to` (Message-IDs made unique by
// tag). The total is about 75 MB, most of it the oversized header and body.
func All(from, to, tag string) []Bomb {
	msg := func(name, subject string, b Attachment) Bomb {
		return Bomb{name, Message(from, to, fmt.Sprintf("bomb-%s-%s@example.org", name, tag), subject, b)}
	}
	return []Bomb{
		msg("docx-sdt", "Modulo informativa", Attachment{"informativa.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", NestedSDTDOCX(100, 10<<20)}),
		msg("xlsx-xfd", "Modulo qualificazione", Attachment{"qualificazione.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", WideXLSX(5000)}),
		msg("pdf-inflate", "Modulo in PDF", Attachment{"modulo.pdf", "application/pdf", InflatePDF(1 << 30)}),
		msg("pdf-shared", "Moduli in PDF", Attachment{"moduli.pdf", "application/pdf", SharedStreamPDF(500, 64<<20)}),
		msg("pdf-selfref", "Modulo firmato", Attachment{"modulo.pdf", "application/pdf", SelfRefPDF()}),
		{"header-32mib", HugeHeader(from, to, "bomb-header-"+tag+"@example.org", 32<<20)},
		{"body-39mib", HugeBody(from, to, "bomb-body-"+tag+"@example.org", 39<<20)},
	}
}

// Attachment is a file attached to a message.
type Attachment struct {
	Name, ContentType string
	Data              []byte
}

// Message builds a multipart message with a short text and the attachments, base64-encoded.
func Message(from, to, msgID, subject string, atts ...Attachment) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Referente <%s>\r\nTo: %s\r\nSubject: %s\r\nDate: Thu, 26 Nov 2026 09:12:00 +0100\r\n"+
		"Message-ID: <%s>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b0mb\"\r\n\r\n"+
		"--b0mb\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIn allegato i moduli compilati.\r\n",
		from, to, subject, msgID)
	for _, a := range atts {
		fmt.Fprintf(&b, "--b0mb\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n", a.ContentType, a.Name, a.Name)
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("--b0mb--\r\n")
	return b.Bytes()
}

// HugeHeader is a message whose header is about size bytes: one long folded field.
func HugeHeader(from, to, msgID string, size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 1024)
	fmt.Fprintf(&b, "From: Referente <%s>\r\nTo: %s\r\nSubject: Richiesta integrazione\r\nMessage-ID: <%s>\r\nX-Padding: x", from, to, msgID)
	line := "\r\n " + strings.Repeat("x", 74)
	for b.Len() < size {
		b.WriteString(line)
	}
	b.WriteString("\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nChiediamo l'integrazione con MyPay.\r\n")
	return b.Bytes()
}

// HugeBody is a message whose plain-text body is about size bytes of ordinary lines.
func HugeBody(from, to, msgID string, size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 1024)
	fmt.Fprintf(&b, "From: Referente <%s>\r\nTo: %s\r\nSubject: Richiesta integrazione\r\nMessage-ID: <%s>\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\n", from, to, msgID)
	line := "Codice IPA: c_l736 - Denominazione: Comune di Venezia - nota ripetuta per riempire il corpo\r\n"
	for b.Len() < size {
		b.WriteString(line)
	}
	return b.Bytes()
}

// NestedSDTDOCX is a DOCX whose body nests depth content controls (w:sdt) around a paragraph of
// textBytes of text: ~10 KB zipped for 10 MiB, and a reader that copies the text at each level
// of nesting holds it depth times.
func NestedSDTDOCX(depth, textBytes int) []byte {
	var doc bytes.Buffer
	doc.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		`<w:p><w:r><w:t>Informativa generale</w:t></w:r></w:p>`)
	for range depth {
		doc.WriteString(`<w:sdt><w:sdtPr><w:alias w:val="campo"/></w:sdtPr><w:sdtContent>`)
	}
	doc.WriteString(`<w:p><w:r><w:t>Note: `)
	chunk := strings.Repeat("testo ", 1024)
	for n := 0; n < textBytes; n += len(chunk) {
		doc.WriteString(chunk)
	}
	doc.WriteString(`</w:t></w:r></w:p>`)
	for range depth {
		doc.WriteString(`</w:sdtContent></w:sdt>`)
	}
	doc.WriteString(`</w:body></w:document>`)
	return zipOf([][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", doc.String()},
	})
}

// WideXLSX is a workbook with one sheet of rows rows, each with one cell at column XFD (the
// last): about 26 KB for 5,000 rows, and gigabytes for a reader that pads every row to the
// widest one.
func WideXLSX(rows int) []byte {
	var sheet strings.Builder
	sheet.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	sheet.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>Esito</t></is></c><c r="B1" t="inlineStr"><is><t>positivo</t></is></c></row>`)
	for r := 2; r <= rows; r++ {
		fmt.Fprintf(&sheet, `<row r="%d"><c r="XFD%d"><v>%d</v></c></row>`, r, r, r)
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	return zipOf([][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
			`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Esiti collaudo" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", sheet.String()},
	})
}

// InflatePDF is a one-page PDF whose content stream inflates to size bytes of spaces: about
// 1 MB for 1 GiB.
func InflatePDF(size int) []byte {
	return pdfOf(1, repeatZlib("", " ", "", size))
}

// SharedStreamPDF is a PDF of pages pages that all draw one content stream of size bytes of text
// operators: a reader that extracts each page's text inflates and parses the stream once per page.
func SharedStreamPDF(pages, size int) []byte {
	return pdfOf(pages, repeatZlib("BT /F1 12 Tf 72 700 Td ", "(A) Tj\n ", " ET\n", size))
}

// pdfOf writes a PDF of pages pages, each drawing the same content stream (zlib data).
func pdfOf(pages int, content []byte) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	// 1 catalog, 2 pages, 3 font, 4 content, 5.. pages.
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	var kids strings.Builder
	for i := range pages {
		fmt.Fprintf(&kids, "%d 0 R ", 5+i)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Count %d /Kids [%s] >>", pages, kids.String()))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	offsets = append(offsets, b.Len())
	fmt.Fprintf(&b, "4 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n", len(content))
	b.Write(content)
	b.WriteString("\nendstream\nendobj\n")
	for range pages {
		obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// repeatZlib returns the zlib stream of head, then unit repeated to about size bytes, then tail,
// without compressing size bytes: deflate blocks that encode one chunk of a periodic text
// refer only to the chunk before, which is the same, so the block for the second chunk is
// valid again for each later one.
func repeatZlib(head, unit, tail string, size int) []byte {
	const chunk = 1 << 20
	if chunk%len(unit) != 0 {
		panic("bombs: unit must divide 1 MiB")
	}
	data := []byte(strings.Repeat(unit, chunk/len(unit)))
	var out bytes.Buffer
	out.Write([]byte{0x78, 0xda}) // zlib header, best compression
	w, _ := flate.NewWriter(&out, flate.BestCompression)
	sum := adler32.New()
	write := func(p []byte) {
		w.Write(p)
		sum.Write(p)
	}
	write([]byte(head))
	write(data)
	w.Flush()
	start := out.Len()
	write(data)
	w.Flush()
	block := append([]byte(nil), out.Bytes()[start:]...)
	s := sum.Sum32()
	dataSum := adler32.Checksum(data)
	for n := 2 * chunk; n < size; n += chunk {
		out.Write(block)
		s = adlerCombine(s, dataSum, chunk)
	}
	w.Write([]byte(tail))
	w.Close()
	s = adlerCombine(s, adler32.Checksum([]byte(tail)), int64(len(tail)))
	out.Write([]byte{byte(s >> 24), byte(s >> 16), byte(s >> 8), byte(s)})
	return out.Bytes()
}

// adlerCombine is the Adler-32 of two strings joined, from their checksums and the second's
// length (zlib's adler32_combine): a gigabyte is not summed byte by byte.
func adlerCombine(a1, a2 uint32, len2 int64) uint32 {
	const base = 65521
	rem := uint32(len2 % base)
	sum1 := a1 & 0xffff
	sum2 := rem * sum1 % base
	sum1 += a2&0xffff + base - 1
	sum2 += a1>>16 + a2>>16 + base - rem
	if sum1 >= base {
		sum1 -= base
	}
	if sum1 >= base {
		sum1 -= base
	}
	if sum2 >= base<<1 {
		sum2 -= base << 1
	}
	if sum2 >= base {
		sum2 -= base
	}
	return sum2<<16 | sum1
}

func zipOf(entries [][2]string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: e[0], Method: zip.Deflate})
		w.Write([]byte(e[1]))
	}
	zw.Close()
	return b.Bytes()
}

// SelfRefPDF is a PDF of about 300 bytes whose cross-reference stream places its catalog in an
// object stream that is the catalog itself: ledongthuc/pdf resolves the stream to find the
// object, the stream is that object, and so on until Go aborts the process with "fatal error:
// stack overflow" (after climbing to about 1 GB of stack), which no recover catches.
func SelfRefPDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	// 1 a page tree nobody reaches, 2 the cross-reference stream, 3 the catalog: "in object
	// stream 3, at index 0".
	one := b.Len()
	b.WriteString("1 0 obj\n<< /Type /Pages /Count 0 /Kids [] >>\nendobj\n")
	two := b.Len()
	entries := []byte{
		0, 0, 0, 0xff, 0xff, // 0: free
		1, 0, byte(one), 0, 0, // 1: at offset one
		1, 0, byte(two), 0, 0, // 2: this stream
		2, 0, 3, 0, 0, // 3: in object stream 3, index 0
	}
	fmt.Fprintf(&b, "2 0 obj\n<< /Type /XRef /Size 4 /W [1 2 2] /Root 3 0 R /Length %d >>\nstream\n", len(entries))
	b.Write(entries)
	b.WriteString("\nendstream\nendobj\n")
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", two)
	return b.Bytes()
}
