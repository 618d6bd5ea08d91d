// Package console is the call center's web console, served by `mailbot serve` beside the
// daemon: sign-in by a one-time link mailed to a staff address, the queue of open cases, and
// each case's page with the staff actions. It is a thin layer of handlers and templates: every
// action goes through mailbot.Intake.Apply, as the mail commands and the CLI do, and every mail
// through the outbox.
package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"mailbot/internal/httpserve"
	"mailbot/mailaddr"
	"mailbot/mailbot"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Lifetimes of the console's credentials.
const (
	LinkValid   = 15 * time.Minute // a sign-in link, used once
	SessionIdle = 8 * time.Hour    // a session not used for this long ends
)

// cookieName holds the session token; the database keeps only its hash.
const cookieName = "mailbot_console"

// Server is the console of one daemon.
type Server struct {
	cfg    *mailbot.Config
	store  *ticketing.Store
	intake *mailbot.Intake
	log    *slog.Logger
	now    func() time.Time
	base   string // path of public_url, "" or "/console"
	secure bool   // public_url is https: the cookie says Secure

	sessionMax time.Duration // [console] session_max
	oidc       *oidcSignIn   // nil without [console.oidc]

	clients    limiter      // sign-in requests and presses per client address
	staffLinks limiter      // links mailed per staff address
	later      func(func()) // runs work after the answer (tests replace it)
	pending    sync.WaitGroup

	mu    sync.Mutex
	flash map[string]string // session hash -> outcome of its last action, shown once
}

// New wires the console for a daemon's configuration, store and intake.
func New(cfg *mailbot.Config, store *ticketing.Store, intake *mailbot.Intake, log *slog.Logger, now func() time.Time) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, store: store, intake: intake, log: log, now: now, flash: map[string]string{},
		clients: limiter{hits: map[string][]time.Time{}}, staffLinks: limiter{hits: map[string][]time.Time{}}}
	s.later = func(f func()) {
		s.pending.Add(1)
		go func() { defer s.pending.Done(); f() }()
	}
	if s.sessionMax = cfg.Console.SessionMax.Duration; s.sessionMax <= 0 {
		s.sessionMax = 12 * time.Hour
	}
	if o := cfg.Console.OIDC; o != nil {
		s.oidc = &oidcSignIn{cfg: o, redirect: cfg.Console.PublicURL + "/accesso/oidc/fine", now: now}
	}
	if u, err := url.Parse(cfg.Console.PublicURL); err == nil {
		s.base = strings.TrimRight(u.Path, "/")
		s.secure = u.Scheme == "https"
	}
	return s
}

// token returns a fresh random token and the hash the database keeps of it.
func token() (tok, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	tok = base64.RawURLEncoding.EncodeToString(b)
	return tok, hashOf(tok)
}

func hashOf(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// csrfOf is a session's CSRF token: derived from the session token, which only the cookie
// holds, so it needs no storage and cannot be guessed from the page of another session.
func csrfOf(sessionTok string) string {
	sum := sha256.Sum256([]byte("csrf\x00" + sessionTok))
	return hex.EncodeToString(sum[:16])
}

// IssueLink records a one-time sign-in link for a staff address in tx and returns it (for
// `mailbot console link` and for the sign-in mail).
func IssueLink(tx *ticketing.Tx, cfg *mailbot.Config, email string, now time.Time) (link string, expires time.Time, err error) {
	email = mailaddr.Norm(email).String()
	if !cfg.IsStaff(email) {
		return "", time.Time{}, fmt.Errorf("%s is not in [staff] addresses", email)
	}
	if cfg.Console.PublicURL == "" {
		return "", time.Time{}, errors.New("[console] public_url is not set")
	}
	tok, hash := token()
	expires = now.Add(LinkValid)
	if err := tx.AddConsoleLink(hash, email, expires, now); err != nil {
		return "", time.Time{}, fmt.Errorf("record sign-in link: %w", err)
	}
	return cfg.Console.PublicURL + "/accesso/entra?t=" + url.QueryEscape(tok), expires, nil
}

// Handler serves the console. Requests from another origin that would change something are
// refused by CrossOriginProtection; forms carry the session's CSRF token as well.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /assets/", s.asset)
	mux.HandleFunc("GET /accesso", s.signInForm)
	mux.HandleFunc("POST /accesso", s.signInRequest)
	mux.HandleFunc("GET /accesso/entra", s.signInConfirm)
	mux.HandleFunc("POST /accesso/entra", s.signIn)
	if s.oidc != nil {
		mux.HandleFunc("GET /accesso/oidc", s.oidcStart)
		mux.HandleFunc("GET /accesso/oidc/fine", s.oidcReturn)
	}
	mux.HandleFunc("POST /esci", s.auth(s.signOut))
	mux.HandleFunc("GET /{$}", s.auth(s.queue))
	mux.HandleFunc("GET /pratiche/{id}", s.auth(s.casePage))
	mux.HandleFunc("POST /pratiche/{id}", s.auth(s.action))
	mux.HandleFunc("GET /pratiche/{id}/messaggi/{msg}/allegati/{n}", s.auth(s.attachment))
	mux.HandleFunc("GET /trattenuti", s.auth(s.quarantine))
	mux.HandleFunc("POST /trattenuti/{msg}", s.auth(s.quarantineAction))
	mux.HandleFunc("GET /risposte-trattenute", s.auth(s.held))
	mux.HandleFunc("POST /risposte-trattenute/{id}", s.auth(s.heldAction))
	var h http.Handler = mux
	if s.base != "" {
		h = http.StripPrefix(s.base, mux)
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusForbidden, say.Text("console.cross_site"))
	}))
	return s.headers(cop.Handler(h))
}

// headers sets what every answer carries: no caching of staff pages, no framing, no sniffing, a
// strict Content-Security-Policy (the console runs no script at all).
func (s *Server) headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Content-Security-Policy", csp)
		if s.secure {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if !strings.HasPrefix(r.URL.Path, s.base+"/assets/") {
			hd.Set("Cache-Control", "no-store")
		}
		if r.Method == http.MethodPost {
			// Every form is small: read at most maxForm of it, and refuse more before a handler runs.
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseForm(); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					s.fail(w, r, http.StatusRequestEntityTooLarge, say.Text("console.form_too_big"))
					return
				}
				s.fail(w, r, http.StatusBadRequest, say.Text("console.form_unreadable"))
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// maxForm bounds a form's body: the longest is a written answer to a referent.
const maxForm = 256 << 10

const csp = "default-src 'none'; style-src 'self'; font-src 'self' data:; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// staff is who a request comes from.
type staff struct {
	email string
	hash  string // of the session token
	csrf  string
}

// Email is the staff member's address, for the pages.
func (s staff) Email() string { return s.email }

// CSRF is the token every form of the session carries.
func (s staff) CSRF() string { return s.csrf }

type staffKey struct{}

// auth lets through requests of a live session of a current staff member; others go to the
// sign-in page. A POST must carry the session's CSRF token, or nothing happens.
func (s *Server) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		who, ok := s.session(r)
		if !ok {
			if r.Method == http.MethodPost {
				s.fail(w, r, http.StatusForbidden, say.Text("console.session_expired"))
				return
			}
			http.Redirect(w, r, s.base+"/accesso", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(who.csrf)) != 1 {
			s.log.Warn("console: POST without a valid CSRF token", "staff", who.email, "path", r.URL.Path)
			s.fail(w, r, http.StatusForbidden, say.Text("console.csrf"))
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), staffKey{}, who)))
	}
}

// touchEvery is how often a session in use is marked seen: a page view is a read, and the
// writer is not taken more than once a minute per session.
const touchEvery = time.Minute

// session finds the live session of a current staff member a request carries. A missing,
// malformed or unknown cookie, a session idle or older than [console] session_max, or one of
// someone no longer on the staff list is refused on a read: only a live session ever writes.
func (s *Server) session(r *http.Request) (staff, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil || !wellFormed(c.Value) {
		return staff{}, false
	}
	who := staff{hash: hashOf(c.Value), csrf: csrfOf(c.Value)}
	cs, err := s.store.ConsoleSession(r.Context(), who.hash)
	if err != nil {
		if !errors.Is(err, ticketing.ErrNotFound) {
			s.log.Error("console session", "err", err)
		}
		return staff{}, false
	}
	now := s.now()
	if !s.cfg.IsStaff(cs.Email) || now.Sub(cs.LastSeen) >= SessionIdle || now.Sub(cs.Created) >= s.sessionMax {
		return staff{}, false
	}
	who.email = cs.Email
	if now.Sub(cs.LastSeen) >= touchEvery {
		err := s.store.Update(r.Context(), func(tx *ticketing.Tx) error {
			_, err := tx.TouchConsoleSession(who.hash, now, SessionIdle)
			return err
		})
		if err != nil {
			s.log.Error("console session", "err", err)
			return staff{}, false
		}
	}
	return who, true
}

func who(r *http.Request) staff {
	w, _ := r.Context().Value(staffKey{}).(staff)
	return w
}

func (s *Server) setFlash(hash, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flash[hash] = msg
}

func (s *Server) takeFlash(hash string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.flash[hash]
	delete(s.flash, hash)
	return m
}

// Serve answers on ln until ctx ends, then gives requests in flight five seconds.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 32 << 10,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	err := httpserve.Serve(ctx, "console server", srv, ln)
	s.pending.Wait() // sign-in mails decided before the end are still queued
	return err
}

// limiter bounds sign-in requests per key (client address, typed address) in a sliding window.
type limiter struct {
	mu   sync.Mutex
	hits map[string][]time.Time
}

// allow records a request under key and tells whether it is within n per window.
func (l *limiter) allow(key string, n int, window time.Duration, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.hits) > 10000 { // forget everyone rather than grow without bound
		clear(l.hits)
	}
	recent := l.hits[key][:0]
	for _, t := range l.hits[key] {
		if now.Sub(t) < window {
			recent = append(recent, t)
		}
	}
	if len(recent) >= n {
		l.hits[key] = recent
		return false
	}
	l.hits[key] = append(recent, now)
	return true
}
