package console

import (
	"errors"
	"net"
	"net/http"
	"time"

	"mailbot/ticketing"
)

// Sign-in: a staff member types their address; if it is on the staff list a one-time link is
// mailed to it through the outbox; any other address gets the same page and no mail. Opening
// the link shows a button: only pressing it (a POST) spends the link, so a mail scanner that
// fetches links does not.

// Rate limits of sign-in requests.
const (
	signInWindow   = 15 * time.Minute
	signInPerIP    = 10 // per client address and window
	signInPerEmail = 3  // mails to one address per window
)

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "signin", page{Title: "Accesso"})
}

func (s *Server) signInRequest(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	now := s.now()
	if !s.limit.allow("ip:"+host, signInPerIP, signInWindow, now) {
		s.log.Warn("console: sign-in requests over the limit", "client", host)
		s.fail(w, r, http.StatusTooManyRequests, "Troppe richieste di accesso: riprovare tra qualche minuto.")
		return
	}
	email := normAddr(r.PostFormValue("email"))
	if isStaff(s.cfg, email) && s.limit.allow("email:"+email, signInPerEmail, signInWindow, now) {
		err := s.store.Update(r.Context(), func(tx *ticketing.Tx) error {
			link, expires, err := IssueLink(tx, s.cfg, email, now)
			if err != nil {
				return err
			}
			return s.intake.QueueSignInMail(tx, email, link, expires, now)
		})
		if err != nil {
			s.log.Error("console: sign-in link", "err", err)
			s.fail(w, r, http.StatusInternalServerError, "Errore interno: riprovare più tardi.")
			return
		}
		s.log.Info("console: sign-in link mailed", "staff", email)
	} else {
		s.log.Info("console: sign-in requested for an address not on the staff list, or too often; no mail")
	}
	// The same answer whoever asked: the page tells nobody who is on the staff list.
	s.render(w, r, http.StatusOK, "sent", page{Title: "Controllare la posta"})
}

func (s *Server) signInConfirm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "confirm", page{Title: "Entrare", Token: r.URL.Query().Get("t")})
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	hash := hashOf(r.PostFormValue("t"))
	now := s.now()
	tok, shash := token()
	var email string
	err := s.store.Update(r.Context(), func(tx *ticketing.Tx) error {
		var err error
		if email, err = tx.UseConsoleLink(hash, now); err != nil {
			return err
		}
		if !isStaff(s.cfg, email) {
			return ticketing.ErrNotFound
		}
		return tx.AddConsoleSession(shash, email, now, SessionIdle)
	})
	if errors.Is(err, ticketing.ErrNotFound) {
		s.fail(w, r, http.StatusForbidden, "Collegamento non valido, già usato o scaduto: chiederne uno nuovo.")
		return
	}
	if err != nil {
		s.log.Error("console: sign in", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "Errore interno: riprovare più tardi.")
		return
	}
	s.log.Info("console: signed in", "staff", email)
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: tok, Path: s.base + "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, s.base+"/", http.StatusSeeOther)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	st := who(r)
	if err := s.store.Update(r.Context(), func(tx *ticketing.Tx) error { return tx.DeleteConsoleSession(st.hash) }); err != nil {
		s.log.Error("console: sign out", "err", err)
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: s.base + "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteStrictMode})
	s.render(w, r, http.StatusOK, "signedout", page{Title: "Uscita"})
}
