package mailbot

import (
	"context"
	"slices"
	"strings"
	"testing"

	"mailbot/internal/wait"
	"mailbot/ticketing"
)

// TestConfirmDoubtfulIP (issue 18): a production caller IP read without confidence in the
// referent's reply is neither recorded nor told as wrong; staff are given #conferma for it like
// any other doubt, and confirming it records the address as read.
func TestConfirmDoubtfulIP(t *testing.T) {
	h, _ := newLifecycle(t)
	ctx := context.Background()
	id := caseIn(t, h, ticketing.StateTesting)
	staffBefore := len(h.mail.DeliveredTo(staffOne))
	h.deliver(mimeMail(referent, CallCenter, "Re: Credenziali di collaudo ["+id+"]", "ipdoubt@comune.venezia.it",
		"Esito: positivo\nIP: 203.0.113.10 porta 8443\n\nCordiali saluti", nil, nil))
	wait.For(t, "the staff notice", func() bool { return len(h.mail.DeliveredTo(staffOne)) > staffBefore })
	if _, text := h.lastTo(staffOne); !strings.Contains(text, "#conferma ip_esercizio") {
		t.Errorf("staff notice without the line that confirms the address:\n%s", text)
	}
	ips, err := h.d.Store.IPs(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(ips[ticketing.EnvEsercizio]) != 0 {
		t.Fatalf("a doubtful address recorded: %v", ips)
	}
	// The console's case page lists it among the doubts, confirmed with the key it shows.
	forms, err := h.d.Store.Forms(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(Doubts(ticketing.KindIntegration, forms, nil), func(d Doubt) bool { return d.Key == "ip_esercizio" })
	if i < 0 {
		t.Fatalf("the doubtful address is no doubt of the case page: %+v", Doubts(ticketing.KindIntegration, forms, nil))
	}
	d := Doubts(ticketing.KindIntegration, forms, nil)[i]
	if d.Value != "203.0.113.10" || d.Settle != "ip_esercizio" {
		t.Errorf("doubt %+v", d)
	}
	res, err := h.d.Intake.Apply(ctx, id, "conferma", d.Type+"."+d.Key, nil, "cli:test")
	if err != nil {
		t.Fatalf("#conferma ip_esercizio: %v", err)
	}
	if !strings.Contains(res, "confermat") {
		t.Errorf("result %q", res)
	}
	if ips, _ := h.d.Store.IPs(ctx, id); !slices.Contains(ips[ticketing.EnvEsercizio], "203.0.113.10") {
		t.Errorf("confirmed address not recorded: %v", ips)
	}
	if _, err := h.d.Intake.Apply(ctx, id, "conferma", "ip_esercizio", nil, "cli:test"); err == nil {
		t.Errorf("the address is still in doubt once confirmed")
	}
}
