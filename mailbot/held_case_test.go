package mailbot

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"mailbot/ticketing"
)

// TestHeldReplyDecidedOnItsCase: #trattenuta decides a held reply only on its own case (a
// number of another case's reply, or a word other than invia/scarta, is refused and changes
// nothing), and the decision is an event of the case.
func TestHeldReplyDecidedOnItsCase(t *testing.T) {
	b := newCaseBench(t)
	id := b.openCase("k.bianchi@comune.venezia.it", ticketing.StateTesting)
	ctx := context.Background()
	var held int64
	err := b.store.Update(ctx, func(tx *ticketing.Tx) error {
		other, err := tx.NewTicket(ticketing.KindIntegration, "altra", "x@comune.padova.it", "test", b.clock.now(), time.UTC)
		if err != nil {
			return err
		}
		m := &ticketing.OutMail{TicketID: other.ID, MessageID: "held@regione.veneto.it", Kind: "ack", From: CallCenter,
			Rcpts: []string{"x@comune.padova.it"}, Raw: []byte("Subject: x\r\n\r\nx\r\n"), Auto: true}
		if err := tx.Enqueue(m, b.clock.now()); err != nil {
			return err
		}
		held = m.ID
		return tx.HoldOutbox(m.ID, "limite")
	})
	if err != nil {
		t.Fatal(err)
	}
	n := strconv.FormatInt(held, 10)
	for _, arg := range []string{n + " invia", n + " scarta", "x invia", "-1 scarta"} {
		if _, err := b.in.Apply(ctx, id, "trattenuta", arg, nil, staffOne); !errors.Is(err, errRefused) {
			t.Errorf("#trattenuta %s on another case: %v, want a refusal", arg, err)
		}
	}
	list, _ := b.store.HeldMail(ctx)
	if len(list) != 1 {
		t.Fatalf("held replies %d, want the one still held", len(list))
	}
	tks, _ := b.store.Tickets(ctx)
	var other string
	for _, tk := range tks {
		if tk.ID != id {
			other = tk.ID
		}
	}
	if _, err := b.in.Apply(ctx, other, "trattenuta", n+" boh", nil, staffOne); !errors.Is(err, errRefused) {
		t.Errorf("#trattenuta %s boh: %v, want a refusal", n, err)
	}
	res, err := b.in.Apply(ctx, other, "trattenuta", n+" scarta", nil, staffOne)
	if err != nil || !strings.Contains(res, "scartata") {
		t.Fatalf("#trattenuta %s scarta: %q, %v", n, res, err)
	}
	evs, _ := b.store.Events(ctx, other)
	if len(evs) == 0 || !strings.Contains(evs[len(evs)-1].Text, "scartata") || evs[len(evs)-1].By != staffOne {
		t.Errorf("events %+v: the decision is not the case's last event", evs)
	}
}
