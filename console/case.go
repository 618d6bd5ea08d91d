package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"mailbot/catalog"
	"mailbot/mailbot"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Case is the page of one case.
type Case struct {
	Ticket     *ticketing.Ticket
	StateLabel string
	Version    string // the case's last change, carried by every form of the page
	Waiting    int
	Events     []ticketing.Event
	Messages   []Mail
	Forms      []ticketing.Form
	Doubts     []mailbot.Doubt         // values of the case file to confirm or correct
	Proposals  []Proposal              // values proposed by mail, pending
	Senders    []ticketing.SenderDoubt // messages not acted on because of their sender
	Held       []HeldReply             // automatic replies held back by an hourly cap
	Kept       []ticketing.Message
	Last       *Mail // the referent's last message
	Actions    []Action
	IPs        map[string][]string
	Next       []string // states the case may move to
	Catalogs   []string // public catalogs the case has an entry in
	Staff      []string
	Flash      string
}

// version is what an action's form must carry for the action to run: the time of the case's
// last change, so that an action decided on an older page is refused.
func version(tk *ticketing.Ticket) string { return tk.UpdatedAt.UTC().Format(time.RFC3339Nano) }

func (s *Server) casePage(w http.ResponseWriter, r *http.Request) {
	me := who(r)
	c, err := s.loadCase(r, r.PathValue("id"))
	if errors.Is(err, ticketing.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, say.Text("console.case_not_found"))
		return
	}
	if err != nil {
		s.log.Error("console: case", "id", r.PathValue("id"), "err", err)
		s.fail(w, r, http.StatusInternalServerError, say.Text("console.case_read_error"))
		return
	}
	c.Flash = s.takeFlash(me.hash)
	s.render(w, r, http.StatusOK, "case", page{Title: "Pratica " + c.Ticket.ID, Me: me, Case: c})
}

func (s *Server) loadCase(r *http.Request, id string) (*Case, error) {
	ctx := r.Context()
	tk, err := s.store.Ticket(ctx, id)
	if err != nil {
		return nil, err
	}
	c := &Case{Ticket: tk, StateLabel: ticketing.StateLabel(tk.State), Version: version(tk), Staff: s.cfg.StaffAddresses(),
		Waiting: s.cfg.WorkCalendar().WorkingDaysBetween(tk.StateSince, s.now())}
	if c.Events, err = s.store.Events(ctx, id); err != nil {
		return nil, err
	}
	msgs, err := s.store.Messages(ctx, id)
	if err != nil {
		return nil, err
	}
	c.Messages = s.thread(ctx, msgs)
	if c.Forms, err = s.store.Forms(ctx, id); err != nil {
		return nil, err
	}
	reg, err := s.store.Registry(ctx, c.Forms)
	if err != nil {
		return nil, err
	}
	c.Doubts = mailbot.Doubts(tk.Kind, c.Forms, reg)
	if c.IPs, err = s.store.IPs(ctx, id); err != nil {
		return nil, err
	}
	if len(sortedEnvs(c.IPs)) == 0 {
		c.IPs = nil
	}
	c.Catalogs = catalog.CatalogsOf(tk.Kind)
	for _, st := range ticketing.States(tk.Kind) {
		if st != tk.State && ticketing.CheckTransition(tk.Kind, tk.State, st) == nil {
			c.Next = append(c.Next, st)
		}
	}
	if err := s.needs(ctx, c); err != nil {
		return nil, err
	}
	c.Actions = actions(c, who(r).email)
	return c, nil
}

// errStale is the refusal of an action decided on a page older than the case.
var errStale = say.Text("console.stale")

// action runs one staff action through Intake.Apply, the service layer of the mail commands and
// the CLI, then shows the case again with the outcome (Post/Redirect/Get).
func (s *Server) action(w http.ResponseWriter, r *http.Request) {
	me := who(r)
	id := r.PathValue("id")
	tk, err := s.store.Ticket(r.Context(), id)
	if errors.Is(err, ticketing.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, say.Text("console.case_not_found"))
		return
	}
	if err != nil {
		s.log.Error("console: action", "id", id, "err", err)
		s.fail(w, r, http.StatusInternalServerError, say.Text("console.internal_error"))
		return
	}
	seen, err := time.Parse(time.RFC3339Nano, r.PostFormValue("versione"))
	if err != nil || !seen.Equal(tk.UpdatedAt) {
		s.fail(w, r, http.StatusConflict, errStale)
		return
	}
	var msg string
	cmd, ok := mailbot.CommandOfForm(r.PostFormValue("azione"))
	if !ok {
		err = fmt.Errorf("azione sconosciuta %q", r.PostFormValue("azione"))
	}
	var arg string
	var values map[string]string // the values of a credentials form: passed on, never kept or logged here
	if err == nil {
		arg, values, err = cmd.ReadForm(postedForm{r}, me.email)
	}
	if err == nil {
		// Checked again inside the action's transaction: another action may have landed since
		// the check above.
		msg, err = s.intake.ApplyUnchanged(r.Context(), id, cmd.Name, arg, values, say.Text("console.by", me.email), seen)
	}
	if errors.Is(err, mailbot.ErrStale) {
		s.fail(w, r, http.StatusConflict, errStale)
		return
	}
	if err != nil {
		msg = say.Text("console.not_done", err.Error())
		s.log.Info("console: action refused", "id", id, "staff", me.email, "action", r.PostFormValue("azione"))
	} else {
		s.log.Info("console: action", "id", id, "staff", me.email, "action", r.PostFormValue("azione"))
	}
	s.setFlash(me.hash, msg)
	http.Redirect(w, r, s.base+"/pratiche/"+url.PathEscape(id), http.StatusSeeOther)
}

// postedForm reads a case page's form for mailbot.Command.ReadForm.
type postedForm struct{ r *http.Request }

func (f postedForm) Get(k string) string { return strings.TrimSpace(f.r.PostFormValue(k)) }
func (f postedForm) Raw(k string) string { return f.r.PostFormValue(k) }

// sortedEnvs lists the environments that have caller IPs, in order.
func sortedEnvs(m map[string][]string) []string {
	var out []string
	for k, v := range m {
		if len(v) > 0 {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// formValue shows a form value as text: a list joined by commas, anything else as printed.
func formValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, formValue(e))
		}
		return strings.Join(parts, ", ")
	case bool:
		if x {
			return "sì"
		}
		return "no"
	}
	return fmt.Sprint(v)
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
