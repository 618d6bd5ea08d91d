package corpus

import (
	"fmt"
	"strings"
)

// Batch 3 of the held-out set, written after issue 18's evidence rule (readers report evidence,
// one function decides confidence) and without reading the readers: new entes, new companies,
// layouts and wordings batches 1 and 2 do not use.

// holdoutEntes3 are the entes of batch 3; seats and cadastral codes are real, the rest invented.
func holdoutEntes3() []Ente {
	return []Ente{
		{Den: "Comune di Cittadella", CF: cfEnte("8100037028"), IPA: "c_c743", Tipologia: "Comune",
			Indirizzo: "Via Indipendenza 41, 35013 Cittadella (PD)", PEC: "cittadella.pd@cert.ip-veneto.net",
			Nome: "Laura", Cognome: "Baggio", RefCF: cfPerson("Baggio", "Laura", 1983, 4, 11, true, "C743"),
			Email: "laura.baggio@comune.cittadella.pd.it", Telefono: "049 9413411",
			Servizi: []string{"MyPay", "MyPivot"}, Modalita: []string{"pagamenti spontanei", "caricamento flussi"},
			TipoCod: "DIRITTI_SEGR", TipoDesc: "Diritti di segreteria", IBAN: ibanIT("02008", "62520", "000003456781"),
			SHName: "Brenta Gestionali S.r.l.", SHEmail: "help@brentagestionali.it", Adesione: "sì", MyExt: "sì", Lettera: "16/02/2026"},
		{Den: "Comune di Thiene", CF: cfEnte("0017069024"), IPA: "c_l157", Tipologia: "Comune",
			Indirizzo: "Piazza Ferrarin 1, 36016 Thiene (VI)", PEC: "protocollo.comune.thiene.vi@pecveneto.it",
			Nome: "Anna", Cognome: "Sella", RefCF: cfPerson("Sella", "Anna", 1974, 7, 23, true, "L157"),
			Email: "anna.sella@comune.thiene.vi.it", Telefono: "0445 804911",
			Servizi: []string{"MyPay"}, Modalita: []string{"pagamenti spontanei"},
			TipoCod: "PASSI_CARRAI", TipoDesc: "Canone passi carrai", IBAN: ibanIT("05034", "60790", "000000120450"),
			SHName: "Altovicentino Informatica S.r.l.", SHEmail: "assistenza@altovicentinoinf.it", Adesione: "sì", MyExt: "no", Lettera: "23/01/2026"},
		{Den: "Azienda ULSS 8 Berica", CF: cfEnte("0244150024"), IPA: "aulss8", Tipologia: "Azienda sanitaria",
			Indirizzo: "Viale F. Rodolfi 37, 36100 Vicenza (VI)", PEC: "protocollo.centrale.aulss8@pecveneto.it",
			Nome: "Paolo", Cognome: "Cracco", RefCF: cfPerson("Cracco", "Paolo", 1966, 10, 2, false, "L840"),
			Email: "paolo.cracco@aulss8.veneto.it", Telefono: "0444 753111",
			Servizi: []string{"MyPay", "MyPivot"}, Modalita: []string{"web services dal gestionale dell'ente"},
			TipoCod: "CERT_MED", TipoDesc: "Certificazioni medico-legali", IBAN: ibanIT("03069", "11894", "100000300041"),
			SHName: "Sanità Digitale S.p.A.", SHEmail: "service@sanitadigitale.it", Adesione: "sì", MyExt: "sì", Lettera: "04/12/2025"},
		{Den: "Comune di Adria", CF: cfEnte("0019819028"), IPA: "c_a059", Tipologia: "Comune",
			Indirizzo: "Corso Vittorio Emanuele II 49, 45011 Adria (RO)", PEC: "comune.adria@legalmail.it",
			Nome: "Michele", Cognome: "Bellinello", RefCF: cfPerson("Bellinello", "Michele", 1979, 3, 15, false, "A059"),
			Email: "m.bellinello@comune.adria.ro.it", Telefono: "0426 941111",
			Servizi: []string{"MyPay"}, Modalita: []string{"caricamento flussi"},
			TipoCod: "LAMPADE_VOT", TipoDesc: "Lampade votive", IBAN: ibanIT("06225", "63170", "000000004477"),
			SHName: "Delta Po Software S.r.l.", SHEmail: "supporto@deltaposoftware.it", Adesione: "sì", MyExt: "sì", Lettera: "09/02/2026",
			Prodotto: "Cimiteri Web", Versione: "2.7.3", Azienda: "Delta Po Software S.r.l.", PIVA: cfEnte("0153304029"),
			AzPEC: "deltaposoftware@pec.it", AzEmail: "supporto@deltaposoftware.it",
			WS: []string{"paaSILInviaDovuti", "paaSILChiediPagati"}, Callback: "https://cimiteri.deltaposoftware.it/adria/mypay/ritorno",
			IPColl: []string{"37.186.201.14"}, IPEserc: []string{"37.186.201.15", "37.186.201.16"}},
		{Den: "Unione dei Comuni del Camposampierese", CF: cfEnte("9211402028"), IPA: "ucc_camposamp", Tipologia: "Unione di comuni",
			Indirizzo: "Piazza Castello 35, 35012 Camposampiero (PD)", PEC: "unione.camposampierese.pd@pecveneto.it",
			Nome: "Giovanni", Cognome: "Tonietto", RefCF: cfPerson("Tonietto", "Giovanni", 1986, 1, 28, false, "B563"),
			Email: "giovanni.tonietto@camposampierese.it", Telefono: "049 9315211",
			Servizi: []string{"MyPay", "MyPivot"}, Modalita: []string{"pagamenti spontanei", "web services dal gestionale dell'ente"},
			TipoCod: "POL_LOCALE", TipoDesc: "Sanzioni polizia locale", IBAN: ibanIT("03069", "62660", "000000551188"),
			SHName: "Graticolato Sistemi S.r.l.", SHEmail: "tecnici@graticolatosistemi.it", Adesione: "sì", MyExt: "sì", Lettera: "26/01/2026"},
		{Den: "Comune di Valdobbiadene", CF: cfEnte("8300535028"), IPA: "c_l565", Tipologia: "Comune",
			Indirizzo: "Piazza Guglielmo Marconi 1, 31049 Valdobbiadene (TV)", PEC: "comune.valdobbiadene.tv@pecveneto.it",
			Nome: "Sara", Cognome: "Geronazzo", RefCF: cfPerson("Geronazzo", "Sara", 1990, 8, 6, true, "L565"),
			Email: "ragioneria@comune.valdobbiadene.tv.it", Telefono: "0423 976811",
			Servizi: []string{"MyPay"}, Modalita: []string{"pagamenti spontanei", "caricamento flussi"},
			TipoCod: "TRASP_SCOL", TipoDesc: "Trasporto scolastico", IBAN: ibanIT("08904", "62010", "000000070331"),
			SHName: "Marca Informatica S.r.l.", SHEmail: "supporto@marcainformatica.it", Adesione: "sì", MyExt: "sì", Lettera: "02/03/2026"},
		{Den: "Comune di Legnago", CF: cfEnte("0066103023"), IPA: "c_e512", Tipologia: "Comune",
			Prodotto: "Sanzioni Web", Versione: "2.3.1", Azienda: "Adige Sistemi S.r.l.", PIVA: cfEnte("0381234023"),
			AzPEC: "adigesistemi@legalmail.it", AzEmail: "tecnico@adigesistemi.it", Servizi: []string{"MyPay", "MyPivot"},
			WS: []string{"paaSILImportaDovuto", "paaSILChiediStatoElaborazione", "paaSILChiediPagati"}, Callback: "https://sanzioni.adigesistemi.it/legnago/callback",
			IPColl: []string{"89.97.140.33"}, IPEserc: []string{"89.97.140.34"}},
	}
}

// sostituto is the second person some offices add under the referent: never the referent.
type sostituto struct{ nome, cognome, cf, email, tel string }

func sostitutoOf(e Ente, nome, cognome string, y, m, d int, female bool, born string) sostituto {
	return sostituto{nome, cognome, cfPerson(cognome, nome, y, m, d, female, born),
		strings.ToLower(stripAccents(nome)) + "." + strings.ToLower(stripAccents(cognome)) + "@" + strings.SplitN(e.Email, "@", 2)[1], ""}
}

// hoLabelRows: a Word table two fields wide, each row of shaded labels followed by a row of values.
func hoLabelRows(e Ente) string {
	ps := [][2]string{
		{"Ente (denominazione completa)", e.Den}, {"Tipologia", e.Tipologia},
		{"Codice fiscale", e.CF}, {"Codice IPA", e.IPA},
		{"Sede", e.Indirizzo}, {"PEC istituzionale", e.PEC},
		{"Nome del referente dei pagamenti", e.Nome}, {"Cognome del referente dei pagamenti", e.Cognome},
		{"Codice fiscale del referente", e.RefCF}, {"E-mail del referente", e.Email},
		{"Telefono del referente", e.Telefono}, {"Servizi richiesti", boxes(svcOpts, e.Servizi, "☒", "☐", "  ")},
		{"Modalità di attivazione", strings.Join(e.Modalita, "; ")}, {"Codice tipo dovuto", e.TipoCod},
		{"Descrizione tipo dovuto", e.TipoDesc}, {"IBAN di accredito", e.IBAN},
		{"Software house", e.SHName}, {"E-mail referente tecnico software house", e.SHEmail},
		{"Adesione a pagoPA con la Regione del Veneto intermediario", e.Adesione}, {"Lettera di adesione inviata il", e.Lettera},
		{"Prodotti richiesti in MyExtranet", e.MyExt}, {"", ""},
	}
	var b strings.Builder
	b.WriteString(htmlHead)
	b.WriteString("<p align=\"center\"><b>INFORMATIVA GENERALE DELL'ENTE</b></p>\n<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><col width=\"50%\"><col width=\"50%\">\n")
	for i := 0; i < len(ps); i += 2 {
		fmt.Fprintf(&b, "<tr><td bgcolor=\"#e7e6e6\"><font size=\"2\"><b>%s</b></font></td><td bgcolor=\"#e7e6e6\"><font size=\"2\"><b>%s</b></font></td></tr>\n", esc(ps[i][0]), esc(ps[i+1][0]))
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td></tr>\n", esc(ps[i][1]), esc(ps[i+1][1]))
	}
	b.WriteString("</table>\n<p>Cittadella, 18/02/2026</p></body></html>\n")
	return b.String()
}

// hoProse: an ODT letter with the data in running paragraphs, the ente speaking in the third person.
func hoProse(e Ente) string {
	var b strings.Builder
	b.WriteString(htmlHead)
	p := func(s string) { fmt.Fprintf(&b, "<p align=\"justify\">%s</p>\n", esc(s)) }
	b.WriteString("<p>Prot. n. 3318/2026</p>\n<p align=\"right\">Alla Regione del Veneto<br>Call center PagoPA</p>\n")
	p("OGGETTO: Informativa generale dell'ente – attivazione dei servizi regionali di pagamento.")
	p(fmt.Sprintf("Con la presente il %s, codice fiscale %s, codice IPA %s, con sede in %s, indirizzo di posta elettronica certificata %s, trasmette i dati richiesti per l'attivazione.",
		e.Den, e.CF, e.IPA, e.Indirizzo, e.PEC))
	p(fmt.Sprintf("Referente dei pagamenti per l'ente è la dott.ssa %s %s, codice fiscale %s, che potrà essere contattata all'indirizzo %s oppure al numero %s.",
		e.Nome, e.Cognome, e.RefCF, e.Email, e.Telefono))
	p(fmt.Sprintf("Si chiede di attivare il solo servizio %s, per i %s; il tipo dovuto interessato è %s, «%s», con accredito sul conto IBAN %s.",
		strings.Join(e.Servizi, ""), strings.Join(e.Modalita, ""), e.TipoCod, e.TipoDesc, e.IBAN))
	p(fmt.Sprintf("Il gestionale in uso è fornito dalla ditta %s; per gli aspetti tecnici si può scrivere a %s.", e.SHName, e.SHEmail))
	p(fmt.Sprintf("Si dichiara infine che l'ente ha aderito a pagoPA avvalendosi della Regione del Veneto come intermediario tecnologico, con lettera di adesione trasmessa in data %s, e che i prodotti %s ancora stati richiesti tramite MyExtranet.",
		e.Lettera, mark(e.MyExt == "sì", "sono", "non sono")))
	b.WriteString("<p>Distinti saluti.</p>\n<p align=\"right\">Il Responsabile del Settore Finanziario<br>dott. Marco Dalla Via</p></body></html>\n")
	return b.String()
}

// hoCalcNotes: an XLSX with the fields down column A, values in B and the office's own remarks
// in C on some rows.
func hoCalcNotes(e Ente) string {
	rows := [][3]string{
		{"DATI ENTE", "", ""},
		{"Denominazione", e.Den, ""},
		{"Codice Fiscale Ente", e.CF, "stesso di P.IVA"},
		{"Codice IPA", e.IPA, "verificato su IndicePA"},
		{"Tipologia ente", e.Tipologia, ""},
		{"Indirizzo sede legale", e.Indirizzo, ""},
		{"PEC", e.PEC, "protocollo generale"},
		{"REFERENTE PAGAMENTI", "", ""},
		{"Nome", e.Nome, ""},
		{"Cognome", e.Cognome, ""},
		{"Codice fiscale", e.RefCF, ""},
		{"Email", e.Email, "casella personale"},
		{"Telefono", e.Telefono, "int. 3412"},
		{"SERVIZI", "", ""},
		{"Servizi richiesti", strings.Join(e.Servizi, " / "), "entrambi"},
		{"Modalità di attivazione", strings.Join(e.Modalita, ""), "solo da gestionale"},
		{"TIPO DOVUTO", "", ""},
		{"Codice", e.TipoCod, ""},
		{"Descrizione", e.TipoDesc, ""},
		{"IBAN", e.IBAN, "conto di tesoreria, confermato dall'UOC Bilancio"},
		{"SOFTWARE HOUSE", "", ""},
		{"Ragione sociale", e.SHName, ""},
		{"Email referente tecnico", e.SHEmail, ""},
		{"PREREQUISITI", "", ""},
		{"Adesione pagoPA tramite Regione Veneto", mark(e.Adesione == "sì", "SI", "NO"), ""},
		{"Data lettera di adesione", e.Lettera, "prot. 118204"},
		{"Prodotti richiesti su MyExtranet", mark(e.MyExt == "sì", "SI", "NO"), "richiesta fatta dal Sistemi Informativi"},
	}
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><table border="1">` + "\n")
	b.WriteString("<tr><td><b>Informativa generale</b></td><td><b>Azienda ULSS 8 Berica</b></td><td><b>Note UOC Contabilità</b></td></tr>\n")
	for _, r := range rows {
		if r[1] == "" && r[2] == "" {
			fmt.Fprintf(&b, "<tr><td><b>%s</b></td><td></td><td></td></tr>\n", esc(r[0]))
			continue
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%s</td></tr>\n", esc(r[0]), esc(r[1]), esc(r[2]))
	}
	b.WriteString("</table></body></html>\n")
	return b.String()
}

// outlookPasted is Outlook's HTML with a Word table pasted into the message (MsoNormalTable,
// shaded section rows), and its text/plain alternative (a cell per line, tabs between cells).
func outlookPasted(intro, outro []string, rows [][2]string) (string, string) {
	var h strings.Builder
	h.WriteString(`<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40"><head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=Generator content="Microsoft Word 15 (filtered medium)"><style><!--
p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm;font-size:11.0pt;font-family:"Calibri",sans-serif;}
table.MsoNormalTable {font-size:11.0pt;font-family:"Calibri",sans-serif;}
--></style></head><body lang=IT link="#0563C1" vlink="#954F72" style='word-wrap:break-word'><div class=WordSection1>`)
	var t []string
	p := func(s string) {
		if s == "" {
			h.WriteString("<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n")
		} else {
			fmt.Fprintf(&h, "<p class=MsoNormal>%s<o:p></o:p></p>\n", esc(s))
		}
		t = append(t, s)
	}
	for _, l := range intro {
		p(l)
	}
	h.WriteString(`<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=640 style='width:480.0pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt'>` + "\n")
	td := `<td width=%d valign=top style='width:%dpt;border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt%s'><p class=MsoNormal>%s<o:p></o:p></p></td>`
	for _, r := range rows {
		h.WriteString("<tr style='height:14.2pt'>")
		if r[1] == "" {
			fmt.Fprintf(&h, `<td width=640 colspan=2 valign=top style='width:480.0pt;border:solid windowtext 1.0pt;background:#D9E2F3;padding:0cm 5.4pt 0cm 5.4pt'><p class=MsoNormal><b>%s<o:p></o:p></b></p></td>`, esc(r[0]))
			t = append(t, r[0])
		} else {
			fmt.Fprintf(&h, td, 256, 192, "", esc(r[0]))
			fmt.Fprintf(&h, td, 384, 288, ";border-left:none", esc(r[1]))
			t = append(t, r[0]+"\t"+r[1])
		}
		h.WriteString("</tr>\n")
	}
	h.WriteString("</table>\n")
	for _, l := range outro {
		p(l)
	}
	h.WriteString("</div></body></html>\n")
	return h.String(), strings.Join(t, "\r\n") + "\r\n"
}

// hoTwoPeople: a label | value table where the referent's section is followed by a substitute's.
func hoTwoPeople(e Ente, s sostituto) string {
	var b strings.Builder
	b.WriteString(htmlHead)
	b.WriteString("<h2>Informativa generale dell'ente</h2>\n<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><col width=\"40%\"><col width=\"60%\">\n")
	sec := func(t string) { fmt.Fprintf(&b, "<tr><td colspan=\"2\"><b><i>%s</i></b></td></tr>\n", esc(t)) }
	row := func(l, v string) { fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td></tr>\n", esc(l), esc(v)) }
	sec("Ente")
	row("Denominazione", e.Den)
	row("Codice fiscale ente", e.CF)
	row("Codice IPA", e.IPA)
	row("Tipologia ente", e.Tipologia)
	row("Indirizzo", e.Indirizzo)
	row("PEC", e.PEC)
	sec("Referente dei pagamenti")
	row("Nome", e.Nome)
	row("Cognome", e.Cognome)
	row("Codice fiscale", e.RefCF)
	row("E-mail", e.Email)
	row("Telefono", e.Telefono)
	sec("Sostituto del referente (in caso di assenza)")
	row("Nome", s.nome)
	row("Cognome", s.cognome)
	row("Codice fiscale", s.cf)
	row("E-mail", s.email)
	sec("Servizi")
	row("Servizi richiesti", boxes(svcOpts, e.Servizi, "■", "□", "    "))
	row("Modalità di attivazione", boxes(modOpts, e.Modalita, "■", "□", "<br>"))
	sec("Tipo dovuto")
	row("Codice tipo dovuto", e.TipoCod)
	row("Descrizione tipo dovuto", e.TipoDesc)
	row("IBAN di accredito", spacedIBAN(e.IBAN))
	sec("Software house")
	row("Ragione sociale", e.SHName)
	row("E-mail referente tecnico", e.SHEmail)
	sec("Prerequisiti")
	row("Adesione a pagoPA con Regione del Veneto come intermediario tecnologico", mark(e.Adesione == "sì", "Sì", "No"))
	row("Lettera di adesione inviata il", e.Lettera)
	row("Prodotti richiesti in MyExtranet", mark(e.MyExt == "sì", "Sì", "No"))
	b.WriteString("</table></body></html>\n")
	return strings.ReplaceAll(b.String(), "&lt;br&gt;", "<br>")
}

// hoQEPVersionCell: a Qualificazione whose product row holds the version in a cell of its own
// (Prodotto | name | Versione | number), the other rows merged over three columns.
func hoQEPVersionCell(e Ente) string {
	var b strings.Builder
	b.WriteString(htmlHead)
	b.WriteString("<h2>QUALIFICAZIONE ENTE – PRODOTTO</h2>\n<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><col width=\"28%\"><col width=\"32%\"><col width=\"15%\"><col width=\"25%\">\n")
	row := func(l, v string) { fmt.Fprintf(&b, "<tr><td>%s</td><td colspan=\"3\">%s</td></tr>\n", esc(l), esc(v)) }
	row("Ente", e.Den)
	fmt.Fprintf(&b, "<tr><td>C.F. ente</td><td>%s</td><td>Cod. IPA</td><td>%s</td></tr>\n", esc(e.CF), esc(e.IPA))
	fmt.Fprintf(&b, "<tr><td>Prodotto</td><td>%s</td><td>Versione</td><td>%s</td></tr>\n", esc(e.Prodotto), esc(e.Versione))
	row("Azienda", e.Azienda)
	row("Partita IVA", e.PIVA)
	row("PEC azienda", e.AzPEC)
	row("Email referente tecnico", e.AzEmail)
	row("Integrazioni", boxes(svcOpts, e.Servizi, "☒", "☐", "   "))
	row("Web services utilizzati", strings.Join(e.WS, "<br>"))
	row("URL di callback", e.Callback)
	row("IP chiamanti in collaudo", strings.Join(e.IPColl, ", "))
	row("IP chiamanti in esercizio", strings.Join(e.IPEserc, ", "))
	b.WriteString("</table>\n<p>Legnago, 5 marzo 2026 – Adige Sistemi S.r.l., l'amministratore</p></body></html>\n")
	return strings.ReplaceAll(b.String(), "&lt;br&gt;", "<br>")
}

// holdoutBatch3 adds batch 3.
func (c *Corpus) holdoutBatch3() {
	H := holdoutEntes3()
	cit, thi, ulss, adr, ucc, vdb, leg := H[0], H[1], H[2], H[3], H[4], H[5], H[6]
	ig := func(e Ente, drop []string, problems ...string) Expected {
		return expected(formIG, e.IG(), variant{Omit: drop}, nil, problems)
	}
	qep := func(e Ente) Expected { return expected(formQEP, e.QEP(), variant{}, nil, nil) }
	body := func(x Expected) Expected { x.Source = bodySource; return x }
	add := func(name, producer, layout, note string, m message, forms ...Expected) {
		c.Files["mail/"+name+".eml"] = m.bytes()
		c.add("mail/"+name+".eml", producer, layout, note, forms...)
		c.Manifest.Documents[len(c.Manifest.Documents)-1].Batch = "3"
	}
	lo := func(name, layout, note string, calc bool, html string, targets []string, forms ...Expected) {
		n := len(c.Manifest.Documents)
		c.lo(name, layout, note, calc, html, targets, forms...)
		for i := n; i < len(c.Manifest.Documents); i++ {
			c.Manifest.Documents[i].Batch = "3"
		}
	}

	lo("h3_ig_labelrows_cittadella", "label-rows", "a table two fields wide: a row of shaded labels, then a row of their values; ☒/☐ boxes; modalità separated by ';'",
		false, hoLabelRows(cit), []string{"docx"}, ig(cit, nil))
	c.DocxToPDF = append(c.DocxToPDF, "h3_ig_labelrows_cittadella")
	c.add("libreoffice/h3_ig_labelrows_cittadella_docx.pdf", "libreoffice", "printed-pdf/docx-label-rows", "the DOCX above printed to PDF by LibreOffice", ig(cit, nil))
	c.Manifest.Documents[len(c.Manifest.Documents)-1].Batch = "3"
	citBad := cit
	citBad.RefCF = breakLast(cit.RefCF)
	lo("h3_ig_cfref_errato_labelrows_cittadella", "label-rows", "label rows above value rows; the referent's codice fiscale has a wrong check letter: a problem",
		false, hoLabelRows(citBad), []string{"odt"}, ig(citBad, nil, "referente.codice_fiscale"))

	lo("h3_ig_prose_thiene", "prose-third-person", "an ODT letter with protocol number: the ente speaks in the third person (Con la presente il Comune di ..., codice fiscale ..., trasmette), referent introduced as 'la dott.ssa', only MyPay, MyExtranet 'non sono ancora stati richiesti'; tipologia not stated; a signatory who is not the referent",
		false, hoProse(thi), []string{"odt"}, ig(thi, []string{"ente.tipologia"}))

	lo("h3_ig_xlsx_remarks_ulss8", "xlsx-remarks", "XLSX: fields down column A in capitalised sections, values in B, the office's remarks in C on some rows (stesso di P.IVA, int. 3412, prot. 118204); header row with the ente's name over the values; SI/NO",
		true, hoCalcNotes(ulss), []string{"xlsx"}, ig(ulss, nil))

	// Outlook with a Word table pasted in; only MyPay.
	adrRows := [][2]string{
		{"1. ENTE", ""},
		{"Denominazione Ente", adr.Den}, {"Codice Fiscale", adr.CF}, {"Codice IPA", adr.IPA}, {"Tipologia", adr.Tipologia},
		{"Indirizzo", adr.Indirizzo}, {"PEC", adr.PEC},
		{"2. REFERENTE DEI PAGAMENTI", ""},
		{"Nome e Cognome", adr.Nome + " " + adr.Cognome}, {"Codice Fiscale", adr.RefCF}, {"E-mail", adr.Email}, {"Telefono", adr.Telefono},
		{"3. SERVIZI E MODALITÀ", ""},
		{"Servizi richiesti", "[X] MyPay    [  ] MyPivot"},
		{"Modalità di attivazione", "[  ] pagamenti spontanei    [X] caricamento flussi    [  ] web services dal gestionale dell'ente"},
		{"4. TIPO DOVUTO", ""},
		{"Codice", adr.TipoCod}, {"Descrizione", adr.TipoDesc}, {"IBAN", adr.IBAN},
		{"5. SOFTWARE HOUSE", ""},
		{"Ragione sociale", adr.SHName}, {"E-mail referente tecnico", adr.SHEmail},
		{"6. PREREQUISITI", ""},
		{"Adesione pagoPA con Regione Veneto intermediario tecnologico", "SI"}, {"Data invio lettera di adesione", adr.Lettera}, {"Prodotti richiesti in MyExtranet", "SI"},
	}
	html, plain := outlookPasted([]string{"Buongiorno,", "incollo qui sotto la scheda dell'Informativa generale compilata (il file allegato non si apriva).", ""},
		[]string{"", "Cordiali saluti", "", adr.Nome + " " + adr.Cognome, "Servizio Economico Finanziario", adr.Den, "Tel. " + adr.Telefono}, adrRows)
	add("h3_ig_outlook_pasted_adria", "outlook", "html-pasted-table", "Outlook HTML with a Word table pasted in: numbered section rows shaded and merged, 'Nome e Cognome' in one cell, [X]/[  ] boxes with only MyPay ticked; text/plain alternative with tabs between cells; signature with the phone again",
		hoMsg(adr, "Informativa generale Comune di Adria", 21, "X-Mailer: Microsoft Outlook 16.0", []part{
			{ctype: "text/plain; charset=utf-8", body: []byte(plain)}, {ctype: "text/html; charset=utf-8", body: []byte(html)}}),
		body(ig(adr, nil)))

	// Plain text "campo = valore", IBAN with a wrong check: a problem.
	uccBad := ucc
	uccBad.IBAN = breakLast(ucc.IBAN)
	eq := []string{"Salve,", "ecco i dati per l'informativa generale (copiati dal nostro gestionale):", "",
		"denominazione = " + uccBad.Den,
		"codice_fiscale = " + uccBad.CF,
		"codice_ipa = " + uccBad.IPA,
		"tipologia = " + uccBad.Tipologia,
		"indirizzo = " + uccBad.Indirizzo,
		"pec = " + uccBad.PEC,
		"referente_nome = " + uccBad.Nome,
		"referente_cognome = " + uccBad.Cognome,
		"referente_cf = " + uccBad.RefCF,
		"referente_email = " + uccBad.Email,
		"referente_tel = " + uccBad.Telefono,
		"servizi = " + strings.Join(uccBad.Servizi, ","),
		"modalita = " + strings.Join(uccBad.Modalita, ","),
		"tipo_dovuto = " + uccBad.TipoCod,
		"descrizione_dovuto = " + uccBad.TipoDesc,
		"iban = " + uccBad.IBAN,
		"software_house = " + uccBad.SHName,
		"email_software_house = " + uccBad.SHEmail,
		"adesione_pagopa = si",
		"data_lettera_adesione = " + uccBad.Lettera,
		"prodotti_myextranet = si",
		"", "Giovanni Tonietto", "Ufficio Unico Entrate - " + uccBad.Den}
	add("h3_ig_iban_errato_keyvalue_camposampierese", "plain", "key-equals-value", "plain text 'campo = valore' lines with snake_case keys as a program exports them (referente_cf, descrizione_dovuto, ...); an Unione di comuni; IBAN with wrong check digits: a problem",
		hoMsg(ucc, "dati informativa generale", 22, "User-Agent: Roundcube Webmail/1.6.6", []part{{ctype: "text/plain; charset=utf-8", body: []byte(strings.Join(eq, "\r\n") + "\r\n")}}),
		body(ig(uccBad, nil, "tipi_dovuto.iban")))

	// Thunderbird reply, bottom-posted: the request quoted first, the data under it.
	tbLines := []string{"Il 10/03/2026 09:14, Call center PagoPA ha scritto:"}
	for _, l := range staffRequest {
		tbLines = append(tbLines, "> "+l)
	}
	tbLines = append(tbLines, "",
		"Buongiorno, rispondo sotto con i dati richiesti per la Qualificazione Ente-Prodotto.", "",
		"Ente: "+adr.Den+" - codice fiscale "+adr.CF,
		"Codice IPA: "+adr.IPA,
		"Software: "+adr.Prodotto,
		"Release: "+adr.Versione,
		"Società fornitrice: "+adr.Azienda,
		"P.IVA: "+adr.PIVA,
		"PEC: "+adr.AzPEC,
		"Contatto tecnico: "+adr.AzEmail,
		"Servizi: solo "+strings.Join(adr.Servizi, ""),
		"Web services: "+strings.Join(adr.WS, " e "),
		"URL di ritorno (callback): "+adr.Callback,
		"IP di collaudo: "+strings.Join(adr.IPColl, ", "),
		"IP di produzione: "+strings.Join(adr.IPEserc, " e "),
		"", "Saluti,", "Enrico Mantovani", adr.Azienda)
	add("h3_qep_thunderbird_bottompost_adria", "thunderbird", "bottom-posted-reply", "Thunderbird plain-text reply written under the quoted request (the blank form and its sample values quoted first); the ente and its codice fiscale on one line; Release, Società fornitrice, Contatto tecnico, 'solo MyPay', IP di produzione",
		message{from: "Enrico Mantovani <e.mantovani@deltaposoftware.it>", to: "call.center@regione.veneto.it", subject: "Re: Qualificazione Ente-Prodotto",
			date: fixedTime.Add(23 * 3600e9).Format("Mon, 02 Jan 2006 15:04:05 -0700"), id: "5eed0023.holdout@mail.example.it",
			extra: []string{"User-Agent: Mozilla Thunderbird", "In-Reply-To: <req.0310@regione.veneto.it>"},
			alt:   []part{{ctype: "text/plain; charset=UTF-8; format=flowed", body: []byte(flowed(tbLines, 72))}}},
		body(qep(adr)))

	// Two people under the same labels: the referent, then a substitute.
	sost := sostitutoOf(vdb, "Daniele", "Bortolin", 1977, 12, 19, false, "L565")
	lo("h3_ig_two_people_valdobbiadene", "two-people", "label | value table with italic section rows; the referent's section followed by a 'Sostituto del referente' section with the same labels (Nome, Cognome, Codice fiscale, E-mail); the referent's e-mail is an office box; ■/□ boxes, only MyPay; modalità one per line",
		false, hoTwoPeople(vdb, sost), []string{"docx", "pdf"}, ig(vdb, nil))

	lo("h3_qep_versioncell_legnago", "version-cell", "Qualificazione table: the version in a cell of its own beside the product (Prodotto | name | Versione | number), C.F. and Cod. IPA likewise on one row; other values merged over three columns; web services one per line",
		false, hoQEPVersionCell(leg), []string{"docx", "pdf"}, qep(leg))
}
