package mailbot

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// CatalogConfig sets where the published catalogs go: files regenerated in a directory, and a
// read-only HTTP server. Both are off by default.
type CatalogConfig struct {
	// OutDir receives prodotti, processi and enti as .json, .csv and .html (with index.html and
	// assets/) whenever they change; "" for none.
	OutDir string `toml:"out_dir"`
	// Listen is the loopback or internal address the catalogs are served on, e.g.
	// "127.0.0.1:8080"; "" for none. Public exposure goes through the Region's web server.
	Listen string `toml:"listen"`
	// Refresh is how often the catalogs are rebuilt besides on every qualification and
	// completion seen by the daemon: it picks up what the CLI changed (default 1m).
	Refresh Duration `toml:"refresh"`
}

// Enabled reports whether the daemon publishes the catalogs at all.
func (c CatalogConfig) Enabled() bool { return c.OutDir != "" || c.Listen != "" }

func (c *Config) completeCatalog() error {
	cc := &c.Catalog
	if cc.Refresh.Duration == 0 {
		cc.Refresh.Duration = time.Minute
	}
	if cc.Refresh.Duration < time.Second {
		return errors.New("catalog.refresh: must be at least 1s")
	}
	if cc.Listen != "" {
		if err := checkInternal(cc.Listen); err != nil {
			return fmt.Errorf("catalog.listen: %w", err)
		}
	}
	return nil
}

// checkInternal accepts host:port where host is localhost or a loopback or private address:
// the catalogs are public data, but this server is not hardened to face the Internet alone.
func checkInternal(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return fmt.Errorf("want host:port, got %q", addr)
	}
	if host == "localhost" {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("want an IP address or localhost, got %q", host)
	}
	if !ip.IsLoopback() && !ip.IsPrivate() {
		return fmt.Errorf("%s is neither loopback nor private: put the Region's web server in front instead", host)
	}
	return nil
}
