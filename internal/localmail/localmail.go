// Package localmail is a whole mail system in the process, for the demo and the tests.
package localmail

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	gosmtp "github.com/emersion/go-smtp"

	"mailbot/mailaddr"
	"mailbot/parsers"
)

// LocalMail is a whole mail system in the process, for the demo and the tests: an IMAP server
// (go-imap's imapmemserver) with one account per address, and an SMTP server (go-smtp) that
// delivers what it accepts into those accounts' INBOX, so a reply mailbot sends can be read back
// from the referent's mailbox. Both listen on 127.0.0.1 only. It is not used by `serve`.
type LocalMail struct {
	IMAPAddr, SMTPAddr string
	Password           string

	mem     *imapmemserver.Server
	imapSrv *imapserver.Server
	imapLn  net.Listener
	smtpSrv *gosmtp.Server

	mu        sync.Mutex
	users     map[string]*imapmemserver.User
	delivered []Delivery
	// Fault, when set, is asked at each SMTP stage ("mail", "rcpt", "data") and may return an
	// error (a *gosmtp.SMTPError to choose the reply code) to make the server refuse.
	Fault func(stage, arg string) error
}

// Delivery is one message the SMTP server accepted.
type Delivery struct {
	From string
	To   []string
	Raw  []byte
	At   time.Time
}

// Start starts both servers with an account (password "secret") per address.
func Start(addresses ...string) (*LocalMail, error) {
	return start(true, addresses...)
}

// start can leave IDLE out, as some servers do, to exercise polling.
func start(idle bool, addresses ...string) (*LocalMail, error) {
	l := &LocalMail{Password: "secret", mem: imapmemserver.New(), users: map[string]*imapmemserver.User{}}
	for _, a := range addresses {
		l.AddUser(a)
	}
	var err error
	if l.imapLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("listen imap: %w", err)
	}
	l.IMAPAddr = l.imapLn.Addr().String()
	caps := imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}}
	if idle {
		caps[imap.CapIdle] = struct{}{}
	}
	l.imapSrv = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return IdleSession{l.mem.NewSession()}, nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	go l.imapSrv.Serve(l.imapLn)

	smtpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		l.imapSrv.Close()
		return nil, fmt.Errorf("listen smtp: %w", err)
	}
	l.SMTPAddr = smtpLn.Addr().String()
	l.smtpSrv = gosmtp.NewServer(localBackend{l})
	l.smtpSrv.Domain = "localhost"
	l.smtpSrv.AllowInsecureAuth = true
	l.smtpSrv.ErrorLog = log.New(io.Discard, "", 0)
	go l.smtpSrv.Serve(smtpLn)
	return l, nil
}

// AddUser creates an account with an empty INBOX.
func (l *LocalMail) AddUser(address string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	address = mailaddr.Norm(address).String()
	if l.users[address] != nil {
		return
	}
	u := imapmemserver.NewUser(address, l.Password)
	u.Create("INBOX", nil)
	l.mem.AddUser(u)
	l.users[address] = u
}

// Deliver appends raw to the INBOX of address, as a mail server's final delivery would; clients
// idling on it are told at once.
func (l *LocalMail) Deliver(address string, raw []byte) error {
	l.mu.Lock()
	u := l.users[mailaddr.Norm(address).String()]
	l.mu.Unlock()
	if u == nil {
		return fmt.Errorf("no mailbox %s", address)
	}
	_, err := u.Append("INBOX", literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: time.Now()})
	return err
}

// DeliverToWatched drops raw into every watched mailbox named in its To or Cc, as the Region's
// mail server would: a request to the call center with the cluster in Cc lands in both.
// watched maps an address to its mailbox's name; the names reached are returned.
func (l *LocalMail) DeliverToWatched(raw []byte, watched map[string]string) ([]string, error) {
	env, err := parsers.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	var boxes []string
	for _, a := range append(env.To, env.Cc...) {
		if name, ok := watched[a]; ok {
			if err := l.Deliver(a, raw); err != nil {
				return boxes, err
			}
			boxes = append(boxes, name)
		}
	}
	return boxes, nil
}

// Delivered returns what the SMTP server accepted so far.
func (l *LocalMail) Delivered() []Delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Delivery(nil), l.delivered...)
}

// DeliveredTo returns the messages the SMTP server accepted for one address.
func (l *LocalMail) DeliveredTo(address string) []Delivery {
	var out []Delivery
	for _, d := range l.Delivered() {
		for _, r := range d.To {
			if mailaddr.Same(r, address) {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// Close stops both servers.
func (l *LocalMail) Close() {
	l.smtpSrv.Close()
	l.imapSrv.Close()
}

// IdleSession works around a gap in imapserver's IDLE (go-imap v2.0.0-beta.8): a mailbox
// update queued between a client's last command and its IDLE is only sent along with the next
// update, so a message delivered in that instant stayed unseen until the client's next command
// (minutes, for mailbot idling). Polling the session's updates closes the gap.
type IdleSession struct{ imapserver.Session }

func (s IdleSession) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		if err := s.Poll(w, true); err != nil {
			return err
		}
		select {
		case <-stop:
			return nil
		case <-t.C:
		}
	}
}

// Move keeps the wrapped session's MOVE.
func (s IdleSession) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	m, ok := s.Session.(imapserver.SessionMove)
	if !ok {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Text: "MOVE not supported"}
	}
	return m.Move(w, numSet, dest)
}

// Literal is raw as the literal of an APPEND (imapmemserver's User.Append).
func Literal(raw []byte) imap.LiteralReader { return literal{bytes.NewReader(raw), int64(len(raw))} }

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

type localBackend struct{ l *LocalMail }

func (b localBackend) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	return &localSession{l: b.l}, nil
}

type localSession struct {
	l    *LocalMail
	from string
	to   []string
}

func (s *localSession) fault(stage, arg string) error {
	s.l.mu.Lock()
	f := s.l.Fault
	s.l.mu.Unlock()
	if f == nil {
		return nil
	}
	return f(stage, arg)
}

func (s *localSession) Reset()        { s.from, s.to = "", nil }
func (s *localSession) Logout() error { return nil }

func (s *localSession) Mail(from string, _ *gosmtp.MailOptions) error {
	if err := s.fault("mail", from); err != nil {
		return err
	}
	s.from = from
	return nil
}

func (s *localSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if err := s.fault("rcpt", to); err != nil {
		return err
	}
	s.to = append(s.to, mailaddr.Norm(to).String())
	return nil
}

func (s *localSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := s.fault("data", string(raw)); err != nil {
		return err
	}
	s.l.mu.Lock()
	s.l.delivered = append(s.l.delivered, Delivery{From: s.from, To: s.to, Raw: raw, At: time.Now()})
	s.l.mu.Unlock()
	for _, rcpt := range s.to {
		s.l.Deliver(rcpt, raw) // unknown local users simply have no mailbox
	}
	return nil
}
