package console

import (
	"context"
	"errors"
	"net/http"
	"time"

	"mailbot/mailaddr"
	"mailbot/mailbot"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Sign-in: a staff member types their address; if it is on the staff list a one-time link is
// mailed to it through the outbox; any other address gets the same page and no mail. Opening
// the link shows a button: only pressing it (a POST) spends the link, so a mail scanner that
// fetches links does not.
//
// Outsiders must not be able to lock staff out, nor learn who is staff: limits are per client
// address (the real one, behind a trusted proxy) and per staff address; a staff address gets
// at most one link a minute whoever asks, and a request over that is answered as any other.
// The link is written and queued after the answer, so staff and others take the same path and
// time until the page is sent.

// Rate limits of sign-in.
const (
	signInWindow    = 15 * time.Minute
	signInPerClient = 30          // sign-in requests per client address and window (an office may share one)
	enterPerClient  = 30          // presses of a link's button per client address and window
	linkEvery       = time.Minute // at most one link mailed to a staff address this often
)

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request) {
	p := page{Title: "Accesso"}
	if s.oidc != nil {
		p.OIDC = s.oidc.cfg.Name
	}
	s.render(w, r, http.StatusOK, "signin", p)
}

func (s *Server) signInRequest(w http.ResponseWriter, r *http.Request) {
	client, now := s.clientAddr(r), s.now()
	if !s.clients.allow("accesso:"+client, signInPerClient, signInWindow, now) {
		s.log.Warn("console: sign-in requests over the limit", "client", client)
		s.fail(w, r, http.StatusTooManyRequests, say.Text("console.too_many_requests"))
		return
	}
	email := mailaddr.Norm(r.PostFormValue("email")).String()
	send := s.cfg.IsStaff(email) && s.staffLinks.allow(email, 1, linkEvery, now)
	// The same answer whoever asked: the page tells nobody who is on the staff list.
	s.render(w, r, http.StatusOK, "sent", page{Title: say.Text("console.signin_sent_title")})
	if send {
		s.later(func() { s.mailLink(email, now) })
	}
}

// mailLink records a sign-in link and queues its mail, after the answer was sent.
func (s *Server) mailLink(email string, now time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := s.store.Update(ctx, func(tx *ticketing.Tx) error {
		link, expires, err := IssueLink(tx, s.cfg, email, now)
		if err != nil {
			return err
		}
		return s.intake.QueueSignInMail(tx, email, link, expires, now)
	})
	if err != nil {
		s.log.Error("console: sign-in link", "err", err)
		return
	}
	s.log.Info("console: sign-in link mailed", "staff", email)
}

func (s *Server) signInConfirm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "confirm", page{Title: "Entrare", Token: r.URL.Query().Get("t")})
}

// errBadLink is the answer to a link that is not, or no longer, valid.
var errBadLink = say.Text("console.signin_bad_link")

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	client, now := s.clientAddr(r), s.now()
	if !s.clients.allow("entra:"+client, enterPerClient, signInWindow, now) {
		s.log.Warn("console: sign-in presses over the limit", "client", client)
		s.fail(w, r, http.StatusTooManyRequests, say.Text("console.too_many_attempts"))
		return
	}
	t := r.PostFormValue("t")
	if !wellFormed(t) {
		s.fail(w, r, http.StatusForbidden, errBadLink)
		return
	}
	// Read first: a made-up link never reaches the writer.
	hash := hashOf(t)
	if live, err := s.store.ConsoleLinkLive(r.Context(), hash, now); err != nil || !live {
		if err != nil {
			s.log.Error("console: sign in", "err", err)
		}
		s.fail(w, r, http.StatusForbidden, errBadLink)
		return
	}
	s.startSession(w, r, "link", func(tx *ticketing.Tx) (string, error) { return tx.UseConsoleLink(hash, now) })
}

// startSession opens a session for the staff member that prove finds in tx (ErrNotFound for
// nobody), sets its cookie and sends them to the queue.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, how string, prove func(*ticketing.Tx) (string, error)) {
	now := s.now()
	tok, shash := token()
	var email string
	err := s.store.Update(r.Context(), func(tx *ticketing.Tx) error {
		var err error
		if email, err = prove(tx); err != nil {
			return err
		}
		if !s.cfg.IsStaff(email) {
			return ticketing.ErrNotFound
		}
		return tx.AddConsoleSession(shash, email, now, SessionIdle)
	})
	if errors.Is(err, ticketing.ErrNotFound) {
		s.fail(w, r, http.StatusForbidden, errBadLink)
		return
	}
	if err != nil {
		s.log.Error("console: sign in", "err", err)
		s.fail(w, r, http.StatusInternalServerError, say.Text("console.signin_error"))
		return
	}
	s.log.Info("console: signed in", "staff", email, "by", how)
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: tok, Path: s.base + "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteStrictMode})
	if how == "oidc" {
		// Arrived from the provider's site: a redirect would still count as cross-site and the
		// browser would hold back the Strict cookie; a page of our own moves on same-site.
		s.render(w, r, http.StatusOK, "entered", page{Title: say.Text("console.signin_entered_title")})
		return
	}
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

// EndSessions ends every session of the given addresses, and of anyone no longer on the staff
// list (after a reload, or removed while the daemon was stopped), so that nobody's old session
// comes back if their address returns. It returns how many sessions ended.
func EndSessions(ctx context.Context, store *ticketing.Store, cfg *mailbot.Config, emails ...string) (int64, error) {
	holders, err := store.ConsoleSessionEmails(ctx)
	if err != nil {
		return 0, err
	}
	for _, e := range holders {
		if !cfg.IsStaff(e) {
			emails = append(emails, e)
		}
	}
	var n int64
	err = store.Update(ctx, func(tx *ticketing.Tx) error {
		n = 0
		for _, e := range emails {
			k, err := tx.EndConsoleSessions(mailaddr.Norm(e).String())
			if err != nil {
				return err
			}
			n += k
		}
		return nil
	})
	return n, err
}
