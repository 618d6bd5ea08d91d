package mailbot

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"mailbot/templates/say"
)

// loopbackHost tells whether a URL's host is this machine.
func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// ConsoleConfig is [console]: the call center's web console, served by `mailbot serve`.
type ConsoleConfig struct {
	// Listen is a loopback or private host:port; empty (the default) or "off" turns it off.
	Listen string `toml:"listen"`
	// PublicURL is the address staff open, behind the Region's web server
	// (https://assistenza.example.it/console); sign-in links and staff mail point there.
	PublicURL string `toml:"public_url"`
	// TrustedProxies are the CIDRs of the Region's reverse proxies: only a request from one of
	// them is believed about the client's address (X-Forwarded-For, Forwarded). Without it every
	// visitor behind the proxy shares the proxy's address, and its sign-in limits.
	TrustedProxies []string `toml:"trusted_proxies"`
	// SessionMax ends a session this long after sign-in however busy (default 12h), besides
	// the idle timeout.
	SessionMax Duration `toml:"session_max"`

	// OIDC adds sign-in through the Region's identity provider ([console.oidc]); the mailed
	// links stay for offices without one.
	OIDC *OIDCConfig `toml:"oidc"`

	Proxies []netip.Prefix `toml:"-"` // TrustedProxies parsed
}

// OIDCConfig is [console.oidc]: OpenID Connect sign-in (authorization code with PKCE).
type OIDCConfig struct {
	Issuer           string   `toml:"issuer"`
	ClientID         string   `toml:"client_id"`
	ClientSecretFile string   `toml:"client_secret_file"` // or $MAILBOT_CONSOLE_OIDC_SECRET
	Scopes           []string `toml:"scopes"`             // default openid, email, profile
	// EmailClaim names the claim matched against [staff] addresses: email (the default),
	// preferred_username or upn (Microsoft Entra ID).
	EmailClaim string `toml:"email_claim"`
	// RequireVerifiedEmail refuses a token whose email_verified is not true (default true;
	// Entra ID does not send it unless configured to).
	RequireVerifiedEmail *bool `toml:"require_verified_email"`
	// Name is the provider's name on the sign-in button (default "l'accesso della Regione").
	Name string `toml:"name"`

	ClientSecret string `toml:"-"`
}

// VerifiedEmailRequired tells whether email_verified must be true.
func (o *OIDCConfig) VerifiedEmailRequired() bool {
	return o.RequireVerifiedEmail == nil || *o.RequireVerifiedEmail
}

func (o *OIDCConfig) complete() error {
	u, err := url.Parse(o.Issuer)
	if o.Issuer == "" || err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && loopbackHost(u.Hostname()))) {
		return fmt.Errorf("console.oidc.issuer: want the provider's https URL, got %q", o.Issuer)
	}
	if o.ClientID == "" {
		return errors.New("console.oidc.client_id: missing")
	}
	if o.ClientSecret, err = secret("", o.ClientSecretFile, "MAILBOT_CONSOLE_OIDC_SECRET"); err != nil {
		return fmt.Errorf("console.oidc.client_secret_file: %w", err)
	}
	if o.ClientSecret == "" {
		return errors.New("console.oidc.client_secret_file: missing (or $MAILBOT_CONSOLE_OIDC_SECRET)")
	}
	if len(o.Scopes) == 0 {
		o.Scopes = []string{"openid", "email", "profile"}
	}
	if !slices.Contains(o.Scopes, "openid") {
		o.Scopes = append([]string{"openid"}, o.Scopes...)
	}
	switch o.EmailClaim {
	case "":
		o.EmailClaim = "email"
	case "email", "preferred_username", "upn":
	default:
		return fmt.Errorf("console.oidc.email_claim: email, preferred_username or upn, not %q", o.EmailClaim)
	}
	if o.Name == "" {
		o.Name = say.Text("signin.provider_name")
	}
	return nil
}

// Trusted tells whether a peer address is one of the trusted proxies.
func (c ConsoleConfig) Trusted(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range c.Proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Enabled tells whether serve answers on [console] listen.
func (c ConsoleConfig) Enabled() bool { return c.Listen != "" && c.Listen != "off" }

// CaseURL is the console page of a ticket, or "" without a public_url.
func (c ConsoleConfig) CaseURL(id string) string {
	if c.PublicURL == "" {
		return ""
	}
	return c.PublicURL + "/pratiche/" + url.PathEscape(id)
}

func (c *Config) completeConsole() error {
	c.Console.PublicURL = strings.TrimRight(c.Console.PublicURL, "/")
	if c.Console.PublicURL != "" {
		u, err := url.Parse(c.Console.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("console.public_url: want http(s)://host[/path], got %q", c.Console.PublicURL)
		}
		// Plain http would carry session cookies and sign-in links in clear over a network.
		if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
			return fmt.Errorf("console.public_url: plain http only for a loopback host (localhost, 127.0.0.1, ::1), got %q: use https", c.Console.PublicURL)
		}
	}
	c.Console.Proxies = nil
	for _, s := range c.Console.TrustedProxies {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			ip, aerr := netip.ParseAddr(strings.TrimSpace(s))
			if aerr != nil {
				return fmt.Errorf("console.trusted_proxies: want a CIDR (10.0.0.0/8) or an address, got %q", s)
			}
			p = netip.PrefixFrom(ip, ip.BitLen())
		}
		c.Console.Proxies = append(c.Console.Proxies, p.Masked())
	}
	if c.Console.SessionMax.Duration < 0 {
		return errors.New("console.session_max: negative")
	}
	if c.Console.SessionMax.Duration == 0 {
		c.Console.SessionMax.Duration = 12 * time.Hour
	}
	if c.Console.OIDC != nil {
		if err := c.Console.OIDC.complete(); err != nil {
			return err
		}
	}
	if !c.Console.Enabled() {
		return nil
	}
	if err := checkInternal(c.Console.Listen); err != nil {
		return fmt.Errorf("console.listen: %w", err)
	}
	if c.Console.PublicURL == "" {
		return errors.New("console.public_url: missing (the address staff open; sign-in links point there)")
	}
	return nil
}
