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
