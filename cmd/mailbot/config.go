package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"mailbot/mailbot"
)

// runConfig is `mailbot config check`: what is wrong with a configuration, in plain words,
// and with -connect whether each mailbox and the SMTP server let mailbot in.
func runConfig(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprint(stderr, "usage: mailbot config check -config FILE [-connect]\n")
		return 2
	}
	fs := flag.NewFlagSet("config check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "mailbot.toml", "configuration file")
	connect := fs.Bool("connect", false, "also log in to each mailbox and the SMTP server")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	cfg, err := mailbot.LoadConfig(*config)
	if err != nil {
		fmt.Fprintf(stdout, "%s is not valid: %v\n", *config, err)
		return 1
	}
	problems := 0
	bad := func(format string, a ...any) {
		problems++
		fmt.Fprintf(stdout, "ERROR  "+format+"\n", a...)
	}
	note := func(format string, a ...any) { fmt.Fprintf(stdout, "note   "+format+"\n", a...) }
	ok := func(format string, a ...any) { fmt.Fprintf(stdout, "ok     "+format+"\n", a...) }

	if err := writable(cfg.DataDir); err != nil {
		bad("data_dir %s: mailbot cannot write there: %v", cfg.DataDir, err)
	} else {
		ok("data_dir %s is writable", cfg.DataDir)
	}
	for _, m := range cfg.Mailboxes {
		how := "password"
		if m.OAuth2 != nil {
			how = "OAuth2 (" + m.OAuth2.Mechanism + ")"
		}
		ok("mailbox %s: %s at %s (%s), first start %q, login with %s", m.Name, m.Address, m.IMAPAddr, m.TLS, m.FirstStart, how)
		if m.TLS == "none" {
			note("mailbox %s: tls = \"none\" sends the password in clear: only for a server on this machine", m.Name)
		}
	}
	if cfg.SMTP.TLS == "none" && cfg.SMTP.Username != "" {
		note("smtp: tls = \"none\" with a username sends the password in clear")
	}
	switch {
	case len(cfg.Staff.Addresses) == 0:
		note("staff.addresses is empty: nobody can act on cases by mail, and notices go nowhere")
	case cfg.Staff.TrustedAuthservID == "" && len(cfg.Staff.Secrets) == 0:
		note("neither staff.trusted_authserv_id nor staff secrets are set: every staff command by mail will be refused")
	default:
		ok("staff: %d addresses; commands trusted from %s", len(cfg.Staff.Addresses), trustedBy(cfg))
	}
	if len(cfg.Digest.To) == 0 {
		note("digest.to is empty: no daily digest is sent")
	}
	if cfg.Ops.Enabled() {
		ok("ops: health and metrics on http://%s", cfg.Ops.Listen)
	} else {
		note("ops.listen is off: no health checks, metrics or live status")
	}
	ok("retention: raw mail of cases closed for %d months is deleted", cfg.Retention.ClosedAfterMonths)

	if *connect {
		for _, m := range cfg.Mailboxes {
			n, err := mailbot.CheckMailbox(ctx, m)
			if err != nil {
				bad("mailbox %s: cannot log in to %s as %s: %v", m.Name, m.IMAPAddr, m.Username, err)
				continue
			}
			ok("mailbox %s: logged in, INBOX holds %d messages", m.Name, n)
		}
		if err := mailbot.CheckSMTP(ctx, cfg); err != nil {
			bad("smtp: cannot connect and authenticate: %v", err)
		} else {
			ok("smtp %s: connected and authenticated", cfg.SMTP.Addr)
		}
	}
	if problems > 0 {
		fmt.Fprintf(stdout, "%d problems\n", problems)
		return 1
	}
	return 0
}

func trustedBy(cfg *mailbot.Config) string {
	switch {
	case cfg.Staff.TrustedAuthservID != "" && len(cfg.Staff.Secrets) > 0:
		return "DKIM/DMARC of " + cfg.Staff.TrustedAuthservID + " or personal codes"
	case cfg.Staff.TrustedAuthservID != "":
		return "DKIM/DMARC of " + cfg.Staff.TrustedAuthservID
	}
	return "personal codes (#codice)"
}

// writable tells whether mailbot can create files in dir (creating dir if needed).
func writable(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".config-check-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(filepath.Join(dir, filepath.Base(f.Name())))
}
