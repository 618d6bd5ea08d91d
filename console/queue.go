package console

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

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
}

func filterOf(q url.Values) Filter {
	return Filter{State: q.Get("stato"), Turn: q.Get("turno"), Assignee: q.Get("assegnatario"), Flag: q.Get("segnalata"),
		Kind: q.Get("tipo"), Query: strings.TrimSpace(q.Get("q")), Order: q.Get("ordine")}
}

// Row is one case of the queue.
type Row struct {
	ticketing.Ticket
	Waiting    int // working days in the current state
	StateLabel string
}

// Count is the number of open cases in one state.
type Count struct {
	State, Label string
	N            int
}

// Queue is the queue page: the cases that match, and the counts of every open case.
type Queue struct {
	Rows   []Row
	Counts []Count
	Total  int
	Filter Filter
	States []string // for the filter's choices
	Staff  []string
}

// BuildQueue filters and sorts the open cases for me (the staff member asking).
func BuildQueue(open []ticketing.Ticket, f Filter, me string, cal *ticketing.Calendar, now time.Time) Queue {
	q := Queue{Filter: f, Total: len(open)}
	counts := map[string]int{}
	words := strings.Fields(strings.ToLower(f.Query))
	for _, tk := range open {
		counts[tk.State]++
		if !matches(tk, f, me, words) {
			continue
		}
		q.Rows = append(q.Rows, Row{Ticket: tk, Waiting: cal.WorkingDaysBetween(tk.StateSince, now), StateLabel: ticketing.StateLabel(tk.State)})
	}
	for _, kind := range []string{ticketing.KindIntegration, ticketing.KindQualification} {
		for _, st := range ticketing.States(kind) {
			if !slices.Contains(q.States, st) {
				q.States = append(q.States, st)
			}
		}
	}
	for _, st := range q.States {
		if counts[st] > 0 {
			q.Counts = append(q.Counts, Count{State: st, Label: ticketing.StateLabel(st), N: counts[st]})
		}
	}
	slices.SortStableFunc(q.Rows, func(a, b Row) int {
		if f.Order == "recenti" {
			return b.StateSince.Compare(a.StateSince)
		}
		return cmp.Or(a.StateSince.Compare(b.StateSince), strings.Compare(a.ID, b.ID))
	})
	return q
}

func matches(tk ticketing.Ticket, f Filter, me string, words []string) bool {
	switch {
	case f.State != "" && tk.State != f.State,
		f.Turn != "" && tk.WaitingOn != f.Turn,
		f.Kind != "" && tk.Kind != f.Kind,
		f.Flag == "si" && tk.Flag == "":
		return false
	}
	switch f.Assignee {
	case "":
	case "mine":
		if tk.Assignee != me {
			return false
		}
	case "none":
		if tk.Assignee != "" {
			return false
		}
	default:
		if tk.Assignee != f.Assignee {
			return false
		}
	}
	if len(words) == 0 {
		return true
	}
	hay := strings.ToLower(strings.Join([]string{tk.ID, tk.Ente.Name, tk.Ente.CodiceFiscale, tk.Ente.CodiceIPA, tk.Requester, tk.Subject}, "\x00"))
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

func (s *Server) queue(w http.ResponseWriter, r *http.Request) {
	open, err := s.store.OpenTickets(r.Context())
	if err != nil {
		s.log.Error("console: queue", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "Errore interno nella lettura delle pratiche.")
		return
	}
	me := who(r)
	q := BuildQueue(open, filterOf(r.URL.Query()), me.email, s.cfg.WorkCalendar(), s.now())
	q.Staff = s.cfg.Staff.Addresses
	s.render(w, r, http.StatusOK, "queue", page{Title: "Pratiche aperte", Me: me, Queue: &q})
}
