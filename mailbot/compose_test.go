package mailbot

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"mailbot/parsers"
	"mailbot/templates"
	"mailbot/ticketing"
)

// TestGoldenReplies renders every mail a person receives, one golden file each: the step
// replies to referents, the credentials (as sent and as kept), and the mail to staff.
func TestGoldenReplies(t *testing.T) {
	tk := &ticketing.Ticket{ID: "INT-2026-00042", Kind: ticketing.KindIntegration, State: ticketing.StateProductionSetup,
		WaitingOn: ticketing.WaitingRegione, Subject: "Richiesta integrazione MyPay e MyPivot", Requester: "referente@comune.venezia.it",
		Ente: ticketing.Ente{Name: "Comune di Venezia", CodiceFiscale: "00339370272", CodiceIPA: "c_l736"}, Assignee: "staff1@regione.veneto.it"}
	ref := replyData{TicketID: tk.ID, Name: "Maria Bianchi", Subject: tk.Subject, Received: "26/11/2026 09:12"}
	with := func(f func(*replyData)) replyData { d := ref; f(&d); return d }
	creds := map[string]string{"codice_ipa": "c_l736", "password_mypay": "Segreta-123", "password_mypivot": "Pivot-456",
		"endpoint_mypay": "https://mypay-coll.regione.veneto.it/ws", "note": "Ambiente disponibile dalle 8 alle 20."}
	masked := map[string]string{"codice_ipa": "c_l736", "password_mypay": redactionMark, "password_mypivot": redactionMark,
		"endpoint_mypay": "https://mypay-coll.regione.veneto.it/ws", "note": "Ambiente disponibile dalle 8 alle 20."}
	staff := staffData{TicketID: tk.ID, Ticket: tk, StateLabel: ticketing.StateLabel(tk.State), Show: "mailbot tickets show " + tk.ID}
	withStaff := func(f func(*staffData)) staffData { d := staff; f(&d); return d }
	// The blank forms a reply carries, attached as queueReply attaches them.
	goldenBlankForms := map[string][]string{"ack-missing-forms.eml": {parsers.FormQualificazioneEnteProdotto}}
	cases := []struct {
		golden, template string
		data             any
	}{
		{"ack.eml", "ack", with(func(d *replyData) { d.NextStep = nextTestSetup })},
		{"ack-missing.eml", "ack", with(func(d *replyData) {
			d.Name, d.NextStep, d.Attachments = "", nextSendDocuments, []string{"informativa.pdf"}
			d.Missing = []string{"il modulo «Qualificazione Ente-Prodotto» compilato", "Il codice fiscale dell'ente \"80007580270\" non è valido: la cifra di controllo non corrisponde."}
		})},
		{"ack-missing-forms.eml", "ack", with(func(d *replyData) {
			d.Name, d.NextStep, d.Attachments = "", nextSendDocuments, []string{"informativa.pdf"}
			d.Missing = []string{"il modulo «Qualificazione Ente-Prodotto» compilato"}
		})},
		{"oversize.eml", "oversize", replyData{Name: "Luca Verdi", Subject: "Moduli scansionati", Received: "26/11/2026 10:00", Limit: "40 MB"}},
		{"untrusted_ack.eml", "untrusted_ack", with(func(d *replyData) { d.Name = "" })},
		{"docs_missing.eml", "docs_missing", with(func(d *replyData) {
			d.NextStep, d.Missing = nextSendDocuments, []string{"nel modulo «Informativa Generale dell'ente», il campo «Codice IPA»"}
		})},
		{"docs_checking.eml", "docs_checking", with(func(d *replyData) {
			d.New, d.NextStep, d.Attachments = true, nextChecking, []string{"informativa.docx", "ente-prodotto.pdf"}
		})},
		{"docs_checking-missing.eml", "docs_checking", with(func(d *replyData) {
			d.NextStep, d.Missing = nextChecking, []string{"il modulo «Qualificazione Ente-Prodotto» compilato"}
		})},
		{"docs_complete.eml", "docs_complete", with(func(d *replyData) { d.NextStep = nextTestSetup })},
		{"production_incomplete.eml", "production_incomplete", with(func(d *replyData) {
			d.NextStep, d.Step = nextProductionInfo, parsers.StepTests
			d.Missing = []string{"L'indirizzo IP \"192.168.1.20\" è un indirizzo privato, non raggiungibile da Internet."}
		})},
		{"answer-collaudo.eml", "answer", with(func(d *replyData) {
			d.Step, d.State, d.NextStep = parsers.StepTests, ticketing.StateLabel(ticketing.StateTesting), nextAfterQuestion(parsers.StepTests)
			d.Question = "Come facciamo a sapere se i test sono andati a buon fine?"
		})},
		{"answer-pagamento.eml", "answer", with(func(d *replyData) {
			d.Step, d.State, d.NextStep = parsers.StepPayment, ticketing.StateLabel(ticketing.StateProductionCheck), nextAfterQuestion(parsers.StepPayment)
			d.Question = "Dobbiamo fare un pagamento reale o basta quello di prova?"
		})},
		{"step_failed.eml", "step_failed", with(func(d *replyData) {
			d.Step, d.State, d.NextStep = parsers.StepTests, ticketing.StateLabel(ticketing.StateTesting), nextAfterFailure
		})},
		{"step_failed-pagamento.eml", "step_failed", with(func(d *replyData) {
			d.Step, d.State, d.NextStep = parsers.StepPayment, ticketing.StateLabel(ticketing.StateProductionCheck), nextAfterFailure
		})},
		{"production_requested.eml", "production_requested", with(func(d *replyData) { d.NextStep = nextProductionSetup })},
		{"completed.eml", "completed", with(func(d *replyData) { d.NextStep = nextCompleted })},
		{"qualified.eml", "qualified", replyData{TicketID: "QUA-2026-00007", Subject: "Domanda di qualificazione", Product: "TributiWeb 4.2.1",
			Ente: "Comune di Venezia", NextStep: "il prodotto sarà pubblicato nel catalogo dei prodotti qualificati."}},
		{"credentials-collaudo.eml", "credentials", credentialsData{TicketID: tk.ID, Env: "collaudo", Ente: "Comune di Venezia", Values: creds, Collaudo: true}},
		{"credentials-collaudo-kept.eml", "credentials", credentialsData{TicketID: tk.ID, Env: "collaudo", Ente: "Comune di Venezia", Values: masked, Collaudo: true}},
		{"credentials-esercizio.eml", "credentials", credentialsData{TicketID: tk.ID, Env: "esercizio", Ente: "Comune di Venezia",
			Values: map[string]string{"codice_ipa": "c_l736", "password_mypivot": "Prod-789"}, IPs: []string{"203.0.113.10", "198.51.100.0/28"}}},
		{"change_checking.eml", "change_checking", with(func(d *replyData) {
			d.Changes = []string{"IBAN di accredito: IT02A0301503200000003517230", "IP chiamanti in esercizio: 203.0.113.99"}
		})},
		{"change_checking-referent.eml", "change_checking", with(func(d *replyData) {
			d.Name, d.ChangedBy, d.Changes = "", "assistenza@softwareveneto.it", []string{"Email referente: nuovo.referente@example.org"}
		})},
		{"staff_notice-proposals.eml", "staff_notice", withStaff(func(d *staffData) {
			d.Reason = noticeProposed
			d.Proposals = []proposalView{
				{Seq: 1, Label: "IBAN di accredito", Field: "tipi_dovuto.iban", Old: "IT60X0542811101000000123456", Value: "IT02A0301503200000003517230",
					MessageID: "r2@comune.venezia.it", Document: "informativa.pdf", State: "pending"},
				{Seq: 2, Label: "IP chiamanti in esercizio", Field: "ip_esercizio", Value: "203.0.113.10", MessageID: "r3@comune.venezia.it",
					Document: "testo del messaggio", State: "pending"},
			}
		})},
		{"staff_notice.eml", "staff_notice", withStaff(func(d *staffData) { d.Reason = "richiesta di attivazione in esercizio, IP: 203.0.113.10" })},
		{"staff_notice-uncertain.eml", "staff_notice", withStaff(func(d *staffData) {
			d.Reason = noticeUncertain
			d.Lines = []string{"campo «IP chiamanti in collaudo» (ip_collaudo): letto «11/03/2026» in ente-prodotto.pdf (pagina 1, etichetta «IP collaudo») — sembra una data, non un indirizzo IP — per confermarlo: #conferma ip_collaudo; per correggerlo: #campo ip_collaudo=valore",
				"campo «Codice IPA» (ente.codice_ipa): letto «c_l736» in ente-prodotto.pdf — valori diversi: «c_l736» (ente-prodotto.pdf) e «c_l737» (corpo del messaggio) — per confermarlo: #conferma ente.codice_ipa; per correggerlo: #campo ente.codice_ipa=valore"}
		})},
		{"staff_result.eml", "staff_result", withStaff(func(d *staffData) {
			d.Lines = []string{"#assegna mario.rossi: pratica assegnata a mario.rossi", "#stato completed: non eseguito, a integration case cannot go from production_setup to completed"}
		})},
		{"sender_unknown.eml", "sender_unknown", withStaff(func(d *staffData) {
			d.Lines = []string{"mittente: spam@evil.example", "oggetto: Re: Credenziali di collaudo [INT-2026-00042]",
				"Message-ID: m1@evil.example", "indirizzi IP nel messaggio (non registrati): 203.0.113.66"}
		})},
		{"staff_result-campo.eml", "staff_result", withStaff(func(d *staffData) {
			d.Lines = []string{"#campo ente.codice_ipa=c_l736: valore registrato; documenti completi: pratica in stato test_setup (predisposizione ambiente di collaudo), il referente è stato avvisato",
				"#campo ente.codice_fiscale=00339370270: non eseguito, Il codice fiscale dell'ente \"00339370270\" non è valido: la cifra di controllo non corrisponde."}
		})},
		{"security_warning.eml", "security_warning", withStaff(func(d *staffData) {
			d.Reason = "nessuna autenticazione valida"
			d.Lines = []string{"mittente dichiarato: staff1@regione.veneto.it", "oggetto: Re: [INT-2026-00042]"}
		})},
	}
	date := time.Date(2026, 11, 26, 9, 12, 30, 0, time.FixedZone("CET", 3600))
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			body, err := templates.Render(c.template, c.data)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(body.Text, "<no value>") || strings.Contains(body.HTML, "<no value>") {
				t.Errorf("a template field has no value:\n%s", body.Text)
			}
			o := outgoing{TicketID: tk.ID, Kind: c.template, To: []string{"referente@comune.venezia.it"},
				Subject: replySubject(tk.Subject, tk.ID), Body: body, InReplyTo: "r1@comune.venezia.it",
				References: []string{"r0@comune.venezia.it"}, Auto: true}
			// Through the encodings the daemon keeps (blankForms), as the replies carry them.
			if o.Attachments, err = blankForms(goldenBlankForms[c.golden]); err != nil {
				t.Fatal(err)
			}
			raw, err := render(o, "Regione del Veneto - Integrazioni PagoPA <call.center@regione.veneto.it>", "fixed.id@regione.veneto.it", date)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.golden, normaliseMail(raw))
			// The plain text is what most clients index and quote: keep it readable in review.
			golden(t, strings.TrimSuffix(c.golden, ".eml")+".txt", []byte(body.Text))
		})
	}
}

func TestReplySubject(t *testing.T) {
	for _, c := range []struct{ in, id, want string }{
		{"Richiesta", "INT-2026-00001", "Re: Richiesta [INT-2026-00001]"},
		{"RE: R: Re: Richiesta [INT-2026-00001]", "INT-2026-00001", "Re: Richiesta [INT-2026-00001]"},
		{"I: Fw: inoltro", "", "Re: inoltro"},
		{"", "INT-2026-00002", "Re:  [INT-2026-00002]"},
	} {
		if got := replySubject(c.in, c.id); got != c.want {
			t.Errorf("replySubject(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestRenderEncodedAttachments: a mail carrying blank forms whose encoding was kept (blankForms)
// has the bytes of the same mail with the forms encoded again, whatever the forms and wherever
// other attachments fall among them.
func TestRenderEncodedAttachments(t *testing.T) {
	body, err := templates.Render("docs_missing", replyData{TicketID: "INT-2026-00042", Name: "Maria Bianchi",
		Subject: "Richiesta", Received: "26/11/2026 09:12", NextStep: nextSendDocuments, Missing: []string{"manca il modulo"}})
	if err != nil {
		t.Fatal(err)
	}
	other := attachment{Name: "nota.txt", Data: []byte("una riga\r\n")}
	var types []string
	for _, spec := range parsers.Forms {
		types = append(types, spec.Type)
	}
	date := time.Date(2026, 11, 26, 9, 12, 30, 0, time.FixedZone("CET", 3600))
	for n := range len(types) + 1 {
		kept, err := blankForms(types[:n])
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			kept = append(kept[:1], append([]attachment{other}, kept[1:]...)...)
		}
		var again []attachment
		for _, a := range kept {
			if len(a.Data) > 0 && a.b64 == nil && a.Name != other.Name {
				t.Fatalf("%s: no encoding kept", a.Name)
			}
			again = append(again, attachment{Name: a.Name, Data: a.Data})
		}
		o := outgoing{TicketID: "INT-2026-00042", Kind: "docs_missing", To: []string{"referente@comune.venezia.it"},
			Subject: "Re: Richiesta [INT-2026-00042]", Body: body, InReplyTo: "r1@comune.venezia.it", Auto: true}
		o.Attachments = kept
		got, err := render(o, "Regione del Veneto <call.center@regione.veneto.it>", "fixed.id@regione.veneto.it", date)
		if err != nil {
			t.Fatal(err)
		}
		o.Attachments = again
		want, err := render(o, "Regione del Veneto <call.center@regione.veneto.it>", "fixed.id@regione.veneto.it", date)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(normaliseMail(got), normaliseMail(want)) {
			t.Errorf("%d form types: the kept encodings give other bytes:\n%s\n--- encoded again\n%s", n, got, want)
		}
	}
}
