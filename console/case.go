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
		s.fail(w, r, http.StatusNotFound, "Pratica non trovata.")
		return
	}
	if err != nil {
		s.log.Error("console: case", "id", r.PathValue("id"), "err", err)
		s.fail(w, r, http.StatusInternalServerError, "Errore interno nella lettura della pratica.")
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
	return c, nil
}

// errStale is the refusal of an action decided on a page older than the case.
const errStale = "La pratica è cambiata, ricaricare la pagina: nessuna modifica è stata fatta."

// action runs one staff action through Intake.Apply, the service layer of the mail commands and
// the CLI, then shows the case again with the outcome (Post/Redirect/Get).
func (s *Server) action(w http.ResponseWriter, r *http.Request) {
	me := who(r)
	id := r.PathValue("id")
	tk, err := s.store.Ticket(r.Context(), id)
	if errors.Is(err, ticketing.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "Pratica non trovata.")
		return
	}
	if err != nil {
		s.log.Error("console: action", "id", id, "err", err)
		s.fail(w, r, http.StatusInternalServerError, "Errore interno.")
		return
	}
	seen, err := time.Parse(time.RFC3339Nano, r.PostFormValue("versione"))
	if err != nil || !seen.Equal(tk.UpdatedAt) {
		s.fail(w, r, http.StatusConflict, errStale)
		return
	}
	steps, err := commandsOf(r, me.email)
	var msgs []string
	if err == nil {
		by := me.email + " (via console)"
		for i, c := range steps {
			var res string
			if i == 0 {
				// Checked again inside the action's transaction: another action may have
				// landed since the check above.
				res, err = s.intake.ApplyUnchanged(r.Context(), id, c.name, c.arg, c.values, by, seen)
			} else {
				res, err = s.intake.Apply(r.Context(), id, c.name, c.arg, c.values, by)
			}
			if err != nil {
				break
			}
			msgs = append(msgs, res)
		}
	}
	if errors.Is(err, mailbot.ErrStale) {
		s.fail(w, r, http.StatusConflict, errStale)
		return
	}
	if err != nil {
		msgs = append(msgs, "Non eseguito: "+err.Error())
		s.log.Info("console: action refused", "id", id, "staff", me.email, "action", r.PostFormValue("azione"))
	} else {
		s.log.Info("console: action", "id", id, "staff", me.email, "action", r.PostFormValue("azione"))
	}
	s.setFlash(me.hash, strings.Join(msgs, "\n"))
	http.Redirect(w, r, s.base+"/pratiche/"+url.PathEscape(id), http.StatusSeeOther)
}

// command is one call of Intake.Apply.
type command struct {
	name, arg string
	values    map[string]string
}

// commandsOf reads an action's form as the staff commands it stands for. The values of a
// credentials form are passed on and never kept or logged here.
func commandsOf(r *http.Request, me string) ([]command, error) {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	switch a := f("azione"); a {
	case "catalogo":
		// The catalog, the visibility, and one corrected field of the form.
		var fields map[string]string
		if k := f("campo"); k != "" {
			fields = map[string]string{k: f("valore")}
		}
		return []command{{name: "catalogo", arg: strings.TrimSpace(f("catalogo") + " " + f("visibilita")), values: fields}}, nil
	case "assegna":
		to := f("a")
		if to == "me" {
			to = me
		}
		return []command{{name: "assegna", arg: to}}, nil
	case "nota":
		return []command{{name: "nota", arg: f("testo")}}, nil
	case "segnala":
		return []command{{name: "segnala", arg: f("testo")}}, nil
	case "scrivi":
		return []command{{name: "scrivi", arg: r.PostFormValue("testo")}}, nil
	case "stato":
		if f("motivo") == "" {
			return nil, errors.New("indicare il motivo del cambio di stato")
		}
		return []command{{name: "stato", arg: f("stato") + " " + f("motivo")}}, nil
	case "chiudi", "annulla":
		if f("motivo") == "" {
			return nil, errors.New("indicare il motivo")
		}
		return []command{{name: a, arg: f("motivo")}}, nil
	case "campo":
		k := strings.ToLower(f("chiave"))
		if k == "" {
			return nil, errors.New("indicare il campo da correggere")
		}
		return []command{{name: "campo", values: map[string]string{k: f("valore")}}}, nil
	case "credenziali":
		values := map[string]string{}
		for _, k := range mailbot.CredentialKeys() {
			if v := f(k); v != "" {
				values[k] = v
			}
		}
		return []command{{name: "credenziali", arg: f("ambiente"), values: values}}, nil
	default:
		return nil, fmt.Errorf("azione sconosciuta %q", a)
	}
}

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
