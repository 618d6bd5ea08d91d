package parsers

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// fuzzLimits keep one fuzz input cheap.
var fuzzLimits = Limits{MaxDecompressedBytes: 1 << 20, MaxPDFObjects: 2000, DocumentTimeout: 5 * time.Second}

// checkReadResult asserts what holds for any input: an error is ErrUnreadable or ErrLimit and
// carries an Italian reason; forms have a known type or "", non-nil fields and problems, and
// values of the documented types. A panic in our own readers (zip, XML, text) is a bug; the
// PDF libraries are known to panic on garbage and are recovered on purpose.
func checkReadResult(t *testing.T, name string, forms []Form, err error) {
	if err != nil {
		var de *DocumentError
		if !errors.As(err, &de) || !(errors.Is(err, ErrUnreadable) || errors.Is(err, ErrLimit)) || de.Reason == "" {
			t.Fatalf("%s: bad error %v", name, err)
		}
		if strings.Contains(err.Error(), "panic while reading") && !strings.HasSuffix(name, ".pdf") {
			t.Fatalf("%s: reader panicked: %v", name, err)
		}
		return
	}
	for _, f := range forms {
		if f.Type != "" && Spec(f.Type) == nil {
			t.Fatalf("unknown type %q", f.Type)
		}
		if f.Fields == nil || f.Problems == nil {
			t.Fatalf("nil fields or problems: %+v", f)
		}
		for k, v := range f.Fields {
			switch v.(type) {
			case string, []string:
			default:
				t.Fatalf("field %s has type %T", k, v)
			}
		}
	}
}

func fuzzReadDocument(f *testing.F, name string, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		forms, err := ReadDocument(name, "", data, fuzzLimits)
		checkReadResult(t, name, forms, err)
	})
}

func FuzzReadDOCX(f *testing.F) {
	fuzzReadDocument(f, "modulo.docx",
		buildDOCX(f, docxPara("Informativa generale")+docxTableXML(informativaRows...)),
		buildDOCX(f, docxPara("Esito: positivo")+docxPara("IP: 203.0.113.1")),
		[]byte("PK\x03\x04word/document.xml"))
}

func FuzzReadODT(f *testing.F) {
	fuzzReadDocument(f, "modulo.odt",
		buildODT(f, odtPara("Informativa generale")+odtTableXML(informativaRows...)),
		buildODT(f, `<office:forms><form:text form:name="ente.codice_ipa" form:current-value="c_l736"/></office:forms>`))
}

func FuzzReadXLSX(f *testing.F) {
	fuzzReadDocument(f, "modulo.xlsx", buildXLSX(f, "Esiti collaudo", [][]string{{"Esito", "positivo"}, {"IP", "203.0.113.5"}}))
}

func FuzzReadText(f *testing.F) {
	for _, s := range []string{
		"Esito: positivo\nIP: 203.0.113.10, 10.0.0.1",
		"INFORMATIVA GENERALE\nC.F.: 00339370272\nCod. IPA: c_l736\nServizi: [X] MyPay [ ] MyPivot",
		"Codice IPA\nc_l736\nIntegrazioni (MyPay / MyPivot)\nMyPay, MyPivot",
		"Adesione a PagoPA con Regione del\nVeneto come intermediario tecnologico\n(sì/no)\nsì",
		"Data: 31/02/2025\nLettera di adesione inviata il: 3 febbraio 2025",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		forms := ReadText(s, SourceBody)
		checkReadResult(t, "corpo", forms, nil)
		for _, fm := range forms {
			if len(fm.Fields) == 0 && len(fm.Problems) == 0 {
				t.Fatalf("empty form from text: %+v", fm) // "IP: 0" is a form with a problem
			}
			again := fm
			CheckForm(&again) // idempotent
			if len(again.Problems) != len(fm.Problems) {
				t.Fatalf("CheckForm not idempotent: %v then %v", fm.Problems, again.Problems)
			}
		}
	})
}
