package parsers

import (
	"strings"
	"testing"
)

// TestWrappedValue (held-out batch 4): a free-text value whose next line is more text (a line a
// client wrapped, or the writer broke) is read whole and left to a person, since where it ends is
// a guess; a closing, a label or a blank line after it ends the value, as does a number's end.
func TestWrappedValue(t *testing.T) {
	cases := []struct {
		name, text, key, want string
		sure                  bool
	}{
		{"wrapped address", "Informativa generale\nIndirizzo: Corso Mazzini 118, 31044\nMontebelluna (TV)\nPEC: protocollo@pec.montebelluna.it\n", "ente.indirizzo", "Corso Mazzini 118, 31044 Montebelluna (TV)", false},
		{"dot leaders", "Informativa generale\nIndirizzo ............ Corso Mazzini 118, 31044\nMontebelluna (TV)\n", "ente.indirizzo", "Corso Mazzini 118, 31044 Montebelluna (TV)", false},
		{"then a label", "Informativa generale\nIndirizzo: Corso Mazzini 118, 31044 Montebelluna (TV)\nPEC: protocollo@pec.montebelluna.it\n", "ente.indirizzo", "Corso Mazzini 118, 31044 Montebelluna (TV)", true},
		{"then a closing", "Informativa generale\nDenominazione: Comune di Montebelluna\nCordiali saluti\n", "ente.denominazione", "Comune di Montebelluna", true},
		{"a phone, then a name", "Informativa generale\nTelefono referente: 0423 617111\nMario Rossi\n", "referente.telefono", "0423 617111", true},
	}
	for _, c := range cases {
		forms := ReadText(c.text, SourceBody)
		if len(forms) != 1 {
			t.Fatalf("%s: %d forms", c.name, len(forms))
		}
		f := forms[0]
		if got, _ := f.Fields[c.key].(string); got != c.want || f.Provenance[c.key].Sure != c.sure {
			t.Errorf("%s: %s = %q sure %v, want %q sure %v", c.name, c.key, got, f.Provenance[c.key].Sure, c.want, c.sure)
		}
	}
}

// TestNameAndSurnameInOneValue (held-out batch 4): "Nome e cognome" with two words gives each
// field its word, in the label's order, both for a person to confirm; more words stay whole.
func TestNameAndSurnameInOneValue(t *testing.T) {
	cases := []struct{ text, nome, cognome string }{
		{"Informativa generale\nReferente dei pagamenti\nNome e cognome: Giulia Zanon\n", "Giulia", "Zanon"},
		{"Informativa generale\nReferente dei pagamenti\nCognome e nome: Zanon Giulia\n", "Giulia", "Zanon"},
		{"Informativa generale\nReferente dei pagamenti\nNome e cognome: Paolo Dal Zotto\n", "Paolo Dal Zotto", ""},
	}
	for _, c := range cases {
		forms := ReadText(c.text, SourceBody)
		if len(forms) != 1 {
			t.Fatalf("%q: %d forms", c.text, len(forms))
		}
		f := forms[0]
		nome, _ := f.Fields["referente.nome"].(string)
		cognome, _ := f.Fields["referente.cognome"].(string)
		if nome != c.nome || cognome != c.cognome || f.Provenance["referente.nome"].Sure || cognome != "" && f.Provenance["referente.cognome"].Sure {
			t.Errorf("%q: nome %q cognome %q (%+v), want %q %q, both in doubt", c.text, nome, cognome, f.Provenance, c.nome, c.cognome)
		}
	}
}

// TestServicesAnsweredOneByOne (held-out batch 4's wording "MyPay: sì — MyPivot: no"): a
// service named with a "no" is not chosen; naming both with no answer still asks for both, and a
// "no" that cannot be told to one service is a doubt, never a sure choice.
func TestServicesAnsweredOneByOne(t *testing.T) {
	cases := []struct {
		value string
		want  []string
		sure  bool
	}{
		{"MyPay: sì — MyPivot: no", []string{"MyPay"}, true},
		{"MyPay sì, MyPivot no", []string{"MyPay"}, true},
		{"MyPay; MyPivot non richiesto", []string{"MyPay"}, true},
		{"no MyPay, MyPivot sì", []string{"MyPivot"}, true},
		{"MyPay e MyPivot", []string{"MyPay", "MyPivot"}, true},
		{"MyPay sì MyPivot no", nil, false},
	}
	for _, c := range cases {
		forms := ReadText("Qualificazione Ente-Prodotto\nIntegrazioni: "+c.value+"\n", SourceBody)
		if len(forms) != 1 {
			t.Fatalf("%q: %d forms", c.value, len(forms))
		}
		f := forms[0]
		got := frValues(f.Fields["servizi"])
		if sure := f.Provenance["servizi"].Sure; sure != c.sure || c.sure && strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%q: %v sure %v, want %v sure %v", c.value, got, sure, c.want, c.sure)
		}
	}
}

// TestPersonBesideSection (held-out batch 4): a person written whole beside their section's
// name ("Referente: Mario Rossi", a bilingual "Payments contact / Referente dei pagamenti: …")
// gives the first name and the surname, both for a person to confirm.
func TestPersonBesideSection(t *testing.T) {
	for _, line := range []string{"Referente: Mario Rossi", "Payments contact / Referente dei pagamenti: Mario Rossi"} {
		forms := ReadText("Informativa generale\n"+line+"\nEmail: m.rossi@comune.stra.ve.it\n", SourceBody)
		if len(forms) != 1 {
			t.Fatalf("%q: %d forms", line, len(forms))
		}
		f := forms[0]
		if f.Fields["referente.nome"] != "Mario" || f.Fields["referente.cognome"] != "Rossi" || f.Provenance["referente.nome"].Sure || f.Provenance["referente.cognome"].Sure {
			t.Errorf("%q: %v %v", line, f.Fields, f.Provenance)
		}
		if !f.Provenance["referente.email"].Sure {
			t.Errorf("%q: the e-mail under it is in doubt: %+v", line, f.Provenance["referente.email"])
		}
	}
}
