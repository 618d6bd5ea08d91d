package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"mailbot/mailbot"
)

// dueJSON is one mail of `remind -json`.
type dueJSON struct {
	Ticket string   `json:"ticket"`
	Kind   string   `json:"kind"`
	To     []string `json:"to"`
	Reason string   `json:"reason"`
}

func runRemind(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("remind", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "mailbot.toml", "configuration file")
	nowFlag := fs.String("now", "", "the instant to check at, RFC 3339 (default: now)")
	dryRun := fs.Bool("dry-run", false, "list what is due without queuing it")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	now, err := parseNow(*nowFlag)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot remind: %v\n", err)
		return 2
	}
	cfg, store, err := openStore(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot remind: %v\n", err)
		return 2
	}
	defer store.Close()
	r := mailbot.NewReminders(cfg, store, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	var due []mailbot.Due
	if *dryRun {
		due, err = r.Plan(ctx, now)
	} else {
		due, err = r.Run(ctx, now) // queued: the daemon's outbox sends them
	}
	if err != nil {
		fmt.Fprintf(stderr, "mailbot remind: %v\n", err)
		if len(due) == 0 {
			return 1
		}
	}
	out := []dueJSON{}
	for _, d := range due {
		out = append(out, dueJSON{Ticket: d.Ticket.ID, Kind: d.MailKind(), To: d.To, Reason: d.Reason})
	}
	if *asJSON {
		if code := printJSON(stdout, stderr, out); code != 0 || err == nil {
			return code
		}
		return 1
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TICKET\tKIND\tTO\tREASON")
	for _, d := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Ticket, d.Kind, strings.Join(d.To, ", "), d.Reason)
	}
	tw.Flush()
	if !*dryRun {
		fmt.Fprintf(stdout, "%d queued\n", len(out))
	}
	if err != nil {
		return 1
	}
	return 0
}

// parseNow reads -now, or takes the clock's.
func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("-now: want RFC 3339 (2026-03-30T09:30:00+02:00), got %q", s)
	}
	return t, nil
}
