package mailbot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"mailbot/internal/wait"
	"mailbot/parsers"
	"mailbot/ticketing"
)

// TestFirstImportProgress: a first start with first_start = "import" on a mailbox already
// holding many messages logs its progress (done/total, rate, time left) and Health shows it
// while it lasts; at the end every message is recorded, none answered.
func TestFirstImportProgress(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Mailboxes = c.Mailboxes[:1]
		c.Mailboxes[0].FirstStart = "import"
	})
	const n = 45
	for i := range n {
		if err := h.mail.Deliver(CallCenter, fmt.Appendf(nil, "From: r%d@comune.venezia.it\r\nTo: %s\r\nSubject: Richiesta %d\r\nMessage-ID: <imp-%d@comune.venezia.it>\r\n\r\nRichiesta di adesione.\r\n",
			i, CallCenter, i, i)); err != nil {
			t.Fatal(err)
		}
	}
	logs := &lockedBuffer{}
	d, err := NewDaemon(h.cfg, slog.New(slog.NewTextHandler(logs, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	d.Watchers[0].Batch = 10
	var seen []Progress
	stopWatch := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-stopWatch:
				return
			case <-time.After(time.Millisecond):
			}
			for _, m := range d.Health.Snapshot().Mailboxes {
				if m.CatchUp != nil && (len(seen) == 0 || seen[len(seen)-1].Done != m.CatchUp.Done) {
					seen = append(seen, *m.CatchUp)
				}
			}
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	h.d, h.cancel, h.done = d, cancel, make(chan struct{})
	go func() { d.Run(ctx); close(h.done) }()
	t.Cleanup(h.stop)
	h.settle(n, 0)
	// Health hears of a batch once the watcher has marked it, just after its commit.
	wait.For(t, "health to count every message", func() bool {
		m := d.Health.Snapshot().Mailboxes
		return len(m) == 1 && m[0].Fetched == n && m[0].CatchUp == nil
	})
	close(stopWatch)
	<-watched

	if len(h.tickets()) != n {
		t.Errorf("%d tickets, want %d", len(h.tickets()), n)
	}
	if got := len(h.mail.DeliveredTo("r1@comune.venezia.it")); got != 0 {
		t.Errorf("an imported message was answered (%d mails)", got)
	}
	if len(seen) == 0 {
		t.Fatal("Health never showed the catch-up")
	}
	if p := seen[0]; p.Total != n || p.Done == 0 || p.Done >= n {
		t.Errorf("first progress %+v, want done in 1..%d of %d", p, n-1, n)
	}
	if snap := d.Health.Snapshot().Mailboxes[0]; snap.CatchUp != nil || snap.Fetched != n || snap.Backlog != 0 {
		t.Errorf("after the import: %+v", snap)
	}
	log := logs.String()
	if !strings.Contains(log, "msg=\"catching up\"") || !strings.Contains(log, "first_start=true done=45 total=45") ||
		!strings.Contains(log, "rate_per_s=") || !strings.Contains(log, "left=0s") {
		t.Errorf("no final progress line in the log:\n%s", log)
	}
}

// TestEnteTicketNeedsSureCodes: a message joins an ente's open case by the codice fiscale or IPA
// code of its forms only when they were read with confidence.
func TestEnteTicketNeedsSureCodes(t *testing.T) {
	h := newHarness(t)
	store, err := ticketing.Open(h.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	in := NewIntake(h.cfg, store, slog.New(slog.DiscardHandler), time.Now, nil)
	now := time.Now()
	form := func(sure bool) message {
		f := parsers.Form{Type: parsers.FormInformativaGenerale, Fields: map[string]any{"ente.codice_fiscale": "00339370272"},
			Provenance: map[string]parsers.Provenance{"ente.codice_fiscale": {Document: "informativa.pdf", How: parsers.HowTable, Sure: sure}}}
		return message{env: &parsers.Envelope{}, an: &parsers.Analysis{Forms: []parsers.Form{f}}}
	}
	err = store.Update(context.Background(), func(tx *ticketing.Tx) error {
		tk, err := tx.NewTicket(ticketing.KindIntegration, "Richiesta", "referente@comune.venezia.it", "mailbot", now, time.UTC)
		if err != nil {
			return err
		}
		if err := tx.SetEnte(tk.ID, ticketing.Ente{Name: "Comune di Venezia", CodiceFiscale: "00339370272"}, nil, now); err != nil {
			return err
		}
		if got, err := in.enteTicket(tx, ticketing.KindIntegration, form(true)); err != nil || got != tk.ID {
			t.Errorf("a sure codice fiscale joins %q (%v), want %s", got, err, tk.ID)
		}
		if got, err := in.enteTicket(tx, ticketing.KindIntegration, form(false)); err != nil || got != "" {
			t.Errorf("an uncertain codice fiscale joins %q (%v), want no case", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMarkAndUnmarkCase: staff mark a case for attention and take the mark off (the console's
// flags column), by the same command as mail and CLI; taking off a mark that is not there is
// refused and changes nothing.
func TestMarkAndUnmarkCase(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.deliver(mimeMail("referente@comune.venezia.it", CallCenter, "Richiesta MyPay", "mark-1@comune.venezia.it", "Vorremmo aderire a MyPay.", nil, nil))
	wait.For(t, "the ticket", func() bool { return len(h.tickets()) == 1 })
	id := h.tickets()[0].ID
	ctx := context.Background()
	if _, err := h.d.Intake.Apply(ctx, id, "segnala", "richiamare il referente", nil, "cli:test"); err != nil {
		t.Fatal(err)
	}
	if tk := h.ticket(id); tk.FlagKind != ticketing.FlagStaff || tk.Flag != "richiamare il referente" {
		t.Fatalf("flag %q", tk.Flag)
	}
	res, err := h.d.Intake.Apply(ctx, id, "segnala", "", nil, "cli:test")
	if err != nil || !strings.Contains(res, "segnalazione tolta") {
		t.Fatalf("unmark: %q %v", res, err)
	}
	if tk := h.ticket(id); tk.Flag != "" {
		t.Errorf("flag after unmark %q", tk.Flag)
	}
	if _, err := h.d.Intake.Apply(ctx, id, "segnala", "", nil, "cli:test"); err == nil {
		t.Error("unmarking an unmarked case was not refused")
	}
	evs, _ := h.d.Store.Events(ctx, id)
	if last := evs[len(evs)-1]; last.Type != ticketing.EventFlag || !strings.Contains(last.Text, "segnalazione tolta: richiamare il referente") {
		t.Errorf("last event %+v", last)
	}
}
