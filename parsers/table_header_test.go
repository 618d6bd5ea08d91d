package parsers

import "testing"

// TestTableHeaderUnderLabel (issue 18 item 5): a table of tipi di dovuto whose header row
// ("Codice | Descrizione | IBAN di accredito") stands under its label, in a paragraph, a
// caption row or the first cell, is read by columns: the header is never a value.
func TestTableHeaderUnderLabel(t *testing.T) {
	head := wordP(wordR("Informativa Generale dell’ente", `<w:b/>`))
	header := []string{"Codice", "Descrizione", "IBAN di accredito"}
	row := []string{"TARI", "Tassa sui rifiuti", "IT55R0306902117100000046001"}
	want := map[string]string{"tipi_dovuto.codice": "TARI", "tipi_dovuto.descrizione": "Tassa sui rifiuti", "tipi_dovuto.iban": "IT55R0306902117100000046001"}
	cases := []struct {
		name string
		data []byte
	}{
		{"label paragraph.docx", wordDOCX(t, wordDoc(head+wordP(wordR("Tipi di dovuto", ""))+wordTable(header, row)))},
		{"caption row.docx", wordDOCX(t, wordDoc(head+wordTable([]string{"Tipi di dovuto", "", ""}, header, row)))},
		{"label in first cell.docx", wordDOCX(t, wordDoc(head+wordTable(append([]string{"Tipi di dovuto"}, header...), append([]string{""}, row...))))},
		{"caption row.odt", loODT(t, loContent("", `<text:h text:outline-level="1">Informativa Generale dell&apos;ente</text:h>`+loTable([]string{"Tipi dovuto"}, header, row)))},
	}
	for _, c := range cases {
		f := readOne(t, c.name, c.data)
		for k, v := range want {
			if got := f.Fields[k]; got != v || !f.Provenance[k].Sure {
				t.Errorf("%s: %s = %#v (%+v), want %q, sure", c.name, k, got, f.Provenance[k], v)
			}
		}
	}

	// In a body the row under the label is a header too: never a sure value.
	forms := ReadText("Informativa generale\nTipi di dovuto:\nCodice | Descrizione | IBAN\nTARI | Tassa sui rifiuti | IT55R0306902117100000046001", SourceBody)
	if len(forms) != 1 {
		t.Fatalf("%d forms", len(forms))
	}
	if v, ok := forms[0].Fields["tipi_dovuto.codice"]; ok && forms[0].Provenance["tipi_dovuto.codice"].Sure {
		t.Errorf("body: header read as a sure value %q", v)
	}
}

// TestTableInsideSections (held-out batch 4): inside one table of label | value rows, a section
// row and then a header row start a table by columns; a header row over people side by side
// ("" | "Referente dei pagamenti" | "Sostituto") gives the referent's column only.
func TestTableInsideSections(t *testing.T) {
	head := wordP(wordR("Informativa Generale dell’ente", `<w:b/>`))
	doc := wordDOCX(t, wordDoc(head+wordTable(
		[]string{"Sezione A – Ente", "", ""},
		[]string{"Denominazione", "Comune di Stra", ""},
		[]string{"Sezione D – Tipi di dovuto", "", ""},
		[]string{"Codice", "Descrizione", "IBAN di accredito"},
		[]string{"TARI", "Tassa sui rifiuti", "IT55R0306902117100000046001"},
		[]string{"Sezione E – Fornitore", "", ""},
		[]string{"Ragione sociale", "Riviera Software S.r.l.", ""},
	)+wordTable(
		[]string{"", "Referente dei pagamenti", "Sostituto"},
		[]string{"Nome", "Marco", "Anna"},
		[]string{"Cognome", "Boscolo", "Tiozzo"},
		[]string{"E-mail", "m.boscolo@stra.it", "a.tiozzo@stra.it"},
	)))
	f := readOne(t, "sections.docx", doc)
	want := map[string]string{
		"ente.denominazione": "Comune di Stra", "tipi_dovuto.codice": "TARI", "tipi_dovuto.descrizione": "Tassa sui rifiuti",
		"tipi_dovuto.iban": "IT55R0306902117100000046001", "software_house.ragione_sociale": "Riviera Software S.r.l.",
		"referente.nome": "Marco", "referente.cognome": "Boscolo", "referente.email": "m.boscolo@stra.it",
	}
	for k, v := range want {
		if got := f.Fields[k]; got != v || !f.Provenance[k].Sure {
			t.Errorf("%s = %#v (%+v), want %q, sure", k, got, f.Provenance[k], v)
		}
	}
	// Two sections' columns side by side are not one person's: nothing is taken from them alone.
	doc = wordDOCX(t, wordDoc(head+wordTable(
		[]string{"", "Referente dei pagamenti", "Ente"},
		[]string{"Nome", "Marco", "Comune di Stra"},
	)))
	if f := readOne(t, "two sections.docx", doc); f.Fields["referente.nome"] == "Marco" && f.Provenance["referente.nome"].Sure {
		t.Errorf("a column of two sections' table read as sure: %+v", f.Provenance["referente.nome"])
	}
}

// TestIPPairWithDash (held-out batch 4): two neighbouring addresses joined by a dash are those
// two addresses whether the dash lists or spans them; a wider span is still a range to restate.
func TestIPPairWithDash(t *testing.T) {
	ips, bad, _ := tfIPs([]string{"93.57.240.12 - 93.57.240.13"})
	if len(bad) != 0 || len(ips) != 2 || ips[0] != "93.57.240.12" || ips[1] != "93.57.240.13" {
		t.Errorf("pair: %v %v", ips, bad)
	}
	if ips, bad, _ := tfIPs([]string{"93.57.240.12 - 93.57.240.20"}); len(bad) != 1 || len(ips) != 0 {
		t.Errorf("range: %v %v", ips, bad)
	}
}
