package mailbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"mailbot/internal/localmail"
	"mailbot/internal/wait"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// tokenIssuer is an OAuth2 token endpoint, as Microsoft's and Google's behave: client
// credentials or a refresh token in, a bearer token with a lifetime out.
type tokenIssuer struct {
	lifetime time.Duration
	mu       sync.Mutex
	issued   map[string]time.Time // token -> expiry
	grants   map[string]int       // grant_type -> tokens issued
}

func (ti *tokenIssuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	grant := r.Form.Get("grant_type")
	ok := r.Form.Get("client_id") == "mailbot-app" && r.Form.Get("client_secret") == "app-secret"
	if grant == "refresh_token" {
		ok = ok && r.Form.Get("refresh_token") == "refresh-1"
	}
	if !ok || (grant != "client_credentials" && grant != "refresh_token") {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"invalid_client"}`)
		return
	}
	ti.mu.Lock()
	ti.grants[grant]++
	tok := fmt.Sprintf("token-%s-%d", grant, ti.grants[grant])
	ti.issued[tok] = time.Now().Add(ti.lifetime)
	ti.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(ti.lifetime.Seconds())})
}

// valid reports a token's expiry if it was issued and has not expired.
func (ti *tokenIssuer) valid(tok string) (time.Time, bool) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	exp, ok := ti.issued[tok]
	return exp, ok && time.Now().Before(exp)
}

func (ti *tokenIssuer) count(grant string) int {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	return ti.grants[grant]
}

// xoauth2Server checks an XOAUTH2 initial response.
type xoauth2Server struct {
	check func(user, token string) error
}

func (s xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	parts := strings.Split(string(resp), "\x01")
	if len(parts) < 2 || !strings.HasPrefix(parts[0], "user=") || !strings.HasPrefix(parts[1], "auth=Bearer ") {
		return nil, false, errors.New("malformed XOAUTH2 response")
	}
	return nil, true, s.check(strings.TrimPrefix(parts[0], "user="), strings.TrimPrefix(parts[1], "auth=Bearer "))
}

// oauthSession accepts only a bearer token, as Microsoft 365 does with passwords off, and ends
// the session with BYE when the token it logged in with expires.
type oauthSession struct {
	imapserver.Session
	conn   *imapserver.Conn
	tokens *tokenIssuer
	logins *int
	mu     *sync.Mutex
}

func (s oauthSession) Login(string, string) error { return imapserver.ErrAuthFailed }

func (s oauthSession) AuthenticateMechanisms() []string { return []string{"XOAUTH2", "OAUTHBEARER"} }

func (s oauthSession) Authenticate(mech string) (sasl.Server, error) {
	check := func(user, token string) error {
		exp, ok := s.tokens.valid(token)
		if !ok {
			return errors.New("invalid or expired token")
		}
		if err := s.Session.Login(user, "pw"); err != nil {
			return err
		}
		s.mu.Lock()
		*s.logins++
		s.mu.Unlock()
		time.AfterFunc(time.Until(exp), func() { s.conn.Bye("session invalidated: token expired") })
		return nil
	}
	if mech == "OAUTHBEARER" {
		return sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if err := check(o.Username, o.Token); err != nil {
				return &sasl.OAuthBearerError{Status: "invalid_token"}
			}
			return nil
		}), nil
	}
	return xoauth2Server{check}, nil
}

func (s oauthSession) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	return localmail.IdleSession{Session: s.Session}.Idle(w, stop)
}

// oauthSMTP accepts mail only after AUTH with a valid bearer token.
type oauthSMTP struct {
	tokens *tokenIssuer
	mu     sync.Mutex
	mails  []string
	auths  []string // tokens presented
}

func (b *oauthSMTP) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	return &oauthSMTPSession{b: b}, nil
}

type oauthSMTPSession struct {
	b    *oauthSMTP
	auth bool
	to   []string
}

func (s *oauthSMTPSession) AuthMechanisms() []string { return []string{"XOAUTH2", "OAUTHBEARER"} }
func (s *oauthSMTPSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, token string) error {
		if _, ok := s.b.tokens.valid(token); !ok {
			return errors.New("invalid token")
		}
		s.b.mu.Lock()
		s.b.auths = append(s.b.auths, token)
		s.b.mu.Unlock()
		s.auth = true
		return nil
	}
	if mech == "OAUTHBEARER" {
		return sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if check(o.Username, o.Token) != nil {
				return &sasl.OAuthBearerError{Status: "invalid_token"}
			}
			return nil
		}), nil
	}
	return xoauth2Server{check}, nil
}
func (s *oauthSMTPSession) Mail(string, *gosmtp.MailOptions) error {
	if !s.auth {
		return errors.New("530 authentication required")
	}
	return nil
}
func (s *oauthSMTPSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *oauthSMTPSession) Data(r io.Reader) error {
	b, _ := io.ReadAll(r)
	s.b.mu.Lock()
	s.b.mails = append(s.b.mails, strings.Join(s.to, ",")+"\n"+string(b))
	s.b.mu.Unlock()
	return nil
}
func (s *oauthSMTPSession) Reset()        { s.to = nil }
func (s *oauthSMTPSession) Logout() error { return nil }

// TestOAuth2Mailboxes: a mailbox that takes only OAuth2 tokens (client credentials, XOAUTH2, as
// Microsoft 365) and an SMTP server that does too (refresh token, OAUTHBEARER, as Google). The
// IMAP server ends the session when its token expires during IDLE; the watcher logs in again
// with a fresh token and the next request is answered.
func TestOAuth2Mailboxes(t *testing.T) {
	tokens := &tokenIssuer{lifetime: 3 * time.Second, issued: map[string]time.Time{}, grants: map[string]int{}}
	tokenSrv := httptest.NewServer(tokens)
	defer tokenSrv.Close()

	mem := imapmemserver.New()
	user := imapmemserver.NewUser(CallCenter, "pw")
	user.Create("INBOX", nil)
	mem.AddUser(user)
	var logins int
	var mu sync.Mutex
	imapSrv := imapserver.New(&imapserver.Options{
		NewSession: func(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return oauthSession{Session: mem.NewSession(), conn: c, tokens: tokens, logins: &logins, mu: &mu}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIdle: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	imapLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go imapSrv.Serve(imapLn)
	defer imapSrv.Close()
	smtpBackend := &oauthSMTP{tokens: tokens}
	smtpSrv := gosmtp.NewServer(smtpBackend)
	smtpSrv.Domain, smtpSrv.AllowInsecureAuth, smtpSrv.ErrorLog = "localhost", true, log.New(io.Discard, "", 0)
	smtpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go smtpSrv.Serve(smtpLn)
	defer smtpSrv.Close()

	cfg := &Config{DataDir: t.TempDir(), ReplyFrom: "Regione del Veneto <" + CallCenter + ">",
		Mailboxes: []MailboxConfig{{Name: "callcenter", Address: CallCenter, IMAPAddr: imapLn.Addr().String(), TLS: "none",
			Username: CallCenter, FirstStart: "reply",
			OAuth2: &OAuth2Config{TokenURL: tokenSrv.URL + "/token", ClientID: "mailbot-app", ClientSecret: "app-secret", early: time.Second}}},
		SMTP: SMTPConfig{Addr: smtpLn.Addr().String(), TLS: "none", Username: CallCenter,
			OAuth2: &OAuth2Config{Provider: "google", TokenURL: tokenSrv.URL + "/token", ClientID: "mailbot-app", ClientSecret: "app-secret",
				RefreshToken: "refresh-1", Mechanism: "oauthbearer", early: time.Second}},
	}
	if err := cfg.Complete(); err != nil {
		t.Fatal(err)
	}
	d, err := NewDaemon(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.Watchers[0].MinBackoff = 100 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	deliver := func(n int) {
		raw := fmt.Sprintf("From: Referente %d <ref%d@comune.venezia.it>\r\nTo: %s\r\nSubject: Richiesta %d\r\nMessage-ID: <oauth-%d@comune.venezia.it>\r\nDate: %s\r\n\r\nVorremmo aderire a MyPay.\r\n",
			n, n, CallCenter, n, n, time.Now().Format(time.RFC1123Z))
		if _, err := user.Append("INBOX", localmail.Literal([]byte(raw)), &imap.AppendOptions{Time: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	replies := func() int {
		smtpBackend.mu.Lock()
		defer smtpBackend.mu.Unlock()
		return len(smtpBackend.mails)
	}
	deliver(1)
	wait.For(t, "the first reply", func() bool { return replies() == 1 })
	// The first token expires during IDLE: the server says BYE, the watcher logs in again.
	wait.For(t, "a second login with a fresh token", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return logins >= 2
	})
	deliver(2)
	wait.For(t, "the second reply", func() bool { return replies() == 2 })

	if n := tokens.count("client_credentials"); n < 2 {
		t.Errorf("%d client-credentials tokens issued, want a fresh one per session (>= 2)", n)
	}
	if n := tokens.count("refresh_token"); n < 1 {
		t.Errorf("no refresh-token grant for SMTP")
	}
	for _, tok := range smtpBackend.auths {
		if !strings.HasPrefix(tok, "token-refresh_token-") {
			t.Errorf("SMTP authenticated with %q, want the refresh-token grant's token", tok)
		}
	}
	if !strings.Contains(smtpBackend.mails[1], "ref2@comune.venezia.it") {
		t.Errorf("second reply went to %q", strings.SplitN(smtpBackend.mails[1], "\n", 2)[0])
	}
}

// TestOAuth2Config: provider defaults, and what is wrong said by key.
func TestOAuth2Config(t *testing.T) {
	for _, c := range []struct {
		name string
		o    *OAuth2Config
		want string // "" for valid; else part of the error
		url  string
	}{
		{"microsoft", &OAuth2Config{Provider: "microsoft", Tenant: "regione.veneto.it", ClientID: "id", ClientSecret: "s"}, "",
			"https://login.microsoftonline.com/regione.veneto.it/oauth2/v2.0/token"},
		{"google", &OAuth2Config{Provider: "google", ClientID: "id", ClientSecret: "s", RefreshToken: "r"}, "", "https://oauth2.googleapis.com/token"},
		{"microsoft without tenant", &OAuth2Config{Provider: "microsoft", ClientID: "id", ClientSecret: "s"}, "x.oauth2.tenant: missing", ""},
		{"no client id", &OAuth2Config{Provider: "google", ClientSecret: "s"}, "x.oauth2.client_id: missing", ""},
		{"no secret", &OAuth2Config{Provider: "google", ClientID: "id"}, "x.oauth2.client_secret: missing", ""},
		{"plain http", &OAuth2Config{TokenURL: "http://idp.example/token", ClientID: "id", ClientSecret: "s"}, "must be https", ""},
		{"mechanism", &OAuth2Config{Provider: "google", ClientID: "id", ClientSecret: "s", Mechanism: "plain"}, "x.oauth2.mechanism", ""},
		{"provider", &OAuth2Config{Provider: "yahoo", ClientID: "id", ClientSecret: "s"}, "x.oauth2.provider", ""},
	} {
		err := c.o.complete("x.oauth2", "MAILBOT_TEST_OAUTH2")
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		case c.want == "" && c.o.TokenURL != c.url:
			t.Errorf("%s: token URL %q, want %q", c.name, c.o.TokenURL, c.url)
		}
	}
	// A refused client says which endpoint refused it.
	tokens := &tokenIssuer{lifetime: time.Hour, issued: map[string]time.Time{}, grants: map[string]int{}}
	srv := httptest.NewServer(tokens)
	defer srv.Close()
	o := OAuth2Config{TokenURL: srv.URL, ClientID: "mailbot-app", ClientSecret: "wrong"}
	if err := o.complete("x", "X"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Token(context.Background()); err == nil || !strings.Contains(err.Error(), srv.URL) {
		t.Errorf("token with a wrong secret: %v", err)
	}
}
