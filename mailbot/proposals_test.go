package mailbot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"mailbot/internal/formgen"
	"mailbot/internal/wait"
	"mailbot/parsers"
	"mailbot/ticketing"
)

// proposals waits for the case to hold n proposals (and the outbox to drain) and returns them.
func (h *harness) proposals(id string, n int) []ticketing.Proposal {
	h.t.Helper()
	var list []ticketing.Proposal
	wait.For(h.t, fmt.Sprintf("%d proposals on %s", n, id), func() bool {
		var err error
		list, err = h.d.Store.ListProposals(context.Background(), id)
		_, pending, _ := h.d.Store.NextDue(context.Background())
		return err == nil && len(list) == n && !pending
	})
	return list
}

// caseValueOf is what the case file says of a field of the informativa.
func (h *harness) caseValueOf(id, key string) string {
	h.t.Helper()
	forms, err := h.d.Store.Forms(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return CaseFile(ticketing.KindIntegration, forms, nil).Forms[parsers.FormInformativaGenerale].Field(key)
}

// TestChangesProposedByMail (issue 19 item 4): once the forms were complete, an informativa
// giving another IBAN, ente PEC or referent e-mail changes nothing by itself: the value is a
// proposal, the case keeps its own, staff are told with the lines that decide it and the
// referent that a person checks it (also when the software house sent it). Accepting applies
// the value (by mail or the CLI's path), rejecting keeps the old one.
func TestChangesProposedByMail(t *testing.T) {
	for _, c := range []struct {
		key, old, new string
		decide, how   string
		from          string // the sender, when not the referent
	}{
		{parsers.KeyTipiDovutoIban, "IT55R0306902117100000046001", "IT60X0542811101000000123456", "accetta", "cli", ""},
		{parsers.KeyTipiDovutoIban, "IT55R0306902117100000046001", "IT60X0542811101000000123456", "rifiuta", "mail", ""},
		{parsers.KeyEntePec, "protocollo@pec.comune.venezia.it", "rimborsi@pec.example.org", "rifiuta", "cli", ""},
		{parsers.KeyReferenteEmail, "mario.rossi@comune.venezia.it", "nuovo.referente@example.org", "accetta", "mail", ""},
		{parsers.KeyReferenteEmail, "mario.rossi@comune.venezia.it", "nuovo.referente@example.org", "rifiuta", "cli", softwareHouse},
	} {
		t.Run(c.key+"-"+c.decide, func(t *testing.T) {
			h, _ := newLifecycle(t)
			h.mail.AddUser(softwareHouse)
			ctx := context.Background()
			id := caseIn(t, h, ticketing.StateTesting)
			from := "Mario Rossi <" + referent + ">"
			if c.from != "" {
				from = c.from
			}
			if got := h.caseValueOf(id, c.key); got != c.old {
				t.Fatalf("%s before: %q, want %q", c.key, got, c.old)
			}
			changed := ticked(t, "informativa_generale_venezia.docx", "word/document.xml", c.old, c.new)
			h.deliver(mimeMail(from, CallCenter, "Re: Credenziali di collaudo ["+id+"]", "change@comune.venezia.it",
				"Buongiorno, in allegato l'informativa aggiornata.", nil, map[string][]byte{"informativa.docx": changed}))
			list := h.proposals(id, 1)
			p := list[0]
			if p.Field != c.key || p.Old != c.old || p.Value != c.new || !p.Pending() || p.MessageID != "change@comune.venezia.it" || p.Seq != 1 {
				t.Fatalf("proposal %+v", p)
			}
			if got := h.caseValueOf(id, c.key); got != c.old {
				t.Errorf("the proposed %s replaced the case's before anyone confirmed it: %q", c.key, got)
			}
			// Not in any form filed with the case either: a proposed e-mail or PEC names nobody
			// who may act on the case (senders.go reads the forms).
			forms, _ := h.d.Store.Forms(ctx, id)
			for _, f := range forms {
				if strings.Contains(fmt.Sprint(f.Fields), c.new) {
					t.Errorf("the proposed value was filed with the case in %s from %s", f.Type, f.Source)
				}
			}
			if tk := h.ticket(id); tk.State != ticketing.StateTesting {
				t.Errorf("state %s", tk.State)
			}
			wait.For(t, "the answer", func() bool {
				_, text := h.lastTo(referent)
				return strings.Contains(text, "verificate da un operatore")
			})
			if _, text := h.lastTo(referent); !strings.Contains(text, c.new) || c.from != "" && !strings.Contains(text, c.from) {
				t.Errorf("the referent is not told which value is checked, and who asked:\n%s", text)
			}
			if c.from != "" {
				if _, text := h.lastTo(c.from); !strings.Contains(text, "verificate da un operatore") {
					t.Errorf("the sender is not told a person checks the change:\n%s", text)
				}
			}
			wait.For(t, "the staff notice", func() bool {
				_, text := h.lastTo(staffOne)
				return strings.Contains(text, "#accetta 1") && strings.Contains(text, "#rifiuta 1") && strings.Contains(text, c.old) && strings.Contains(text, c.new)
			})
			st, err := h.d.Store.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !containsFlag(st.Flagged, ticketing.FlagProposal, 1) {
				t.Errorf("cases waiting for a person %+v, want one with a proposal", st.Flagged)
			}

			if c.how == "cli" {
				if _, err := h.d.Intake.Apply(ctx, id, c.decide, "1", nil, "cli:test"); err != nil {
					t.Fatal(err)
				}
			} else {
				h.deliver(mimeMail(staffOne, CallCenter, "Re: ["+id+"]", "decide@regione.veneto.it", "#"+c.decide+" 1", []string{staffAuth}, nil))
			}
			want, state := c.new, ticketing.ProposalConfirmed
			if c.decide == "rifiuta" {
				want, state = c.old, ticketing.ProposalRejected
			}
			wait.For(t, "the decision", func() bool {
				list, _ := h.d.Store.ListProposals(ctx, id)
				return list[0].State == state
			})
			if got := h.caseValueOf(id, c.key); got != want {
				t.Errorf("%s after #%s: %q, want %q", c.key, c.decide, got, want)
			}
			if _, err := h.d.Intake.Apply(ctx, id, c.decide, "1", nil, "cli:test"); err == nil || !strings.Contains(err.Error(), "già stata") {
				t.Errorf("deciding twice: %v", err)
			}
			evs, _ := h.d.Store.Events(ctx, id)
			decided := false
			for _, e := range evs {
				decided = decided || e.Type == ticketing.EventProposal && strings.Contains(e.Text, "n. 1")
			}
			if !decided {
				t.Error("the decision is no event of the case")
			}
			if tk := h.ticket(id); tk.FlagKind == ticketing.FlagProposal {
				t.Errorf("the proposal flag stays after the decision: %q", tk.Flag)
			}
		})
	}
}

// softwareHouse is the technical contact the Venezia informativa names.
const softwareHouse = "assistenza@softwareveneto.it"

// TestSignatureIsNoProposal: the "Email:" line of a referent's signature names the sender, not
// a new referent: no proposal, nothing filed, nobody told of a change.
func TestSignatureIsNoProposal(t *testing.T) {
	h, _ := newLifecycle(t)
	id := caseIn(t, h, ticketing.StateTesting)
	h.deliver(mimeMail("Mario Rossi <"+referent+">", CallCenter, "Re: ["+id+"]", "sig@comune.venezia.it",
		"Buongiorno, vi aggiorniamo a breve sui test.\n\nMario Rossi\nComune di Venezia\nEmail: "+referent, nil, nil))
	h.waitHeld(id, 1)
	if list := h.proposals(id, 0); len(list) != 0 {
		t.Errorf("proposals from a signature: %+v", list)
	}
	if got := h.caseValueOf(id, parsers.KeyReferenteEmail); got != "mario.rossi@comune.venezia.it" {
		t.Errorf("referent e-mail %q", got)
	}
}

func containsFlag(fs []ticketing.FlagStats, k ticketing.FlagKind, n int) bool {
	for _, f := range fs {
		if f.Kind == k {
			return f.Count == n
		}
	}
	return false
}

// TestProductionIPsProposed (issue 19 item 4): caller IPs for production are proposals, the
// first ones too. The case moves to production_setup, but production credentials are refused
// until staff accept the IPs; rejected IPs are never enabled, accepted ones are, and the
// production credentials mail names them.
func TestProductionIPsProposed(t *testing.T) {
	h, _ := newLifecycle(t)
	ctx := context.Background()
	id := caseIn(t, h, ticketing.StateTesting)
	h.deliver(mimeMail(referent, CallCenter, "Re: Credenziali di collaudo ["+id+"]", "ips1@comune.venezia.it", "Esito: positivo\nIP: 203.0.113.10", nil, nil))
	h.waitState(id, ticketing.StateProductionSetup)
	list := h.proposals(id, 1)
	if p := list[0]; p.Field != parsers.KeyIpEsercizio || p.Value != "203.0.113.10" || !p.Pending() {
		t.Fatalf("proposal %+v", p)
	}
	ips := func() []string {
		got, err := h.d.Store.IPs(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return got[ticketing.EnvEsercizio]
	}
	if got := ips(); len(got) != 0 {
		t.Errorf("production IPs enabled before anyone confirmed them: %v", got)
	}
	if tk := h.ticket(id); tk.FlagKind != ticketing.FlagProposal {
		t.Errorf("flag %q %q, want the proposal's", tk.FlagKind, tk.Flag)
	}
	if _, text := h.lastTo(staffOne); !strings.Contains(text, "#accetta 1") {
		t.Errorf("staff notice lacks the line that accepts the IPs:\n%s", text)
	}
	creds := map[string]string{"codice_ipa": "c_l736", "password_mypay": "Pr0d-1"}
	if _, err := h.d.Intake.Apply(ctx, id, "credenziali", "esercizio", creds, "cli:test"); err == nil || !strings.Contains(err.Error(), "#accetta 1") {
		t.Fatalf("production credentials with unconfirmed IPs: %v", err)
	}
	if _, err := h.d.Intake.Apply(ctx, id, "rifiuta", "1 non sono gli IP del comune", nil, "cli:test"); err != nil {
		t.Fatal(err)
	}
	if got := ips(); len(got) != 0 {
		t.Errorf("rejected IPs enabled: %v", got)
	}
	if _, err := h.d.Intake.Apply(ctx, id, "credenziali", "esercizio", creds, "cli:test"); err == nil {
		t.Fatal("production credentials without any confirmed IP")
	}

	// Other IPs, later: a proposal again, and the sender is told a person checks them.
	before := len(h.mail.DeliveredTo(referent))
	h.deliver(mimeMail(referent, CallCenter, "Re: ["+id+"]", "ips2@comune.venezia.it", "Scusate, l'IP corretto è 198.51.100.7", nil, nil))
	list = h.proposals(id, 2)
	if p := list[1]; p.Value != "198.51.100.7" || !p.Pending() {
		t.Fatalf("second proposal %+v", p)
	}
	wait.For(t, "the answer", func() bool { return len(h.mail.DeliveredTo(referent)) > before })
	if _, text := h.lastTo(referent); !strings.Contains(text, "198.51.100.7") || !strings.Contains(text, "verificate da un operatore") {
		t.Errorf("answer to new IPs:\n%s", text)
	}
	if _, err := h.d.Intake.Apply(ctx, id, "accetta", "2", nil, "cli:test"); err != nil {
		t.Fatal(err)
	}
	if got := ips(); strings.Join(got, ",") != "198.51.100.7" {
		t.Errorf("production IPs %v, want only the accepted one", got)
	}
	// A value staff give themselves is no proposal: it is the case's at once.
	if _, err := h.d.Intake.Apply(ctx, id, "campo", "", map[string]string{parsers.KeyIpEsercizio: "198.51.100.8"}, "cli:test"); err != nil {
		t.Fatal(err)
	}
	if got := ips(); !slices.Contains(got, "198.51.100.8") || len(h.proposals(id, 2)) != 2 {
		t.Errorf("production IPs %v after #campo: the staff's value should be enabled at once, without a proposal", got)
	}
	if _, err := h.d.Intake.Apply(ctx, id, "credenziali", "esercizio", creds, "cli:test"); err != nil {
		t.Fatal(err)
	}
	h.waitState(id, ticketing.StateProductionCheck)
	if _, text := h.lastTo(referent); !strings.Contains(text, "198.51.100.7") || strings.Contains(text, "203.0.113.10") {
		t.Errorf("production credentials do not name the confirmed IPs alone:\n%s", text)
	}
}

// proposedIPs lists the caller IPs for production proposed on a case and waiting for staff.
func proposedIPs(t *testing.T, s *ticketing.Store, id string) []string {
	t.Helper()
	list, err := s.ListProposals(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range list {
		if p.Pending() && p.Field == parsers.KeyIpEsercizio {
			out = append(out, strings.Split(p.Value, ", ")...)
		}
	}
	return out
}

// TestInvalidProposalAcceptedByMail: a proposal whose value a staff correction refuses (an IBAN
// whose check digits are wrong, recorded before such values were kept out) is refused by
// #accetta in a mail too, and stays pending, to be rejected: a refusal among a mail's commands
// rolls nothing back.
func TestInvalidProposalAcceptedByMail(t *testing.T) {
	h, _ := newLifecycle(t)
	ctx := context.Background()
	id := caseIn(t, h, ticketing.StateTesting)
	const old, bad = "IT55R0306902117100000046001", "IT00X0542811101000000123456"
	if err := h.d.Store.Update(ctx, func(tx *ticketing.Tx) error {
		_, err := tx.AddProposal(ticketing.Proposal{TicketID: id, Field: parsers.KeyTipiDovutoIban, FormType: parsers.FormInformativaGenerale,
			Old: old, Value: bad, MessageID: "bad@comune.venezia.it", Document: "informativa.docx", CreatedAt: time.Now(), State: ticketing.ProposalPending})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	h.deliver(mimeMail(staffOne, CallCenter, "Re: ["+id+"]", "decide@regione.veneto.it", "#accetta 1", []string{staffAuth}, nil))
	wait.For(t, "the refusal", func() bool {
		_, text := h.lastTo(staffOne)
		return strings.Contains(text, "#accetta 1: non eseguito")
	})
	if list, _ := h.d.Store.ListProposals(ctx, id); !list[0].Pending() {
		t.Errorf("a refused #accetta decided the proposal: %+v", list[0])
	}
	if got := h.caseValueOf(id, parsers.KeyTipiDovutoIban); got != old {
		t.Errorf("IBAN %q, want %q", got, old)
	}
}

// TestInvalidChangeIsNoProposal: an invalid IBAN or PEC sent after the forms were complete is
// taken out of the forms and proposes nothing: no staff member could accept it.
func TestInvalidChangeIsNoProposal(t *testing.T) {
	h, _ := newLifecycle(t)
	id := caseIn(t, h, ticketing.StateTesting)
	const old, bad = "IT55R0306902117100000046001", "IT00X0542811101000000123456"
	changed := ticked(t, "informativa_generale_venezia.docx", "word/document.xml", old, bad)
	h.deliver(mimeMail("Mario Rossi <"+referent+">", CallCenter, "Re: ["+id+"]", "bad@comune.venezia.it",
		"Buongiorno, in allegato l'informativa aggiornata.\n\nPEC: rimborsi(at)pec", nil, map[string][]byte{"informativa.docx": changed}))
	wait.For(t, "the message read", func() bool {
		evs, _ := h.d.Store.Events(context.Background(), id)
		return slices.ContainsFunc(evs, func(e ticketing.Event) bool { return e.Type == ticketing.EventFlag && e.By == "mailbot" })
	})
	if list := h.proposals(id, 0); len(list) != 0 {
		t.Errorf("proposals of invalid values: %+v", list)
	}
	if got := h.caseValueOf(id, parsers.KeyTipiDovutoIban); got != old {
		t.Errorf("IBAN %q, want %q", got, old)
	}
}

// TestNoProposalOutsideTheCaseForms: an IBAN or ente PEC in a message on a qualification case,
// whose forms have neither, proposes nothing: #accetta could only refuse it.
func TestNoProposalOutsideTheCaseForms(t *testing.T) {
	h, _ := newLifecycle(t)
	fill := func(formType string, values map[string]string) []byte {
		b, err := formgen.Fill(formType, "docx", values)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{"azienda.ragione_sociale": "Software Veneto S.r.l.", "azienda.partita_iva": "04123456784"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	h.deliver(mimeMail(company, CallCenter, "Domanda di qualificazione prodotto TributiWeb", "pq1@softwarehouse.example.it", "In allegato la domanda.", nil,
		map[string][]byte{
			"domanda.docx":  fill(parsers.FormDomandaInvito, with(map[string]string{"referente.nome": "Anna Neri", "referente.email": company, "prodotti": "TributiWeb", "azienda.pec": "softwareveneto@legalmail.it"})),
			"prodotto.docx": fill(parsers.FormQualificazioneProdotto, with(map[string]string{"prodotto.nome": "TributiWeb", "prodotto.versione": "4.2.1", "servizi": "MyPay, MyPivot", "ente_pilota.denominazione": "Comune di Venezia", "ente_pilota.codice_ipa": "c_l736", "azienda.pec": "softwareveneto@legalmail.it"})),
			"processo.docx": fill(parsers.FormQualificazioneProcesso, with(map[string]string{"processo.nome": "Accompagnamento tributi", "processo.fasi": "analisi, configurazione, collaudo", "processo.prodotti": "TributiWeb"})),
		}))
	wait.For(t, "the qualification ticket", func() bool { return len(h.tickets()) == 1 })
	qid := h.tickets()[0].ID
	h.waitState(qid, ticketing.StateUnderReview)
	h.deliver(mimeMail(company, CallCenter, "Re: ["+qid+"]", "pq2@softwarehouse.example.it",
		"Buongiorno, per i pagamenti:\n\nIBAN: IT60X0542811101000000123456\nPEC: rimborsi@pec.example.org\n", nil, nil))
	wait.For(t, "the message read", func() bool {
		evs, _ := h.d.Store.Events(context.Background(), qid)
		return slices.ContainsFunc(evs, func(e ticketing.Event) bool {
			return e.Type == ticketing.EventMessage && strings.Contains(e.Text, "Re: ["+qid)
		})
	})
	if list := h.proposals(qid, 0); len(list) != 0 {
		t.Errorf("proposals of fields the case has no form for: %+v", list)
	}
}

// TestProposalNumberRefused: #accetta and #rifiuta with no number, a word, a negative, zero, a
// number the case has no proposal for or one past int are refused with the numbers waiting,
// and decide nothing.
func TestProposalNumberRefused(t *testing.T) {
	h, _ := newLifecycle(t)
	ctx := context.Background()
	id := caseIn(t, h, ticketing.StateTesting)
	if err := h.d.Store.Update(ctx, func(tx *ticketing.Tx) error {
		_, err := tx.AddProposal(ticketing.Proposal{TicketID: id, Field: parsers.KeyTipiDovutoIban, FormType: parsers.FormInformativaGenerale,
			Old: "IT55R0306902117100000046001", Value: "IT60X0542811101000000123456", CreatedAt: time.Now(), State: ticketing.ProposalPending})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"accetta", "rifiuta"} {
		for _, arg := range []string{"", "uno", "-1", "0", "2", "99999999999999999999", "1abc"} {
			_, err := h.d.Intake.Apply(ctx, id, cmd, arg, nil, "cli:test")
			if err == nil || !strings.Contains(err.Error(), "in attesa: 1") {
				t.Errorf("#%s %q: %v, want a refusal naming the proposal waiting", cmd, arg, err)
			}
		}
	}
	if list, _ := h.d.Store.ListProposals(ctx, id); len(list) != 1 || !list[0].Pending() {
		t.Errorf("proposals after refused numbers: %+v", list)
	}
}

// TestDecidedProposalEchoedSafely: what the sender wrote of a proposal (its message's id, the
// attachment's name, the case's old value as filed) reaches the case's events and the form's
// provenance stripped of control characters and bounded, as every echo of a sender's text.
func TestDecidedProposalEchoedSafely(t *testing.T) {
	h, _ := newLifecycle(t)
	ctx := context.Background()
	id := caseIn(t, h, ticketing.StateTesting)
	hostile := "a\x1b[2J\r\nb" + strings.Repeat("x", 5000)
	if err := h.d.Store.Update(ctx, func(tx *ticketing.Tx) error {
		for range 2 {
			if _, err := tx.AddProposal(ticketing.Proposal{TicketID: id, Field: parsers.KeyEntePec, FormType: parsers.FormInformativaGenerale,
				Old: hostile, Value: "rimborsi@pec.example.org", MessageID: hostile, Document: hostile, CreatedAt: time.Now(), State: ticketing.ProposalPending}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"rifiuta", "accetta"} {
		if _, err := h.d.Intake.Apply(ctx, id, c, map[string]string{"rifiuta": "1", "accetta": "2"}[c], nil, "cli:test"); err != nil {
			t.Fatal(err)
		}
	}
	evs, _ := h.d.Store.Events(ctx, id)
	forms, _ := h.d.Store.Forms(ctx, id)
	var texts []string
	for _, e := range evs {
		texts = append(texts, e.Text)
	}
	for _, f := range forms {
		for _, p := range f.Provenance {
			texts = append(texts, p.Document)
		}
	}
	for _, s := range texts {
		if strings.ContainsAny(s, "\x1b\r\n") || len(s) > 2000 {
			t.Errorf("sender's text echoed raw (%d bytes): %.120q", len(s), s)
		}
	}
}

// TestNewerProposalSupersedesOlder (issue 19): a second proposal for the same field supersedes
// the one still waiting: the older is marked superseded (an event says by which), #accetta of
// it is refused naming the newer one, and the case never takes back a stale value. Staff's
// notice of the newer one says which it replaces. Caller IPs add to a list, so a newer IP
// proposal supersedes an older one only when it holds all of its addresses.
func TestNewerProposalSupersedesOlder(t *testing.T) {
	h, _ := newLifecycle(t)
	ctx := context.Background()
	id := caseIn(t, h, ticketing.StateTesting)
	const old, first, second = "IT55R0306902117100000046001", "IT07X0542811101000000654321", "IT03X0542811101000000777777"
	for i, v := range []string{first, second} {
		changed := ticked(t, "informativa_generale_venezia.docx", "word/document.xml", old, v)
		h.deliver(mimeMail("Mario Rossi <"+referent+">", CallCenter, "Re: ["+id+"]", fmt.Sprintf("iban%d@comune.venezia.it", i),
			"Buongiorno, in allegato l'informativa aggiornata.", nil, map[string][]byte{"informativa.docx": changed}))
		h.proposals(id, i+1)
	}
	list := h.proposals(id, 2)
	if list[0].State != ticketing.ProposalSuperseded || list[0].SupersededBy != 2 || !list[1].Pending() {
		t.Fatalf("proposals %+v, want n. 1 superseded by n. 2, n. 2 pending", list)
	}
	wait.For(t, "the staff notice of n. 2", func() bool {
		_, text := h.lastTo(staffOne)
		return strings.Contains(text, "#accetta 2") && strings.Contains(text, "sostituisce la n. 1")
	})
	if _, text := h.lastTo(staffOne); strings.Contains(text, "#accetta 1") {
		t.Errorf("the notice still offers the superseded proposal:\n%s", text)
	}
	_, err := h.d.Intake.Apply(ctx, id, "accetta", "1", nil, "cli:test")
	if err == nil || !strings.Contains(err.Error(), "sostituita dalla n. 2") {
		t.Errorf("#accetta of a superseded proposal: %v, want a refusal naming n. 2", err)
	}
	if _, err := h.d.Intake.Apply(ctx, id, "accetta", "2", nil, "cli:test"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.d.Intake.Apply(ctx, id, "accetta", "1", nil, "cli:test"); err == nil {
		t.Error("#accetta of the superseded proposal after the newer was accepted: the stale value came back")
	}
	if got := h.caseValueOf(id, parsers.KeyTipiDovutoIban); got != second {
		t.Errorf("IBAN %q, want the newer proposal's %q", got, second)
	}
	evs, _ := h.d.Store.Events(ctx, id)
	if !slices.ContainsFunc(evs, func(e ticketing.Event) bool {
		return e.Type == ticketing.EventProposal && strings.Contains(e.Text, "n. 1 sostituita dalla n. 2")
	}) {
		t.Error("no event says n. 1 was superseded")
	}

	// IPs: 3 proposes A, 4 proposes B alone (both wait: accepting either adds to the list), 5
	// proposes A and B (supersedes both).
	if _, err := h.d.Intake.Apply(ctx, id, "stato", "production_setup test", nil, "cli:test"); err != nil {
		t.Fatal(err)
	}
	for i, ips := range []string{"203.0.113.10", "203.0.113.11", "203.0.113.10, 203.0.113.11"} {
		h.deliver(mimeMail(referent, CallCenter, "Re: ["+id+"]", fmt.Sprintf("ip%d@comune.venezia.it", i), "IP di esercizio: "+ips, nil, nil))
		h.proposals(id, 3+i)
		list = h.proposals(id, 3+i)
		if i == 1 && (!list[2].Pending() || !list[3].Pending()) {
			t.Errorf("IP proposals with different addresses: %+v %+v, want both waiting", list[2], list[3])
		}
	}
	if list[2].State != ticketing.ProposalSuperseded || list[3].State != ticketing.ProposalSuperseded || list[2].SupersededBy != 5 || !list[4].Pending() {
		t.Errorf("IP proposals %+v, want n. 3 and 4 superseded by n. 5", list[2:])
	}

	// n. 6 waits with the first IBAN; then one message holds two informative: the first
	// supersedes n. 6 with another IBAN (n. 7), the second sends n. 6's value again, which is
	// proposed anew (n. 8), not taken for a value still waiting.
	informativa := func(v string) []byte {
		return ticked(t, "informativa_generale_venezia.docx", "word/document.xml", old, v)
	}
	h.deliver(mimeMail("Mario Rossi <"+referent+">", CallCenter, "Re: ["+id+"]", "iban-6@comune.venezia.it",
		"Buongiorno, in allegato l'informativa aggiornata.", nil, map[string][]byte{"informativa.docx": informativa(first)}))
	h.proposals(id, 6)
	h.deliver(mimeMail("Mario Rossi <"+referent+">", CallCenter, "Re: ["+id+"]", "iban-7@comune.venezia.it",
		"Buongiorno, due versioni dell'informativa.", nil, map[string][]byte{"informativa-a.docx": informativa(old), "informativa-b.docx": informativa(first)}))
	list = h.proposals(id, 8)
	if list[5].SupersededBy != 7 || list[6].SupersededBy != 8 || !list[7].Pending() || list[7].Value != first {
		t.Errorf("two informative in one message: %+v, want n. 6 superseded by n. 7, n. 7 by n. 8, n. 8 waiting with %s", list[5:], first)
	}
}

// TestRejectedValueSentAgain (issue 19): a value staff rejected, sent again, reopens nothing:
// no new proposal, the case keeps its value, the rejected proposal counts the resend with an
// event each time, and staff are told once, not at every resend. #accetta of the rejected
// proposal stays refused and says how staff apply the value if they change their mind (#campo).
func TestRejectedValueSentAgain(t *testing.T) {
	h, _ := newLifecycle(t)
	ctx := context.Background()
	id := caseIn(t, h, ticketing.StateTesting)
	const old, bad = "IT55R0306902117100000046001", "IT07X0542811101000000654321"
	changed := ticked(t, "informativa_generale_venezia.docx", "word/document.xml", old, bad)
	send := func(n int) {
		h.deliver(mimeMail("Mario Rossi <"+referent+">", CallCenter, "Re: ["+id+"]", fmt.Sprintf("again%d@comune.venezia.it", n),
			"Buongiorno, in allegato l'informativa aggiornata.", nil, map[string][]byte{"informativa.docx": changed}))
	}
	send(0)
	h.proposals(id, 1)
	if _, err := h.d.Intake.Apply(ctx, id, "rifiuta", "1 IBAN non del comune", nil, "cli:test"); err != nil {
		t.Fatal(err)
	}
	told := func() int {
		n := 0
		for _, m := range h.mail.DeliveredTo(staffOne) {
			if strings.Contains(textOf(t, m.Raw), "inviato di nuovo") {
				n++
			}
		}
		return n
	}
	for i := 1; i <= 3; i++ {
		send(i)
		wait.For(t, fmt.Sprintf("resend %d counted", i), func() bool {
			list, _ := h.d.Store.ListProposals(ctx, id)
			_, pending, _ := h.d.Store.NextDue(ctx)
			return len(list) == 1 && list[0].Resent == i && !pending
		})
	}
	list := h.proposals(id, 1)
	if list[0].State != ticketing.ProposalRejected {
		t.Errorf("the rejected proposal was reopened: %+v", list[0])
	}
	if got := h.caseValueOf(id, parsers.KeyTipiDovutoIban); got != old {
		t.Errorf("IBAN %q, want %q", got, old)
	}
	if n := told(); n != 1 {
		t.Errorf("staff told of the resent rejected value %d times, want once", n)
	}
	if tk := h.ticket(id); tk.FlagKind == ticketing.FlagProposal {
		t.Error("the case waits for a proposal again")
	}
	evs, _ := h.d.Store.Events(ctx, id)
	n := 0
	for _, e := range evs {
		if e.Type == ticketing.EventProposal && strings.Contains(e.Text, "n. 1") && strings.Contains(e.Text, "inviato di nuovo") {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d follow-up events on the rejected proposal, want 3", n)
	}
	_, err := h.d.Intake.Apply(ctx, id, "accetta", "1", nil, "cli:test")
	if err == nil || !strings.Contains(err.Error(), "#campo "+parsers.FormInformativaGenerale+"."+parsers.KeyTipiDovutoIban+"="+bad) {
		t.Errorf("#accetta of the rejected proposal: %v, want a refusal saying how to apply the value", err)
	}
}

// TestAddedContactNeedsAcceptance (issue 19): an address a later form names (here the software
// house's technical contact, changed) gains no power over the case by itself: it is a proposal
// like an IBAN, the case keeps naming the old contact, and the new address's mail moves
// nothing until staff accept it; then it may report the tests as the software house can.
func TestAddedContactNeedsAcceptance(t *testing.T) {
	h, _ := newLifecycle(t)
	ctx := context.Background()
	const newcomer = "tecnico@altrasoftware.example.it"
	h.mail.AddUser(newcomer)
	id := caseIn(t, h, ticketing.StateTesting)
	changed := ticked(t, "informativa_generale_venezia.docx", "word/document.xml", softwareHouse, newcomer)
	h.deliver(mimeMail("Mario Rossi <"+referent+">", CallCenter, "Re: ["+id+"]", "contact@comune.venezia.it",
		"Buongiorno, in allegato l'informativa aggiornata.", nil, map[string][]byte{"informativa.docx": changed}))
	list := h.proposals(id, 1)
	if p := list[0]; p.Field != parsers.KeySoftwareHouseEmail || p.Old != softwareHouse || p.Value != newcomer || !p.Pending() {
		t.Fatalf("proposal %+v, want the software house's new address", p)
	}
	if got := h.caseValueOf(id, parsers.KeySoftwareHouseEmail); got != softwareHouse {
		t.Errorf("software house e-mail %q before anyone accepted the change", got)
	}
	results := func(n int) {
		h.deliver(mimeMail(newcomer, CallCenter, "Re: ["+id+"]", fmt.Sprintf("results%d@altrasoftware.example.it", n),
			"Buongiorno, i test sono stati superati.\n\nEsito: positivo\nIP: 203.0.113.10", nil, nil))
	}
	results(1)
	wait.For(t, "the newcomer's message recorded as a stranger's", func() bool {
		return strangerEvent(h, id)
	})
	if tk := h.ticket(id); tk.State != ticketing.StateTesting {
		t.Fatalf("an address only proposed moved the case to %s", tk.State)
	}
	if _, err := h.d.Intake.Apply(ctx, id, "accetta", "1", nil, "cli:test"); err != nil {
		t.Fatal(err)
	}
	results(2)
	h.waitState(id, ticketing.StateProductionSetup)
}

// strangerEvent tells whether the case recorded a message from a sender it does not name.
func strangerEvent(h *harness, id string) bool {
	evs, _ := h.d.Store.Events(context.Background(), id)
	return slices.ContainsFunc(evs, func(e ticketing.Event) bool {
		return e.Type == ticketing.EventMessage && e.By == "tecnico@altrasoftware.example.it"
	})
}
