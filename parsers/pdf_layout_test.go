package parsers

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestPrintedPDFTables: tables printed to PDF by a word processor (LibreOffice, from the HTML
// in testdata/pdf; make.sh remakes them), no form fields. Issue 10, symptom 4: a block of
// labels ("denominazione / codice fiscale / codice IPA") was read as the ente's name, and a
// date as an IP address ("IP 11/03/2026 non valido"). Rows and columns are rebuilt from the
// glyph positions: a label cell with a section beside a block of labels beside a block of
// values, a label and a value that wrap, a vertically centred value, an empty IP cell next
// to a date.
func TestPrintedPDFTables(t *testing.T) {
	cases := []struct {
		file   string
		typ    string
		fields map[string]any
		absent []string
		where  map[string]string
	}{
		{"blocchi_etichette.pdf", FormInformativaGenerale, map[string]any{
			"ente.denominazione":            "Comune di Mirano",
			"ente.codice_fiscale":           "00648820272",
			"ente.codice_ipa":               "c_f241",
			"ente.indirizzo":                "Piazza Martiri della Libertà 1, 30035 Mirano (VE), presso il Municipio, secondo piano, ufficio tributi, stanza 12",
			"ente.pec":                      "comune.mirano.ve@pecveneto.it",
			"referente.nome":                "Anna",
			"referente.cognome":             "Bortolato",
			"referente.codice_fiscale":      "BRTNNA80A41F241Y",
			"referente.email":               "anna.bortolato@comune.mirano.ve.it",
			"servizi":                       []string{ServiceMyPay, ServiceMyPivot},
			"prerequisiti.lettera_adesione": "11/03/2026",
		}, []string{"referente.telefono"}, map[string]string{
			"ente.denominazione": "pagina 1, riga 2", "referente.email": "pagina 1, riga 5",
		}},
		{"data_ip.pdf", FormEsitiCollaudo, map[string]any{
			"collaudo.data":  "11/03/2026",
			"collaudo.esito": "positivo",
			"collaudo.note":  "pagamenti con carta di test andati a buon fine, nessun errore riscontrato",
		}, []string{"ip_esercizio"}, nil},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/pdf/" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			forms, err := ReadDocument(c.file, "application/pdf", data, Limits{})
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
				if p := f.Provenance[k]; p.How != HowTable || !p.Sure {
					t.Errorf("%s: provenance %+v, want a sure table cell", k, p)
				}
			}
			for _, k := range c.absent {
				if v, ok := f.Fields[k]; ok {
					t.Errorf("%s = %#v, want nothing (its cell is empty)", k, v)
				}
			}
			for k, want := range c.where {
				if got := f.Provenance[k].Where; got != want {
					t.Errorf("%s read at %q, want %q", k, got, want)
				}
			}
			for _, p := range f.Problems {
				if strings.Contains(p.Value, "/2026") && p.Field != "collaudo.data" {
					t.Errorf("a date reported as %s: %s", p.Field, p.Message)
				}
			}
		})
	}
}

// TestPDFLabelNeverValue: lines of text as a PDF prints them (no table): a label followed by
// a block of labels, and an IP label followed by a date, give no value.
func TestPDFLabelNeverValue(t *testing.T) {
	data := buildPDF([]string{"Qualificazione Ente-Prodotto", "Ente:", "Denominazione ente", "Codice fiscale ente",
		"Codice IPA", "IP chiamanti in collaudo:", "11/03/2026", "Nome prodotto: TributiWeb"}, nil)
	forms, err := ReadDocument("stampa.pdf", "", data, Limits{})
	if err != nil || len(forms) != 1 {
		t.Fatalf("forms %+v, err %v", forms, err)
	}
	f := forms[0]
	for _, k := range []string{"ente.denominazione", "ip_collaudo"} {
		if v, ok := f.Fields[k]; ok {
			t.Errorf("%s = %#v, want nothing", k, v)
		}
	}
	if f.Fields["prodotto.nome"] != "TributiWeb" {
		t.Errorf("prodotto.nome = %#v", f.Fields["prodotto.nome"])
	}
}

// TestPrintedPDFMarks: check marks printed in columns of their own (corpus files, Word and
// LibreOffice tables printed to PDF): "X" beside the option it ticks, and "Sì | No" columns
// under a label (options marked Sì are its value) or alone (each row takes the word its
// mark stands under).
func TestPrintedPDFMarks(t *testing.T) {
	for _, c := range []struct {
		file   string
		fields map[string]any
	}{
		{"lo_qep_printed_schio.pdf", map[string]any{"servizi": []string{ServiceMyPivot}}},
		{"word_ig_sino_jesolo.pdf", map[string]any{"servizi": []string{ServiceMyPay, ServiceMyPivot},
			"prerequisiti.adesione_pagopa": "sì", "prerequisiti.prodotti_myextranet": "sì"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile("../testdata/forms/corpus/libreoffice/" + c.file)
			if err != nil {
				t.Fatal("committed corpus file missing:", err)
			}
			forms, err := ReadDocument(c.file, "", data, Limits{})
			if err != nil || len(forms) != 1 {
				t.Fatalf("forms %+v, err %v", forms, err)
			}
			for k, want := range c.fields {
				if got := forms[0].Fields[k]; !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", k, got, want)
				}
			}
		})
	}
}
