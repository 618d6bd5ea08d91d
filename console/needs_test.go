package console

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mailbot/internal/demo"
	"mailbot/internal/wait"
	"mailbot/ticketing"
)

// needs is what addNeeds gave a case to decide.
type needs struct {
	doubts []string // "type.key" of the values in doubt
	held   int64    // the held reply
	kept   int64    // the quarantined message from the referent
	props  []int    // the proposals' numbers
}

// addNeeds gives case id what a person must decide: a value read without confidence, two
// forms that disagree on the ente's codice fiscale, two changes proposed by mail, an automatic
// reply held back by an hourly cap, and an automatic message from the referent kept outside any
// case.
func addNeeds(t *testing.T, e *env, id string) needs {
	t.Helper()
	ctx := context.Background()
	n := needs{doubts: []string{"informativa_generale.ente.codice_fiscale", "qualificazione_ente_prodotto.ente.codice_fiscale",
		"qualificazione_ente_prodotto.ente.codice_ipa"}}
	err := e.d.Store.Update(ctx, func(tx *ticketing.Tx) error {
		now := time.Now()
		if err := tx.AddForm(id, ticketing.Form{MessageID: "needs-1@example.it", Type: "qualificazione_ente_prodotto", Source: "ente-prodotto.pdf",
			Fields: map[string]any{"ente.codice_ipa": "c_l736", "ente.codice_fiscale": "80007580279"},
			Provenance: map[string]ticketing.Provenance{
				"ente.codice_ipa":     {Document: "ente-prodotto.pdf", Where: "pagina 1", Label: "Codice IPA", How: "table", Doubt: "«c_l736 Venezia» non è un solo codice: forse codice e descrizione insieme"},
				"ente.codice_fiscale": {Document: "ente-prodotto.pdf", Where: "pagina 1", How: "table", Sure: true}},
			ReceivedAt: now}); err != nil {
			return err
		}
		if err := tx.AddForm(id, ticketing.Form{MessageID: "needs-1@example.it", Type: "informativa_generale", Source: "informativa.docx",
			Fields:     map[string]any{"ente.codice_fiscale": "00339370272"},
			Provenance: map[string]ticketing.Provenance{"ente.codice_fiscale": {Document: "informativa.docx", How: "identity", Sure: true}},
			ReceivedAt: now}); err != nil {
			return err
		}
		for _, p := range []ticketing.Proposal{
			{Field: "ente.pec", Old: "protocollo@pec.comune.venezia.it", Value: "nuova@pec.comune.venezia.it"},
			{Field: "referente.email", Old: referent, Value: "altro@comune.venezia.it"},
		} {
			p.TicketID, p.MessageID, p.Document, p.CreatedAt = id, "needs-1@example.it", "corpo del messaggio", now
			seq, err := tx.AddProposal(p)
			if err != nil {
				return err
			}
			n.props = append(n.props, seq)
		}
		raw := "From: " + e.cfg.ReplyFrom + "\r\nTo: " + referent + "\r\nSubject: [" + id + "] Documenti ricevuti\r\nMessage-ID: <needs-held@regione.veneto.it>\r\n" +
			"Date: Mon, 23 Nov 2026 10:00:00 +0100\r\nContent-Type: text/plain\r\n\r\nAbbiamo ricevuto i documenti.\r\n"
		m := &ticketing.OutMail{TicketID: id, MessageID: "needs-held@regione.veneto.it", Kind: "ack", From: demo.CallCenter,
			Rcpts: []string{referent}, Raw: []byte(raw), Auto: true}
		if err := tx.Enqueue(m, now); err != nil {
			return err
		}
		n.held = m.ID
		return tx.HoldOutbox(m.ID, "201 risposte automatiche nell'ultima ora (limite complessivo 200)")
	})
	if err != nil {
		t.Fatal(err)
	}
	auto := "From: " + referent + "\r\nTo: " + demo.CallCenter + "\r\nAuto-Submitted: auto-replied\r\nSubject: Risposta automatica: fuori ufficio\r\n" +
		"Message-ID: <needs-auto@comune.venezia.it>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nContent-Type: text/plain\r\n\r\nRientro lunedì.\r\n"
	if _, err := demo.Deliver(e.l, []byte(auto)); err != nil {
		t.Fatal(err)
	}
	wait.For(t, "the referent's automatic message in quarantine", func() bool {
		kept, _ := e.d.Store.QuarantineQueue(ctx)
		for _, m := range kept {
			if m.MessageID == "needs-auto@comune.venezia.it" {
				n.kept = m.ID
			}
		}
		return n.kept != 0
	})
	return n
}

// TestCasePageStartsWithNeeds: the case page opens with what the case needs from a person
// (each doubt with what was read where and why it is in doubt, the held reply, the referent's
// message kept aside, the flag), before the thread and the forms; the queue says why the case
// waits; the held reply and the kept message are settled from the case page, which answers
// with the outcome.
func TestCasePageStartsWithNeeds(t *testing.T) {
	e := start(t, "01-richiesta-venezia.eml")
	ctx := context.Background()
	list, _ := e.d.Store.Tickets(ctx)
	id := list[0].ID
	n := addNeeds(t, e, id)
	c := e.client()
	c.signIn(c.mailedLink(operator))
	_, page := c.do("GET", "/pratiche/"+id, nil)
	first, rest, ok := strings.Cut(page, `<div class="case-layout">`)
	if !ok || !strings.Contains(first, `id="da-decidere"`) || !strings.Contains(rest, "<h2>Messaggi</h2>") {
		t.Fatalf("the page does not open with what needs a person:\n%s", page)
	}
	for _, k := range n.doubts {
		if !strings.Contains(first, `data-chiave="`+k+`"`) {
			t.Errorf("doubt %s not in the first region", k)
		}
	}
	for _, want := range []string{
		"«c_l736 Venezia» non è un solo codice", "pagina 1, etichetta «Codice IPA»", "da una cella di tabella", // where and why
		"valori diversi: «00339370272» (informativa.docx) e «80007580279» (ente-prodotto.pdf)", // a conflict
		"Usa «80007580279» (ente-prodotto.pdf)",
		`data-risposta="` + itoa(n.held) + `"`, "limite complessivo 200", "Abbiamo ricevuto i documenti.",
		`data-messaggio="` + itoa(n.kept) + `"`, "Risposta automatica: fuori ufficio",
		"Ultimo messaggio del referente",
		`data-proposta="` + strconv.Itoa(n.props[0]) + `"`, "«nuova@pec.comune.venezia.it»", "«protocollo@pec.comune.venezia.it»",
		`data-proposta="` + strconv.Itoa(n.props[1]) + `"`, "Accetta «altro@comune.venezia.it»",
	} {
		if !strings.Contains(first, want) {
			t.Errorf("first region without %q", want)
		}
	}
	_, q := c.do("GET", "/", nil)
	if !strings.Contains(q, "una risposta trattenuta") && !strings.Contains(q, ticketing.FlagHeld.Label()) {
		t.Errorf("the queue does not say the case waits for a held reply:\n%s", q)
	}
	if !strings.Contains(q, "2 modifiche proposte") {
		t.Errorf("the queue does not say the case waits for a proposal:\n%s", q)
	}

	// Both are staff commands (#trattenuta, #trattenuto) through Intake.Apply: the page's
	// version is checked, and each decision is an event of the case.
	csrf, ver := field(csrfRE, page), field(versionRE, page)
	_, body := c.do("POST", "/pratiche/"+id, url.Values{"azione": {"trattenuta"}, "risposta": {itoa(n.held)}, "decisione": {"scarta"}, "csrf": {csrf}, "versione": {ver}})
	if !strings.Contains(body, `id="pratica"`) || !strings.Contains(body, "scartata") || strings.Contains(body, `data-risposta="`) {
		t.Errorf("dropping the held reply from the case page:\n%s", body)
	}
	if code, _ := c.do("POST", "/pratiche/"+id, url.Values{"azione": {"trattenuto"}, "messaggio": {itoa(n.kept)}, "decisione": {"allega"}, "csrf": {csrf}, "versione": {ver}}); code != 409 {
		t.Errorf("a kept message attached from a page older than the case: %d, want 409", code)
	}
	_, body = c.do("POST", "/pratiche/"+id, url.Values{"azione": {"trattenuto"}, "messaggio": {itoa(n.kept)}, "decisione": {"allega"}, "csrf": {csrf}, "versione": {field(versionRE, body)}})
	if !strings.Contains(body, `id="pratica"`) || !strings.Contains(body, "aggiunto alla pratica "+id) || strings.Contains(body, `data-messaggio="`) {
		t.Errorf("attaching the kept message from the case page:\n%s", body)
	}
	evs, _ := e.d.Store.Events(ctx, id)
	if !slices.ContainsFunc(evs, func(v ticketing.Event) bool {
		return strings.HasPrefix(v.By, operator) && strings.Contains(v.Text, "scartata")
	}) {
		t.Error("dropping the held reply is no event of the case")
	}
	msgs, _ := e.d.Store.Messages(ctx, id)
	if !slices.ContainsFunc(msgs, func(m ticketing.Message) bool { return m.ID == n.kept }) {
		t.Error("the kept message did not join the case")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestQueueWhy: each row of the queue says why the case waits for the Region from what code
// knows (the flag's kind, held replies, proposals, the state's turn), once each.
func TestQueueWhy(t *testing.T) {
	step := ticketing.Ticket{State: ticketing.StateTestSetup, WaitingOn: ticketing.WaitingRegione}
	ente := ticketing.Ticket{State: ticketing.StateAwaitingDocuments, WaitingOn: ticketing.WaitingEnte}
	with := func(tk ticketing.Ticket, k ticketing.FlagKind) ticketing.Ticket {
		tk.FlagKind, tk.Flag = k, "testo libero che non conta"
		return tk
	}
	for _, c := range []struct {
		name            string
		tk              ticketing.Ticket
		held, proposals int
		want            []Reason
	}{
		{"the ente's turn, nothing pending", ente, 0, 0, nil},
		{"the Region's step", step, 0, 0, []Reason{{Kind: "step", Label: ticketing.StateLabel(ticketing.StateTestSetup)}}},
		{"doubts", with(ente, ticketing.FlagChecking), 0, 0, []Reason{{Kind: "flag", Label: ticketing.FlagChecking.Label()}}},
		{"untrusted sender on the Region's step", with(step, ticketing.FlagUntrusted), 0, 0, []Reason{{Kind: "flag", Label: ticketing.FlagUntrusted.Label()}}},
		{"held reply flagged once", with(ente, ticketing.FlagHeld), 1, 0, []Reason{{Kind: "flag", Label: ticketing.FlagHeld.Label()}}},
		{"held replies under another flag", with(ente, ticketing.FlagStalled), 2, 0,
			[]Reason{{Kind: "flag", Label: ticketing.FlagStalled.Label()}, {Kind: "held", N: 2}}},
		{"a proposal flagged once", with(ente, ticketing.FlagProposal), 0, 1, []Reason{{Kind: "flag", Label: ticketing.FlagProposal.Label()}}},
		{"a proposal and a held reply, no flag", ente, 1, 1, []Reason{{Kind: "proposals", N: 1}, {Kind: "held", N: 1}}},
	} {
		if got := why(c.tk, c.held, c.proposals, 0); !slices.Equal(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
	// Messages not acted on because of their sender: once under their own flag, counted otherwise.
	for _, c := range []struct {
		name    string
		tk      ticketing.Ticket
		senders int
		want    []Reason
	}{
		{"a stranger's message flagged once", with(ente, ticketing.FlagStranger), 1, []Reason{{Kind: "flag", Label: ticketing.FlagStranger.Label()}}},
		{"two untrusted messages under their flag", with(ente, ticketing.FlagUntrusted), 2,
			[]Reason{{Kind: "flag", Label: ticketing.FlagUntrusted.Label()}, {Kind: "senders", N: 2}}},
		{"a stranger's message under another flag", with(ente, ticketing.FlagProposal), 1,
			[]Reason{{Kind: "flag", Label: ticketing.FlagProposal.Label()}, {Kind: "senders", N: 1}}},
	} {
		if got := why(c.tk, 0, 0, c.senders); !slices.Equal(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestSupersededProposalShown (issue 19): a proposal superseded by a newer one for the same
// field is no longer offered; the newer one says, in "Da decidere", which value it replaced.
func TestSupersededProposalShown(t *testing.T) {
	e := start(t, "01-richiesta-venezia.eml")
	ctx := context.Background()
	list, _ := e.d.Store.Tickets(ctx)
	id := list[0].ID
	if err := e.d.Store.Update(ctx, func(tx *ticketing.Tx) error {
		for _, v := range []string{"vecchia@pec.comune.venezia.it", "nuova@pec.comune.venezia.it"} {
			if _, err := tx.AddProposal(ticketing.Proposal{TicketID: id, Field: "ente.pec", Old: "protocollo@pec.comune.venezia.it", Value: v,
				MessageID: "sup@example.it", CreatedAt: time.Now()}); err != nil {
				return err
			}
		}
		return tx.SupersedeProposal(id, 1, 2, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.signIn(c.mailedLink(operator))
	_, page := c.do("GET", "/pratiche/"+id, nil)
	first, _, _ := strings.Cut(page, `<div class="case-layout">`)
	if strings.Contains(first, `data-proposta="1"`) || !strings.Contains(first, `data-proposta="2"`) {
		t.Errorf("Da decidere offers the superseded proposal, or not the newer one:\n%s", first)
	}
	if !strings.Contains(first, "Sostituisce") || !strings.Contains(first, "n. 1 «vecchia@pec.comune.venezia.it»") {
		t.Errorf("the newer proposal does not say which it replaced:\n%s", first)
	}
}
