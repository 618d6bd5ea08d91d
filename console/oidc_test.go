package console

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"mailbot/internal/oidctest"
	"mailbot/mailbot"
)

// TestOIDCSignIn signs in through a real OpenID Connect provider (panva/oidc-provider under
// Node): a staff member with a verified address gets a session; an unverified address, an
// outsider, an expired token and a token for another client are refused.
func TestOIDCSignIn(t *testing.T) {
	e := start(t)
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	issuer := oidctest.Start(t, base+"/accesso/oidc/fine")
	cfg := *e.cfg
	cfg.Console.PublicURL = base
	cfg.Console.OIDC = &mailbot.OIDCConfig{Issuer: issuer, ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret,
		Scopes: []string{"openid", "email"}, EmailClaim: "email", Name: "il servizio di prova"}
	offset := new(atomic.Int64)
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	s := New(&cfg, e.d.Store, e.d.Intake, slog.New(slog.DiscardHandler), now)
	srv.Config.Handler = s.Handler()
	srv.Start()
	t.Cleanup(srv.Close)

	get := func(c *http.Client, u string) (*http.Response, string) {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	browser := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar}
	}
	signIn := func(account string) (int, string, *http.Client) {
		t.Helper()
		c := browser()
		resp, err := c.Get(base + "/accesso/oidc")
		if err != nil {
			t.Fatal(err)
		}
		resp = oidctest.SignIn(t, c, issuer, resp, account)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b), c
	}

	if _, page := get(browser(), base+"/accesso"); !strings.Contains(page, "Entra con il servizio di prova") || !strings.Contains(page, `name="email"`) {
		t.Errorf("sign-in page without both ways in:\n%s", page)
	}
	code, body, c := signIn("staff")
	if code != 200 || !strings.Contains(body, "Accesso riuscito") {
		t.Fatalf("staff member: %d\n%s", code, body)
	}
	if _, page := get(c, base+"/"); !strings.Contains(page, "Pratiche aperte") || !strings.Contains(page, operator) {
		t.Error("no session after signing in through the provider")
	}
	for _, account := range []string{"unverified", "outsider"} {
		if code, body, _ := signIn(account); code != http.StatusForbidden || !strings.Contains(body, "Accesso non consentito") {
			t.Errorf("%s: %d", account, code)
		}
	}
	// Entra ID sends no email_verified: configured off, the same person gets in.
	off := false
	cfg.Console.OIDC.RequireVerifiedEmail = &off
	if code, body, _ := signIn("unverified"); code != 200 || !strings.Contains(body, "Accesso riuscito") {
		t.Errorf("unverified with require_verified_email off: %d", code)
	}
	cfg.Console.OIDC.RequireVerifiedEmail = nil
	// Our clock two hours on: the ID token (valid an hour) has expired when it arrives.
	offset.Store(int64(2 * time.Hour))
	if code, _, _ := signIn("staff"); code != http.StatusForbidden {
		t.Errorf("expired token: %d", code)
	}
	offset.Store(0)
	// Coming back without having left from here (no state cookie): refused.
	if code := must(get(browser(), base+"/accesso/oidc/fine?state=x&code=y")); code != http.StatusForbidden {
		t.Errorf("return without a state: %d", code)
	}

	// A real token issued to another client: its audience is not ours.
	p, err := s.oidc.discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	other := &oauth2.Config{ClientID: oidctest.OtherID, ClientSecret: oidctest.OtherSecret, Endpoint: p.Endpoint(),
		RedirectURL: base + "/accesso/oidc/fine", Scopes: []string{"openid", "email"}}
	verifier := oauth2.GenerateVerifier()
	nc := browser()
	nc.CheckRedirect = func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), base) {
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, err := nc.Get(other.AuthCodeURL("stato", oauth2.SetAuthURLParam("nonce", "n-altro"), oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	resp = oidctest.SignIn(t, nc, issuer, resp, "staff")
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || back.Query().Get("code") == "" {
		t.Fatalf("no code for the other client: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	tok, err := other.Exchange(context.Background(), back.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if email, err := s.oidc.identify(context.Background(), p, raw, "n-altro"); err == nil || !strings.Contains(err.Error(), "audience") {
		t.Errorf("token for another client: %q, %v", email, err)
	}
}

func must(resp *http.Response, _ string) int { return resp.StatusCode }
