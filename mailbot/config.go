// Package mailbot is the daemon: it watches the mailboxes, turns each message into a ticket
// event, queues replies and delivers them.
package mailbot

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"mailbot/mailaddr"
)

// Config is mailbot.toml; mailbot.example.toml documents every key.
type Config struct {
	DataDir   string          `toml:"data_dir"`
	Timezone  string          `toml:"timezone"`
	ReplyFrom string          `toml:"reply_from"`
	Mailboxes []MailboxConfig `toml:"mailbox"`
	SMTP      SMTPConfig      `toml:"smtp"`
	RateLimit RateLimitConfig `toml:"rate_limit"`
	Limits    LimitsConfig    `toml:"limits"`
	Staff     StaffConfig     `toml:"staff"`
	Digest    DigestConfig    `toml:"digest"`
	Reminders ReminderConfig  `toml:"reminders"`
	Calendar  CalendarConfig  `toml:"calendar"`
	Catalog   CatalogConfig   `toml:"catalog"`
	Retention RetentionConfig `toml:"retention"`
	Ops       OpsConfig       `toml:"ops"`
	Console   ConsoleConfig   `toml:"console"`
	Registry  RegistryConfig  `toml:"registry"`

	loc   *time.Location
	staff *staffList // Staff.Addresses as a running daemon sees them (reloadable)
}

// MailboxConfig is one watched mailbox.
type MailboxConfig struct {
	Name         string   `toml:"name"`
	Address      string   `toml:"address"`
	IMAPAddr     string   `toml:"imap_addr"`
	TLS          string   `toml:"tls"`
	Username     string   `toml:"username"`
	Password     string   `toml:"password"`
	PasswordFile string   `toml:"password_file"`
	FirstStart   string   `toml:"first_start"`
	Mark         string   `toml:"mark"`    // keyword | seen | none
	Keyword      string   `toml:"keyword"` // for mark = "keyword"
	PollInterval Duration `toml:"poll_interval"`
	IdleRestart  Duration `toml:"idle_restart"`
	InsecureTLS  bool     `toml:"insecure_skip_verify"`
	// OAuth2, if set, logs in with an access token instead of the password (Microsoft 365,
	// Google Workspace).
	OAuth2 *OAuth2Config `toml:"oauth2"`
}

// SMTPConfig is the submission server replies go through.
type SMTPConfig struct {
	Addr         string `toml:"addr"`
	TLS          string `toml:"tls"`
	Username     string `toml:"username"`
	Password     string `toml:"password"`
	PasswordFile string `toml:"password_file"`
	InsecureTLS  bool   `toml:"insecure_skip_verify"`
	// Timeout bounds connecting and each SMTP exchange: a server that stops answering (after
	// DATA, say) is dropped and the mail retried later.
	Timeout Duration `toml:"timeout"`
	// OAuth2, if set, authenticates as Username with an access token instead of the password.
	OAuth2 *OAuth2Config `toml:"oauth2"`
}

// RateLimitConfig bounds automatic replies: to one address (a loop backstop), and per hour
// overall and per domain (so that mailbot cannot be made to mail the world from the Region's
// address). A reply over an hourly cap is held for staff: recorded, the case flagged.
type RateLimitConfig struct {
	Window           Duration `toml:"window"`
	PerWindow        int      `toml:"per_window"`
	PerDay           int      `toml:"per_day"`
	PerHour          int      `toml:"per_hour"`
	PerDomainPerHour int      `toml:"per_domain_per_hour"`
}

// LimitsConfig bounds what one message may cost.
type LimitsConfig struct {
	MaxMessageSize int64 `toml:"max_message_size"`
	// The reading budget of one message: worker CPU time and documents (DefaultBudget).
	MessageReadCPU   Duration `toml:"message_read_cpu"`
	MessageDocuments int      `toml:"message_documents"`
}

// StaffConfig lists the call-center staff.
type StaffConfig struct {
	Addresses         []string `toml:"addresses"`
	TrustedAuthservID string   `toml:"trusted_authserv_id"`
	// Secrets authenticate a staff member's commands ("#codice SECRET") where the mail system
	// adds no Authentication-Results: address -> secret.
	Secrets map[string]string `toml:"secrets"`
}

// Duration reads "90s", "5m" from TOML.
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// LoadConfig reads, completes and checks a configuration file.
func LoadConfig(path string) (*Config, error) {
	var c Config
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("config %s: unknown key %q", path, und[0].String())
	}
	if err := c.Complete(); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return &c, nil
}

// Location is the configured time zone.
func (c *Config) Location() *time.Location { return c.loc }

// Complete fills defaults, reads secrets from files and the environment, and checks every key,
// naming the first one that is wrong.
func (c *Config) Complete() error {
	if c.DataDir == "" {
		return errors.New("data_dir: missing")
	}
	if c.Timezone == "" {
		c.Timezone = "Europe/Rome"
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return fmt.Errorf("timezone: unknown time zone %q", c.Timezone)
	}
	c.loc = loc
	if c.ReplyFrom == "" {
		return errors.New("reply_from: missing")
	}
	if _, err := mail.ParseAddress(c.ReplyFrom); err != nil {
		return fmt.Errorf("reply_from: not an address (%v)", err)
	}
	if len(c.Mailboxes) == 0 {
		return errors.New("mailbox: at least one [[mailbox]] is needed")
	}
	seen := map[string]bool{}
	for i := range c.Mailboxes {
		m := &c.Mailboxes[i]
		key := fmt.Sprintf("mailbox[%d]", i)
		if m.Name == "" {
			return fmt.Errorf("%s.name: missing", key)
		}
		key = fmt.Sprintf("mailbox %q", m.Name)
		if seen[m.Name] {
			return fmt.Errorf("%s.name: used twice", key)
		}
		seen[m.Name] = true
		if _, err := mail.ParseAddress(m.Address); err != nil {
			return fmt.Errorf("%s.address: not an address: %q", key, m.Address)
		}
		m.Address = mailaddr.Norm(m.Address).String()
		if err := checkHostPort(m.IMAPAddr); err != nil {
			return fmt.Errorf("%s.imap_addr: %w", key, err)
		}
		if err := checkTLS(&m.TLS); err != nil {
			return fmt.Errorf("%s.tls: %w", key, err)
		}
		if m.Username == "" {
			return fmt.Errorf("%s.username: missing", key)
		}
		env := "MAILBOT_" + strings.ToUpper(envName(m.Name)) + "_PASSWORD"
		if m.Password, err = secret(m.Password, m.PasswordFile, env); err != nil {
			return fmt.Errorf("%s.password_file: %w", key, err)
		}
		if m.OAuth2 != nil {
			if err := m.OAuth2.complete(key+".oauth2", "MAILBOT_"+strings.ToUpper(envName(m.Name))+"_OAUTH2"); err != nil {
				return err
			}
		} else if m.Password == "" {
			return fmt.Errorf("%s.password: missing (set password, password_file or $%s), or an [mailbox.oauth2] section", key, env)
		}
		switch m.FirstStart {
		case "":
			m.FirstStart = "skip"
		case "skip", "import", "reply":
		default:
			return fmt.Errorf("%s.first_start: must be skip, import or reply, not %q", key, m.FirstStart)
		}
		switch m.Mark {
		case "":
			m.Mark = "keyword"
		case "keyword", "seen", "none":
		default:
			return fmt.Errorf("%s.mark: must be keyword, seen or none, not %q", key, m.Mark)
		}
		if m.Keyword == "" {
			m.Keyword = "$MailbotProcessed"
		}
		if m.PollInterval.Duration == 0 {
			m.PollInterval.Duration = time.Minute
		}
		if m.IdleRestart.Duration == 0 {
			m.IdleRestart.Duration = 4 * time.Minute
		}
	}
	if err := checkHostPort(c.SMTP.Addr); err != nil {
		return fmt.Errorf("smtp.addr: %w", err)
	}
	if err := checkTLS(&c.SMTP.TLS); err != nil {
		return fmt.Errorf("smtp.tls: %w", err)
	}
	if c.SMTP.Password, err = secret(c.SMTP.Password, c.SMTP.PasswordFile, "MAILBOT_SMTP_PASSWORD"); err != nil {
		return fmt.Errorf("smtp.password_file: %w", err)
	}
	switch {
	case c.SMTP.OAuth2 != nil:
		if c.SMTP.Username == "" {
			return errors.New("smtp.username: missing (the account the oauth2 token is for)")
		}
		if err := c.SMTP.OAuth2.complete("smtp.oauth2", "MAILBOT_SMTP_OAUTH2"); err != nil {
			return err
		}
	case c.SMTP.Username != "" && c.SMTP.Password == "":
		return errors.New("smtp.password: missing while smtp.username is set")
	}
	if c.SMTP.Timeout.Duration < 0 {
		return errors.New("smtp.timeout: must be positive")
	}
	if c.SMTP.Timeout.Duration == 0 {
		c.SMTP.Timeout.Duration = 30 * time.Second
	}
	if c.RateLimit.Window.Duration == 0 {
		c.RateLimit.Window.Duration = 10 * time.Minute
	}
	if c.RateLimit.PerWindow == 0 {
		c.RateLimit.PerWindow = 10
	}
	if c.RateLimit.PerDay == 0 {
		c.RateLimit.PerDay = 50
	}
	if c.RateLimit.PerHour == 0 {
		c.RateLimit.PerHour = 200
	}
	if c.RateLimit.PerDomainPerHour == 0 {
		c.RateLimit.PerDomainPerHour = 60
	}
	if c.RateLimit.PerWindow < 0 || c.RateLimit.PerDay < 0 || c.RateLimit.PerHour < 0 || c.RateLimit.PerDomainPerHour < 0 {
		return errors.New("rate_limit: limits must be positive")
	}
	if c.Limits.MaxMessageSize == 0 {
		c.Limits.MaxMessageSize = 40 << 20
	}
	if c.Limits.MessageReadCPU.Duration <= 0 {
		c.Limits.MessageReadCPU.Duration = DefaultBudget.CPU
	}
	if c.Limits.MessageDocuments <= 0 {
		c.Limits.MessageDocuments = DefaultBudget.Documents
	}
	secrets := map[string]string{}
	for a, v := range c.Staff.Secrets {
		secrets[mailaddr.Norm(a).String()] = v
	}
	c.Staff.Secrets = secrets
	for i, a := range c.Staff.Addresses {
		if _, err := mail.ParseAddress(a); err != nil || !mailaddr.IsASCII(a) {
			return fmt.Errorf("staff.addresses[%d]: not an ASCII address: %q", i, a)
		}
		c.Staff.Addresses[i] = mailaddr.Norm(a).String()
	}
	if err := c.completeSchedule(); err != nil {
		return err
	}
	if err := c.completeRetention(); err != nil {
		return err
	}
	if err := c.completeOps(); err != nil {
		return err
	}
	if err := c.completeConsole(); err != nil {
		return err
	}
	if err := c.completeRegistry(); err != nil {
		return err
	}
	return c.completeCatalog()
}

func checkHostPort(a string) error {
	if a == "" {
		return errors.New("missing")
	}
	if _, _, err := net.SplitHostPort(a); err != nil {
		return fmt.Errorf("want host:port, got %q", a)
	}
	return nil
}

func checkTLS(v *string) error {
	switch *v {
	case "":
		*v = "tls"
	case "none", "starttls", "tls":
	default:
		return fmt.Errorf("must be none, starttls or tls, not %q", *v)
	}
	return nil
}

// secret picks a password from, in order, the environment, a file, or the config itself.
func secret(inline, file, env string) (string, error) {
	if v := os.Getenv(env); v != "" {
		return v, nil
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", file, err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return inline, nil
}

func envName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

// replyAddress is the bare address of reply_from.
func (c *Config) replyAddress() string {
	return mailaddr.Parse(c.ReplyFrom).String()
}

// IsStaff tells whether addr is one of [staff] addresses: the one check, for mail commands, the
// console and its sign-in alike. Compared as mailaddr.Address, and only a trusted (ASCII)
// address can match.
func (c *Config) IsStaff(addr string) bool {
	a := mailaddr.Norm(addr)
	return a.Trusted() && slices.Contains(c.StaffAddresses(), a.String())
}

// ownAddresses are the addresses mail from which is never answered: ours.
func (c *Config) ownAddresses() map[string]bool {
	own := map[string]bool{c.replyAddress(): true}
	for _, m := range c.Mailboxes {
		own[m.Address] = true
	}
	return own
}
