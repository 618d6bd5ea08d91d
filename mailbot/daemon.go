package mailbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"mailbot/templates"
	"mailbot/ticketing"
)

// Daemon is mailbot at work: one watcher per mailbox feeding the intake, and the outbox sender.
type Daemon struct {
	Cfg      *Config
	Store    *ticketing.Store
	Log      *slog.Logger
	Intake   *Intake
	Sender   *Sender
	Watchers []*Watcher
	Schedule *Scheduler
	Catalogs *Publisher       // nil when [catalog] publishes nowhere
	Registry *RegistryWatcher // nil without [registry] file
	Health   *Health          // what the running daemon knows of itself (ops endpoints, status)
	Readers  *ReaderPool      // the worker processes that read documents

	// Ready, if set, is called once Run holds the data directory and its workers are started
	// (serve tells systemd).
	Ready func()
}

// NewDaemon opens the store and wires the workers. now is the clock (time.Now outside tests).
func NewDaemon(cfg *Config, log *slog.Logger, now func() time.Time) (*Daemon, error) {
	cfg.shareStaff()
	templates.Parse() // here, not at the first reply: a broken template stops the start
	store, err := ticketing.Open(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	d := &Daemon{Cfg: cfg, Store: store, Log: log, Health: NewHealth(now)}
	d.Sender = NewSender(cfg, store, log.With("worker", "outbox"), now)
	d.Sender.waiting = d.Health.Waiting
	d.Intake = NewIntake(cfg, store, log.With("worker", "intake"), now, d.Sender.Kick)
	d.Intake.Health = d.Health
	d.Readers = NewReaderPool(log.With("worker", "readers"))
	d.Intake.Documents = d.Readers
	d.Health.WatchReaders(d.Readers)
	d.Schedule = NewScheduler(cfg, store, log.With("worker", "schedule"), now, d.Sender.Kick)
	if cfg.Catalog.Enabled() {
		d.Catalogs = NewPublisher(cfg, store, log.With("worker", "catalog"), now)
		d.Intake.OnChange = d.Catalogs.Changed
	}
	d.Registry = NewRegistryWatcher(cfg, store, log.With("worker", "registry"), now)
	for _, m := range cfg.Mailboxes {
		w := NewWatcher(m, d.Intake, store, log.With("worker", "watcher"), cfg.Limits.MaxMessageSize)
		w.Health = d.Health
		d.Watchers = append(d.Watchers, w)
	}
	return d, nil
}

// Run works until ctx ends or a worker fails. Shutdown stops the watchers first (no new
// intake), and the sender last, so what intake queued in its final transaction is still
// attempted. A worker that stops with an error (a watcher that cannot go on, a schedule that
// cannot be set) stops the daemon: its error is logged and returned, so serve exits non-zero
// and its supervisor restarts it, instead of running on without that worker.
// A second Run on the same data directory, in this process or another, fails with
// ErrDataDirBusy before doing anything.
func (d *Daemon) Run(ctx context.Context) error {
	release, err := lockDataDir(d.Cfg.DataDir)
	if err != nil {
		return err
	}
	defer release()
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var (
		mu   sync.Mutex
		errs []error
	)
	worker := func(name string, run func(context.Context) error, c context.Context) func() {
		return func() {
			if err := run(c); err != nil && c.Err() == nil {
				d.Log.Error("worker stopped", "worker", name, "err", err)
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				mu.Unlock()
				stop()
			}
		}
	}
	senderCtx, stopSender := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSender()
	var sender sync.WaitGroup
	sender.Go(worker("outbox", d.Sender.Run, senderCtx))

	var watchers sync.WaitGroup
	if d.Registry != nil {
		// Before any mail is read, so that it is checked against the current registry.
		d.Registry.Check(ctx)
		watchers.Go(func() { d.Registry.Run(ctx) })
	}
	for _, w := range d.Watchers {
		watchers.Go(worker("watcher "+w.cfg.Name, w.Run, ctx))
	}
	// The scheduler queues mail like intake does: it stops with it, before the last flush.
	watchers.Go(worker("schedule", d.Schedule.Run, ctx))
	if d.Catalogs != nil {
		// Read-only: it stops with ctx like the watchers (its HTTP server shut down gracefully).
		watchers.Go(func() { d.Catalogs.Run(ctx) })
	}
	if d.Ready != nil {
		d.Ready()
	}
	<-ctx.Done()
	watchers.Wait()
	// One last flush, bounded: mail not sent now stays queued for the next start.
	flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	if err := d.Sender.Flush(flushCtx); err != nil {
		d.Log.Warn("final outbox flush", "err", err)
	}
	cancel()
	stopSender()
	sender.Wait()
	d.Log.Info("stopped")
	return errors.Join(errs...)
}

// Close stops the document readers and releases the store.
func (d *Daemon) Close() error {
	d.Readers.Close()
	return d.Store.Close()
}
