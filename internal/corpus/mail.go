package corpus

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"strings"
)

// Mail bodies as clients write them: Outlook (MsoNormal paragraphs and tables, a text/plain
// alternative with "addr <mailto:addr>" links and one table cell per line), Gmail (div dir=ltr,
// the previous message quoted in gmail_quote), and plain text.

var isEmailKey = map[string]bool{"ente.pec": true, "referente.email": true, "software_house.email": true, "azienda.pec": true, "azienda.email_referente_tecnico": true}

func looksEmail(s string) bool { return strings.Contains(s, "@") && !strings.Contains(s, " ") }

// pairText is a block's value written on one line (lines joined by sep).
func pairText(bl block, sep string) string {
	if bl.Kind == bChoice {
		return choiceText(bl)
	}
	return strings.Join(bl.Lines, sep)
}

// outlookHTML renders blocks as Outlook's HTML; table=true puts pairs in a bordered table.
func outlookHTML(intro, outro []string, bs []block, table bool) string {
	var b strings.Builder
	b.WriteString(`<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40"><head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=Generator content="Microsoft Word 15 (filtered medium)"><style><!--
/* Font Definitions */
@font-face {font-family:"Cambria Math";}
@font-face {font-family:Calibri;}
/* Style Definitions */
p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm;font-size:11.0pt;font-family:"Calibri",sans-serif;mso-fareast-language:EN-US;}
a:link, span.MsoHyperlink {mso-style-priority:99;color:#0563C1;text-decoration:underline;}
span.StileMessaggioDiPostaElettronica17 {mso-style-type:personal-compose;font-family:"Calibri",sans-serif;color:windowtext;}
.MsoChpDefault {mso-style-type:export-only;font-family:"Calibri",sans-serif;mso-fareast-language:EN-US;}
@page WordSection1 {size:612.0pt 792.0pt;margin:70.85pt 2.0cm 2.0cm 2.0cm;}
div.WordSection1 {page:WordSection1;}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]--></head><body lang=IT link="#0563C1" vlink="#954F72" style='word-wrap:break-word'><div class=WordSection1>`)
	p := func(inner string) { fmt.Fprintf(&b, "<p class=MsoNormal>%s<o:p></o:p></p>\n", inner) }
	val := func(bl block) string {
		var parts []string
		for _, l := range bl.Lines {
			if isEmailKey[bl.Key] && looksEmail(l) {
				parts = append(parts, fmt.Sprintf(`<a href="mailto:%s">%s</a>`, esc(l), esc(l)))
			} else {
				parts = append(parts, esc(l))
			}
		}
		if bl.Kind == bChoice {
			return esc(choiceText(bl))
		}
		return strings.Join(parts, "<br>")
	}
	for _, l := range intro {
		if l == "" {
			p("<o:p>&nbsp;</o:p>")
		} else {
			p(esc(l))
		}
	}
	inTable := false
	for _, bl := range bs {
		switch bl.Kind {
		case bTitle, bHeading:
			if inTable {
				b.WriteString("</table>\n")
				inTable = false
			}
			p("<b>" + esc(bl.Text) + "<o:p></o:p></b>")
		case bText:
			p(esc(bl.Text))
		case bPair, bChoice:
			if !table {
				p(esc(bl.Text) + ": " + val(bl))
				continue
			}
			if !inTable {
				b.WriteString(`<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none'>` + "\n")
				inTable = true
			}
			fmt.Fprintf(&b, `<tr><td width=246 valign=top style='width:184.3pt;border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'><p class=MsoNormal>%s<o:p></o:p></p></td><td width=392 valign=top style='width:294.0pt;border:solid windowtext 1.0pt;border-left:none;padding:0cm 5.4pt 0cm 5.4pt'><p class=MsoNormal>%s<o:p></o:p></p></td></tr>`+"\n", esc(bl.Text), val(bl))
		}
	}
	if inTable {
		b.WriteString("</table>\n")
	}
	for _, l := range outro {
		if l == "" {
			p("<o:p>&nbsp;</o:p>")
		} else {
			p(esc(l))
		}
	}
	b.WriteString("</div></body></html>\n")
	return b.String()
}

// outlookPlain is Outlook's text/plain alternative: links as "addr <mailto:addr>", a table
// cell per line.
func outlookPlain(intro, outro []string, bs []block, table bool) string {
	var lines []string
	lines = append(lines, intro...)
	for _, bl := range bs {
		switch bl.Kind {
		case bTitle, bHeading, bText:
			lines = append(lines, bl.Text)
		case bPair, bChoice:
			v := pairText(bl, "\n")
			if isEmailKey[bl.Key] && looksEmail(v) {
				v = v + " <mailto:" + v + ">"
			}
			if table {
				lines = append(lines, bl.Text, "", v, "")
			} else {
				lines = append(lines, bl.Text+": "+v)
			}
		}
	}
	lines = append(lines, outro...)
	return strings.Join(lines, "\r\n") + "\r\n"
}

// gmailHTML renders blocks as Gmail's composer does, with quoted (an earlier message) in a
// gmail_quote block.
func gmailHTML(intro, outro []string, bs []block, quoteAttr string, quoted []string) string {
	var b strings.Builder
	b.WriteString(`<div dir="ltr">`)
	div := func(inner string) { fmt.Fprintf(&b, "<div>%s</div>", inner) }
	for _, l := range intro {
		if l == "" {
			div("<br>")
		} else {
			div(esc(l))
		}
	}
	for _, bl := range bs {
		switch bl.Kind {
		case bTitle, bHeading:
			div("<b>" + esc(bl.Text) + "</b>")
		case bText:
			div(esc(bl.Text))
		case bPair, bChoice:
			v := esc(pairText(bl, ", "))
			if isEmailKey[bl.Key] && looksEmail(pairText(bl, "")) {
				v = fmt.Sprintf(`<a href="mailto:%s">%s</a>`, v, v)
			}
			div(esc(bl.Text) + ": " + v)
		}
	}
	for _, l := range outro {
		if l == "" {
			div("<br>")
		} else {
			div(esc(l))
		}
	}
	b.WriteString(`</div>`)
	if quoteAttr != "" {
		fmt.Fprintf(&b, `<br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">%s<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">`, esc(quoteAttr))
		for _, l := range quoted {
			if l == "" {
				b.WriteString("<br>")
			} else {
				b.WriteString(esc(l) + "<br>")
			}
		}
		b.WriteString(`</blockquote></div>`)
	}
	b.WriteString("\n")
	return b.String()
}

func gmailPlain(intro, outro []string, bs []block, quoteAttr string, quoted []string) string {
	lines := plainLines(intro, outro, bs, ", ")
	if quoteAttr != "" {
		lines = append(lines, "", quoteAttr, "")
		for _, l := range quoted {
			lines = append(lines, strings.TrimRight("> "+l, " "))
		}
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

func plainLines(intro, outro []string, bs []block, sep string) []string {
	var lines []string
	lines = append(lines, intro...)
	for _, bl := range bs {
		switch bl.Kind {
		case bTitle, bHeading, bText:
			lines = append(lines, "", bl.Text)
		case bPair, bChoice:
			lines = append(lines, bl.Text+": "+pairText(bl, sep))
		}
	}
	return append(lines, outro...)
}

// part is one MIME part of a message.
type part struct {
	ctype, disposition, filename string
	body                         []byte
	base64                       bool
}

type message struct {
	from, to, cc, subject, date, id string
	extra                           []string // more header lines
	alt                             []part   // text alternatives (text/plain, text/html)
	attach                          []part
}

func qp(b []byte) string {
	var buf bytes.Buffer
	w := quotedprintable.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.String()
}

func b64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	out.WriteString(s + "\r\n")
	return out.String()
}

func writePart(b *strings.Builder, p part) {
	fmt.Fprintf(b, "Content-Type: %s\r\n", p.ctype)
	if p.filename != "" {
		fmt.Fprintf(b, "Content-Disposition: %s; filename=\"%s\"\r\n", p.disposition, p.filename)
	}
	if p.base64 {
		b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n" + b64(p.body))
		return
	}
	b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n" + qp(p.body) + "\r\n")
}

func (m message) bytes() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\n", m.from, m.to)
	if m.cc != "" {
		fmt.Fprintf(&b, "Cc: %s\r\n", m.cc)
	}
	fmt.Fprintf(&b, "Subject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n", mime.QEncoding.Encode("utf-8", m.subject), m.date, m.id)
	for _, h := range m.extra {
		b.WriteString(h + "\r\n")
	}
	alt := func() {
		if len(m.alt) == 1 {
			writePart(&b, m.alt[0])
			return
		}
		b.WriteString("Content-Type: multipart/alternative; boundary=\"alt_" + m.id[:8] + "\"\r\n\r\n")
		for _, p := range m.alt {
			b.WriteString("--alt_" + m.id[:8] + "\r\n")
			writePart(&b, p)
		}
		b.WriteString("--alt_" + m.id[:8] + "--\r\n")
	}
	if len(m.attach) == 0 {
		alt()
		return []byte(b.String())
	}
	b.WriteString("Content-Type: multipart/mixed; boundary=\"mix_" + m.id[:8] + "\"\r\n\r\n")
	b.WriteString("--mix_" + m.id[:8] + "\r\n")
	alt()
	for _, p := range m.attach {
		b.WriteString("--mix_" + m.id[:8] + "\r\n")
		writePart(&b, p)
	}
	b.WriteString("--mix_" + m.id[:8] + "--\r\n")
	return []byte(b.String())
}
