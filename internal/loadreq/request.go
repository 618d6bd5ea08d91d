// Package loadreq makes the realistic mail the load command and the benchmarks feed mailbot: a
// referent's integration request with a text and an HTML body (and a logo in the signature),
// carrying both step-one forms filled in as PDF, about 87 KB on the wire. Request i is about its
// own ente (codice fiscale, codice IPA and name derived from i), so each one opens a ticket.
package loadreq

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"maps"
	"strings"
	"time"

	"mailbot/internal/formgen"
	"mailbot/parsers"
)

// To is where requests go: the call center's mailbox.
const To = "call.center@regione.veneto.it"

// Attachment is one file of a request.
type Attachment struct {
	Name, ContentType string
	Data              []byte
}

// Mail is what Compose writes.
type Mail struct {
	From, MessageID, Subject string
	Date                     time.Time
	InReplyTo                string   // without brackets
	References               []string // without brackets
	Text                     string   // plain body; the HTML alternative says the same
	Attachments              []Attachment
	NoLogo                   bool // leave out the ~34 KB logo of the HTML signature
}

// CFEnte returns a valid 11-digit codice fiscale for ente i (check digit as parsers checks it).
func CFEnte(i int) string {
	d := fmt.Sprintf("9%09d", i%1_000_000_000)
	sum := 0
	for k := 0; k < 10; k++ {
		n := int(d[k] - '0')
		if k%2 == 1 {
			if n *= 2; n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return d + string(rune('0'+(10-sum%10)%10))
}

// Forms returns the two step-one forms of ente i as PDF, every field valid.
func Forms(i int) (informativa, enteProdotto []byte, err error) {
	fx := formgen.Fixtures()
	ente := map[string]string{
		"ente.denominazione":  fmt.Sprintf("Comune di Prova %d", i),
		"ente.codice_fiscale": CFEnte(i),
		"ente.codice_ipa":     fmt.Sprintf("c_p%d", i),
	}
	ig := maps.Clone(fx[0].Values)
	maps.Copy(ig, ente)
	ep := maps.Clone(fx[1].Values)
	maps.Copy(ep, ente)
	if informativa, err = formgen.Fill(parsers.FormInformativaGenerale, formgen.FormatPDF, ig); err != nil {
		return nil, nil, err
	}
	if enteProdotto, err = formgen.Fill(parsers.FormQualificazioneEnteProdotto, formgen.FormatPDF, ep); err != nil {
		return nil, nil, err
	}
	return informativa, enteProdotto, nil
}

// New returns request i from the given sender, with its forms.
func New(i int, from string, date time.Time) ([]byte, error) {
	ig, ep, err := Forms(i)
	if err != nil {
		return nil, err
	}
	return Compose(Mail{
		From:      from,
		MessageID: fmt.Sprintf("load-%d-%d@comune.example.it", i, date.UnixNano()),
		Subject:   fmt.Sprintf("Richiesta integrazione MyPay e MyPivot - Comune di Prova %d", i),
		Date:      date,
		Text: "Buongiorno,\r\n\r\nin allegato i moduli Informativa Generale dell'ente e Qualificazione Ente-Prodotto " +
			"compilati per l'attivazione di MyPay e MyPivot.\r\n\r\nCordiali saluti,\r\nMaria Bianchi\r\nServizi informatici\r\n",
		Attachments: []Attachment{
			{"informativa_generale.pdf", "application/pdf", ig},
			{"qualificazione_ente_prodotto.pdf", "application/pdf", ep},
		},
	}), nil
}

// Compose writes m as a client would: multipart/mixed holding a multipart/related (text and
// HTML alternatives, the logo) and the attachments, base64 in 76-column lines.
func Compose(m Mail) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Maria Bianchi <%s>\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\n",
		m.From, To, m.Subject, m.Date.Format(time.RFC1123Z), m.MessageID)
	if m.InReplyTo != "" {
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\n", m.InReplyTo)
	}
	if len(m.References) > 0 {
		fmt.Fprintf(&b, "References: <%s>\r\n", strings.Join(m.References, "> <"))
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mixed\"\r\n\r\n")
	b.WriteString("--mixed\r\nContent-Type: multipart/related; boundary=\"rel\"\r\n\r\n")
	b.WriteString("--rel\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n")
	b.WriteString("--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + m.Text)
	b.WriteString("--alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n<html><body>")
	for _, p := range strings.Split(m.Text, "\r\n\r\n") {
		b.WriteString("<p style=\"font-family:Calibri,sans-serif;font-size:11pt;color:#1f1f1f\">" + p + "</p>\r\n")
	}
	b.WriteString(strings.Repeat("<p style=\"font-family:Calibri,sans-serif;font-size:8pt;color:#808080\">Le informazioni contenute "+
		"in questo messaggio sono riservate e ad uso esclusivo del destinatario.</p>\r\n", 24))
	b.WriteString("<img src=\"cid:logo@comune.example.it\"></body></html>\r\n--alt--\r\n")
	if !m.NoLogo {
		writePart(&b, "rel", Attachment{"", "image/png", logo}, "logo@comune.example.it")
	}
	b.WriteString("--rel--\r\n")
	for _, a := range m.Attachments {
		writePart(&b, "mixed", a, "")
	}
	b.WriteString("--mixed--\r\n")
	return b.Bytes()
}

// logo stands for the picture of a signature: under parsers' 64 KB logo threshold, so skipped.
var logo = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("venezia-logo-"), 34<<10/13)...)

func writePart(b *bytes.Buffer, boundary string, a Attachment, cid string) {
	fmt.Fprintf(b, "--%s\r\nContent-Type: %s", boundary, a.ContentType)
	if a.Name != "" {
		fmt.Fprintf(b, "; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"", a.Name, a.Name)
	}
	if cid != "" {
		fmt.Fprintf(b, "\r\nContent-ID: <%s>\r\nContent-Disposition: inline", cid)
	}
	b.WriteString("\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	line := make([]byte, base64.StdEncoding.EncodedLen(57))
	data := a.Data
	for len(data) > 0 {
		n := min(57, len(data))
		base64.StdEncoding.Encode(line, data[:n])
		b.Write(line[:base64.StdEncoding.EncodedLen(n)])
		b.WriteString("\r\n")
		data = data[n:]
	}
}

// BigPDF returns a valid PDF of about size bytes: one page showing a large image (bytes that
// stand for a JPEG; no reader decodes it), as a scanned document is.
func BigPDF(size int) []byte {
	img := make([]byte, size)
	// Incompressible, reproducible filler.
	for i, seed := 0, sha256.Sum256([]byte("mailbot")); i < len(img); i += len(seed) {
		copy(img[i:], seed[:])
		seed = sha256.Sum256(seed[:])
	}
	content := "q 595 0 0 842 0 0 cm /Im1 Do Q\n"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(content), content),
	}
	var b bytes.Buffer
	b.Grow(size + 1024)
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	var offsets []int
	for i, o := range objs {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	offsets = append(offsets, b.Len())
	fmt.Fprintf(&b, "5 0 obj\n<< /Type /XObject /Subtype /Image /Width 2480 /Height 3508 /ColorSpace /DeviceRGB "+
		"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n", len(img))
	b.Write(img)
	b.WriteString("\nendstream\nendobj\n")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// Big returns request i with a scanned document of about size bytes attached beside its forms.
func Big(i int, from string, date time.Time, size int) ([]byte, error) {
	ig, ep, err := Forms(i)
	if err != nil {
		return nil, err
	}
	return Compose(Mail{
		From:      from,
		MessageID: fmt.Sprintf("load-big-%d-%d@comune.example.it", i, date.UnixNano()),
		Subject:   fmt.Sprintf("Richiesta integrazione con delibera scansionata - Comune di Prova %d", i),
		Date:      date,
		Text:      "Buongiorno,\r\n\r\nin allegato i moduli e la delibera di adesione scansionata.\r\n\r\nCordiali saluti,\r\nMaria Bianchi\r\n",
		Attachments: []Attachment{
			{"informativa_generale.pdf", "application/pdf", ig},
			{"qualificazione_ente_prodotto.pdf", "application/pdf", ep},
			{"delibera_adesione_scansione.pdf", "application/pdf", BigPDF(size)},
		},
	}), nil
}
