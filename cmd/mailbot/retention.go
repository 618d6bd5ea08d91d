package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// runRetention deletes now the raw mail of cases closed longer ago than [retention] allows
// (serve does it every night).
func runRetention(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("retention", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "mailbot.toml", "configuration file")
	nowFlag := fs.String("now", "", "pretend it is this instant (RFC 3339), for tests")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			fmt.Fprintf(stderr, "mailbot retention: -now: %v\n", err)
			return 2
		}
		now = t
	}
	cfg, store, err := openStore(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot retention: %v\n", err)
		return 2
	}
	defer store.Close()
	st, err := store.Expire(ctx, cfg.RetentionCutoff(now), now)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot retention: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "raw mail deleted from %d cases closed before %s (%d message files)\n",
		len(st.Tickets), cfg.RetentionCutoff(now).Format("2006-01-02"), st.MessageFiles)
	if st.Orphans > 0 {
		fmt.Fprintf(stdout, "%d message files no message referred to deleted (left by a crash)\n", st.Orphans)
	}
	return 0
}

// runForget erases a person's data from the closed cases that name them.
func runForget(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("forget", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "mailbot.toml", "configuration file")
	email := fs.String("email", "", "address of the person whose data is erased")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *email == "" {
		fmt.Fprint(stderr, "usage: mailbot forget -config FILE -email ADDR\n")
		return 2
	}
	_, store, err := openStore(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot forget: %v\n", err)
		return 2
	}
	defer store.Close()
	st, err := store.Forget(ctx, *email, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "mailbot forget: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "erased from %d closed cases (%d message files deleted)", len(st.Tickets), st.MessageFiles)
	if len(st.Tickets) > 0 {
		fmt.Fprintf(stdout, ": %s", strings.Join(st.Tickets, ", "))
	}
	fmt.Fprintln(stdout)
	if len(st.Open) > 0 {
		// The data is still needed to process these: close or cancel them first.
		fmt.Fprintf(stdout, "not erased from %d open cases (close or cancel them first): %s\n", len(st.Open), strings.Join(st.Open, ", "))
		return 1
	}
	return 0
}
