package mailbot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestHeldReplies: replies over an hourly cap are kept, not lost: listed with why, released
// only once the caps allow it (then sent, counted and in the case's thread), or dropped; each
// recorded on its case, and neither twice.
func TestHeldReplies(t *testing.T) {
	b := newCaseBench(t, func(cfg *Config) { cfg.RateLimit.PerHour = 1 })
	ctx := context.Background()
	for i := range 3 {
		b.process(benchRequest(fmt.Sprintf("r%d@d%d.example", i, i), "Richiesta"))
		b.clock.advance(time.Second)
	}
	held, err := b.in.HeldMail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 2 || len(b.autoMail()) != 1 {
		t.Fatalf("held %d, sent %d; want 2 and 1", len(held), len(b.autoMail()))
	}
	if !strings.Contains(held[0].LastError, "limite complessivo 1") || held[0].Rcpts[0] != "r1@d1.example" || held[0].TicketID == "" {
		t.Errorf("held reply: %+v", held[0])
	}
	if _, err := b.in.ReleaseHeld(ctx, held[0].ID, "operatore@regione.veneto.it"); err == nil || !strings.Contains(err.Error(), "ancora oltre il limite orario") {
		t.Errorf("released within the hour of the cap: %v", err)
	}
	if res, err := b.in.DropHeld(ctx, held[1].ID, "operatore@regione.veneto.it"); err != nil || !strings.Contains(res, "scartata") {
		t.Errorf("drop: %q %v", res, err)
	}
	b.clock.advance(time.Hour)
	res, err := b.in.ReleaseHeld(ctx, held[0].ID, "operatore@regione.veneto.it")
	if err != nil || res != "risposta ack a r1@d1.example inviata" {
		t.Fatalf("release: %q %v", res, err)
	}
	if got := len(b.autoMail()); got != 2 {
		t.Errorf("sent after release: %d, want 2", got)
	}
	for _, id := range []int64{held[0].ID, held[1].ID} {
		if _, err := b.in.ReleaseHeld(ctx, id, "x"); !errors.Is(err, ErrHeldGone) {
			t.Errorf("released %d twice: %v", id, err)
		}
	}
	if left, _ := b.in.HeldMail(ctx); len(left) != 0 {
		t.Errorf("still held: %d", len(left))
	}
	msgs, _ := b.store.Messages(ctx, held[0].TicketID)
	if last := msgs[len(msgs)-1]; last.Direction != "out" || !strings.Contains(last.Subject, held[0].TicketID) {
		t.Errorf("released reply not in the thread: %+v", last)
	}
	ev, _ := b.store.Events(ctx, held[1].TicketID)
	if !strings.Contains(ev[len(ev)-1].Text, "scartata") {
		t.Errorf("drop not recorded: %+v", ev[len(ev)-1])
	}
}
