// Package parsers understands what arrives by mail: headers, bodies, PEC envelopes, signed files
// and the forms of the onboarding process. It knows nothing of tickets.
package parsers

// A constant for every field key of Forms (KeyEnteCodiceFiscale, ...), so code names fields the
// compiler checks.
//go:generate go run ../internal/genkeys schema.go fieldkeys.go

import (
	"strings"
	"unicode"
)

// Form types: the onboarding process's forms, named by their printed titles.
const (
	FormInformativaGenerale        = "informativa_generale"
	FormQualificazioneEnteProdotto = "qualificazione_ente_prodotto"
	FormQualificazioneProdotto     = "qualificazione_prodotto"
	FormQualificazioneProcesso     = "qualificazione_processo"
	FormDomandaInvito              = "domanda_invito"
	FormEsitiCollaudo              = "esiti_collaudo"
)

// Kinds of field value: how a raw value is normalised and checked.
const (
	KindText     = "text"
	KindList     = "list"     // comma/semicolon/newline separated values
	KindServices = "services" // list of MyPay / MyPivot
	KindCFEnte   = "cf_ente"  // 11-digit codice fiscale of a body
	KindPIVA     = "piva"     // partita IVA
	KindCFPerson = "cf_person"
	KindIPA      = "ipa"
	KindEmail    = "email"
	KindPEC      = "pec"
	KindIBAN     = "iban"
	KindIPs      = "ips" // list of public IP addresses or CIDR
	KindYesNo    = "yesno"
	KindDate     = "date"
	KindURL      = "url"
)

// Field is one field of a form: its key (snake_case with dots), the label printed on the blank
// form, other ways a person writes that label, and how its value is read.
type Field struct {
	Key      string
	Label    string
	Aliases  []string
	Kind     string
	Required bool
	Options  []string // the choices a form offers (services, modalità); nil for free values
}

// FormSpec describes one form: its title as printed, the phrases that identify it in a document,
// and its fields in the order of the blank form.
type FormSpec struct {
	Type    string
	Title   string
	Markers []string
	Fields  []Field
}

// Forms lists every form mailbot reads and ships blank. The blank forms are generated from it and
// the readers match labels against it, so a label changed here changes both.
var Forms = []FormSpec{
	{
		Type:    FormInformativaGenerale,
		Title:   "Informativa Generale dell'ente",
		Markers: []string{"informativa generale"},
		Fields: []Field{
			{Key: "ente.denominazione", Label: "Denominazione ente", Aliases: []string{"denominazione", "ente", "nome ente"}, Kind: KindText, Required: true},
			{Key: "ente.codice_fiscale", Label: "Codice fiscale ente", Aliases: []string{"c.f. ente", "cf ente", "codice fiscale"}, Kind: KindCFEnte, Required: true},
			{Key: "ente.codice_ipa", Label: "Codice IPA", Aliases: []string{"cod. ipa", "ipa"}, Kind: KindIPA, Required: true},
			{Key: "ente.tipologia", Label: "Tipologia ente", Aliases: []string{"tipologia", "tipo ente"}, Kind: KindText},
			{Key: "ente.indirizzo", Label: "Indirizzo", Aliases: []string{"sede", "indirizzo della sede", "sede legale"}, Kind: KindText},
			{Key: "ente.pec", Label: "PEC ente", Aliases: []string{"pec", "posta elettronica certificata", "pec istituzionale", "domicilio digitale"}, Kind: KindPEC, Required: true},
			{Key: "referente.nome", Label: "Nome referente dei pagamenti", Aliases: []string{"nome referente", "nome"}, Kind: KindText, Required: true},
			{Key: "referente.cognome", Label: "Cognome referente dei pagamenti", Aliases: []string{"cognome referente", "cognome"}, Kind: KindText, Required: true},
			{Key: "referente.codice_fiscale", Label: "Codice fiscale referente", Aliases: []string{"c.f. referente", "cf referente"}, Kind: KindCFPerson, Required: true},
			{Key: "referente.email", Label: "Email referente", Aliases: []string{"e-mail referente", "email", "e-mail"}, Kind: KindEmail, Required: true},
			{Key: "referente.telefono", Label: "Telefono referente", Aliases: []string{"telefono", "tel.", "recapito telefonico"}, Kind: KindText},
			{Key: "servizi", Label: "Servizi richiesti", Aliases: []string{"servizi", "servizi da attivare", "prodotti richiesti"}, Kind: KindServices, Required: true, Options: serviceOptions},
			{Key: "modalita_attivazione", Label: "Modalità di attivazione", Aliases: []string{"modalita attivazione"}, Kind: KindList,
				Options: []string{"pagamenti spontanei", "caricamento flussi", "web services dal gestionale dell'ente"}},
			{Key: "tipi_dovuto.codice", Label: "Codice tipo dovuto", Aliases: []string{"tipo dovuto"}, Kind: KindText},
			{Key: "tipi_dovuto.descrizione", Label: "Descrizione tipo dovuto", Kind: KindText},
			{Key: "tipi_dovuto.iban", Label: "IBAN di accredito", Aliases: []string{"iban"}, Kind: KindIBAN},
			{Key: "software_house.ragione_sociale", Label: "Software house", Aliases: []string{"ragione sociale software house", "fornitore"}, Kind: KindText},
			{Key: "software_house.email", Label: "Email referente tecnico software house", Aliases: []string{"email referente tecnico", "email software house"}, Kind: KindEmail},
			{Key: "prerequisiti.adesione_pagopa", Label: "Adesione a PagoPA con Regione del Veneto come intermediario tecnologico (sì/no)", Aliases: []string{"adesione pagopa", "adesione a pagopa"}, Kind: KindYesNo, Required: true},
			{Key: "prerequisiti.lettera_adesione", Label: "Lettera di adesione inviata il", Aliases: []string{"lettera di adesione", "data lettera di adesione"}, Kind: KindDate, Required: true},
			{Key: "prerequisiti.prodotti_myextranet", Label: "Prodotti richiesti in MyExtranet (sì/no)", Aliases: []string{"prodotti richiesti in myextranet", "myextranet", "gestione prodotti"}, Kind: KindYesNo, Required: true},
		},
	},
	{
		Type:    FormQualificazioneEnteProdotto,
		Title:   "Qualificazione Ente-Prodotto",
		Markers: []string{"qualificazione ente-prodotto", "qualificazione ente prodotto"},
		Fields: []Field{
			{Key: "ente.denominazione", Label: "Denominazione ente", Aliases: []string{"ente", "denominazione"}, Kind: KindText, Required: true},
			{Key: "ente.codice_fiscale", Label: "Codice fiscale ente", Aliases: []string{"c.f. ente", "cf ente", "codice fiscale"}, Kind: KindCFEnte, Required: true},
			{Key: "ente.codice_ipa", Label: "Codice IPA", Aliases: []string{"cod. ipa", "ipa"}, Kind: KindIPA, Required: true},
			{Key: "prodotto.nome", Label: "Nome prodotto", Aliases: []string{"prodotto"}, Kind: KindText, Required: true},
			{Key: "prodotto.versione", Label: "Versione prodotto", Aliases: []string{"versione"}, Kind: KindText, Required: true},
			{Key: "azienda.ragione_sociale", Label: "Ragione sociale azienda", Aliases: []string{"azienda", "ragione sociale"}, Kind: KindText, Required: true},
			{Key: "azienda.partita_iva", Label: "Partita IVA azienda", Aliases: []string{"partita iva", "p.iva", "p. iva"}, Kind: KindPIVA, Required: true},
			{Key: "azienda.pec", Label: "PEC azienda", Aliases: []string{"pec"}, Kind: KindPEC},
			{Key: "azienda.email_referente_tecnico", Label: "Email referente tecnico", Aliases: []string{"email referente tecnico", "email tecnico"}, Kind: KindEmail},
			{Key: "servizi", Label: "Integrazioni (MyPay / MyPivot)", Aliases: []string{"integrazioni", "servizi"}, Kind: KindServices, Required: true, Options: serviceOptions},
			{Key: "web_services", Label: "Web services usati", Aliases: []string{"web services", "web services utilizzati"}, Kind: KindList},
			{Key: "url_callback", Label: "URL di callback", Aliases: []string{"callback", "url callback"}, Kind: KindURL},
			{Key: "ip_collaudo", Label: "IP chiamanti in collaudo", Aliases: []string{"ip collaudo", "indirizzi ip collaudo"}, Kind: KindIPs},
			{Key: "ip_esercizio", Label: "IP chiamanti in esercizio", Aliases: []string{"ip esercizio", "indirizzi ip esercizio"}, Kind: KindIPs},
		},
	},
	{
		Type:    FormQualificazioneProdotto,
		Title:   "Qualificazione Prodotto",
		Markers: []string{"qualificazione prodotto"},
		Fields: []Field{
			{Key: "azienda.ragione_sociale", Label: "Ragione sociale azienda", Aliases: []string{"azienda", "ragione sociale"}, Kind: KindText, Required: true},
			{Key: "azienda.partita_iva", Label: "Partita IVA azienda", Aliases: []string{"partita iva", "p.iva", "p. iva"}, Kind: KindPIVA, Required: true},
			{Key: "azienda.pec", Label: "PEC azienda", Aliases: []string{"pec"}, Kind: KindPEC, Required: true},
			{Key: "azienda.referente", Label: "Referente azienda", Aliases: []string{"referente"}, Kind: KindText},
			{Key: "prodotto.nome", Label: "Nome prodotto", Aliases: []string{"prodotto"}, Kind: KindText, Required: true},
			{Key: "prodotto.versione", Label: "Versione prodotto", Aliases: []string{"versione"}, Kind: KindText, Required: true},
			{Key: "prodotto.descrizione", Label: "Descrizione prodotto", Aliases: []string{"descrizione"}, Kind: KindText},
			{Key: "prodotto.funzionalita", Label: "Funzionalità e web services", Aliases: []string{"funzionalita", "web services"}, Kind: KindList},
			{Key: "servizi", Label: "Integrazioni (MyPay / MyPivot)", Aliases: []string{"integrazioni", "servizi"}, Kind: KindServices, Required: true, Options: serviceOptions},
			{Key: "ente_pilota.denominazione", Label: "Ente pilota", Aliases: []string{"denominazione ente pilota"}, Kind: KindText, Required: true},
			{Key: "ente_pilota.codice_ipa", Label: "Codice IPA ente pilota", Aliases: []string{"cod. ipa ente pilota", "ipa ente pilota"}, Kind: KindIPA, Required: true},
		},
	},
	{
		Type:    FormQualificazioneProcesso,
		Title:   "Qualificazione Processo",
		Markers: []string{"qualificazione processo", "qualificazione del processo"},
		Fields: []Field{
			{Key: "azienda.ragione_sociale", Label: "Ragione sociale azienda", Aliases: []string{"azienda", "ragione sociale"}, Kind: KindText, Required: true},
			{Key: "azienda.partita_iva", Label: "Partita IVA azienda", Aliases: []string{"partita iva", "p.iva", "p. iva"}, Kind: KindPIVA, Required: true},
			{Key: "processo.nome", Label: "Nome del processo", Aliases: []string{"processo", "nome processo"}, Kind: KindText, Required: true},
			{Key: "processo.fasi", Label: "Fasi (ruoli, tempi)", Aliases: []string{"fasi"}, Kind: KindText, Required: true},
			{Key: "processo.prodotti", Label: "Prodotti coinvolti", Aliases: []string{"prodotti"}, Kind: KindList, Required: true},
		},
	},
	{
		Type:    FormDomandaInvito,
		Title:   "Domanda di invito",
		Markers: []string{"domanda di invito"},
		Fields: []Field{
			{Key: "azienda.ragione_sociale", Label: "Ragione sociale azienda", Aliases: []string{"azienda", "ragione sociale"}, Kind: KindText, Required: true},
			{Key: "azienda.partita_iva", Label: "Partita IVA azienda", Aliases: []string{"partita iva", "p.iva", "p. iva"}, Kind: KindPIVA, Required: true},
			{Key: "azienda.sede", Label: "Sede", Aliases: []string{"indirizzo"}, Kind: KindText},
			{Key: "azienda.pec", Label: "PEC azienda", Aliases: []string{"pec"}, Kind: KindPEC, Required: true},
			{Key: "referente.nome", Label: "Nome referente", Aliases: []string{"referente", "nome"}, Kind: KindText, Required: true},
			{Key: "referente.email", Label: "Email referente", Aliases: []string{"email", "e-mail"}, Kind: KindEmail, Required: true},
			{Key: "referente.telefono", Label: "Telefono referente", Aliases: []string{"telefono", "tel.", "recapito telefonico"}, Kind: KindText},
			{Key: "prodotti", Label: "Prodotti da qualificare", Aliases: []string{"prodotti"}, Kind: KindList, Required: true},
		},
	},
	{
		Type:    FormEsitiCollaudo,
		Title:   "Esiti collaudo",
		Markers: []string{"esiti collaudo", "esiti del collaudo", "esiti dei test"},
		Fields: []Field{
			{Key: "collaudo.data", Label: "Data collaudo", Aliases: []string{"data", "data test"}, Kind: KindDate},
			{Key: "collaudo.esito", Label: "Esito (positivo/negativo)", Aliases: []string{"esito", "esito test", "esito dei test"}, Kind: KindText, Required: true},
			{Key: "collaudo.pagamenti_prova", Label: "Pagamenti di prova eseguiti", Aliases: []string{"pagamenti di prova", "pagamenti test"}, Kind: KindText},
			{Key: "collaudo.note", Label: "Note", Aliases: []string{"osservazioni"}, Kind: KindText},
			{Key: "ip_esercizio", Label: "IP per l'esercizio", Aliases: []string{"ip esercizio", "ip in esercizio", "indirizzi ip", "ip"}, Kind: KindIPs, Required: true},
		},
	},
}

// Section is a part of a form printed under its own heading ("2. Referente dei pagamenti"):
// the keys of its fields start with Prefix, and Names are the ways a heading names it. Inside a
// section a generic label ("Codice fiscale", "Nome") means the section's field.
type Section struct {
	Prefix string
	Names  []string
}

// Sections lists the sections of every form.
var Sections = []Section{
	{"ente.", []string{"ente", "ente creditore", "ente richiedente", "amministrazione", "amministrazione richiedente"}},
	{"referente.", []string{"referente", "referente dei pagamenti", "referente per i pagamenti", "responsabile dei pagamenti"}},
	{"software_house.", []string{"software house", "fornitore", "fornitore software", "fornitore del gestionale", "partner tecnologico"}},
	{"azienda.", []string{"azienda", "azienda fornitrice", "società", "impresa", "ditta"}},
	{"prodotto.", []string{"prodotto", "prodotto software"}},
	{"ente_pilota.", []string{"ente pilota"}},
	{"tipi_dovuto.", []string{"tipi dovuto", "tipo dovuto", "tipi di dovuto", "dovuti"}},
	{"prerequisiti.", []string{"prerequisiti", "requisiti"}},
	{"collaudo.", []string{"collaudo", "esito collaudo"}},
	{"processo.", []string{"processo"}},
}

// serviceOptions are the services an ente can ask for.
var serviceOptions = []string{ServiceMyPay, ServiceMyPivot}

// Spec returns the description of a form type, or nil.
func Spec(formType string) *FormSpec {
	for i := range Forms {
		if Forms[i].Type == formType {
			return &Forms[i]
		}
	}
	return nil
}

// mailbot's own forms say which form they are in their document properties: the keyword
// "mailbot:TYPE:VERSION" (DOCX cp:keywords, ODT meta:keyword, PDF /Keywords) and, where the
// format has them, the custom properties mailbot_form and mailbot_form_version. Offices'
// programs keep document properties through conversions that lose the fields' names, so the
// form's type is known even when its values must be read by their labels.
const (
	// FormVersion is the version of the forms' schema; raise it when a form's fields change.
	FormVersion         = "1"
	FormProperty        = "mailbot_form"
	FormVersionProperty = "mailbot_form_version"
)

// FormKeyword is the keyword naming a form of mailbot's in its document properties.
func FormKeyword(formType string) string { return "mailbot:" + formType + ":" + FormVersion }

// formOfKeywords returns the form type a "mailbot:TYPE:VERSION" keyword among s names, also
// when a program split it into keywords of their own ("mailbot, TYPE, 1", as LibreOffice
// does converting a DOCX).
func formOfKeywords(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ':' || unicode.IsSpace(r) })
	for i := 0; i+1 < len(words); i++ {
		if words[i] == "mailbot" && Spec(words[i+1]) != nil {
			return words[i+1]
		}
	}
	return ""
}
