package parsers

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"reflect"
	"runtime/metrics"
	"strings"
	"testing"

	"mailbot/internal/bombs"
)

// pdfObjects writes a PDF of the given objects (object n is objs[n-1]; object 1 must be the
// catalog), with a classic cross-reference table. Streams are written as given.
func pdfObjects(objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// pdfStream writes a stream object with its length.
func pdfStream(extra, data string) string {
	return fmt.Sprintf("<< %s/Length %d >>\nstream\n%s\nendstream", extra, len(data), data)
}

// pdfFieldDoc is a one-page PDF titled title whose AcroForm lists the roots among fields
// (objects 6 onwards, as their dictionaries' inner entries; "%d" in an entry is replaced by
// the object number of the field it names, counted from 0).
func pdfFieldDoc(title string, roots []int, fields ...string) []byte {
	const first = 6
	ref := func(i int) string { return fmt.Sprintf("%d 0 R", first+i) }
	var rootRefs []string
	for _, r := range roots {
		rootRefs = append(rootRefs, ref(r))
	}
	content := fmt.Sprintf("BT /F1 16 Tf 50 800 Td %s Tj ET", pdfString(title))
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [" + strings.Join(rootRefs, " ") + "] >> >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		pdfStream("", content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	for _, f := range fields {
		for strings.Contains(f, "%d") {
			var n int
			i := strings.Index(f, "%d")
			fmt.Sscanf(f[i+2:], "%d", &n)
			j := i + 2
			for j < len(f) && f[j] >= '0' && f[j] <= '9' {
				j++
			}
			f = f[:i] + ref(n) + f[j:]
		}
		objs = append(objs, "<< "+f+" >>")
	}
	return pdfObjects(objs...)
}

// TestPDFFormFields: the field tree as office suites and Acrobat write it, read without
// pdfcpu: dotted names from parents and kids, tooltips as labels, check boxes by /V or by
// their widgets' /AS, export names, radio groups, list boxes with hex strings, UTF-16 and
// Acrobat's "\r" line ends.
func TestPDFFormFields(t *testing.T) {
	cases := []struct {
		name   string
		data   []byte
		typ    string
		fields map[string]any
		prov   map[string]Provenance
	}{
		{"parent and kids", pdfFieldDoc("Informativa Generale dell'ente", []int{0},
			"/T (ente) /Kids [%d1 %d2 %d3]",
			"/Parent %d0 /FT /Tx /T (codice_fiscale) /V (00339370272)",
			"/Parent %d0 /FT /Tx /T (codice_ipa) /V <FEFF0063005F006C003700330036>",
			"/Parent %d0 /FT /Tx /T (denominazione) /V <FEFF0043006F006D0075006E006500200064006900200043006900740074006100200064006900200043006100730074006500670067006900E0>",
		), FormInformativaGenerale, map[string]any{
			"ente.codice_fiscale": "00339370272", "ente.codice_ipa": "c_l736", "ente.denominazione": "Comune di Citta di Casteggià",
		}, map[string]Provenance{
			"ente.codice_fiscale": {Document: "modulo.pdf", Where: "campo «ente.codice_fiscale»", Label: "ente.codice_fiscale", How: HowIdentity, Sure: true, Evidence: Evidence{Check: CheckPassed}},
		}},
		{"tooltips name fields called Text1", pdfFieldDoc("Qualificazione Ente-Prodotto", []int{0, 1, 2},
			"/FT /Tx /T (Text1) /TU (Codice IPA) /V (c_l736)",
			"/FT /Tx /T (Text2) /TU (IP chiamanti in collaudo) /Ff 4096 /V (203.0.113.10\r198.51.100.7)",
			"/FT /Tx /T (Text3) /TU (Nome prodotto) /V ()",
		), FormQualificazioneEnteProdotto, map[string]any{
			"ente.codice_ipa": "c_l736", "ip_collaudo": []string{"203.0.113.10", "198.51.100.7"},
		}, nil},
		{"check boxes: export names, /AS of widgets, off", pdfFieldDoc("Informativa Generale dell'ente", []int{0, 1, 2, 3, 4},
			"/FT /Btn /T (servizi) /V /MyPivot /Kids [%d5 %d6]",
			"/FT /Btn /T (Check1) /TU (Adesione a PagoPA con Regione del Veneto come intermediario tecnologico) /Kids [%d7]",
			"/FT /Btn /T (Check2) /TU (Prodotti richiesti in MyExtranet) /V /Off /AS /Off",
			"/FT /Btn /Ff 65536 /T (Invia) /V /Yes",
			"/FT /Tx /T (Testo) /TU (Lettera di adesione inviata il) /V (15/01/2025)",
			"/Parent %d0 /AS /Off /AP << /N << /MyPay 1 0 R /Off 1 0 R >> >>",
			"/Parent %d0 /AS /MyPivot /AP << /N << /MyPivot 1 0 R /Off 1 0 R >> >>",
			"/Parent %d1 /AS /Yes",
		), FormInformativaGenerale, map[string]any{
			"servizi": []string{ServiceMyPivot}, "prerequisiti.adesione_pagopa": "sì", "prerequisiti.lettera_adesione": "15/01/2025",
		}, nil},
		{"LibreOffice check boxes named label and option, #XX escapes", pdfFieldDoc("Informativa Generale dell'ente", []int{0, 1, 2},
			"/FT /Btn /T (Servizi richiesti MyPay) /V /Yes",
			"/FT /Btn /T (Servizi richiesti MyPivot) /V /Off",
			"/FT /Btn /T (Modalit#C3#A0 di attivazione caricamento flussi) /V /Yes",
		), FormInformativaGenerale, map[string]any{
			"servizi": []string{ServiceMyPay}, "modalita_attivazione": []string{"caricamento flussi"},
		}, nil},
		{"radio group and list box with hex /Opt", pdfFieldDoc("Esiti collaudo", []int{0, 1},
			"/FT /Btn /Ff 32768 /T (collaudo.esito) /V /negativo /Kids [%d2 %d3]",
			"/FT /Ch /Ff 2097152 /T (collaudo.pagamenti_prova) /Opt [[(1) (carta di credito)] [(2) (bonifico)]] /V [(1) (2)]",
			"/Parent %d0 /AS /Off",
			"/Parent %d0 /AS /negativo",
		), FormEsitiCollaudo, map[string]any{
			"collaudo.esito": "negativo", "collaudo.pagamenti_prova": "carta di credito\nbonifico",
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forms, err := ReadDocument("modulo.pdf", "", c.data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(forms) != 1 || forms[0].Type != c.typ {
				t.Fatalf("forms %+v, want one %s", forms, c.typ)
			}
			f := forms[0]
			for k, want := range c.fields {
				if got := f.Fields[k]; !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", k, got, want)
				}
			}
			for k, v := range f.Fields {
				if _, ok := c.fields[k]; !ok {
					t.Errorf("unexpected %s = %#v", k, v)
				}
			}
			for k, want := range c.prov {
				if got := f.Provenance[k]; !reflect.DeepEqual(got, want) {
					t.Errorf("provenance of %s: %+v, want %+v", k, got, want)
				}
			}
		})
	}
}

// FuzzReadPDF: whatever the bytes, ReadDocument returns forms or a DocumentError (a panic of
// the object reader is recovered and called damage), and one read allocates within a bound
// that the inflate budget and the read budget imply, never gigabytes.
func FuzzReadPDF(f *testing.F) {
	seeds := [][]byte{
		buildPDF([]string{"Domanda di invito", "Ragione sociale: Software Veneto S.r.l.", "PEC:", "a@b.it"}, nil),
		buildPDF([]string{"Esiti collaudo"}, []string{"/FT /Tx /T (collaudo.esito) /V (positivo)", "/FT /Ch /T (x) /Opt [" + pdfHex("a") + "] /V " + pdfHex("a")}),
		[]byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF"),
		pdfFieldDoc("Esiti collaudo", []int{0}, "/FT /Btn /Ff 32768 /T (collaudo.esito) /V /negativo /Kids [%d1]", "/Parent %d0 /AS /negativo"),
		bombs.InflatePDF(2 << 20),
		bombs.SharedStreamPDF(20, 2<<20),
	}
	if b, err := os.ReadFile("../testdata/forms/libreoffice/qualificazione_ente_prodotto_venezia.pdf"); err == nil {
		seeds = append(seeds, b)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	allocs := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	allocated := func() uint64 {
		metrics.Read(allocs)
		return allocs[0].Value.Uint64()
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		before := allocated()
		forms, err := ReadDocument("modulo.pdf", "", data, fuzzLimits)
		checkReadResult(t, "modulo.pdf", forms, err)
		if n := allocated() - before; n > 256<<20 {
			t.Fatalf("one read allocated %d MB", n>>20)
		}
	})
}

// TestPDFGenericFields: a fillable PDF whose fields are called "Campo1" and "Casella1"
// (LibreOffice's default names, no tooltips) is read by where each widget stands: the text
// field by the label cell on its left, the check box by its row's label and the option on
// its right.
func TestPDFGenericFields(t *testing.T) {
	data, err := os.ReadFile("../testdata/forms/corpus/libreoffice/lo_ig_fillable_generic_rovigo.pdf")
	if err != nil {
		t.Fatal("committed corpus file missing:", err)
	}
	forms, err := ReadDocument("modulo.pdf", "", data, Limits{})
	if err != nil || len(forms) != 1 || forms[0].Type != FormInformativaGenerale {
		t.Fatalf("forms %+v, err %v", forms, err)
	}
	f := forms[0]
	want := map[string]any{
		"ente.codice_fiscale": "00192630291", "ente.codice_ipa": "c_h620", "referente.nome": "Francesca",
		"servizi": []string{ServiceMyPay, ServiceMyPivot}, "tipi_dovuto.iban": "IT72B0200812200000104567890",
	}
	for k, w := range want {
		if got := f.Fields[k]; !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %#v, want %#v", k, got, w)
		}
	}
	if p := f.Provenance["ente.codice_fiscale"]; p.How != HowFormField || p.Where != "pagina 1, campo «Campo2»" || !p.Sure {
		t.Errorf("provenance %+v", p)
	}
}

// FuzzPerMille: pdfPerMille is x/1000 to the bit (a zero keeps its sign, NaN stays NaN).
func FuzzPerMille(f *testing.F) {
	for _, x := range []float64{0, math.Copysign(0, -1), 1, -1, 672, 2047, 2048, -2048, -2049, 0.5, -4195, 1e300, math.Inf(1), math.NaN()} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		if got, want := pdfPerMille(x), x/1000; math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("pdfPerMille(%v) = %v, x/1000 = %v", x, got, want)
		}
	})
}

func TestPerMilleTable(t *testing.T) {
	for i := -3000; i <= 3000; i++ {
		if x := float64(i); math.Float64bits(pdfPerMille(x)) != math.Float64bits(x/1000) {
			t.Fatalf("pdfPerMille(%d) = %v, want %v", i, pdfPerMille(x), x/1000)
		}
	}
}
