package catalog

import (
	"context"
	"testing"
	"time"

	"mailbot/parsers"
	"mailbot/ticketing"
)

var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err)
	}
	return l
}()

// generatedAt is the fake clock of every build in these tests.
var generatedAt = time.Date(2026, 4, 20, 9, 30, 0, 0, rome)

// day returns 09:00 in Rome of a day of March/April 2026 (March 1 + n days).
func day(n int) time.Time { return time.Date(2026, 3, 1+n, 9, 0, 0, 0, rome) }

// fixtureCase is one case of the fixture: its forms and the states it goes through.
type fixtureCase struct {
	kind   string
	ente   ticketing.Ente
	srv    []string
	forms  map[string]map[string]any
	states []string
}

// fixtureStore builds, through the store's own methods, a database with qualified products,
// cases still open, completed integrations with and without a catalog product, a duplicate, and
// personal data in the forms that must never be published.
func fixtureStore(t testing.TB) (*ticketing.Store, map[string]string) {
	t.Helper()
	s, err := ticketing.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	qualify := []string{ticketing.StateUnderReview, ticketing.StatePilot, ticketing.StateQualified}
	complete := []string{ticketing.StateTestSetup, ticketing.StateTesting, ticketing.StateProductionSetup, ticketing.StateProductionCheck, ticketing.StateCompleted}
	qep := func(ente, cf, ipa, product string) map[string]any {
		return map[string]any{"ente.denominazione": ente, "ente.codice_fiscale": cf, "ente.codice_ipa": ipa,
			"prodotto.nome": product, "prodotto.versione": "4.2", "azienda.ragione_sociale": "Software Veneto S.r.l.",
			"azienda.partita_iva": "04123456784", "azienda.email_referente_tecnico": "tecnico@softwareveneto.example.it",
			"servizi": []string{"MyPay"}, "ip_collaudo": []string{"203.0.113.10"}, "url_callback": "https://tributi.example.it/cb"}
	}
	cases := map[string]fixtureCase{
		"tributi": {kind: ticketing.KindQualification, states: qualify, forms: map[string]map[string]any{
			parsers.FormQualificazioneProdotto: {"azienda.ragione_sociale": "Software Veneto S.r.l.", "azienda.partita_iva": "04123456784",
				"azienda.pec": "softwareveneto@legalmail.example.it", "azienda.referente": "Anna Neri",
				"prodotto.nome": "TributiWeb", "prodotto.versione": "4.2.1", "prodotto.descrizione": "Gestione dei tributi locali",
				"prodotto.funzionalita": []string{"Pagamenti spontanei", "Avvisi di pagamento", "assistenza: anna.neri@softwareveneto.example.it"},
				"servizi":               []string{"MyPay", "MyPivot"}, "ente_pilota.denominazione": "Comune di Venezia", "ente_pilota.codice_ipa": "c_l736"},
			parsers.FormQualificazioneProcesso: {"azienda.ragione_sociale": "Software Veneto S.r.l.", "azienda.partita_iva": "04123456784",
				"processo.nome":     "Accompagnamento tributi",
				"processo.fasi":     "Analisi (azienda e ente, 1 settimana); configurazione dei tipi dovuto (azienda, 2 settimane);\n collaudo con chiamate da 203.0.113.10, referente tel. 041 2748111 (ente, 1 settimana)",
				"processo.prodotti": []string{"TributiWeb"}},
		}},
		"scuola": {kind: ticketing.KindQualification, states: qualify[:2], forms: map[string]map[string]any{
			parsers.FormQualificazioneProdotto: {"azienda.ragione_sociale": "Edu Soft S.p.A.", "azienda.partita_iva": "01234567897",
				"prodotto.nome": "ScuolaPay", "prodotto.versione": "1.0", "servizi": []string{"MyPay"},
				"ente_pilota.denominazione": "Comune di Padova", "ente_pilota.codice_ipa": "c_g224"},
		}},
		"sportello": {kind: ticketing.KindQualification, states: qualify, forms: map[string]map[string]any{
			parsers.FormQualificazioneProdotto: {"azienda.ragione_sociale": "Comunica S.r.l.", "azienda.partita_iva": "02345678901",
				"prodotto.nome": "Sportello Unico", "prodotto.versione": "2.3", "servizi": []string{"MyPivot"},
				"ente_pilota.denominazione": "Provincia di Rovigo", "ente_pilota.codice_ipa": "p_ro"},
		}},
		"ritirato": {kind: ticketing.KindQualification, states: qualify, forms: map[string]map[string]any{
			parsers.FormQualificazioneProdotto: {"azienda.ragione_sociale": "Vecchia Informatica S.n.c.", "azienda.partita_iva": "03456789012",
				"prodotto.nome": "PagaFacile", "prodotto.versione": "0.9", "servizi": []string{"MyPay"},
				"ente_pilota.denominazione": "Comune di Belluno", "ente_pilota.codice_ipa": "c_a757"},
			parsers.FormQualificazioneProcesso: {"azienda.ragione_sociale": "Vecchia Informatica S.n.c.",
				"processo.nome": "Assistenza PagaFacile", "processo.fasi": "installazione", "processo.prodotti": []string{"PagaFacile"}},
		}},
		"venezia": {kind: ticketing.KindIntegration, states: complete, ente: ticketing.Ente{Name: "Comune di Venezia", CodiceFiscale: "00339370272", CodiceIPA: "c_l736"},
			srv: []string{"MyPay", "MyPivot"}, forms: map[string]map[string]any{parsers.FormQualificazioneEnteProdotto: qep("Comune di Venezia", "00339370272", "c_l736", "tributiweb")}},
		"padova": {kind: ticketing.KindIntegration, states: complete, ente: ticketing.Ente{Name: "Comune di Padova", CodiceFiscale: "00644060287", CodiceIPA: "c_g224"},
			srv: []string{"MyPay"}, forms: map[string]map[string]any{parsers.FormQualificazioneEnteProdotto: qep("Comune di Padova", "00644060287", "c_g224", "TributiWeb")}},
		"rovigo": {kind: ticketing.KindIntegration, states: complete, ente: ticketing.Ente{Name: "Provincia di Rovigo", CodiceFiscale: "93006330299", CodiceIPA: "p_ro"},
			srv: []string{"MyPivot"}, forms: map[string]map[string]any{parsers.FormQualificazioneEnteProdotto: qep("Provincia di Rovigo", "93006330299", "p_ro", "Sportello Unico")}},
		"treviso": {kind: ticketing.KindIntegration, states: complete[:2], ente: ticketing.Ente{Name: "Comune di Treviso", CodiceFiscale: "80007310263", CodiceIPA: "c_l407"},
			srv: []string{"MyPay"}, forms: map[string]map[string]any{parsers.FormQualificazioneEnteProdotto: qep("Comune di Treviso", "80007310263", "c_l407", "TributiWeb")}},
		"verona": {kind: ticketing.KindIntegration, states: complete, ente: ticketing.Ente{Name: "Comune di Verona", CodiceFiscale: "00215150236", CodiceIPA: "c_l781"},
			srv: []string{"MyPay"}, forms: map[string]map[string]any{parsers.FormQualificazioneEnteProdotto: qep("Comune di Verona", "00215150236", "c_l781", "Gestionale Proprio")}},
		"belluno": {kind: ticketing.KindIntegration, states: complete, ente: ticketing.Ente{Name: "Comune di Belluno", CodiceFiscale: "00132550252", CodiceIPA: "c_a757"},
			srv: []string{"MyPay"}, forms: map[string]map[string]any{parsers.FormQualificazioneEnteProdotto: qep("Comune di Belluno", "00132550252", "c_a757", "PagaFacile")}},
		"venezia2": {kind: ticketing.KindIntegration, states: complete, ente: ticketing.Ente{Name: "Comune di Venezia", CodiceFiscale: "00339370272", CodiceIPA: "c_l736"},
			srv: []string{"MyPay"}, forms: map[string]map[string]any{parsers.FormQualificazioneEnteProdotto: qep("Comune di Venezia", "00339370272", "c_l736", "TributiWeb")}},
	}
	// Opened in this order, a day apart; each state a day later than the previous.
	order := []string{"tributi", "scuola", "sportello", "ritirato", "venezia", "padova", "rovigo", "treviso", "verona", "belluno", "venezia2"}
	ids := map[string]string{}
	ctx := context.Background()
	for i, name := range order {
		c := cases[name]
		at := day(i)
		err := s.Update(ctx, func(tx *ticketing.Tx) error {
			tk, err := tx.NewTicket(c.kind, "Richiesta "+name, "referente@"+name+".example.it", "referente@"+name+".example.it", at, rome)
			if err != nil {
				return err
			}
			ids[name] = tk.ID
			for typ, fields := range c.forms {
				if err := tx.AddForm(tk.ID, ticketing.Form{MessageID: name + "@example.it", Type: typ, Source: "body", Fields: fields, ReceivedAt: at}); err != nil {
					return err
				}
			}
			if c.ente.Name != "" {
				if err := tx.SetEnte(tk.ID, c.ente, c.srv, at); err != nil {
					return err
				}
			}
			for j, st := range c.states {
				if err := tx.SetState(tk.ID, st, "test", "", at.Add(time.Duration(j+1)*24*time.Hour)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("case %s: %v", name, err)
		}
	}
	yes := true
	for _, c := range []ticketing.CatalogChange{
		{Catalog: Prodotti, Key: ids["ritirato"], Hidden: &yes},
		{Catalog: Processi, Key: ids["ritirato"], Hidden: &yes},
		{Catalog: Prodotti, Key: ids["sportello"], Fields: map[string]string{"versione": "2.3.1", "funzionalita": "Riconciliazione; Rendicontazione"}},
	} {
		if err := s.Update(ctx, func(tx *ticketing.Tx) error { return tx.CorrectCatalog(c, "cli:staff", day(40)) }); err != nil {
			t.Fatal(err)
		}
	}
	return s, ids
}
