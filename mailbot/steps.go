package mailbot

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"mailbot/parsers"
	"mailbot/templates"
	"mailbot/ticketing"
)

// message is what intake knows of one incoming message: its envelope and, when it could be
// read, the analysis of its content (for a PEC message, of the inner message).
type message struct {
	env *parsers.Envelope
	an  *parsers.Analysis // nil when the content could not be analysed
}

func (m message) from() string {
	if m.an != nil && m.an.PEC != nil && m.an.From != "" {
		return strings.ToLower(m.an.From)
	}
	return replyTo(m.env)
}

func (m message) subject() string {
	if m.an != nil && m.an.PEC != nil && m.an.Subject != "" {
		return m.an.Subject
	}
	return m.env.Subject
}

func (m message) forms() []parsers.Form {
	if m.an == nil {
		return nil
	}
	return m.an.Forms
}

func (m message) text() string {
	if m.an == nil {
		return ""
	}
	return m.an.Text
}

// outcome is what a referent's message does to its case.
type outcome struct {
	reply       string   // template of the answer to the referent, "" for none
	nextStep    string   // what happens next, in the answer
	missing     []string // what the referent must still send or correct
	blankForms  []string // form types whose blank forms go with the answer
	staffNotice string   // why staff must look, "" for nothing
}

// Forms each kind of case must carry at its first step.
var (
	integrationForms   = []string{parsers.FormInformativaGenerale, parsers.FormQualificazioneEnteProdotto}
	qualificationForms = []string{parsers.FormDomandaInvito, parsers.FormQualificazioneProdotto, parsers.FormQualificazioneProcesso}
)

// kindOf tells an integration request from a company's qualification request.
func kindOf(m message) string {
	for _, f := range m.forms() {
		if slices.Contains(qualificationForms, f.Type) {
			return ticketing.KindQualification
		}
	}
	if qualificationRE.MatchString(m.subject()) {
		return ticketing.KindQualification
	}
	return ticketing.KindIntegration
}

var (
	qualificationRE = regexp.MustCompile(`(?i)qualificazione\s+(del\s+)?(prodott|processo)|domanda\s+di\s+invito`)
	productionRE    = regexp.MustCompile(`(?i)esercizio|produzione`)
	resultsRE       = regexp.MustCompile(`(?i)esit[oi]|(test|prove|collaudo)[^.\n]{0,30}(superat|complet|eseguit|effettuat|conclus|positiv|andat[ie]\s+a\s+buon\s+fine)`)
	negativeRE      = regexp.MustCompile(`(?i)esito\s*(:|\s)\s*negativo|test\s+(non\s+superat|fallit)|non\s+(sono\s+)?(riusciti|andati\s+a\s+buon\s+fine)`)
	paymentDoneRE   = regexp.MustCompile(`(?i)pagamento[^.\n]{0,40}(effettuat|eseguit|riuscit|andat[oa]\s+a\s+buon\s+fine|completat|concluso)|(effettuat|eseguit|completat)\w*\s+(con\s+successo\s+)?(il|un)\s+pagamento|siamo\s+(in\s+esercizio|operativi)|servizio\s+(è\s+)?(attivo|disponibile)`)
	paymentFailRE   = regexp.MustCompile(`(?i)pagamento[^.\n]{0,40}(non\s+(è\s+)?(riuscit|andat)|fallit|rifiutat|errore)|non\s+(siamo\s+)?riusciti`)
)

// recordForms files the forms of a message with the ticket and updates what the ticket says of
// the ente and the services.
func (in *Intake) recordForms(tx *ticketing.Tx, tk *ticketing.Ticket, m message, now time.Time) error {
	for _, f := range m.forms() {
		// Untyped forms ("Label: value" lines in a body) are kept too: they name the ente.
		rec := ticketing.Form{MessageID: m.env.MessageID, Type: f.Type, Source: f.Source, Fields: f.Fields, ReceivedAt: now}
		for _, p := range f.Problems {
			rec.Problems = append(rec.Problems, ticketing.Problem{Field: p.Field, Message: p.Message})
		}
		if err := tx.AddForm(tk.ID, rec); err != nil {
			return err
		}
	}
	forms, err := tx.Forms(tk.ID)
	if err != nil {
		return err
	}
	ente, services := tk.Ente, tk.Services
	for _, f := range forms { // later forms win
		if v := f.Field("ente.denominazione"); v != "" {
			ente.Name = v
		}
		if v := f.Field("ente.codice_fiscale"); v != "" && !hasProblem(f, "ente.codice_fiscale") {
			ente.CodiceFiscale = v
		}
		if v := f.Field("ente.codice_ipa"); v != "" && !hasProblem(f, "ente.codice_ipa") {
			ente.CodiceIPA = v
		}
		if v := f.List("servizi"); len(v) > 0 {
			services = v
		}
	}
	if ente == tk.Ente && slices.Equal(services, tk.Services) {
		return nil
	}
	tk.Ente, tk.Services = ente, services
	return tx.SetEnte(tk.ID, ente, services, now)
}

func hasProblem(f ticketing.Form, field string) bool {
	for _, p := range f.Problems {
		if p.Field == field {
			return true
		}
	}
	return false
}

// documentsCheck lists what the case file of a ticket still lacks at its first step: forms
// absent, required fields empty, values invalid, prerequisites not declared.
func documentsCheck(kind string, forms []ticketing.Form) (missing, blank []string) {
	required := integrationForms
	if kind == ticketing.KindQualification {
		required = qualificationForms
	}
	latest := ticketing.Latest(forms)
	for _, t := range required {
		f, ok := latest[t]
		spec := parsers.Spec(t)
		if !ok {
			missing = append(missing, fmt.Sprintf("il modulo «%s» compilato", spec.Title))
			blank = append(blank, t)
			continue
		}
		for _, p := range f.Problems {
			missing = append(missing, p.Message)
		}
		for _, fld := range spec.Fields {
			if fld.Required && strings.TrimSpace(f.Field(fld.Key)) == "" && !hasProblem(f, fld.Key) {
				missing = append(missing, fmt.Sprintf("nel modulo «%s», il campo «%s»", spec.Title, fld.Label))
			}
		}
		if t == parsers.FormInformativaGenerale {
			for _, k := range []string{"prerequisiti.adesione_pagopa", "prerequisiti.prodotti_myextranet"} {
				if v := strings.ToLower(f.Field(k)); v != "" && !strings.HasPrefix(v, "s") && v != "x" {
					missing = append(missing, prerequisiteText(k))
				}
			}
		}
	}
	return dedupe(missing), blank
}

func prerequisiteText(key string) string {
	if key == "prerequisiti.adesione_pagopa" {
		return "l'adesione a PagoPA con Regione del Veneto come intermediario tecnologico (prerequisito: va completata prima dell'integrazione)"
	}
	return "la richiesta dei prodotti MyPay e MyPivot in MyExtranet, funzione Gestione Prodotti (prerequisito)"
}

func dedupe(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

const (
	nextTestSetup       = "la Regione predispone ora l'ambiente di collaudo per l'ente e le invierà le credenziali di accesso con le indicazioni operative."
	nextSendDocuments   = "ci invii, rispondendo a questo messaggio, i documenti e le correzioni elencati; i moduli da compilare sono allegati."
	nextProductionSetup = "la Regione predispone ora l'ambiente di esercizio e le invierà le credenziali di produzione."
	nextProductionInfo  = "ci invii, rispondendo a questo messaggio, le informazioni elencate: con queste attiveremo l'ambiente di esercizio."
	nextCompleted       = "nessuno: l'integrazione è completata e il servizio può essere messo a disposizione dei cittadini."
	nextReview          = "la Regione esamina la documentazione del prodotto e le comunicherà l'avvio della fase pilota con l'ente indicato."
)

// step applies a message of the requester to its case: the step it completes, or what is missing.
func (in *Intake) step(tx *ticketing.Tx, tk *ticketing.Ticket, m message, isNew bool, now time.Time) (outcome, error) {
	var o outcome
	if err := in.recordForms(tx, tk, m, now); err != nil {
		return o, err
	}
	if m.an != nil && len(m.an.Unreadable) > 0 {
		var parts []string
		for _, u := range m.an.Unreadable {
			parts = append(parts, u.Part)
			o.missing = append(o.missing, fmt.Sprintf("l'allegato «%s» non è leggibile automaticamente (%s): lo esaminerà un operatore; se può, ce lo invii in formato DOCX, ODT o PDF compilabile", u.Part, u.Reason))
		}
		if err := tx.SetFlag(tk.ID, "allegati non leggibili: "+strings.Join(parts, ", "), "mailbot", now); err != nil {
			return o, err
		}
		o.staffNotice = "allegati non leggibili automaticamente: " + strings.Join(parts, ", ")
	}
	if m.an != nil {
		for _, r := range m.an.Rejected {
			o.missing = append(o.missing, fmt.Sprintf("l'allegato «%s» non è stato letto: %s", r.Part, r.Reason))
		}
	}
	forms, err := tx.Forms(tk.ID)
	if err != nil {
		return o, err
	}
	switch tk.State {
	case ticketing.StateAwaitingDocuments:
		if !isNew && len(m.forms()) == 0 && len(o.missing) == 0 {
			// A question or a note, no documents: the referent already has the list of what is
			// missing; a person answers the rest.
			o.staffNotice = joinNotice(o.staffNotice, "nuovo messaggio del referente, senza documenti")
			return o, nil
		}
		missing, blank := documentsCheck(tk.Kind, forms)
		if len(missing) == 0 && len(o.missing) == 0 {
			to, next, notice := ticketing.StateTestSetup, nextTestSetup, "richiesta completa: predisporre l'ambiente di collaudo"
			if tk.Kind == ticketing.KindQualification {
				to, next, notice = ticketing.StateUnderReview, nextReview, "domanda di qualificazione completa: da esaminare"
			}
			if err := tx.SetState(tk.ID, to, "mailbot", "documenti completi", now); err != nil {
				return o, err
			}
			tk.State = to
			o.reply, o.nextStep, o.staffNotice = "docs_complete", next, joinNotice(o.staffNotice, notice)
			if isNew {
				o.reply = "ack"
			}
			return o, nil
		}
		o.missing = append(missing, o.missing...)
		o.blankForms, o.nextStep, o.reply = blank, nextSendDocuments, "docs_missing"
		if isNew {
			o.reply = "ack"
		}
		return o, nil
	case ticketing.StateTesting:
		return in.productionRequest(tx, tk, m, forms, o, now)
	case ticketing.StateProductionCheck:
		text := m.text() + " " + m.subject()
		if paymentDoneRE.MatchString(text) && !paymentFailRE.MatchString(text) {
			if err := in.complete(tx, tk, "pagamento in esercizio confermato dal referente", now); err != nil {
				return o, err
			}
			o.reply, o.nextStep = "completed", nextCompleted
			return o, nil
		}
		o.staffNotice = joinNotice(o.staffNotice, "messaggio in verifica di esercizio non compreso: serve un operatore")
		return o, tx.SetFlag(tk.ID, "messaggio da leggere: esito del pagamento in esercizio non chiaro", "mailbot", now)
	default:
		// The Region's turn, or a closed case: a person reads it.
		o.staffNotice = joinNotice(o.staffNotice, fmt.Sprintf("nuovo messaggio del referente (pratica in stato %s)", tk.State))
		return o, nil
	}
}

// productionRequest handles step 3: test results, the request for production and caller IPs.
func (in *Intake) productionRequest(tx *ticketing.Tx, tk *ticketing.Ticket, m message, forms []ticketing.Form, o outcome, now time.Time) (outcome, error) {
	text := m.text() + "\n" + m.subject()
	var esiti *parsers.Form
	for i, f := range m.forms() {
		if f.Type == parsers.FormEsitiCollaudo {
			esiti = &m.forms()[i]
		}
	}
	var ips []string
	var ipProblems []string
	if m.an != nil {
		ips = m.an.IPs
		for _, f := range m.an.Forms {
			for _, p := range f.Problems {
				if strings.HasPrefix(p.Field, "ip") {
					ipProblems = append(ipProblems, p.Message)
				}
			}
		}
	}
	asksProduction := productionRE.MatchString(text) || esiti != nil
	hasResults := resultsRE.MatchString(text) || (esiti != nil && esiti.Fields["collaudo.esito"] != nil)
	if !asksProduction && len(ips) == 0 && len(ipProblems) == 0 {
		o.staffNotice = joinNotice(o.staffNotice, "messaggio durante il collaudo non compreso: serve un operatore")
		return o, tx.SetFlag(tk.ID, "messaggio da leggere durante il collaudo", "mailbot", now)
	}
	negative := negativeRE.MatchString(text)
	if esiti != nil {
		if v, _ := esiti.Fields["collaudo.esito"].(string); strings.HasPrefix(strings.ToLower(v), "neg") {
			negative = true
		}
	}
	var missing []string
	if !hasResults {
		missing = append(missing, "gli esiti dei test svolti in collaudo (per MyPay anche i pagamenti di prova con le carte di collaudo)")
	}
	if negative {
		missing = append(missing, "l'esito positivo dei test: ci segnala un esito negativo, quindi l'attivazione in esercizio non è ancora possibile; ci descriva i problemi riscontrati e la aiuteremo")
	}
	missing = append(missing, ipProblems...)
	if len(ips) == 0 {
		missing = append(missing, "gli indirizzi IP pubblici (o le reti CIDR) da cui i vostri sistemi chiameranno i web service della Regione in esercizio")
	}
	if len(missing) > 0 {
		o.reply, o.nextStep, o.missing = "production_incomplete", nextProductionInfo, append(missing, o.missing...)
		return o, nil
	}
	if err := tx.AddIPs(tk.ID, ticketing.EnvEsercizio, ips, now); err != nil {
		return o, err
	}
	if err := tx.SetState(tk.ID, ticketing.StateProductionSetup, "mailbot", "esiti dei test e IP di esercizio ricevuti: "+strings.Join(ips, ", "), now); err != nil {
		return o, err
	}
	tk.State = ticketing.StateProductionSetup
	o.reply, o.nextStep = "production_requested", nextProductionSetup
	o.staffNotice = joinNotice(o.staffNotice, "richiesta di attivazione in esercizio, IP: "+strings.Join(ips, ", "))
	return o, nil
}

// complete closes an integration and, if its ente was the pilot of a product under
// qualification, qualifies the product.
func (in *Intake) complete(tx *ticketing.Tx, tk *ticketing.Ticket, reason string, now time.Time) error {
	if err := tx.SetState(tk.ID, ticketing.StateCompleted, "mailbot", reason, now); err != nil {
		return err
	}
	tk.State = ticketing.StateCompleted
	return in.qualifyPilots(tx, tk, now)
}

// qualifyPilots finds the qualification cases in pilot whose pilot ente is this integration's
// ente and whose product is the one this integration used, and qualifies them.
func (in *Intake) qualifyPilots(tx *ticketing.Tx, integ *ticketing.Ticket, now time.Time) error {
	forms, err := tx.Forms(integ.ID)
	if err != nil {
		return err
	}
	qep, ok := ticketing.Latest(forms)[parsers.FormQualificazioneEnteProdotto]
	product := strings.ToLower(strings.TrimSpace(qep.Field("prodotto.nome")))
	ipa := strings.ToLower(integ.Ente.CodiceIPA)
	if !ok || product == "" || ipa == "" {
		return nil
	}
	ids, err := tx.TicketsInState(ticketing.KindQualification, ticketing.StatePilot)
	if err != nil {
		return err
	}
	for _, id := range ids {
		qforms, err := tx.Forms(id)
		if err != nil {
			return err
		}
		qp, ok := ticketing.Latest(qforms)[parsers.FormQualificazioneProdotto]
		if !ok || strings.ToLower(strings.TrimSpace(qp.Field("prodotto.nome"))) != product ||
			strings.ToLower(qp.Field("ente_pilota.codice_ipa")) != ipa {
			continue
		}
		if err := tx.SetState(id, ticketing.StateQualified, "mailbot", "l'ente pilota "+integ.Ente.Name+" ha completato l'integrazione "+integ.ID, now); err != nil {
			return err
		}
		qt, err := tx.Ticket(id)
		if err != nil {
			return err
		}
		body, err := templates.Render("qualified", replyData{TicketID: id, Subject: qt.Subject,
			Product: qp.Field("prodotto.nome") + " " + qp.Field("prodotto.versione"), Ente: integ.Ente.Name, NextStep: "il prodotto sarà pubblicato nel catalogo dei prodotti qualificati."})
		if err != nil {
			return err
		}
		if err := in.enqueue(tx, in.threaded(tx, qt, outgoing{TicketID: id, Kind: "qualified", To: []string{qt.Requester},
			Subject: replySubject(qt.Subject, id), Body: body}), now); err != nil {
			return err
		}
		in.changed(tx, CatalogProducts)
	}
	in.changed(tx, CatalogEnti)
	return nil
}

func joinNotice(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	return a + "; " + b
}
