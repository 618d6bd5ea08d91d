package mailbot

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/wneessen/go-mail/smtp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// OAuth2Config is [mailbox.oauth2] or [smtp.oauth2]: the mailbox or the SMTP server is reached
// with an OAuth2 access token instead of a password (Microsoft 365 and Google Workspace have
// turned passwords off). Microsoft 365 uses the client credentials of an app registered in the
// tenant; Google a refresh token obtained once for the mailbox's account.
type OAuth2Config struct {
	Provider         string   `toml:"provider"`  // "microsoft", "google" or "" (give token_url)
	Tenant           string   `toml:"tenant"`    // microsoft: the directory (tenant) ID or domain
	TokenURL         string   `toml:"token_url"` // default per provider
	ClientID         string   `toml:"client_id"`
	ClientSecret     string   `toml:"client_secret"`
	ClientSecretFile string   `toml:"client_secret_file"`
	RefreshToken     string   `toml:"refresh_token"` // google: client credentials when empty
	RefreshTokenFile string   `toml:"refresh_token_file"`
	Scopes           []string `toml:"scopes"`    // default per provider
	Mechanism        string   `toml:"mechanism"` // "xoauth2" (default) or "oauthbearer"

	once   sync.Once
	source oauth2.TokenSource
	// early is how long before expiry a token is replaced (tests shorten it).
	early time.Duration
}

// complete fills the provider's defaults and reads secrets; key names the section in errors,
// env prefixes the environment variables that may hold the secrets.
func (o *OAuth2Config) complete(key, env string) error {
	switch o.Provider {
	case "microsoft":
		if o.TokenURL == "" {
			if o.Tenant == "" {
				return fmt.Errorf("%s.tenant: missing (the Microsoft 365 directory ID or domain)", key)
			}
			o.TokenURL = "https://login.microsoftonline.com/" + o.Tenant + "/oauth2/v2.0/token"
		}
		if len(o.Scopes) == 0 {
			o.Scopes = []string{"https://outlook.office365.com/.default"}
		}
	case "google":
		if o.TokenURL == "" {
			o.TokenURL = "https://oauth2.googleapis.com/token"
		}
		if len(o.Scopes) == 0 {
			o.Scopes = []string{"https://mail.google.com/"}
		}
	case "":
		if o.TokenURL == "" {
			return fmt.Errorf("%s.token_url: missing (or set provider = \"microsoft\" or \"google\")", key)
		}
	default:
		return fmt.Errorf("%s.provider: must be microsoft or google, not %q", key, o.Provider)
	}
	if !strings.HasPrefix(o.TokenURL, "https://") && !strings.HasPrefix(o.TokenURL, "http://127.0.0.1") {
		return fmt.Errorf("%s.token_url: must be https, not %q", key, o.TokenURL)
	}
	if o.ClientID == "" {
		return fmt.Errorf("%s.client_id: missing", key)
	}
	var err error
	if o.ClientSecret, err = secret(o.ClientSecret, o.ClientSecretFile, env+"_CLIENT_SECRET"); err != nil {
		return fmt.Errorf("%s.client_secret_file: %w", key, err)
	}
	if o.RefreshToken, err = secret(o.RefreshToken, o.RefreshTokenFile, env+"_REFRESH_TOKEN"); err != nil {
		return fmt.Errorf("%s.refresh_token_file: %w", key, err)
	}
	if o.ClientSecret == "" && o.RefreshToken == "" {
		return fmt.Errorf("%s.client_secret: missing (set client_secret, client_secret_file or $%s_CLIENT_SECRET)", key, env)
	}
	switch o.Mechanism {
	case "":
		o.Mechanism = "xoauth2"
	case "xoauth2", "oauthbearer":
	default:
		return fmt.Errorf("%s.mechanism: must be xoauth2 or oauthbearer, not %q", key, o.Mechanism)
	}
	if o.early == 0 {
		o.early = 5 * time.Minute
	}
	return nil
}

// Token returns a valid access token, fetching a new one when the last is about to expire:
// each IMAP login and SMTP connection asks for one, so a token never outlives its use.
func (o *OAuth2Config) Token(ctx context.Context) (string, error) {
	o.once.Do(func() {
		// The source outlives any one call: its requests get their own timeout.
		base := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: 30 * time.Second})
		var src oauth2.TokenSource
		if o.RefreshToken != "" {
			c := &oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, Scopes: o.Scopes,
				Endpoint: oauth2.Endpoint{TokenURL: o.TokenURL, AuthStyle: oauth2.AuthStyleInParams}}
			src = c.TokenSource(base, &oauth2.Token{RefreshToken: o.RefreshToken})
		} else {
			c := &clientcredentials.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, TokenURL: o.TokenURL,
				Scopes: o.Scopes, AuthStyle: oauth2.AuthStyleInParams}
			src = c.TokenSource(base)
		}
		o.source = oauth2.ReuseTokenSourceWithExpiry(nil, src, o.early)
	})
	type result struct {
		tok *oauth2.Token
		err error
	}
	done := make(chan result, 1)
	go func() { t, err := o.source.Token(); done <- result{t, err} }()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-done:
		if r.err != nil {
			return "", fmt.Errorf("oauth2 token from %s: %w", o.TokenURL, r.err)
		}
		return r.tok.AccessToken, nil
	}
}

// saslClient is the SASL exchange that presents token for user.
func (o *OAuth2Config) saslClient(user, token string) sasl.Client {
	if o.Mechanism == "oauthbearer" {
		return sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: user, Token: token})
	}
	return xoauth2Client{user: user, token: token}
}

// xoauth2Client is the XOAUTH2 mechanism of Google and Microsoft (go-sasl has only
// OAUTHBEARER): one initial response naming the user and the bearer token.
type xoauth2Client struct{ user, token string }

func (c xoauth2Client) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + c.user + "\x01auth=Bearer " + c.token + "\x01\x01"), nil
}

// Next answers the server's error challenge (a JSON status) with an empty response, after
// which the server fails the command.
func (c xoauth2Client) Next([]byte) ([]byte, error) { return []byte{}, nil }

// smtpSASL runs a SASL client as go-mail's SMTP authentication.
type smtpSASL struct{ c sasl.Client }

func (a smtpSASL) Start(*smtp.ServerInfo) (string, []byte, error) { return a.c.Start() }

func (a smtpSASL) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	return a.c.Next(fromServer)
}
