package sdnotify

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// listen plays systemd: a datagram socket named by NOTIFY_SOCKET.
func listen(t *testing.T) *net.UnixConn {
	t.Helper()
	name := filepath.Join(t.TempDir(), "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	t.Setenv("NOTIFY_SOCKET", name)
	return c
}

func read(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, 256)
	n, err := c.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(b[:n])
}

func TestNotify(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	if err := Notify(Ready); err != nil {
		t.Fatalf("outside systemd: %v", err)
	}
	c := listen(t)
	if err := Notify(Ready); err != nil {
		t.Fatal(err)
	}
	if got := read(t, c); got != Ready {
		t.Errorf("got %q, want %q", got, Ready)
	}
}

func TestWatchdogInterval(t *testing.T) {
	for _, c := range []struct {
		usec, pid string
		want      time.Duration
	}{
		{"", "", 0},
		{"junk", "", 0},
		{"60000000", "", 30 * time.Second},
		{"60000000", strconv.Itoa(os.Getpid()), 30 * time.Second},
		{"60000000", "1", 0}, // meant for another process
	} {
		t.Setenv("WATCHDOG_USEC", c.usec)
		t.Setenv("WATCHDOG_PID", c.pid)
		if got := WatchdogInterval(); got != c.want {
			t.Errorf("WATCHDOG_USEC=%q WATCHDOG_PID=%q: %s, want %s", c.usec, c.pid, got, c.want)
		}
	}
}

// TestWatchdogPingsOnlyWhenHealthy: a healthy daemon pings; one whose check fails does not.
func TestWatchdogPingsOnlyWhenHealthy(t *testing.T) {
	c := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	healthy := make(chan bool, 1)
	healthy <- false
	var failures atomic.Int32
	go RunWatchdog(ctx, 10*time.Millisecond, func(context.Context) error {
		select {
		case h := <-healthy:
			if !h {
				return errors.New("store not writable")
			}
		default:
		}
		return nil
	}, func(error) { failures.Add(1) })
	if got := read(t, c); got != Watchdog {
		t.Fatalf("got %q, want %q", got, Watchdog)
	}
	cancel()
	if n := failures.Load(); n != 1 {
		t.Errorf("%d failed checks reported, want 1", n)
	}
}
