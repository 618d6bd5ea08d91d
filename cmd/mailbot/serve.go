package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"time"

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
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft limit: the garbage collector works harder near it instead of letting the heap
		// double after a large attachment. Steady state is far below it.
		debug.SetMemoryLimit(80 << 20)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	d, err := mailbot.NewDaemon(cfg, log, time.Now)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot serve: %v\n", err)
		return 1
	}
	defer d.Close()
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
