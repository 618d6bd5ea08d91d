package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"mailbot/mailbot"
)

func runDigest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("digest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "mailbot.toml", "configuration file")
	nowFlag := fs.String("now", "", "the instant of the digest, RFC 3339 (default: now)")
	printOnly := fs.Bool("print", false, "print the digest's text instead of queuing it")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	now, err := parseNow(*nowFlag)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot digest: %v\n", err)
		return 2
	}
	cfg, store, err := openStore(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot digest: %v\n", err)
		return 2
	}
	defer store.Close()
	g := mailbot.NewDigester(cfg, store, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if *printOnly {
		body, _, err := g.Compose(ctx, now)
		if err != nil {
			fmt.Fprintf(stderr, "mailbot digest: %v\n", err)
			return 1
		}
		fmt.Fprint(stdout, body.Text)
		return 0
	}
	sent, err := g.Send(ctx, now)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot digest: %v\n", err)
		return 1
	}
	if !sent {
		fmt.Fprintf(stderr, "mailbot digest: the digest of %s is already queued\n", now.In(cfg.Location()).Format("2006-01-02"))
		return 1
	}
	fmt.Fprintln(stdout, "digest queued")
	return 0
}
