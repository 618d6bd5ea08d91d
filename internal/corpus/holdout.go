package corpus

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The held-out set (testdata/forms/holdout, made by internal/corpus/regen_holdout.sh): documents
// the readers were never tuned on, in wordings and layouts the training corpus does not use
// (office labels such as "Ragione sociale dell'Ente" or "C.F./P.IVA", a merged row per section,
// label and value in one cell, form letters in prose, values with noise, Thunderbird and Apple
// Mail bodies). Its figures say whether a reader generalises; it must never be used to tune one.

// holdoutEntes are new entes, identifiers valid by construction.
func holdoutEntes() []Ente {
	return []Ente{
		{Den: "Comune di Vicenza", CF: cfEnte("0051689024"), IPA: "c_l840", Tipologia: "Comune",
			Indirizzo: "Corso Andrea Palladio 98, 36100 Vicenza (VI)", PEC: "vicenza@cert.comune.vicenza.it",
			Nome: "Roberta", Cognome: "Dal Lago", RefCF: cfPerson("Dal Lago", "Roberta", 1980, 2, 21, true, "L840"),
			Email: "roberta.dallago@comune.vicenza.it", Telefono: "0444/221111",
			Servizi: []string{"MyPay"}, Modalita: []string{"pagamenti spontanei"},
			TipoCod: "SANZIONI", TipoDesc: "Sanzioni al codice della strada", IBAN: ibanIT("03069", "11884", "000000123987"),
			SHName: "Berica Software S.r.l.", SHEmail: "assistenza@bericasoftware.it", Adesione: "sì", MyExt: "sì", Lettera: "11/03/2026",
			Prodotto: "Sanzioni360", Versione: "3.1.4", Azienda: "Berica Software S.r.l.", PIVA: cfEnte("0377712245"),
			AzPEC: "bericasoftware@legalmail.it", AzEmail: "assistenza@bericasoftware.it",
			WS: []string{"paaSILInviaDovuti", "paaSILChiediPagati"}, Callback: "https://servizi.comune.vicenza.it/pagopa/callback",
			IPColl: []string{"5.102.64.10"}, IPEserc: []string{"5.102.64.0/27"}},
		{Den: "Comune di Verona", CF: cfEnte("0021515023"), IPA: "c_l781", Tipologia: "Comune",
			Indirizzo: "Piazza Brà 1, 37121 Verona (VR)", PEC: "protocollo.informatico@pec.comune.verona.it",
			Nome: "Matteo", Cognome: "Righetti", RefCF: cfPerson("Righetti", "Matteo", 1976, 10, 5, false, "L781"),
			Email: "m.righetti@comune.verona.it", Telefono: "045 807 7111",
			Servizi: []string{"MyPay", "MyPivot"}, Modalita: []string{"caricamento flussi"},
			TipoCod: "VOTIVE", TipoDesc: "Illuminazione votiva cimiteriale", IBAN: ibanIT("02008", "11770", "000101234567"),
			SHName: "Scaligera Informatica S.p.A.", SHEmail: "helpdesk@scaligerainformatica.it", Adesione: "sì", MyExt: "no", Lettera: "02/12/2025",
			Prodotto: "EntiPay", Versione: "5.0", Azienda: "Scaligera Informatica S.p.A.", PIVA: cfEnte("0244455523"),
			AzPEC: "scaligerainformatica@pec.it", AzEmail: "helpdesk@scaligerainformatica.it",
			WS: []string{"paaSILImportaDovuto", "paaSILChiediStatoElaborazione"}, Callback: "https://entipay.scaligerainformatica.it/verona/esito",
			IPColl: []string{"212.97.32.5", "212.97.32.6"}, IPEserc: []string{"212.97.33.0/29"}},
		{Den: "Comune di Conegliano", CF: cfEnte("8200051026"), IPA: "c_c957", Tipologia: "Comune",
			Indirizzo: "Piazza Cima 8, 31015 Conegliano (TV)", PEC: "pec.comune.conegliano.tv@pecveneto.it",
			Nome: "Silvia", Cognome: "Sartor", RefCF: cfPerson("Sartor", "Silvia", 1987, 5, 9, true, "C957"),
			Email: "silvia.sartor@comune.conegliano.tv.it", Telefono: "0438 4131",
			Servizi: []string{"MyPivot"}, Modalita: []string{"web services dal gestionale dell'ente"},
			TipoCod: "REFEZIONE", TipoDesc: "Refezione scolastica", IBAN: ibanIT("05034", "61620", "000000077001"),
			SHName: "Berica Software S.r.l.", SHEmail: "assistenza@bericasoftware.it", Adesione: "sì", MyExt: "sì", Lettera: "14/10/2025"},
		{Den: "Unione Montana Feltrina", CF: cfEnte("9100441025"), IPA: "um_feltrina", Tipologia: "Unione montana",
			Indirizzo: "Piazzale G. Parolini 2, 32032 Feltre (BL)", PEC: "unionemontanafeltrina.bl@pecveneto.it",
			Nome: "Giorgio", Cognome: "Dal Molin", RefCF: cfPerson("Dal Molin", "Giorgio", 1969, 12, 1, false, "D530"),
			Email: "g.dalmolin@feltrino.bl.it", Telefono: "0439 302671",
			Servizi: []string{"MyPay", "MyPivot"}, Modalita: []string{"pagamenti spontanei", "caricamento flussi"},
			TipoCod: "ACQUEDOTTO", TipoDesc: "Canone servizio idrico", IBAN: ibanIT("08904", "61110", "000000202020"),
			SHName: "Dolomiti Digitale S.r.l.", SHEmail: "helpdesk@dolomitidigitale.it", Adesione: "sì", MyExt: "sì", Lettera: "30/09/2025"},
		{Den: "Provincia di Rovigo", CF: cfEnte("9300017029"), IPA: "p_ro", Tipologia: "Provincia",
			Prodotto: "Polesine Entrate", Versione: "1.12.0", Azienda: "Polesine Dati S.r.l.", PIVA: cfEnte("0146678290"),
			AzPEC: "polesinedati@arubapec.it", AzEmail: "sviluppo@polesinedati.it", Servizi: []string{"MyPay"},
			WS: []string{"paaSILInviaDovuti", "paaSILChiediPosizioniAperte"}, Callback: "https://entrate.provincia.rovigo.it/mypay/notifica",
			IPColl: []string{"94.86.110.20"}, IPEserc: []string{"94.86.110.21", "94.86.110.22"}},
		{Den: "Comune di Mirano", CF: cfEnte("8200917027"), IPA: "c_f241", Tipologia: "Comune",
			Indirizzo: "Piazza Martiri della Libertà 1, 30035 Mirano (VE)", PEC: "comune.mirano.ve@pecveneto.it",
			Nome: "Federica", Cognome: "Tonolo", RefCF: cfPerson("Tonolo", "Federica", 1991, 3, 27, true, "F241"),
			Email: "federica.tonolo@comune.mirano.ve.it", Telefono: "041 5798411",
			Servizi: []string{"MyPay", "MyPivot"}, Modalita: []string{"pagamenti spontanei", "caricamento flussi"},
			TipoCod: "TRASP_SCOL", TipoDesc: "Trasporto scolastico", IBAN: ibanIT("03069", "36190", "100000046779"),
			SHName: "Brenta Informatica S.r.l.", SHEmail: "supporto@brentainformatica.it", Adesione: "sì", MyExt: "sì", Lettera: "11/03/2026"},
	}
}

var mesi = []string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"}

// longDate writes gg/mm/aaaa as "11 marzo 2026".
func longDate(d string) string {
	var g, m, a int
	fmt.Sscanf(d, "%d/%d/%d", &g, &m, &a)
	return fmt.Sprintf("%d %s %d", g, mesi[m-1], a)
}

func mark(on bool, yes, no string) string {
	if on {
		return yes
	}
	return no
}

// boxes writes every option with a box before it, ticked when chosen.
func boxes(opts, chosen []string, yes, no, sep string) string {
	var p []string
	for _, o := range opts {
		p = append(p, mark(slices.Contains(chosen, o), yes, no)+" "+o)
	}
	return strings.Join(p, sep)
}

var (
	svcOpts = []string{"MyPay", "MyPivot"}
	modOpts = []string{"pagamenti spontanei", "caricamento flussi", "web services dal gestionale dell'ente"}
)

func siNo(v string) string { return mark(v == "sì", "SI", "NO") }

const htmlHead = `<!DOCTYPE html><html lang="it"><head><meta charset="utf-8"><title>Modulo</title>
<style>body{font-family:"Liberation Serif";font-size:11pt} table{border-collapse:collapse;width:100%} td{border:1px solid #000;padding:3px;vertical-align:top}</style></head><body>
`

// hoMerged: a two-column table, each section a merged first row, office wordings.
func hoMerged(e Ente) string {
	var b strings.Builder
	b.WriteString(htmlHead)
	b.WriteString("<p align=\"center\"><b>MODULO DI INFORMATIVA GENERALE</b><br>Attivazione dei servizi di pagamento della Regione del Veneto</p>\n")
	b.WriteString(`<table border="1" cellpadding="4" cellspacing="0"><col width="45%"><col width="55%">`)
	sec := func(t string) {
		fmt.Fprintf(&b, "<tr><td colspan=\"2\" bgcolor=\"#d9d9d9\"><b>%s</b></td></tr>\n", esc(t))
	}
	row := func(l, v string) { fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td></tr>\n", esc(l), esc(v)) }
	sec("A) DATI DELL'ENTE")
	row("Ragione sociale dell'Ente", e.Den)
	row("C.F./P.IVA", e.CF)
	row("Cod. IPA ente", e.IPA)
	row("Natura giuridica", e.Tipologia)
	row("Sede legale", e.Indirizzo)
	row("Casella PEC istituzionale", e.PEC)
	sec("B) RESPONSABILE DEI PAGAMENTI")
	row("Nome e cognome", e.Nome+" "+e.Cognome)
	row("Cod. fiscale", e.RefCF)
	row("Recapito e-mail", e.Email)
	row("Recapito telefonico", "tel. "+e.Telefono)
	sec("C) SERVIZI")
	row("Servizi di cui si chiede l'attivazione", boxes(svcOpts, e.Servizi, "☑", "☐", "   "))
	row("Modalità di utilizzo", boxes(modOpts, e.Modalita, "☑", "☐", "   "))
	sec("D) ENTRATE DA RISCUOTERE")
	row("Codice dell'entrata", e.TipoCod)
	row("Descrizione dell'entrata", e.TipoDesc)
	row("Conto di accredito (IBAN)", spacedIBAN(e.IBAN))
	sec("E) FORNITORE DEL GESTIONALE")
	row("Denominazione fornitore", e.SHName)
	row("E-mail di assistenza del fornitore", e.SHEmail)
	sec("F) REQUISITI")
	row("L'Ente aderisce a pagoPA tramite la Regione del Veneto quale intermediario tecnologico?", siNo(e.Adesione))
	row("Data di invio della lettera di adesione", longDate(e.Lettera))
	row("I prodotti sono già stati richiesti in MyExtranet?", siNo(e.MyExt))
	b.WriteString("</table>\n<p>Vicenza, lì 12/03/2026</p><p align=\"right\">Il Dirigente</p></body></html>\n")
	return b.String()
}

// hoOneCell: "Label: value" inside the cells, two per row.
func hoOneCell(e Ente) string {
	var b strings.Builder
	b.WriteString(htmlHead)
	b.WriteString("<h2>Informativa generale dell'ente</h2>\n<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">\n")
	cells := [][2]string{
		{"Denominazione", e.Den}, {"Tipologia", e.Tipologia},
		{"Codice fiscale", e.CF}, {"Codice IPA", e.IPA},
		{"Indirizzo", e.Indirizzo}, {"PEC", e.PEC},
		{"Referente pagamenti – Nome", e.Nome}, {"Referente pagamenti – Cognome", e.Cognome},
		{"C.F. referente", e.RefCF}, {"E-mail referente", e.Email},
		{"Telefono", e.Telefono}, {"Servizi richiesti", strings.Join(e.Servizi, " e ")},
		{"Modalità di attivazione", strings.Join(e.Modalita, ", ")}, {"Tipo dovuto", e.TipoCod},
		{"Descrizione tipo dovuto", e.TipoDesc}, {"IBAN", e.IBAN},
		{"Software house", e.SHName}, {"Email software house", e.SHEmail},
		{"Adesione a pagoPA", e.Adesione}, {"Lettera di adesione del", e.Lettera},
		{"Prodotti richiesti in MyExtranet", e.MyExt}, {"", ""},
	}
	for i := 0; i < len(cells); i += 2 {
		b.WriteString("<tr>")
		for _, c := range cells[i : i+2] {
			if c[0] == "" {
				b.WriteString("<td></td>")
				continue
			}
			fmt.Fprintf(&b, "<td><b>%s:</b> %s</td>", esc(c[0]), esc(c[1]))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table></body></html>\n")
	return b.String()
}

// hoLetter: a form letter in prose, no labels at all.
func hoLetter(e Ente, city string) string {
	var b strings.Builder
	b.WriteString(htmlHead)
	p := func(s string) { fmt.Fprintf(&b, "<p align=\"justify\">%s</p>\n", esc(s)) }
	b.WriteString("<p align=\"right\">Spett.le Regione del Veneto<br>Direzione ICT e Agenda Digitale</p>\n")
	p("Oggetto: Informativa generale dell'ente per l'attivazione di " + strings.Join(e.Servizi, " e ") + ".")
	p(fmt.Sprintf("Il sottoscritto %s %s, C.F. %s, in qualità di referente dei pagamenti del %s (codice fiscale %s, codice IPA %s), con sede in %s, PEC %s,",
		e.Nome, e.Cognome, e.RefCF, e.Den, e.CF, e.IPA, e.Indirizzo, e.PEC))
	b.WriteString("<p align=\"center\"><b>CHIEDE</b></p>\n")
	p(fmt.Sprintf("l'attivazione del servizio %s con la modalità «%s» e, a tal fine,", strings.Join(e.Servizi, " e "), strings.Join(e.Modalita, "» e «")))
	b.WriteString("<p align=\"center\"><b>DICHIARA</b></p>\n")
	p(fmt.Sprintf("che l'ente ha aderito a pagoPA con la Regione del Veneto come intermediario tecnologico (lettera di adesione inviata il %s) e che i prodotti %s stati richiesti in MyExtranet;",
		longDate(e.Lettera), mark(e.MyExt == "sì", "sono", "non sono")))
	p(fmt.Sprintf("che il tipo dovuto da attivare è %s (%s), con accredito sul conto IBAN %s;", e.TipoCod, e.TipoDesc, e.IBAN))
	p(fmt.Sprintf("che il gestionale è fornito da %s (referente tecnico: %s).", e.SHName, e.SHEmail))
	p(fmt.Sprintf("Per comunicazioni: e-mail %s, tel. %s.", e.Email, e.Telefono))
	fmt.Fprintf(&b, "<p>%s, 12 marzo 2026</p><p align=\"right\">%s %s</p></body></html>\n", esc(city), esc(e.Nome), esc(e.Cognome))
	return b.String()
}

// hoQEPNoise: Qualificazione with values as people type them: ports, CIDR, trailing periods.
func hoQEPNoise(e Ente) string {
	var b strings.Builder
	b.WriteString(htmlHead)
	b.WriteString("<h1>Qualificazione Ente-Prodotto</h1>\n<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">\n")
	row := func(l, v string) { fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td></tr>\n", esc(l), esc(v)) }
	row("Ente richiedente", e.Den)
	row("C.F. dell'ente", e.CF)
	row("Cod. IPA", e.IPA+".")
	row("Software gestionale", e.Prodotto)
	row("Release", e.Versione)
	row("Fornitore (ragione sociale)", e.Azienda)
	row("P.IVA fornitore", "IT "+e.PIVA)
	row("PEC fornitore", e.AzPEC)
	row("Referente tecnico (e-mail)", e.AzEmail+".")
	row("Servizi di cui si chiede l'attivazione", boxes(svcOpts, e.Servizi, "[x]", "[ ]", "  "))
	row("Web service utilizzati", strings.Join(e.WS, "; ")+".")
	row("Indirizzo di callback", e.Callback)
	var coll []string
	for _, ip := range e.IPColl {
		coll = append(coll, ip+":443")
	}
	row("IP sorgente ambiente di test", strings.Join(coll, " - "))
	row("IP sorgente ambiente di produzione", strings.Join(e.IPEserc, " e "))
	b.WriteString("</table></body></html>\n")
	return b.String()
}

// hoFillable: LibreOffice form controls (text fields, check boxes) under office wordings.
func hoFillable(e Ente) string {
	var b strings.Builder
	b.WriteString(htmlHead)
	b.WriteString("<form>\n<h2>Informativa generale – scheda ente</h2>\n<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">\n")
	n := 0
	txt := func(l, v string) {
		n++
		fmt.Fprintf(&b, "<tr><td>%s</td><td><input type=\"text\" name=\"Testo%d\" value=\"%s\" size=\"40\"></td></tr>\n", esc(l), n, esc(v))
	}
	chk := func(l string, opts, chosen []string) {
		var p []string
		for _, o := range opts {
			n++
			p = append(p, fmt.Sprintf(`<input type="checkbox" name="Controllo%d"%s> %s`, n, mark(slices.Contains(chosen, o), " checked", ""), esc(o)))
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td></tr>\n", esc(l), strings.Join(p, "<br>"))
	}
	txt("Ragione sociale dell'Ente", e.Den)
	txt("C.F./P.IVA", e.CF)
	txt("Cod. IPA ente", e.IPA)
	txt("Tipo di ente", e.Tipologia)
	txt("Indirizzo sede", e.Indirizzo)
	txt("PEC dell'ente", e.PEC)
	txt("Responsabile dei pagamenti – nome", e.Nome)
	txt("Responsabile dei pagamenti – cognome", e.Cognome)
	txt("Responsabile dei pagamenti – codice fiscale", e.RefCF)
	txt("Recapito e-mail", e.Email)
	txt("Recapito telefonico", e.Telefono)
	chk("Servizi di cui si chiede l'attivazione", svcOpts, e.Servizi)
	chk("Modalità di attivazione", modOpts, e.Modalita)
	txt("Codice del tipo dovuto", e.TipoCod)
	txt("Descrizione del tipo dovuto", e.TipoDesc)
	txt("IBAN del conto di accredito", e.IBAN)
	txt("Software house", e.SHName)
	txt("E-mail software house", e.SHEmail)
	chk("Adesione a pagoPA tramite Regione del Veneto", []string{"sì", "no"}, []string{e.Adesione})
	txt("Lettera di adesione inviata il", e.Lettera)
	chk("Prodotti richiesti in MyExtranet", []string{"sì", "no"}, []string{e.MyExt})
	b.WriteString("</table></form></body></html>\n")
	return b.String()
}

// hoCalcVertical: numbered rows, label in B, value in C, section rows.
func hoCalcVertical(e Ente) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><table border="1">` + "\n")
	b.WriteString("<tr><td colspan=\"3\"><b>Informativa generale dell'ente</b></td></tr>\n")
	n := 0
	sec := func(t string) { fmt.Fprintf(&b, "<tr><td colspan=\"3\"><b>%s</b></td></tr>\n", esc(t)) }
	row := func(l, v string) {
		n++
		fmt.Fprintf(&b, "<tr><td>%d</td><td>%s</td><td>%s</td></tr>\n", n, esc(l), esc(v))
	}
	sec("Ente")
	row("Denominazione completa", e.Den)
	row("Codice fiscale dell'ente", e.CF)
	row("Codice iPA", e.IPA)
	row("Tipologia", e.Tipologia)
	row("Indirizzo della sede", e.Indirizzo)
	row("Posta elettronica certificata", e.PEC)
	sec("Referente dei pagamenti")
	row("Nome", e.Nome)
	row("Cognome", e.Cognome)
	row("Codice fiscale", e.RefCF)
	row("Indirizzo e-mail", e.Email)
	row("Telefono", e.Telefono)
	sec("Servizi")
	row("Servizi da attivare", strings.Join(e.Servizi, ", "))
	row("Modalità di attivazione", strings.Join(e.Modalita, ", "))
	sec("Tipo dovuto")
	row("Codice", e.TipoCod)
	row("Descrizione", e.TipoDesc)
	row("IBAN", e.IBAN)
	sec("Software house")
	row("Ragione sociale", e.SHName)
	row("E-mail", e.SHEmail)
	sec("Prerequisiti")
	row("Adesione a pagoPA", siNo(e.Adesione))
	row("Data lettera di adesione", e.Lettera)
	row("Prodotti richiesti in MyExtranet", siNo(e.MyExt))
	b.WriteString("</table></body></html>\n")
	return b.String()
}

// hoCalcHorizontal: one header row of labels, one row of values, as a registry export.
func hoCalcHorizontal(e Ente) string {
	cols := [][2]string{
		{"Ente", e.Den}, {"CF ente", e.CF}, {"Codice IPA", e.IPA}, {"Prodotto", e.Prodotto}, {"Versione", e.Versione},
		{"Ragione sociale", e.Azienda}, {"Partita IVA", e.PIVA}, {"PEC azienda", e.AzPEC}, {"Email tecnico", e.AzEmail},
		{"Servizi", strings.Join(e.Servizi, ", ")}, {"Web services", strings.Join(e.WS, ", ")}, {"URL callback", e.Callback},
		{"IP collaudo", strings.Join(e.IPColl, ", ")}, {"IP esercizio", strings.Join(e.IPEserc, ", ")},
	}
	var h, v strings.Builder
	for _, c := range cols {
		fmt.Fprintf(&h, "<td><b>%s</b></td>", esc(c[0]))
		fmt.Fprintf(&v, "<td>%s</td>", esc(c[1]))
	}
	return `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><table border="1">` + "\n" +
		"<tr><td colspan=\"14\"><b>Qualificazione Ente-Prodotto</b></td></tr>\n<tr>" + h.String() + "</tr>\n<tr>" + v.String() + "</tr>\n</table></body></html>\n"
}

// flowed wraps lines longer than width as format=flowed does (a space before each soft break).
func flowed(lines []string, width int) string {
	var b strings.Builder
	for _, l := range lines {
		for len(l) > width {
			cut := strings.LastIndex(l[:width], " ")
			if cut <= 0 {
				break
			}
			b.WriteString(l[:cut+1] + "\r\n")
			l = l[cut+1:]
		}
		b.WriteString(l + "\r\n")
	}
	return b.String()
}

func thunderbirdIG(e Ente) []string {
	return []string{
		"Buongiorno,",
		"",
		"come richiesto vi inviamo i dati per l'Informativa generale dell'ente, per l'attivazione dei servizi di pagamento indicati qui sotto.",
		"",
		"Ragione sociale dell'Ente: " + e.Den,
		"C.F./P.IVA: " + e.CF,
		"Cod. IPA ente: " + e.IPA,
		"Tipologia: " + e.Tipologia,
		"Sede: " + e.Indirizzo,
		"PEC: " + e.PEC,
		"",
		"Responsabile dei pagamenti: " + e.Nome + " " + e.Cognome + " (C.F. " + e.RefCF + ")",
		"Recapito e-mail: " + e.Email,
		"Tel.: " + e.Telefono,
		"",
		"Servizi di cui si chiede l'attivazione: " + strings.Join(e.Servizi, " + "),
		"Modalità: " + strings.Join(e.Modalita, " e "),
		"",
		"Tipo dovuto: " + e.TipoCod + " - " + e.TipoDesc,
		"IBAN: " + spacedIBAN(e.IBAN),
		"",
		"Software house: " + e.SHName + ", referente tecnico " + e.SHEmail,
		"",
		"Adesione a pagoPA con la Regione del Veneto quale intermediario: " + mark(e.Adesione == "sì", "sì", "no") + ", lettera di adesione inviata il " + longDate(e.Lettera) + ".",
		"Prodotti già richiesti in MyExtranet: " + mark(e.MyExt == "sì", "sì", "no") + ".",
		"",
		"Cordiali saluti",
		"-- ",
		e.Nome + " " + e.Cognome,
		"Ufficio Ragioneria – " + e.Den,
	}
}

func hoMsg(e Ente, subject string, n int, mailer string, alt []part) message {
	return message{
		from: fmt.Sprintf("%s %s <%s>", e.Nome, e.Cognome, e.Email), to: "call.center@regione.veneto.it",
		subject: subject, date: fixedTime.Add(time.Duration(n) * time.Hour).Format("Mon, 02 Jan 2006 15:04:05 -0700"),
		id: fmt.Sprintf("%08x.holdout@%s", 0x5eed0000+n, "mail.example.it"), extra: []string{mailer}, alt: alt,
	}
}

// appleHTML writes lines as Apple Mail does (a div per line, br for blank lines) and quotes the
// earlier message in a blockquote type="cite".
func appleHTML(lines, quoted []string) string {
	var b strings.Builder
	b.WriteString(`<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">`)
	for _, l := range lines {
		if l == "" {
			b.WriteString(`<div><br></div>`)
			continue
		}
		if strings.HasPrefix(l, "<") {
			b.WriteString(l)
			continue
		}
		fmt.Fprintf(&b, "<div>%s</div>", esc(l))
	}
	b.WriteString(`<div><br><blockquote type="cite"><div>Il giorno 10 mar 2026, alle ore 09:14, Call center PagoPA &lt;call.center@regione.veneto.it&gt; ha scritto:</div><br><div><div>`)
	for _, l := range quoted {
		fmt.Fprintf(&b, "%s<br>", esc(l))
	}
	b.WriteString("</div></div></blockquote></div><br></body></html>")
	return b.String()
}

// staffRequest is the call centre's earlier message, quoted under the reply: a blank form and
// sample values that must not be read.
var staffRequest = []string{
	"Gentile referente,",
	"per procedere ci servono i seguenti dati:",
	"Codice IPA: ____",
	"Partita IVA azienda: ____",
	"IP chiamanti in collaudo: (es. 93.41.12.10)",
	"URL di callback: https://esempio.it/esito",
	"Cordiali saluti",
	"Call center PagoPA – Regione del Veneto",
}

// BuildHoldout makes the held-out set.
func BuildHoldout() (*Corpus, error) {
	c := &Corpus{Files: map[string][]byte{}, Manifest: Manifest{
		Comment: "Held-out set: documents the readers were not tuned on; made by internal/corpus/regen_holdout.sh. " +
			"Same format as testdata/forms/corpus/manifest.json. Never tune a reader on these: only new held-out documents say whether a change generalises.",
	}}
	H := holdoutEntes()
	vic, ver, con, fel, pro, mir := H[0], H[1], H[2], H[3], H[4], H[5]
	ig := func(e Ente, drop []string, problems []string) Expected {
		return expected(formIG, e.IG(), variant{Omit: drop}, nil, problems)
	}
	qepKeys := func(e Ente) Expected {
		x := expected(formQEP, e.QEP(), variant{}, nil, nil)
		return x
	}

	// LibreOffice Writer.
	c.lo("ho_ig_merged_vicenza", "merged-sections", "two-column table, each section a merged first row; office wordings (Ragione sociale dell'Ente, C.F./P.IVA, Cod. IPA ente, Recapito e-mail); name and surname in one cell; tel. 0444/221111; ☑/☐ boxes; IBAN in groups; SI/NO; date written out",
		false, hoMerged(vic), []string{"docx", "odt"}, ig(vic, nil, nil))
	c.DocxToPDF = append(c.DocxToPDF, "ho_ig_merged_vicenza")
	c.add("libreoffice/ho_ig_merged_vicenza_docx.pdf", "libreoffice", "printed-pdf/docx-merged-sections", "the DOCX above printed to PDF by LibreOffice", ig(vic, nil, nil))

	c.lo("ho_ig_onecell_verona", "label-in-cell", "label and value in one cell (Denominazione: Comune di Verona), two per row", false, hoOneCell(ver),
		[]string{"odt", "pdf"}, ig(ver, nil, nil))
	verBad := ver
	verBad.CF = breakLast(ver.CF)
	c.lo("ho_ig_cf_errato_onecell_verona", "label-in-cell", "label and value in one cell; codice fiscale ente with a wrong check digit: a problem", false, hoOneCell(verBad),
		[]string{"docx"}, ig(verBad, nil, []string{"ente.codice_fiscale"}))

	c.lo("ho_ig_letter_conegliano", "prose-letter", "a form letter in prose: Il sottoscritto ..., C.F. ..., in qualità di referente dei pagamenti del Comune di ... CHIEDE ... DICHIARA; no labels; tipologia not stated",
		false, hoLetter(con, "Conegliano"), []string{"docx", "pdf"}, ig(con, []string{"ente.tipologia"}, nil))
	mirBad := mir
	mirBad.RefCF = breakLast(mir.RefCF)
	c.lo("ho_ig_cfref_errato_letter_mirano", "prose-letter", "a form letter in prose; the referent's codice fiscale has a wrong check letter: a problem", false, hoLetter(mirBad, "Mirano"),
		[]string{"odt"}, ig(mirBad, []string{"ente.tipologia"}, []string{"referente.codice_fiscale"}))

	qn := qepKeys(ver)
	c.lo("ho_qep_noise_verona", "noisy-values", "values as typed: trailing periods (c_l781., an e-mail ending with a period), IT before the P.IVA, [x] boxes, IPs with :443 separated by ' - ', a CIDR, web services ending with a period",
		false, hoQEPNoise(ver), []string{"docx", "pdf"}, qn)

	c.lo("ho_ig_fillable_mirano", "fillable-checkboxes", "LibreOffice form controls named Testo1/Controllo2 under office wordings; one check box per option on its own line, yes/no as check boxes",
		false, hoFillable(mir), []string{"odt", "pdf"}, ig(mir, nil, nil))

	// LibreOffice Calc.
	c.lo("ho_ig_xlsx_numbered_feltrina", "xlsx-numbered", "numbered rows: number | label | value, section rows merged; an Unione montana; SI/NO", true, hoCalcVertical(fel),
		[]string{"xlsx"}, ig(fel, nil, nil))
	c.lo("ho_qep_xlsx_horizontal_rovigo", "xlsx-horizontal", "a registry export: one row of labels, one row of values", true, hoCalcHorizontal(pro),
		[]string{"xlsx"}, qepKeys(pro))

	// Mail bodies.
	body := func(x Expected) Expected { x.Source = bodySource; return x }
	add := func(name, producer, layout, note string, m message, forms ...Expected) {
		c.Files["mail/"+name+".eml"] = m.bytes()
		c.add("mail/"+name+".eml", producer, layout, note, forms...)
	}
	tb := "User-Agent: Mozilla Thunderbird"
	add("ho_ig_thunderbird_flowed_vicenza", "thunderbird", "flowed-text", "text/plain format=flowed, long lines broken with a trailing space; Responsabile dei pagamenti: name surname (C.F. ...) on one line; tipo dovuto code - description; IBAN in groups; yes/no inside a sentence with the date written out",
		hoMsg(vic, "Informativa generale Comune di Vicenza", 1, tb, []part{{ctype: "text/plain; charset=UTF-8; format=flowed", body: []byte(flowed(thunderbirdIG(vic), 72))}}),
		body(ig(vic, nil, nil)))
	conBad := con
	conBad.IBAN = breakLast(con.IBAN)
	add("ho_ig_iban_errato_thunderbird_conegliano", "thunderbird", "flowed-text", "format=flowed body; IBAN in groups with wrong check digits: a problem",
		hoMsg(conBad, "Informativa generale - Comune di Conegliano", 2, tb, []part{{ctype: "text/plain; charset=UTF-8; format=flowed", body: []byte(flowed(thunderbirdIG(conBad), 72))}}),
		body(ig(conBad, nil, []string{"tipi_dovuto.iban"})))

	am := "X-Mailer: Apple Mail (2.3774.500.171.1.1)"
	qepLines := func(e Ente) []string {
		return []string{"Buongiorno,", "di seguito i dati per la Qualificazione Ente-Prodotto.", "",
			"Ente: " + e.Den, "Codice fiscale ente: " + e.CF, "Cod. IPA: " + e.IPA, "",
			"Prodotto: " + e.Prodotto + " versione " + e.Versione,
			"Azienda: " + e.Azienda, "P.IVA: " + e.PIVA, "PEC azienda: " + e.AzPEC, "Referente tecnico: " + e.AzEmail, "",
			"Integrazioni: " + strings.Join(e.Servizi, " e "),
			"Web services: " + strings.Join(e.WS, ", "),
			"Callback: " + e.Callback,
			"IP collaudo: " + strings.Join(e.IPColl, ", "),
			"IP esercizio: " + strings.Join(e.IPEserc, ", "), "",
			"Grazie, buona giornata", e.Azienda}
	}
	qepApple := func(e Ente) Expected {
		x := qepKeys(e)
		return body(x)
	}
	add("ho_qep_applemail_verona", "apple-mail", "html-quoted", "Apple Mail HTML: a div per line, the call centre's request quoted in <blockquote type=\"cite\"> with a blank form and sample values; product and version on one line",
		hoMsg(ver, "Re: Qualificazione Ente-Prodotto Comune di Verona", 3, am, []part{
			{ctype: "text/plain; charset=utf-8", body: []byte(strings.Join(qepLines(ver), "\r\n") + "\r\n\r\n> " + strings.Join(staffRequest, "\r\n> ") + "\r\n")},
			{ctype: "text/html; charset=utf-8", body: []byte(appleHTML(qepLines(ver), staffRequest))}}),
		qepApple(ver))
	proBad := pro
	proBad.PIVA = breakLast(pro.PIVA)
	add("ho_qep_piva_errata_applemail_rovigo", "apple-mail", "html-only-quoted", "Apple Mail HTML only (no text part), quoted request below; partita IVA with a wrong check digit: a problem",
		hoMsg(mir, "Re: Qualificazione Ente-Prodotto Provincia di Rovigo", 4, am, []part{
			{ctype: "text/html; charset=utf-8", body: []byte(appleHTML(qepLines(proBad), staffRequest))}}),
		func() Expected { x := qepApple(proBad); x.Problems = []string{"azienda.partita_iva"}; return x }())
	var tr []string
	for _, r := range [][2]string{{"Ragione sociale dell'Ente", mir.Den}, {"C.F./P.IVA", mir.CF}, {"Cod. IPA ente", mir.IPA}, {"Tipologia ente", mir.Tipologia},
		{"Indirizzo", mir.Indirizzo}, {"PEC", mir.PEC}, {"Responsabile dei pagamenti", mir.Nome + " " + mir.Cognome}, {"C.F. responsabile", mir.RefCF},
		{"Recapito e-mail", mir.Email}, {"Telefono", "tel. " + mir.Telefono}, {"Servizi di cui si chiede l'attivazione", strings.Join(mir.Servizi, ", ")},
		{"Modalità di attivazione", strings.Join(mir.Modalita, ", ")}, {"Codice tipo dovuto", mir.TipoCod}, {"Descrizione", mir.TipoDesc}, {"IBAN", mir.IBAN},
		{"Software house", mir.SHName}, {"Email software house", mir.SHEmail}, {"Adesione pagoPA", "Sì"}, {"Lettera di adesione", longDate(mir.Lettera)},
		{"Prodotti richiesti in MyExtranet", "Sì"}} {
		tr = append(tr, fmt.Sprintf("<tr><td>%s</td><td>%s</td></tr>", esc(r[0]), esc(r[1])))
	}
	mirLines := append([]string{"Buongiorno,", "vi inoltro l'Informativa generale compilata.", "",
		`<table border="1" cellspacing="0" cellpadding="3">` + strings.Join(tr, "") + `</table>`}, "", "Saluti", "Federica Tonolo")
	add("ho_ig_applemail_table_mirano", "apple-mail", "html-table-quoted", "Apple Mail HTML with the values in a table (Responsabile dei pagamenti: name and surname in one cell; tel. prefix), the request quoted below",
		hoMsg(mir, "Re: Informativa generale", 5, am, []part{{ctype: "text/html; charset=utf-8", body: []byte(appleHTML(mirLines, staffRequest))}}),
		body(ig(mir, nil, nil)))
	prose := []string{
		"Buongiorno,",
		"",
		fmt.Sprintf("sono %s %s (C.F. %s), referente dei pagamenti dell'%s, codice fiscale %s, codice IPA %s, con sede in %s; la nostra PEC è %s.",
			fel.Nome, fel.Cognome, fel.RefCF, fel.Den, fel.CF, fel.IPA, fel.Indirizzo, fel.PEC),
		"Vi scriviamo per l'informativa generale: chiediamo di attivare sia MyPay sia MyPivot, per i pagamenti spontanei e il caricamento flussi.",
		fmt.Sprintf("Il tipo dovuto è %s (%s), da accreditare sull'IBAN %s.", fel.TipoCod, fel.TipoDesc, fel.IBAN),
		fmt.Sprintf("Abbiamo già aderito a pagoPA tramite la Regione (lettera inviata il %s) e abbiamo richiesto i prodotti in MyExtranet.", fel.Lettera),
		fmt.Sprintf("Il nostro gestionale è di %s, referente tecnico %s.", fel.SHName, fel.SHEmail),
		fmt.Sprintf("Potete contattarmi a %s o al %s.", fel.Email, fel.Telefono),
		"",
		"Grazie e buon lavoro",
		fel.Nome + " " + fel.Cognome,
	}
	add("ho_ig_prose_body_feltrina", "thunderbird", "prose-body", "prose in a plain-text body, no labels: sono ... (C.F. ...), referente dei pagamenti dell'Unione Montana Feltrina...; tipologia not stated",
		hoMsg(fel, "Attivazione MyPay e MyPivot", 6, tb, []part{{ctype: "text/plain; charset=UTF-8; format=flowed", body: []byte(flowed(prose, 72))}}),
		body(ig(fel, []string{"ente.tipologia"}, nil)))

	for i := range c.Manifest.Documents {
		c.Manifest.Documents[i].Batch = "1"
	}
	c.holdoutBatch2()
	c.holdoutBatch3()
	for i, d := range c.Manifest.Documents {
		if d.Batch == "" {
			c.Manifest.Documents[i].Batch = "2"
		}
		if err := checkExpected(d); err != nil {
			return nil, fmt.Errorf("%s: %w", d.File, err)
		}
	}
	slices.SortFunc(c.Manifest.Documents, func(a, b Document) int { return strings.Compare(a.File, b.File) })
	return c, nil
}

// holdoutEntes2 are the entes of batch 2, written after the readers changed in response to
// batch 1 (label-looking values made uncertain, a sentence's final full stop dropped).
func holdoutEntes2() []Ente {
	return []Ente{
		{Den: "Comune di San Donà di Piave", CF: cfEnte("0066924027"), IPA: "c_h823", Tipologia: "Comune",
			Indirizzo: "Piazza Indipendenza 13, 30027 San Donà di Piave (VE)", PEC: "protocollo.comune.sandonadipiave.ve@pecveneto.it",
			Nome: "Alessandra", Cognome: "Furlan", RefCF: cfPerson("Furlan", "Alessandra", 1984, 6, 2, true, "H823"),
			Email: "a.furlan@sandonadipiave.net", Telefono: "0421 590111",
			Servizi: []string{"MyPay", "MyPivot"}, Modalita: []string{"caricamento flussi"},
			TipoCod: "IMU_ACC", TipoDesc: "Accertamenti IMU", IBAN: ibanIT("03069", "36280", "000000551234"),
			SHName: "Piave Software S.r.l.", SHEmail: "help@piavesoftware.it", Adesione: "sì", MyExt: "sì", Lettera: "19/02/2026",
			Prodotto: "Tributi Piave", Versione: "2.4", Azienda: "Piave Software S.r.l.", PIVA: cfEnte("0455566627"),
			AzPEC: "piavesoftware@pec.it", AzEmail: "help@piavesoftware.it",
			WS: []string{"paaSILInviaDovuti", "paaSILChiediPagati"}, Callback: "https://tributi.sandonadipiave.net/mypay/esito",
			IPColl: []string{"188.12.44.7"}, IPEserc: []string{"188.12.44.8", "188.12.44.9"}},
		{Den: "Comune di Abano Terme", CF: cfEnte("0066232025"), IPA: "c_a001", Tipologia: "Comune",
			Indirizzo: "Piazza Caduti 1, 35031 Abano Terme (PD)", PEC: "abanoterme.pd@cert.ip-veneto.net",
			Nome: "Nicola", Cognome: "Bettio", RefCF: cfPerson("Bettio", "Nicola", 1972, 9, 14, false, "A001"),
			Email: "nicola.bettio@abanoterme.net", Telefono: "049 8245111",
			Servizi: []string{"MyPivot"}, Modalita: []string{"pagamenti spontanei"},
			TipoCod: "PARCHEGGI", TipoDesc: "Sosta a pagamento", IBAN: ibanIT("02008", "62380", "000040123456"),
			SHName: "Euganea Web S.r.l.", SHEmail: "assistenza@euganeaweb.it", Adesione: "sì", MyExt: "no", Lettera: "05/01/2026"},
		{Den: "Comune di Montebelluna", CF: cfEnte("8300297026"), IPA: "c_f443", Tipologia: "Comune",
			Indirizzo: "Corso Mazzini 118, 31044 Montebelluna (TV)", PEC: "protocollo.comune.montebelluna.tv@pecveneto.it",
			Nome: "Valentina", Cognome: "Zanin", RefCF: cfPerson("Zanin", "Valentina", 1989, 11, 30, true, "F443"),
			Email: "valentina.zanin@comune.montebelluna.tv.it", Telefono: "0423 617111",
			Servizi: []string{"MyPay"}, Modalita: []string{"web services dal gestionale dell'ente"},
			TipoCod: "SERV_SOC", TipoDesc: "Compartecipazione ai servizi sociali", IBAN: ibanIT("05034", "61820", "000000003344"),
			SHName: "Marca Informatica S.r.l.", SHEmail: "supporto@marcainformatica.it", Adesione: "sì", MyExt: "sì", Lettera: "27/11/2025"},
		{Den: "Azienda ULSS 2 Marca Trevigiana", CF: cfEnte("0489342024"), IPA: "aulss2", Tipologia: "Azienda sanitaria",
			Indirizzo: "Via Sant'Ambrogio di Fiera 37, 31100 Treviso (TV)", PEC: "protocollo.aulss2@pecveneto.it",
			Nome: "Marta", Cognome: "Girardi", RefCF: cfPerson("Girardi", "Marta", 1981, 1, 19, true, "L407"),
			Email: "marta.girardi@aulss2.veneto.it", Telefono: "0422 323111",
			Servizi: []string{"MyPay", "MyPivot"}, Modalita: []string{"pagamenti spontanei", "web services dal gestionale dell'ente"},
			TipoCod: "PRESTAZIONI", TipoDesc: "Prestazioni ambulatoriali", IBAN: ibanIT("03069", "12004", "100000077123"),
			SHName: "Sanità Digitale S.p.A.", SHEmail: "service@sanitadigitale.it", Adesione: "sì", MyExt: "sì", Lettera: "09/01/2026"},
	}
}

// igPairs are an IG's values under the given labels, in the form's order.
func igPairs(e Ente, l [21]string, svc, mod, yes func(string) string) [][2]string {
	if svc == nil {
		svc = func(s string) string { return s }
	}
	return [][2]string{
		{l[0], e.Den}, {l[1], e.CF}, {l[2], e.IPA}, {l[3], e.Tipologia}, {l[4], e.Indirizzo}, {l[5], e.PEC},
		{l[6], e.Nome}, {l[7], e.Cognome}, {l[8], e.RefCF}, {l[9], e.Email}, {l[10], e.Telefono},
		{l[11], svc(strings.Join(e.Servizi, ", "))}, {l[12], mod(strings.Join(e.Modalita, ", "))},
		{l[13], e.TipoCod}, {l[14], e.TipoDesc}, {l[15], e.IBAN}, {l[16], e.SHName}, {l[17], e.SHEmail},
		{l[18], yes(e.Adesione)}, {l[19], e.Lettera}, {l[20], yes(e.MyExt)},
	}
}

func same(s string) string { return s }

// hoBoxCells: a printed-form grid, three boxes per row, each box a small label line above its
// value, all inside one cell.
func hoBoxCells(e Ente) string {
	l := [21]string{"Denominazione dell'ente", "Codice fiscale ente", "Codice IPA", "Tipologia", "Indirizzo sede", "PEC",
		"Nome", "Cognome", "Codice fiscale", "E-mail", "Telefono", "Servizi richiesti", "Modalità di attivazione",
		"Codice tipo dovuto", "Descrizione tipo dovuto", "IBAN di accredito", "Software house", "E-mail software house",
		"Adesione a pagoPA (sì/no)", "Data lettera di adesione", "Prodotti richiesti in MyExtranet (sì/no)"}
	ps := igPairs(e, l, nil, same, same)
	var b strings.Builder
	b.WriteString(htmlHead)
	b.WriteString("<h2>INFORMATIVA GENERALE</h2>\n")
	groups := []struct {
		t    string
		from int
		to   int
	}{{"Ente", 0, 6}, {"Referente dei pagamenti", 6, 11}, {"Servizi", 11, 13}, {"Tipo dovuto", 13, 16}, {"Software house", 16, 18}, {"Prerequisiti", 18, 21}}
	for _, g := range groups {
		fmt.Fprintf(&b, "<p><b>%s</b></p>\n<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">", esc(g.t))
		for i := g.from; i < g.to; i += 3 {
			b.WriteString("<tr>")
			for j := i; j < i+3; j++ {
				if j >= g.to {
					b.WriteString("<td></td>")
					continue
				}
				fmt.Fprintf(&b, "<td><font size=\"1\">%s</font><br>%s</td>", esc(ps[j][0]), esc(ps[j][1]))
			}
			b.WriteString("</tr>\n")
		}
		b.WriteString("</table>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// hoNotesColumn: a Campo | Valore | Note table, the notes saying what to write.
func hoNotesColumn(e Ente, calc bool) string {
	l := [21]string{"Denominazione ente", "Codice fiscale ente", "Codice IPA", "Tipologia ente", "Indirizzo", "PEC ente",
		"Nome referente dei pagamenti", "Cognome referente dei pagamenti", "Codice fiscale referente", "Email referente", "Telefono referente",
		"Servizi richiesti", "Modalità di attivazione", "Codice tipo dovuto", "Descrizione tipo dovuto", "IBAN di accredito",
		"Software house", "Email referente tecnico software house", "Adesione a PagoPA", "Lettera di adesione inviata il", "Prodotti richiesti in MyExtranet"}
	notes := map[int]string{1: "11 cifre", 2: "come da indicepa.gov.it", 5: "obbligatoria", 8: "16 caratteri", 11: "MyPay e/o MyPivot",
		15: "27 caratteri, senza spazi", 18: "sì / no", 19: "formato gg/mm/aaaa", 20: "sì / no"}
	var b strings.Builder
	if calc {
		b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><table border="1">` + "\n")
		b.WriteString("<tr><td colspan=\"3\"><b>Informativa generale dell'ente</b></td></tr>\n")
	} else {
		b.WriteString(htmlHead + "<h2>Informativa generale dell'ente</h2>\n<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">\n")
	}
	b.WriteString("<tr><td><b>Campo</b></td><td><b>Valore</b></td><td><b>Note per la compilazione</b></td></tr>\n")
	for i, p := range igPairs(e, l, nil, same, same) {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td><i>%s</i></td></tr>\n", esc(p[0]), esc(p[1]), esc(notes[i]))
	}
	b.WriteString("</table></body></html>\n")
	return b.String()
}

// hoBullets: an ODT list of "label: value;" items, as a letter attachment.
func hoBullets(e Ente) string {
	l := [21]string{"denominazione", "codice fiscale", "codice IPA", "tipologia", "sede", "PEC",
		"nome del referente dei pagamenti", "cognome del referente dei pagamenti", "codice fiscale del referente", "e-mail del referente", "telefono del referente",
		"servizi richiesti", "modalità di attivazione", "codice del tipo dovuto", "descrizione del tipo dovuto", "IBAN",
		"software house", "e-mail della software house", "adesione a pagoPA", "lettera di adesione inviata il", "prodotti richiesti in MyExtranet"}
	var b strings.Builder
	b.WriteString(htmlHead + "<p>Oggetto: trasmissione dell'Informativa generale dell'ente.</p>\n<p>Si comunicano i seguenti dati:</p>\n<ul>\n")
	ps := igPairs(e, l, nil, same, same)
	for i, p := range ps {
		end := ";"
		if i == len(ps)-1 {
			end = "."
		}
		fmt.Fprintf(&b, "<li>%s: %s%s</li>\n", esc(p[0]), esc(p[1]), end)
	}
	b.WriteString("</ul>\n<p>Distinti saluti.</p></body></html>\n")
	return b.String()
}

// dotted writes "Label ........ value" lines, as plain-text templates do.
func dotted(ps [][2]string) []string {
	var out []string
	for _, p := range ps {
		n := max(3, 44-len([]rune(p[0])))
		out = append(out, p[0]+" "+strings.Repeat(".", n)+" "+p[1])
	}
	return out
}

// thunderbirdHTML is Thunderbird's HTML reply: the new text in <p>/<br>, the earlier message
// under a moz-cite-prefix in <blockquote type="cite"> with <pre class="moz-quote-pre">.
func thunderbirdHTML(lines, quoted []string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html>\n  <head>\n    <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\">\n  </head>\n  <body>\n    <p>")
	for i, l := range lines {
		if i > 0 {
			b.WriteString("<br>\n      ")
		}
		b.WriteString(esc(l))
	}
	b.WriteString("</p>\n    <div class=\"moz-cite-prefix\">Il 10/03/2026 09:14, Call center PagoPA ha scritto:<br>\n    </div>\n    <blockquote type=\"cite\">\n      <pre class=\"moz-quote-pre\" wrap=\"\">")
	b.WriteString(esc(strings.Join(quoted, "\n")))
	b.WriteString("</pre>\n    </blockquote>\n  </body>\n</html>\n")
	return b.String()
}

// holdoutBatch2 adds batch 2.
func (c *Corpus) holdoutBatch2() {
	H := holdoutEntes2()
	sdp, aba, mtb, ulss := H[0], H[1], H[2], H[3]
	ig := func(e Ente, problems ...string) Expected { return expected(formIG, e.IG(), variant{}, nil, problems) }
	c.lo("h2_ig_boxcells_sandona", "box-cells", "printed-form grid: three boxes per row, each a small label line above its value in the same cell; a bold paragraph per section",
		false, hoBoxCells(sdp), []string{"docx", "pdf"}, ig(sdp))
	abaBad := aba
	abaBad.IBAN = breakLast(aba.IBAN)
	c.lo("h2_ig_iban_errato_boxcells_abano", "box-cells", "box grid as above; IBAN with wrong check digits: a problem", false, hoBoxCells(abaBad),
		[]string{"odt"}, ig(abaBad, "tipi_dovuto.iban"))
	c.lo("h2_ig_notes_montebelluna", "notes-column", "Campo | Valore | Note per la compilazione: a third column with hints (11 cifre, sì / no, formato gg/mm/aaaa)", false, hoNotesColumn(mtb, false),
		[]string{"docx"}, ig(mtb))
	c.lo("h2_ig_xlsx_notes_ulss2", "xlsx-notes-column", "Campo | Valore | Note sheet", true, hoNotesColumn(ulss, true), []string{"xlsx"}, ig(ulss))
	c.lo("h2_ig_bullets_abano", "bullet-list", "a letter with a bullet list: lower-case labels (codice fiscale del referente, ...), each item ending with ';'", false, hoBullets(aba),
		[]string{"odt", "pdf"}, ig(aba))

	body := func(x Expected) Expected { x.Source = bodySource; return x }
	add := func(name, producer, layout, note string, m message, forms ...Expected) {
		c.Files["mail/"+name+".eml"] = m.bytes()
		c.add("mail/"+name+".eml", producer, layout, note, forms...)
	}
	l := [21]string{"Denominazione", "C.F. ente", "Codice IPA", "Tipo ente", "Indirizzo", "PEC", "Nome referente", "Cognome referente",
		"C.F. referente", "E-mail referente", "Telefono", "Servizi", "Modalità di attivazione", "Tipo dovuto", "Descrizione tipo dovuto",
		"IBAN", "Fornitore", "E-mail fornitore", "Adesione pagoPA", "Lettera di adesione", "MyExtranet"}
	dottedBody := func(e Ente) []string {
		return append(append([]string{"Buongiorno,", "invio i dati dell'Informativa generale.", ""}, dotted(igPairs(e, l, nil, same, same))...),
			"", "Saluti", e.Nome+" "+e.Cognome)
	}
	tb := "User-Agent: Mozilla Thunderbird"
	add("h2_ig_dotted_montebelluna", "thunderbird", "dotted-leaders", "plain text 'Label ........ value' lines with dot leaders",
		hoMsg(mtb, "Informativa generale Comune di Montebelluna", 11, tb, []part{{ctype: "text/plain; charset=UTF-8; format=flowed", body: []byte(flowed(dottedBody(mtb), 78))}}),
		body(ig(mtb)))
	sdpBad := sdp
	sdpBad.CF = breakLast(sdp.CF)
	add("h2_ig_cf_errato_dotted_sandona", "thunderbird", "dotted-leaders", "dot leaders; codice fiscale ente with a wrong check digit: a problem",
		hoMsg(sdpBad, "Informativa generale", 12, tb, []part{{ctype: "text/plain; charset=UTF-8; format=flowed", body: []byte(flowed(dottedBody(sdpBad), 78))}}),
		body(ig(sdpBad, "ente.codice_fiscale")))
	qep := []string{"Buongiorno,", "ecco i dati della Qualificazione Ente-Prodotto:", "",
		"Ente: " + sdp.Den + " (C.F. " + sdp.CF + ", IPA " + sdp.IPA + ")",
		"Prodotto: " + sdp.Prodotto, "Versione: " + sdp.Versione,
		"Azienda: " + sdp.Azienda + " – P. IVA " + sdp.PIVA,
		"PEC azienda: " + sdp.AzPEC, "Email tecnico: " + sdp.AzEmail,
		"Servizi: " + strings.Join(sdp.Servizi, " + "),
		"Web services utilizzati: " + strings.Join(sdp.WS, " / "),
		"URL callback: <" + sdp.Callback + ">",
		"IP collaudo: " + strings.Join(sdp.IPColl, ", "),
		"IP esercizio: " + strings.Join(sdp.IPEserc, ", "), "",
		"Cordiali saluti", sdp.Azienda}
	qx := expected(formQEP, sdp.QEP(), variant{}, nil, nil)
	add("h2_qep_thunderbird_html_sandona", "thunderbird", "html-moz-cite", "Thunderbird HTML reply: lines joined by <br>, codes in parentheses after the ente, P. IVA after the company on one line, URL in angle brackets, the request quoted in <pre class=\"moz-quote-pre\">",
		hoMsg(sdp, "Re: Qualificazione Ente-Prodotto", 13, tb, []part{{ctype: "text/html; charset=UTF-8", body: []byte(thunderbirdHTML(qep, staffRequest))}}),
		body(qx))
}
