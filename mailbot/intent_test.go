package mailbot

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"mailbot/internal/wait"
	"mailbot/ticketing"
)

// caseIn opens an integration case with both forms and brings it to state by the CLI's path.
func caseIn(t *testing.T, h *harness, state string) string {
	t.Helper()
	ctx := context.Background()
	h.deliver(mimeMail("Mario Rossi <"+referent+">", CallCenter, "Richiesta integrazione MyPay e MyPivot", "req@comune.venezia.it",
		"In allegato i moduli.", nil, bothTicked(t)))
	wait.For(t, "the ticket", func() bool { return len(h.tickets()) == 1 })
	id := h.tickets()[0].ID
	h.waitState(id, ticketing.StateTestSetup)
	for _, s := range []string{ticketing.StateTesting, ticketing.StateProductionSetup, ticketing.StateProductionCheck} {
		if _, err := h.d.Intake.Apply(ctx, id, "stato", s, nil, "cli:test"); err != nil {
			t.Fatal(err)
		}
		if s == state {
			break
		}
	}
	h.waitState(id, state)
	t.Cleanup(func() {
		if t.Failed() {
			evs, _ := h.d.Store.Events(ctx, id)
			for _, e := range evs {
				t.Logf("event %s %s %s", e.Type, e.By, e.Text)
			}
		}
	})
	return id
}

// waitHeld waits until the case holds its n-th message for a person and returns the text of
// the flag it set.
func (h *harness) waitHeld(id string, n int) string {
	h.t.Helper()
	var flag string
	wait.For(h.t, fmt.Sprintf("message %d held", n), func() bool {
		evs, err := h.d.Store.Events(context.Background(), id)
		if err != nil {
			return false
		}
		held := 0
		for _, e := range evs {
			if e.Type == ticketing.EventFlag && strings.Contains(e.Text, "non conferma") {
				held++
				flag = e.Text
			}
		}
		return held >= n
	})
	return flag
}

// TestRepliesThatDoNotSayDone (issue 18 item 6): in testing, a referent who writes that the
// tests are not yet finished, failed, will be done next week, or asks how to know whether
// they passed, and gives a public IP in the same mail, leaves the case in testing: staff read
// the sentence quoted, a question gets an answer with the state and the next step, a failure
// a request to describe it. Then the lines the credentials mail asks for move it.
func TestRepliesThatDoNotSayDone(t *testing.T) {
	h, _ := newLifecycle(t)
	id := caseIn(t, h, ticketing.StateTesting)
	for i, c := range []struct {
		body, quoted, reply string
	}{
		{"Buongiorno, i test non sono ancora terminati, vi aggiorniamo a breve. Chiediamo comunque l'attivazione in esercizio.\nIP: 203.0.113.10", "i test non sono ancora terminati", ""},
		{"I test sono falliti: il pagamento di prova viene rifiutato.\nIP: 203.0.113.10", "I test sono falliti", "non siano andati a buon fine"},
		{"Faremo i test la settimana prossima, intanto ecco l'IP per l'esercizio: 203.0.113.10", "Faremo i test la settimana prossima", ""},
		{"Come facciamo a sapere se i test sono andati a buon fine? IP: 203.0.113.10", "Come facciamo a sapere se i test sono andati a buon fine?", "«Come facciamo a sapere se i test sono andati a buon fine?»"},
	} {
		before := len(h.mail.DeliveredTo(referent))
		staffBefore := len(h.mail.DeliveredTo(staffOne))
		h.deliver(mimeMail(referent, CallCenter, "Re: Credenziali di collaudo ["+id+"]", fmt.Sprintf("hold%d@comune.venezia.it", i), c.body, nil, nil))
		flag := h.waitHeld(id, i+1)
		h.waitState(id, ticketing.StateTesting)
		if !strings.Contains(flag, c.quoted) {
			t.Errorf("%q: the case's flag does not quote the sentence: %q", c.body, flag)
		}
		// Staff are mailed the sentence too, within the hour's cap on notices (the request's
		// notice plus two).
		if i < 2 {
			wait.For(t, "the staff notice", func() bool { return len(h.mail.DeliveredTo(staffOne)) > staffBefore })
			if _, text := h.lastTo(staffOne); !strings.Contains(text, c.quoted) {
				t.Errorf("%q: staff notice does not quote the sentence:\n%s", c.body, text)
			}
		}
		if c.reply == "" {
			if n := len(h.mail.DeliveredTo(referent)); n != before {
				t.Errorf("%q: %d mails to the referent, want none", c.body, n-before)
			}
			continue
		}
		wait.For(t, "the answer", func() bool { return len(h.mail.DeliveredTo(referent)) > before })
		_, text := h.lastTo(referent)
		if !strings.Contains(text, c.reply) {
			t.Errorf("%q: answer lacks %q:\n%s", c.body, c.reply, text)
		}
		if strings.Contains(c.body, "?") && (!strings.Contains(text, "test in collaudo") || !strings.Contains(text, "Prossimo passo:") || !strings.Contains(text, "Esito: positivo")) {
			t.Errorf("the answer to a question does not give the state, the next step and the lines to write:\n%s", text)
		}
	}
	if ips, _ := h.d.Store.IPs(context.Background(), id); len(ips["esercizio"]) != 0 {
		t.Errorf("IPs recorded from mails that hold the case: %v", ips)
	}

	// The lines the credentials mail asks for.
	if tk := h.ticket(id); tk.FlagKind != ticketing.FlagUnclear {
		t.Errorf("flag %q %q", tk.FlagKind, tk.Flag)
	}
	h.deliver(mimeMail(referent, CallCenter, "Re: Credenziali di collaudo ["+id+"]", "lines@comune.venezia.it", "Esito: positivo\nIP: 203.0.113.10", nil, nil))
	h.waitState(id, ticketing.StateProductionSetup)
	if tk := h.ticket(id); tk.FlagKind != ticketing.FlagProposal {
		t.Errorf("the flag of the messages to read stays after the case moved on, instead of the caller IPs' proposal: %q", tk.Flag)
	}
}

// TestPaymentConfirmation: in production_check the referent's words close the case only when
// they say the real payment went through.
func TestPaymentConfirmation(t *testing.T) {
	h, _ := newLifecycle(t)
	id := caseIn(t, h, ticketing.StateProductionCheck)
	for i, c := range []struct{ body, reply string }{
		{"Quando possiamo fare il pagamento?", "«Quando possiamo fare il pagamento?»"},
		{"Il pagamento non è andato a buon fine, riceviamo un errore dal PSP.", "il pagamento in esercizio non sia andato a buon fine"},
		{"Faremo il pagamento di verifica lunedì prossimo.", ""},
	} {
		before := len(h.mail.DeliveredTo(referent))
		h.deliver(mimeMail(referent, CallCenter, "Re: Credenziali di esercizio ["+id+"]", fmt.Sprintf("pay%d@comune.venezia.it", i), c.body, nil, nil))
		h.waitHeld(id, i+1)
		h.waitState(id, ticketing.StateProductionCheck)
		if c.reply == "" {
			continue
		}
		wait.For(t, "the answer", func() bool { return len(h.mail.DeliveredTo(referent)) > before })
		if _, text := h.lastTo(referent); !strings.Contains(text, c.reply) {
			t.Errorf("%q: answer lacks %q:\n%s", c.body, c.reply, text)
		}
	}
	h.deliver(mimeMail(referent, CallCenter, "Re: Credenziali di esercizio ["+id+"]", "paydone@comune.venezia.it", "Esito: positivo", nil, nil))
	h.waitState(id, ticketing.StateCompleted)
}
