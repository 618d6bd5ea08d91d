//go:build unix

package mailbot

import (
	"context"
	"errors"
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
