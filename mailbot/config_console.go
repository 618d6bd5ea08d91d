package mailbot

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ConsoleConfig is [console]: the call center's web console, served by `mailbot serve`.
type ConsoleConfig struct {
	// Listen is a loopback or private host:port; empty (the default) or "off" turns it off.
	Listen string `toml:"listen"`
	// PublicURL is the address staff open, behind the Region's web server
	// (https://assistenza.example.it/console); sign-in links and staff mail point there.
	PublicURL string `toml:"public_url"`
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
