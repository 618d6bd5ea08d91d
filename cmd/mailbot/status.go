package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"text/tabwriter"
	"time"

	"mailbot/mailbot"
	"mailbot/ops"
	"mailbot/ticketing"
)

// runStatus prints, for a person, how mailbot is doing: from the running serve's /status when
// it answers, else from the database alone (then the watchers' state is unknown).
func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "mailbot.toml", "configuration file")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := mailbot.LoadConfig(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot status: %v\n", err)
		return 2
	}
	st, live, err := fetchStatus(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot status: %v\n", err)
		return 1
	}
	if *asJSON {
		return printJSON(stdout, stderr, struct {
			Live bool `json:"live"` // read from the running serve
			ops.Status
		}{live, st})
	}
	printStatus(stdout, cfg, st, live)
	if live && !st.Ready {
		return 1
	}
	return 0
}

// fetchStatus asks the running serve, or reads the database when serve does not answer.
func fetchStatus(ctx context.Context, cfg *mailbot.Config) (ops.Status, bool, error) {
	var st ops.Status
	if cfg.Ops.Enabled() {
		c := &http.Client{Timeout: 5 * time.Second}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+cfg.Ops.Listen+"/status", nil)
		if resp, err := c.Do(req); err == nil {
			defer resp.Body.Close()
			if resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&st) == nil {
				return st, true, nil
			}
		}
	}
	store, err := ticketing.Open(cfg.DataDir)
	if err != nil {
		return st, false, err
	}
	defer store.Close()
	st.At = time.Now()
	st.Stats, err = store.Stats(ctx)
	return st, false, err
}

func printStatus(w io.Writer, cfg *mailbot.Config, st ops.Status, live bool) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	ago := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return st.At.Sub(t).Round(time.Second).String() + " ago"
	}
	switch {
	case !live:
		fmt.Fprintf(tw, "serve:\tnot answering on %s: figures from the database only\n", cfg.Ops.Listen)
	case st.Ready:
		fmt.Fprintln(tw, "serve:\tready")
	default:
		fmt.Fprintln(tw, "serve:\tNOT READY")
		for _, r := range st.Reasons {
			fmt.Fprintf(tw, "\t- %s\n", r)
		}
	}
	fmt.Fprintln(tw, "\nMAILBOX\tSTATE\tLAST SUCCESS\tFETCHED\tBACKLOG\tRECORDED\tQUARANTINED")
	health := map[string]mailbot.MailboxHealth{}
	for _, m := range st.Health.Mailboxes {
		health[m.Name] = m
	}
	stats := map[string]ticketing.MailboxStats{}
	for _, m := range st.Stats.Mailboxes {
		stats[m.Name] = m
	}
	for _, mb := range cfg.Mailboxes {
		h, s := health[mb.Name], stats[mb.Name]
		state, last, fetched, backlog := "?", "?", "?", "?"
		if live {
			state, last, fetched, backlog = h.State, ago(h.LastSuccess), fmt.Sprint(h.Fetched), fmt.Sprint(h.Backlog)
			if h.CatchUp != nil {
				backlog += fmt.Sprintf(" (catching up: %d/%d, %.0f/s, %s left)", h.CatchUp.Done, h.CatchUp.Total, h.CatchUp.Rate, h.CatchUp.Left)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\n", mb.Name, state, last, fetched, backlog, s.Recorded, s.Quarantined)
	}
	queued, failed, sent := 0, 0, 0
	for _, o := range st.Stats.Outbox {
		switch o.State {
		case "queued":
			queued += o.Count
		case "failed":
			failed += o.Count
		case "sent":
			sent += o.Count
		}
	}
	fmt.Fprintf(tw, "\noutbox:\t%d queued (oldest %s), %d failed, %d sent\n", queued, ago(st.Stats.OldestQueued), failed, sent)
	for _, k := range []string{"reminder", "escalation", "digest"} {
		last := time.Time{}
		for _, sc := range st.Stats.Schedule {
			if sc.Kind == k {
				last = sc.Last
			}
		}
		fmt.Fprintf(tw, "last %s:\t%s\n", k, ago(last))
	}
	if live {
		d := st.Health.Documents
		fmt.Fprintf(tw, "documents:\t%d messages read, %.2f s in all, %d attachments left for a person\n", d.Messages, d.Seconds, sum(d.Failures))
	}
	fmt.Fprintf(tw, "database:\t%.1f MB\n", float64(st.Stats.DatabaseBytes)/(1<<20))
	fmt.Fprintln(tw, "\nKIND\tSTATE\tTURN\tCASES")
	for _, c := range st.Stats.Cases {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", c.Kind, c.State, c.WaitingOn, c.Count)
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
