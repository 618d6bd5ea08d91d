package mailbot

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"mailbot/internal/wait"
	"mailbot/ticketing"
)

// Faults of the mail servers and of the database, injected while the daemon works: each test
// checks that mailbot reports the fault (a log line, an event), retries, and in the end has
// recorded every message once and answered every referent once.

// logBuffer collects the daemon's log lines, for tests that check a fault was reported.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// count returns how many log lines contain every one of words.
func (l *logBuffer) count(words ...string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for line := range strings.Lines(l.b.String()) {
		all := true
		for _, w := range words {
			all = all && strings.Contains(line, w)
		}
		if all {
			n++
		}
	}
	return n
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startLogged is start with the log kept, and prep run on the daemon before it starts.
func (h *harness) startLogged(prep func(*Daemon)) *logBuffer {
	h.t.Helper()
	return h.startAt(time.Now, prep)
}

// startAt is startLogged with a clock of the test's.
func (h *harness) startAt(now func() time.Time, prep func(*Daemon)) *logBuffer {
	h.t.Helper()
	logs := &logBuffer{}
	d, err := NewDaemon(h.cfg, slog.New(slog.NewTextHandler(logs, nil)), now)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, w := range d.Watchers {
		w.MinBackoff, w.MaxBackoff = 10*time.Millisecond, 100*time.Millisecond
	}
	d.Sender.baseDelay = 10 * time.Millisecond
	if prep != nil {
		prep(d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.d, h.cancel, h.done = d, cancel, make(chan struct{})
	go func() { d.Run(ctx); close(h.done) }()
	h.t.Cleanup(h.stop)
	h.t.Cleanup(func() {
		if h.t.Failed() {
			h.t.Logf("daemon log:\n%s", logs)
		}
	})
	return logs
}

// checkOneAckEach fails unless each referent received exactly one mail, and every request is
// in a ticket of its own.
func (h *harness) checkOneAckEach(referents ...string) {
	h.t.Helper()
	if got := len(h.tickets()); got != len(referents) {
		h.t.Errorf("tickets = %d, want %d", got, len(referents))
	}
	for _, r := range referents {
		if got := h.sentTo(r); len(got) != 1 {
			h.t.Errorf("%s received %d mails %q, want 1", r, len(got), got)
		}
	}
}

// faultProxy forwards TCP to a server and breaks connections on demand: cut after a number of
// bytes from the server (mid-FETCH), cut all at once, or freeze them (a half-open connection:
// nothing flows, nothing closes).
type faultProxy struct {
	addr string

	mu       sync.Mutex
	budgets  []int64 // server bytes the next connections may carry before being cut; 0: no cut
	conns    []net.Conn
	all      []net.Conn // every connection ever, closed at the end
	accepted int
	frozen   chan struct{} // closed: nothing flows on the connections open at the time
	closed   chan struct{} // closed at the end of the test
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{addr: ln.Addr().String(), frozen: make(chan struct{}), closed: make(chan struct{})}
	t.Cleanup(func() {
		ln.Close()
		close(p.closed)
		p.mu.Lock()
		for _, c := range p.all {
			c.Close()
		}
		p.mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.accepted++
			var budget int64
			if len(p.budgets) > 0 {
				budget, p.budgets = p.budgets[0], p.budgets[1:]
			}
			p.conns = append(p.conns, c, s)
			p.all = append(p.all, c, s)
			frozen := p.frozen
			p.mu.Unlock()
			go p.pipe(s, c, frozen, 0)
			go p.pipe(c, s, frozen, budget)
		}
	}()
	return p
}

// pipe copies from src to dst until either closes, or budget bytes (if > 0) have passed, or the
// proxy is frozen: then it stops copying without closing anything.
func (p *faultProxy) pipe(dst, src net.Conn, frozen chan struct{}, budget int64) {
	defer dst.Close()
	buf := make([]byte, 512) // small reads: a cut lands within a message, not after a burst
	var n int64
	for {
		k, err := src.Read(buf)
		if k > 0 {
			select {
			case <-frozen:
				<-p.closed // hold the connection open, silent, until the test ends
			default:
			}
			if budget > 0 && n+int64(k) >= budget {
				dst.Write(buf[:budget-n])
				src.Close()
				return
			}
			n += int64(k)
			if _, err := dst.Write(buf[:k]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// cutNext makes the next connections end after the given numbers of bytes from the server.
func (p *faultProxy) cutNext(budgets ...int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.budgets = append(p.budgets, budgets...)
}

// cut closes every open connection, as a server restart does.
func (p *faultProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// freeze stops all traffic on the open connections without closing them; new ones work.
func (p *faultProxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.frozen)
	p.frozen = make(chan struct{})
	p.conns = nil
}

func (p *faultProxy) connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// padding makes a request long enough for a cut to land inside it.
var padding = strings.Repeat(strings.Repeat("x", 76)+"\r\n", 30)

func TestFaultIMAPConnectionCutMidFetch(t *testing.T) {
	h := newHarness(t)
	p := newFaultProxy(t, h.mail.IMAPAddr)
	h.cfg.Mailboxes[0].IMAPAddr = p.addr // the call center's watcher goes through the proxy
	const n = 30
	var referents []string
	for i := range n {
		r := fmt.Sprintf("ref%d@comune.example.it", i)
		referents = append(referents, r)
		h.deliver(request(r, fmt.Sprintf("cut%d@x", i), fmt.Sprintf("Richiesta %d", i), i%4 == 0) + padding)
	}
	// Each of the first sessions ends a little further into the mailbox (a message is ~2.8 KB,
	// a batch of 7 ~20 KB, a session spends ~2 KB before its first body): mid-literal, between
	// messages, just after a batch is recorded.
	p.cutNext(5000, 9000, 14000, 23000, 30000)
	logs := h.startLogged(func(d *Daemon) { d.Watchers[0].Batch = 7 })
	h.settle(n, (n+3)/4)
	h.checkOneAckEach(referents...)
	if got := p.connections(); got < 6 {
		t.Errorf("call center connections = %d, want at least 6 (5 cut, 1 that finished)", got)
	}
	// A cut lands while the watcher fetches a batch, reads its messages or marks the batch
	// before (fetched ahead, on the same connection): whichever reports it, not while idle.
	ended := logs.count("imap session ended, reconnecting", "mailbox=callcenter")
	if busy := ended - logs.count("imap session ended, reconnecting", "mailbox=callcenter", "idle"); busy < 5 {
		t.Errorf("sessions ended while the backlog was read: %d of %d, want at least 5", busy, ended)
	}
}

func TestFaultIMAPConnectionDroppedMidIdle(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		for i := range c.Mailboxes {
			c.Mailboxes[i].IdleRestart.Duration = 200 * time.Millisecond // the NOOP check comes soon
		}
	})
	p := newFaultProxy(t, h.mail.IMAPAddr)
	for i := range h.cfg.Mailboxes {
		h.cfg.Mailboxes[i].IMAPAddr = p.addr
	}
	idling := make(chan struct{}, 1)
	logs := h.startLogged(func(d *Daemon) {
		for _, w := range d.Watchers {
			w.Timeout = 300 * time.Millisecond // how long a silent server is waited for
			if w.cfg.Name == "callcenter" {
				w.idleStarted = func() {
					select {
					case idling <- struct{}{}:
					default:
					}
				}
			}
		}
	})
	// Three times: while the call center idles, its connection is cut (the server restarts)
	// or frozen (a half-open link: only the NOOP check notices), and mail arrives meanwhile.
	faults := []struct {
		name   string
		break_ func()
	}{{"cut", p.cut}, {"frozen", p.freeze}, {"cut", p.cut}, {"frozen", p.freeze}}
	var referents []string
	for i, f := range faults {
		select {
		case <-idling:
		case <-time.After(10 * time.Second):
			t.Fatalf("fault %d (%s): the call center never went back to IDLE", i, f.name)
		}
		f.break_()
		select {
		case <-idling: // an IDLE of the broken session: only a new session's counts
		default:
		}
		r := fmt.Sprintf("idle%d@comune.example.it", i)
		referents = append(referents, r)
		h.deliver(request(r, fmt.Sprintf("idle%d@x", i), "Richiesta durante IDLE", i == 0))
		h.settle(i+1, 1)
	}
	h.checkOneAckEach(referents...)
	if got := logs.count("imap session ended, reconnecting", "mailbox=callcenter"); got < len(faults) {
		t.Errorf("reconnections logged = %d, want at least %d", got, len(faults))
	}
	if got := logs.count("imap command timed out, dropping connection"); got < 2 {
		t.Errorf("timeouts logged = %d, want the frozen connections dropped by the NOOP check", got)
	}
}

// smtpFront stands before the SMTP server: its first connections misbehave as mode says, the
// later ones are passed through.
type smtpFront struct {
	addr string
	mu   sync.Mutex
	bad  int // connections still to misbehave
	seen int
}

func newSMTPFront(t *testing.T, target, mode string, bad int) *smtpFront {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &smtpFront{addr: ln.Addr().String(), bad: bad}
	var open []net.Conn
	var mu sync.Mutex
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
			f.mu.Lock()
			f.seen++
			misbehave := f.bad > 0
			f.bad--
			f.mu.Unlock()
			if misbehave {
				go silentSMTP(c, mode)
				continue
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	return f
}

// silentSMTP plays an SMTP server that goes quiet: at once ("greeting": not even a banner), or
// after the client has sent the whole message ("data": the end of DATA is never answered).
func silentSMTP(c net.Conn, mode string) {
	if mode == "greeting" {
		return // the connection stays open and mute until the client gives up
	}
	r := bufio.NewReader(c)
	fmt.Fprint(c, "220 front ESMTP\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
		case strings.HasPrefix(cmd, "EHLO"):
			fmt.Fprint(c, "250-front\r\n250 8BITMIME\r\n")
		case strings.HasPrefix(cmd, "DATA"):
			fmt.Fprint(c, "354 go ahead\r\n")
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == ".\r\n" {
					return // the message is in; the answer never comes
				}
			}
		case strings.HasPrefix(cmd, "QUIT"):
			fmt.Fprint(c, "221 bye\r\n")
			return
		default:
			fmt.Fprint(c, "250 ok\r\n")
		}
	}
}

// silentTimeout is smtp.timeout where a test makes the server fall silent: an exchange with a
// server that answers must stay well within it even on a loaded machine, or a healthy exchange
// would count as one more deferral.
const silentTimeout = 3 * time.Second

func TestFaultSMTPServerFallsSilent(t *testing.T) {
	for _, mode := range []string{"greeting", "data"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(c *Config) { c.SMTP.Timeout.Duration = silentTimeout })
			front := newSMTPFront(t, h.mail.SMTPAddr, mode, 2)
			h.cfg.SMTP.Addr = front.addr
			logs := h.startLogged(nil)
			h.deliver(request("referente@comune.venezia.it", "silent@x", "Richiesta", false))
			h.settle(1, 0)
			h.checkOneAckEach("referente@comune.venezia.it")
			out, _ := h.d.Store.Outbox(context.Background())
			if len(out) != 1 || out[0].State != "sent" || out[0].Attempts != 3 {
				t.Errorf("outbox = %+v, want one mail sent at the third attempt", out)
			}
			if got := logs.count("mail deferred", "timeout"); got != 2 {
				t.Errorf("deferrals for a timeout logged = %d, want 2", got)
			}
		})
	}
}

func TestFaultSMTPTemporaryThenPermanent(t *testing.T) {
	smtpErr := func(code int, msg string) error {
		return &gosmtp.SMTPError{Code: code, EnhancedCode: gosmtp.EnhancedCode{code / 100, 0, 0}, Message: msg}
	}
	cases := []struct {
		name   string
		script []string // per attempt for the victim: "stage code", "" for no fault
		state  string
		tries  int
	}{
		{"4xx at every stage then accepted", []string{"mail 421", "rcpt 450", "data 451", ""}, "sent", 4},
		{"4xx then 5xx gives up", []string{"data 452", "rcpt 451", "data 554"}, "failed", 3},
		{"5xx at once gives up", []string{"rcpt 550"}, "failed", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const victim, bystander = "referente@comune.padova.it", "referente@comune.venezia.it"
			h := newHarness(t)
			var mu sync.Mutex
			armed, attempt := false, -1
			h.mail.Fault = func(stage, arg string) error {
				mu.Lock()
				defer mu.Unlock()
				if !armed {
					return nil // the bystander's mail goes first, untouched
				}
				if stage == "mail" {
					attempt++ // one MAIL per attempt of the victim's mail
				}
				if attempt < 0 || attempt >= len(c.script) || c.script[attempt] == "" {
					return nil
				}
				var st string
				var code int
				fmt.Sscan(c.script[attempt], &st, &code)
				if stage != st || (stage == "rcpt" && !strings.EqualFold(arg, victim)) {
					return nil
				}
				return smtpErr(code, "injected")
			}
			logs := h.startLogged(nil)
			h.deliver(request(bystander, "by@x", "Richiesta", false))
			h.settle(1, 0)
			mu.Lock()
			armed = true // the victim's mail is next
			mu.Unlock()
			h.deliver(request(victim, "victim@x", "Richiesta", false))
			h.settle(2, 0)

			out, _ := h.d.Store.Outbox(context.Background())
			var vm ticketing.OutMail
			for _, o := range out {
				if o.Rcpts[0] == victim {
					vm = o
				}
			}
			if vm.State != c.state || vm.Attempts != c.tries {
				t.Errorf("victim's mail: state %s after %d attempts (%s), want %s after %d", vm.State, vm.Attempts, vm.LastError, c.state, c.tries)
			}
			// Every attempt but the last is a temporary failure.
			if d, r := logs.count("mail deferred"), logs.count("mail refused"); d != c.tries-1 || r != btoi(c.state == "failed") {
				t.Errorf("logged %d deferrals and %d refusals, want %d and %d", d, r, c.tries-1, btoi(c.state == "failed"))
			}
			if got := len(h.sentTo(bystander)); got != 1 {
				t.Errorf("bystander received %d mails, want 1", got)
			}
			if got, want := len(h.sentTo(victim)), btoi(c.state == "sent"); got != want {
				t.Errorf("victim received %d mails, want %d", got, want)
			}
			if c.state == "failed" {
				events, _ := h.d.Store.Events(context.Background(), vm.TicketID)
				if last := events[len(events)-1]; last.Type != ticketing.EventFailed {
					t.Errorf("last event of %s = %+v, want the failure recorded on the ticket", vm.TicketID, last)
				}
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestFaultSMTPDeadlineIsPerExchange sends a batch over one connection to a slow server: each
// exchange is within smtp.timeout, the whole batch is not. The timeout is for a server that
// stops answering, not a cap on a busy connection.
func TestFaultSMTPDeadlineIsPerExchange(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.SMTP.Timeout.Duration = silentTimeout })
	// Each DATA takes a sixth of the timeout: 2.5 s of margin per exchange for a loaded machine.
	const slow = silentTimeout / 6
	h.mail.Fault = func(stage, _ string) error {
		if stage == "data" {
			time.Sleep(slow)
		}
		return nil
	}
	d, err := NewDaemon(h.cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	const n = 8 // 8 × 500 ms over one connection: past the 3 s timeout
	for i := range n {
		raw := []byte(request(fmt.Sprintf("slow%d@comune.example.it", i), fmt.Sprintf("slow%d@x", i), "Richiesta", false))
		sum, err := d.Store.PutBlob(raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Intake.Process(ctx, Incoming{Mailbox: "callcenter", UIDValidity: 1, UID: uint32(i + 1), Blob: sum, Size: int64(len(raw))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Sender.Flush(ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}
	out, _ := d.Store.Outbox(ctx)
	for _, o := range out {
		if o.State != "sent" || o.Attempts != 1 {
			t.Errorf("%s: %s after %d attempts (%s), want sent at once", o.Rcpts[0], o.State, o.Attempts, o.LastError)
		}
	}
}

// TestFaultDatabaseBusy has another process hold SQLite's write lock for longer than
// busy_timeout (10 s): once just as the SMTP server accepts a reply, so that mailbot cannot
// record that it sent it; once while mail arrives, so that the watchers cannot record it. mailbot
// must report the fault, retry, and afterwards have recorded everything once and sent nothing
// twice. The lock is held until mailbot has reported it (so at least busy_timeout, however
// late a loaded machine makes the write start), not for a fixed time. The two run in parallel.
func TestFaultDatabaseBusy(t *testing.T) {
	if testing.Short() {
		t.Skip("holds the database lock for over 10 s")
	}
	t.Run("while recording a sent mail", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		lock := lockDatabase(t, h.cfg.DataDir)
		var once sync.Once
		h.mail.Fault = func(stage, _ string) error {
			if stage == "data" {
				// The server has the message; before it says so, someone else takes the database.
				once.Do(lock.take)
			}
			return nil
		}
		logs := h.startLogged(nil)
		h.deliver(request("referente@comune.venezia.it", "busy0@x", "Richiesta", false))
		lock.waitTaken()
		h.deliver(request("referente@comune.padova.it", "busy1@x", "Richiesta", true))
		lock.releaseOnce("the locked database reported when recording the sent mail", func() bool {
			return logs.count("cannot record a sent mail", "database is locked") > 0
		})
		h.settle(2, 1)
		h.checkOneAckEach("referente@comune.venezia.it", "referente@comune.padova.it")
		checkAllSent(t, h)
	})
	t.Run("while mail arrives", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		lock := lockDatabase(t, h.cfg.DataDir)
		logs := h.startLogged(nil)
		h.deliver(request("referente@comune.venezia.it", "arr0@x", "Richiesta", false))
		h.settle(1, 0)
		lock.take()
		h.deliver(request("referente@comune.padova.it", "arr1@x", "Richiesta", true))
		h.deliver(request("tecnico@softwarehouse.example.it", "arr2@x", "Richiesta", false))
		lock.releaseOnce("a watcher reporting the locked database", func() bool {
			return logs.count("imap session ended, reconnecting", "database is locked") > 0
		})
		h.settle(3, 1)
		h.checkOneAckEach("referente@comune.venezia.it", "referente@comune.padova.it", "tecnico@softwarehouse.example.it")
		checkAllSent(t, h)
	})
}

// dbLock is a write lock on mailbot's database held by another connection, as another process
// (a backup tool, an operator's sqlite3 shell) would.
type dbLock struct {
	t     *testing.T
	conn  *sql.Conn
	taken chan time.Time
}

func lockDatabase(t *testing.T, dataDir string) *dbLock {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "mailbot.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &dbLock{t: t, conn: conn, taken: make(chan time.Time, 1)}
}

// take begins an immediate transaction: from now on nobody else writes. It may run on any
// goroutine (the SMTP server's, in a Fault).
func (l *dbLock) take() {
	if _, err := l.conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		l.t.Errorf("lock the database: %v", err)
		return
	}
	l.taken <- time.Now()
}

func (l *dbLock) waitTaken() {
	l.t.Helper()
	select {
	case at := <-l.taken:
		l.taken <- at
	case <-time.After(wait.Timeout):
		l.t.Fatal("the database lock was never taken")
	}
}

// releaseOnce ends the lock once reported holds: the fault lasts until mailbot has noticed it.
// The wait is bounded by busy_timeout plus a loaded machine's delays.
func (l *dbLock) releaseOnce(what string, reported func() bool) {
	l.t.Helper()
	l.waitTaken()
	wait.State(l.t, 10*time.Second+wait.Timeout, func() (bool, string) { return reported(), what })
	if _, err := l.conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		l.t.Fatal(err)
	}
}

func checkAllSent(t *testing.T, h *harness) {
	t.Helper()
	out, err := h.d.Store.Outbox(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range out {
		if o.State != "sent" {
			t.Errorf("%s to %v: %s (%s), want sent", o.MessageID, o.Rcpts, o.State, o.LastError)
		}
	}
}
