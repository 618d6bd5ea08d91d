package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mailbot/internal/mailtest"
	"mailbot/internal/wait"
	"mailbot/mailbot"
)

// TestDovecotDropsConnectionsMidFetch runs mailbot (in process) against the real Dovecot while
// it ingests a backlog, and breaks its IMAP sessions mid-fetch three ways: the TCP connection
// cut (a proxy in front of Dovecot), the session ended by the server (doveadm kick: Dovecot
// says BYE), and Dovecot itself restarted (.ci/mailservers restart-dovecot). Each time mailbot
// reports it, reconnects and fetches again from its last recorded message; at the end every
// message is in exactly one ticket and every referent has exactly one answer: no kill here, so
// no mail in doubt and no second copy allowed.
func TestDovecotDropsConnectionsMidFetch(t *testing.T) {
	imapAddr, smtpAddr := mailtest.Real(t)
	n := 300
	if testing.Short() {
		n = 120
	}
	for _, u := range []string{callCenter, cluster, venezia, padova} {
		mailtest.Reset(t, imapAddr, u)
	}
	run := fmt.Sprintf("dc%x", time.Now().UnixNano())
	var reqs []request
	var ccRaws, ccCopies [][]byte
	for i := range n {
		r := makeRequest(run, i)
		r.raw = append(r.raw, padding...) // ~3.5 KB: long enough for a cut to land inside
		reqs = append(reqs, r)
		ccRaws = append(ccRaws, withTrace(callCenter, r.raw))
		if r.cc {
			ccCopies = append(ccCopies, withTrace(cluster, r.raw))
		}
	}
	appendMessages(t, imapAddr, callCenter, ccRaws)
	appendMessages(t, imapAddr, cluster, ccCopies)

	// The call center's watcher goes through a proxy that carries ~250 KB/s, so that fetching
	// the backlog takes seconds and each fault lands in the middle of it; its first sessions are
	// cut after so many bytes from Dovecot.
	proxy := newThrottledProxy(t, imapAddr, 250<<10)
	proxy.cutNext(9000, 40000, 90000)
	dataDir := t.TempDir()
	config := writeConfig(t, dataDir, smtpAddr, proxy.addr, imapAddr)
	cfg, err := mailbot.LoadConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	d, err := mailbot.NewDaemon(cfg, slog.New(slog.NewTextHandler(logs, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, w := range d.Watchers {
		w.MinBackoff, w.MaxBackoff, w.Batch = 50*time.Millisecond, 500*time.Millisecond, 25
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	started := time.Now()
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	defer func() {
		if t.Failed() {
			t.Logf("daemon log (last 6 KB):\n%s", tail([]byte(logs.String()), 6<<10))
		}
	}()

	recorded := func(want int) func() (bool, string) {
		return func() (bool, string) {
			got, err := d.Store.CopiesIn(bg, "callcenter")
			return err == nil && got >= want, fmt.Sprintf("%d/%d messages of the call center recorded (err %v)", got, want, err)
		}
	}
	ended := func() int { return logs.count("imap session ended, reconnecting", "mailbox=callcenter") }
	// dropped applies a fault until the call center's session ends: a kick between two
	// sessions finds nobody to kick.
	dropped := func(fault func()) {
		t.Helper()
		before := ended()
		for try := 0; try < 3; try++ {
			fault()
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) {
				if ended() > before {
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		t.Fatalf("the call center's session survived the fault 3 times")
	}
	wait.State(t, time.Minute, recorded(3))
	wait.State(t, time.Minute, func() (bool, string) { return ended() >= 3, fmt.Sprintf("%d sessions ended, want the 3 cut", ended()) })
	wait.State(t, time.Minute, recorded(n/3))
	dropped(func() { admin(t, "doveadm", "-c", dovecotConf(), "kick", callCenter) })
	wait.State(t, time.Minute, recorded(2*n/3))
	// The restart needs root and the servers' own script; without them (a developer's
	// servers), the cut and the kick must do.
	if os.Geteuid() == 0 || mailtest.Required() {
		dropped(func() { admin(t, filepath.Join("..", ".ci", "mailservers"), "restart-dovecot") })
	} else {
		t.Log("not root: Dovecot is not restarted")
	}
	wait.State(t, 2*time.Minute, func() (bool, string) {
		cc, _ := d.Store.CopiesIn(bg, "callcenter")
		cl, _ := d.Store.CopiesIn(bg, "cluster")
		_, pending, err := d.Store.NextDue(bg)
		return cc >= n && cl >= len(ccCopies) && err == nil && !pending,
			fmt.Sprintf("copies %d/%d + %d/%d, replies pending %v (err %v)", cc, n, cl, len(ccCopies), pending, err)
	})
	cancel()
	<-done
	t.Logf("backlog recorded and answered %s after the start", time.Since(started).Round(time.Millisecond))

	// A cut lands while the watcher fetches a batch, reads its messages or marks the batch
	// before (fetched ahead, on the same connection): whichever reports it, not while idle.
	if busy := ended() - logs.count("imap session ended, reconnecting", "mailbox=callcenter", "idle"); busy < 3 {
		t.Errorf("sessions ended while the backlog was read: %d of %d, want at least the 3 cuts", busy, ended())
	}
	checkCrashOutcome(t, mailbotBinary(t), config, d.Store, imapAddr, reqs, nil)
}

// padding makes a request long enough for a cut to land inside it.
var padding = []byte(strings.Repeat("Testo di prova per allungare il messaggio, riga dopo riga, fino a tre kilobyte.\r\n", 36))

// dovecotConf is the configuration .ci/mailservers writes (its state directory may be moved
// with MAILBOT_CI_STATE, as for the script).
func dovecotConf() string {
	state := os.Getenv("MAILBOT_CI_STATE")
	if state == "" {
		state = "/var/lib/mailbot-ci"
	}
	return filepath.Join(state, "dovecot", "dovecot.conf")
}

// admin runs an administration command on the mail servers, bounded in time.
func admin(t *testing.T, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	t.Logf("%s %s: done in %s", filepath.Base(name), strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
}

// logBuffer collects the daemon's log lines, for checks that a fault was reported.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// count returns how many lines contain every one of words.
func (l *logBuffer) count(words ...string) int {
	n := 0
	for line := range strings.Lines(l.String()) {
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

// throttledProxy forwards TCP to a server, carrying at most rate bytes a second from it, and
// cuts its first connections after the given numbers of bytes from the server.
type throttledProxy struct {
	addr    string
	rate    int
	mu      sync.Mutex
	budgets []int
}

func newThrottledProxy(t *testing.T, target string, rate int) *throttledProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &throttledProxy{addr: ln.Addr().String(), rate: rate}
	var conns []net.Conn
	var mu sync.Mutex
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
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
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, s)
			mu.Unlock()
			p.mu.Lock()
			budget := 0
			if len(p.budgets) > 0 {
				budget, p.budgets = p.budgets[0], p.budgets[1:]
			}
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go p.down(c, s, budget)
		}
	}()
	return p
}

// down copies the server's bytes to the client at the proxy's rate, closing both ends after
// budget bytes (if > 0) or when either closes.
func (p *throttledProxy) down(c, s net.Conn, budget int) {
	defer c.Close()
	defer s.Close()
	buf := make([]byte, 1024)
	sent := 0
	for {
		k, err := s.Read(buf)
		if budget > 0 && sent+k >= budget {
			c.Write(buf[:budget-sent])
			return
		}
		if k > 0 {
			if _, werr := c.Write(buf[:k]); werr != nil {
				return
			}
			sent += k
			time.Sleep(time.Duration(k) * time.Second / time.Duration(p.rate))
		}
		if err != nil {
			return
		}
	}
}

func (p *throttledProxy) cutNext(budgets ...int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.budgets = append(p.budgets, budgets...)
}
