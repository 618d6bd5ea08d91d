//go:build unix

package mailbot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestSecondDaemonRefused: a second serve on the same data directory stops at once with a clear
// error, while the first keeps running; once the first stops, a new one starts.
func TestSecondDaemonRefused(t *testing.T) {
	dir := t.TempDir()
	release, err := lockDataDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockDataDir(dir); !errors.Is(err, ErrDataDirBusy) {
		t.Fatalf("second lock: %v, want ErrDataDirBusy", err)
	}
	d := &Daemon{Cfg: &Config{DataDir: dir}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.Run(ctx); !errors.Is(err, ErrDataDirBusy) {
		t.Fatalf("Run beside a running daemon: %v, want ErrDataDirBusy", err)
	}
	release()
	again, err := lockDataDir(dir)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	again()
}

// TestDaemonStopsOnWorkerError: a worker that cannot run (here the scheduler, given a digest time
// cron refuses) stops the daemon with its error instead of leaving it running without
// a daily digest.
func TestDaemonStopsOnWorkerError(t *testing.T) {
	h := newHarness(t)
	d, err := NewDaemon(h.cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.Cfg.Digest.To, d.Cfg.Digest.at = []string{"dirigente@regione.veneto.it"}, -time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = d.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "schedule") {
		t.Fatalf("Run = %v, want the scheduler's error", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Run returned only when the test's deadline passed")
	}
}
