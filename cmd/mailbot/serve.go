package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
	"time"

	"mailbot/console"
	"mailbot/internal/demo"
	"mailbot/internal/sdnotify"
	"mailbot/mailbot"
	"mailbot/ops"
	"mailbot/ticketing"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	withConsole := fs.Bool("console", false, "keep running after the demo mail and serve the web console on a loopback port")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var opts demo.Options
	if *withConsole {
		var err error
		if opts, err = demoConsole(stdout); err != nil {
			fmt.Fprintf(stderr, "mailbot demo: %v\n", err)
			return 1
		}
	}
	if err := demo.Run(ctx, stdout, opts); err != nil {
		fmt.Fprintf(stderr, "mailbot demo: %v\n", err)
		return 1
	}
	return 0
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "mailbot.toml", "configuration file")
	verbose := fs.Bool("debug", false, "log at debug level")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (cmd/mailbot-load -profile)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "mailbot serve: cpu profile: %v\n", err)
			return 2
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	cfg, err := mailbot.LoadConfig(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot serve: %v\n", err)
		return 2
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	// The heap, not the pace of collection, is what the limit bounds. The daemon keeps ~8 MB
	// live: at the default GOGC=100 it collected every 8 MB allocated, ~90 times in a backlog of
	// 2,000 requests (a tenth of its CPU). At 400 it collects a quarter as often, and the soft
	// limit, lower than the heap would reach after a large attachment, makes it work harder
	// there instead of letting the heap grow.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(56 << 20)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	d, err := mailbot.NewDaemon(cfg, log, time.Now)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot serve: %v\n", err)
		return 1
	}
	defer d.Close()
	d.Readers.Warm()
	reloadOnHangup(ctx, *config, cfg, d, log)
	log.Info("mailbot started", "mailboxes", len(cfg.Mailboxes), "data_dir", cfg.DataDir)
	// Under systemd (Type=notify): ready once the daemon runs, a watchdog ping while the store
	// takes writes, stopping on the way out.
	d.Ready = func() {
		if err := sdnotify.Notify(sdnotify.Ready); err != nil {
			log.Warn("systemd notify", "err", err)
		}
	}
	wctx, stopWatchdog := context.WithCancel(ctx)
	defer stopWatchdog()
	go sdnotify.RunWatchdog(wctx, sdnotify.WatchdogInterval(), func(c context.Context) error {
		return d.Store.Update(c, func(*ticketing.Tx) error { return nil })
	}, func(err error) { log.Error("watchdog: store not writable, not pinging", "err", err) })
	defer sdnotify.Notify(sdnotify.Stopping)
	if cfg.Ops.Enabled() {
		startOps(ctx, cfg, d, log)
	}
	if cfg.Console.Enabled() {
		startConsole(ctx, cfg, d, log)
	}
	if err := d.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "mailbot serve: %v\n", err)
		return 1
	}
	return 0
}

// reloadOnHangup takes the staff list again from the configuration file on SIGHUP (systemctl
// reload: ExecReload in deploy/mailbot.service) and at once ends the console sessions of anyone
// no longer on it; at start too, for anyone removed while serve was stopped. Every other key
// needs a restart.
func reloadOnHangup(ctx context.Context, path string, cfg *mailbot.Config, d *mailbot.Daemon, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	resolveAssignees := func() {
		if unknown, err := mailbot.ResolveAssignees(ctx, d.Store, cfg); err != nil {
			log.Error("assignees", "err", err)
		} else if len(unknown) > 0 {
			log.Warn("cases assigned to someone not on the staff list: reassign them", "assignees", unknown)
		}
	}
	resolveAssignees()
	if n, err := console.EndSessions(ctx, d.Store, cfg); err != nil {
		log.Error("console sessions of people off the staff list", "err", err)
	} else if n > 0 {
		log.Info("console sessions ended: their owners are no longer staff", "sessions", n)
	}
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
			}
			removed, err := cfg.ReloadStaff(path)
			if err != nil {
				log.Error("reload: configuration refused, staff list unchanged", "err", err)
				continue
			}
			resolveAssignees()
			n, err := console.EndSessions(ctx, d.Store, cfg)
			if err != nil {
				log.Error("reload: ending the sessions of removed staff", "err", err)
			}
			log.Info("reload: staff list", "staff", len(cfg.StaffAddresses()), "removed", removed, "sessions_ended", n)
		}
	}()
}

// startOps answers the operators' endpoints beside the daemon. A port already taken is logged,
// not fatal: mail matters more than its metrics.
func startOps(ctx context.Context, cfg *mailbot.Config, d *mailbot.Daemon, log *slog.Logger) {
	ln, err := net.Listen("tcp", cfg.Ops.Listen)
	if err != nil {
		log.Error("ops endpoints not available", "addr", cfg.Ops.Listen, "err", err)
		return
	}
	var names []string
	for _, m := range cfg.Mailboxes {
		names = append(names, m.Name)
	}
	srv := ops.New(d.Store, d.Health, names, log.With("worker", "ops"), time.Now)
	go func() {
		if err := srv.Serve(ctx, ln); err != nil {
			log.Error("ops server", "err", err)
		}
	}()
	log.Info("ops endpoints", "addr", ln.Addr().String())
}
