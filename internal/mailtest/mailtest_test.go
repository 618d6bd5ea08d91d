package mailtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	netsmtp "net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"
)

const (
	callCenter = "call.center@regione.veneto.it"
	cluster    = "cluster.innovazione@regione.veneto.it"
)

// message builds a minimal RFC 5322 message with a unique Message-ID.
func message(t testing.TB, from, to, cc, subject string) (raw []byte, msgID string) {
	msgID = fmt.Sprintf("<%d.%s@mailtest.example>", time.Now().UnixNano(), strings.ReplaceAll(t.Name(), "/", "."))
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\n", from, to)
	if cc != "" {
		fmt.Fprintf(&b, "Cc: %s\r\n", cc)
	}
	fmt.Fprintf(&b, "Subject: %s\r\nMessage-ID: %s\r\nDate: %s\r\n", subject, msgID, time.Now().Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString("Buongiorno, segnalo un problema di accesso al portale.\r\n")
	return b.Bytes(), msgID
}

// TestToAndCc sends one message to call.center with cluster.innovazione in Cc
// and reads both copies back: Postfix accepts both recipients and Dovecot's
// LMTP files one copy in each INBOX.
func TestToAndCc(t *testing.T) {
	imapAddr, smtpAddr := Real(t)
	Reset(t, imapAddr, callCenter)
	Reset(t, imapAddr, cluster)

	raw, msgID := message(t, "Mario Rossi <mario.rossi@comune.venezia.it>", callCenter, cluster, "Accesso al portale")
	Send(t, smtpAddr, "mario.rossi@comune.venezia.it", []string{callCenter, cluster}, raw)

	for _, user := range []string{callCenter, cluster} {
		bodies := WaitMessages(t, imapAddr, user, 1, 20*time.Second)
		if len(bodies) != 1 {
			t.Fatalf("%s: %d messages, want 1", user, len(bodies))
		}
		got := bodies[0]
		for _, want := range []string{"Message-ID: " + msgID, "Subject: Accesso al portale", "Delivered-To: " + user, "problema di accesso"} {
			if !bytes.Contains(got, []byte(want)) {
				t.Errorf("%s: copy lacks %q:\n%s", user, want, got)
			}
		}
	}

	// Reading used BODY.PEEK[]: the copies must still be unseen, and Reset
	// must leave the INBOX empty.
	c := login(t, imapAddr, callCenter, time.Now().Add(ioTimeout))
	data, err := c.Status("INBOX", &imap.StatusOptions{NumUnseen: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if *data.NumUnseen != 1 {
		t.Errorf("%s: %d unseen messages after WaitMessages, want 1", callCenter, *data.NumUnseen)
	}
	Reset(t, imapAddr, callCenter)
	if bodies := WaitMessages(t, imapAddr, callCenter, 0, time.Second); len(bodies) != 0 {
		t.Errorf("%s: %d messages after Reset, want 0", callCenter, len(bodies))
	}
}

// TestNoRelay checks that nothing can leave the machine: Postfix refuses an
// external recipient at RCPT even from loopback, alone or beside a local one
// (then nothing is sent at all), and refuses unknown users of our domains.
func TestNoRelay(t *testing.T) {
	imapAddr, smtpAddr := Real(t)
	Reset(t, imapAddr, callCenter)

	cases := []struct {
		name  string
		rcpts []string
	}{
		{"external", []string{"someone@gmail.com"}},
		{"external beside local", []string{callCenter, "someone@gmail.com"}},
		{"unknown local user", []string{"nobody@regione.veneto.it"}},
	}
	for _, tc := range cases {
		raw, _ := message(t, callCenter, strings.Join(tc.rcpts, ", "), "", "Relay "+tc.name)
		err := SendErr(smtpAddr, callCenter, tc.rcpts, raw)
		var serr *smtp.SMTPError
		if !errors.As(err, &serr) || serr.Code/100 != 5 {
			t.Errorf("%s: sending to %v: got %v, want a permanent SMTP refusal", tc.name, tc.rcpts, err)
		}
	}

	// A message sent after the refused ones arrives alone: none of them was
	// queued for call.center.
	raw, msgID := message(t, "mario.rossi@comune.venezia.it", callCenter, "", "Marker")
	Send(t, smtpAddr, "mario.rossi@comune.venezia.it", []string{callCenter}, raw)
	bodies := WaitMessages(t, imapAddr, callCenter, 1, 20*time.Second)
	time.Sleep(500 * time.Millisecond) // give a stray delivery the chance to show
	bodies = WaitMessages(t, imapAddr, callCenter, 1, time.Second)
	if len(bodies) != 1 || !bytes.Contains(bodies[0], []byte(msgID)) {
		t.Errorf("%s: want only the marker message, got %d messages", callCenter, len(bodies))
	}
}

// TestUsersAndIdle logs in as every user and checks that the server offers
// IDLE, which the watchers rely on.
func TestUsersAndIdle(t *testing.T) {
	imapAddr, _ := Real(t)
	for _, user := range Users {
		c := login(t, imapAddr, user, time.Now().Add(ioTimeout))
		if !c.Caps().Has(imap.CapIdle) {
			t.Errorf("%s: server lacks IDLE", user)
		}
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Errorf("%s: SELECT INBOX: %v", user, err)
		}
		c.Logout().Wait()
	}
}

// TestSMTPAuth checks the optional SMTP AUTH: a user's password lets a client
// that always authenticates (like mailbot in production) send, a wrong one is
// refused.
func TestSMTPAuth(t *testing.T) {
	imapAddr, smtpAddr := Real(t)
	Reset(t, imapAddr, cluster)
	host, _, err := net.SplitHostPort(smtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	raw, msgID := message(t, callCenter, cluster, "", "Con autenticazione")

	// net/smtp's PLAIN goes without TLS only to a loopback host, as here.
	good := netsmtp.PlainAuth("", callCenter, Password, host)
	if err := netsmtp.SendMail(smtpAddr, good, callCenter, []string{cluster}, raw); err != nil {
		t.Fatalf("authenticated send: %v", err)
	}

	// Last: Dovecot delays the next SMTP AUTH from this IP by a few seconds
	// after a failure (auth penalty; IMAP logins from loopback are exempt).
	bad := netsmtp.PlainAuth("", callCenter, "wrong", host)
	err = netsmtp.SendMail(smtpAddr, bad, callCenter, []string{cluster}, raw)
	var perr *textproto.Error
	if !errors.As(err, &perr) || perr.Code != 535 {
		t.Errorf("wrong password: got %v, want 535", err)
	}
	bodies := WaitMessages(t, imapAddr, cluster, 1, 20*time.Second)
	if len(bodies) != 1 || !bytes.Contains(bodies[0], []byte(msgID)) {
		t.Errorf("%s: want the authenticated message only, got %d messages", cluster, len(bodies))
	}
}
