package mailbot

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"mailbot/internal/wait"
	"mailbot/ticketing"
)

// The cron chain: a panic is recovered and the job runs again next time; a run that starts
// while the previous one is still going is skipped.
func TestCronChainSurvivesPanicsAndNeverOverlaps(t *testing.T) {
	f := newSchedFixture(t)
	c := newCron(f.loc, f.log)
	var runs atomic.Int32
	release := make(chan struct{})
	id, err := c.AddFunc("@every 1h", func() {
		n := runs.Add(1)
		if n == 1 {
			panic("first run fails")
		}
		if n == 2 {
			<-release
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	job := c.Entry(id).WrappedJob
	job.Run() // panics inside, recovered
	done := make(chan struct{})
	go func() { job.Run(); close(done) }()
	// A chain in the wrong order leaves the job marked running after the panic: the second run
	// never starts, and this fails rather than waits for it forever.
	wait.State(t, wait.Timeout, func() (bool, string) {
		n := runs.Load()
		return n >= 2, fmt.Sprintf("the job ran %d times: the run after the panic never started", n)
	})
	job.Run() // skipped: the second run is still going
	close(release)
	select {
	case <-done:
	case <-time.After(wait.Timeout):
		t.Fatal("the second run did not end once released")
	}
	job.Run()
	if n := runs.Load(); n != 3 {
		t.Errorf("job ran %d times, want 3 (panic, long run, run after it; the overlapping one skipped)", n)
	}
}

// One tick at a fake instant queues the reminders and the digest due then, wakes the outbox,
// and a second tick at the same or a later instant of the same day adds nothing.
func TestSchedulerTick(t *testing.T) {
	f := newSchedFixture(t)
	f.open(f.at("2026-03-23 10:00"), ticketing.KindIntegration, "Richiesta", ref, "Comune di Venezia", "test_setup", "testing")
	now := f.at("2026-03-30 09:00")
	var kicks atomic.Int32
	s := NewScheduler(f.cfg, f.store, f.log, func() time.Time { return now }, func() { kicks.Add(1) })
	s.Tick(context.Background())
	kinds := map[string]int{}
	for _, m := range f.outbox() {
		kinds[m.Kind]++
	}
	if kinds["reminder"] != 1 || kinds["digest"] != 1 || len(kinds) != 2 {
		t.Errorf("queued %v, want one reminder and one digest", kinds)
	}
	woken := kicks.Load()
	if woken == 0 {
		t.Errorf("outbox not woken after queueing")
	}
	now = now.Add(15 * time.Minute)
	s.Tick(context.Background())
	if n := len(f.outbox()); n != 2 {
		t.Errorf("second tick: outbox has %d mails, want 2", n)
	}
	if kicks.Load() != woken {
		t.Errorf("second tick woke the outbox with nothing new")
	}
}

// Run catches up at start (the daemon was down at 09:00 and 08:00) and stops when asked.
func TestSchedulerRunCatchesUpAtStart(t *testing.T) {
	f := newSchedFixture(t)
	f.open(f.at("2026-03-23 10:00"), ticketing.KindIntegration, "Richiesta", ref, "", "test_setup", "testing")
	now := f.at("2026-03-30 14:10")
	s := NewScheduler(f.cfg, f.store, f.log, func() time.Time { return now }, nil)
	// Bounded, so that a scheduler that never stops fails the test instead of hanging it.
	ctx, cancel := context.WithTimeout(context.Background(), wait.Timeout)
	defer cancel()
	done := make(chan error, 1) // Run's goroutine never blocks on a test that has given up
	go func() { done <- s.Run(ctx) }()
	wait.State(t, wait.Timeout, func() (bool, string) {
		n := len(f.outbox())
		return n >= 2, fmt.Sprintf("%d mails queued, want the missed reminder and digest", n)
	})
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(wait.Timeout):
		t.Fatal("Run did not stop")
	}
	if n := len(f.outbox()); n != 2 {
		t.Errorf("outbox has %d mails after start, want the missed reminder and digest", n)
	}
}

// The nightly job forgets automatic-reply tallies older than any cap looks back (a day), so the
// table does not grow with every reply ever sent, and leaves the day's caps counting the same.
func TestExpireForgetsOldAutoReplyTallies(t *testing.T) {
	f := newSchedFixture(t)
	now := f.at("2026-03-30 03:40")
	ctx := context.Background()
	if err := f.store.Update(ctx, func(tx *ticketing.Tx) error {
		for _, at := range []time.Time{now.Add(-72 * time.Hour), now.Add(-26 * time.Hour), now.Add(-23 * time.Hour), now.Add(-time.Minute)} {
			if err := tx.AddAutoReply(ticketing.AutoReply{Rcpt: ref, SenderDomain: "comune.venezia.it", RcptDomain: "comune.venezia.it", At: at}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	count := func(since time.Time) (rcpt, domain, all int) {
		t.Helper()
		if err := f.store.Update(ctx, func(tx *ticketing.Tx) error {
			var err error
			if rcpt, err = tx.AutoRepliesSince(ref, since); err != nil {
				return err
			}
			if domain, err = tx.AutoRepliesDomainSince("comune.venezia.it", since); err != nil {
				return err
			}
			all, err = tx.AutoRepliesTotalSince(since)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return rcpt, domain, all
	}
	NewScheduler(f.cfg, f.store, f.log, func() time.Time { return now }, nil).expire(ctx)
	if r, d, a := count(time.Time{}); r != 2 || d != 2 || a != 2 {
		t.Errorf("tallies kept after the nightly job: rcpt %d, domain %d, all %d; want the last day's 2", r, d, a)
	}
	if r, d, a := count(now.Add(-24 * time.Hour)); r != 2 || d != 2 || a != 2 {
		t.Errorf("the day's caps count rcpt %d, domain %d, all %d after the nightly job, want 2", r, d, a)
	}
	if r, _, _ := count(now.Add(-time.Hour)); r != 1 {
		t.Errorf("the hour's cap counts %d, want 1", r)
	}
}
