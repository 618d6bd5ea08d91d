package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"mailbot/mailbot"
	"mailbot/ticketing"
)

// runBackup copies the data directory consistently while serve may be running.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "mailbot.toml", "configuration file")
	out := fs.String("out", "", "directory to write the backup to (must not hold one already)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" {
		fmt.Fprint(stderr, "usage: mailbot backup -config FILE -out DIR\n")
		return 2
	}
	_, store, err := openStore(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot backup: %v\n", err)
		return 2
	}
	defer store.Close()
	st, err := store.Backup(ctx, *out)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "backup in %s: database %d bytes, %d message files\n", *out, st.DatabaseBytes, st.Blobs)
	if len(st.Gone) > 0 {
		fmt.Fprintf(stdout, "%d message files were replaced by redacted copies during the backup; take another backup\n", len(st.Gone))
		return 1
	}
	return 0
}

// runCheck verifies a data directory: the configured one, or a backup given with -dir.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "", "configuration file (its data_dir is checked)")
	dir := fs.String("dir", "", "data directory or backup to check, instead of the config's data_dir")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	target := *dir
	if target == "" {
		if *config == "" {
			fmt.Fprint(stderr, "usage: mailbot check -config FILE | -dir DIR\n")
			return 2
		}
		cfg, err := mailbot.LoadConfig(*config)
		if err != nil {
			fmt.Fprintf(stderr, "mailbot check: %v\n", err)
			return 2
		}
		target = cfg.DataDir
	}
	rep, err := ticketing.Check(ctx, target)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot check: %v\n", err)
		return 1
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, p)
	}
	if len(rep.Problems) > 0 {
		fmt.Fprintf(stdout, "%s: %d problems\n", target, len(rep.Problems))
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok (database intact, %d message files present and matching)\n", target, rep.Messages)
	return 0
}
