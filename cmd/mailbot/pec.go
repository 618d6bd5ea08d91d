package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"mailbot/mailbot"
)

// runPEC loads the index of PEC providers (the LDIF AgID publishes) into the database.
func runPEC(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const usage = "usage: mailbot pec import -config FILE PROVIDERS.ldif\n"
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("pec import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "mailbot.toml", "configuration file")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "mailbot pec import: %v\n", err)
		return 1
	}
	_, store, err := openStore(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot pec import: %v\n", err)
		return 2
	}
	defer store.Close()
	providers, certs, err := mailbot.ImportPECProviders(ctx, store, data, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "mailbot pec import: %s: %v (the index is unchanged)\n", fs.Arg(0), err)
		return 1
	}
	fmt.Fprintf(stdout, "index of PEC providers: %d providers, %d certificates imported from %s\n", providers, certs, fs.Arg(0))
	return 0
}
