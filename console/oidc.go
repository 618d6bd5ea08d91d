package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"mailbot/mailaddr"
	"mailbot/mailbot"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Sign-in through the Region's identity provider (OpenID Connect, authorization code with
// PKCE, state and nonce). What the flow needs between the two legs (state, nonce, PKCE
// verifier) travels in a short-lived cookie, so starting a sign-in writes nothing and keeps
// nothing in memory: an anonymous flood neither takes the writer nor fills a table. The
// address in the ID token must be on the staff list, as for a mailed link.

const (
	oidcCookie = "mailbot_oidc"
	oidcValid  = 10 * time.Minute // between leaving for the provider and coming back
)

// oidcSignIn is the console's client of one provider.
type oidcSignIn struct {
	cfg      *mailbot.OIDCConfig
	redirect string
	now      func() time.Time

	mu       sync.Mutex
	provider *oidc.Provider // discovered on first use, and again after a failure
}

// discover reads the provider's metadata once; a provider down at start does not keep the
// console from starting, and is asked again at the next sign-in.
func (o *oidcSignIn) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery at %s: %w", o.cfg.Issuer, err)
	}
	o.provider = p
	return p, nil
}

func (o *oidcSignIn) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: o.redirect, Scopes: o.cfg.Scopes}
}

// errNotStaffToken is a valid token whose person may not sign in here.
var errNotStaffToken = errors.New("oidc: token refused")

// identify verifies a raw ID token (signature, issuer, audience, expiry, nonce) and returns the
// staff address it names; errNotStaffToken wraps every refusal of a token as such.
func (o *oidcSignIn) identify(ctx context.Context, p *oidc.Provider, raw, nonce string) (string, error) {
	v := p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID, Now: o.now})
	tok, err := v.Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("%w: %w", errNotStaffToken, err)
	}
	if tok.Nonce != nonce {
		return "", fmt.Errorf("%w: nonce does not match", errNotStaffToken)
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return "", fmt.Errorf("%w: claims: %w", errNotStaffToken, err)
	}
	email, _ := claims[o.cfg.EmailClaim].(string)
	if email == "" {
		return "", fmt.Errorf("%w: no %s claim", errNotStaffToken, o.cfg.EmailClaim)
	}
	if o.cfg.VerifiedEmailRequired() {
		if v, _ := claims["email_verified"].(bool); !v {
			return "", fmt.Errorf("%w: email_verified is not true", errNotStaffToken)
		}
	}
	return mailaddr.Norm(email).String(), nil
}

// oidcStart sends the browser to the provider.
func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	client := s.clientAddr(r)
	if !s.clients.allow("oidc:"+client, signInPerClient, signInWindow, s.now()) {
		s.fail(w, r, http.StatusTooManyRequests, say.Text("console.too_many_requests"))
		return
	}
	p, err := s.oidc.discover(r.Context())
	if err != nil {
		s.log.Error("console: identity provider", "err", err)
		s.fail(w, r, http.StatusBadGateway, say.Text("console.oidc_down_start"))
		return
	}
	state, _ := token()
	nonce, _ := token()
	verifier := oauth2.GenerateVerifier()
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: state + "." + nonce + "." + verifier, Path: s.base + "/accesso/oidc",
		MaxAge: int(oidcValid / time.Second), HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode}) // Lax: the provider sends the browser back by a top-level GET from its site
	http.Redirect(w, r, s.oidc.oauth(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// oidcReturn is where the provider sends the browser back: the code is exchanged, the ID token
// checked, and a staff member gets a session.
func (s *Server) oidcReturn(w http.ResponseWriter, r *http.Request) {
	client := s.clientAddr(r)
	if !s.clients.allow("oidc-fine:"+client, enterPerClient, signInWindow, s.now()) {
		s.fail(w, r, http.StatusTooManyRequests, say.Text("console.too_many_attempts"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: s.base + "/accesso/oidc", MaxAge: -1, HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteLaxMode})
	var refused = say.Text("console.oidc_refused")
	c, err := r.Cookie(oidcCookie)
	parts := []string{}
	if err == nil {
		parts = strings.Split(c.Value, ".")
	}
	q := r.URL.Query()
	if len(parts) != 3 || !wellFormed(parts[0]) || q.Get("state") != parts[0] {
		s.fail(w, r, http.StatusForbidden, refused)
		return
	}
	if e := q.Get("error"); e != "" {
		s.log.Info("console: identity provider refused the sign-in", "error", e)
		s.fail(w, r, http.StatusForbidden, refused)
		return
	}
	p, err := s.oidc.discover(r.Context())
	if err != nil {
		s.log.Error("console: identity provider", "err", err)
		s.fail(w, r, http.StatusBadGateway, say.Text("console.oidc_down"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	tok, err := s.oidc.oauth(p).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(parts[2]))
	if err != nil {
		s.log.Warn("console: oidc code exchange", "err", err)
		s.fail(w, r, http.StatusForbidden, refused)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	email, err := s.oidc.identify(ctx, p, raw, parts[1])
	if err == nil && !s.cfg.IsStaff(email) {
		err = fmt.Errorf("%w: %s is not on the staff list", errNotStaffToken, email)
	}
	if err != nil {
		s.log.Warn("console: oidc sign-in refused", "err", err)
		s.fail(w, r, http.StatusForbidden, say.Text("console.oidc_not_staff"))
		return
	}
	s.startSession(w, r, "oidc", func(*ticketing.Tx) (string, error) { return email, nil })
}
