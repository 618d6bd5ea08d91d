package corpus

import (
	"fmt"
	"slices"
	"strings"
)

// A document is first a list of blocks (title, section headings, label/value pairs, choices),
// then rendered by a producer: HTML for LibreOffice to convert, WordprocessingML, mail bodies.

type blockKind int

const (
	bTitle   blockKind = iota
	bHeading           // a section heading; the variant says how it is drawn
	bPair              // label and value lines
	bChoice            // label and options, some ticked
	bText              // a paragraph of text
)

type opt struct {
	Text string
	On   bool
}

type block struct {
	Kind  blockKind
	Key   string // field key of a pair or choice
	Text  string // title, heading, paragraph or label
	Lines []string
	Opts  []opt
	Style string // how a choice is drawn (choice* constants)
}

// How a choice (services, yes/no, modalità) is written.
const (
	chText     = "text"     // "MyPay e MyPivot", "Sì"
	chBefore   = "before"   // "☒ MyPay ☐ MyPivot"
	chAfter    = "after"    // "MyPay ☒ MyPivot ☐"
	chBrackets = "brackets" // "[X] MyPay [ ] MyPivot"
	chStrike   = "strike"   // "MyPay / MyPivot" with the unchosen option struck through
	chDeleted  = "deleted"  // the unchosen option deleted: "MyPay"
	chXCol     = "xcol"     // a table: option | X
	chSiNo     = "sino"     // a table: option | Sì | No
	chLegacy   = "legacy"   // Word: FORMCHECKBOX before each option
	chSDT      = "sdt"      // Word: content-control check box (☒/☐ in MS Gothic)
	chSDTWing  = "sdtwing"  // Word: content-control check box with Wingdings glyphs
	chTracked  = "tracked"  // Word: the unchosen option deleted with track changes on (w:del)
)

// Label styles.
const (
	lbForm     = "form"     // the labels of the blank form
	lbOffice   = "office"   // longer labels as an office rewrites them
	lbSections = "sections" // section headings, then generic labels (Nome, Codice fiscale)
	lbInline   = "inline"   // the section inside the label ("Referente: nome")
)

// Section heading styles.
const (
	secNumbered = "numbered" // "1. Ente" as a heading
	secBold     = "bold"     // a bold paragraph
	secCaption  = "caption"  // a table caption / merged header row
)

// variant says how one document writes the values.
type variant struct {
	Labels, Sections string
	Svc, YN, Mod     string
	Blank            map[string]string // key -> what is written for an empty value ("n.d.", "—")
	Omit             []string          // keys not written at all
	DateFmt          int               // 0 gg/mm/aaaa, 1 gg.mm.aaaa, 2 "3 febbraio 2025", 3 aaaa-mm-gg
	SpacedIBAN       bool
	IPSep            string // between IPs: default ", "
	TwoLineAddress   bool   // the address over two lines in its cell
	DateAfterIPs     bool   // a "Data compilazione" row right after the IP rows
	Title            string // overrides the form title
	Intro            string // a paragraph after the title
}

type section struct {
	title string
	keys  []string
}

var igSections = []section{
	{"Ente", []string{"ente.denominazione", "ente.codice_fiscale", "ente.codice_ipa", "ente.tipologia", "ente.indirizzo", "ente.pec"}},
	{"Referente dei pagamenti", []string{"referente.nome", "referente.cognome", "referente.codice_fiscale", "referente.email", "referente.telefono"}},
	{"Servizi richiesti", []string{"servizi", "modalita_attivazione"}},
	{"Tipi dovuto", []string{"tipi_dovuto.codice", "tipi_dovuto.descrizione", "tipi_dovuto.iban"}},
	{"Software house", []string{"software_house.ragione_sociale", "software_house.email"}},
	{"Prerequisiti", []string{"prerequisiti.adesione_pagopa", "prerequisiti.lettera_adesione", "prerequisiti.prodotti_myextranet"}},
}

var qepSections = []section{
	{"Ente", []string{"ente.denominazione", "ente.codice_fiscale", "ente.codice_ipa"}},
	{"Prodotto", []string{"prodotto.nome", "prodotto.versione"}},
	{"Azienda", []string{"azienda.ragione_sociale", "azienda.partita_iva", "azienda.pec", "azienda.email_referente_tecnico"}},
	{"Integrazione", []string{"servizi", "web_services", "url_callback", "ip_collaudo", "ip_esercizio"}},
}

// labels[style][key]; a key missing from a style uses lbOffice.
var labels = map[string]map[string]string{
	lbForm: {
		"ente.denominazione": "Denominazione ente", "ente.codice_fiscale": "Codice fiscale ente", "ente.codice_ipa": "Codice IPA",
		"ente.tipologia": "Tipologia ente", "ente.indirizzo": "Indirizzo", "ente.pec": "PEC ente",
		"referente.nome": "Nome referente dei pagamenti", "referente.cognome": "Cognome referente dei pagamenti",
		"referente.codice_fiscale": "Codice fiscale referente", "referente.email": "Email referente", "referente.telefono": "Telefono referente",
		"servizi": "Servizi richiesti", "modalita_attivazione": "Modalità di attivazione",
		"tipi_dovuto.codice": "Codice tipo dovuto", "tipi_dovuto.descrizione": "Descrizione tipo dovuto", "tipi_dovuto.iban": "IBAN di accredito",
		"software_house.ragione_sociale": "Software house", "software_house.email": "Email referente tecnico software house",
		"prerequisiti.adesione_pagopa":     "Adesione a PagoPA con Regione del Veneto come intermediario tecnologico (sì/no)",
		"prerequisiti.lettera_adesione":    "Lettera di adesione inviata il",
		"prerequisiti.prodotti_myextranet": "Prodotti richiesti in MyExtranet (sì/no)",
		"prodotto.nome":                    "Nome prodotto", "prodotto.versione": "Versione prodotto",
		"azienda.ragione_sociale": "Ragione sociale azienda", "azienda.partita_iva": "Partita IVA azienda", "azienda.pec": "PEC azienda",
		"azienda.email_referente_tecnico": "Email referente tecnico", "web_services": "Web services usati", "url_callback": "URL di callback",
		"ip_collaudo": "IP chiamanti in collaudo", "ip_esercizio": "IP chiamanti in esercizio",
	},
	lbOffice: {
		"ente.denominazione": "Denominazione dell'ente", "ente.codice_fiscale": "Codice fiscale dell'ente", "ente.codice_ipa": "Codice IPA",
		"ente.tipologia": "Tipologia ente", "ente.indirizzo": "Indirizzo della sede", "ente.pec": "PEC istituzionale",
		"referente.nome": "Nome del referente dei pagamenti", "referente.cognome": "Cognome del referente dei pagamenti",
		"referente.codice_fiscale": "Codice fiscale del referente", "referente.email": "E-mail del referente", "referente.telefono": "Telefono del referente",
		"servizi": "Servizi richiesti", "modalita_attivazione": "Modalità di attivazione",
		"tipi_dovuto.codice": "Codice tipo dovuto", "tipi_dovuto.descrizione": "Descrizione tipo dovuto", "tipi_dovuto.iban": "IBAN di accredito",
		"software_house.ragione_sociale": "Software house", "software_house.email": "E-mail referente tecnico software house",
		"prerequisiti.adesione_pagopa":     "Adesione a PagoPA con Regione del Veneto come intermediario tecnologico",
		"prerequisiti.lettera_adesione":    "Lettera di adesione inviata il",
		"prerequisiti.prodotti_myextranet": "Prodotti richiesti in MyExtranet",
		"prodotto.nome":                    "Nome del prodotto", "prodotto.versione": "Versione",
		"azienda.ragione_sociale": "Ragione sociale dell'azienda", "azienda.partita_iva": "Partita IVA", "azienda.pec": "PEC dell'azienda",
		"azienda.email_referente_tecnico": "E-mail del referente tecnico", "web_services": "Web services utilizzati", "url_callback": "URL di callback",
		"ip_collaudo": "Indirizzi IP chiamanti in collaudo", "ip_esercizio": "Indirizzi IP chiamanti in esercizio",
	},
	lbSections: {
		"ente.denominazione": "Denominazione", "ente.codice_fiscale": "Codice fiscale", "ente.codice_ipa": "Codice IPA",
		"ente.tipologia": "Tipologia", "ente.indirizzo": "Indirizzo", "ente.pec": "PEC",
		"referente.nome": "Nome", "referente.cognome": "Cognome", "referente.codice_fiscale": "Codice fiscale",
		"referente.email": "Email", "referente.telefono": "Telefono",
		"servizi": "Servizi", "modalita_attivazione": "Modalità di attivazione",
		"tipi_dovuto.codice": "Codice", "tipi_dovuto.descrizione": "Descrizione", "tipi_dovuto.iban": "IBAN di accredito",
		"software_house.ragione_sociale": "Ragione sociale", "software_house.email": "Email referente tecnico",
		"prodotto.nome": "Nome", "prodotto.versione": "Versione",
		"azienda.ragione_sociale": "Ragione sociale", "azienda.partita_iva": "Partita IVA", "azienda.pec": "PEC",
		"azienda.email_referente_tecnico": "Email referente tecnico", "web_services": "Web services", "url_callback": "URL di callback",
		"ip_collaudo": "IP in collaudo", "ip_esercizio": "IP in esercizio",
	},
	lbInline: {
		"ente.denominazione": "Ente: denominazione", "ente.codice_fiscale": "Ente: codice fiscale", "ente.codice_ipa": "Ente: codice IPA",
		"ente.tipologia": "Ente: tipologia", "ente.indirizzo": "Ente: indirizzo", "ente.pec": "Ente: PEC",
		"referente.nome": "Referente: nome", "referente.cognome": "Referente: cognome", "referente.codice_fiscale": "Referente: codice fiscale",
		"referente.email": "Referente: email", "referente.telefono": "Referente: telefono",
		"tipi_dovuto.codice": "Tipo dovuto: codice", "tipi_dovuto.descrizione": "Tipo dovuto: descrizione", "tipi_dovuto.iban": "Tipo dovuto: IBAN",
		"software_house.ragione_sociale": "Software house: ragione sociale", "software_house.email": "Software house: email referente tecnico",
		"prodotto.nome": "Prodotto: nome", "prodotto.versione": "Prodotto: versione",
		"azienda.ragione_sociale": "Azienda: ragione sociale", "azienda.partita_iva": "Azienda: partita IVA", "azienda.pec": "Azienda: PEC",
		"azienda.email_referente_tecnico": "Azienda: email referente tecnico",
	},
}

func label(style, key string) string {
	if l, ok := labels[style][key]; ok {
		return l
	}
	return labels[lbOffice][key]
}

var months = []string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"}

func writeDate(d string, f int) string {
	var dd, mm, yy int
	fmt.Sscanf(d, "%d/%d/%d", &dd, &mm, &yy)
	switch f {
	case 1:
		return fmt.Sprintf("%02d.%02d.%d", dd, mm, yy)
	case 2:
		return fmt.Sprintf("%d %s %d", dd, months[mm-1], yy)
	case 3:
		return fmt.Sprintf("%d-%02d-%02d", yy, mm, dd)
	}
	return d
}

var serviceOpts = []string{"MyPay", "MyPivot"}
var modalitaOpts = []string{"pagamenti spontanei", "caricamento flussi", "web services dal gestionale dell'ente"}

func choiceOpts(all []string, on []string) []opt {
	var out []opt
	for _, o := range all {
		out = append(out, opt{o, slices.Contains(on, o)})
	}
	return out
}

// blocks lays out one form of e (values: the raw strings written, from write()) in variant v.
func formBlocks(formType string, e Ente, v variant) []block {
	title, secs := "Informativa Generale dell'ente", igSections
	if formType == "qualificazione_ente_prodotto" {
		title, secs = "Qualificazione Ente-Prodotto", qepSections
	}
	if v.Title != "" {
		title = v.Title
	}
	bs := []block{{Kind: bTitle, Text: title}}
	if v.Intro != "" {
		bs = append(bs, block{Kind: bText, Text: v.Intro})
	}
	for i, s := range secs {
		if v.Labels == lbSections {
			bs = append(bs, block{Kind: bHeading, Text: fmt.Sprintf("%d. %s", i+1, s.title)})
		}
		for _, k := range s.keys {
			if slices.Contains(v.Omit, k) {
				continue
			}
			if b, ok := valueBlock(k, e, v); ok {
				b.Key = k
				if b.Text == "" {
					b.Text = label(v.Labels, k)
				}
				bs = append(bs, b)
			}
			if k == "ip_esercizio" && v.DateAfterIPs {
				bs = append(bs, block{Kind: bPair, Text: "Data compilazione", Lines: []string{"11/03/2026"}})
			}
		}
	}
	return bs
}

func valueBlock(k string, e Ente, v variant) (block, bool) {
	if p, ok := v.Blank[k]; ok {
		return block{Kind: bPair, Lines: []string{p}}, true
	}
	one := func(s string) (block, bool) { return block{Kind: bPair, Lines: []string{s}}, true }
	yn := func(val string) (block, bool) {
		if v.YN == chText || v.YN == "" {
			return one(map[string]string{"sì": "Sì", "no": "No"}[val])
		}
		return block{Kind: bChoice, Opts: []opt{{"Sì", val == "sì"}, {"No", val == "no"}}, Style: v.YN}, true
	}
	switch k {
	case "ente.denominazione":
		return one(e.Den)
	case "ente.codice_fiscale":
		return one(e.CF)
	case "ente.codice_ipa":
		return one(e.IPA)
	case "ente.tipologia":
		return one(e.Tipologia)
	case "ente.indirizzo":
		if v.TwoLineAddress {
			if i := strings.Index(e.Indirizzo, ", "); i > 0 {
				return block{Kind: bPair, Lines: []string{e.Indirizzo[:i], e.Indirizzo[i+2:]}}, true
			}
		}
		return one(e.Indirizzo)
	case "ente.pec":
		return one(e.PEC)
	case "referente.nome":
		return one(e.Nome)
	case "referente.cognome":
		return one(e.Cognome)
	case "referente.codice_fiscale":
		return one(e.RefCF)
	case "referente.email":
		return one(e.Email)
	case "referente.telefono":
		return one(e.Telefono)
	case "servizi":
		if v.Svc == chText || v.Svc == "" {
			return one(strings.Join(e.Servizi, " e "))
		}
		return block{Kind: bChoice, Opts: choiceOpts(serviceOpts, e.Servizi), Style: v.Svc}, true
	case "modalita_attivazione":
		if v.Mod == chText || v.Mod == "" {
			return block{Kind: bPair, Lines: e.Modalita}, true
		}
		return block{Kind: bChoice, Opts: choiceOpts(modalitaOpts, e.Modalita), Style: v.Mod}, true
	case "tipi_dovuto.codice":
		return one(e.TipoCod)
	case "tipi_dovuto.descrizione":
		return one(e.TipoDesc)
	case "tipi_dovuto.iban":
		if v.SpacedIBAN {
			return one(spacedIBAN(e.IBAN))
		}
		return one(e.IBAN)
	case "software_house.ragione_sociale":
		return one(e.SHName)
	case "software_house.email":
		return one(e.SHEmail)
	case "prerequisiti.adesione_pagopa":
		return yn(e.Adesione)
	case "prerequisiti.lettera_adesione":
		return one(writeDate(e.Lettera, v.DateFmt))
	case "prerequisiti.prodotti_myextranet":
		return yn(e.MyExt)
	case "prodotto.nome":
		return one(e.Prodotto)
	case "prodotto.versione":
		return one(e.Versione)
	case "azienda.ragione_sociale":
		return one(e.Azienda)
	case "azienda.partita_iva":
		return one(e.PIVA)
	case "azienda.pec":
		return one(e.AzPEC)
	case "azienda.email_referente_tecnico":
		return one(e.AzEmail)
	case "web_services":
		return block{Kind: bPair, Lines: e.WS}, true
	case "url_callback":
		return one(e.Callback)
	case "ip_collaudo", "ip_esercizio":
		ips := e.IPColl
		if k == "ip_esercizio" {
			ips = e.IPEserc
		}
		if v.IPSep == "\n" {
			return block{Kind: bPair, Lines: ips}, true
		}
		sep := v.IPSep
		if sep == "" {
			sep = ", "
		}
		return one(strings.Join(ips, sep))
	}
	return block{}, false
}

// choiceText writes a choice as one line of text, for the styles that fit in a line.
func choiceText(b block) string {
	var parts []string
	switch b.Style {
	case chBefore, chSDT, chSDTWing, chLegacy:
		for _, o := range b.Opts {
			parts = append(parts, map[bool]string{true: "☒", false: "☐"}[o.On]+" "+o.Text)
		}
		return strings.Join(parts, "   ")
	case chAfter:
		for _, o := range b.Opts {
			parts = append(parts, o.Text+" "+map[bool]string{true: "☒", false: "☐"}[o.On])
		}
		return strings.Join(parts, "   ")
	case chBrackets:
		for _, o := range b.Opts {
			parts = append(parts, map[bool]string{true: "[X]", false: "[ ]"}[o.On]+" "+o.Text)
		}
		return strings.Join(parts, "  ")
	case chDeleted:
		for _, o := range b.Opts {
			if o.On {
				parts = append(parts, o.Text)
			}
		}
		return strings.Join(parts, " / ")
	default:
		for _, o := range b.Opts {
			if o.On {
				parts = append(parts, o.Text)
			}
		}
		return strings.Join(parts, ", ")
	}
}
