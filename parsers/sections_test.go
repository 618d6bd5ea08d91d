package parsers

import (
	"reflect"
	"strings"
	"testing"
)

// Sections and generic labels (issue 10, symptom 3): a form laid out as section headings with
// generic labels under them put the referent's codice fiscale into the ente's, and the
// referent was told the ente's codice fiscale was invalid.

var sectionsWant = map[string]any{
	"ente.denominazione":             "Comune di Belluno",
	"ente.codice_fiscale":            "00132550252",
	"ente.pec":                       "belluno.bl@cert.ip-veneto.net",
	"referente.nome":                 "Andrea",
	"referente.cognome":              "De Bona",
	"referente.codice_fiscale":       "DBNNDR79A08A757U",
	"referente.email":                "andrea.debona@comune.belluno.it",
	"tipi_dovuto.codice":             "AFFITTI",
	"tipi_dovuto.iban":               "IT89U0890411900000000004321",
	"software_house.ragione_sociale": "Laguna Sistemi Soc. Coop.",
	"software_house.email":           "tecnico@lagunasistemi.it",
}

func TestSections(t *testing.T) {
	ente := [][]string{{"Denominazione", "Comune di Belluno"}, {"Codice fiscale", "00132550252"}, {"PEC", "belluno.bl@cert.ip-veneto.net"}}
	ref := [][]string{{"Nome", "Andrea"}, {"Cognome", "De Bona"}, {"Codice fiscale", "DBNNDR79A08A757U"}, {"Email", "andrea.debona@comune.belluno.it"}}
	dov := [][]string{{"Codice", "AFFITTI"}, {"IBAN", "IT89U0890411900000000004321"}}
	sh := [][]string{{"Ragione sociale", "Laguna Sistemi Soc. Coop."}, {"Email", "tecnico@lagunasistemi.it"}}
	bold := func(s string) string { return wordP(wordR(s, `<w:b/><w:bCs/>`)) }
	numbered := wordDOCX(t, wordDoc(bold("Informativa Generale dell’ente")+
		bold("1. Ente")+wordTable(ente...)+
		bold("2. Referente dei pagamenti")+wordTable(ref...)+
		bold("3. Tipi dovuto")+wordTable(dov...)+
		bold("4. Software house")+wordTable(sh...)))
	// LibreOffice: headings as text:h, or a caption paragraph "Tabella 2: Referente ...".
	loHead := func(s string) string {
		return `<text:h text:style-name="Heading_20_2" text:outline-level="2">` + s + `</text:h>`
	}
	captions := loODT(t, loContent("", loHead("Informativa Generale dell&apos;ente")+
		loP("Tabella 1: Ente")+loTable(ente...)+
		loP("Tabella 2: Referente dei pagamenti")+loTable(ref...)+
		loHead("Tipi di dovuto")+loTable(dov...)+
		loP(`<text:span text:style-name="T2">Software house</text:span>`)+loTable(sh...)))
	// The section inside the label, and a section heading as a merged row of one table.
	inline := wordDOCX(t, wordDoc(bold("Informativa Generale dell’ente")+wordTable(
		[]string{"Ente: denominazione", "Comune di Belluno"}, []string{"Ente: codice fiscale", "00132550252"}, []string{"Ente: PEC", "belluno.bl@cert.ip-veneto.net"},
		[]string{"Referente dei pagamenti"},
		[]string{"Nome", "Andrea"}, []string{"Cognome", "De Bona"}, []string{"Codice fiscale", "DBNNDR79A08A757U"}, []string{"Email", "andrea.debona@comune.belluno.it"},
		[]string{"Tipo dovuto: codice", "AFFITTI"}, []string{"Tipo dovuto: IBAN", "IT89U0890411900000000004321"},
		[]string{"Software house: ragione sociale", "Laguna Sistemi Soc. Coop."}, []string{"Software house: email referente tecnico", "tecnico@lagunasistemi.it"},
	)))
	for _, c := range []struct {
		name string
		data []byte
	}{{"numerate.docx", numbered}, {"didascalie.odt", captions}, {"in linea.docx", inline}} {
		f := readOne(t, c.name, c.data)
		for k, w := range sectionsWant {
			if got := f.Fields[k]; !reflect.DeepEqual(got, w) {
				t.Errorf("%s: %s = %#v, want %#v", c.name, k, got, w)
			}
			if !f.Provenance[k].Sure {
				t.Errorf("%s: %s not sure: %+v", c.name, k, f.Provenance[k])
			}
		}
		if len(f.Problems) != 0 {
			t.Errorf("%s: problems %v", c.name, f.Problems)
		}
	}
}

func TestSectionsInBody(t *testing.T) {
	// "Referente: nome: Mario" put both the name and the surname into one field.
	forms := ReadText("Informativa generale\nReferente: nome: Mario\nReferente: cognome: Rossi\nEnte: codice fiscale: 00339370272\nReferente: codice fiscale: RSSMRA85T10A562S", SourceBody)
	if len(forms) != 1 {
		t.Fatalf("%d forms", len(forms))
	}
	want := map[string]any{"referente.nome": "Mario", "referente.cognome": "Rossi",
		"ente.codice_fiscale": "00339370272", "referente.codice_fiscale": "RSSMRA85T10A562S"}
	for k, w := range want {
		if got := forms[0].Fields[k]; got != w {
			t.Errorf("%s = %#v, want %q", k, got, w)
		}
	}
}

// TestGenericLabelOutsideSections: outside any section, "Codice fiscale" may be the ente's or
// the referent's; the kind of value settles it, or else the reading is uncertain.
func TestGenericLabelOutsideSections(t *testing.T) {
	cases := []struct {
		value, key string
		sure       bool
	}{
		{"00339370272", "ente.codice_fiscale", true},
		{"RSSMRA85T10A562S", "referente.codice_fiscale", true},
		{"vedi allegato", "ente.codice_fiscale", false},
	}
	for _, c := range cases {
		forms := ReadText("Informativa generale\nCodice IPA: c_l736\nCodice fiscale: "+c.value, SourceBody)
		if len(forms) != 1 {
			t.Fatalf("%q: %d forms", c.value, len(forms))
		}
		f := forms[0]
		if _, ok := f.Fields[c.key]; !ok {
			t.Errorf("%q: not in %s: %v", c.value, c.key, f.Fields)
		}
		if p := f.Provenance[c.key]; p.Sure != c.sure || !c.sure && !strings.Contains(p.Doubt, "sezione") {
			t.Errorf("%q: provenance %+v, want sure=%v", c.value, p, c.sure)
		}
		if len(f.Problems) != 0 {
			t.Errorf("%q: problems %v", c.value, f.Problems)
		}
	}
}

// TestGenericLabelAloneOnItsLine: Outlook turns a table of a section into paragraphs, each
// label alone on its line ("Codice", then the value after a blank line).
func TestGenericLabelAloneOnItsLine(t *testing.T) {
	forms := ReadText("Informativa generale\n\n4. Tipi dovuto\nCodice\n\nSOGGIORNO\n\nDescrizione\n\nImposta di soggiorno\n\nIBAN di accredito\n\nIT03L0200836280000041112222\n", SourceBody)
	if len(forms) != 1 {
		t.Fatalf("%d forms", len(forms))
	}
	for k, w := range map[string]string{"tipi_dovuto.codice": "SOGGIORNO", "tipi_dovuto.descrizione": "Imposta di soggiorno", "tipi_dovuto.iban": "IT03L0200836280000041112222"} {
		if got := forms[0].Fields[k]; got != w {
			t.Errorf("%s = %#v, want %q", k, got, w)
		}
	}
}
