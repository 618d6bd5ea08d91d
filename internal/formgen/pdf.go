package formgen

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"

	"mailbot/parsers"
)

// Page geometry in points: A4 portrait, label column on the left, field column on the right.
const (
	pageW      = 595.28
	pageH      = 841.89
	marginX    = 50.0
	marginTop  = 60.0
	marginBot  = 50.0
	labelW     = 235.0
	fieldX     = 300.0
	fieldW     = pageW - marginX - fieldX
	labelSize  = 10.0
	labelLead  = 12.0
	titleSize  = 16.0
	lineH      = 18.0 // single-line field
	multiH     = 46.0 // multi-line field
	valueSize  = 10.0
	multiSize  = 9.0
	multiLead  = 10.5
	rowGap     = 8.0
	ffMultline = 1 << 12 // text field flag "Multiline", PDF 32000-1 table 228
)

// pdfDoc collects numbered objects; object n is objs[n-1].
type pdfDoc struct{ objs [][]byte }

func (d *pdfDoc) reserve() int {
	d.objs = append(d.objs, nil)
	return len(d.objs)
}

func (d *pdfDoc) set(n int, body string) { d.objs[n-1] = []byte(body) }

func (d *pdfDoc) add(body string) int {
	n := d.reserve()
	d.set(n, body)
	return n
}

// addStream adds a stream object; extra are more dictionary entries.
func (d *pdfDoc) addStream(extra string, data []byte) int {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<< %s/Length %d >>\nstream\n", extra, len(data))
	b.Write(data)
	b.WriteString("\nendstream")
	n := d.reserve()
	d.objs[n-1] = b.Bytes()
	return n
}

// bytes serialises the document with a classic xref table. The ID is a hash of the body, so it
// is stable for the same content and differs when content differs.
func (d *pdfDoc) bytes(root, info int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(d.objs))
	for i, o := range d.objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", i+1)
		b.Write(o)
		b.WriteString("\nendobj\n")
	}
	id := md5.Sum(b.Bytes())
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(d.objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%x> <%x>] >>\nstartxref\n%d\n%%%%EOF\n",
		len(d.objs)+1, root, info, id, id, xref)
	return b.Bytes()
}

// widget is a laid-out field: page, rectangle, object numbers.
type widget struct {
	row    row
	page   int // index into pages
	x, y   float64
	w, h   float64
	objNum int
}

// fieldNode is a node of the AcroForm field tree built from the dotted keys.
type fieldNode struct {
	partial  string
	objNum   int
	widget   *widget // nil for a non-terminal node
	children []*fieldNode
}

func renderPDF(d *formData) ([]byte, error) {
	doc := &pdfDoc{}
	catalog := doc.reserve()
	pagesObj := doc.reserve()
	helv := doc.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	helvBold := doc.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")

	// Lay out rows, opening a page when the next row does not fit.
	var contents []*bytes.Buffer
	newPage := func() *bytes.Buffer {
		c := &bytes.Buffer{}
		contents = append(contents, c)
		return c
	}
	c := newPage()
	y := pageH - marginTop
	fmt.Fprintf(c, "BT /F2 %s Tf 1 0 0 1 %s %s Tm %s Tj ET\n", num(titleSize), num(marginX), num(y), pdfWinAnsi(d.Title))
	y -= 2 * titleSize
	var widgets []*widget
	for _, r := range d.Rows {
		lines := wrapText(r.Label, labelSize, labelW)
		fh := lineH
		if r.Multiline {
			fh = multiH
		}
		rowH := max(float64(len(lines))*labelLead, fh)
		if y-rowH < marginBot {
			c = newPage()
			y = pageH - marginTop
		}
		for i, l := range lines {
			fmt.Fprintf(c, "BT /F1 %s Tf 1 0 0 1 %s %s Tm %s Tj ET\n",
				num(labelSize), num(marginX), num(y-12.5-float64(i)*labelLead), pdfWinAnsi(l))
		}
		// The box is drawn on the page, so it shows whatever appearance a viewer makes.
		fmt.Fprintf(c, "q 0.94 0.96 1 rg 0.55 G 0.6 w %s %s %s %s re B Q\n", num(fieldX), num(y-fh), num(fieldW), num(fh))
		widgets = append(widgets, &widget{row: r, page: len(contents) - 1, x: fieldX, y: y - fh, w: fieldW, h: fh})
		y -= rowH + rowGap
	}

	// Pages, their contents and annotations.
	pageNums := make([]int, len(contents))
	for i := range pageNums {
		pageNums[i] = doc.reserve()
	}
	for _, w := range widgets {
		w.objNum = doc.reserve()
	}
	for i, c := range contents {
		content := doc.addStream("", c.Bytes())
		var annots []string
		for _, w := range widgets {
			if w.page == i {
				annots = append(annots, ref(w.objNum))
			}
		}
		doc.set(pageNums[i], fmt.Sprintf("<< /Type /Page /Parent %s /MediaBox [0 0 %s %s] /Resources << /Font << /F1 %s /F2 %s >> >> /Contents %s /Annots [%s] >>",
			ref(pagesObj), num(pageW), num(pageH), ref(helv), ref(helvBold), ref(content), strings.Join(annots, " ")))
	}
	kids := make([]string, len(pageNums))
	for i, n := range pageNums {
		kids[i] = ref(n)
	}
	doc.set(pagesObj, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pageNums)))

	// Field tree: "ente.codice_fiscale" is the kid "codice_fiscale" of the field "ente", because
	// a partial field name must not contain a period (PDF 32000-1, 12.7.3.2).
	root := &fieldNode{}
	for _, w := range widgets {
		n := root
		parts := strings.Split(w.row.Key, ".")
		for _, p := range parts[:len(parts)-1] {
			n = n.child(p, doc)
		}
		n.children = append(n.children, &fieldNode{partial: parts[len(parts)-1], objNum: w.objNum, widget: w})
	}
	for _, n := range root.children {
		writeFieldNode(doc, n, 0, pageNums, helv)
	}
	top := make([]string, len(root.children))
	for i, n := range root.children {
		top[i] = ref(n.objNum)
	}
	doc.set(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %s /Lang (it-IT) /ViewerPreferences << /DisplayDocTitle true >> /AcroForm << /Fields [%s] /DA (/Helv 10 Tf 0 g) /DR << /Font << /Helv %s >> >> >> >>",
		ref(pagesObj), strings.Join(top, " "), ref(helv)))
	info := doc.add(fmt.Sprintf("<< /Title %s /Keywords %s /Creator (mailbot formgen) /Producer (mailbot formgen) /%s %s /%s %s >>",
		pdfTextString(d.Title), pdfTextString(d.Keyword), parsers.FormProperty, pdfTextString(d.Type), parsers.FormVersionProperty, pdfTextString(d.Version)))
	return doc.bytes(catalog, info), nil
}

func (n *fieldNode) child(partial string, doc *pdfDoc) *fieldNode {
	for _, c := range n.children {
		if c.partial == partial && c.widget == nil {
			return c
		}
	}
	c := &fieldNode{partial: partial, objNum: doc.reserve()}
	n.children = append(n.children, c)
	return c
}

func writeFieldNode(doc *pdfDoc, n *fieldNode, parent int, pageNums []int, helv int) {
	parentEntry := ""
	if parent != 0 {
		parentEntry = "/Parent " + ref(parent) + " "
	}
	if n.widget == nil {
		kids := make([]string, len(n.children))
		for i, c := range n.children {
			kids[i] = ref(c.objNum)
			writeFieldNode(doc, c, n.objNum, pageNums, helv)
		}
		doc.set(n.objNum, fmt.Sprintf("<< %s/T %s /Kids [%s] >>", parentEntry, pdfTextString(n.partial), strings.Join(kids, " ")))
		return
	}
	w := n.widget
	size, flags := valueSize, 0
	if w.row.Multiline {
		size, flags = multiSize, ffMultline
	}
	ap := doc.addStream(fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 %s %s] /Resources << /Font << /Helv %s >> >> ", num(w.w), num(w.h), ref(helv)),
		appearance(w, size))
	value := ""
	if len(w.row.Lines) > 0 {
		value = "/V " + pdfTextString(strings.Join(w.row.Lines, "\n")) + " "
	}
	doc.set(n.objNum, fmt.Sprintf("<< /Type /Annot /Subtype /Widget %s/FT /Tx /T %s /TU %s /Ff %d %s/DA (/Helv %s Tf 0 g) /Rect [%s %s %s %s] /F 4 /P %s /MK << >> /AP << /N %s >> >>",
		parentEntry, pdfTextString(n.partial), pdfTextString(w.row.Label), flags, value, num(size),
		num(w.x), num(w.y), num(w.x+w.w), num(w.y+w.h), ref(pageNums[w.page]), ref(ap)))
}

// appearance draws the value, clipped to the box, so that viewers which do not regenerate
// appearances still show it.
func appearance(w *widget, size float64) []byte {
	var b bytes.Buffer
	b.WriteString("/Tx BMC\n")
	if len(w.row.Lines) > 0 {
		fmt.Fprintf(&b, "q 1 1 %s %s re W n BT /Helv %s Tf 0 g\n", num(w.w-2), num(w.h-2), num(size))
		if w.row.Multiline {
			for i, l := range w.row.Lines {
				fmt.Fprintf(&b, "1 0 0 1 2 %s Tm %s Tj\n", num(w.h-2-size-float64(i)*multiLead), pdfWinAnsi(l))
			}
		} else {
			fmt.Fprintf(&b, "1 0 0 1 2 %s Tm %s Tj\n", num((w.h-size)/2+2), pdfWinAnsi(strings.Join(w.row.Lines, " ")))
		}
		b.WriteString("ET Q\n")
	}
	b.WriteString("EMC")
	return b.Bytes()
}

func ref(n int) string { return strconv.Itoa(n) + " 0 R" }

// num formats a coordinate with at most two decimals, the same way every time.
func num(f float64) string { return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64) }

// pdfTextString encodes a text string (names, tooltips, values): a literal when plain ASCII,
// else UTF-16BE with a byte order mark (PDF 32000-1, 7.9.2.2).
func pdfTextString(s string) string {
	ascii := true
	for _, r := range s {
		if (r < 0x20 && r != '\n') || r > 0x7e {
			ascii = false
			break
		}
	}
	if ascii {
		return pdfLiteral([]byte(s))
	}
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// pdfWinAnsi encodes text for a content stream shown with a WinAnsiEncoding font.
func pdfWinAnsi(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, winAnsi(r))
	}
	return pdfLiteral(b)
}

func pdfLiteral(b []byte) string {
	var s strings.Builder
	s.WriteByte('(')
	for _, c := range b {
		switch c {
		case '(', ')', '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case '\n':
			s.WriteString(`\n`)
		case '\r':
			s.WriteString(`\r`)
		default:
			s.WriteByte(c)
		}
	}
	s.WriteByte(')')
	return s.String()
}

// winAnsiExtra maps the characters of WinAnsiEncoding outside Latin-1 that Italian text uses.
var winAnsiExtra = map[rune]byte{
	'€': 0x80, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97,
}

func winAnsi(r rune) byte {
	switch {
	case r >= 0x20 && r <= 0x7e, r >= 0xa0 && r <= 0xff:
		return byte(r)
	case winAnsiExtra[r] != 0:
		return winAnsiExtra[r]
	}
	return '?'
}

// helveticaWidths are the Helvetica widths (1/1000 em) of ASCII 32..126, from its AFM file.
var helveticaWidths = [95]int{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
	333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
	556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
}

// textWidth is the width in points of s in Helvetica at size. Accented letters count as
// their widest base letters, which is close enough to wrap labels.
func textWidth(s string, size float64) float64 {
	w := 0
	for _, r := range s {
		switch {
		case r >= 32 && r <= 126:
			w += helveticaWidths[r-32]
		case r >= 0xc0 && r <= 0xde:
			w += 722
		default:
			w += 556
		}
	}
	return float64(w) * size / 1000
}

// wrapText breaks s into lines no wider than width, at spaces.
func wrapText(s string, size, width float64) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		next := word
		if cur != "" {
			next = cur + " " + word
		}
		if cur != "" && textWidth(next, size) > width {
			lines = append(lines, cur)
			next = word
		}
		cur = next
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}
