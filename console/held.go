package console

import (
	"errors"
	"net/http"
	"strconv"

	"mailbot/mailbot"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Held is the page of automatic replies an hourly cap held back.
type Held struct {
	Mail  []ticketing.OutMail
	Flash string
}

func (s *Server) held(w http.ResponseWriter, r *http.Request) {
	me := who(r)
	list, err := s.intake.HeldMail(r.Context())
	if err != nil {
		s.log.Error("console: held replies", "err", err)
		s.fail(w, r, http.StatusInternalServerError, say.Text("console.held_read_error"))
		return
	}
	s.render(w, r, http.StatusOK, "held", page{Title: say.Text("console.held_title"), Me: me, Held: &Held{Mail: list, Flash: s.takeFlash(me.hash)}})
}

// heldAction sends a held reply (within the caps) or drops it, as `mailbot held` does.
func (s *Server) heldAction(w http.ResponseWriter, r *http.Request) {
	me := who(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, http.StatusNotFound, say.Text("console.held_not_found"))
		return
	}
	by := say.Text("console.by", me.email)
	var res string
	switch r.PostFormValue("azione") {
	case "invia":
		res, err = s.intake.ReleaseHeld(r.Context(), id, by)
	case "scarta":
		res, err = s.intake.DropHeld(r.Context(), id, by)
	default:
		err = errors.New("azione sconosciuta")
	}
	switch {
	case errors.Is(err, mailbot.ErrHeldGone):
		res = say.Text("console.held_gone")
	case err != nil:
		res = say.Text("console.not_done", err.Error())
		s.log.Info("console: held reply", "id", id, "staff", me.email, "err", err)
	default:
		res = "Fatto: " + res + "."
		s.log.Info("console: held reply", "id", id, "staff", me.email, "action", r.PostFormValue("azione"))
	}
	s.setFlash(me.hash, res)
	http.Redirect(w, r, s.base+"/risposte-trattenute", http.StatusSeeOther)
}
