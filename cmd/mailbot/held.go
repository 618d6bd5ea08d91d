package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"mailbot/mailbot"
)

// runHeld is `mailbot held list|release|drop`: the automatic replies an hourly cap held back,
// listed, sent (when the caps allow it again) or given up.
func runHeld(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const usage = "usage: mailbot held list -config FILE\n       mailbot held release|drop -config FILE ID\n"
	if len(args) == 0 || args[0] != "list" && args[0] != "release" && args[0] != "drop" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	verb := args[0]
	fs := flag.NewFlagSet("held "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "mailbot.toml", "configuration file")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	var id int64
	if verb == "list" && fs.NArg() != 0 || verb != "list" && fs.NArg() != 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if verb != "list" {
		var err error
		if id, err = strconv.ParseInt(fs.Arg(0), 10, 64); err != nil {
			fmt.Fprintf(stderr, "mailbot held %s: %q is not a held reply's number (see mailbot held list)\n", verb, fs.Arg(0))
			return 2
		}
	}
	cfg, err := mailbot.LoadConfig(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot held: %v\n", err)
		return 2
	}
	d, err := mailbot.NewDaemon(cfg, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), time.Now)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot held: %v\n", err)
		return 1
	}
	defer d.Close()
	switch verb {
	case "list":
		list, err := d.Intake.HeldMail(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "mailbot held: %v\n", err)
			return 1
		}
		for _, m := range list {
			fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.CreatedAt.In(cfg.Location()).Format("2006-01-02 15:04"),
				or(m.TicketID, "-"), m.Kind, strings.Join(m.Rcpts, ","), m.LastError)
		}
		if len(list) == 0 {
			fmt.Fprintln(stderr, "no held replies")
		}
		return 0
	case "release":
		res, err := d.Intake.ReleaseHeld(ctx, id, "cli:"+operator())
		if err != nil {
			fmt.Fprintf(stderr, "mailbot held release: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, res)
		fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := d.Sender.Flush(fctx); err != nil {
			fmt.Fprintf(stderr, "mailbot held: queued, not yet sent (%v): the daemon will retry\n", err)
		}
	default:
		res, err := d.Intake.DropHeld(ctx, id, "cli:"+operator())
		if err != nil {
			fmt.Fprintf(stderr, "mailbot held drop: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, res)
	}
	return 0
}

func or(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}
