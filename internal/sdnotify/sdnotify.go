// Package sdnotify tells systemd, under Type=notify, that mailbot is ready, stopping, and alive
// (sd_notify(3)): one datagram per state to the socket named by $NOTIFY_SOCKET. Outside systemd
// the variable is unset and every call does nothing.
package sdnotify

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

// States mailbot sends.
const (
	Ready    = "READY=1"
	Stopping = "STOPPING=1"
	Watchdog = "WATCHDOG=1"
)

// Notify sends state to systemd's notification socket, if there is one.
func Notify(state string) error {
	name := os.Getenv("NOTIFY_SOCKET")
	if name == "" {
		return nil
	}
	if name[0] == '@' {
		name = "\x00" + name[1:] // an abstract socket
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify %s: %w", state, err)
	}
	return nil
}

// WatchdogInterval is how often to ping systemd's watchdog (half of WatchdogSec, as
// sd_watchdog_enabled(3) advises), or 0 when no watchdog is armed for this process.
func WatchdogInterval() time.Duration {
	usec, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64)
	if err != nil || usec <= 0 {
		return 0
	}
	if pid := os.Getenv("WATCHDOG_PID"); pid != "" && pid != strconv.Itoa(os.Getpid()) {
		return 0
	}
	return time.Duration(usec) * time.Microsecond / 2
}

// RunWatchdog pings the watchdog every interval while healthy says so, until ctx ends. A
// process that is up but cannot use its database stops pinging, and systemd restarts it.
func RunWatchdog(ctx context.Context, interval time.Duration, healthy func(context.Context) error, onErr func(error)) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		hctx, cancel := context.WithTimeout(ctx, interval)
		err := healthy(hctx)
		cancel()
		if err == nil {
			err = Notify(Watchdog)
		}
		if err != nil && onErr != nil {
			onErr(err)
		}
	}
}
