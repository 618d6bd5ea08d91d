package loadreq

import (
	_ "embed"
	"fmt"
	"maps"
	"strings"
	"time"

	"mailbot/internal/formgen"
	"mailbot/parsers"
)

// LetterPDF is a one-page cover letter written in a word processor and printed to PDF: real
// printed-text layout (LibreOffice Writer 7.4, embedded fonts, justified paragraphs, a
// letterhead and a footer with codes), no form in it. Remade from its source with
//
//	soffice --headless --infilter="HTML (StarWriter)" --convert-to pdf:writer_pdf_Export \
//		--outdir internal/loadreq/letter internal/loadreq/letter/lettera_trasmissione.html
//
//go:embed letter/lettera_trasmissione.pdf
var LetterPDF []byte

// BodyForm returns the Informativa Generale of ente i written in a message body, one
// "Label: value" line per field, as referents type it when they have no attachment to fill.
func BodyForm(i int) string {
	values := maps.Clone(formgen.Fixtures()[0].Values)
	values["ente.denominazione"] = fmt.Sprintf("Comune di Prova %d", i)
	values["ente.codice_fiscale"] = CFEnte(i)
	values["ente.codice_ipa"] = fmt.Sprintf("c_p%d", i)
	spec := parsers.Spec(parsers.FormInformativaGenerale)
	var b strings.Builder
	b.WriteString(spec.Title + "\r\n")
	for _, f := range spec.Fields {
		if v := values[f.Key]; v != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", f.Label, strings.ReplaceAll(v, "\n", ", "))
		}
	}
	return b.String()
}

// Letter returns request i of the letter workload: the Informativa Generale in the body and the
// printed cover letter attached (with the HTML alternative and the logo, as New).
func Letter(i int, from string, date time.Time) []byte {
	return Compose(Mail{
		From:      from,
		MessageID: fmt.Sprintf("load-letter-%d-%d@comune.example.it", i, date.UnixNano()),
		Subject:   fmt.Sprintf("Richiesta attivazione MyPay e MyPivot - Comune di Prova %d", i),
		Date:      date,
		Text: "Buongiorno,\r\n\r\nin allegato la lettera di trasmissione; di seguito i dati dell'ente.\r\n\r\n" +
			BodyForm(i) + "\r\nCordiali saluti,\r\nMaria Bianchi\r\nServizi informatici\r\n",
		Attachments: []Attachment{{"lettera_trasmissione.pdf", "application/pdf", LetterPDF}},
	})
}
