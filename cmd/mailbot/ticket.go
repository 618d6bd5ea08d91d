package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"mailbot/mailbot"
)

// ticketUsage lists `mailbot ticket`'s verbs, from the table of staff commands.
func ticketUsage() string {
	var b strings.Builder
	b.WriteString("usage:\n")
	for _, c := range mailbot.Commands {
		if c.Verb != "" {
			fmt.Fprintf(&b, "  %s\n      by mail: %s\n", c.CLIUsage(), c.Syntax())
		}
	}
	return b.String()
}

// ticketVerbs is "assign|note|...", for the usage of mailbot.
func ticketVerbs() string {
	var verbs []string
	for _, c := range mailbot.Commands {
		if c.Verb != "" && c.Input != mailbot.CLICredentials {
			verbs = append(verbs, c.Verb)
		}
	}
	return strings.Join(verbs, "|")
}

// runTicket carries out a staff command from the command line, with the same effects as the
// matching #command by mail (mailbot.Commands says which verb is which).
func runTicket(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	usage := ticketUsage()
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	verb := args[0]
	cmd, ok := mailbot.CommandOfVerb(verb)
	if !ok {
		fmt.Fprintf(stderr, "mailbot ticket: unknown command %q\n%s", verb, usage)
		return 2
	}
	fs := flag.NewFlagSet("ticket "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "mailbot.toml", "configuration file")
	var env, valuesFile *string
	if cmd.Input == mailbot.CLICredentials {
		env = fs.String("env", "", "collaudo or esercizio")
		valuesFile = fs.String("values", "", "TOML file of credential values")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() < 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	id := strings.ToUpper(fs.Arg(0))
	rest := strings.Join(fs.Args()[1:], " ")
	var values map[string]string
	switch cmd.Input {
	case mailbot.CLIValues:
		// One argument per value, so a value may hold spaces.
		rest, values = "", map[string]string{}
		for _, a := range fs.Args()[1:] {
			k, v, ok := strings.Cut(a, "=")
			if !ok || strings.TrimSpace(k) == "" {
				fmt.Fprintf(stderr, "mailbot ticket %s: %q is not KEY=VALUE\n", verb, a)
				return 2
			}
			values[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
		if len(values) == 0 {
			fmt.Fprintf(stderr, "mailbot ticket %s: at least one KEY=VALUE is required\n", verb)
			return 2
		}
	case mailbot.CLICredentials:
		rest = *env
		if *env == "" || *valuesFile == "" {
			fmt.Fprintf(stderr, "mailbot ticket %s: -env and -values are required\n", verb)
			return 2
		}
		var err error
		if values, err = readValues(*valuesFile); err != nil {
			fmt.Fprintf(stderr, "mailbot ticket %s: %v\n", verb, err)
			return 2
		}
		if err := mailbot.CheckCredentials(values); err != nil {
			fmt.Fprintf(stderr, "mailbot ticket %s: %s: %v; nothing sent\n", verb, *valuesFile, err)
			return 2
		}
	}
	name := cmd.Name
	cfg, err := mailbot.LoadConfig(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot ticket: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := mailbot.NewDaemon(cfg, log, time.Now)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot ticket: %v\n", err)
		return 1
	}
	defer d.Close()
	res, err := d.Intake.Apply(ctx, id, name, rest, values, "cli:"+operator())
	if err != nil {
		fmt.Fprintf(stderr, "mailbot ticket %s: %v\n", verb, err)
		return 1
	}
	fmt.Fprintln(stdout, res)
	if d.Catalogs != nil && cfg.Catalog.OutDir != "" {
		// A case closed here may change what is published: do not wait for the daemon's refresh.
		if err := d.Catalogs.Regenerate(ctx); err != nil {
			fmt.Fprintf(stderr, "mailbot ticket: catalogs not regenerated: %v\n", err)
		}
	}
	// Deliver now what the command queued; a running daemon would too, and the outbox claim
	// keeps the two from sending the same mail.
	fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := d.Sender.Flush(fctx); err != nil {
		fmt.Fprintf(stderr, "mailbot ticket: queued, not yet sent (%v): the daemon will retry\n", err)
	}
	return 0
}

// readValues reads a credentials values file: string keys and values only.
func readValues(path string) (map[string]string, error) {
	var raw map[string]any
	if _, err := toml.DecodeFile(path, &raw); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	values := map[string]string{}
	for k, v := range raw {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s: key %q must be a string", path, k)
		}
		values[k] = s
	}
	return values, nil
}

func operator() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}
