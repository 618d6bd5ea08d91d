// Package demo runs mailbot against an in-process mail system loaded with sample messages
// (`mailbot demo`), and gives tests the same setup.
package demo

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/emersion/go-message/mail"

	"mailbot/internal/localmail"
	"mailbot/mailbot"
	"mailbot/ticketing"
)

//go:embed testdata/demo/*.eml testdata/registry/enti.csv
var demoFS embed.FS

// Addresses of the demo's mail system.
const (
	CallCenter = "call.center@regione.veneto.it"
	Cluster    = "cluster.innovazione@regione.veneto.it"
	demoStaff  = "staff1@regione.veneto.it"
)

// Config is a configuration for mailbot against a LocalMail, data in dataDir: the call center
// and the cluster watched, replies through its SMTP server.
func Config(l *localmail.LocalMail, dataDir string) *mailbot.Config {
	c := &mailbot.Config{
		DataDir:   dataDir,
		ReplyFrom: "Regione del Veneto - Integrazioni PagoPA <" + CallCenter + ">",
		SMTP:      mailbot.SMTPConfig{Addr: l.SMTPAddr, TLS: "none"},
	}
	for _, m := range []struct{ name, addr string }{{"callcenter", CallCenter}, {"cluster", Cluster}} {
		c.Mailboxes = append(c.Mailboxes, mailbot.MailboxConfig{Name: m.name, Address: m.addr, IMAPAddr: l.IMAPAddr,
			TLS: "none", Username: m.addr, Password: l.Password, FirstStart: "reply"})
	}
	if err := c.Complete(); err != nil {
		panic("demo config: " + err.Error()) // built here, from constants
	}
	return c
}

// Watched names the watched mailbox of each address in the demo configuration.
var Watched = map[string]string{CallCenter: "callcenter", Cluster: "cluster"}

// Deliver drops raw into every watched mailbox it is addressed to, as the Region's mail server
// would, and returns the names of the mailboxes it reached.
func Deliver(l *localmail.LocalMail, raw []byte) ([]string, error) {
	return l.DeliverToWatched(raw, Watched)
}

// Options add to the demo; the zero value is the plain demo.
type Options struct {
	// Configure, if set, adjusts the demo's configuration before the daemon starts.
	Configure func(cfg *mailbot.Config)
	// After, if set, runs once the report is written, the daemon still running, until it
	// returns (`mailbot demo -console` serves the web console there until interrupted).
	After func(ctx context.Context, cfg *mailbot.Config, d *mailbot.Daemon) error
}

// Run runs mailbot against an in-process mail system loaded with the sample messages, and
// writes an account of what it did to out.
func Run(ctx context.Context, out io.Writer, opts Options) error {
	l, err := localmail.Start(CallCenter, Cluster, demoStaff, "referente@comune.venezia.it", "referente@comune.padova.it")
	if err != nil {
		return err
	}
	defer l.Close()
	dir, err := os.MkdirTemp("", "mailbot-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := Config(l, dir)
	cfg.Staff.Addresses = []string{demoStaff}
	// A small extract of IndicePA's registry of enti, so that staff notices show what the
	// registry says of the demo's enti.
	enti, _ := demoFS.ReadFile("testdata/registry/enti.csv")
	cfg.Registry.File = filepath.Join(dir, "indicepa-enti.csv")
	if err := os.WriteFile(cfg.Registry.File, enti, 0o600); err != nil {
		return err
	}
	if opts.Configure != nil {
		opts.Configure(cfg)
	}

	fmt.Fprintf(out, "mailbot demo: IMAP %s, SMTP %s (in process), data in %s\n\n", l.IMAPAddr, l.SMTPAddr, dir)
	names, _ := fs.Glob(demoFS, "testdata/demo/*.eml")
	copies := map[string]int{}
	for _, name := range names {
		raw, _ := demoFS.ReadFile(name)
		boxes, err := Deliver(l, raw)
		if err != nil {
			return fmt.Errorf("load %s: %w", name, err)
		}
		for _, b := range boxes {
			copies[b]++
		}
		fmt.Fprintf(out, "  loaded %-40s into %s\n", path.Base(name), strings.Join(boxes, " + "))
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("MAILBOT_DEMO_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	d, err := mailbot.NewDaemon(cfg, log, time.Now)
	if err != nil {
		return err
	}
	defer d.Close()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()
	defer func() { stop(); <-done }()

	if err := d.Store.WaitQuiet(ctx, copies, 30*time.Second); err != nil {
		return err
	}

	// A reply to the acknowledgement, arriving while mailbot idles: pushed, threaded by its tag.
	tickets, err := d.Store.Tickets(ctx)
	if err != nil {
		return err
	}
	if len(tickets) > 0 {
		tk := tickets[0]
		raw := fmt.Sprintf("From: Maria Bianchi <referente@comune.venezia.it>\r\nTo: %s\r\nSubject: Re: %s [%s]\r\n"+
			"Date: %s\r\nMessage-ID: <demo-followup-%d@comune.venezia.it>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
			"Grazie, attendiamo le credenziali di collaudo.\r\n", CallCenter, tk.Subject, tk.ID,
			time.Now().Format(time.RFC1123Z), time.Now().UnixNano())
		fmt.Fprintf(out, "  delivered a tagged reply to %s while mailbot idles\n", tk.ID)
		if _, err := Deliver(l, []byte(raw)); err != nil {
			return err
		}
		copies["callcenter"]++
		if err := d.Store.WaitQuiet(ctx, copies, 30*time.Second); err != nil {
			return err
		}
	}
	if err := Report(ctx, out, d.Store, l); err != nil || opts.After == nil {
		return err
	}
	return opts.After(ctx, cfg, d)
}

// Report writes what mailbot did: tickets, their messages, quarantine, and the mail sent.
func Report(ctx context.Context, out io.Writer, store *ticketing.Store, l *localmail.LocalMail) error {
	tickets, err := store.Tickets(ctx)
	if err != nil {
		return err
	}
	if src, ok, err := store.RegistrySource(ctx); err != nil {
		return err
	} else if ok {
		fmt.Fprintf(out, "\nRegistry of enti (IndicePA): %d enti from %s\n", src.Enti, filepath.Base(src.File))
	}
	fmt.Fprintf(out, "\nTickets opened: %d\n", len(tickets))
	for _, tk := range tickets {
		fmt.Fprintf(out, "\n  %s  %s (%s, turn: %s)\n    %q from %s\n", tk.ID, tk.State, tk.Kind, tk.WaitingOn, tk.Subject, tk.Requester)
		if tk.Ente.Name != "" || tk.Ente.CodiceFiscale != "" {
			fmt.Fprintf(out, "    ente: %s, CF %s, IPA %s; services: %s\n", tk.Ente.Name, tk.Ente.CodiceFiscale, tk.Ente.CodiceIPA, strings.Join(tk.Services, ", "))
		}
		msgs, err := store.Messages(ctx, tk.ID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		for _, m := range msgs {
			note := strings.Join(m.Mailboxes, "+")
			if m.Auto != "" {
				note += " (not answered: " + m.Auto + ")"
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\n", m.Direction, m.From, m.Subject, note)
		}
		tw.Flush()
	}
	q, err := store.Quarantined(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nQuarantined (kept, not answered): %d\n", len(q))
	for _, m := range q {
		fmt.Fprintf(out, "  %s  %q in %s\n    reason: %s\n", m.From, m.Subject, strings.Join(m.Mailboxes, "+"), m.Quarantine)
	}
	sent := l.Delivered()
	fmt.Fprintf(out, "\nMail sent by mailbot: %d\n", len(sent))
	for _, d := range sent {
		subject, text := summary(d.Raw)
		fmt.Fprintf(out, "\n  to %s: %s\n", strings.Join(d.To, ", "), subject)
		for _, line := range strings.Split(text, "\n") {
			fmt.Fprintf(out, "    | %s\n", line)
		}
	}
	return nil
}

// summary decodes a sent mail's subject and the first lines of its text part.
func summary(raw []byte) (subject, text string) {
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		return "", ""
	}
	subject, _ = r.Header.Subject()
	for {
		p, err := r.NextPart()
		if err != nil {
			break
		}
		if h, ok := p.Header.(*mail.InlineHeader); ok {
			if ct, _, _ := h.ContentType(); ct == "text/plain" {
				b, _ := io.ReadAll(p.Body)
				lines := strings.Split(strings.TrimSpace(string(b)), "\n")
				if len(lines) > 8 {
					lines = append(lines[:8], "…")
				}
				return subject, strings.Join(lines, "\n")
			}
		}
	}
	return subject, ""
}
