package mailbot

import (
	"testing"
	"time"

	"mailbot/templates"
)

func TestGoldenAcknowledgement(t *testing.T) {
	cases := []struct {
		name string
		data replyData
	}{
		{"ack.eml", replyData{TicketID: "INT-2026-00042", Name: "Maria Bianchi", Subject: "Richiesta integrazione MyPay e MyPivot",
			Received: "26/11/2026 09:12", NextStep: nextStepFirst}},
		{"ack-missing.eml", replyData{TicketID: "INT-2026-00043", Subject: "Attivazione MyPay", NextStep: nextStepFirst,
			Attachments: []string{"informativa.pdf"}, Missing: []string{"il modulo Qualificazione Ente-Prodotto", "i servizi richiesti (MyPay, MyPivot)"}}},
		{"oversize.eml", replyData{Name: "Luca Verdi", Subject: "Moduli scansionati", Received: "26/11/2026 10:00", Limit: "40 MB"}},
	}
	date := time.Date(2026, 11, 26, 9, 12, 30, 0, time.FixedZone("CET", 3600))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := c.name[:len(c.name)-len(".eml")]
			if name == "ack-missing" {
				name = "ack"
			}
			body, err := templates.Render(name, c.data)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := render(outgoing{TicketID: c.data.TicketID, Kind: name, To: []string{"referente@comune.venezia.it"},
				Subject: replySubject(c.data.Subject, c.data.TicketID), Body: body, InReplyTo: "r1@comune.venezia.it",
				References: []string{"r0@comune.venezia.it"}, Auto: true},
				"Regione del Veneto - Integrazioni PagoPA <call.center@regione.veneto.it>", "fixed.id@regione.veneto.it", date)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.name, normaliseMail(raw))
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
