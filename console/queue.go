package console

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Filter is what the queue page is asked for: every field comes from the query string.
type Filter struct {
	State    string // a state, or ""
	Turn     string // whose turn (ticketing.WaitingOn), or ""
	Assignee string // "mine", "none", an address, or ""
	Flag     string // "si": flagged only
	Kind     string
	Query    string // words matched against ID, ente, codice fiscale, IPA, requester, subject
	Order    string // "attesa" (longest waiting first, the default) or "recenti"
	Page     int    // from 1
}

// PageSize is the number of cases on one page of the queue: a page a person can scan, and
// a page rendered in milliseconds however long the queue.
const PageSize = 100

// query is the filter as a query string, for a given page.
func (f Filter) query(page int) string {
	v := url.Values{}
	for k, x := range map[string]string{"stato": f.State, "turno": f.Turn, "assegnatario": f.Assignee, "segnalata": f.Flag,
		"tipo": f.Kind, "q": f.Query, "ordine": f.Order} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if page > 1 {
		v.Set("pagina", strconv.Itoa(page))
	}
	return v.Encode()
}

func filterOf(q url.Values) Filter {
	return Filter{State: q.Get("stato"), Turn: q.Get("turno"), Assignee: q.Get("assegnatario"), Flag: q.Get("segnalata"),
		Kind: q.Get("tipo"), Query: strings.TrimSpace(q.Get("q")), Order: q.Get("ordine"), Page: max(1, atoi(q.Get("pagina")))}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// Row is one case of the queue.
type Row struct {
	ticketing.Ticket
	Waiting    int // working days in the current state
	StateLabel string
	Why        []Reason // why the case waits for the Region; none when it does not
}

// Reason is one reason a case waits for the Region, told by the template: the kind of its flag,
// its held replies or pending proposals (N of them), or the Region's step of its state.
type Reason struct {
	Kind  string // "flag", "held", "proposals", "senders", "step"
	N     int
	Label string // of the flag's kind, or of the state
}

// why says why a case waits for the Region, from what code knows of it (its flag's kind, its
// held replies and proposals, its state's turn), never from the flag's text.
func why(tk ticketing.Ticket, held, proposals, senders int) []Reason {
	var out []Reason
	if tk.FlagKind != ticketing.FlagNone {
		out = append(out, Reason{Kind: "flag", Label: tk.FlagKind.Label()})
	}
	if proposals > 1 || proposals == 1 && tk.FlagKind != ticketing.FlagProposal {
		out = append(out, Reason{Kind: "proposals", N: proposals})
	}
	if held > 1 || held == 1 && tk.FlagKind != ticketing.FlagHeld {
		out = append(out, Reason{Kind: "held", N: held})
	}
	if senders > 1 || senders == 1 && tk.FlagKind != ticketing.FlagStranger && tk.FlagKind != ticketing.FlagUntrusted {
		out = append(out, Reason{Kind: "senders", N: senders})
	}
	if len(out) == 0 && tk.WaitingOn == ticketing.WaitingRegione {
		out = append(out, Reason{Kind: "step", Label: ticketing.StateLabel(tk.State)})
	}
	return out
}

// Count is the number of open cases in one state.
type Count struct {
	State, Label string
	N            int
}

// Queue is the queue page: the cases that match, and the counts of every open case.
type Queue struct {
	Rows    []Row // of the page shown
	Matched int   // cases that match the filter, on every page
	Pages   int
	// Prev and Next are the links to the previous and next page, "" at either end. They are
	// template.URL, already encoded: html/template would encode a query string again
	// (pagina%3d2%26stato...), and the link would open page 1.
	Prev, Next template.URL
	Counts     []Count
	Total      int
	Filter     Filter
	States     []string // for the filter's choices
	Staff      []string
}

// QueryOf turns a filter into the store's query of one page, for me (the staff member asking).
func QueryOf(f Filter, me string) ticketing.QueueQuery {
	q := ticketing.QueueQuery{Assignee: "*", Flagged: f.Flag == "si", Words: strings.Fields(f.Query), Newest: f.Order == "recenti",
		Limit: PageSize, Offset: (max(f.Page, 1) - 1) * PageSize}
	for _, kind := range []string{ticketing.KindIntegration, ticketing.KindQualification} {
		for _, st := range ticketing.States(kind) {
			switch {
			case !ticketing.IsOpen(kind, st),
				f.Kind != "" && kind != f.Kind,
				f.State != "" && st != f.State,
				f.Turn != "" && ticketing.WaitingOn(kind, st) != f.Turn:
				continue
			}
			q.Pairs = append(q.Pairs, kind+"/"+st)
		}
	}
	switch f.Assignee {
	case "":
	case "mine":
		q.Assignee = me
	case "none":
		q.Assignee = ""
	default:
		q.Assignee = f.Assignee
	}
	return q
}

// buildQueue reads the page of the queue a filter asks for, and the counts of open cases. The
// database filters, sorts and cuts the page: the cost does not grow with the queue's length
// beyond one pass of SQLite over the tickets table.
func (s *Server) buildQueue(ctx context.Context, f Filter, me string) (*Queue, error) {
	q := &Queue{}
	counts, err := s.store.StateCounts(ctx)
	if err != nil {
		return nil, err
	}
	byState := map[string]int{}
	for _, kind := range []string{ticketing.KindIntegration, ticketing.KindQualification} {
		for _, st := range ticketing.States(kind) {
			if !slices.Contains(q.States, st) {
				q.States = append(q.States, st)
			}
			if ticketing.IsOpen(kind, st) {
				byState[st] += counts[kind][st]
				q.Total += counts[kind][st]
			}
		}
	}
	for _, st := range q.States {
		if byState[st] > 0 {
			q.Counts = append(q.Counts, Count{State: st, Label: ticketing.StateLabel(st), N: byState[st]})
		}
	}
	f.Page = max(f.Page, 1)
	sq := QueryOf(f, me)
	list, n, err := s.store.Queue(ctx, sq)
	if err != nil {
		return nil, err
	}
	q.Matched = n
	q.Pages = max(1, (n+PageSize-1)/PageSize)
	if f.Page > q.Pages { // past the end: show the last page
		f.Page = q.Pages
		sq.Offset = (q.Pages - 1) * PageSize
		if list, _, err = s.store.Queue(ctx, sq); err != nil {
			return nil, err
		}
	}
	q.Filter = f
	if f.Page > 1 {
		q.Prev = template.URL(s.base + "/?" + f.query(f.Page-1))
	}
	if f.Page < q.Pages {
		q.Next = template.URL(s.base + "/?" + f.query(f.Page+1))
	}
	ids := make([]string, len(list))
	for i, tk := range list {
		ids[i] = tk.ID
	}
	held, err := s.store.HeldCounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	proposals, err := s.store.PendingProposals(ctx, ids)
	if err != nil {
		return nil, err
	}
	senders, err := s.store.SenderDoubtCounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	cal, now := s.cfg.WorkCalendar(), s.now()
	for _, tk := range list {
		q.Rows = append(q.Rows, Row{Ticket: tk, Waiting: cal.WorkingDaysBetween(tk.StateSince, now), StateLabel: ticketing.StateLabel(tk.State),
			Why: why(tk, held[tk.ID], proposals[tk.ID], senders[tk.ID])})
	}
	return q, nil
}

func (s *Server) queue(w http.ResponseWriter, r *http.Request) {
	me := who(r)
	q, err := s.buildQueue(r.Context(), filterOf(r.URL.Query()), me.email)
	if err != nil {
		s.log.Error("console: queue", "err", err)
		s.fail(w, r, http.StatusInternalServerError, say.Text("console.queue_read_error"))
		return
	}
	q.Staff = s.cfg.StaffAddresses()
	s.render(w, r, http.StatusOK, "queue", page{Title: say.Text("console.queue_title"), Me: me, Queue: q})
}
