package parsers

import "testing"

// TestCellsBesideLabel (issue 18): a value written in more than one cell beside its label holds
// a note or another column ("int. 3412" beside the phone, the blank form's hint "MyPay e/o
// MyPivot" beside the service): never a sure value. Options in cells with their marks are a
// choice like any other. Under a column headed as notes, the remarks are not part of the values.
func TestCellsBesideLabel(t *testing.T) {
	head := wordP(wordR("Informativa Generale dell’ente", `<w:b/>`))
	cases := []struct {
		name string
		row  []string
		key  string
		sure bool
	}{
		{"phone with its extension", []string{"Telefono referente", "0444 753111", "int. 3412"}, "referente.telefono", false},
		{"service with the form's hint", []string{"Servizi richiesti", "MyPay", "MyPay e/o MyPivot"}, "servizi", false},
		{"phone alone", []string{"Telefono referente", "0444 753111", ""}, "referente.telefono", true},
		{"options ticked in cells", []string{"Servizi richiesti", "☒ MyPay", "☐ MyPivot"}, "servizi", true},
	}
	for _, c := range cases {
		data := wordDOCX(t, wordDoc(head+wordTable([]string{"Denominazione ente", "Comune di Vicenza", ""}, c.row)))
		f := readOne(t, c.name+".docx", data)
		p, ok := f.Provenance[c.key]
		if !ok {
			t.Errorf("%s: %s not read: %#v", c.name, c.key, f.Fields)
			continue
		}
		if p.Sure != c.sure {
			t.Errorf("%s: %s = %#v sure %v, want %v (%+v)", c.name, c.key, f.Fields[c.key], p.Sure, c.sure, p.Evidence)
		}
	}

	rows := [][]string{{"Campo", "Valore", "Note per la compilazione"}, {"Denominazione ente", "Comune di Vicenza", ""}, cases[0].row, cases[1].row}
	f := readOne(t, "notes.docx", wordDOCX(t, wordDoc(head+wordTable(rows...))))
	if f.Fields["referente.telefono"] != "0444 753111" || !f.Provenance["referente.telefono"].Sure {
		t.Errorf("notes column: phone %#v (%+v)", f.Fields["referente.telefono"], f.Provenance["referente.telefono"])
	}
	if s, _ := f.Fields["servizi"].([]string); len(s) != 1 || s[0] != ServiceMyPay || !f.Provenance["servizi"].Sure {
		t.Errorf("notes column: services %#v (%+v)", f.Fields["servizi"], f.Provenance["servizi"])
	}
}
