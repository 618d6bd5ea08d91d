// Command mailbot-load measures mailbot against the real mail servers of .ci/mailservers: it
// fills call.center's INBOX with N realistic requests (-workload forms, loadreq.New: text, HTML,
// logo and both forms as PDF, ~87 KB each; or -workload letter, loadreq.Letter: the Informativa
// Generale typed in the body and a one-page cover letter printed to PDF), writes what the fill
// left in memory back to disk (sync), times a plain IMAP fetch of them as the ceiling, then
// builds and starts the real `mailbot serve` on a fresh data directory and reports
//
//   - backlog: requests per second recorded (ticket opened, reply queued) from the start of the
//     process until the last one is recorded, and until every reply is sent; its ratio to the
//     plain fetch, timed before the backlog and again once the replies are delivered (the
//     mean of the two: the machine's load moves during a run); the CPU time of mailbot, of its
//     read workers and of the whole machine meanwhile;
//   - push: arrival-to-reply latency (p50, p99) of M requests delivered one at a time while
//     mailbot idles, from the SMTP server's acceptance (or the APPEND's) to the reply marked
//     sent in the outbox;
//   - peak memory of the mailbot process (VmHWM), and of mailbot with any processes it starts
//     (the largest sum of their resident sets, sampled);
//   - with -profile FILE, a CPU profile of mailbot serve over the whole run.
//
// Run it from the repository root: go run ./cmd/mailbot-load -n 10000. It empties the INBOX of
// call.center and of the senders it uses. See BENCHMARKS.md.
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"
	_ "modernc.org/sqlite"

	"mailbot/internal/loadreq"
)

const (
	callCenter = loadreq.To
	password   = "secret"
)

// fixedSenders are real users of .ci/mailservers, used when it does not accept address
// extensions (referente+N@...). Either way mailbot's rate limits are lifted in its config.
var fixedSenders = []string{"referente@comune.venezia.it", "referente@comune.padova.it", "tecnico@softwarehouse.example.it"}

type options struct {
	n, push             int
	imapAddr, smtpAddr  string
	sink                bool   // replies to a discarding SMTP server
	replyAddr           string // where mailbot sends: smtpAddr, or the sink
	pushVia             string
	gap                 time.Duration
	attachMB            int
	keep, jsonOut       bool
	mailbot             string
	backlogTimeout      time.Duration
	appendConcurrency   int
	skipFill, skipFetch bool
	workload            string // "forms" or "letter"
	profile             string
}

// request returns request i of the workload.
func (o options) request(i int, from string, date time.Time) ([]byte, error) {
	if o.workload == "letter" {
		return loadreq.Letter(i, from, date), nil
	}
	return loadreq.New(i, from, date)
}

// Report is what a run measured (printed as text, or as JSON with -json).
type Report struct {
	N                 int     `json:"n"`
	Workload          string  `json:"workload"`
	MessageBytes      int     `json:"message_bytes"` // of one ordinary request
	BigAttachmentMB   int     `json:"big_attachment_mb,omitempty"`
	Senders           string  `json:"senders"`
	FillSeconds       float64 `json:"fill_seconds"`
	SyncSeconds       float64 `json:"sync_seconds"` // writing back the fill before the measurement
	FetchSeconds      float64 `json:"fetch_seconds"`
	FetchPerSecond    float64 `json:"fetch_per_second"` // the mean of the fetches before and after the backlog
	FetchMBPerSecond  float64 `json:"fetch_mb_per_second"`
	FetchBefore       float64 `json:"fetch_before_per_second"`
	FetchAfter        float64 `json:"fetch_after_per_second,omitempty"` // once the outbox and Postfix's queue are empty
	LoadBefore        string  `json:"load_before"`                      // /proc/loadavg before the backlog
	LoadAfter         string  `json:"load_after"`
	BacklogSeconds    float64 `json:"backlog_seconds"`
	BacklogPerSecond  float64 `json:"backlog_per_second"`
	RatioToFetch      float64 `json:"ratio_to_fetch"`
	RepliesQueued     int     `json:"replies_queued"`
	SentSeconds       float64 `json:"all_sent_seconds"`
	Tickets           int     `json:"tickets"`
	PushN             int     `json:"push_n"`
	PushVia           string  `json:"push_via"`
	PushP50ms         float64 `json:"push_p50_ms"`
	PushP99ms         float64 `json:"push_p99_ms"`
	PushMaxms         float64 `json:"push_max_ms"`
	PushNoticeP50ms   float64 `json:"push_notice_p50_ms"` // acceptance to intake's start (server notice, fetch, read)
	PushNoticeP99ms   float64 `json:"push_notice_p99_ms"`
	PeakRSSMB         float64 `json:"peak_rss_mb"`
	BacklogPeakRSSMB  float64 `json:"backlog_peak_rss_mb"`
	TreePeakRSSMB     float64 `json:"tree_peak_rss_mb"`    // mailbot and its child processes, largest sampled sum of VmRSS
	BacklogCPUSeconds float64 `json:"backlog_cpu_seconds"` // user+system time of mailbot until the backlog is recorded
	// Where the machine's CPU went during the backlog: mailbot's read workers (user+system time,
	// those still running and those ended), and every process of the machine together (the mail
	// servers, the load command, anything else running); of MachineCPUSeconds available.
	BacklogWorkersCPUSeconds  float64 `json:"backlog_workers_cpu_seconds"`
	BacklogMachineBusySeconds float64 `json:"backlog_machine_busy_seconds"`
	MachineCPUSeconds         float64 `json:"backlog_machine_cpu_seconds"`
	// How mailbot made its fetched batches durable over the run (mailbot_blob_syncs_total): one
	// sync of the file system, or an fsync for each file (each pushed request is a batch of
	// one); -1 when unknown.
	BlobSyncsAtOnce     int    `json:"blob_syncs_at_once"`
	BlobSyncsFileByFile int    `json:"blob_syncs_file_by_file"`
	DataDir             string `json:"data_dir,omitempty"`
	MailbotLog          string `json:"mailbot_log,omitempty"`
	MailbotBinaryFrom   string `json:"mailbot_binary"`
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 10000, "requests in the backlog")
	flag.StringVar(&o.workload, "workload", "forms", "requests: forms (both forms as filled PDFs) or letter (a form in the body, a printed cover letter attached)")
	flag.StringVar(&o.profile, "profile", "", "write a CPU profile of mailbot serve (the whole run) to this file")
	flag.IntVar(&o.push, "push", 100, "requests delivered one at a time while mailbot idles (0: none)")
	flag.StringVar(&o.pushVia, "push-via", "smtp", "how pushed requests arrive: smtp (through Postfix) or append (IMAP APPEND)")
	flag.DurationVar(&o.gap, "gap", 200*time.Millisecond, "pause between pushed requests, after the previous reply")
	flag.StringVar(&o.imapAddr, "imap", "127.0.0.1:10143", "IMAP server (Dovecot of .ci/mailservers)")
	flag.StringVar(&o.smtpAddr, "smtp", "127.0.0.1:10025", "SMTP server (Postfix of .ci/mailservers)")
	flag.BoolVar(&o.sink, "sink", false, "mailbot's replies go to an in-process SMTP server that discards them, so the run measures mailbot, not Postfix and Dovecot delivering its replies on the same cores (push then uses -push-via append)")
	flag.IntVar(&o.attachMB, "attach-mb", 0, "also put in the backlog one request with a scanned PDF of this many MB")
	flag.BoolVar(&o.keep, "keep", false, "keep the data directory and the log of mailbot")
	flag.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	flag.StringVar(&o.mailbot, "mailbot", "", "mailbot binary to measure (default: build ./cmd/mailbot)")
	flag.DurationVar(&o.backlogTimeout, "timeout", 30*time.Minute, "give up on the backlog after this long")
	flag.IntVar(&o.appendConcurrency, "append-conns", 2, "IMAP connections filling the mailbox")
	flag.BoolVar(&o.skipFill, "reuse", false, "reuse the mailbox as the previous run left it (no APPEND; the count must match)")
	flag.Parse()
	if o.workload != "forms" && o.workload != "letter" {
		fmt.Fprintln(os.Stderr, "mailbot-load: -workload is forms or letter")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mailbot-load:", err)
		os.Exit(1)
	}
	if o.jsonOut {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(r)
		return
	}
	printReport(os.Stdout, r)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
}

// lockServers takes the machine-wide lock internal/mailtest takes for tests that use the real
// servers: a test resetting call.center's INBOX in the middle of a run would spoil both.
func lockServers() (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "mailbot-mailtest.lock"), os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		logf("waiting for the tests using the mail servers to finish")
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

func run(ctx context.Context, o options) (*Report, error) {
	lock, err := lockServers()
	if err != nil {
		return nil, fmt.Errorf("mail servers lock: %w", err)
	}
	defer lock.Close()
	o.replyAddr = o.smtpAddr
	if o.sink {
		addr, stop, err := startSink()
		if err != nil {
			return nil, err
		}
		defer stop()
		o.replyAddr, o.pushVia = addr, "append"
	}
	r := &Report{N: o.n, Workload: o.workload, BigAttachmentMB: o.attachMB, PushVia: o.pushVia}
	tmp, err := os.MkdirTemp("", "mailbot-load-")
	if err != nil {
		return nil, err
	}
	if o.keep {
		r.DataDir = filepath.Join(tmp, "data")
		r.MailbotLog = filepath.Join(tmp, "mailbot.log")
	} else {
		defer os.RemoveAll(tmp)
	}

	// Senders: one address per request if the server takes address extensions.
	senders, varied := fixedSenders, false
	if err := smtpRcptOK(o.smtpAddr, "referente+1@comune.venezia.it"); err == nil {
		varied = true
		r.Senders = "referente+N@comune.venezia.it (one per request)"
	} else {
		r.Senders = strings.Join(fixedSenders, ", ") + " in turn (no address extensions: " + err.Error() + ")"
	}
	sender := func(i int) string {
		if varied {
			return fmt.Sprintf("referente+%d@comune.venezia.it", i)
		}
		return senders[i%len(senders)]
	}
	one, err := o.request(0, sender(0), time.Now())
	if err != nil {
		return nil, err
	}
	r.MessageBytes = len(one)

	bin := o.mailbot
	if bin == "" {
		bin = filepath.Join(tmp, "mailbot")
		logf("building ./cmd/mailbot")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/mailbot")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("build mailbot (run from the repository root): %w", err)
		}
		r.MailbotBinaryFrom = "go build ./cmd/mailbot"
	} else {
		r.MailbotBinaryFrom = bin
	}

	total := o.n
	if o.attachMB > 0 {
		total++
	}
	if !o.skipFill {
		for _, u := range append([]string{callCenter}, fixedSenders...) {
			if err := empty(o.imapAddr, u); err != nil {
				return nil, fmt.Errorf("empty INBOX of %s: %w", u, err)
			}
		}
		logf("filling INBOX of %s with %d requests of %d bytes", callCenter, total, len(one))
		start := time.Now()
		if err := fill(ctx, o, sender); err != nil {
			return nil, err
		}
		r.FillSeconds = time.Since(start).Seconds()
	}
	// The fill (and the runs before: their data directories removed, their mail expunged)
	// leaves hundreds of megabytes and thousands of freed inodes unwritten. Written back now,
	// not by the kernel's flusher in the middle of the measurement. On an ext4 without a
	// journal (this machine's) a new file also skips every inode of its group freed in the
	// last 60 s, or 360 s while the inode's block is still dirty (recently_deleted): written
	// back, those of the runs before the last minute are free again (perf: 8.6 % of the
	// machine's samples in a backlog, 2.3 % after; BENCHMARKS.md).
	written := time.Now()
	syscall.Sync()
	r.SyncSeconds = time.Since(written).Seconds()
	logf("plain fetch of the mailbox (the ceiling), after writing back the fill (%.2fs)", r.SyncSeconds)
	n, bytes, d, err := plainFetch(o.imapAddr)
	if err != nil {
		return nil, fmt.Errorf("plain fetch: %w", err)
	}
	if n != total {
		return nil, fmt.Errorf("INBOX of %s holds %d messages, want %d", callCenter, n, total)
	}
	r.FetchSeconds = d.Seconds()
	r.FetchBefore = float64(n) / d.Seconds()
	r.FetchMBPerSecond = float64(bytes) / (1 << 20) / d.Seconds()
	r.LoadBefore = loadAverage()
	logf("plain fetch: %d messages, %.1f MB in %.2fs", n, float64(bytes)/(1<<20), d.Seconds())

	dataDir := filepath.Join(tmp, "data")
	cfgPath := filepath.Join(tmp, "mailbot.toml")
	opsAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(cfgPath, []byte(config(o, dataDir)+fmt.Sprintf("\n[ops]\nlisten = %q\n", opsAddr)), 0o600); err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(tmp, "mailbot.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()

	logf("starting mailbot serve")
	start := time.Now()
	args := []string{"serve", "-config", cfgPath}
	if o.profile != "" {
		args = append(args, "-cpuprofile", o.profile)
	}
	child := exec.Command(bin, args...)
	child.Stdout, child.Stderr = logFile, logFile
	if err := child.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	defer func() {
		child.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			child.Process.Kill()
			<-exited
		}
	}()
	pid := child.Process.Pid
	busy0, all0 := machineCPU()
	treeRSS := make(chan float64, 1)
	sampling, stopSampling := context.WithCancel(ctx)
	go func() { treeRSS <- sampleTreeRSS(sampling, pid) }()
	defer func() {
		stopSampling()
		r.TreePeakRSSMB = <-treeRSS
		// Scraped once everything is measured: a scrape's own few megabytes are not the run's.
		r.BlobSyncsAtOnce, r.BlobSyncsFileByFile = blobSyncs(ctx, opsAddr)
	}()
	db, err := openDB(ctx, filepath.Join(dataDir, "mailbot.db"), exited)
	if err != nil {
		return nil, err
	}
	defer db.Close()

	// Backlog: until every request is recorded, then until every reply is sent.
	deadline := time.Now().Add(o.backlogTimeout)
	lastLog := time.Now()
	for {
		var recorded int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM message_copies WHERE mailbox = 'callcenter'`).Scan(&recorded); err != nil {
			return nil, err
		}
		if recorded >= total {
			r.BacklogSeconds = time.Since(start).Seconds()
			break
		}
		if err := alive(ctx, exited, deadline); err != nil {
			return nil, fmt.Errorf("backlog, %d of %d recorded: %w", recorded, total, err)
		}
		if time.Since(lastLog) > 10*time.Second {
			logf("backlog: %d of %d recorded, RSS peak %.1f MB", recorded, total, peakRSS(pid))
			lastLog = time.Now()
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.BacklogCPUSeconds = cpuSeconds(pid)
	r.BacklogWorkersCPUSeconds = childrenCPUSeconds(pid)
	busy1, all1 := machineCPU()
	r.BacklogMachineBusySeconds, r.MachineCPUSeconds = busy1-busy0, all1-all0
	r.BacklogPerSecond = float64(total) / r.BacklogSeconds
	db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE auto = 1`).Scan(&r.RepliesQueued)
	db.QueryRowContext(ctx, `SELECT count(*) FROM tickets`).Scan(&r.Tickets)
	logf("backlog recorded in %.2fs (%.1f/s), %d replies queued; waiting for the outbox", r.BacklogSeconds, r.BacklogPerSecond, r.RepliesQueued)
	for {
		var queued int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE state = 'queued'`).Scan(&queued); err != nil {
			return nil, err
		}
		if queued == 0 {
			r.SentSeconds = time.Since(start).Seconds()
			break
		}
		if err := alive(ctx, exited, deadline); err != nil {
			return nil, fmt.Errorf("outbox, %d still queued: %w", queued, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.BacklogPeakRSSMB = peakRSS(pid)
	logf("outbox empty after %.2fs; peak RSS %.1f MB", r.SentSeconds, r.BacklogPeakRSSMB)

	// The plain fetch again, as the backlog leaves the servers (the replies delivered): the
	// machine's load moves during a run, and one short fetch catches a moment of it.
	waitPostfixQueue(ctx, 10*time.Minute)
	r.FetchPerSecond = r.FetchBefore
	if n, _, d, err := plainFetch(o.imapAddr); err != nil {
		logf("plain fetch after the backlog: %v", err)
	} else if n >= total {
		r.FetchAfter = float64(n) / d.Seconds()
		r.FetchPerSecond = (r.FetchBefore + r.FetchAfter) / 2
		logf("plain fetch after the backlog: %d messages in %.2fs", n, d.Seconds())
	}
	r.LoadAfter = loadAverage()
	r.RatioToFetch = r.BacklogPerSecond / r.FetchPerSecond

	// Push: one request at a time while mailbot idles, once Postfix has delivered the replies
	// (its queue would otherwise delay the requests, not mailbot).
	if o.push > 0 {
		time.Sleep(time.Second) // let the watcher enter IDLE
		lat, notice, err := push(ctx, o, db, exited, sender, o.n+1)
		if err != nil {
			return nil, fmt.Errorf("push: %w", err)
		}
		r.PushN = len(lat)
		r.PushP50ms = percentile(lat, 50)
		r.PushP99ms = percentile(lat, 99)
		r.PushMaxms = slices.Max(lat)
		r.PushNoticeP50ms = percentile(notice, 50)
		r.PushNoticeP99ms = percentile(notice, 99)
	}
	r.PeakRSSMB = peakRSS(pid)
	return r, nil
}

// config is mailbot's configuration for the run: the call center only, answering what is there
// at first start. Every request comes from one of three addresses, or from referente+N@ of one
// domain (one mailbox for the limits), so the rate limits (a loop backstop and hourly caps) are
// lifted; checking them costs the same.
func config(o options, dataDir string) string {
	const perWindow, perDay = 1_000_000, 1_000_000
	return fmt.Sprintf(`data_dir = %q
reply_from = "Regione del Veneto - Integrazioni PagoPA <%s>"

[[mailbox]]
name = "callcenter"
address = %q
imap_addr = %q
tls = "none"
username = %q
password = %q
first_start = "reply"

[smtp]
addr = %q
tls = "none"

[rate_limit]
window = "10m"
per_window = %d
per_day = %d
per_hour = 1000000
per_domain_per_hour = 1000000

[staff]
addresses = ["staff1@regione.veneto.it", "staff2@regione.veneto.it"]

[digest]
to = []
`, dataDir, callCenter, callCenter, o.imapAddr, callCenter, password, o.replyAddr, perWindow, perDay)
}

// freeAddr is a loopback address no one listens on, for mailbot's ops endpoints.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// blobSyncs reads mailbot_blob_syncs_total from mailbot's metrics: -1, -1 when it cannot.
func blobSyncs(ctx context.Context, opsAddr string) (atOnce, fileByFile int) {
	atOnce, fileByFile = -1, -1
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+opsAddr+"/metrics", nil)
	if err != nil {
		return
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		logf("metrics: %v", err)
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var n float64
		if _, err := fmt.Sscanf(sc.Text(), `mailbot_blob_syncs_total{how="at_once"} %g`, &n); err == nil {
			atOnce = int(n)
		} else if _, err := fmt.Sscanf(sc.Text(), `mailbot_blob_syncs_total{how="file_by_file"} %g`, &n); err == nil {
			fileByFile = int(n)
		}
	}
	return
}

func alive(ctx context.Context, exited <-chan error, deadline time.Time) error {
	select {
	case err := <-exited:
		return fmt.Errorf("mailbot exited: %v", err)
	default:
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if time.Now().After(deadline) {
		return errors.New("timed out")
	}
	return nil
}

// openDB opens mailbot's database read-only once mailbot has created it.
func openDB(ctx context.Context, path string, exited <-chan error) (*sql.DB, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(path + "-wal"); err == nil {
			break
		}
		if err := alive(ctx, exited, deadline); err != nil {
			return nil, fmt.Errorf("waiting for %s: %w", path, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	// Wait for the migrations.
	for {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM message_copies`).Scan(&n); err == nil {
			return db, nil
		}
		if err := alive(ctx, exited, deadline); err != nil {
			db.Close()
			return nil, fmt.Errorf("waiting for the schema: %w", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// peakRSS reads VmHWM (the resident set's high-water mark) of a process, in MB.
func peakRSS(pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return math.NaN()
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return math.NaN()
}

// sampleTreeRSS samples the resident set of pid and its descendants every 100 ms until ctx is
// done, and returns the largest sum, in MB: reading processes come and go, so VmHWM of each
// does not add up.
func sampleTreeRSS(ctx context.Context, pid int) float64 {
	peak := 0.0
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		if rss := treeRSS(pid); rss > peak {
			peak = rss
		}
		select {
		case <-ctx.Done():
			return peak
		case <-t.C:
		}
	}
}

// treeRSS is the sum of the resident sets of pid and its descendants, in MB. It follows
// /proc/PID/task/TID/children rather than scanning every process: the machine may run many.
func treeRSS(pid int) float64 {
	sum := 0.0
	seen := map[int]bool{}
	var walk func(p, depth int)
	walk = func(p, depth int) {
		if seen[p] || depth > 16 {
			return
		}
		seen[p] = true
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", p))
		if err != nil {
			return
		}
		if f := strings.Fields(string(b)); len(f) > 1 {
			pages, _ := strconv.ParseFloat(f[1], 64)
			sum += pages * float64(os.Getpagesize()) / (1 << 20)
		}
		tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", p))
		for _, t := range tasks {
			kids, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", p, t.Name()))
			for _, k := range strings.Fields(string(kids)) {
				if c, err := strconv.Atoi(k); err == nil {
					walk(c, depth+1)
				}
			}
		}
	}
	walk(pid, 0)
	return sum
}

// waitPostfixQueue waits until the Postfix of .ci/mailservers has an empty queue, if its
// postqueue can be asked; otherwise it returns at once.
func waitPostfixQueue(ctx context.Context, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		out, err := exec.CommandContext(ctx, "postqueue", "-c", "/var/lib/mailbot-ci/postfix/etc", "-j").Output()
		if err != nil || len(bytes.TrimSpace(out)) == 0 {
			return
		}
		logf("waiting for Postfix to deliver %d queued mails", bytes.Count(out, []byte("\n")))
		time.Sleep(2 * time.Second)
	}
}

// cpuSeconds reads the user and system time a process has used (/proc/PID/stat, fields 14
// and 15, in clock ticks of 1/100 s on Linux).
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return math.NaN()
	}
	// The command name (field 2) may hold spaces: count fields after its closing parenthesis.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return math.NaN()
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	s, _ := strconv.ParseFloat(f[12], 64)
	return (u + s) / 100
}

// childrenCPUSeconds is the user and system time of pid's descendants: those running
// (/proc/PID/task/TID/children, recursively) and those ended and waited for (fields 16 and 17
// of pid's stat).
func childrenCPUSeconds(pid int) float64 {
	sum := 0.0
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) > 14 {
			cu, _ := strconv.ParseFloat(f[13], 64)
			cs, _ := strconv.ParseFloat(f[14], 64)
			sum += (cu + cs) / 100
		}
	}
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, t := range tasks {
		kids, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, t.Name()))
		for _, k := range strings.Fields(string(kids)) {
			if c, err := strconv.Atoi(k); err == nil {
				sum += cpuSeconds(c) + childrenCPUSeconds(c)
			}
		}
	}
	return sum
}

// machineCPU reads /proc/stat: the seconds every CPU of the machine has been busy (neither idle
// nor waiting for I/O) and the seconds of all of them together, since boot.
func machineCPU() (busy, all float64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return math.NaN(), math.NaN()
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	for i, v := range f[1:] {
		x, _ := strconv.ParseFloat(v, 64)
		if i >= 8 { // guest time is counted in user already
			break
		}
		all += x
		if i != 3 && i != 4 {
			busy += x
		}
	}
	return busy / 100, all / 100
}

// loadAverage is the first three fields of /proc/loadavg.
func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func percentile(ms []float64, p float64) float64 {
	if len(ms) == 0 {
		return math.NaN()
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func dialIMAP(addr, user string) (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		return nil, err
	}
	if err := c.Login(user, password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("login as %s: %w", user, err)
	}
	return c, nil
}

// empty deletes every message of user's INBOX.
func empty(addr, user string) error {
	c, err := dialIMAP(addr, user)
	if err != nil {
		return err
	}
	defer c.Close()
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		return err
	}
	if sel.NumMessages == 0 {
		return c.Logout().Wait()
	}
	all := imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}
	if err := c.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		return err
	}
	if err := c.Expunge().Close(); err != nil {
		return err
	}
	return c.Logout().Wait()
}

// fill APPENDs the backlog: o.n requests (and the big one in the middle) over a few
// connections, each generating its share; the order of UIDs does not matter to the measure.
func fill(ctx context.Context, o options, sender func(int) string) error {
	conns := max(1, o.appendConcurrency)
	errs := make(chan error, conns)
	for k := 0; k < conns; k++ {
		go func() {
			errs <- func() error {
				c, err := dialIMAP(o.imapAddr, callCenter)
				if err != nil {
					return err
				}
				defer c.Close()
				for i := k; i < o.n; i += conns {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					if k == 0 && o.attachMB > 0 && i/conns == o.n/conns/2 {
						raw, err := loadreq.Big(o.n, sender(o.n), time.Now(), o.attachMB<<20)
						if err != nil {
							return err
						}
						if err := appendMsg(c, raw); err != nil {
							return err
						}
					}
					raw, err := o.request(i, sender(i), time.Now())
					if err != nil {
						return err
					}
					if err := appendMsg(c, raw); err != nil {
						return err
					}
					if k == 0 && i > 0 && i%(1000*conns) == 0 {
						logf("  %d appended", i)
					}
				}
				return c.Logout().Wait()
			}()
		}()
	}
	var all []error
	for k := 0; k < conns; k++ {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

func appendMsg(c *imapclient.Client, raw []byte) error {
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		cmd.Close()
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err := cmd.Wait()
	return err
}

// plainFetch reads every message of call.center's INBOX as the watcher does (UID list, then
// UID FETCH BODY.PEEK[] in batches of 100), streaming each literal to io.Discard.
func plainFetch(addr string) (n int, size int64, d time.Duration, err error) {
	c, err := dialIMAP(addr, callCenter)
	if err != nil {
		return 0, 0, 0, err
	}
	defer c.Close()
	start := time.Now()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return 0, 0, 0, err
	}
	list, err := c.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true}).Collect()
	if err != nil {
		return 0, 0, 0, err
	}
	var uids []imap.UID
	for _, m := range list {
		uids = append(uids, m.UID)
	}
	slices.Sort(uids)
	for len(uids) > 0 {
		batch := uids[:min(100, len(uids))]
		uids = uids[len(batch):]
		cmd := c.Fetch(imap.UIDSetNum(batch...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
		for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
			for item := msg.Next(); item != nil; item = msg.Next() {
				if b, ok := item.(imapclient.FetchItemDataBodySection); ok && b.Literal != nil {
					k, err := io.Copy(io.Discard, b.Literal)
					if err != nil {
						cmd.Close()
						return n, size, 0, err
					}
					size += k
					n++
				}
			}
		}
		if err := cmd.Close(); err != nil {
			return n, size, 0, err
		}
	}
	return n, size, time.Since(start), c.Logout().Wait()
}

// push delivers o.push requests one at a time and returns, for each, the milliseconds from
// its acceptance by the server to its reply marked sent in mailbot's outbox, and to the start
// of its recording (messages.received_at: the server's notice, the fetch and the reading).
func push(ctx context.Context, o options, db *sql.DB, exited <-chan error, sender func(int) string, first int) (lat, notice []float64, err error) {
	var c *imapclient.Client
	if o.pushVia == "append" {
		if c, err = dialIMAP(o.imapAddr, callCenter); err != nil {
			return nil, nil, err
		}
		defer c.Close()
	}
	for i := first; i < first+o.push; i++ {
		from := sender(i)
		raw, err := o.request(i, from, time.Now())
		if err != nil {
			return nil, nil, err
		}
		id, err := messageID(raw)
		if err != nil {
			return nil, nil, err
		}
		var accepted time.Time
		if c != nil {
			if err := appendMsg(c, raw); err != nil {
				return nil, nil, err
			}
			accepted = time.Now()
		} else {
			if err := sendSMTP(o.smtpAddr, from, callCenter, raw); err != nil {
				return nil, nil, err
			}
			accepted = time.Now()
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			var sentAt, receivedAt string
			err := db.QueryRowContext(ctx, `SELECT o.sent_at, m.received_at FROM outbox o JOIN messages m ON m.ticket_id = o.ticket_id
				WHERE m.message_id = ? AND m.direction = 'in' AND o.auto = 1 AND o.state = 'sent'`, id).Scan(&sentAt, &receivedAt)
			if err == nil {
				sent, perr := time.Parse(time.RFC3339Nano, sentAt)
				received, rerr := time.Parse(time.RFC3339Nano, receivedAt)
				if err := errors.Join(perr, rerr); err != nil {
					return nil, nil, err
				}
				lat = append(lat, float64(sent.Sub(accepted).Microseconds())/1000)
				notice = append(notice, float64(received.Sub(accepted).Microseconds())/1000)
				break
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return nil, nil, err
			}
			if err := alive(ctx, exited, deadline); err != nil {
				return lat, notice, fmt.Errorf("reply to %s: %w", id, err)
			}
			time.Sleep(2 * time.Millisecond)
		}
		time.Sleep(o.gap)
	}
	return lat, notice, nil
}

// messageID is the Message-ID of a request, without brackets.
func messageID(raw []byte) (string, error) {
	_, rest, ok := bytes.Cut(raw, []byte("\r\nMessage-ID: <"))
	id, _, ok2 := bytes.Cut(rest, []byte(">"))
	if !ok || !ok2 {
		return "", errors.New("request without a Message-ID")
	}
	return string(id), nil
}

func sendSMTP(addr, from, to string, raw []byte) error {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return err
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.SendMail(from, []string{to}, bytes.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}

// smtpRcptOK asks the SMTP server whether it accepts rcpt, without sending anything.
func smtpRcptOK(addr, rcpt string) error {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.Mail("probe@example.org", nil); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt, nil); err != nil {
		return err
	}
	c.Reset()
	return c.Quit()
}

func printReport(w io.Writer, r *Report) {
	fmt.Fprintf(w, "mailbot-load: %d requests (workload %s) of %d bytes", r.N, r.Workload, r.MessageBytes)
	if r.BigAttachmentMB > 0 {
		fmt.Fprintf(w, " + 1 with a %d MB PDF", r.BigAttachmentMB)
	}
	fmt.Fprintf(w, "\nsenders: %s\n\n", r.Senders)
	fmt.Fprintf(w, "plain IMAP fetch (ceiling)   %8.1f msg/s  (%.1f before the backlog, %.1f after; %6.1f MB/s in %.2fs before)\n",
		r.FetchPerSecond, r.FetchBefore, r.FetchAfter, r.FetchMBPerSecond, r.FetchSeconds)
	fmt.Fprintf(w, "load average                 %s before, %s after\n", r.LoadBefore, r.LoadAfter)
	fmt.Fprintf(w, "backlog recorded             %8.1f msg/s  %5.0f%% of the fetch  (%.2fs from process start; target >= 50%%)\n",
		r.BacklogPerSecond, 100*r.RatioToFetch, r.BacklogSeconds)
	fmt.Fprintf(w, "  tickets %d, automatic replies queued %d, outbox empty after %.2fs\n", r.Tickets, r.RepliesQueued, r.SentSeconds)
	fmt.Fprintf(w, "  mailbot CPU until recorded: %.1fs (%.1f ms per message, %.0f%% of one core)\n",
		r.BacklogCPUSeconds, 1000*r.BacklogCPUSeconds/float64(r.N), 100*r.BacklogCPUSeconds/r.BacklogSeconds)
	fmt.Fprintf(w, "  meanwhile: its read workers %.1fs of CPU, the whole machine busy %.1fs of %.1fs\n",
		r.BacklogWorkersCPUSeconds, r.BacklogMachineBusySeconds, r.MachineCPUSeconds)
	if r.PushN > 0 {
		fmt.Fprintf(w, "push (%s), arrival to reply sent, %d requests: p50 %.0f ms, p99 %.0f ms, max %.0f ms (target p99 < 1000 ms)\n",
			r.PushVia, r.PushN, r.PushP50ms, r.PushP99ms, r.PushMaxms)
		fmt.Fprintf(w, "  of which acceptance to intake (server notice, fetch, read): p50 %.0f ms, p99 %.0f ms\n", r.PushNoticeP50ms, r.PushNoticeP99ms)
	}
	fmt.Fprintf(w, "peak RSS of mailbot (VmHWM)  %.1f MB after the backlog, %.1f MB at the end (target < 100 MB)\n", r.BacklogPeakRSSMB, r.PeakRSSMB)
	fmt.Fprintf(w, "peak RSS of mailbot and its child processes (sampled sum)  %.1f MB\n", r.TreePeakRSSMB)
	fmt.Fprintf(w, "fetched batches made durable: %d at once, %d file by file (-1: unknown)\n", r.BlobSyncsAtOnce, r.BlobSyncsFileByFile)
	if r.DataDir != "" {
		fmt.Fprintf(w, "data: %s, log: %s\n", r.DataDir, r.MailbotLog)
	}
}

// startSink runs an SMTP server on loopback that accepts everything and keeps nothing.
func startSink() (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := smtp.NewServer(sinkBackend{})
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }, nil
}

type sinkBackend struct{}

func (sinkBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return sinkSession{}, nil }

type sinkSession struct{}

func (sinkSession) Reset()                               {}
func (sinkSession) Logout() error                        { return nil }
func (sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (sinkSession) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }
