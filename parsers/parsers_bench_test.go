package parsers_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mailbot/internal/formgen"
	"mailbot/parsers"
)

// The benchmarks read a realistic request: a referent's mail with an HTML alternative, a logo
// in the signature and both step-one forms filled in as PDF, about 87 KB on the wire.
//
//	go test ./parsers -run '^$' -bench . -benchmem

// benchRequest returns the ~87 KB request built from the committed filled forms.
func benchRequest(tb testing.TB) []byte {
	tb.Helper()
	var atts []benchAttachment
	for _, name := range []string{"informativa_generale_venezia.pdf", "qualificazione_ente_prodotto_venezia.pdf"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "forms", name))
		if err != nil {
			tb.Fatal(err)
		}
		atts = append(atts, benchAttachment{name, "application/pdf", data})
	}
	raw := composeBench("referente@comune.venezia.it", "bench-1@comune.venezia.it", atts)
	if n := len(raw); n < 80<<10 || n > 95<<10 {
		tb.Fatalf("benchmark request is %d bytes, want about 87 KB", n)
	}
	return raw
}

type benchAttachment struct {
	name, contentType string
	data              []byte
}

// composeBench writes a multipart/mixed request: text and HTML (with a ~28 KB inline logo),
// then the attachments, base64 in 76-column lines as mail clients send them.
func composeBench(from, msgID string, atts []benchAttachment) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Maria Bianchi <%s>\r\nTo: call.center@regione.veneto.it\r\n"+
		"Subject: Richiesta integrazione MyPay e MyPivot - Comune di Venezia\r\n"+
		"Date: Thu, 26 Nov 2026 09:12:00 +0100\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=\"mixed\"\r\n\r\n", from, msgID)
	text := "Buongiorno,\r\n\r\nin allegato i moduli Informativa Generale dell'ente e Qualificazione Ente-Prodotto " +
		"compilati per l'attivazione di MyPay e MyPivot.\r\n\r\nCordiali saluti,\r\nMaria Bianchi\r\nComune di Venezia - Servizi informatici\r\n"
	b.WriteString("--mixed\r\nContent-Type: multipart/related; boundary=\"rel\"\r\n\r\n")
	b.WriteString("--rel\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n")
	b.WriteString("--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text)
	b.WriteString("--alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n<html><body>")
	for _, p := range strings.Split(text, "\r\n\r\n") {
		b.WriteString("<p style=\"font-family:Calibri,sans-serif;font-size:11pt;color:#1f1f1f\">" + p + "</p>\r\n")
	}
	b.WriteString(strings.Repeat("<p style=\"font-family:Calibri,sans-serif;font-size:8pt;color:#808080\">Le informazioni contenute "+
		"in questo messaggio sono riservate e ad uso esclusivo del destinatario.</p>\r\n", 24))
	b.WriteString("<img src=\"cid:logo@comune.venezia.it\"></body></html>\r\n--alt--\r\n")
	logo := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("venezia-logo-"), 34<<10/13)...)
	writeBase64Part(&b, "rel", "image/png", "", "logo@comune.venezia.it", logo)
	b.WriteString("--rel--\r\n")
	for _, a := range atts {
		writeBase64Part(&b, "mixed", a.contentType, a.name, "", a.data)
	}
	b.WriteString("--mixed--\r\n")
	return b.Bytes()
}

func writeBase64Part(b *bytes.Buffer, boundary, contentType, name, cid string, data []byte) {
	fmt.Fprintf(b, "--%s\r\nContent-Type: %s", boundary, contentType)
	if name != "" {
		fmt.Fprintf(b, "; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"", name, name)
	}
	if cid != "" {
		fmt.Fprintf(b, "\r\nContent-ID: <%s>\r\nContent-Disposition: inline", cid)
	}
	b.WriteString("\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
}

// BenchmarkAnalyze is the MIME walk of one request: header, body text, both PDFs read as forms.
func BenchmarkAnalyze(b *testing.B) {
	raw := benchRequest(b)
	an, err := parsers.Analyze(bytes.NewReader(raw), parsers.Limits{})
	if err != nil || len(an.Forms) < 2 || len(an.Missing) != 0 {
		b.Fatalf("request not understood: err %v, forms %d, missing %v", err, len(an.Forms), an.Missing)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parsers.Analyze(bytes.NewReader(raw), parsers.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadDocument reads each step-one form in each format it is accepted in.
func BenchmarkReadDocument(b *testing.B) {
	for _, format := range []string{formgen.FormatPDF, formgen.FormatDOCX, formgen.FormatODT, formgen.FormatXLSX} {
		for _, fx := range formgen.Fixtures()[:2] {
			data, err := formgen.Fill(fx.FormType, format, fx.Values)
			if err != nil {
				b.Fatal(err)
			}
			name := fx.Name + "." + format
			b.Run(format+"/"+strings.SplitN(fx.Name, "_", 2)[0], func(b *testing.B) {
				forms, err := parsers.ReadDocument(name, "", data, parsers.Limits{})
				if err != nil || len(forms) != 1 || forms[0].Type != fx.FormType {
					b.Fatalf("%s: err %v, forms %+v", name, err, forms)
				}
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := parsers.ReadDocument(name, "", data, parsers.Limits{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
