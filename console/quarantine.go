package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

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
		s.fail(w, r, http.StatusInternalServerError, "Errore interno nella lettura dei messaggi trattenuti.")
		return
	}
	s.render(w, r, http.StatusOK, "quarantine", page{Title: "Messaggi trattenuti", Me: me,
		Quarantine: &Quarantine{Messages: msgs, Flash: s.takeFlash(me.hash)}})
}

// quarantineAction attaches a kept message to a case, opens a case for it, or dismisses it;
// each is recorded (an event of the case, or the message's own record).
func (s *Server) quarantineAction(w http.ResponseWriter, r *http.Request) {
	me := who(r)
	id, err := strconv.ParseInt(r.PathValue("msg"), 10, 64)
	if err != nil {
		s.fail(w, r, http.StatusNotFound, "Messaggio non trovato.")
		return
	}
	by := me.email + " (via console)"
	now := s.now()
	var msg, caseID string
	err = s.store.Update(r.Context(), func(tx *ticketing.Tx) error {
		switch r.PostFormValue("azione") {
		case "allega":
			caseID = strings.ToUpper(strings.TrimSpace(r.PostFormValue("pratica")))
			msg = "Messaggio aggiunto alla pratica " + caseID + "."
			return tx.AttachQuarantined(id, caseID, by, now)
		case "apri":
			kind := ticketing.KindIntegration
			if r.PostFormValue("tipo") == ticketing.KindQualification {
				kind = ticketing.KindQualification
			}
			tk, err := tx.OpenFromQuarantine(id, kind, by, now, s.cfg.Location())
			if err == nil {
				caseID, msg = tk.ID, "Aperta la pratica "+tk.ID+" con il messaggio."
			}
			return err
		case "scarta":
			msg = "Messaggio scartato."
			return tx.DismissQuarantined(id, by, now)
		}
		return errors.New("azione sconosciuta")
	})
	if errors.Is(err, ticketing.ErrNotFound) {
		msg = "Non eseguito: messaggio già trattato o pratica inesistente."
	} else if err != nil {
		s.log.Error("console: quarantine action", "err", err)
		msg = "Non eseguito: " + err.Error()
	} else {
		s.log.Info("console: quarantine", "message", id, "staff", me.email, "action", r.PostFormValue("azione"), "ticket", caseID)
	}
	s.setFlash(me.hash, msg)
	http.Redirect(w, r, s.back(r, "/trattenuti"), http.StatusSeeOther)
}
