package corpus

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"mailbot/parsers"
)

const bodySource = parsers.SourceBody

func signature(e Ente) []string {
	return []string{"", "Cordiali saluti", "", e.Nome + " " + e.Cognome, "Servizio Ragioneria – " + e.Den}
}

// esiti is a test report in the body: blocks and the expected form.
func esiti(e Ente, ips []string, ipSep string, extra map[string]any, problems []string) ([]block, Expected) {
	bs := []block{
		{Kind: bPair, Key: "collaudo.data", Text: "Data collaudo", Lines: []string{"11/03/2026"}},
		{Kind: bPair, Key: "collaudo.esito", Text: "Esito", Lines: []string{"positivo"}},
		{Kind: bPair, Key: "collaudo.pagamenti_prova", Text: "Pagamenti di prova eseguiti", Lines: []string{"3 pagamenti con carta di test, tutti a buon fine"}},
		{Kind: bPair, Key: "ip_esercizio", Text: "IP per l'esercizio", Lines: []string{strings.Join(ips, ipSep)}},
	}
	f := map[string]any{
		"collaudo.data":            "11/03/2026",
		"collaudo.esito":           "positivo",
		"collaudo.pagamenti_prova": "3 pagamenti con carta di test, tutti a buon fine",
		"ip_esercizio":             e.IPEserc,
	}
	for k, v := range extra {
		f[k] = v
	}
	return bs, Expected{Type: formEC, Source: bodySource, Fields: f, Problems: problems}
}

// quotedReply is an earlier mailbot answer, quoted under a reply: its values must not be read.
var quotedReply = []string{
	"Gentile referente,",
	"la richiesta è stata registrata con il numero INT-2026-00042.",
	"Mancano o non sono validi i seguenti dati:",
	"Codice fiscale ente: 12345678901 (cifra di controllo errata)",
	"Email referente: mancante",
	"IP chiamanti in collaudo: 10.0.0.1 (indirizzo privato)",
	"",
	"Regione del Veneto – Call center PagoPA",
}

func (c *Corpus) mails(E []Ente) error {
	const to = "call.center@regione.veneto.it"
	const cc = "cluster.innovazione@regione.veneto.it"
	n := 0
	msg := func(e Ente, subject string) message {
		n++
		return message{
			from:    fmt.Sprintf("%s %s <%s>", e.Nome, e.Cognome, e.Email),
			to:      to,
			cc:      cc,
			subject: subject,
			date:    time.Date(2026, 3, 2+n%20, 10, n, 0, 0, time.FixedZone("CET", 3600)).Format(time.RFC1123Z),
			id:      fmt.Sprintf("%08x.corpus.%d@%s", 0x5eed0000+n*7919, n, strings.SplitN(e.Email, "@", 2)[1]),
		}
	}
	withSource := func(x Expected, src string) Expected { x.Source = src; return x }
	bodyOnly := func(bs []block) []block { // drop the title: a body is not a form's printout
		return slices.DeleteFunc(slices.Clone(bs), func(b block) bool { return b.Kind == bTitle })
	}
	hello := []string{"Buongiorno,", "con la presente inviamo i dati richiesti per l'attivazione.", ""}

	// --- Outlook ---
	{
		e := E[0]
		v := variant{Labels: lbOffice}
		bs := formBlocks(formIG, e, v)
		m := msg(e, "Richiesta attivazione MyPay - "+e.Den)
		m.extra = []string{"X-Mailer: Microsoft Outlook 16.0", "Thread-Index: AdqYq1Bz3n0gPq1nQ1uV5x8m2kq3Lw=="}
		m.alt = []part{
			{ctype: "text/plain; charset=\"utf-8\"", body: []byte(outlookPlain(hello, signature(e), bs, true))},
			{ctype: "text/html; charset=\"utf-8\"", body: []byte(outlookHTML(hello, signature(e), bs, true))},
		}
		c.Files["outlook/outlook_ig_table_padova.eml"] = m.bytes()
		c.add("outlook/outlook_ig_table_padova.eml", "outlook", "table", "Outlook table in HTML; the text/plain alternative has one cell per line and addresses as name@ente.it <mailto:name@ente.it>",
			withSource(expected(formIG, e.IG(), v, nil, nil), bodySource))
	}
	{
		e := E[1]
		v := variant{Labels: lbForm, Svc: chBefore}
		bs := bodyOnly(formBlocks(formIG, e, v))
		m := msg(e, "Informativa generale "+e.Den)
		m.extra = []string{"X-Mailer: Microsoft Outlook 16.0"}
		m.alt = []part{{ctype: "text/html; charset=\"utf-8\"", body: []byte(outlookHTML(hello, signature(e), bs, false))}}
		c.Files["outlook/outlook_ig_paragraphs_treviso.eml"] = m.bytes()
		c.add("outlook/outlook_ig_paragraphs_treviso.eml", "outlook", "paragraphs", "HTML only (no text/plain): MsoNormal paragraphs Label: value, mailto links",
			withSource(expected(formIG, e.IG(), v, nil, nil), bodySource))
	}
	{
		e := E[2]
		v := variant{Labels: lbOffice, Svc: chAfter, IPSep: "; "}
		bs := formBlocks(formQEP, e, v)
		m := msg(e, "Qualificazione ente-prodotto "+e.Den)
		m.extra = []string{"X-Mailer: Microsoft Outlook 16.0"}
		m.alt = []part{
			{ctype: "text/plain; charset=\"utf-8\"", body: []byte(outlookPlain(hello, signature(e), bs, true))},
			{ctype: "text/html; charset=\"utf-8\"", body: []byte(outlookHTML(hello, signature(e), bs, true))},
		}
		c.Files["outlook/outlook_qep_table_rovigo.eml"] = m.bytes()
		c.add("outlook/outlook_qep_table_rovigo.eml", "outlook", "table", "Outlook table; the mark after the option; IPs separated by semicolons",
			withSource(expected(formQEP, e.QEP(), v, nil, nil), bodySource))
	}
	{
		e := E[3]
		bs, exp := esiti(e, e.IPEserc, ", ", nil, nil)
		intro := []string{"Buongiorno,", "vi comunichiamo gli esiti dei test in collaudo e chiediamo il passaggio in esercizio.", ""}
		m := msg(e, "Esiti collaudo MyPivot - "+e.Den)
		m.alt = []part{
			{ctype: "text/plain; charset=\"utf-8\"", body: []byte(outlookPlain(intro, signature(e), bs, false))},
			{ctype: "text/html; charset=\"utf-8\"", body: []byte(outlookHTML(intro, signature(e), bs, false))},
		}
		c.Files["outlook/outlook_esiti_belluno.eml"] = m.bytes()
		c.add("outlook/outlook_esiti_belluno.eml", "outlook", "paragraphs", "test report: a date line just before the IP line", exp)
	}
	{
		e := E[4]
		v := variant{Labels: lbOffice, Blank: map[string]string{"referente.telefono": "n.d.", "software_house.ragione_sociale": "—", "software_house.email": "—"}}
		bs := bodyOnly(formBlocks(formIG, e, v))
		m := msg(e, "Adesione MyPay MyPivot "+e.Den)
		m.alt = []part{
			{ctype: "text/plain; charset=\"utf-8\"", body: []byte(outlookPlain(hello, signature(e), bs, false))},
			{ctype: "text/html; charset=\"utf-8\"", body: []byte(outlookHTML(hello, signature(e), bs, false))},
		}
		c.Files["outlook/outlook_ig_nd_chioggia.eml"] = m.bytes()
		c.add("outlook/outlook_ig_nd_chioggia.eml", "outlook", "paragraphs", "values n.d. and — meaning empty",
			withSource(expected(formIG, e.IG(), v, nil, nil), bodySource))
	}
	{
		// The most common complete request: services named in the body, both forms attached.
		e := E[9]
		vi := variant{Labels: lbSections, Sections: secCaption, Svc: chLegacy, YN: chLegacy}
		vq := variant{Labels: lbOffice, Svc: chLegacy}
		ig, err := docxZip(wordXML(formBlocks(formIG, e, vi), wvFormText, secCaption, nil, false))
		if err != nil {
			return err
		}
		qep, err := docxZip(wordXML(formBlocks(formQEP, e, vq), wvFormText, "", nil, false))
		if err != nil {
			return err
		}
		intro := []string{"Buongiorno,", "vorremmo attivare MyPay e MyPivot: in allegato l'informativa generale e la qualificazione ente-prodotto compilate.", ""}
		m := msg(e, "Richiesta integrazione MyPay e MyPivot - "+e.Den)
		m.alt = []part{
			{ctype: "text/plain; charset=\"utf-8\"", body: []byte(outlookPlain(intro, signature(e), nil, false))},
			{ctype: "text/html; charset=\"utf-8\"", body: []byte(outlookHTML(intro, signature(e), nil, false))},
		}
		const docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		m.attach = []part{
			{ctype: docx + "; name=\"Informativa_generale.docx\"", disposition: "attachment", filename: "Informativa_generale.docx", body: ig, base64: true},
			{ctype: docx + "; name=\"Qualificazione_ente_prodotto.docx\"", disposition: "attachment", filename: "Qualificazione_ente_prodotto.docx", body: qep, base64: true},
		}
		c.Files["outlook/outlook_attachments_jesolo.eml"] = m.bytes()
		c.add("outlook/outlook_attachments_jesolo.eml", "outlook", "attachments", "services named in the body, both forms attached as Word DOCX with legacy fields",
			withSource(expected(formIG, e.IG(), vi, nil, nil), "Informativa_generale.docx"),
			withSource(expected(formQEP, e.QEP(), vq, nil, nil), "Qualificazione_ente_prodotto.docx"))
	}

	{
		e := E[9]
		v := variant{Labels: lbSections, Sections: secBold, Svc: chBefore}
		bs := bodyOnly(formBlocks(formIG, e, v))
		m := msg(e, "Modulo informativa generale - "+e.Den)
		m.extra = []string{"X-Mailer: Microsoft Outlook 16.0"}
		m.alt = []part{
			{ctype: "text/plain; charset=\"utf-8\"", body: []byte(outlookPlain(hello, signature(e), bs, true))},
			{ctype: "text/html; charset=\"utf-8\"", body: []byte(outlookHTML(hello, signature(e), bs, true))},
		}
		c.Files["outlook/outlook_ig_sections_jesolo.eml"] = m.bytes()
		c.add("outlook/outlook_ig_sections_jesolo.eml", "outlook", "sections", "bold section headings (1. Ente, 2. Referente dei pagamenti) each followed by a table with generic labels (Nome, Codice fiscale, Email)",
			withSource(expected(formIG, e.IG(), v, nil, nil), bodySource))
	}

	{
		// A reply in Outlook: the corrected values above Outlook's header block (Da/Inviato/A/
		// Oggetto) and the earlier answer, which lists other values.
		e := E[2]
		v := variant{Labels: lbForm, Svc: chText}
		bs := bodyOnly(formBlocks(formIG, e, v))
		intro := []string{"Buongiorno,", "ecco i dati corretti.", ""}
		head := []string{"Da: Call center PagoPA <call.center@regione.veneto.it>", "Inviato: lunedì 2 marzo 2026 16:20", "A: " + e.Email, "Oggetto: [INT-2026-00042] Richiesta attivazione " + e.Den}
		plain := strings.TrimSuffix(outlookPlain(intro, signature(e), bs, false), "\r\n") + "\r\n\r\n" +
			strings.Join(append(append(head, ""), quotedReply...), "\r\n") + "\r\n"
		h := outlookHTML(intro, signature(e), bs, false)
		var q strings.Builder
		q.WriteString(`<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'><p class=MsoNormal>`)
		for i, l := range head {
			k, rest, _ := strings.Cut(l, ": ")
			if i > 0 {
				q.WriteString("<br>")
			}
			fmt.Fprintf(&q, "<b>%s:</b> %s", esc(k), esc(rest))
		}
		q.WriteString("<o:p></o:p></p></div><p class=MsoNormal><o:p>&nbsp;</o:p></p>")
		for _, l := range quotedReply {
			fmt.Fprintf(&q, "<p class=MsoNormal>%s<o:p></o:p></p>", esc(l))
		}
		h = strings.Replace(h, "</div></body></html>", q.String()+"</div></body></html>", 1)
		m := msg(e, "RE: [INT-2026-00042] Richiesta attivazione "+e.Den)
		m.extra = []string{"X-Mailer: Microsoft Outlook 16.0", "In-Reply-To: <INT-2026-00042.1@mailbot.regione.veneto.it>"}
		m.alt = []part{
			{ctype: "text/plain; charset=\"utf-8\"", body: []byte(plain)},
			{ctype: "text/html; charset=\"utf-8\"", body: []byte(h)},
		}
		c.Files["outlook/outlook_ig_reply_rovigo.eml"] = m.bytes()
		c.add("outlook/outlook_ig_reply_rovigo.eml", "outlook", "reply-quote", "a reply above Outlook's Da/Inviato/A/Oggetto block and the quoted earlier answer, which names other (invalid) values",
			withSource(expected(formIG, e.IG(), v, nil, nil), bodySource))
	}

	// --- Gmail ---
	gmail := func(file, layout, note string, e Ente, subject string, intro []string, bs []block, quote bool, htmlOnly bool, exp ...Expected) {
		m := msg(e, subject)
		attr, q := "", []string(nil)
		if quote {
			attr, q = "Il giorno lun 2 mar 2026 alle ore 16:20 Call center PagoPA <call.center@regione.veneto.it> ha scritto:", quotedReply
			m.subject = "Re: " + subject
		}
		m.from = fmt.Sprintf("%s %s <%s.%s.%d@gmail.com>", e.Nome, e.Cognome, strings.ToLower(stripAccents(e.Nome)), strings.ToLower(stripAccents(e.Cognome)), 70+len(file)%20)
		h := part{ctype: "text/html; charset=\"UTF-8\"", body: []byte(gmailHTML(intro, signature(e), bs, attr, q))}
		if htmlOnly {
			m.alt = []part{h}
		} else {
			m.alt = []part{{ctype: "text/plain; charset=\"UTF-8\"", body: []byte(gmailPlain(intro, signature(e), bs, attr, q))}, h}
		}
		c.Files["gmail/"+file] = m.bytes()
		c.add("gmail/"+file, "gmail", layout, note, exp...)
	}
	{
		e := E[7]
		v := variant{Labels: lbForm, Svc: chText}
		gmail("gmail_ig_quote_castelfranco.eml", "paragraphs", "reply above Gmail's quote of an earlier answer that lists other (invalid) values", e, "Richiesta attivazione "+e.Den,
			[]string{"Buongiorno,", "ecco i dati corretti.", ""}, bodyOnly(formBlocks(formIG, e, v)), true, false,
			withSource(expected(formIG, e.IG(), v, nil, nil), bodySource))
	}
	{
		e := E[8]
		v := variant{Labels: lbOffice, Svc: chBrackets}
		gmail("gmail_qep_quote_schio.eml", "paragraphs", "Qualificazione Ente-Prodotto in a Gmail reply with the earlier answer quoted", e, "Qualificazione ente-prodotto "+e.Den,
			[]string{"Buongiorno,", "di seguito la qualificazione ente-prodotto.", ""}, formBlocks(formQEP, e, v), true, false,
			withSource(expected(formQEP, e.QEP(), v, nil, nil), bodySource))
	}
	{
		e := E[9]
		bs, exp := esiti(e, e.IPEserc, " e ", nil, nil)
		gmail("gmail_esiti_jesolo.eml", "paragraphs", "test report, HTML only", e, "Esiti test MyPay "+e.Den,
			[]string{"Buongiorno,", "i test in collaudo sono andati a buon fine, chiediamo il passaggio in esercizio.", ""}, bs, false, true, exp)
	}
	{
		e := E[6]
		v := variant{Labels: lbOffice, Svc: chText, Blank: map[string]string{"referente.telefono": "______", "software_house.email": "__________"}}
		gmail("gmail_ig_underscores_ulss.eml", "paragraphs", "HTML only; blank-line underscores meaning empty", e, "Informativa generale "+e.Den,
			hello, bodyOnly(formBlocks(formIG, e, v)), false, true,
			withSource(expected(formIG, e.IG(), v, nil, nil), bodySource))
	}
	{
		e := E[0]
		bad := e
		bad.IPColl = append(slices.Clone(e.IPColl), "10.20.30.40")
		v := variant{Labels: lbForm, Svc: chText}
		gmail("gmail_qep_ip_privato_padova.eml", "paragraphs", "a private IP in collaudo: dropped, a problem", e, "Qualificazione ente-prodotto "+e.Den,
			hello, formBlocks(formQEP, bad, v), false, false,
			withSource(expected(formQEP, e.QEP(), v, nil, []string{"ip_collaudo"}), bodySource))
	}

	// --- Plain text bodies ---
	plain := func(file, layout, note string, e Ente, subject string, lines []string, exp ...Expected) {
		m := msg(e, subject)
		m.extra = []string{"User-Agent: Mozilla Thunderbird"}
		m.alt = []part{{ctype: "text/plain; charset=UTF-8; format=flowed", body: []byte(strings.Join(lines, "\r\n") + "\r\n")}}
		c.Files["body/"+file] = m.bytes()
		c.add("body/"+file, "body", layout, note, exp...)
	}
	{
		e := E[1]
		v := variant{Labels: lbOffice, Blank: map[string]string{"software_house.ragione_sociale": "—", "software_house.email": "-", "referente.telefono": "n.d."}}
		plain("body_ig_treviso.eml", "paragraphs", "Label: value lines; — , - and n.d. meaning empty", e, "Attivazione MyPay "+e.Den,
			plainLines(hello, signature(e), bodyOnly(formBlocks(formIG, e, v)), ", "),
			withSource(expected(formIG, e.IG(), v, nil, nil), bodySource))
	}
	{
		e := E[2]
		v := variant{Labels: lbForm, Svc: chText}
		plain("body_qep_rovigo.eml", "paragraphs", "Qualificazione Ente-Prodotto with its title in the body", e, "Qualificazione ente-prodotto "+e.Den,
			plainLines(hello, signature(e), formBlocks(formQEP, e, v), ", "),
			withSource(expected(formQEP, e.QEP(), v, nil, nil), bodySource))
	}
	{
		e := E[4]
		bs, exp := esiti(e, e.IPEserc, "\n", nil, nil)
		lines := []string{"Buongiorno,", "comunichiamo l'esito dei test.", ""}
		for _, b := range bs {
			if b.Key == "ip_esercizio" {
				lines = append(lines, "IP per l'esercizio:")
				lines = append(lines, strings.Split(b.Lines[0], "\n")...)
				continue
			}
			lines = append(lines, b.Text+": "+b.Lines[0])
		}
		plain("body_esiti_chioggia.eml", "paragraphs", "test report, the IPs one per line under their label", e, "Esiti collaudo "+e.Den,
			append(lines, signature(e)...), exp)
	}
	{
		e := E[3]
		vi := variant{Labels: lbForm, Svc: chText}
		vq := variant{Labels: lbForm, Svc: chText}
		lines := plainLines(hello, nil, formBlocks(formIG, e, vi), ", ")
		lines = append(lines, plainLines(nil, signature(e), formBlocks(formQEP, e, vq), ", ")...)
		plain("body_both_forms_belluno.eml", "paragraphs", "both forms in one body, each under its title", e, "Richiesta integrazione "+e.Den, lines,
			withSource(expected(formIG, e.IG(), vi, nil, nil), bodySource),
			withSource(expected(formQEP, e.QEP(), vq, nil, nil), bodySource))
	}
	{
		e := E[5]
		v := variant{Labels: lbOffice, Svc: chBrackets, Blank: map[string]string{"ente.tipologia": "______", "referente.telefono": "__________", "software_house.email": "___"}}
		plain("body_ig_underscores_bassano.eml", "paragraphs", "a blank form pasted in the body and filled in: unfilled lines stay underscores", e, "Informativa generale "+e.Den,
			plainLines(hello, signature(e), formBlocks(formIG, e, v), ", "),
			withSource(expected(formIG, e.IG(), v, nil, nil), bodySource))
	}
	{
		e := E[6]
		bs, exp := esiti(e, append([]string{"192.168.0.10"}, e.IPEserc...), ", ", nil, []string{"ip_esercizio"})
		plain("body_esiti_ip_privato_ulss.eml", "paragraphs", "test report with a private IP: dropped, a problem", e, "Esiti collaudo "+e.Den,
			plainLines([]string{"Buongiorno,", "esiti del collaudo:", ""}, signature(e), bs, ", "), exp)
	}
	{
		e := E[0]
		v := variant{Labels: lbSections, Svc: chText}
		plain("body_ig_sections_padova.eml", "sections", "numbered section lines (1. Ente, 2. Referente dei pagamenti) then generic labels: Codice fiscale twice", e, "Dati per attivazione "+e.Den,
			plainLines(hello, signature(e), bodyOnly(formBlocks(formIG, e, v)), ", "),
			withSource(expected(formIG, e.IG(), v, nil, nil), bodySource))
	}
	{
		e := E[7]
		bad := e
		bad.AzEmail = "tecnico@" + strings.TrimSuffix(strings.SplitN(e.AzEmail, "@", 2)[1], ".it")
		v := variant{Labels: lbOffice, Svc: chText}
		plain("body_qep_email_errata_castelfranco.eml", "paragraphs", "the technical referent's email without a top-level domain: a problem", e, "Qualificazione ente-prodotto "+e.Den,
			plainLines(hello, signature(e), formBlocks(formQEP, bad, v), ", "),
			withSource(expected(formQEP, bad.QEP(), v, nil, []string{"azienda.email_referente_tecnico"}), bodySource))
	}
	return nil
}

// checkExpected verifies that every expected value is valid by the parsers' own checks, unless
// its key is listed as a problem: a corpus with a typo in a "valid" code would blame the reader.
func checkExpected(d Document) error {
	for _, f := range d.Forms {
		spec := parsers.Spec(f.Type)
		if spec == nil {
			return fmt.Errorf("unknown form type %q", f.Type)
		}
		for k, v := range f.Fields {
			var fd *parsers.Field
			for i := range spec.Fields {
				if spec.Fields[i].Key == k {
					fd = &spec.Fields[i]
				}
			}
			if fd == nil {
				return fmt.Errorf("%s: %s is not a field", f.Type, k)
			}
			if slices.Contains(f.Problems, k) && fd.Kind != parsers.KindIPs {
				continue
			}
			s, _ := v.(string)
			var err error
			switch fd.Kind {
			case parsers.KindCFEnte:
				_, err = parsers.CheckCFEnte(s)
			case parsers.KindPIVA:
				_, err = parsers.CheckPIVA(s)
			case parsers.KindCFPerson:
				_, err = parsers.CheckCFPerson(s)
			case parsers.KindIBAN:
				_, err = parsers.CheckIBAN(s)
			case parsers.KindEmail:
				_, err = parsers.CheckEmail(s)
			case parsers.KindPEC:
				_, err = parsers.CheckPEC(s)
			case parsers.KindIPs:
				for _, ip := range v.([]string) {
					if err = parsers.CheckIP(ip); err != nil {
						break
					}
				}
			}
			if err != nil {
				return fmt.Errorf("%s %s = %v: %w", f.Type, k, v, err)
			}
		}
	}
	return nil
}
