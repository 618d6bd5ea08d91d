package mailbot

import (
	"context"
	"slices"
	"strings"
	"testing"

	"mailbot/internal/wait"
	"mailbot/parsers"
	"mailbot/ticketing"
)

// bothForms are the two complete integration forms of the Comune di Venezia.
func bothForms(t *testing.T) map[string][]byte {
	return map[string][]byte{"informativa.docx": fixture(t, "informativa_generale_venezia.docx"),
		"ente-prodotto.pdf": fixture(t, "qualificazione_ente_prodotto_venezia.pdf")}
}

// TestServicesInBodyWithBothFormsReachTestSetup is symptom 1 of issue 10: a request naming the
// services in its body, whose body therefore yields a Qualificazione Ente-Prodotto holding only
// the services, with both complete forms attached, was answered "missing: every field of
// Qualificazione Ente-Prodotto" because the body's partial form replaced the attached one.
func TestServicesInBodyWithBothFormsReachTestSetup(t *testing.T) {
	const body = "Buongiorno,\nvorremmo attivare MyPay e MyPivot per il Comune di Venezia.\n\n" +
		"Qualificazione Ente-Prodotto\nIntegrazioni: MyPay e MyPivot\n\nIn allegato i moduli compilati.\nCordiali saluti"
	raw := mimeMail("Mario Rossi <"+referent+">", CallCenter, "Richiesta integrazione MyPay e MyPivot", "sym1@comune.venezia.it",
		body, nil, bothForms(t))
	// The premise: the body does yield a partial form of the same type, read after the attachments.
	an, err := parsers.Analyze(strings.NewReader(raw), parsers.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var partial bool
	for _, f := range an.Forms {
		if f.Source == parsers.SourceBody && f.Type == parsers.FormQualificazioneEnteProdotto && len(f.Fields) == 1 {
			partial = true
		}
	}
	if !partial {
		t.Fatalf("the body no longer yields a partial form; the test must be rewritten: %+v", an.Forms)
	}

	h, _ := newLifecycle(t)
	h.deliver(raw)
	wait.For(t, "the ticket", func() bool { return len(h.tickets()) == 1 })
	id := h.tickets()[0].ID
	h.waitState(id, ticketing.StateTestSetup)
	_, text := h.lastTo(referent)
	if !strings.Contains(text, "ambiente di collaudo") || strings.Contains(text, "ci servono ancora") {
		t.Errorf("answer to a complete request:\n%s", text)
	}
	if tk := h.ticket(id); tk.Ente.CodiceIPA != "c_l736" || strings.Join(tk.Services, ",") != "MyPay,MyPivot" {
		t.Errorf("ente %+v services %v", tk.Ente, tk.Services)
	}
}

// TestConflictGoesToStaffAndCorrectionMovesTheCase: a body stating an IPA code that differs
// from the attached forms is a conflict. The referent is told a person is checking, with no
// list of errors; staff get the readings in the thread; a staff correction by mail settles it
// and moves the case to test_setup with the usual answer. Then the same by the CLI's path.
func TestConflictGoesToStaffAndCorrectionMovesTheCase(t *testing.T) {
	h, _ := newLifecycle(t)
	ctx := context.Background()
	conflicting := func(msgID string) string {
		return mimeMail("Mario Rossi <"+referent+">", CallCenter, "Richiesta integrazione", msgID,
			"Buongiorno,\n\nQualificazione Ente-Prodotto\nCodice IPA: c_l737\n\nCordiali saluti", nil, bothForms(t))
	}
	h.deliver(conflicting("conf1@comune.venezia.it"))
	wait.For(t, "the ticket", func() bool { return len(h.tickets()) == 1 })
	id := h.tickets()[0].ID
	wait.For(t, "the staff notice", func() bool {
		if len(h.mail.DeliveredTo(staffOne)) == 0 {
			return false // lastTo fails the test when nothing has arrived yet
		}
		subj, _ := h.lastTo(staffOne)
		return strings.Contains(subj, "incertezza")
	})
	_, notice := h.lastTo(staffOne)
	for _, want := range []string{"ente.codice_ipa", "c_l737", "ente-prodotto.pdf", "corpo del messaggio", "#campo"} {
		if !strings.Contains(notice, want) {
			t.Errorf("staff notice lacks %q:\n%s", want, notice)
		}
	}
	wait.For(t, "the answer", func() bool { return len(h.mail.DeliveredTo(referent)) == 1 })
	_, text := h.lastTo(referent)
	if !strings.Contains(text, "li sta verificando una persona") || strings.Contains(text, "c_l737") || strings.Contains(text, "ci servono ancora") {
		t.Errorf("answer to the referent:\n%s", text)
	}
	tk := h.ticket(id)
	if tk.State != ticketing.StateAwaitingDocuments || tk.FlagKind != ticketing.FlagChecking {
		t.Fatalf("state %s flag %q", tk.State, tk.Flag)
	}

	// A wrong correction is refused and changes nothing.
	h.deliver(mimeMail(staffOne, CallCenter, "Re: ["+id+"]", "campo0@regione.veneto.it",
		"#campo ente.codice_fiscale=00339370270", []string{staffAuth}, nil))
	wait.For(t, "the refusal", func() bool {
		_, text := h.lastTo(staffOne)
		return strings.Contains(text, "non eseguito")
	})
	// The right one, by authenticated mail.
	h.deliver(mimeMail(staffOne, CallCenter, "Re: ["+id+"]", "campo1@regione.veneto.it",
		"#campo ente.codice_ipa=c_l736\n\nGrazie", []string{staffAuth}, nil))
	h.waitState(id, ticketing.StateTestSetup)
	if _, text := h.lastTo(referent); !strings.Contains(text, "ambiente di collaudo") {
		t.Errorf("answer after the correction:\n%s", text)
	}
	if _, text := h.lastTo(staffOne); !strings.Contains(text, "documenti completi") {
		t.Errorf("staff result:\n%s", text)
	}
	if tk := h.ticket(id); tk.FlagKind != ticketing.FlagNone {
		t.Errorf("flag %q left after the correction", tk.Flag)
	}
	events, _ := h.d.Store.Events(ctx, id)
	var fields int
	for _, e := range events {
		if e.Type == ticketing.EventField {
			fields++
		}
	}
	if fields != 1 {
		t.Errorf("%d field events, want 1", fields)
	}
	forms, _ := h.d.Store.Forms(ctx, id)
	qep := CaseFile(ticketing.KindIntegration, forms, nil).Forms[parsers.FormQualificazioneEnteProdotto]
	if p := qep.Provenance["ente.codice_ipa"]; p.How != ticketing.HowStaff || !p.Sure || qep.Field("ente.codice_ipa") != "c_l736" {
		t.Errorf("corrected value %q provenance %+v", qep.Field("ente.codice_ipa"), p)
	}

	// The same through the CLI's path, on a second case of the same ente (the first closed, so
	// that the request does not join it).
	if _, err := h.d.Intake.Apply(ctx, id, "annulla", "prova", nil, "cli:test"); err != nil {
		t.Fatal(err)
	}
	h.deliver(mimeMail("Mario Rossi <"+referent+">", CallCenter, "Seconda richiesta", "conf2@comune.venezia.it",
		"Buongiorno,\n\nQualificazione Ente-Prodotto\nPartita IVA: 00339370272\n\nCordiali saluti", nil, map[string][]byte{
			"informativa.docx":  fixture(t, "informativa_generale_cf_errato.docx"),
			"ente-prodotto.pdf": fixture(t, "qualificazione_ente_prodotto_venezia.pdf")}))
	wait.For(t, "the second ticket", func() bool { return len(h.tickets()) == 2 })
	id2 := h.tickets()[1].ID
	wait.For(t, "the second answer", func() bool { return len(h.mail.DeliveredTo(referent)) >= 3 })
	if _, err := h.d.Intake.Apply(ctx, id2, "campo", "", map[string]string{"nessuno": "x"}, "cli:test"); err == nil ||
		!strings.Contains(err.Error(), "sconosciuto") {
		t.Errorf("unknown field: %v", err)
	}
	res, err := h.d.Intake.Apply(ctx, id2, "campo", "", map[string]string{"azienda.partita_iva": "00339370272",
		"ente.codice_fiscale": "00339370272"}, "cli:test")
	if err != nil {
		t.Fatal(err)
	}
	h.waitState(id2, ticketing.StateTestSetup)
	if !strings.Contains(res, "documenti completi") {
		t.Errorf("CLI result %q", res)
	}
}

// TestNeverConfidentlyWrong: what was not read with confidence is never in the referent's list;
// it goes to staff with document, field, value and doubt.
func TestNeverConfidentlyWrong(t *testing.T) {
	sure := func(doc string) ticketing.Provenance {
		return ticketing.Provenance{Document: doc, How: "table", Sure: true}
	}
	unsure := ticketing.Provenance{Document: "ente-prodotto.pdf", Where: "pagina 1", Label: "IP collaudo", How: "table", Doubt: "sembra una data, non un indirizzo IP"}
	ig := ticketing.Form{MessageID: "m1", Type: parsers.FormInformativaGenerale, Source: "informativa.docx", Fields: map[string]any{}, Provenance: map[string]ticketing.Provenance{}}
	qep := ticketing.Form{MessageID: "m1", Type: parsers.FormQualificazioneEnteProdotto, Source: "ente-prodotto.pdf",
		Fields: map[string]any{"ip_collaudo": "11/03/2026", "prodotto.nome": "TributiWeb", "azienda.ragione_sociale": ""},
		Problems: []ticketing.Problem{{Field: "ip_collaudo", Value: "11/03/2026", Message: "IP 11/03/2026 non valido"},
			{Field: "azienda.partita_iva", Value: "123", Message: "la partita IVA 123 non è valida"}},
		Provenance: map[string]ticketing.Provenance{"ip_collaudo": unsure, "prodotto.nome": sure("ente-prodotto.pdf"), "azienda.partita_iva": sure("ente-prodotto.pdf"),
			// A required field read as empty without confidence (labels where the value should
			// be): not "missing" for the referent, a question for staff.
			"azienda.ragione_sociale": {Document: "ente-prodotto.pdf", How: "table", Doubt: "al posto del valore ci sono etichette"}}}
	for _, spec := range []string{parsers.FormInformativaGenerale} {
		for _, fd := range parsers.Spec(spec).Fields {
			ig.Fields[fd.Key] = "x"
			ig.Provenance[fd.Key] = sure("informativa.docx")
		}
	}
	chk := documentsCheck(ticketing.KindIntegration, CaseFile(ticketing.KindIntegration, []ticketing.Form{ig, qep}, nil))
	all := strings.Join(chk.missing, "\n")
	if strings.Contains(all, "11/03/2026") {
		t.Errorf("an uncertain reading is told to the referent:\n%s", all)
	}
	if !strings.Contains(all, "partita IVA 123") {
		t.Errorf("a confident problem is not told:\n%s", all)
	}
	if label := parsers.FieldLabel(parsers.FormQualificazioneEnteProdotto, "azienda.ragione_sociale"); strings.Contains(all, label) {
		t.Errorf("a field read as empty without confidence is told to the referent as missing:\n%s", all)
	}
	if len(chk.uncertain) != 2 {
		t.Fatalf("uncertain %q", chk.uncertain)
	}
	i := slices.IndexFunc(chk.uncertain, func(l string) bool { return strings.Contains(l, "ip_collaudo") })
	if i < 0 {
		t.Fatalf("no staff line about ip_collaudo: %q", chk.uncertain)
	}
	for _, want := range []string{"IP chiamanti in collaudo", "ip_collaudo", "«11/03/2026»", "ente-prodotto.pdf", "pagina 1", "etichetta «IP collaudo»", "sembra una data"} {
		if !strings.Contains(chk.uncertain[i], want) {
			t.Errorf("staff line lacks %q: %s", want, chk.uncertain[i])
		}
	}
}

func TestParseFieldArgs(t *testing.T) {
	keys, values := parseFieldArgs("ente.denominazione=Comune di Venezia  ente.codice_ipa = c_l736 url_callback=https://x.it/cb?a=b")
	if strings.Join(keys, ",") != "ente.denominazione,ente.codice_ipa,url_callback" {
		t.Fatalf("keys %v", keys)
	}
	for k, want := range map[string]string{"ente.denominazione": "Comune di Venezia", "ente.codice_ipa": "c_l736", "url_callback": "https://x.it/cb?a=b"} {
		if values[k] != want {
			t.Errorf("%s = %q, want %q", k, values[k], want)
		}
	}
	if types, key := fieldTargets(ticketing.KindIntegration, "qualificazione_ente_prodotto.ente.codice_ipa"); len(types) != 1 || key != "ente.codice_ipa" {
		t.Errorf("qualified key: %v %s", types, key)
	}
	if types, _ := fieldTargets(ticketing.KindIntegration, "ente.codice_fiscale"); len(types) != 2 {
		t.Errorf("a shared key names both forms: %v", types)
	}
}

// TestNoReminderWhileStaffCheckReadings: a case whose documents a person is checking is not the
// ente's turn in earnest; reminding it to send documents would be wrong.
func TestNoReminderWhileStaffCheckReadings(t *testing.T) {
	f := newSchedFixture(t)
	since, now := f.at("2026-04-01 10:00"), f.at("2026-04-09 09:30")
	checking := f.open(since, ticketing.KindIntegration, "Richiesta", ref, "Comune di Venezia")
	waiting := f.open(since, ticketing.KindIntegration, "Richiesta", "altro@comune.example.it", "Comune di Padova")
	add := func(id string, sure bool) {
		if err := f.store.Update(context.Background(), func(tx *ticketing.Tx) error {
			return tx.AddForm(id, ticketing.Form{MessageID: "m", Type: parsers.FormQualificazioneEnteProdotto, Source: "a.pdf",
				Fields:     map[string]any{"ente.codice_ipa": "c_l736"},
				Provenance: map[string]ticketing.Provenance{"ente.codice_ipa": {Document: "a.pdf", How: "table", Sure: sure, Doubt: "?"}},
				ReceivedAt: since})
		}); err != nil {
			t.Fatal(err)
		}
	}
	add(checking, false)
	add(waiting, true)
	got := dueSummary(f.plan(now))
	if want := []string{waiting + " reminder → altro@comune.example.it"}; !slices.Equal(got, want) {
		t.Errorf("due %v, want %v", got, want)
	}
}

// TestNewDocumentsSettleAConflict: the referent sending the form again (a later attachment)
// settles what a person was to check; the case moves on and its mark goes.
func TestNewDocumentsSettleAConflict(t *testing.T) {
	h, _ := newLifecycle(t)
	h.deliver(mimeMail("Mario Rossi <"+referent+">", CallCenter, "Richiesta integrazione", "settle1@comune.venezia.it",
		"Buongiorno,\n\nQualificazione Ente-Prodotto\nCodice IPA: c_l737\n\nCordiali saluti", nil, bothForms(t)))
	wait.For(t, "the ticket", func() bool { return len(h.tickets()) == 1 })
	id := h.tickets()[0].ID
	wait.For(t, "the answer", func() bool { return len(h.mail.DeliveredTo(referent)) == 1 })
	if tk := h.ticket(id); tk.FlagKind != ticketing.FlagChecking {
		t.Fatalf("flag %q", tk.Flag)
	}
	h.deliver(mimeMail("Mario Rossi <"+referent+">", CallCenter, "Re: Richiesta integrazione ["+id+"]", "settle2@comune.venezia.it",
		"Ecco di nuovo il modulo.", nil, map[string][]byte{"ente-prodotto.pdf": fixture(t, "qualificazione_ente_prodotto_venezia.pdf")}))
	h.waitState(id, ticketing.StateTestSetup)
	if tk := h.ticket(id); tk.FlagKind != ticketing.FlagNone {
		t.Errorf("flag %q left", tk.Flag)
	}
	if _, text := h.lastTo(referent); !strings.Contains(text, "ambiente di collaudo") {
		t.Errorf("answer:\n%s", text)
	}
}

// TestCallerIPsNeverConfidentlyWrong: in the production request, an address read without
// confidence is neither recorded nor told as wrong; staff get it.
func TestCallerIPsNeverConfidentlyWrong(t *testing.T) {
	an := &parsers.Analysis{IPs: []string{"203.0.113.10", "198.51.100.7"}, Forms: []parsers.Form{
		{Type: parsers.FormEsitiCollaudo, Source: "esiti.pdf", Fields: map[string]any{"ip_esercizio": []string{"198.51.100.7"}},
			Problems:   []parsers.Problem{{Field: "ip_esercizio", Value: "10.0.0.1", Message: "IP 10.0.0.1 privato"}},
			Provenance: map[string]parsers.Provenance{"ip_esercizio": {Document: "esiti.pdf", Where: "pagina 2", How: parsers.HowTable, Doubt: "colonna incerta"}}},
		{Source: parsers.SourceBody, Fields: map[string]any{},
			Problems:   []parsers.Problem{{Field: "ip_esercizio", Value: "192.168.1.20", Message: "IP 192.168.1.20 privato"}},
			Provenance: map[string]parsers.Provenance{}},
	}}
	ips, problems, uncertain := callerIPs(an)
	if strings.Join(ips, ",") != "203.0.113.10" {
		t.Errorf("recorded %v", ips)
	}
	if strings.Join(problems, ",") != "IP 192.168.1.20 privato" {
		t.Errorf("told the referent %v", problems)
	}
	if len(uncertain) != 1 || !strings.Contains(uncertain[0], "198.51.100.7") || !strings.Contains(uncertain[0], "colonna incerta") ||
		!strings.Contains(uncertain[0], "IP 10.0.0.1 privato") {
		t.Errorf("for staff %q", uncertain)
	}
}

// TestConfirmDoubtAsRead: staff settle a value read with doubt without typing it again. The
// notice gives the line to write; a key not in doubt is refused with the keys that are; the
// confirm by authenticated mail records the value as read, with where it was read, and moves the
// case to test_setup as it was the last doubt. Then the same by the CLI's path, with "tutto".
func TestConfirmDoubtAsRead(t *testing.T) {
	h, _ := newLifecycle(t)
	ctx := context.Background()
	conflicting := func(msgID string) string {
		return mimeMail("Mario Rossi <"+referent+">", CallCenter, "Richiesta integrazione", msgID,
			"Buongiorno,\n\nQualificazione Ente-Prodotto\nCodice IPA: c_l737\n\nCordiali saluti", nil, bothForms(t))
	}
	h.deliver(conflicting("confirm1@comune.venezia.it"))
	wait.For(t, "the ticket", func() bool { return len(h.tickets()) == 1 })
	id := h.tickets()[0].ID
	wait.For(t, "the staff notice", func() bool {
		if len(h.mail.DeliveredTo(staffOne)) == 0 {
			return false
		}
		subj, _ := h.lastTo(staffOne)
		return strings.Contains(subj, "incertezza")
	})
	_, notice := h.lastTo(staffOne)
	for _, want := range []string{"letto «c_l736» in ente-prodotto.pdf", "valori diversi", "#conferma ente.codice_ipa", "#campo ente.codice_ipa=valore"} {
		if !strings.Contains(notice, want) {
			t.Errorf("staff notice lacks %q:\n%s", want, notice)
		}
	}

	h.deliver(mimeMail(staffOne, CallCenter, "Re: ["+id+"]", "confirm2@regione.veneto.it",
		"#conferma ente.denominazione", []string{staffAuth}, nil))
	wait.For(t, "the refusal", func() bool {
		_, text := h.lastTo(staffOne)
		return strings.Contains(text, "non è in dubbio")
	})
	if _, text := h.lastTo(staffOne); !strings.Contains(text, "in dubbio: ente.codice_ipa") {
		t.Errorf("refusal without the keys in doubt:\n%s", text)
	}
	if tk := h.ticket(id); tk.State != ticketing.StateAwaitingDocuments {
		t.Fatalf("state %s after a refused confirm", tk.State)
	}

	h.deliver(mimeMail(staffOne, CallCenter, "Re: ["+id+"]", "confirm3@regione.veneto.it",
		"#conferma ente.codice_ipa\n\nGrazie", []string{staffAuth}, nil))
	h.waitState(id, ticketing.StateTestSetup)
	if _, text := h.lastTo(staffOne); !strings.Contains(text, "confermato come letto") || !strings.Contains(text, "documenti completi") {
		t.Errorf("staff result:\n%s", text)
	}
	if _, text := h.lastTo(referent); !strings.Contains(text, "ambiente di collaudo") {
		t.Errorf("answer after the confirm:\n%s", text)
	}
	if tk := h.ticket(id); tk.FlagKind != ticketing.FlagNone || tk.Ente.CodiceIPA != "c_l736" {
		t.Errorf("flag %q, ente %+v after the confirm", tk.Flag, tk.Ente)
	}
	events, _ := h.d.Store.Events(ctx, id)
	if !slices.ContainsFunc(events, func(e ticketing.Event) bool {
		return e.Type == ticketing.EventField && strings.HasPrefix(e.By, staffOne) && strings.Contains(e.Text, "confermati come letti: ente.codice_ipa=c_l736")
	}) {
		t.Errorf("no confirm event: %+v", events)
	}
	forms, _ := h.d.Store.Forms(ctx, id)
	qep := CaseFile(ticketing.KindIntegration, forms, nil).Forms[parsers.FormQualificazioneEnteProdotto]
	if p := qep.Provenance["ente.codice_ipa"]; p.How != ticketing.HowStaff || !p.Sure || qep.Field("ente.codice_ipa") != "c_l736" ||
		!strings.Contains(p.Document, "ente-prodotto.pdf") || !strings.Contains(p.Document, "confermato da "+staffOne) {
		t.Errorf("confirmed value %q provenance %+v", qep.Field("ente.codice_ipa"), p)
	} else {
		// Confirmed again (a conflict whose reading is the staff's own): the document is not
		// named once more with a second "confermato da".
		err := h.d.Store.Update(ctx, func(tx *ticketing.Tx) error {
			tk, err := tx.Ticket(id)
			if err != nil {
				return err
			}
			k := parsers.FormQualificazioneEnteProdotto + ".ente.codice_ipa"
			_, err = h.d.Intake.recordFields(tx, tk, []string{k}, map[string]string{k: "c_l736"}, map[string]ticketing.Provenance{k: p}, staffOne, "#conferma ente.codice_ipa", h.d.Intake.now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		forms, _ := h.d.Store.Forms(ctx, id)
		again := CaseFile(ticketing.KindIntegration, forms, nil).Forms[parsers.FormQualificazioneEnteProdotto].Provenance["ente.codice_ipa"]
		if again.Document != p.Document {
			t.Errorf("confirmed twice, the document reads %q, want %q", again.Document, p.Document)
		}
	}

	// The CLI's path, on a second case (the first cancelled so that the request does not join it).
	if _, err := h.d.Intake.Apply(ctx, id, "annulla", "prova", nil, "cli:test"); err != nil {
		t.Fatal(err)
	}
	h.deliver(conflicting("confirm4@comune.venezia.it"))
	wait.For(t, "the second ticket", func() bool { return len(h.tickets()) == 2 })
	id2 := h.tickets()[1].ID
	wait.For(t, "the second case waits on staff", func() bool { return h.ticket(id2).FlagKind == ticketing.FlagChecking })
	if _, err := h.d.Intake.Apply(ctx, id2, "conferma", "prodotto.nome", nil, "cli:test"); err == nil ||
		!strings.Contains(err.Error(), "in dubbio: ente.codice_ipa") {
		t.Errorf("confirm of a key not in doubt: %v", err)
	}
	res, err := h.d.Intake.Apply(ctx, id2, "conferma", "tutto", nil, "cli:test") // every doubt at once
	if err != nil {
		t.Fatal(err)
	}
	h.waitState(id2, ticketing.StateTestSetup)
	if !strings.Contains(res, "documenti completi") {
		t.Errorf("CLI result %q", res)
	}
	if _, err := h.d.Intake.Apply(ctx, id2, "conferma", "ente.codice_ipa", nil, "cli:test"); err == nil ||
		!strings.Contains(err.Error(), "nessun valore della pratica è in dubbio") {
		t.Errorf("confirm with no doubt left: %v", err)
	}
}
