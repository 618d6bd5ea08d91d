package mailbot

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"time"

	"mailbot/templates/say"
	"mailbot/ticketing"
)

// registryLine says, for staff, what the registry of enti lists for a case's ente: "" when no
// registry was imported or the case names no code yet.
func registryLine(tx *ticketing.Tx, tk *ticketing.Ticket) (string, error) {
	ipa, cf := tk.Ente.CodiceIPA, tk.Ente.CodiceFiscale
	if ipa == "" && cf == "" {
		return "", nil
	}
	reg, err := tx.Registry(nil, ipa, cf)
	if err != nil || reg == nil {
		return "", err
	}
	if e, ok := reg.Ente(ipa, cf); ok {
		return e.Describe(), nil
	}
	return say.Text("registry.none"), nil
}

// RegistryWatcher reloads the registry of enti from [registry] file when the file changes.
type RegistryWatcher struct {
	file  string
	every time.Duration
	store *ticketing.Store
	log   *slog.Logger
	now   func() time.Time

	mu   sync.Mutex
	seen os.FileInfo // the file as last read
}

// NewRegistryWatcher watches cfg's [registry] file; nil when none is configured.
func NewRegistryWatcher(cfg *Config, store *ticketing.Store, log *slog.Logger, now func() time.Time) *RegistryWatcher {
	if cfg.Registry.File == "" {
		return nil
	}
	return &RegistryWatcher{file: cfg.Registry.File, every: cfg.Registry.CheckEvery.Duration, store: store, log: log, now: now}
}

// Run checks the file every check_every until ctx ends (the daemon checks it once before
// reading mail). A file that cannot be read is logged and the registry kept as it was: the
// daemon goes on without the news.
func (w *RegistryWatcher) Run(ctx context.Context) error {
	t := time.NewTicker(w.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			w.Check(ctx)
		}
	}
}

// Check imports the file if it changed since it was last imported (by size and time, then by
// content, so that a restart does not import the same file again).
func (w *RegistryWatcher) Check(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fi, err := os.Stat(w.file)
	if err != nil {
		w.log.Error("registry of enti: cannot read the file, keeping the registry as it was", "file", w.file, "err", err)
		return
	}
	if w.seen != nil && fi.Size() == w.seen.Size() && fi.ModTime().Equal(w.seen.ModTime()) {
		return
	}
	data, err := os.ReadFile(w.file)
	if err != nil {
		w.log.Error("registry of enti: cannot read the file, keeping the registry as it was", "file", w.file, "err", err)
		return
	}
	w.seen = fi
	if src, ok, err := w.store.RegistrySource(ctx); err == nil && ok && src.SHA256 == ticketing.RegistryDigest(data) {
		return
	}
	src, err := w.store.ImportRegistry(ctx, data, w.file, w.now())
	if err != nil {
		w.log.Error("registry of enti: not imported, keeping the registry as it was", "file", w.file, "err", err)
		return
	}
	w.log.Info("registry of enti imported", "file", w.file, "enti", src.Enti, "sha256", src.SHA256)
}
