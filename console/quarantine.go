package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Quarantine is the page of messages kept outside any case.
type Quarantine struct {
	Messages []ticketing.Message
	Flash    string
}

func (s *Server) quarantine(w http.ResponseWriter, r *http.Request) {
	me := who(r)
	msgs, err := s.store.QuarantineQueue(r.Context())
	if err != nil {
		s.log.Error("console: quarantine", "err", err)
		s.fail(w, r, http.StatusInternalServerError, say.Text("console.quarantine_read_error"))
		return
	}
	s.render(w, r, http.StatusOK, "quarantine", page{Title: say.Text("console.quarantine_title"), Me: me,
		Quarantine: &Quarantine{Messages: msgs, Flash: s.takeFlash(me.hash)}})
}

// quarantineAction attaches a kept message to a case, opens a case for it, or dismisses it;
// each is recorded (an event of the case, or the message's own record).
func (s *Server) quarantineAction(w http.ResponseWriter, r *http.Request) {
	me := who(r)
	id, err := strconv.ParseInt(r.PathValue("msg"), 10, 64)
	if err != nil {
		s.fail(w, r, http.StatusNotFound, say.Text("console.quarantine_not_found"))
		return
	}
	by := say.Text("console.by", me.email)
	now := s.now()
	var msg, caseID string
	err = s.store.Update(r.Context(), func(tx *ticketing.Tx) error {
		switch r.PostFormValue("azione") {
		case "allega":
			caseID = strings.ToUpper(strings.TrimSpace(r.PostFormValue("pratica")))
			msg = say.Text("console.quarantine_attached", caseID)
			return tx.AttachQuarantined(id, caseID, by, now)
		case "apri":
			kind := ticketing.KindIntegration
			if r.PostFormValue("tipo") == ticketing.KindQualification {
				kind = ticketing.KindQualification
			}
			tk, err := tx.OpenFromQuarantine(id, kind, by, now, s.cfg.Location())
			if err == nil {
				caseID, msg = tk.ID, say.Text("console.quarantine_opened", tk.ID)
			}
			return err
		case "scarta":
			msg = say.Text("console.quarantine_dismissed")
			return tx.DismissQuarantined(id, by, now)
		}
		return errors.New("azione sconosciuta")
	})
	if errors.Is(err, ticketing.ErrNotFound) {
		msg = say.Text("console.quarantine_gone")
	} else if err != nil {
		s.log.Error("console: quarantine action", "err", err)
		msg = say.Text("console.not_done", err.Error())
	} else {
		s.log.Info("console: quarantine", "message", id, "staff", me.email, "action", r.PostFormValue("azione"), "ticket", caseID)
	}
	s.setFlash(me.hash, msg)
	http.Redirect(w, r, s.base+"/trattenuti", http.StatusSeeOther)
}
