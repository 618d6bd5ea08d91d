package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"mailbot/ticketing"
)

// runImport is `mailbot NAME import -config FILE DATA`: it reads DATA and hands it to load with
// the store; load says what was imported, or why nothing was (what, the old data, then stays).
func runImport(ctx context.Context, name, what, usage string, args []string, stdout, stderr io.Writer,
	load func(ctx context.Context, store *ticketing.Store, data []byte, file string) (string, error)) int {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet(name+" import", flag.ContinueOnError)
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
		fmt.Fprintf(stderr, "mailbot %s import: %v\n", name, err)
		return 1
	}
	_, store, err := openStore(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot %s import: %v\n", name, err)
		return 2
	}
	defer store.Close()
	msg, err := load(ctx, store, data, fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "mailbot %s import: %v (%s is unchanged)\n", name, err, what)
		return 1
	}
	fmt.Fprintln(stdout, msg)
	return 0
}
