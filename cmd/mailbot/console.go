package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"mailbot/console"
	"mailbot/internal/demo"
	"mailbot/mailbot"
	"mailbot/ticketing"
)

// runConsole is `mailbot console link`: a sign-in link to the web console for a staff address,
// printed instead of mailed (for operators with shell access, and for tests); and `mailbot
// console signout`: every session of a person ended at once (a lost laptop, a departure).
func runConsole(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const usage = "usage: mailbot console link|signout -config FILE -email ADDR\n"
	if len(args) == 0 || args[0] != "link" && args[0] != "signout" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("console "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "mailbot.toml", "configuration file")
	email := fs.String("email", "", "staff address")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *email == "" || fs.NArg() > 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cfg, err := mailbot.LoadConfig(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot console: %v\n", err)
		return 2
	}
	store, err := ticketing.Open(cfg.DataDir)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot console: %v\n", err)
		return 1
	}
	defer store.Close()
	if args[0] == "signout" {
		n, err := console.EndSessions(ctx, store, cfg, *email)
		if err != nil {
			fmt.Fprintf(stderr, "mailbot console: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%d sessions ended\n", n)
		return 0
	}
	var link string
	var expires time.Time
	err = store.Update(ctx, func(tx *ticketing.Tx) error {
		link, expires, err = console.IssueLink(tx, cfg, *email, time.Now())
		return err
	})
	if err != nil {
		fmt.Fprintf(stderr, "mailbot console: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, link)
	fmt.Fprintf(stderr, "valid once, until %s\n", expires.In(cfg.Location()).Format("2006-01-02 15:04 MST"))
	return 0
}

// startConsole serves the web console beside the daemon. A port already taken is logged, not
// fatal: mail matters more than the console.
func startConsole(ctx context.Context, cfg *mailbot.Config, d *mailbot.Daemon, log *slog.Logger) {
	ln, err := net.Listen("tcp", cfg.Console.Listen)
	if err != nil {
		log.Error("console not available", "addr", cfg.Console.Listen, "err", err)
		return
	}
	srv := console.New(cfg, d.Store, d.Intake, log.With("worker", "console"), time.Now)
	go func() {
		if err := srv.Serve(ctx, ln); err != nil {
			log.Error("console server", "err", err)
		}
	}()
	log.Info("console", "addr", ln.Addr().String(), "public_url", cfg.Console.PublicURL)
}

// demoConsole makes the demo keep running with the web console on a loopback port, and print
// its address and a sign-in link for the demo's staff member, until interrupted.
func demoConsole(stdout io.Writer) (demo.Options, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return demo.Options{}, err
	}
	return demo.Options{
		Configure: func(cfg *mailbot.Config) {
			cfg.Console = mailbot.ConsoleConfig{Listen: ln.Addr().String(), PublicURL: "http://" + ln.Addr().String()}
		},
		After: func(ctx context.Context, cfg *mailbot.Config, d *mailbot.Daemon) error {
			srv := console.New(cfg, d.Store, d.Intake, d.Log.With("worker", "console"), time.Now)
			var link string
			err := d.Store.Update(ctx, func(tx *ticketing.Tx) error {
				var err error
				link, _, err = console.IssueLink(tx, cfg, cfg.Staff.Addresses[0], time.Now())
				return err
			})
			if err != nil {
				ln.Close()
				return err
			}
			fmt.Fprintf(stdout, "\nConsole: %s (staff: %s)\nSign-in link (valid once, 15 minutes): %s\nOr ask for one on the sign-in page: the mail goes to the in-process server.\nCtrl-C to stop.\n",
				cfg.Console.PublicURL, cfg.Staff.Addresses[0], link)
			if err := srv.Serve(ctx, ln); err != nil && ctx.Err() == nil {
				return err
			}
			return nil
		},
	}, nil
}
