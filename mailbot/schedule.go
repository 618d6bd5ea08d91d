package mailbot

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"mailbot/ticketing"
)

// Scheduler runs the reminder check (at start and every reminders.check_every) and the daily
// digest (at digest.at, and at every check in case that minute was missed) on a cron in the
// configured zone. Jobs never overlap, a panic in one is logged and the next run happens anyway,
// and since each job works out from the database what is due at the instant it runs, a restart
// neither repeats nor loses anything.
type Scheduler struct {
	cfg       *Config
	store     *ticketing.Store
	log       *slog.Logger
	now       func() time.Time
	Reminders *Reminders
	Digest    *Digester

	mu sync.Mutex // the check and the digest job take turns
}

// NewScheduler wires the scheduler; wake wakes the outbox after a transaction that queued mail
// commits (nil: nothing to wake).
func NewScheduler(cfg *Config, store *ticketing.Store, log *slog.Logger, now func() time.Time, wake func()) *Scheduler {
	r, g := NewReminders(cfg, store, log), NewDigester(cfg, store, log)
	r.post.wake, g.post.wake = wake, wake
	return &Scheduler{cfg: cfg, store: store, log: log, now: now, Reminders: r, Digest: g}
}

// newCron is a cron in loc whose jobs skip a run while the previous one is still going and
// survive panics. The order matters: Recover inside SkipIfStillRunning, or the first panic
// would leave the job marked running forever.
func newCron(loc *time.Location, log *slog.Logger) *cron.Cron {
	l := cronLogger{log}
	return cron.New(cron.WithLocation(loc), cron.WithLogger(l),
		cron.WithChain(cron.SkipIfStillRunning(l), cron.Recover(l)))
}

// Run works until ctx ends, then waits for a running job to finish.
func (s *Scheduler) Run(ctx context.Context) error {
	c := newCron(s.cfg.WorkCalendar().Loc, s.log)
	check, err := c.AddFunc(fmt.Sprintf("@every %s", s.cfg.Reminders.CheckEvery.Duration), func() { s.Tick(ctx) })
	if err != nil {
		return fmt.Errorf("schedule reminder check: %w", err)
	}
	if len(s.cfg.Digest.To) > 0 {
		at := s.cfg.Digest.at
		spec := fmt.Sprintf("%d %d * * *", int(at.Minutes())%60, int(at.Hours()))
		if _, err := c.AddFunc(spec, func() { s.digest(ctx) }); err != nil {
			return fmt.Errorf("schedule digest: %w", err)
		}
	}
	// Retention: at night, when nothing else runs.
	if _, err := c.AddFunc("40 3 * * *", func() { s.expire(ctx) }); err != nil {
		return fmt.Errorf("schedule retention: %w", err)
	}
	c.Start()
	// At start, through the same wrapped job (so it cannot overlap the first scheduled run):
	// catches up what came due while mailbot was down.
	var first sync.WaitGroup
	first.Go(c.Entry(check).WrappedJob.Run)
	<-ctx.Done()
	<-c.Stop().Done()
	first.Wait()
	s.log.Info("scheduler stopped")
	return nil
}

// Tick is one check at the clock's now: reminders and escalations, then the digest if due.
func (s *Scheduler) Tick(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if _, err := s.Reminders.Run(ctx, now); err != nil && ctx.Err() == nil {
		s.log.Error("reminder check", "err", err)
	}
	s.digestLocked(ctx, now)
}

func (s *Scheduler) digest(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.digestLocked(ctx, s.now())
}

func (s *Scheduler) digestLocked(ctx context.Context, now time.Time) bool {
	if len(s.cfg.Digest.To) == 0 || !s.Digest.DueAt(now) {
		return false
	}
	ok, err := s.Digest.Send(ctx, now)
	if err != nil && ctx.Err() == nil {
		s.log.Error("daily digest", "err", err)
	}
	return ok
}

// expire deletes the raw mail of cases closed longer ago than [retention] allows.
func (s *Scheduler) expire(ctx context.Context) {
	now := s.now()
	st, err := s.store.Expire(ctx, s.cfg.RetentionCutoff(now), now)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("retention", "err", err)
		}
		return
	}
	if len(st.Tickets) > 0 || st.MessageFiles > 0 || st.Orphans > 0 {
		s.log.Info("retention: raw mail of closed cases deleted", "cases", len(st.Tickets), "files", st.MessageFiles, "orphans", st.Orphans)
	}
	// The caps look back a day at most (per_day; the hourly ones an hour, window its own):
	// older tallies only grow the table.
	keep := max(s.cfg.RateLimit.Window.Duration, 24*time.Hour) + time.Hour
	if err := s.store.Update(ctx, func(tx *ticketing.Tx) error { return tx.PruneAutoReplies(now.Add(-keep)) }); err != nil && ctx.Err() == nil {
		s.log.Error("retention: automatic-reply tallies", "err", err)
	}
}

// cronLogger feeds cron's messages (panics recovered, runs skipped) to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
