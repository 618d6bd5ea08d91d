// Package mailtest gives tests the real IMAP and SMTP servers that
// .ci/mailservers starts on loopback (Dovecot and Postfix), and small helpers
// to send mail through them and read it back.
//
// Every test user's password is [Password]. The servers hold one set of
// mailboxes for the whole machine, so [Real] also serializes the test
// binaries that use them (see [Real]).
//
// The helpers call t.Fatal: use them from the test's own goroutine.
package mailtest

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"
)

// Environment variables read by Real; .ci/run sets all three.
const (
	EnvIMAP        = "MAILBOT_TEST_IMAP"         // host:port, default DefaultIMAP
	EnvSMTP        = "MAILBOT_TEST_SMTP"         // host:port, default DefaultSMTP
	EnvRealServers = "MAILBOT_TEST_REAL_SERVERS" // "1": fail instead of skipping
)

// Addresses .ci/mailservers listens on.
const (
	DefaultIMAP = "127.0.0.1:10143"
	DefaultSMTP = "127.0.0.1:10025"
)

// Password is the password of every user on the test servers.
const Password = "secret"

// Users that .ci/mailservers creates, each with a mailbox.
var Users = []string{
	"call.center@regione.veneto.it",
	"cluster.innovazione@regione.veneto.it",
	"staff1@regione.veneto.it",
	"staff2@regione.veneto.it",
	"referente@comune.venezia.it",
	"referente@comune.padova.it",
	"tecnico@softwarehouse.example.it",
	"autoresponder@example.org",
}

// ioTimeout bounds each dial and each exchange that is not a wait for mail,
// so a wedged server fails the test instead of hanging it.
const ioTimeout = 30 * time.Second

// Required reports whether the real servers must be there
// (MAILBOT_TEST_REAL_SERVERS set to anything but "" or "0").
func Required() bool {
	v := os.Getenv(EnvRealServers)
	return v != "" && v != "0"
}

// Real returns the addresses of the real test servers, or skips t (with a message) when none answers
// and MAILBOT_TEST_REAL_SERVERS is unset; fails t when it is set but they don't answer.
//
// Real also takes a machine-wide lock, released when t ends: tests of
// different packages run as separate processes at the same time, and one
// that resets call.center's INBOX would break another reading it. Tests of
// one package share the lock and may still run in parallel among themselves.
func Real(t testing.TB) (imapAddr, smtpAddr string) {
	t.Helper()
	imapAddr = envOr(EnvIMAP, DefaultIMAP)
	smtpAddr = envOr(EnvSMTP, DefaultSMTP)
	var errs []error
	if err := probe(imapAddr, "* OK"); err != nil {
		errs = append(errs, fmt.Errorf("IMAP %s: %w", imapAddr, err))
	}
	if err := probe(smtpAddr, "220"); err != nil {
		errs = append(errs, fmt.Errorf("SMTP %s: %w", smtpAddr, err))
	}
	if err := errors.Join(errs...); err != nil {
		if Required() {
			t.Fatalf("real mail servers required (%s is set) but not answering: %v", EnvRealServers, err)
		}
		t.Skipf("real mail servers not running (start them with .ci/mailservers): %v", err)
	}
	acquire(t)
	return imapAddr, smtpAddr
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// probe dials addr and checks that the greeting starts with prefix.
func probe(addr, prefix string) error {
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("reading greeting: %w", err)
	}
	if !strings.HasPrefix(line, prefix) {
		return fmt.Errorf("unexpected greeting %q", strings.TrimSpace(line))
	}
	return nil
}

// Send delivers raw through smtpAddr (plain SMTP, no auth) to rcpts from mailFrom.
func Send(t testing.TB, smtpAddr, mailFrom string, rcpts []string, raw []byte) {
	t.Helper()
	if err := SendErr(smtpAddr, mailFrom, rcpts, raw); err != nil {
		t.Fatalf("sending to %v through %s: %v", rcpts, smtpAddr, err)
	}
}

// SendErr is Send returning the error, for tests that expect a refusal. A
// refusal by the server is a *smtp.SMTPError; the message is sent only if
// every recipient is accepted.
func SendErr(smtpAddr, mailFrom string, rcpts []string, raw []byte) error {
	conn, err := net.DialTimeout("tcp", smtpAddr, ioTimeout)
	if err != nil {
		return err
	}
	conn.SetDeadline(time.Now().Add(ioTimeout))
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.SendMail(mailFrom, rcpts, bytes.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}

// login dials imapAddr and logs in as user; the connection gives up after
// deadline. The client is closed when t ends.
func login(t testing.TB, imapAddr, user string, deadline time.Time) *imapclient.Client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", imapAddr, ioTimeout)
	if err != nil {
		t.Fatalf("IMAP %s: %v", imapAddr, err)
	}
	conn.SetDeadline(deadline)
	c := imapclient.New(conn, nil)
	t.Cleanup(func() { c.Close() })
	if err := c.Login(user, Password).Wait(); err != nil {
		t.Fatalf("IMAP %s: login as %s: %v", imapAddr, user, err)
	}
	return c
}

// WaitMessages logs in to imapAddr as user/"secret", and waits (bounded, polling or IDLE) until INBOX
// holds at least n messages, returning their raw bodies (BODY.PEEK[]).
//
// The bodies come in UID order, all of them (possibly more than n). The
// messages keep their flags: nothing is marked \Seen.
func WaitMessages(t testing.TB, imapAddr, user string, n int, timeout time.Duration) [][]byte {
	t.Helper()
	start := time.Now()
	c := login(t, imapAddr, user, start.Add(timeout+ioTimeout))
	defer c.Logout()

	// STATUS polling is simpler than IDLE here and costs little on loopback.
	var have uint32
	for {
		data, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait()
		if err != nil {
			t.Fatalf("IMAP %s: STATUS INBOX of %s: %v", imapAddr, user, err)
		}
		have = *data.NumMessages
		if int(have) >= n {
			break
		}
		if time.Since(start) > timeout {
			t.Fatalf("INBOX of %s: %d messages after %v, want at least %d", user, have, timeout, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if have == 0 {
		return nil
	}

	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("IMAP %s: EXAMINE INBOX of %s: %v", imapAddr, user, err)
	}
	var all imap.SeqSet
	all.AddRange(1, 0) // 1:*
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		t.Fatalf("IMAP %s: FETCH INBOX of %s: %v", imapAddr, user, err)
	}
	slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return cmp.Compare(a.UID, b.UID) })
	bodies := make([][]byte, 0, len(msgs))
	for _, m := range msgs {
		bodies = append(bodies, m.FindBodySection(section))
	}
	return bodies
}

// Reset empties the INBOX of user (UID STORE \Deleted + EXPUNGE), for test isolation.
func Reset(t testing.TB, imapAddr, user string) {
	t.Helper()
	c := login(t, imapAddr, user, time.Now().Add(ioTimeout))
	defer c.Logout()
	mbox, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatalf("IMAP %s: SELECT INBOX of %s: %v", imapAddr, user, err)
	}
	if mbox.NumMessages == 0 {
		return
	}
	all := imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}} // UID 1:*
	flags := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
	if err := c.Store(all, flags, nil).Close(); err != nil {
		t.Fatalf("IMAP %s: STORE \\Deleted in INBOX of %s: %v", imapAddr, user, err)
	}
	if err := c.Expunge().Close(); err != nil {
		t.Fatalf("IMAP %s: EXPUNGE INBOX of %s: %v", imapAddr, user, err)
	}
}
