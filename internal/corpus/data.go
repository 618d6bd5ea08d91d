package corpus

import (
	"fmt"
	"strings"
)

// Ente is one ente's request: the values of its Informativa Generale and Qualificazione
// Ente-Prodotto, as a correct reader returns them (normalised as parsers.CheckForm does).
// Cadastral codes and seats are real; codici fiscali are made valid (check digit computed),
// people, companies and bank accounts are invented, and caller IPs are in public ranges of
// Italian providers.
type Ente struct {
	Den, CF, IPA, Tipologia, Indirizzo, PEC string
	Nome, Cognome, RefCF, Email, Telefono   string
	Servizi, Modalita                       []string
	TipoCod, TipoDesc, IBAN                 string
	SHName, SHEmail                         string
	Adesione, MyExt                         string // "sì" or "no"
	Lettera                                 string // gg/mm/aaaa

	Prodotto, Versione, Azienda, PIVA, AzPEC, AzEmail string
	WS                                                []string
	Callback                                          string
	IPColl, IPEserc                                   []string
}

// IG is the expected Informativa Generale.
func (e Ente) IG() map[string]any {
	return map[string]any{
		"ente.denominazione":               e.Den,
		"ente.codice_fiscale":              e.CF,
		"ente.codice_ipa":                  e.IPA,
		"ente.tipologia":                   e.Tipologia,
		"ente.indirizzo":                   e.Indirizzo,
		"ente.pec":                         e.PEC,
		"referente.nome":                   e.Nome,
		"referente.cognome":                e.Cognome,
		"referente.codice_fiscale":         e.RefCF,
		"referente.email":                  e.Email,
		"referente.telefono":               e.Telefono,
		"servizi":                          e.Servizi,
		"modalita_attivazione":             e.Modalita,
		"tipi_dovuto.codice":               e.TipoCod,
		"tipi_dovuto.descrizione":          e.TipoDesc,
		"tipi_dovuto.iban":                 e.IBAN,
		"software_house.ragione_sociale":   e.SHName,
		"software_house.email":             e.SHEmail,
		"prerequisiti.adesione_pagopa":     e.Adesione,
		"prerequisiti.lettera_adesione":    e.Lettera,
		"prerequisiti.prodotti_myextranet": e.MyExt,
	}
}

// QEP is the expected Qualificazione Ente-Prodotto.
func (e Ente) QEP() map[string]any {
	return map[string]any{
		"ente.denominazione":              e.Den,
		"ente.codice_fiscale":             e.CF,
		"ente.codice_ipa":                 e.IPA,
		"prodotto.nome":                   e.Prodotto,
		"prodotto.versione":               e.Versione,
		"azienda.ragione_sociale":         e.Azienda,
		"azienda.partita_iva":             e.PIVA,
		"azienda.pec":                     e.AzPEC,
		"azienda.email_referente_tecnico": e.AzEmail,
		"servizi":                         e.Servizi,
		"web_services":                    e.WS,
		"url_callback":                    e.Callback,
		"ip_collaudo":                     e.IPColl,
		"ip_esercizio":                    e.IPEserc,
	}
}

type company struct{ name, piva, pec, email, product, version, host string }

var companies = []company{
	{"Software Veneto S.r.l.", cfEnte("0412345678"), "softwareveneto@legalmail.it", "assistenza@softwareveneto.it", "TributiWeb", "4.2.1", "softwareveneto.it"},
	{"Informatica Euganea S.p.A.", cfEnte("0298765432"), "informaticaeuganea@pec.it", "supporto.pagopa@informaticaeuganea.it", "PagoFacile", "2.0.3", "informaticaeuganea.it"},
	{"Dolomiti Digitale S.r.l.", cfEnte("0118273645"), "dolomitidigitale@pec.dolomitidigitale.it", "helpdesk@dolomitidigitale.it", "CityPay Suite", "7.3", "dolomitidigitale.it"},
	{"Laguna Sistemi Soc. Coop.", cfEnte("0355511223"), "lagunasistemi@arubapec.it", "tecnico@lagunasistemi.it", "GeCoS Entrate", "2024.1", "lagunasistemi.it"},
}

var wsSets = [][]string{
	{"paaSILInviaDovuti", "paaSILChiediPagati"},
	{"paaSILImportaDovuto", "paaSILChiediStatoElaborazione", "paaSILChiediPagati"},
	{"paaSILInviaDovuti", "paaSILChiediPosizioniAperte"},
}

type enteSeed struct {
	den, cf10, ipa, tipologia, indirizzo, pec, domain string
	nome, cognome                                     string
	y, m, d                                           int
	female                                            bool
	born                                              string // cadastral code of the place of birth
	tel                                               string
	servizi                                           []string
	tipoCod, tipoDesc, abi, cab, conto                string
	lettera                                           string
	ipColl, ipEserc                                   []string
}

var seeds = []enteSeed{
	{"Comune di Padova", "0064406028", "c_g224", "Comune", "Via del Municipio 1, 35122 Padova (PD)", "protocollo.generale@pec.comune.padova.it", "comune.padova.it",
		"Giulia", "Bertin", 1982, 4, 17, true, "G224", "049 820 5111", []string{"MyPay", "MyPivot"},
		"COSAP", "Canone occupazione suolo pubblico", "03069", "12126", "100000300028", "03/02/2025",
		[]string{"93.41.12.10", "93.41.12.11"}, []string{"93.41.12.0/28"}},
	{"Comune di Treviso", "8000731026", "c_l407", "Comune", "Via Municipio 16, 31100 Treviso (TV)", "postacertificata@cert.comune.treviso.it", "comune.treviso.it",
		"Luca", "Zanatta", 1975, 11, 3, false, "L407", "0422 658 1", []string{"MyPay"},
		"TARI", "Tassa sui rifiuti", "05034", "12011", "000000012345", "20/01/2025",
		[]string{"151.1.44.20"}, []string{"151.1.44.20", "151.1.44.21"}},
	{"Comune di Rovigo", "0019263029", "c_h620", "Comune", "Piazza Vittorio Emanuele II 1, 45100 Rovigo (RO)", "comune.rovigo@legalmail.it", "comune.rovigo.it",
		"Francesca", "Milan", 1988, 7, 29, true, "H620", "0425 2061", []string{"MyPay", "MyPivot"},
		"MENSA", "Servizio mensa scolastica", "02008", "12200", "000104567890", "11/03/2025",
		[]string{"79.11.203.5"}, []string{"79.11.203.0/29"}},
	{"Comune di Belluno", "0013255025", "c_a757", "Comune", "Piazza Duomo 1, 32100 Belluno (BL)", "belluno.bl@cert.ip-veneto.net", "comune.belluno.it",
		"Andrea", "De Bona", 1979, 1, 8, false, "A757", "0437 913 111", []string{"MyPivot"},
		"AFFITTI", "Canoni di locazione immobili comunali", "08904", "11900", "000000004321", "07/04/2025",
		[]string{"2.228.75.14", "2.228.75.15"}, []string{"2.228.75.14"}},
	{"Comune di Chioggia", "0062101027", "c_c638", "Comune", "Corso del Popolo 1193, 30015 Chioggia (VE)", "chioggia@pec.chioggia.org", "chioggia.org",
		"Elena", "Boscolo", 1990, 9, 12, true, "C638", "041 553 4111", []string{"MyPay", "MyPivot"},
		"CIMITERI", "Concessioni cimiteriali", "03069", "20900", "000012300456", "28/02/2025",
		[]string{"151.99.18.40"}, []string{"151.99.18.40", "151.99.18.41", "151.99.18.42"}},
	{"Comune di Bassano del Grappa", "0016898024", "c_a703", "Comune", "Via Matteotti 39, 36061 Bassano del Grappa (VI)", "protocollo.comune.bassanodelgrappa.vi@pecveneto.it", "comune.bassano.vi.it",
		"Marco", "Zonta", 1971, 6, 25, false, "A703", "0424 519 111", []string{"MyPay"},
		"ASILO", "Rette asilo nido", "05728", "60160", "000000788123", "15/01/2025",
		[]string{"87.17.42.100"}, []string{"87.17.42.96/28"}},
	{"Azienda ULSS 6 Euganea", "0034984028", "aulss6", "Azienda sanitaria", "Via Enrico degli Scrovegni 14, 35131 Padova (PD)", "protocollo.aulss6@pecveneto.it", "aulss6.veneto.it",
		"Chiara", "Scarpa", 1985, 12, 2, true, "G224", "049 821 1111", []string{"MyPay", "MyPivot"},
		"TICKET", "Ticket prestazioni sanitarie", "03069", "12150", "000000445566", "10/02/2025",
		[]string{"93.62.160.17"}, []string{"93.62.160.16/29"}},
	{"Comune di Castelfranco Veneto", "8100187026", "c_c111", "Comune", "Via F. M. Preti 36, 31033 Castelfranco Veneto (TV)", "comune.castelfrancoveneto.tv@pecveneto.it", "comunecastelfranco.it",
		"Stefano", "Gazzola", 1968, 3, 14, false, "C111", "0423 7354", []string{"MyPay", "MyPivot"},
		"SPORT", "Utilizzo impianti sportivi", "08399", "61560", "000000009988", "05/05/2025",
		[]string{"151.38.12.200", "151.38.12.201"}, []string{"151.38.12.200"}},
	{"Comune di Schio", "0040283024", "c_i531", "Comune", "Via Pasini 33, 36015 Schio (VI)", "schio.vi@cert.ip-veneto.net", "comune.schio.vi.it",
		"Paola", "Dalla Costa", 1977, 5, 30, true, "I531", "0445 691 111", []string{"MyPivot"},
		"TRASPORTO", "Trasporto scolastico", "05034", "60750", "000000654321", "18/03/2025",
		[]string{"85.39.70.3"}, []string{"85.39.70.3", "85.39.70.4"}},
	{"Comune di Jesolo", "0060803027", "c_c388", "Comune", "Via S. Antonio 11, 30016 Jesolo (VE)", "comune.jesolo@legalmail.it", "comune.jesolo.ve.it",
		"Davide", "Pavan", 1983, 8, 19, false, "C388", "0421 359 111", []string{"MyPay", "MyPivot"},
		"SOGGIORNO", "Imposta di soggiorno", "02008", "36280", "000041112222", "22/01/2025",
		[]string{"212.35.196.20"}, []string{"212.35.196.16/28"}},
}

// Entes returns every ente of the corpus, built from seeds with valid identifiers.
func Entes() []Ente {
	var out []Ente
	for i, s := range seeds {
		c := companies[i%len(companies)]
		modalita := [][]string{{"pagamenti spontanei", "caricamento flussi"}, {"pagamenti spontanei"}, {"web services dal gestionale dell'ente"}, {"caricamento flussi", "web services dal gestionale dell'ente"}}[i%4]
		first := strings.ToLower(stripAccents(s.nome))
		last := strings.ToLower(stripAccents(s.cognome))
		out = append(out, Ente{
			Den: s.den, CF: cfEnte(s.cf10), IPA: s.ipa, Tipologia: s.tipologia, Indirizzo: s.indirizzo, PEC: s.pec,
			Nome: s.nome, Cognome: s.cognome, RefCF: cfPerson(s.cognome, s.nome, s.y, s.m, s.d, s.female, s.born),
			Email: first + "." + last + "@" + s.domain, Telefono: s.tel,
			Servizi: s.servizi, Modalita: modalita,
			TipoCod: s.tipoCod, TipoDesc: s.tipoDesc, IBAN: ibanIT(s.abi, s.cab, s.conto),
			SHName: c.name, SHEmail: c.email,
			Adesione: "sì", MyExt: "sì", Lettera: s.lettera,
			Prodotto: c.product, Versione: c.version, Azienda: c.name, PIVA: c.piva, AzPEC: c.pec, AzEmail: c.email,
			WS:       wsSets[i%len(wsSets)],
			Callback: fmt.Sprintf("https://pagamenti.%s/mypay/esito", s.domain),
			IPColl:   s.ipColl, IPEserc: s.ipEserc,
		})
	}
	return out
}
