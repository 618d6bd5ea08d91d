package e2e

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"mime"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailbot/internal/mailtest"
	"mailbot/mailbot"
	"mailbot/parsers"
	"mailbot/ticketing"
)

// The mailboxes mailbot watches and the referents' mailboxes, as .ci/mailservers creates them.
const (
	callCenter = "call.center@regione.veneto.it"
	cluster    = "cluster.innovazione@regione.veneto.it"
	venezia    = "referente@comune.venezia.it"
	padova     = "referente@comune.padova.it"
)

var tmpDir string // removed when the package's tests end

func TestMain(m *testing.M) {
	mailbot.ServeReadWorker(parsers.InProcess) // the daemons run in-process read with this binary
	var err error
	if tmpDir, err = os.MkdirTemp("", "mailbot-e2e-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(tmpDir)
	os.Exit(code)
}

var build struct {
	once sync.Once
	path string
	err  error
}

// mailbotBinary builds ./cmd/mailbot once per test binary: the crash test needs a process it
// can kill, the real thing rather than the package run in-process.
func mailbotBinary(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
		}
		build.path = filepath.Join(tmpDir, "mailbot")
		out, err := exec.Command(goTool, "build", "-o", build.path, "mailbot/cmd/mailbot").CombinedOutput()
		if err != nil {
			build.err = fmt.Errorf("go build ./cmd/mailbot: %v\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// seed returns the seed of a test's random choices, logged so that a failure can be replayed
// with MAILBOT_E2E_SEED.
func seed(t *testing.T) uint64 {
	t.Helper()
	s := uint64(time.Now().UnixNano())
	if v := os.Getenv("MAILBOT_E2E_SEED"); v != "" {
		var err error
		if s, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("MAILBOT_E2E_SEED=%q: %v", v, err)
		}
	}
	t.Logf("seed %d (repeat with MAILBOT_E2E_SEED=%d)", s, s)
	return s
}

func newRand(s uint64) *rand.Rand { return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15)) }

// writeConfig writes a mailbot.toml for both watched mailboxes, the call center's on
// imapAddrs[0] and the cluster's on imapAddrs[1] (or [0]), replies through smtpAddr, data in
// dataDir. Digest and staff are off: the test counts every mail.
func writeConfig(t *testing.T, dataDir, smtpAddr string, imapAddrs ...string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "data_dir = %q\nreply_from = %q\n", dataDir, "Regione del Veneto - Integrazioni PagoPA <"+callCenter+">")
	for i, m := range []struct{ name, addr string }{{"callcenter", callCenter}, {"cluster", cluster}} {
		imapAddr := imapAddrs[min(i, len(imapAddrs)-1)]
		fmt.Fprintf(&b, "\n[[mailbox]]\nname = %q\naddress = %q\nimap_addr = %q\ntls = \"none\"\nusername = %q\npassword = %q\nfirst_start = \"reply\"\n",
			m.name, m.addr, imapAddr, m.addr, mailtest.Password)
	}
	fmt.Fprintf(&b, "\n[smtp]\naddr = %q\ntls = \"none\"\ntimeout = \"10s\"\n\n[digest]\nto = []\n\n[staff]\naddresses = []\n", smtpAddr)
	// Hundreds of requests from referente+N@ of two domains, each to be answered: no limits.
	b.WriteString("\n[rate_limit]\nper_window = 1000000\nper_day = 1000000\nper_hour = 1000000\nper_domain_per_hour = 1000000\n")
	path := filepath.Join(dataDir, "mailbot.toml")
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// daemon is one `mailbot serve` child process; its JSON log is appended to logPath.
type daemon struct {
	t    *testing.T
	cmd  *exec.Cmd
	done chan struct{}
}

func startDaemon(t *testing.T, bin, config, logPath string) *daemon {
	t.Helper()
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "-config", config)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start mailbot serve: %v", err)
	}
	d := &daemon{t: t, cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); logf.Close(); close(d.done) }()
	t.Cleanup(d.kill)
	return d
}

// kill ends the daemon with SIGKILL: no shutdown code runs, as in a crash or an OOM kill.
func (d *daemon) kill() {
	d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.done
}

// stop ends the daemon cleanly (SIGTERM), failing the test if it does not exit in time.
func (d *daemon) stop() {
	d.t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
		if code := d.cmd.ProcessState.ExitCode(); code != 0 {
			d.t.Errorf("mailbot serve exited with %d after SIGTERM", code)
		}
	case <-time.After(30 * time.Second):
		d.kill()
		d.t.Fatal("mailbot serve did not stop within 30 s of SIGTERM")
	}
}

// ticketsList runs `mailbot tickets list -json`, the operator's view.
func ticketsList(t *testing.T, bin, config string) []ticketing.Ticket {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "tickets", "list", "-config", config, "-json")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("mailbot tickets list: %v: %s", err, stderr.String())
	}
	var list []ticketing.Ticket
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatalf("mailbot tickets list -json: %v", err)
	}
	return list
}

// imapLogin logs in to the real Dovecot; the connection is closed when t ends.
func imapLogin(t *testing.T, imapAddr, user string) *imapclient.Client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", imapAddr, 10*time.Second)
	if err != nil {
		t.Fatalf("IMAP %s: %v", imapAddr, err)
	}
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	c := imapclient.New(conn, nil)
	t.Cleanup(func() { c.Close() })
	if err := c.Login(user, mailtest.Password).Wait(); err != nil {
		t.Fatalf("IMAP login as %s: %v", user, err)
	}
	return c
}

// appendMessages stores raws in user's INBOX with IMAP APPEND, the way a delivery would but
// far faster than SMTP for a backlog, over a few connections at once.
func appendMessages(t *testing.T, imapAddr, user string, raws [][]byte) {
	t.Helper()
	const conns = 4
	errs := make(chan error, conns)
	for w := range conns {
		c := imapLogin(t, imapAddr, user)
		go func() {
			for i := w; i < len(raws); i += conns {
				cmd := c.Append("INBOX", int64(len(raws[i])), nil)
				if _, err := cmd.Write(raws[i]); err != nil {
					errs <- fmt.Errorf("append to %s: %w", user, err)
					return
				}
				if err := cmd.Close(); err != nil {
					errs <- fmt.Errorf("append to %s: %w", user, err)
					return
				}
				if _, err := cmd.Wait(); err != nil {
					errs <- fmt.Errorf("append to %s: %w", user, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range conns {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// received is one message in a referent's mailbox, by its header.
type received struct {
	To, MessageID, InReplyTo, Subject string
	// QueueID is the id Postfix gave the message when it accepted it: two copies with one
	// QueueID are one submission delivered twice (by Postfix and Dovecot, say when Dovecot
	// restarts mid-delivery), two QueueIDs are two submissions.
	QueueID string
}

// postfixID finds the queue id in Postfix's Received field ("with ESMTP id", "with UTF8SMTP id"...).
var postfixID = regexp.MustCompile(`\(Postfix\) with \w+ id (\w+)`)

// readMailbox returns the header of every message in user's INBOX, in UID order.
func readMailbox(t *testing.T, imapAddr, user string) []received {
	t.Helper()
	c := imapLogin(t, imapAddr, user)
	defer c.Logout()
	sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatalf("EXAMINE INBOX of %s: %v", user, err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	section := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true,
		HeaderFields: []string{"To", "Message-ID", "In-Reply-To", "Subject", "Received"}}
	msgs, err := c.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}},
		&imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		t.Fatalf("FETCH INBOX of %s: %v", user, err)
	}
	slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return cmp.Compare(a.UID, b.UID) })
	var out []received
	for _, m := range msgs {
		h, err := mail.ReadMessage(bytes.NewReader(append(m.FindBodySection(section), "\r\n"...)))
		if err != nil {
			t.Fatalf("message %d in %s: %v", m.UID, user, err)
		}
		to, _ := mail.ParseAddress(h.Header.Get("To"))
		r := received{MessageID: strings.Trim(h.Header.Get("Message-ID"), "<> "),
			InReplyTo: strings.Trim(h.Header.Get("In-Reply-To"), "<> ")}
		if to != nil {
			r.To = strings.ToLower(to.Address)
		}
		r.Subject, _ = new(mime.WordDecoder).DecodeHeader(h.Header.Get("Subject"))
		for _, rcvd := range h.Header["Received"] {
			if m := postfixID.FindStringSubmatch(rcvd); m != nil {
				r.QueueID = m[1]
			}
		}
		out = append(out, r)
	}
	return out
}

// openStore opens mailbot's database beside the daemon, as the CLI does, for counts the CLI
// does not print (copies per mailbox, the outbox).
func openStore(t *testing.T, dataDir string) *ticketing.Store {
	t.Helper()
	s, err := ticketing.Open(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var bg = context.Background()
