package mailbot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"mailbot/templates"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Digester writes the Region's daily digest: what is pending and whose turn it is, what changed
// since the previous digest, the stalled cases oldest first, the load of each assignee, and a
// chart of the pipeline.
type Digester struct {
	cfg   *Config
	store *ticketing.Store
	log   *slog.Logger
	rem   *Reminders
	post  post
}

// NewDigester wires the digest.
func NewDigester(cfg *Config, store *ticketing.Store, log *slog.Logger) *Digester {
	return &Digester{cfg: cfg, store: store, log: log, rem: NewReminders(cfg, store, log), post: post{cfg: cfg}}
}

// chartName is the inline image's file name, and so its Content-ID.
const chartName = "pipeline.png"

// DueAt reports whether now is on a working day at or after digest.at: the digest of that day
// is due (if not sent yet) until midnight.
func (g *Digester) DueAt(now time.Time) bool {
	cal := g.cfg.WorkCalendar()
	if !cal.IsWorkingDay(now) {
		return false
	}
	return !now.Before(cal.AddWorkingDays(now, 0).Add(g.cfg.Digest.at))
}

// digestData is what the digest templates see.
type digestData struct {
	Date      string // "lunedì 30/03/2026"
	Since     string // "27/03/2026 08:00"
	Open      int
	Regione   int
	Ente      int
	Closed    string // totals of closed cases, e.g. "12 completate, 1 annullata"
	States    []digestState
	Stalled   []digestCase
	Opened    []digestCase
	Moved     []digestCase
	Finished  []digestCase
	Load      []digestLoad
	Chart     string // cid: URL of the chart (the HTML names pipeline.png, chartName)
	Console   bool   // the cases have pages in the web console
	Held      int    // automatic replies an hourly cap held back, waiting for a person
	Doubts    int    // open cases whose readings wait for a person to confirm or correct
	Untrusted int    // open cases with a message whose sender's identity did not hold
	Proposals int    // open cases with a value proposed by mail (IBAN, PEC, caller IPs…) waiting for staff
	// Superseded counts the proposals a newer one for the same field replaced since the last
	// digest: staff who saw "#accetta N" in an older notice learn that N is no longer to decide.
	Superseded int
}

type digestState struct {
	Kind  string // Italian heading when the kind changes, else ""
	State string
	Label string
	Turn  string
	Count int
	Bar   string
}

type digestCase struct {
	ID       string
	Ente     string
	State    string
	Label    string
	Turn     string
	Days     int
	Since    string
	Assignee string
	Why      string
	URL      string // the case's page in the web console, if [console] public_url is set
}

type digestLoad struct {
	Assignee string
	Open     int
	Regione  int
	Stalled  int
}

var digestWeekdays = [...]string{"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"}

// build gathers the digest at now from tx.
func (g *Digester) build(tx *ticketing.Tx, now time.Time) (digestData, []chartBar, error) {
	cal := g.cfg.WorkCalendar()
	local := now.In(cal.Loc)
	d := digestData{Date: digestWeekdays[local.Weekday()] + " " + local.Format("02/01/2006"), Console: g.cfg.Console.PublicURL != ""}
	since := cal.PrevWorkingDay(now).Add(g.cfg.Digest.at)
	if last, ok, err := tx.LastSent(ticketing.SentDigest); err != nil {
		return d, nil, err
	} else if ok && last.At.Before(now) {
		since = last.At
	}
	d.Since = since.In(cal.Loc).Format("02/01/2006 15:04")

	held, err := tx.HeldCount()
	if err != nil {
		return d, nil, err
	}
	d.Held = held
	if d.Superseded, err = tx.ProposalsSuperseded(since); err != nil {
		return d, nil, err
	}
	flagged, err := tx.FlaggedCases() // as /metrics counts them
	if err != nil {
		return d, nil, err
	}
	for _, f := range flagged {
		switch f.Kind {
		case ticketing.FlagChecking:
			d.Doubts = f.Count
		case ticketing.FlagUntrusted:
			d.Untrusted = f.Count
		case ticketing.FlagProposal:
			d.Proposals = f.Count
		}
	}
	tickets, err := tx.AllTickets()
	if err != nil {
		return d, nil, err
	}
	byID := map[string]ticketing.Ticket{}
	count := map[[2]string]int{}
	closed := map[string]int{}
	load := map[string]*digestLoad{}
	for _, tk := range tickets {
		byID[tk.ID] = tk
		side := ticketing.WaitingOn(tk.Kind, tk.State)
		if side == ticketing.WaitingNone {
			closed[tk.State]++
			continue
		}
		d.Open++
		if side == ticketing.WaitingRegione {
			d.Regione++
		} else {
			d.Ente++
		}
		count[[2]string{tk.Kind, tk.State}]++
		who := tk.Assignee
		if who == "" {
			who = say.Text("digest.unassigned")
		}
		l := load[who]
		if l == nil {
			l = &digestLoad{Assignee: who}
			load[who] = l
		}
		l.Open++
		if side == ticketing.WaitingRegione {
			l.Regione++
		}
		if c, ok, err := g.stalled(tx, tk, now); err != nil {
			return d, nil, err
		} else if ok {
			d.Stalled = append(d.Stalled, c)
			l.Stalled++
		}
	}
	slices.SortFunc(d.Stalled, func(a, b digestCase) int {
		return cmp.Or(cmp.Compare(b.Days, a.Days), cmp.Compare(a.ID, b.ID))
	})
	for _, l := range load {
		d.Load = append(d.Load, *l)
	}
	slices.SortFunc(d.Load, func(a, b digestLoad) int {
		return cmp.Or(cmp.Compare(b.Open, a.Open), cmp.Compare(a.Assignee, b.Assignee))
	})
	var closedParts []string
	for _, c := range []struct{ state, one, many string }{
		{ticketing.StateCompleted, "completata", "completate"},
		{ticketing.StateQualified, "qualificata", "qualificate"},
		{ticketing.StateCancelled, "annullata", "annullate"},
	} {
		if n := closed[c.state]; n == 1 {
			closedParts = append(closedParts, "1 "+c.one)
		} else if n > 1 {
			closedParts = append(closedParts, fmt.Sprintf("%d %s", n, c.many))
		}
	}
	d.Closed = strings.Join(closedParts, ", ")

	var bars []chartBar
	most := 1
	for _, n := range count {
		most = max(most, n)
	}
	for _, kind := range []string{ticketing.KindIntegration, ticketing.KindQualification} {
		heading := map[string]string{ticketing.KindIntegration: "Integrazioni", ticketing.KindQualification: "Qualificazioni"}[kind]
		first := true
		some := false
		for _, st := range ticketing.States(kind) {
			some = some || count[[2]string{kind, st}] > 0
		}
		if kind == ticketing.KindQualification && !some {
			continue // most days there is no qualification: keep the screen short
		}
		bars = append(bars, chartBar{Label: heading, Head: true})
		for _, st := range ticketing.States(kind) {
			side := ticketing.WaitingOn(kind, st)
			if side == ticketing.WaitingNone {
				continue
			}
			n := count[[2]string{kind, st}]
			bars = append(bars, chartBar{Label: ticketing.StateLabel(st), Count: n, Turn: side})
			if n == 0 {
				continue
			}
			row := digestState{State: st, Label: ticketing.StateLabel(st), Turn: turnLabel(side), Count: n,
				Bar: strings.Repeat("#", max(1, n*20/most))}
			if first {
				row.Kind, first = heading, false
			}
			d.States = append(d.States, row)
		}
	}

	changes, err := tx.ChangesSince(since, now)
	if err != nil {
		return d, nil, err
	}
	seen := map[string]bool{}
	for _, c := range changes {
		tk, ok := byID[c.TicketID]
		if !ok {
			continue
		}
		row := g.caseRow(tk)
		switch {
		case c.Type == ticketing.EventCreated && !seen["o"+tk.ID]:
			seen["o"+tk.ID] = true
			d.Opened = append(d.Opened, row)
		case c.Type == ticketing.EventState && !ticketing.IsOpen(tk.Kind, tk.State) && !seen["c"+tk.ID]:
			seen["c"+tk.ID] = true
			d.Finished = append(d.Finished, row)
		case c.Type == ticketing.EventState && ticketing.IsOpen(tk.Kind, tk.State) && !seen["m"+tk.ID]:
			seen["m"+tk.ID] = true
			d.Moved = append(d.Moved, row)
		}
	}
	return d, bars, nil
}

func (g *Digester) caseRow(tk ticketing.Ticket) digestCase {
	ente := tk.Ente.Name
	if ente == "" {
		ente = tk.Requester
	}
	// The ente's name and the flag may hold a sender's text (a form, an attachment's name).
	return digestCase{ID: tk.ID, Ente: echoText(ente, maxEcho), State: tk.State, Label: ticketing.StateLabel(tk.State),
		Turn: turnLabel(ticketing.WaitingOn(tk.Kind, tk.State)), Assignee: tk.Assignee, URL: g.cfg.Console.CaseURL(tk.ID)}
}

// stalled tells whether an open case belongs in the digest's list of stuck ones: flagged (the
// ente stayed silent after every reminder, or any other reason for a person to look), or waiting
// on the Region beyond its escalation threshold.
func (g *Digester) stalled(tx *ticketing.Tx, tk ticketing.Ticket, now time.Time) (digestCase, bool, error) {
	start, err := g.rem.waitStart(tx, tk)
	if err != nil {
		return digestCase{}, false, err
	}
	c := g.caseRow(tk)
	c.Days = g.cfg.WorkCalendar().WorkingDaysBetween(start, now)
	c.Since = g.rem.day(start)
	switch {
	case tk.FlagKind == ticketing.FlagStalled:
		c.Why = say.Text("digest.stalled")
	case tk.FlagKind != ticketing.FlagNone:
		c.Why = echoText(tk.Flag, maxEcho)
	case ticketing.WaitingOn(tk.Kind, tk.State) == ticketing.WaitingRegione:
		limit := g.cfg.escalateAfter(tk.State)
		if limit == 0 || c.Days < limit {
			return c, false, nil
		}
		c.Why = say.Text("digest.over_threshold", limit)
	default:
		return c, false, nil
	}
	return c, true, nil
}

// Compose renders the digest at now: the mail body and the chart.
func (g *Digester) Compose(ctx context.Context, now time.Time) (templates.Mail, []byte, error) {
	var d digestData
	var bars []chartBar
	err := g.store.View(ctx, func(tx *ticketing.Tx) error {
		var err error
		d, bars, err = g.build(tx, now)
		return err
	})
	if err != nil {
		return templates.Mail{}, nil, err
	}
	return g.render(d, bars)
}

func (g *Digester) render(d digestData, bars []chartBar) (templates.Mail, []byte, error) {
	chart, err := pipelineChart(say.Text("digest.chart_title", d.Date), bars)
	if err != nil {
		return templates.Mail{}, nil, err
	}
	d.Chart = "cid:" + chartName
	body, err := templates.Render("digest", d)
	if err != nil {
		return templates.Mail{}, nil, err
	}
	return body, chart, nil
}

// Send queues the digest of now's day unless it is already recorded, and tells whether it did.
func (g *Digester) Send(ctx context.Context, now time.Time) (bool, error) {
	if len(g.cfg.Digest.To) == 0 {
		return false, errors.New("digest.to: nobody to send the digest to")
	}
	day := now.In(g.cfg.WorkCalendar().Loc).Format("2006-01-02")
	sent := false
	err := g.store.Update(ctx, func(tx *ticketing.Tx) error {
		sent = false
		if last, ok, err := tx.LastSent(ticketing.SentDigest); err != nil {
			return err
		} else if ok && last.Anchor == day {
			return nil
		}
		d, bars, err := g.build(tx, now)
		if err != nil {
			return err
		}
		body, chart, err := g.render(d, bars)
		if err != nil {
			return err
		}
		o := outgoing{Kind: "digest", To: g.cfg.Digest.To, Subject: body.Subject, Body: body,
			Embeds: []attachment{{Name: chartName, Data: chart}}}
		msgID, err := g.post.queue(tx, o, now)
		if err != nil {
			return err
		}
		sent = true
		return tx.RecordSent(ticketing.Sent{Kind: ticketing.SentDigest, Anchor: day, Seq: 1, At: now, MessageID: msgID, Rcpts: g.cfg.Digest.To})
	})
	if errors.Is(err, ticketing.ErrAlreadySent) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("digest of %s: %w", day, err)
	}
	if sent {
		g.log.Info("daily digest queued", "day", day, "rcpts", len(g.cfg.Digest.To))
	}
	return sent, nil
}
