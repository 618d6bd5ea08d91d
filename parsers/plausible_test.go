package parsers

import (
	"reflect"
	"strings"
	"testing"
)

// Plausibility before validation (issue 10, symptoms 4 and 5): a value that does not look like
// its kind at all was read from the wrong place; it goes to a person, and the referent is told
// nothing. A value that looks like its kind and fails its check is a problem for the referent.
func TestPlausibleBeforeValid(t *testing.T) {
	cases := []struct {
		name, text, key string
		want            any
		unsure          bool
		problem         string // substring of the one problem expected, "" for none
	}{
		{"date in an IP field", "Qualificazione Ente-Prodotto\nIP chiamanti in collaudo: 11/03/2026", "ip_collaudo", []string{}, true, ""},
		{"phone in an IP field", "Esiti collaudo\nEsito: positivo\nIP: 041 2748111", "ip_esercizio", []string{}, true, ""},
		{"prose in an IP field", "Esiti collaudo\nEsito: positivo\nIP per l'esercizio: li comunicheremo", "ip_esercizio", []string{}, true, ""},
		{"private IP", "Esiti collaudo\nEsito: positivo\nIP: 10.0.0.1, 203.0.113.5", "ip_esercizio", []string{"203.0.113.5"}, false, "privato"},
		{"bad IP number", "Esiti collaudo\nEsito: positivo\nIP: 203.0.113.300", "ip_esercizio", nil, false, "da 0 a 255"},
		{"labels in a name field", "Informativa generale\nDenominazione ente: Codice fiscale ente", "ente.denominazione", "Codice fiscale ente", true, ""},
		{"prose in a codice fiscale", "Informativa generale\nCodice fiscale ente: lo trovate in allegato", "ente.codice_fiscale", "lo trovate in allegato", true, ""},
		{"wrong check digit", "Informativa generale\nCodice fiscale ente: 80007580270", "ente.codice_fiscale", "80007580270", false, "cifra di controllo"},
		{"name in a personal codice fiscale", "Informativa generale\nCodice fiscale referente: Mario Rossi", "referente.codice_fiscale", "Mario Rossi", true, ""},
		{"short personal codice fiscale", "Informativa generale\nCodice fiscale referente: RSSMRA85T10A562", "referente.codice_fiscale", "RSSMRA85T10A562", false, "16 caratteri"},
		{"sentence in an IPA field", "Informativa generale\nCodice IPA: non ne abbiamo uno", "ente.codice_ipa", "non ne abbiamo uno", true, ""},
		{"IPA with a space", "Informativa generale\nCodice IPA: c l736", "ente.codice_ipa", "c l736", false, "spazi"},
		{"label in an email field", "Informativa generale\nEmail referente: telefono", "referente.email", "telefono", true, ""},
		{"email without at", "Informativa generale\nEmail referente: mario.rossi(at)comune.venezia.it", "referente.email", "mario.rossi(at)comune.venezia.it", false, "@"},
		{"words in an IBAN field", "Informativa generale\nIBAN di accredito: tesoreria comunale", "tipi_dovuto.iban", "tesoreria comunale", true, ""},
		{"bad IBAN", "Informativa generale\nIBAN di accredito: IT61X0542811101000000123456", "tipi_dovuto.iban", "IT61X0542811101000000123456", false, "cifre di controllo"},
		{"words in a date field", "Informativa generale\nLettera di adesione inviata il: la settimana scorsa", "prerequisiti.lettera_adesione", "la settimana scorsa", true, ""},
		{"impossible date", "Informativa generale\nLettera di adesione inviata il: 31/02/2025", "prerequisiti.lettera_adesione", "31/02/2025", false, "gg/mm/aaaa"},
		// A spreadsheet's number cell drops the leading zeros: padded it passes, a person confirms.
		{"codice fiscale without its leading zeros", "Informativa generale\nCodice fiscale ente: 339370272", "ente.codice_fiscale", "00339370272", true, ""},
		{"partita IVA without its leading zeros", "Qualificazione Ente-Prodotto\nPartita IVA azienda: 339370272", "azienda.partita_iva", "00339370272", true, ""},
		{"short codice fiscale that padding does not save", "Informativa generale\nCodice fiscale ente: 339370273", "ente.codice_fiscale", "339370273", false, "11 cifre"},
		{"no service named", "Informativa generale\nServizi richiesti: vedi sopra", "servizi", []string{}, true, ""},
	}
	for _, c := range cases {
		forms := ReadText(c.text, SourceBody)
		if len(forms) != 1 {
			t.Errorf("%s: %d forms", c.name, len(forms))
			continue
		}
		f := forms[0]
		if got := f.Fields[c.key]; !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %s = %#v, want %#v", c.name, c.key, got, c.want)
		}
		if p, ok := f.Provenance[c.key]; ok && p.Sure == c.unsure || c.unsure && p.Doubt == "" {
			t.Errorf("%s: provenance %+v, want sure=%v", c.name, p, !c.unsure)
		}
		switch {
		case c.problem == "" && len(f.Problems) > 0:
			t.Errorf("%s: problems %v, want none", c.name, f.Problems)
		case c.problem != "" && (len(f.Problems) != 1 || !strings.Contains(f.Problems[0].Message, c.problem)):
			t.Errorf("%s: problems %v, want one about %q", c.name, f.Problems, c.problem)
		}
	}
}

// TestValuesAsMailClientsWriteThem: Outlook writes a link's target after its text, and people
// write "n.d." or a dash for nothing.
func TestValuesAsMailClientsWriteThem(t *testing.T) {
	text := `Informativa generale
PEC ente: protocollo@pec.comune.venezia.it <mailto:protocollo@pec.comune.venezia.it>
Email referente: mario.rossi@comune.venezia.it<mailto:mario.rossi@comune.venezia.it>
Email referente tecnico software house: Assistenza <mailto:assistenza@softwareveneto.it>
URL di callback: https://pagamenti.comune.venezia.it/esito <https://pagamenti.comune.venezia.it/esito>
Telefono referente: n.d.
Software house: —
Tipologia ente: N/A
Indirizzo: -
Codice tipo dovuto: ____________`
	forms := ReadText(text, SourceBody)
	if len(forms) != 1 {
		t.Fatalf("%d forms", len(forms))
	}
	f := forms[0]
	want := map[string]any{
		"ente.pec":             "protocollo@pec.comune.venezia.it",
		"referente.email":      "mario.rossi@comune.venezia.it",
		"software_house.email": "assistenza@softwareveneto.it",
	}
	for k, w := range want {
		if got := f.Fields[k]; got != w {
			t.Errorf("%s = %#v, want %q", k, got, w)
		}
	}
	for _, k := range []string{"referente.telefono", "software_house.ragione_sociale", "ente.tipologia", "ente.indirizzo", "tipi_dovuto.codice"} {
		if v, ok := f.Fields[k]; ok {
			t.Errorf("%s = %#v, want empty", k, v)
		}
	}
	if len(f.Problems) != 0 {
		t.Errorf("problems %v", f.Problems)
	}
	// The same through an Outlook HTML body.
	html := "From: a@b.it\r\nTo: c@d.it\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		`<html><body><p class=MsoNormal><b>Informativa generale</b></p><p class=MsoNormal>Email referente: <a href="mailto:mario.rossi@comune.venezia.it">mario.rossi@comune.venezia.it</a><o:p></o:p></p><p class=MsoNormal>Telefono referente: n.d.<o:p></o:p></p></body></html>`
	a, err := Analyze(strings.NewReader(html), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, fm := range a.Forms {
		if fm.Type != FormInformativaGenerale {
			continue
		}
		found = true
		if got := fm.Fields["referente.email"]; got != "mario.rossi@comune.venezia.it" || len(fm.Problems) != 0 || fm.Fields["referente.telefono"] != nil {
			t.Errorf("html body: %v, problems %v", fm.Fields, fm.Problems)
		}
	}
	if !found {
		t.Errorf("html body: no informativa in %+v", a.Forms)
	}
}

// TestBodiesAsClientsWriteThem: Outlook writes a pasted table's cells as paragraphs (a blank
// line between label and value, the address followed by its mailto), Gmail each line as a div.
func TestBodiesAsClientsWriteThem(t *testing.T) {
	msg := func(html string) string {
		return "From: a@b.it\r\nTo: c@d.it\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
	}
	cell := func(s string) string {
		return `<td width=300 valign=top style='padding:0cm 5.4pt'><p class=MsoNormal>` + s + `<o:p></o:p></p></td>`
	}
	outlook := msg(`<html><body><div class=WordSection1><p class=MsoNormal>Informativa Generale dell'ente<o:p></o:p></p><table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0>` +
		`<tr>` + cell("Indirizzo della sede") + cell("Via del Municipio 1, 35122 Padova (PD)") + `</tr>` +
		`<tr>` + cell("PEC istituzionale") + cell(`<a href="mailto:protocollo.generale@pec.comune.padova.it">protocollo.generale@pec.comune.padova.it</a>`) + `</tr>` +
		`<tr>` + cell("E-mail del referente") + cell(`<a href="mailto:giulia.bertin@comune.padova.it">giulia.bertin@comune.padova.it</a>`) + `</tr>` +
		`</table></div></body></html>`)
	gmail := msg(`<div dir="ltr"><div>Buongiorno,</div><div><br></div><div>Informativa generale</div><div>Indirizzo della sede: Via del Municipio 1, 35122 Padova (PD)</div><div>PEC istituzionale: <a href="mailto:protocollo.generale@pec.comune.padova.it">protocollo.generale@pec.comune.padova.it</a></div><div>E-mail del referente: <a href="mailto:giulia.bertin@comune.padova.it">giulia.bertin@comune.padova.it</a></div><div>Telefono del referente: ______</div></div>`)
	want := map[string]any{
		"ente.indirizzo":  "Via del Municipio 1, 35122 Padova (PD)",
		"ente.pec":        "protocollo.generale@pec.comune.padova.it",
		"referente.email": "giulia.bertin@comune.padova.it",
	}
	for name, raw := range map[string]string{"outlook": outlook, "gmail": gmail} {
		a, err := Analyze(strings.NewReader(raw), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		var f *Form
		for i := range a.Forms {
			if a.Forms[i].Type == FormInformativaGenerale {
				f = &a.Forms[i]
			}
		}
		if f == nil {
			t.Errorf("%s: no informativa in %+v", name, a.Forms)
			continue
		}
		for k, w := range want {
			if got := f.Fields[k]; got != w {
				t.Errorf("%s: %s = %#v, want %q", name, k, got, w)
			}
		}
		if len(f.Problems) != 0 || f.Fields["referente.telefono"] != nil {
			t.Errorf("%s: problems %v, telefono %v", name, f.Problems, f.Fields["referente.telefono"])
		}
	}
}
