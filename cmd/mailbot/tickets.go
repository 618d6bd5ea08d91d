package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"mailbot/mailbot"
	"mailbot/ticketing"
)

// openStore opens the database named by a config file; the CLI shares it with a running daemon.
func openStore(config string) (*mailbot.Config, *ticketing.Store, error) {
	cfg, err := mailbot.LoadConfig(config)
	if err != nil {
		return nil, nil, err
	}
	s, err := ticketing.Open(cfg.DataDir)
	return cfg, s, err
}

func runTickets(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "usage: mailbot tickets list|show -config FILE [-json] [ID]\n")
		return 2
	}
	sub := args[0]
	fs := flag.NewFlagSet("tickets "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "mailbot.toml", "configuration file")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	_, store, err := openStore(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot tickets: %v\n", err)
		return 2
	}
	defer store.Close()
	switch sub {
	case "list":
		list, err := store.Tickets(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "mailbot tickets list: %v\n", err)
			return 1
		}
		if *asJSON {
			return printJSON(stdout, stderr, list)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATE\tTURN\tENTE\tREQUESTER\tMSGS\tUPDATED\tSUBJECT")
		for _, t := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", t.ID, t.State, t.WaitingOn, t.Ente.Name, t.Requester,
				t.Messages, t.UpdatedAt.Format("2006-01-02 15:04"), t.Subject)
		}
		tw.Flush()
		return 0
	case "show":
		if fs.NArg() != 1 {
			fmt.Fprint(stderr, "usage: mailbot tickets show -config FILE [-json] ID\n")
			return 2
		}
		id := strings.ToUpper(fs.Arg(0))
		tk, err := store.Ticket(ctx, id)
		if errors.Is(err, ticketing.ErrNotFound) {
			fmt.Fprintf(stderr, "mailbot tickets show: no ticket %s\n", id)
			return 1
		}
		if err != nil {
			fmt.Fprintf(stderr, "mailbot tickets show: %v\n", err)
			return 1
		}
		msgs, err := store.Messages(ctx, id)
		if err != nil {
			fmt.Fprintf(stderr, "mailbot tickets show: %v\n", err)
			return 1
		}
		events, err := store.Events(ctx, id)
		if err != nil {
			fmt.Fprintf(stderr, "mailbot tickets show: %v\n", err)
			return 1
		}
		ips, err := store.IPs(ctx, id)
		if err != nil {
			fmt.Fprintf(stderr, "mailbot tickets show: %v\n", err)
			return 1
		}
		forms, err := store.Forms(ctx, id)
		if err != nil {
			fmt.Fprintf(stderr, "mailbot tickets show: %v\n", err)
			return 1
		}
		reg, err := store.Registry(ctx, forms)
		if err != nil {
			fmt.Fprintf(stderr, "mailbot tickets show: %v\n", err)
			return 1
		}
		cf := mailbot.CaseFile(tk.Kind, forms, reg)
		proposals, err := store.ListProposals(ctx, id)
		if err != nil {
			fmt.Fprintf(stderr, "mailbot tickets show: %v\n", err)
			return 1
		}
		detail := struct {
			*ticketing.Ticket
			MessageCount int                       `json:"message_count"`
			IPs          map[string][]string       `json:"ips"`
			CaseFile     map[string]ticketing.Form `json:"case_file"`
			Conflicts    []ticketing.Conflict      `json:"conflicts"`
			Registry     []ticketing.RegistryNote  `json:"registry,omitempty"`
			Proposals    []ticketing.Proposal      `json:"proposals"`
			Messages     []ticketing.Message       `json:"messages"`
			Events       []ticketing.Event         `json:"events"`
		}{tk, tk.Messages, ips, cf.Forms, nonNilConflicts(cf.Conflicts), cf.Registry, proposals, msgs, events}
		if *asJSON {
			return printJSON(stdout, stderr, detail)
		}
		fmt.Fprintf(stdout, "%s  %s (%s)  turn: %s\nSubject:   %s\nRequester: %s\nEnte:      %s  CF %s  IPA %s\nServices:  %s\nAssignee:  %s\n",
			tk.ID, tk.State, tk.Kind, tk.WaitingOn, tk.Subject, tk.Requester, tk.Ente.Name, tk.Ente.CodiceFiscale,
			tk.Ente.CodiceIPA, strings.Join(tk.Services, ", "), tk.Assignee)
		if tk.Flag != "" {
			fmt.Fprintf(stdout, "Flagged:   %s (%s)\n", tk.Flag, tk.FlagKind)
		}
		fmt.Fprintf(stdout, "IP:        collaudo %s; esercizio %s\n", strings.Join(ips["collaudo"], ", "), strings.Join(ips["esercizio"], ", "))
		for _, p := range proposals {
			if p.Pending() { // a value from mail the case does not use until staff accept it
				fmt.Fprintf(stdout, "Proposed:  %d. %s %q -> %q (message %s; accept N / reject N)\n", p.Seq, p.Field, p.Old, p.Value, p.MessageID)
			}
		}
		printCaseFile(stdout, cf)
		fmt.Fprintln(stdout, "\nMessages:")
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for _, m := range msgs {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", m.Direction, m.Date.Format("2006-01-02 15:04"), m.From, m.Subject, strings.Join(m.Mailboxes, "+"))
		}
		tw.Flush()
		fmt.Fprintln(stdout, "\nEvents:")
		for _, e := range events {
			fmt.Fprintf(stdout, "  %s  %-12s %-30s %s\n", e.At.Format("2006-01-02 15:04:05"), e.Type, e.By, e.Text)
		}
		return 0
	default:
		fmt.Fprintf(stderr, "mailbot tickets: unknown subcommand %q\n", sub)
		return 2
	}
}

func printJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "mailbot: %v\n", err)
		return 1
	}
	return 0
}

// printCaseFile shows what the forms say, merged field by field, with where each value was read;
// a value not read with confidence is marked for a person to confirm (#campo).
func printCaseFile(w io.Writer, cf ticketing.CaseFile) {
	if len(cf.Forms) == 0 {
		return
	}
	fmt.Fprintln(w, "\nCase file:")
	for _, typ := range slices.Sorted(maps.Keys(cf.Forms)) {
		f := cf.Forms[typ]
		fmt.Fprintf(w, "  %s\n", typ)
		for _, k := range slices.Sorted(maps.Keys(f.Provenance)) {
			p := f.Provenance[k]
			mark := ""
			if !p.Sure {
				mark = "  UNCERTAIN: " + p.Doubt
			}
			fmt.Fprintf(w, "    %-32s %s  [%s]%s\n", k, strings.ReplaceAll(f.Field(k), "\n", " / "),
				strings.TrimSpace(p.Document+" "+p.Where+" "+p.How), mark)
		}
		for _, pr := range f.Problems {
			fmt.Fprintf(w, "    problem %s: %s\n", pr.Field, pr.Message)
		}
	}
	for _, n := range cf.Registry {
		fmt.Fprintf(w, "  %s %s\n", n.Type, n.Describe())
	}
}

func nonNilConflicts(c []ticketing.Conflict) []ticketing.Conflict {
	if c == nil {
		return []ticketing.Conflict{}
	}
	return c
}
