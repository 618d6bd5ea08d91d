package mailbot

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mailbot/ticketing"
)

// schedFixture is a real store built through the ticketing API, with a configuration whose
// clock is whatever each test passes in.
type schedFixture struct {
	t     *testing.T
	cfg   *Config
	store *ticketing.Store
	loc   *time.Location
	log   *slog.Logger
}

const (
	staff1 = "staff1@regione.veneto.it"
	staff2 = "staff2@regione.veneto.it"
)

func newSchedFixture(t *testing.T, edit ...func(*Config)) *schedFixture {
	t.Helper()
	dir := t.TempDir()
	cfg := &Config{
		DataDir:   dir,
		ReplyFrom: "Regione del Veneto - Integrazioni PagoPA <" + CallCenter + ">",
		Mailboxes: []MailboxConfig{
			{Name: "callcenter", Address: CallCenter, IMAPAddr: "127.0.0.1:1", Username: "u", Password: "p"},
			{Name: "cluster", Address: Cluster, IMAPAddr: "127.0.0.1:1", Username: "u", Password: "p"},
		},
		SMTP:   SMTPConfig{Addr: "127.0.0.1:1"},
		Staff:  StaffConfig{Addresses: []string{staff1, staff2}},
		Digest: DigestConfig{To: []string{Cluster}},
	}
	for _, e := range edit {
		e(cfg)
	}
	if err := cfg.Complete(); err != nil {
		t.Fatal(err)
	}
	s, err := ticketing.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &schedFixture{t: t, cfg: cfg, store: s, loc: cfg.Location(), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// at reads "2006-01-02 15:04" in Europe/Rome.
func (f *schedFixture) at(s string) time.Time {
	f.t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, f.loc)
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

// open creates a case at when and walks it through states (at the same instant), as intake
// and staff would.
func (f *schedFixture) open(when time.Time, kind, subject, requester, ente string, states ...string) string {
	f.t.Helper()
	var id string
	err := f.store.Update(context.Background(), func(tx *ticketing.Tx) error {
		tk, err := tx.NewTicket(kind, subject, requester, requester, when, f.loc)
		if err != nil {
			return err
		}
		id = tk.ID
		if _, err := tx.AddMessage(&ticketing.Message{TicketID: id, Direction: "in", MessageID: "req-" + id + "@comune.example.it",
			Digest: "d-" + id, From: requester, Subject: subject, Date: when, ReceivedAt: when}); err != nil {
			return err
		}
		if ente != "" {
			if err := tx.SetEnte(id, ticketing.Ente{Name: ente}, []string{"MyPay"}, when); err != nil {
				return err
			}
		}
		for _, st := range states {
			if err := tx.SetState(id, st, staff1, "", when); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *schedFixture) move(id string, when time.Time, states ...string) {
	f.t.Helper()
	if err := f.store.Update(context.Background(), func(tx *ticketing.Tx) error {
		for _, st := range states {
			if err := tx.SetState(id, st, staff1, "", when); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *schedFixture) assign(id, who string) {
	f.t.Helper()
	if err := f.store.Update(context.Background(), func(tx *ticketing.Tx) error {
		return tx.SetAssignee(id, who, staff1, time.Now())
	}); err != nil {
		f.t.Fatal(err)
	}
}

// message records an incoming message on a ticket.
func (f *schedFixture) message(id string, when time.Time, from, auto string) {
	f.t.Helper()
	msgID := strings.ReplaceAll(from, "@", ".") + "." + when.Format("20060102150405") + "@mail.example.it"
	if err := f.store.Update(context.Background(), func(tx *ticketing.Tx) error {
		_, err := tx.AddMessage(&ticketing.Message{TicketID: id, Direction: "in", MessageID: msgID, Digest: msgID,
			From: from, Subject: "Re: pratica [" + id + "]", Date: when, Auto: auto, ReceivedAt: when})
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *schedFixture) reminders() *Reminders { return NewReminders(f.cfg, f.store, f.log) }

func (f *schedFixture) plan(now time.Time) []Due {
	f.t.Helper()
	due, err := f.reminders().Plan(context.Background(), now)
	if err != nil {
		f.t.Fatal(err)
	}
	return due
}

func (f *schedFixture) run(now time.Time) []Due {
	f.t.Helper()
	due, err := f.reminders().Run(context.Background(), now)
	if err != nil {
		f.t.Fatal(err)
	}
	return due
}

func (f *schedFixture) outbox() []ticketing.OutMail {
	f.t.Helper()
	list, err := f.store.Outbox(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

// dueSummary is "ID kind seq → to" per due mail, sorted.
func dueSummary(due []Due) []string {
	var out []string
	for _, d := range due {
		out = append(out, d.Ticket.ID+" "+d.Kind+" → "+strings.Join(d.To, ","))
	}
	slices.Sort(out)
	return out
}

const ref = "referente@comune.venezia.it"

func TestRemindersDueAtThresholds(t *testing.T) {
	I, Q := ticketing.KindIntegration, ticketing.KindQualification
	cases := []struct {
		name     string
		kind     string
		since    string   // entered its state
		states   []string // path to the state
		messages []struct{ at, from, auto string }
		assignee string
		edit     func(*Config)
		now      string
		want     string // "" for nothing, else kind → recipients
	}{
		{name: "4 working days are not 5", kind: I, since: "2026-03-23 10:00", states: []string{"test_setup", "testing"},
			now: "2026-03-27 10:00"},
		{name: "5th working day across a weekend and the DST change", kind: I, since: "2026-03-23 10:00",
			states: []string{"test_setup", "testing"}, now: "2026-03-30 09:00", want: "reminder → " + ref},
		{name: "before office hours", kind: I, since: "2026-03-23 10:00", states: []string{"test_setup", "testing"},
			now: "2026-03-30 08:59"},
		{name: "after office hours", kind: I, since: "2026-03-23 10:00", states: []string{"test_setup", "testing"},
			now: "2026-03-30 17:00"},
		{name: "never on a Saturday", kind: I, since: "2026-03-16 10:00", states: []string{"test_setup", "testing"},
			now: "2026-03-28 10:00"},
		{name: "Easter Monday 2026 is no working day", kind: I, since: "2026-04-01 10:00", now: "2026-04-08 16:00"},
		{name: "due the day after", kind: I, since: "2026-04-01 10:00", now: "2026-04-09 09:30", want: "reminder → " + ref},
		{name: "nothing on Easter Monday 2026 itself", kind: I, since: "2026-03-20 10:00", now: "2026-04-06 10:00"},
		{name: "nothing on Easter Monday 2027", kind: I, since: "2027-03-22 10:00", now: "2027-03-29 10:00"},
		{name: "Easter Monday 2027 skipped in the count", kind: I, since: "2027-03-22 10:00", now: "2027-03-30 10:00",
			want: "reminder → " + ref},
		{name: "nothing on 8 December", kind: I, since: "2026-12-01 10:00", now: "2026-12-08 10:00"},
		{name: "8 December skipped in the count", kind: I, since: "2026-12-01 10:00", now: "2026-12-09 09:00",
			want: "reminder → " + ref},
		{name: "nothing on Venice's 21 November", kind: I, since: "2025-11-17 10:00", now: "2025-11-21 10:00"},
		{name: "21 November skipped in the count", kind: I, since: "2025-11-17 10:00", now: "2025-11-24 10:00"},
		{name: "5th working day after 21 November", kind: I, since: "2025-11-17 10:00", now: "2025-11-25 10:00",
			want: "reminder → " + ref},
		{name: "no local holiday configured", kind: I, since: "2025-11-17 10:00", now: "2025-11-24 10:00",
			edit: func(c *Config) { c.Calendar.LocalHolidays = []string{} }, want: "reminder → " + ref},
		{name: "office hours after the autumn DST change, 09:00 CET", kind: I, since: "2026-10-21 10:00",
			now: "2026-10-28 09:00", want: "reminder → " + ref},
		{name: "08:30 CET is before office hours", kind: I, since: "2026-10-21 10:00", now: "2026-10-28 08:30"},
		{name: "the ente's later message restarts the count", kind: I, since: "2026-03-16 10:00",
			states:   []string{"test_setup", "testing"},
			messages: []struct{ at, from, auto string }{{"2026-03-25 11:00", ref, ""}}, now: "2026-03-31 16:00"},
		{name: "counted from the ente's message", kind: I, since: "2026-03-16 10:00", states: []string{"test_setup", "testing"},
			messages: []struct{ at, from, auto string }{{"2026-03-25 11:00", ref, ""}},
			now:      "2026-04-01 09:00", want: "reminder → " + ref},
		{name: "a sender not on the case is not the ente answering", kind: I, since: "2026-03-16 10:00",
			states:   []string{"test_setup", "testing"},
			messages: []struct{ at, from, auto string }{{"2026-03-20 11:00", "spam@evil.example", ""}},
			now:      "2026-03-23 10:00", want: "reminder → " + ref},
		{name: "staff writing is not the ente answering", kind: I, since: "2026-03-16 10:00",
			states:   []string{"test_setup", "testing"},
			messages: []struct{ at, from, auto string }{{"2026-03-20 11:00", staff2, ""}, {"2026-03-20 12:00", CallCenter, ""}},
			now:      "2026-03-23 10:00", want: "reminder → " + ref},
		{name: "an out-of-office reply is no answer", kind: I, since: "2026-03-16 10:00", states: []string{"test_setup", "testing"},
			messages: []struct{ at, from, auto string }{{"2026-03-20 11:00", ref, "Auto-Submitted: auto-replied"}},
			now:      "2026-03-23 10:00", want: "reminder → " + ref},
		{name: "per-state override", kind: I, since: "2026-03-23 10:00", states: []string{"test_setup", "testing"},
			edit: func(c *Config) { c.Reminders.States = map[string]int{"testing": 10} }, now: "2026-04-03 10:00"},
		{name: "per-state override reached", kind: I, since: "2026-03-23 10:00", states: []string{"test_setup", "testing"},
			edit: func(c *Config) { c.Reminders.States = map[string]int{"testing": 10} }, now: "2026-04-07 10:00",
			want: "reminder → " + ref},
		{name: "a state set to 0 is never chased", kind: I, since: "2026-03-02 10:00",
			states: []string{"test_setup", "testing", "production_setup", "production_check"},
			edit:   func(c *Config) { c.Reminders.States = map[string]int{"production_check": 0} }, now: "2026-03-30 10:00"},
		{name: "qualification pilot", kind: Q, since: "2026-03-23 10:00", states: []string{"under_review", "pilot"},
			now: "2026-03-30 10:00", want: "reminder → " + ref},
		{name: "the Region within its 3 days", kind: I, since: "2026-03-23 10:00", states: []string{"test_setup"},
			now: "2026-03-25 16:59"},
		{name: "the Region beyond 3 days goes to the staff list", kind: I, since: "2026-03-23 10:00",
			states: []string{"test_setup"}, now: "2026-03-26 09:00", want: "escalation → " + staff1 + "," + staff2},
		{name: "an assignee by name means the staff list", kind: I, since: "2026-03-23 10:00", states: []string{"test_setup"},
			assignee: "Mario Rossi", now: "2026-03-26 09:00", want: "escalation → " + staff1 + "," + staff2},
		{name: "an assignee by address gets it alone", kind: I, since: "2026-03-23 10:00",
			states:   []string{"test_setup", "testing", "production_setup"},
			assignee: "Mario.Rossi@regione.veneto.it", now: "2026-03-26 09:00", want: "escalation → mario.rossi@regione.veneto.it"},
		{name: "qualification under review escalates", kind: Q, since: "2026-03-23 10:00", states: []string{"under_review"},
			now: "2026-03-26 09:00", want: "escalation → " + staff1 + "," + staff2},
		{name: "escalation override", kind: I, since: "2026-03-23 10:00", states: []string{"test_setup"},
			edit: func(c *Config) { c.Reminders.Escalation.States = map[string]int{"test_setup": 5} }, now: "2026-03-27 10:00"},
		{name: "completed cases rest", kind: I, since: "2026-01-05 10:00",
			states: []string{"test_setup", "testing", "production_setup", "production_check", "completed"}, now: "2026-03-30 10:00"},
		{name: "cancelled cases rest", kind: I, since: "2026-01-05 10:00", states: []string{"cancelled"}, now: "2026-03-30 10:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var edits []func(*Config)
			if c.edit != nil {
				edits = append(edits, c.edit)
			}
			f := newSchedFixture(t, edits...)
			id := f.open(f.at(c.since), c.kind, "Richiesta integrazione MyPay", ref, "Comune di Venezia", c.states...)
			for _, m := range c.messages {
				f.message(id, f.at(m.at), m.from, m.auto)
			}
			if c.assignee != "" {
				f.assign(id, c.assignee)
			}
			var want []string
			if c.want != "" {
				kind, to, _ := strings.Cut(c.want, " → ")
				if kind == "escalation" {
					kind = ticketing.SentEscalation
				}
				want = []string{id + " " + kind + " → " + to}
			}
			got := dueSummary(f.plan(f.at(c.now)))
			if !slices.Equal(got, want) {
				t.Errorf("due at %s = %q, want %q", c.now, got, want)
			}
			// Run queues exactly what Plan listed.
			if n := len(f.run(f.at(c.now))); n != len(want) || len(f.outbox()) != len(want) {
				t.Errorf("Run queued %d (outbox %d), want %d", n, len(f.outbox()), len(want))
			}
		})
	}
}

// TestReminderSequenceThenStalled walks the clock hour by hour through weeks, as the daemon's
// check would, and checks that the referent hears every 5 working days, three times, and then
// staff hear once and the case is flagged; an answer of the ente starts over.
func TestReminderSequenceThenStalled(t *testing.T) {
	f := newSchedFixture(t)
	id := f.open(f.at("2026-03-02 10:00"), ticketing.KindIntegration, "Richiesta integrazione MyPay", ref, "Comune di Venezia",
		"test_setup", "testing")
	var log []string
	walk := func(from, to string) {
		for now := f.at(from); now.Before(f.at(to)); now = now.Add(time.Hour) {
			for _, d := range f.run(now) {
				log = append(log, now.In(f.loc).Format("2006-01-02 15:04")+" "+d.Kind)
			}
		}
	}
	walk("2026-03-02 00:00", "2026-04-20 00:00")
	want := []string{
		"2026-03-09 09:00 reminder", "2026-03-16 09:00 reminder", "2026-03-23 09:00 reminder",
		"2026-03-30 09:00 stalled",
	}
	if !slices.Equal(log, want) {
		t.Fatalf("sent:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
	tk, err := f.store.Ticket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if tk.FlagKind != ticketing.FlagStalled {
		t.Errorf("flag = %q, want stalled", tk.Flag)
	}
	ob := f.outbox()
	if len(ob) != 4 || ob[3].Kind != "escalation" || !slices.Equal(ob[3].Rcpts, []string{staff1, staff2}) {
		t.Errorf("outbox = %+v", ob)
	}
	// The ente answers on 21 April (a Tuesday): the flag goes, and the count starts over.
	f.message(id, f.at("2026-04-21 11:00"), ref, "")
	log = nil
	walk("2026-04-21 11:00", "2026-04-29 00:00")
	tk, _ = f.store.Ticket(context.Background(), id)
	if tk.FlagKind != ticketing.FlagNone || tk.Flag != "" {
		t.Errorf("flag after the ente wrote = %q, want none", tk.Flag)
	}
	// 22, 23, 24, 27, 28 April (25 April is a Saturday): due on the 28th.
	if want := []string{"2026-04-28 09:00 reminder"}; !slices.Equal(log, want) {
		t.Errorf("after the answer sent %q, want %q", log, want)
	}
}

// A reminder the daemon missed while down is sent once when it comes back, and never twice
// across restarts or concurrent runs (daemon and CLI).
func TestRemindersSurviveRestartsWithoutDoubles(t *testing.T) {
	f := newSchedFixture(t)
	f.open(f.at("2026-03-23 10:00"), ticketing.KindIntegration, "Richiesta", ref, "", "test_setup", "testing")
	f.open(f.at("2026-03-23 10:00"), ticketing.KindIntegration, "Richiesta", "altro@comune.padova.it", "", "test_setup")
	// Down from Friday evening to Tuesday at 11:20: the reminder due Monday 09:00 and the
	// escalation due Thursday are both still due, and go once.
	now := f.at("2026-03-31 11:20")
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 4 {
		wg.Go(func() {
			due, err := NewReminders(f.cfg, f.store, f.log).Run(context.Background(), now)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += len(due)
			mu.Unlock()
		})
	}
	wg.Wait()
	if total != 2 || len(f.outbox()) != 2 {
		t.Fatalf("four concurrent runs queued %d (outbox %d), want 2", total, len(f.outbox()))
	}
	// A restart: a new store on the same directory, checking again through the due window.
	f.store.Close()
	s, err := ticketing.Open(f.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	f.store = s
	for at := now; at.Before(f.at("2026-04-03 17:00")); at = at.Add(15 * time.Minute) {
		if due := f.run(at); len(due) > 0 {
			t.Errorf("after restart at %s queued again: %q", at, dueSummary(due))
		}
	}
	if n := len(f.outbox()); n != 2 {
		t.Errorf("outbox has %d mails, want 2", n)
	}
	// And the next reminder counts from when the first was actually sent (Tuesday 31 March):
	// 1, 2, 3, 7, 8 April (6 April is Easter Monday).
	if got := dueSummary(f.plan(f.at("2026-04-07 16:00"))); len(got) != 0 {
		t.Errorf("second reminder early: %q", got)
	}
	if got := dueSummary(f.plan(f.at("2026-04-08 09:00"))); len(got) != 1 {
		t.Errorf("second reminder on 8 April: %q, want one", got)
	}
}

// The reminder threads under the last message of the ticket and is recorded as one of its
// messages, so an answer to it joins the ticket even without the tag.
func TestReminderThreadsAndIsRecorded(t *testing.T) {
	f := newSchedFixture(t)
	id := f.open(f.at("2026-03-16 10:00"), ticketing.KindIntegration, "Richiesta integrazione", ref, "Comune di Venezia",
		"test_setup", "testing")
	f.message(id, f.at("2026-03-17 10:00"), staff1, "")
	f.run(f.at("2026-03-23 09:05"))
	msgs, err := f.store.Messages(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	last := msgs[len(msgs)-1]
	if last.Direction != "out" || last.Subject != "Re: Richiesta integrazione ["+id+"]" || !slices.Equal(last.To, []string{ref}) {
		t.Fatalf("last message = %+v", last)
	}
	raw := f.rawOf(last.MessageID)
	for _, want := range []string{
		"In-Reply-To: <" + msgs[len(msgs)-2].MessageID + ">",
		"References: <req-" + strings.ToLower(id),
		"Subject: Re: Richiesta integrazione [" + id + "]",
		"Auto-Submitted: auto-generated",
	} {
		if !strings.Contains(strings.ToLower(raw), strings.ToLower(want)) {
			t.Errorf("reminder lacks %q:\n%s", want, raw)
		}
	}
}

func (f *schedFixture) rawOf(messageID string) string {
	f.t.Helper()
	due, err := f.store.DueMail(context.Background(), f.at("2100-01-01 00:00"), 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, m := range due {
		if m.MessageID == messageID {
			return string(m.Raw)
		}
	}
	f.t.Fatalf("no queued mail %s", messageID)
	return ""
}
