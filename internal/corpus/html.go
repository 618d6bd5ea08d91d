package corpus

import (
	"fmt"
	"html"
	"strings"
)

// HTML sources that LibreOffice opens (Writer or Calc) and saves as DOCX, ODT, PDF or XLSX.

// Writer layouts.
const (
	wTable      = "table"            // label | value tables
	wParagraphs = "paragraphs"       // "Label: value" paragraphs
	wPrinted    = "printed"          // narrow label column: labels and values wrap over lines
	wFillable   = "fillable"         // values in form controls named after their labels
	wFillableG  = "fillable-generic" // form controls named Campo1, Campo2, Casella1...
	wFourCol    = "fourcol"          // two label | value pairs per row
)

func esc(s string) string { return html.EscapeString(s) }

func linesHTML(lines []string) string {
	var p []string
	for _, l := range lines {
		p = append(p, esc(l))
	}
	return strings.Join(p, "<br>")
}

// choiceHTML draws a choice that fits in one cell or line.
func choiceHTML(b block) string {
	if b.Style == chStrike {
		var p []string
		for _, o := range b.Opts {
			if o.On {
				p = append(p, esc(o.Text))
			} else {
				p = append(p, "<s>"+esc(o.Text)+"</s>")
			}
		}
		return strings.Join(p, " / ")
	}
	return esc(choiceText(b))
}

func tableChoice(style string) bool { return style == chXCol || style == chSiNo }

// writerHTML renders blocks for LibreOffice Writer.
func writerHTML(bs []block, layout, secStyle string) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="it"><head><meta charset="utf-8"><title>Modulo</title>
<style>body{font-family:"Liberation Sans";font-size:11pt} table{border-collapse:collapse;width:100%} td,th{border:1px solid #000;padding:3px;vertical-align:top}</style></head><body>
`)
	fillable := layout == wFillable || layout == wFillableG
	if fillable {
		b.WriteString("<form>\n")
	}
	labelW := "40%"
	if layout == wPrinted {
		labelW = "22%"
	}
	open := false
	closeT := func() {
		if open {
			b.WriteString("</table>\n")
			open = false
		}
	}
	openT := func(caption string) {
		if !open {
			b.WriteString(`<table border="1" cellpadding="4" cellspacing="0">`)
			if caption != "" {
				fmt.Fprintf(&b, "<caption><b>%s</b></caption>", esc(caption))
			}
			fmt.Fprintf(&b, `<col width="%s"><col>`+"\n", labelW)
			open = true
		}
	}
	pendingCaption := ""
	nField, nBox := 0, 0
	half := false // fourcol: a row holds its first pair
	for i := 0; i < len(bs); i++ {
		bl := bs[i]
		switch bl.Kind {
		case bTitle:
			closeT()
			fmt.Fprintf(&b, "<h1>%s</h1>\n", esc(bl.Text))
		case bText:
			closeT()
			fmt.Fprintf(&b, "<p>%s</p>\n", esc(bl.Text))
		case bHeading:
			closeT()
			switch secStyle {
			case secBold:
				fmt.Fprintf(&b, "<p><b>%s</b></p>\n", esc(bl.Text))
			case secCaption:
				pendingCaption = bl.Text
			default:
				fmt.Fprintf(&b, "<h2>%s</h2>\n", esc(bl.Text))
			}
		case bChoice, bPair:
			if bl.Kind == bChoice && tableChoice(bl.Style) {
				closeT()
				// Consecutive Sì/No rows share one table.
				j := i
				for j+1 < len(bs) && bs[j+1].Kind == bChoice && bs[j+1].Style == bl.Style && bl.Style == chSiNo {
					j++
				}
				b.WriteString(choiceTableHTML(bs[i:j+1], pendingCaption))
				pendingCaption = ""
				i = j
				continue
			}
			val := ""
			switch {
			case layout == wFillable || layout == wFillableG:
				val = controlHTML(bl, layout == wFillableG, &nField, &nBox)
			case bl.Kind == bChoice:
				val = choiceHTML(bl)
			default:
				val = linesHTML(bl.Lines)
			}
			if layout == wParagraphs {
				closeT()
				fmt.Fprintf(&b, "<p>%s: %s</p>\n", esc(bl.Text), val)
				continue
			}
			if layout == wFourCol {
				if !open {
					b.WriteString(`<table border="1" cellpadding="4" cellspacing="0"><col width="20%"><col width="30%"><col width="20%"><col width="30%">` + "\n")
					open, half = true, false
				}
				if !half {
					fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td>", esc(bl.Text), val)
				} else {
					fmt.Fprintf(&b, "<td>%s</td><td>%s</td></tr>\n", esc(bl.Text), val)
				}
				half = !half
				if half && (i+1 == len(bs) || bs[i+1].Kind != bPair && bs[i+1].Kind != bChoice) {
					b.WriteString("<td></td><td></td></tr>\n")
					half = false
				}
				continue
			}
			openT(pendingCaption)
			pendingCaption = ""
			fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td></tr>\n", esc(bl.Text), val)
		}
	}
	closeT()
	if fillable {
		b.WriteString("</form>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// controlHTML draws a value as form controls: a text field (a text area for several lines), or
// a check box before each option. Named after the label, or Campo1/Casella1 when generic.
func controlHTML(bl block, generic bool, nField, nBox *int) string {
	if bl.Kind == bChoice {
		var p []string
		for _, o := range bl.Opts {
			*nBox++
			name := bl.Text + " " + o.Text
			if generic {
				name = fmt.Sprintf("Casella%d", *nBox)
			}
			checked := ""
			if o.On {
				checked = " checked"
			}
			p = append(p, fmt.Sprintf(`<input type="checkbox" name="%s"%s> %s`, esc(name), checked, esc(o.Text)))
		}
		return strings.Join(p, " &nbsp; ")
	}
	*nField++
	name := bl.Text
	if generic {
		name = fmt.Sprintf("Campo%d", *nField)
	}
	if len(bl.Lines) > 1 {
		return fmt.Sprintf(`<textarea name="%s" rows="%d" cols="40">%s</textarea>`, esc(name), len(bl.Lines), esc(strings.Join(bl.Lines, "\n")))
	}
	return fmt.Sprintf(`<input type="text" name="%s" value="%s" size="40">`, esc(name), esc(strings.Join(bl.Lines, "")))
}

// choiceTableHTML draws check tables: "option | X" rows under the label, or "| Sì | No" columns.
func choiceTableHTML(bs []block, caption string) string {
	var b strings.Builder
	b.WriteString(`<table border="1" cellpadding="4" cellspacing="0">`)
	if caption != "" {
		fmt.Fprintf(&b, "<caption><b>%s</b></caption>", esc(caption))
	}
	mark := func(on bool) string {
		if on {
			return "X"
		}
		return "&nbsp;"
	}
	if bs[0].Style == chXCol {
		bl := bs[0]
		for i, o := range bl.Opts {
			b.WriteString("<tr>")
			if i == 0 {
				fmt.Fprintf(&b, `<td rowspan="%d" width="40%%">%s</td>`, len(bl.Opts), esc(bl.Text))
			}
			fmt.Fprintf(&b, `<td>%s</td><td width="8%%" align="center">%s</td></tr>`+"\n", esc(o.Text), mark(o.On))
		}
	} else {
		b.WriteString(`<tr><th width="70%"></th><th>Sì</th><th>No</th></tr>` + "\n")
		for _, bl := range bs {
			if len(bl.Opts) == 2 && bl.Opts[0].Text == "Sì" {
				fmt.Fprintf(&b, `<tr><td>%s</td><td align="center">%s</td><td align="center">%s</td></tr>`+"\n", esc(bl.Text), mark(bl.Opts[0].On), mark(bl.Opts[1].On))
				continue
			}
			for _, o := range bl.Opts {
				fmt.Fprintf(&b, `<tr><td>%s: %s</td><td align="center">%s</td><td align="center">%s</td></tr>`+"\n", esc(bl.Text), esc(o.Text), mark(o.On), mark(!o.On))
			}
		}
	}
	b.WriteString("</table>\n")
	return b.String()
}

// calcHTML renders blocks for LibreOffice Calc: a title and section rows merged over three
// columns, values merged over two, check choices as "option | X" rows with the label merged down.
func calcHTML(bs []block) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="it"><head><meta charset="utf-8"><title>Modulo</title></head><body><table border="1">` + "\n")
	for _, bl := range bs {
		switch bl.Kind {
		case bTitle, bHeading, bText:
			fmt.Fprintf(&b, `<tr><td colspan="3"><b>%s</b></td></tr>`+"\n", esc(bl.Text))
		case bPair:
			// sdnum: a text cell, as a person formats a column of codes (else Calc drops the
			// leading zeros of 00644060287).
			fmt.Fprintf(&b, `<tr><td>%s</td><td colspan="2" sdnum="1040;0;@">%s</td></tr>`+"\n", esc(bl.Text), linesHTML(bl.Lines))
		case bChoice:
			if bl.Style == chXCol || bl.Style == chSiNo {
				for i, o := range bl.Opts {
					b.WriteString("<tr>")
					if i == 0 {
						fmt.Fprintf(&b, `<td rowspan="%d">%s</td>`, len(bl.Opts), esc(bl.Text))
					}
					m := ""
					if o.On {
						m = "X"
					}
					fmt.Fprintf(&b, `<td>%s</td><td>%s</td></tr>`+"\n", esc(o.Text), m)
				}
				continue
			}
			fmt.Fprintf(&b, `<tr><td>%s</td><td colspan="2">%s</td></tr>`+"\n", esc(bl.Text), choiceHTML(bl))
		}
	}
	b.WriteString("</table></body></html>\n")
	return b.String()
}
