package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// runRegistry loads the public registry of enti (IndicePA's Enti CSV) into the database.
func runRegistry(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(stderr, "usage: mailbot registry import -config FILE ENTI.csv\n")
		return 2
	}
	fs := flag.NewFlagSet("registry import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "mailbot.toml", "configuration file")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, "usage: mailbot registry import -config FILE ENTI.csv\n")
		return 2
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "mailbot registry import: %v\n", err)
		return 1
	}
	_, store, err := openStore(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot registry import: %v\n", err)
		return 2
	}
	defer store.Close()
	src, err := store.ImportRegistry(ctx, data, fs.Arg(0), time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "mailbot registry import: %v (the registry is unchanged)\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "registry of enti: %d enti imported from %s (sha256 %s)\n", src.Enti, src.File, src.SHA256)
	return 0
}
