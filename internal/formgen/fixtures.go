package formgen

import (
	"fmt"
	"maps"
	"strings"

	"mailbot/parsers"
)

// Fixture is a filled form written to testdata/forms as <Name>.<format> for every format.
type Fixture struct {
	Name     string
	FormType string
	Formats  []string
	Values   map[string]string
	Note     string // what the file is for, written to the README
}

// Comune di Venezia: real codice fiscale, IPA code and seat; the referent, the company and the
// bank account are invented but pass every check (personal CF check letter, IBAN mod 97 and CIN,
// partita IVA check digit). IP addresses are from the documentation ranges of RFC 5737.
var veneziaInformativa = map[string]string{
	"ente.denominazione":               "Comune di Venezia",
	"ente.codice_fiscale":              "00339370272",
	"ente.codice_ipa":                  "c_l736",
	"ente.tipologia":                   "Comune",
	"ente.indirizzo":                   "Ca' Farsetti, San Marco 4136, 30124 Venezia (VE)",
	"ente.pec":                         "protocollo@pec.comune.venezia.it",
	"referente.nome":                   "Mario",
	"referente.cognome":                "Rossi",
	"referente.codice_fiscale":         "RSSMRA80A01L736U",
	"referente.email":                  "mario.rossi@comune.venezia.it",
	"referente.telefono":               "041 274 8111",
	"servizi":                          "MyPay, MyPivot",
	"modalita_attivazione":             "pagamenti spontanei\ncaricamento flussi",
	"tipi_dovuto.codice":               "TARI",
	"tipi_dovuto.descrizione":          "Tassa sui rifiuti",
	"tipi_dovuto.iban":                 "IT55R0306902117100000046001",
	"software_house.ragione_sociale":   "Software Veneto S.r.l.",
	"software_house.email":             "assistenza@softwareveneto.it",
	"prerequisiti.adesione_pagopa":     "sì",
	"prerequisiti.lettera_adesione":    "15/01/2025",
	"prerequisiti.prodotti_myextranet": "sì",
}

var veneziaEnteProdotto = map[string]string{
	"ente.denominazione":              "Comune di Venezia",
	"ente.codice_fiscale":             "00339370272",
	"ente.codice_ipa":                 "c_l736",
	"prodotto.nome":                   "TributiWeb",
	"prodotto.versione":               "4.2.1",
	"azienda.ragione_sociale":         "Software Veneto S.r.l.",
	"azienda.partita_iva":             "04123456784",
	"azienda.pec":                     "softwareveneto@legalmail.it",
	"azienda.email_referente_tecnico": "assistenza@softwareveneto.it",
	"servizi":                         "MyPay, MyPivot",
	"web_services":                    "paaSILInviaDovuti\npaaSILChiediPagati",
	"url_callback":                    "https://tributi.comune.venezia.it/mypay/esito",
	"ip_collaudo":                     "203.0.113.10\n203.0.113.11",
	"ip_esercizio":                    "198.51.100.0/28",
}

// withValue returns a copy of values with key set to v.
func withValue(values map[string]string, key, v string) map[string]string {
	c := maps.Clone(values)
	c[key] = v
	return c
}

// Fixtures are the filled forms in testdata/forms.
func Fixtures() []Fixture {
	all := []string{FormatPDF, FormatDOCX, FormatODT, FormatXLSX}
	return []Fixture{
		{
			Name: "informativa_generale_venezia", FormType: parsers.FormInformativaGenerale, Formats: all,
			Values: veneziaInformativa,
			Note:   "Informativa Generale of Comune di Venezia, every field valid; modalità on two lines.",
		},
		{
			Name: "qualificazione_ente_prodotto_venezia", FormType: parsers.FormQualificazioneEnteProdotto, Formats: all,
			Values: veneziaEnteProdotto,
			Note:   "Qualificazione Ente-Prodotto of Comune di Venezia with TributiWeb; two IPs in collaudo on two lines, a /28 in esercizio.",
		},
		{
			Name: "informativa_generale_cf_errato", FormType: parsers.FormInformativaGenerale, Formats: []string{FormatPDF, FormatDOCX},
			Values: withValue(veneziaInformativa, "ente.codice_fiscale", "80007580270"),
			Note:   "As informativa_generale_venezia but codice fiscale ente 80007580270: wrong check digit (should be 9).",
		},
	}
}

// FixtureFiles returns every fixture file by name, with a README.md that lists them.
func FixtureFiles() (map[string][]byte, error) {
	files := make(map[string][]byte)
	var readme strings.Builder
	readme.WriteString("# Filled forms\n\nMade by `go run ./internal/formgen/cmd/formgen -out templates/forms -fixtures testdata/forms`;\n" +
		"do not edit them by hand (a test compares them with the generator). `libreoffice/` holds files\n" +
		"converted by LibreOffice (see its README) and `handmade/` files made by hand.\n\n")
	for _, fx := range Fixtures() {
		for _, format := range fx.Formats {
			b, err := Fill(fx.FormType, format, fx.Values)
			if err != nil {
				return nil, fmt.Errorf("fixture %s: %w", fx.Name, err)
			}
			name := fx.Name + "." + format
			files[name] = b
			fmt.Fprintf(&readme, "- `%s`: %s\n", name, fx.Note)
		}
	}
	files["README.md"] = []byte(readme.String())
	return files, nil
}
