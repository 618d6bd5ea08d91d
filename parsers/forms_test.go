package parsers

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// wantForm is what a test expects of one form: its type and some fields (string or []string).
type wantForm struct {
	typ      string
	fields   map[string]any
	problems []string // substrings of problem messages, in order
}

func checkForms(t *testing.T, name string, got []Form, want []wantForm) {
	t.Helper()
	if len(got) != len(want) {
		j, _ := json.MarshalIndent(got, "", " ")
		t.Fatalf("%s: %d forms, want %d:\n%s", name, len(got), len(want), j)
	}
	for i, w := range want {
		g := got[i]
		if g.Type != w.typ {
			t.Errorf("%s form %d: type %q, want %q", name, i, g.Type, w.typ)
		}
		if g.Problems == nil {
			t.Errorf("%s form %d: Problems is nil", name, i)
		}
		for k, v := range w.fields {
			if !reflect.DeepEqual(g.Fields[k], v) {
				t.Errorf("%s form %d: %s = %#v, want %#v", name, i, k, g.Fields[k], v)
			}
		}
		if len(g.Problems) != len(w.problems) {
			t.Errorf("%s form %d: problems %v, want %d", name, i, g.Problems, len(w.problems))
			continue
		}
		for j, p := range w.problems {
			if !strings.Contains(g.Problems[j].Message, p) {
				t.Errorf("%s form %d: problem %q, want it to contain %q", name, i, g.Problems[j].Message, p)
			}
		}
	}
}

func TestLabelMatching(t *testing.T) {
	cases := []struct {
		typ, label, key string
	}{
		{FormInformativaGenerale, "Codice fiscale ente", "ente.codice_fiscale"},
		{FormInformativaGenerale, "C.F. dell'ente:", "ente.codice_fiscale"},
		{FormInformativaGenerale, "CODICE FISCALE *", "ente.codice_fiscale"},
		{FormInformativaGenerale, "Codice fiscale referente", "referente.codice_fiscale"},
		{FormInformativaGenerale, "Codice fiscale del referente dei pagamenti", "referente.codice_fiscale"},
		{FormInformativaGenerale, "C.F. referente", "referente.codice_fiscale"},
		{FormInformativaGenerale, "Cod. IPA", "ente.codice_ipa"},
		{FormInformativaGenerale, "codice i.p.a.", "ente.codice_ipa"},
		{FormInformativaGenerale, "E-mail del referente", "referente.email"},
		{FormInformativaGenerale, "Indirizzo PEC dell'ente", "ente.pec"},
		{FormInformativaGenerale, "Modalita' di attivazione", "modalita_attivazione"},
		{FormInformativaGenerale, "Servizio richiesto", "servizi"},
		{FormInformativaGenerale, "ente.codice_ipa", "ente.codice_ipa"},
		{FormInformativaGenerale, "Email referente tecnico software house", "software_house.email"},
		{FormQualificazioneEnteProdotto, "P.IVA", "azienda.partita_iva"},
		{FormQualificazioneEnteProdotto, "P. IVA azienda", "azienda.partita_iva"},
		{FormQualificazioneEnteProdotto, "Indirizzi IP collaudo", "ip_collaudo"},
		{FormQualificazioneEnteProdotto, "IP chiamanti in esercizio", "ip_esercizio"},
		{FormQualificazioneProdotto, "Codice IPA ente pilota", "ente_pilota.codice_ipa"},
		{FormEsitiCollaudo, "Esito dei test", "collaudo.esito"},
		{FormEsitiCollaudo, "IP", "ip_esercizio"},
	}
	for _, c := range cases {
		f, _, ok := matcherFor(c.typ).match(c.label)
		if !ok || f.Key != c.key {
			t.Errorf("%s: %q -> %q (ok=%v), want %q", c.typ, c.label, f.Key, ok, c.key)
		}
	}
	for _, label := range []string{"Buongiorno", "Data di nascita del legale rappresentante della società", ""} {
		if f, _, ok := matcherFor(FormInformativaGenerale).match(label); ok {
			t.Errorf("%q matched %q", label, f.Key)
		}
	}
}

func TestReadText(t *testing.T) {
	cases := []struct {
		name, text string
		want       []wantForm
	}{
		{"esiti in the body", `Buongiorno,
vi comunichiamo gli esiti dei test.

Esito: positivo
Pagamenti di prova: 3 pagamenti con carta di test, tutti a buon fine
IP per l'esercizio: 203.0.113.10, 203.0.113.11 e 198.51.100.0/28

Cordiali saluti`, []wantForm{{typ: FormEsitiCollaudo, fields: map[string]any{
			"collaudo.esito": "positivo",
			"ip_esercizio":   []string{"203.0.113.10", "203.0.113.11", "198.51.100.0/28"},
		}}}},
		{"private IP refused", "Esito: positivo\nIP: 192.168.1.10; 203.0.113.7 (server principale)", []wantForm{{
			typ:      FormEsitiCollaudo,
			fields:   map[string]any{"ip_esercizio": []string{"203.0.113.7"}},
			problems: []string{`L'indirizzo IP "192.168.1.10" (campo «IP per l'esercizio») non è valido: è un indirizzo privato, non raggiungibile da Internet.`},
		}}},
		{"informativa with heading and value on next line", `INFORMATIVA GENERALE DELL'ENTE
Denominazione: Comune di Venezia
C.F.: 00339370272
Cod. IPA: C_L736
Codice fiscale referente:
rssmra85t10a562s
Servizi: [X] MyPay [ ] MyPivot
Adesione a PagoPA: si
Lettera di adesione inviata il: 3 febbraio 2025
Prodotti richiesti in MyExtranet: x`, []wantForm{{typ: FormInformativaGenerale, fields: map[string]any{
			"ente.denominazione":               "Comune di Venezia",
			"ente.codice_fiscale":              "00339370272",
			"ente.codice_ipa":                  "C_L736",
			"referente.codice_fiscale":         "RSSMRA85T10A562S",
			"servizi":                          []string{"MyPay"},
			"prerequisiti.adesione_pagopa":     "sì",
			"prerequisiti.lettera_adesione":    "03/02/2025",
			"prerequisiti.prodotti_myextranet": "sì",
		}}}},
		{"mention of a form is not a title", "In allegato l'informativa generale compilata e firmata, come richiesto nella vostra mail.\nGrazie", nil},
		{"prose only", "Buongiorno, quando possiamo andare in esercizio?\nGrazie", nil},
		{"wrong CF", "Informativa generale\nCodice fiscale ente: 80007580270\nCodice IPA: c_l736", []wantForm{{
			typ:      FormInformativaGenerale,
			fields:   map[string]any{"ente.codice_fiscale": "80007580270"},
			problems: []string{`Il codice fiscale dell'ente "80007580270" (campo «Codice fiscale ente») non è valido: la cifra di controllo non corrisponde.`},
		}}},
	}
	for _, c := range cases {
		got := ReadText(c.text, SourceBody)
		checkForms(t, c.name, got, c.want)
		for _, f := range got {
			if f.Source != SourceBody {
				t.Errorf("%s: source %q", c.name, f.Source)
			}
		}
	}
}

func TestCheckFormKinds(t *testing.T) {
	f := Form{Type: FormInformativaGenerale, Fields: map[string]any{
		"ente.codice_ipa":                " c_L736 ",
		"ente.pec":                       "Protocollo <protocollo@pec.comune.venezia.it>",
		"referente.codice_fiscale":       "rssmra85t10a56nh",
		"referente.email":                "mario.rossi(at)comune.venezia.it",
		"servizi":                        "entrambi",
		"modalita_attivazione":           "☒ pagamenti spontanei ☐ caricamento flussi ☒ web services dal gestionale dell'ente",
		"tipi_dovuto.iban":               "IT60 X054 2811 1010 0000 0123 456\nIT61X0542811101000000123456",
		"prerequisiti.adesione_pagopa":   "forse",
		"prerequisiti.lettera_adesione":  "2025-01-15",
		"software_house.ragione_sociale": "  ",
		"altro":                          " testo ",
	}}
	CheckForm(&f)
	CheckForm(&f) // idempotent: no duplicate problems
	want := map[string]any{
		"ente.codice_ipa":               "c_L736",
		"ente.pec":                      "protocollo@pec.comune.venezia.it",
		"referente.codice_fiscale":      "RSSMRA85T10A56NH",
		"referente.email":               "mario.rossi(at)comune.venezia.it",
		"servizi":                       []string{"MyPay", "MyPivot"},
		"modalita_attivazione":          []string{"pagamenti spontanei", "web services dal gestionale dell'ente"},
		"tipi_dovuto.iban":              "IT60X0542811101000000123456\nIT61X0542811101000000123456",
		"prerequisiti.adesione_pagopa":  "forse",
		"prerequisiti.lettera_adesione": "15/01/2025",
		"altro":                         "testo",
	}
	if !reflect.DeepEqual(f.Fields, want) {
		t.Errorf("fields:\n got %#v\nwant %#v", f.Fields, want)
	}
	wantProblems := []string{
		`L'indirizzo email "mario.rossi(at)comune.venezia.it" (campo «Email referente») non è valido: manca il simbolo @.`,
		`L'IBAN "IT61X0542811101000000123456" (campo «IBAN di accredito») non è valido: le cifre di controllo non corrispondono.`,
		`La risposta "forse" (campo «Adesione a PagoPA con Regione del Veneto come intermediario tecnologico (sì/no)») non è valida: rispondere sì o no.`,
	}
	var got []string
	for _, p := range f.Problems {
		got = append(got, p.Message)
	}
	if !reflect.DeepEqual(got, wantProblems) {
		t.Errorf("problems:\n got %q\nwant %q", got, wantProblems)
	}
	if f.Problems[0].Field != "referente.email" || f.Problems[0].Value != "mario.rossi(at)comune.venezia.it" {
		t.Errorf("problem 0 = %+v", f.Problems[0])
	}
}

func TestMissingFields(t *testing.T) {
	f := Form{Type: FormEsitiCollaudo, Fields: map[string]any{"collaudo.esito": "positivo", "ip_esercizio": []string{}}}
	if got := MissingFields(f); !reflect.DeepEqual(got, []string{"ip_esercizio"}) {
		t.Errorf("MissingFields = %v", got)
	}
	f.Fields["ip_esercizio"] = []string{"203.0.113.1"}
	if got := MissingFields(f); len(got) != 0 {
		t.Errorf("MissingFields = %v, want none", got)
	}
	if got := MissingFields(Form{}); got != nil {
		t.Errorf("unknown type: %v", got)
	}
	got := MissingFields(Form{Type: FormDomandaInvito, Fields: map[string]any{"azienda.pec": "a@b.it"}})
	want := []string{"azienda.ragione_sociale", "azienda.partita_iva", "referente.nome", "referente.email", "prodotti"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MissingFields = %v, want %v", got, want)
	}
	if l := FieldLabel(FormDomandaInvito, "prodotti"); l != "Prodotti da qualificare" {
		t.Errorf("FieldLabel = %q", l)
	}
}

func TestCheckIPSentence(t *testing.T) {
	err := CheckIP("192.168.1.10")
	want := `L'indirizzo IP "192.168.1.10" non è valido: è un indirizzo privato, non raggiungibile da Internet.`
	if err == nil || err.Error() != want {
		t.Errorf("CheckIP = %v, want %s", err, want)
	}
	for _, ok := range []string{"203.0.113.10", "198.51.100.0/24", "2001:db8::1"} {
		if err := CheckIP(ok); err != nil {
			t.Errorf("CheckIP(%s) = %v", ok, err)
		}
	}
}

// informativaRows is a filled Informativa Generale as label/value rows, labels written loosely.
var informativaRows = [][]string{
	{"Denominazione ente", "Comune di Venezia"},
	{"C.F. ente *", "00339370272"},
	{"Cod. IPA:", "c_l736"},
	{"PEC", "protocollo@pec.comune.venezia.it"},
	{"Nome referente dei pagamenti", "Mario"},
	{"Cognome", "Rossi"},
	{"Codice fiscale referente", "RSSMRA85T10A562S"},
	{"E-mail referente", "mario.rossi@comune.venezia.it"},
	{"Servizi richiesti", "MyPay e MyPivot"},
	{"IBAN di accredito", "IT60 X054 2811 1010 0000 0123 456"},
}

var informativaWant = map[string]any{
	"ente.denominazione":       "Comune di Venezia",
	"ente.codice_fiscale":      "00339370272",
	"ente.codice_ipa":          "c_l736",
	"ente.pec":                 "protocollo@pec.comune.venezia.it",
	"referente.nome":           "Mario",
	"referente.cognome":        "Rossi",
	"referente.codice_fiscale": "RSSMRA85T10A562S",
	"referente.email":          "mario.rossi@comune.venezia.it",
	"servizi":                  []string{"MyPay", "MyPivot"},
	"tipi_dovuto.iban":         "IT60X0542811101000000123456",
}

func TestReadDocumentFormats(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want []wantForm
	}{
		{"informativa.docx", buildDOCX(t, docxPara("Informativa Generale dell'ente")+docxTableXML(informativaRows...)),
			[]wantForm{{typ: FormInformativaGenerale, fields: informativaWant}}},
		{"modulo.docx", buildDOCX(t, docxPara("Modulo 1 - INFORMATIVA GENERALE")+
			docxPara("Codice IPA: c_l736")+docxPara("Servizi richiesti: My Pay")),
			[]wantForm{{typ: FormInformativaGenerale, fields: map[string]any{"ente.codice_ipa": "c_l736", "servizi": []string{"MyPay"}}}}},
		// Quirks of Word: a legacy check box form field, a content control tagged with the key,
		// an empty content control still showing its placeholder, a table by columns.
		{"quirks.docx", buildDOCX(t, docxPara("Informativa generale")+docxTableXML(
			[]string{"Servizi", `<w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:default w:val="0"/><w:checked/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:t xml:space="preserve"> MyPay </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:default w:val="0"/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:t xml:space="preserve"> MyPivot</w:t></w:r></w:p>`},
			[]string{"Codice IPA", `<w:sdt><w:sdtPr><w:tag w:val="ente.codice_ipa"/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>c_l736</w:t></w:r></w:p></w:sdtContent></w:sdt>`},
			[]string{"PEC ente", `<w:sdt><w:sdtPr><w:tag w:val="ente.pec"/><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>Fare clic qui per immettere testo.</w:t></w:r></w:p></w:sdtContent></w:sdt>`},
		)+docxTableXML(
			[]string{"Codice tipo dovuto", "Descrizione tipo dovuto", "IBAN di accredito"},
			[]string{"TARI", "Tassa rifiuti", "IT60X0542811101000000123456"},
			[]string{"COSAP", "Occupazione suolo", "IT60X0542811101000000123456"},
		)), []wantForm{{typ: FormInformativaGenerale, fields: map[string]any{
			"servizi":                 []string{"MyPay"},
			"ente.codice_ipa":         "c_l736",
			"ente.pec":                nil,
			"tipi_dovuto.codice":      "TARI\nCOSAP",
			"tipi_dovuto.descrizione": "Tassa rifiuti\nOccupazione suolo",
			"tipi_dovuto.iban":        "IT60X0542811101000000123456",
		}}}},
		{"two forms.docx", buildDOCX(t, docxPara("Informativa Generale")+docxTableXML([]string{"Codice IPA", "c_l736"})+
			docxPara("Qualificazione Ente-Prodotto")+docxTableXML([]string{"Nome prodotto", "TributiWeb"}, []string{"P.IVA", "IT00339370272"})),
			[]wantForm{
				{typ: FormInformativaGenerale, fields: map[string]any{"ente.codice_ipa": "c_l736"}},
				{typ: FormQualificazioneEnteProdotto, fields: map[string]any{"prodotto.nome": "TributiWeb", "azienda.partita_iva": "00339370272"}},
			}},
		{"informativa.odt", buildODT(t, `<text:h>Informativa Generale dell&apos;ente</text:h>`+odtTableXML(informativaRows...)),
			[]wantForm{{typ: FormInformativaGenerale, fields: informativaWant}}},
		{"controls.odt", buildODT(t, `<office:forms><form:form><form:text form:name="ente.codice_ipa" form:current-value="r_veneto"/><form:checkbox form:name="servizi.MyPivot" form:label="MyPivot" form:current-state="checked"/><form:checkbox form:name="servizi.MyPay" form:label="MyPay"/></form:form></office:forms>`+
			odtPara("Informativa generale")+odtPara("Codice fiscale ente: 80007580279")),
			[]wantForm{{typ: FormInformativaGenerale, fields: map[string]any{
				"ente.codice_ipa": "r_veneto", "servizi": []string{"MyPivot"}, "ente.codice_fiscale": "80007580279"}}}},
		{"informativa_generale.xlsx", buildXLSX(t, "Foglio1", informativaRows),
			[]wantForm{{typ: FormInformativaGenerale, fields: informativaWant}}},
		{"moduli.xlsx", buildXLSX(t, "Esiti collaudo", [][]string{{"Esito", "positivo"}, {"IP", "203.0.113.5"}},
			"Domanda di invito", [][]string{{"Ragione sociale", "Software Veneto S.r.l."}, {"P.IVA", "00339370272"}}),
			[]wantForm{
				{typ: FormEsitiCollaudo, fields: map[string]any{"collaudo.esito": "positivo", "ip_esercizio": []string{"203.0.113.5"}}},
				{typ: FormDomandaInvito, fields: map[string]any{"azienda.ragione_sociale": "Software Veneto S.r.l.", "azienda.partita_iva": "00339370272"}},
			}},
		{"campi.pdf", buildPDF([]string{"Qualificazione Ente-Prodotto"}, []string{
			"/FT /Tx /T (ente.codice_ipa) /V (c_l736)",
			"/FT /Tx /T (azienda.partita_iva) /V (00339370273)",
			"/FT /Tx /T (campo1) /TU (IP chiamanti in collaudo) /V (203.0.113.10\\n10.0.0.1)",
			"/FT /Tx /T (ip_esercizio) /V ()",
		}), []wantForm{{typ: FormQualificazioneEnteProdotto,
			fields:   map[string]any{"ente.codice_ipa": "c_l736", "azienda.partita_iva": "00339370273", "ip_collaudo": []string{"203.0.113.10"}},
			problems: []string{"cifra di controllo", "privato"},
		}}},
		// LibreOffice writes list boxes with hex-string /Opt, which pdfcpu's field list rejects:
		// the reader walks /AcroForm /Fields itself.
		{"libreoffice.pdf", buildPDF([]string{"Esiti collaudo"}, []string{
			"/FT /Ch /Ff 131072 /T (collaudo.esito) /Opt [" + pdfHex("positivo") + " " + pdfHex("negativo") + "] /V " + pdfHex("positivo"),
			"/FT /Tx /T (ip_esercizio) /V " + pdfHex("198.51.100.20"),
			"/FT /Btn /T (firma) /V /Off",
		}), []wantForm{{typ: FormEsitiCollaudo, fields: map[string]any{"collaudo.esito": "positivo", "ip_esercizio": []string{"198.51.100.20"}}}}},
		{"testo.pdf", buildPDF([]string{"Domanda di invito", "Ragione sociale: Software Veneto S.r.l.", "Partita IVA\t00339370272", "PEC:", "softwareveneto@legalmail.it"}, nil),
			[]wantForm{{typ: FormDomandaInvito, fields: map[string]any{
				"azienda.ragione_sociale": "Software Veneto S.r.l.", "azienda.partita_iva": "00339370272", "azienda.pec": "softwareveneto@legalmail.it"}}}},
		{"blank informativa.docx", buildDOCX(t, docxPara("Informativa Generale dell'ente")+docxTableXML([]string{"Codice IPA", "____"}, []string{"PEC ente", ""})),
			[]wantForm{{typ: FormInformativaGenerale, fields: map[string]any{}}}},
		{"lettera.docx", buildDOCX(t, docxPara("Gentili signori, vi scriviamo per chiedere informazioni.")), nil},
		{"note.txt", []byte("Esito: negativo\nIP: 203.0.113.9"), []wantForm{{typ: FormEsitiCollaudo, fields: map[string]any{"collaudo.esito": "negativo"}}}},
	}
	for _, c := range cases {
		got, err := ReadDocument(c.name, "", c.data, Limits{})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		checkForms(t, c.name, got, c.want)
		for _, f := range got {
			if f.Source != c.name {
				t.Errorf("%s: source %q", c.name, f.Source)
			}
		}
	}
}

func TestReadDocumentUnreadable(t *testing.T) {
	noText := buildPDF(nil, nil)
	cases := []struct {
		name, ct string
		data     []byte
		kind     error
		reason   string
	}{
		{"scansione.jpg", "image/jpeg", []byte("\xff\xd8\xff\xe0 fake jpeg"), ErrUnreadable, "scansione"},
		{"foto", "image/png", []byte("whatever"), ErrUnreadable, "scansione"},
		{"scan.tif", "", []byte("II*\x00 tiff"), ErrUnreadable, "scansione"},
		{"scansione.pdf", "application/pdf", noText, ErrUnreadable, "scansione"},
		{"vecchio.doc", "application/msword", []byte("\xd0\xcf\x11\xe0 ole"), ErrUnreadable, "vecchio formato"},
		{"rotto.docx", "", []byte("PK\x03\x04 word/document.xml broken"), ErrUnreadable, "danneggiato"},
		{"rotto.pdf", "", []byte("%PDF-1.4 garbage"), ErrUnreadable, ""},
		{"archivio.bin", "application/octet-stream", []byte{1, 2, 3}, ErrUnreadable, "formato"},
	}
	for _, c := range cases {
		forms, err := ReadDocument(c.name, c.ct, c.data, Limits{})
		if !errors.Is(err, c.kind) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.kind)
			continue
		}
		var de *DocumentError
		if !errors.As(err, &de) || !strings.Contains(de.Reason, c.reason) {
			t.Errorf("%s: reason %v, want %q", c.name, err, c.reason)
		}
		if forms != nil {
			t.Errorf("%s: forms %v with an error", c.name, forms)
		}
	}
}

func TestReadDocumentLimits(t *testing.T) {
	// A zip bomb: a small file that decompresses to more than the limit.
	bomb := buildDOCX(t, docxPara("Informativa generale")+docxPara(strings.Repeat("A", 200000)))
	if _, err := ReadDocument("bomba.docx", "", bomb, Limits{MaxDecompressedBytes: 50000}); !errors.Is(err, ErrLimit) {
		t.Errorf("zip bomb: %v, want ErrLimit", err)
	}
	// The same for XLSX, counted while its sheet is streamed.
	x := buildXLSX(t, "Foglio1", [][]string{{"Note", strings.Repeat("B", 100000)}})
	if _, err := ReadDocument("grande.xlsx", "", x, Limits{MaxDecompressedBytes: 20000}); !errors.Is(err, ErrLimit) {
		t.Errorf("xlsx bomb: %v, want ErrLimit", err)
	}
	// A lying zip: declared sizes say small, content is big. Patch the declared sizes to 1.
	lying := append([]byte(nil), bomb...)
	patchZipSizes(lying)
	if _, err := ReadDocument("bugiardo.docx", "", lying, Limits{MaxDecompressedBytes: 50000}); !errors.Is(err, ErrLimit) && !errors.Is(err, ErrUnreadable) {
		t.Errorf("lying zip: %v, want ErrLimit or ErrUnreadable", err)
	}
	entries := map[string]string{"word/document.xml": testDocxHead + "</w:body></w:document>"}
	order := []string{"word/document.xml"}
	for i := 0; i <= frMaxZipEntries; i++ {
		n := "x/" + strings.Repeat("a", 3) + string(rune('a'+i%26)) + "/" + itoa(i)
		entries[n] = ""
		order = append(order, n)
	}
	if _, err := ReadDocument("tanti.docx", "", buildZip(t, entries, order...), Limits{}); !errors.Is(err, ErrLimit) {
		t.Errorf("many entries: %v, want ErrLimit", err)
	}
	lines := make([]string, 30)
	for i := range lines {
		lines[i] = "riga"
	}
	fields := make([]string, 30)
	for i := range fields {
		fields[i] = "/FT /Tx /T (f" + itoa(i) + ") /V (x)"
	}
	if _, err := ReadDocument("oggetti.pdf", "", buildPDF(lines, fields), Limits{MaxPDFObjects: 20}); !errors.Is(err, ErrLimit) {
		t.Errorf("pdf objects: %v, want ErrLimit", err)
	}
	if _, err := ReadDocument("enorme.pdf", "", make([]byte, 2000), Limits{MaxMessageBytes: 1000}); !errors.Is(err, ErrLimit) {
		t.Errorf("size: %v, want ErrLimit", err)
	}
}

func TestReadDocumentTimeoutAndPanic(t *testing.T) {
	doc := buildDOCX(t, docxPara("Esito: positivo"))
	release := make(chan struct{})
	frTestHook = func(context.Context) { <-release }
	start := time.Now()
	_, err := ReadDocument("lento.docx", "", doc, Limits{DocumentTimeout: 50 * time.Millisecond})
	close(release)
	if !errors.Is(err, ErrLimit) || time.Since(start) > 5*time.Second {
		t.Errorf("timeout: %v after %s, want ErrLimit", err, time.Since(start))
	}
	frTestHook = func(context.Context) { panic("library bug") }
	_, err = ReadDocument("panico.docx", "", doc, Limits{})
	frTestHook = nil
	if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "library bug") {
		t.Errorf("panic: %v, want ErrUnreadable", err)
	}
}

// TestReadDocumentDeadlineReachesReader: the reader is told when its time is up (it used to be
// left running, unaware, after ReadDocument returned).
func TestReadDocumentDeadlineReachesReader(t *testing.T) {
	stopped := make(chan struct{})
	frTestHook = func(ctx context.Context) { <-ctx.Done(); close(stopped) }
	defer func() { frTestHook = nil }()
	_, err := ReadDocument("lento.docx", "", buildDOCX(t, docxPara("Esito: positivo")), Limits{DocumentTimeout: 20 * time.Millisecond})
	if !errors.Is(err, ErrLimit) {
		t.Errorf("err %v, want ErrLimit", err)
	}
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the reader's context did not end at the deadline")
	}
}

// TestReadDocumentSlots: at most maxReading documents are read at once, and a reader that
// overruns its deadline keeps its slot until it really ends, so runaway readers cannot pile up.
func TestReadDocumentSlots(t *testing.T) {
	doc := buildDOCX(t, docxPara("Esito: positivo"))
	release := make(chan struct{})
	var calls atomic.Int32
	frTestHook = func(context.Context) { calls.Add(1); <-release }
	defer func() { frTestHook = nil }()
	for range maxReading {
		if _, err := ReadDocument("lento.docx", "", doc, Limits{DocumentTimeout: 20 * time.Millisecond}); !errors.Is(err, ErrLimit) {
			t.Fatalf("err %v, want ErrLimit", err)
		}
	}
	_, err := ReadDocument("attesa.docx", "", doc, Limits{DocumentTimeout: 50 * time.Millisecond})
	var de *DocumentError
	if !errors.As(err, &de) || de.Key != reasonTooSlow || calls.Load() != maxReading {
		t.Errorf("with every slot taken: %v after %d reads started, want a timeout and %d", err, calls.Load(), maxReading)
	}
	close(release)
	frTestHook = nil
	deadline := time.Now().Add(10 * time.Second)
	for len(readingSlots) > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if forms, err := ReadDocument("esito.docx", "", doc, Limits{}); err != nil || len(forms) != 1 {
		t.Errorf("after the slow readers ended: %v %v", forms, err)
	}
}

// TestReadDocumentReadersDoNotPileUp: the reader goroutines that wait for the next document
// are at most maxReading, however many documents were read at once, and one that panicked
// reads the next document as well.
func TestReadDocumentReadersDoNotPileUp(t *testing.T) {
	doc := buildDOCX(t, docxPara("Esito: positivo"))
	before := runtime.NumGoroutine()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 10 {
				if forms, err := ReadDocument("esito.docx", "", doc, Limits{}); err != nil || len(forms) != 1 {
					t.Errorf("reader %d: %v %v", i, forms, err)
				}
			}
		})
	}
	wg.Wait()
	frTestHook = func(context.Context) { panic("library bug") }
	_, err := ReadDocument("panico.docx", "", doc, Limits{})
	frTestHook = nil
	if !errors.Is(err, ErrUnreadable) {
		t.Errorf("panic: %v, want ErrUnreadable", err)
	}
	if forms, err := ReadDocument("esito.docx", "", doc, Limits{}); err != nil || len(forms) != 1 {
		t.Errorf("after a panic: %v %v", forms, err)
	}
	// A reader gives its slot back before it counts itself idle, and one more may have been
	// started meanwhile: the extra ones end on their own, soon.
	settled := func() bool {
		return len(readingSlots) == 0 && runtime.NumGoroutine()-before <= maxReading && readersIdle.Load() <= maxReading
	}
	deadline := time.Now().Add(10 * time.Second)
	for !settled() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if !settled() {
		t.Errorf("%d goroutines more than before, %d readers idle; want at most %d", runtime.NumGoroutine()-before, readersIdle.Load(), maxReading)
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// patchZipSizes sets every declared uncompressed size in local and central headers to 1.
func patchZipSizes(b []byte) {
	for i := 0; i+30 < len(b); i++ {
		switch {
		case string(b[i:i+4]) == "PK\x03\x04":
			copy(b[i+22:i+26], []byte{1, 0, 0, 0})
		case string(b[i:i+4]) == "PK\x01\x02" && i+28 < len(b):
			copy(b[i+24:i+28], []byte{1, 0, 0, 0})
		}
	}
}

func TestFormJSON(t *testing.T) {
	forms := ReadText("Esito: positivo", SourceBody)
	if len(forms) != 1 {
		t.Fatalf("forms: %v", forms)
	}
	j, err := json.Marshal(forms[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(j), `"problems":[]`) || !strings.Contains(string(j), `"type":"esiti_collaudo"`) {
		t.Errorf("json %s", j)
	}
}

// TestFixtureFiles reads the filled forms of testdata/forms (made by internal/formgen, and by
// LibreOffice from those): each is read without error as its form type, the Venezia ones with
// every required field and no problem, the cf_errato ones with the one wrong check digit.
func TestFixtureFiles(t *testing.T) {
	var files []string
	for _, pat := range []string{"../testdata/forms/*.*", "../testdata/forms/libreoffice/*.*", "../testdata/forms/handmade/*.*"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	n := 0
	for _, file := range files {
		base := filepath.Base(file)
		if strings.HasSuffix(base, ".md") {
			continue
		}
		var typ string
		for _, spec := range Forms {
			if strings.HasPrefix(base, spec.Type+"_") && len(spec.Type) > len(typ) {
				typ = spec.Type
			}
		}
		if typ == "" {
			continue
		}
		n++
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		forms, err := ReadDocument(base, "", data, Limits{})
		if err != nil || len(forms) != 1 {
			t.Errorf("%s: %d forms, err %v", file, len(forms), err)
			continue
		}
		f := forms[0]
		if f.Type != typ {
			t.Errorf("%s: type %q, want %q", file, f.Type, typ)
		}
		switch {
		case strings.Contains(base, "_venezia."):
			if len(f.Problems) != 0 || len(MissingFields(f)) != 0 {
				t.Errorf("%s: problems %v, missing %v", file, f.Problems, MissingFields(f))
			}
		case strings.Contains(base, "_cf_errato."):
			if len(f.Problems) != 1 || f.Problems[0].Field != "ente.codice_fiscale" {
				t.Errorf("%s: problems %v, want the codice fiscale", file, f.Problems)
			}
		}
	}
	if n == 0 {
		t.Fatal("no fixtures in testdata/forms: the committed forms are missing")
	}
}

func TestProvenanceOfBodyAndDocument(t *testing.T) {
	forms := ReadText("Denominazione ente: Comune di Venezia\nCodice IPA: c_l736\n", SourceBody)
	if len(forms) != 1 {
		t.Fatalf("got %d forms, want 1", len(forms))
	}
	p, ok := forms[0].Provenance["ente.codice_ipa"]
	if !ok {
		t.Fatalf("no provenance for ente.codice_ipa: %+v", forms[0].Provenance)
	}
	want := Provenance{Document: SourceBody, Label: "Codice IPA", How: HowBody, Sure: true, Evidence: Evidence{Check: CheckPassed}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("provenance = %+v, want %+v", p, want)
	}
	for k := range forms[0].Provenance {
		if _, ok := forms[0].Fields[k]; !ok {
			t.Errorf("provenance for %q, a field that is not there", k)
		}
	}
	docs, err := ReadDocument("richiesta.txt", "text/plain", []byte("Codice IPA: c_l736\n"), Limits{})
	if err != nil || len(docs) != 1 {
		t.Fatalf("ReadDocument: %v, %d forms", err, len(docs))
	}
	if got := docs[0].Provenance["ente.codice_ipa"]; got.How != HowLine || got.Document != "richiesta.txt" || !got.Sure {
		t.Errorf("document provenance = %+v", got)
	}
}
