package mailbot

import (
	"bufio"
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"syscall"
	"time"

	"mailbot/parsers"
	"mailbot/templates/say"
)

// Documents are read in worker processes: a library that crashes with a Go fatal error (a
// stack overflow, out of memory) cannot be recovered in-process, and would take the daemon and
// every message it holds with it. A worker is the mailbot binary itself run with the hidden
// subcommand ReadWorkerCommand; it caps its own memory and stack, and the daemon enforces each
// document's CPU time and deadline from outside, kills a worker that overruns, and replaces
// one that died. The document is then listed for a person as unreadable, with the reason.

// ReadWorkerCommand is the hidden subcommand that runs a worker (cmd/mailbot, and the TestMain
// of every test binary that reads documents through a ReaderPool).
const ReadWorkerCommand = "read-worker"

// readWorkerEnv marks a worker's environment: a worker never starts workers of its own (a test
// binary that forgot to serve ReadWorkerCommand would otherwise run its tests again, forever).
const readWorkerEnv = "MAILBOT_READ_WORKER"

// What a worker may take. The memory cap is on the data segment (RLIMIT_DATA: Go reserves far
// more address space than it uses, so RLIMIT_AS would fail at once); the Go memory limit below
// it makes the collector work hard before the cap is reached. The stack cap turns runaway
// recursion into a quick fatal error instead of a gigabyte of stack.
const (
	workerMemory      uint64 = 768 << 20
	workerMemoryLimit        = 512 << 20
	workerMaxStack           = 16 << 20
)

// Budget bounds the reading of one message's documents: the worker CPU time of all of them and
// how many are read. What is over the budget is listed for a person, unread, so that one
// message cannot hold a mailbox for longer than its budget.
type Budget struct {
	CPU       time.Duration
	Documents int
}

// DefaultBudget lets one document use its whole deadline (parsers.DefaultLimits, 5 s) and a
// little more: a request carries a few forms that take milliseconds each.
var DefaultBudget = Budget{CPU: 6 * time.Second, Documents: 20}

// Reasons a document was not read, for a person and the referent: their keys in templates/say.
const (
	reasonWorkerCrash  = "worker.crash"
	reasonWorkerMemory = "worker.memory"
	reasonWorkerSlow   = "worker.slow"
	reasonWorkerNone   = "worker.none"
	reasonBudgetCPU    = "worker.budget_cpu"
)

// ReaderPool runs the worker processes. The zero value is not usable: see NewReaderPool.
type ReaderPool struct {
	recycle int
	log     *slog.Logger
	slots   chan struct{} // one per worker that may run

	mu     sync.Mutex
	idle   []*readWorker
	closed bool
	stats  ReaderStats
}

// ReaderStats counts what the pool did, for tests and health.
type ReaderStats struct {
	Started int           `json:"started"`
	Died    int           `json:"died"`   // ended on their own: a crash, a Go fatal error, out of memory
	Killed  int           `json:"killed"` // stopped from outside past a document's CPU time or deadline
	CPU     time.Duration `json:"cpu_ns"` // the workers' CPU time, starting included
}

// readerPoolSize matches parsers' bound on documents read at once in one process: the
// memory a daemon may spend reading is the same, spread over processes.
const readerPoolSize = 2

// workerDocuments is how many documents a worker reads before it is replaced, and
// workerKeptHeap the live heap past which it is replaced sooner: what a library leaks stays
// bounded, and starting one (~60 ms of CPU: the runtime and every package of the binary) is
// spread over many documents.
const (
	workerDocuments = 20000
	workerKeptHeap  = 128 << 20
)

// NewReaderPool returns a pool whose workers are this executable run with ReadWorkerCommand,
// logging to log (nil: nowhere). Workers start when a document is read, and stop at Close.
func NewReaderPool(log *slog.Logger) *ReaderPool {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &ReaderPool{recycle: workerDocuments, log: log,
		slots: make(chan struct{}, readerPoolSize)}
}

// Warm starts every worker the pool may run, in the background, so that the first documents
// do not wait for them: a worker takes ~50 ms to start (the runtime and every package of the
// binary), and the daemon meanwhile logs in to its mailboxes. One that does not start is
// started again at the first document, which then says why.
func (p *ReaderPool) Warm() {
	for range cap(p.slots) {
		go func() {
			w, err := p.get(workerStart)
			if err != nil {
				p.log.Warn("document reader did not start ahead", "err", err)
				return
			}
			p.put(w, true)
		}()
	}
}

// Stats reports what the pool did so far.
func (p *ReaderPool) Stats() ReaderStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// Close stops the idle workers; those reading stop when their document ends.
func (p *ReaderPool) Close() error {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, w := range idle {
		w.stop()
	}
	return nil
}

// Message returns the reader of one message's documents, within budget.
func (p *ReaderPool) Message(b Budget) parsers.DocumentReader {
	if b.CPU <= 0 {
		b.CPU = DefaultBudget.CPU
	}
	if b.Documents <= 0 {
		b.Documents = DefaultBudget.Documents
	}
	return &messageReader{pool: p, budget: b}
}

// messageReader reads the documents of one message, charging each to the message's budget.
// One message's documents are read one after the other (parsers.Analyze walks them in order).
type messageReader struct {
	pool   *ReaderPool
	budget Budget
	docs   int
	used   time.Duration
}

func (m *messageReader) ReadDocument(name, contentType string, data []byte, lim parsers.Limits) ([]parsers.Form, error) {
	lim = lim.WithDefaults()
	if m.docs++; m.docs > m.budget.Documents {
		return nil, unread(nil, name, "worker.budget_docs", m.budget.Documents)
	}
	left := m.budget.CPU - m.used
	if left <= 0 {
		return nil, unread(nil, name, reasonBudgetCPU)
	}
	// A worker on half a core still gets its CPU time; the wall time charged is halved to
	// match, so a message's documents take at most twice its budget, however busy the machine.
	cpu := min(lim.DocumentTimeout, left)
	wall := min(lim.DocumentTimeout, 2*left)
	forms, used, took, err := m.pool.read(name, contentType, data, lim, cpu, wall)
	m.pool.mu.Lock()
	m.pool.stats.CPU += used
	m.pool.mu.Unlock()
	m.used += max(used, took/2)
	return forms, err
}

// CopiesDocuments makes m a parsers.DocumentCopier: ReadDocument has written a document's
// bytes to the worker's pipe when it returns, whatever the worker did.
func (m *messageReader) CopiesDocuments() {}

// unread is a document listed for a person, with the reason of key worded with args.
func unread(cause error, name, key string, args ...any) error {
	return &parsers.DocumentError{Name: name, Reason: say.Text(key, args...), Key: key, Kind: parsers.ErrUnreadable, Cause: cause}
}

// read reads one document in a worker, killing it past cpu time or wall; used is the worker
// CPU time the document took, took its time in the worker (waiting for one, or for one to
// start, is not the document's doing).
func (p *ReaderPool) read(name, contentType string, data []byte, lim parsers.Limits, cpu, wall time.Duration) (forms []parsers.Form, used, took time.Duration, err error) {
	w, err := p.get(3 * lim.DocumentTimeout)
	if err != nil {
		p.log.Error("no document reader", "err", err)
		return nil, 0, 0, unread(err, name, reasonWorkerNone)
	}
	healthy := false
	start := time.Now()
	defer func() {
		took = time.Since(start)
		p.put(w, healthy)
	}()

	lim.DocumentTimeout = wall // the worker's own deadline: it stops its reader in time
	// The watch is two timers, not a goroutine: a document that ends in time (nearly all)
	// costs no more than arming and stopping them.
	var (
		mu       sync.Mutex
		why      string
		finished bool
	)
	stop := func(reason string) {
		mu.Lock()
		defer mu.Unlock()
		if why == "" && !finished {
			why = reason
			w.cmd.Process.Kill()
		}
	}
	deadline := time.AfterFunc(wall+workerGrace, func() { stop(fmt.Sprintf("over its deadline of %s", wall)) })
	var poll *time.Timer
	check := func() {
		if now, ok := liveCPU(w.cmd.Process.Pid); ok && now-w.cpu > cpu {
			stop(fmt.Sprintf("over its CPU time of %s", cpu))
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if !finished { // a check running as the document ends must not arm another
			poll.Reset(cpuPoll)
		}
	}
	// Armed only once poll is set: on a loaded machine the first check could otherwise run
	// before the assignment and find a nil timer.
	poll = time.AfterFunc(time.Duration(math.MaxInt64), check)
	poll.Reset(cpuPoll)
	r := w.roundTrip(readRequest{Name: name, Type: contentType, Limits: lim, Size: len(data)}, data)
	deadline.Stop()
	poll.Stop()
	mu.Lock()
	finished = true // a watch that fires from now on leaves the worker alone
	killed := why != ""
	mu.Unlock()
	if killed {
		used = w.kill(p)
		if r.err != nil {
			p.log.Warn("document reader stopped", "document", name, "why", why)
			return nil, used, 0, unread(errors.New(why), name, reasonWorkerSlow)
		}
	}
	if r.err != nil {
		used, reason, detail := w.dead(p)
		p.log.Warn("document reader died", "document", name, "reason", detail, "err", r.err)
		return nil, used, 0, unread(errors.New(detail), name, reason)
	}
	if !killed { // killed as it answered: already reaped, its CPU time counted
		used = r.reply.CPU - w.cpu
	}
	w.cpu = r.reply.CPU
	healthy = !r.reply.Retire && !killed
	return r.reply.forms(), used, 0, r.reply.error(name)
}

// workerGrace is how long past its deadline a worker may take to answer: its own reader stops
// at the deadline, then it must still say so.
const workerGrace = 250 * time.Millisecond

// cpuPoll is how often a reading worker's CPU time is looked at from outside: documents that
// end sooner (nearly all) cost no look at all.
const cpuPoll = 50 * time.Millisecond

// get returns an idle worker, or starts one, waiting at most wait for one to be free.
func (p *ReaderPool) get(wait time.Duration) (*readWorker, error) {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case p.slots <- struct{}{}:
	case <-t.C:
		return nil, fmt.Errorf("no worker free within %s", wait)
	}
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return w, nil
	}
	closed := p.closed
	p.mu.Unlock()
	if closed {
		<-p.slots
		return nil, errors.New("reader pool closed")
	}
	w, err := p.start()
	if err != nil {
		<-p.slots
		return nil, err
	}
	return w, nil
}

// put gives a worker back, or stops it when it is spent, unhealthy or the pool is closed.
func (p *ReaderPool) put(w *readWorker, healthy bool) {
	defer func() { <-p.slots }()
	if w.cmd.ProcessState != nil {
		return // killed or dead, already reaped
	}
	p.mu.Lock()
	if healthy && w.docs < p.recycle && !p.closed {
		p.idle = append(p.idle, w)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	w.stop()
}

// start starts a worker and waits for its greeting.
func (p *ReaderPool) start() (*readWorker, error) {
	if os.Getenv(readWorkerEnv) != "" {
		return nil, errors.New("a document reader cannot start readers")
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find mailbot's executable: %w", err)
	}
	w := &readWorker{cmd: exec.Command(exe, ReadWorkerCommand)}
	w.cmd.Env = append(os.Environ(), readWorkerEnv+"=1")
	w.cmd.Stderr = &w.stderr
	in, err := w.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := w.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	w.in, w.enc, w.dec = in, gob.NewEncoder(&w.sent), gob.NewDecoder(bufio.NewReaderSize(out, 64<<10))
	if err := w.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start document reader: %w", err)
	}
	hello := make(chan readResult, 1)
	go func() {
		var r readResult
		r.err = w.dec.Decode(&r.reply)
		hello <- r
	}()
	t := time.NewTimer(workerStart)
	defer t.Stop()
	select {
	case r := <-hello:
		if r.err == nil {
			w.cpu = r.reply.CPU
			p.mu.Lock()
			p.stats.Started++
			p.stats.CPU += w.cpu
			p.mu.Unlock()
			return w, nil
		}
		err = r.err
	case <-t.C:
		err = fmt.Errorf("no greeting within %s", workerStart)
	}
	w.cmd.Process.Kill()
	w.cmd.Wait()
	return nil, fmt.Errorf("document reader %s did not start (%w): does its main serve %q? %s", exe, err, ReadWorkerCommand, w.stderr.fatal())
}

// workerStart bounds a worker's start: a Go binary starts in milliseconds.
const workerStart = 10 * time.Second

// readWorker is one worker process and the daemon's end of its pipes.
type readWorker struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	enc    *gob.Encoder // encodes into sent
	sent   bytes.Buffer // a request and its document, written to in at once
	dec    *gob.Decoder
	stderr tailBuffer
	cpu    time.Duration // the worker's CPU time when its last document ended
	docs   int
}

type readResult struct {
	reply readReply
	err   error
}

// roundTrip sends a document and reads the answer. A form's request and bytes go in one
// write: the worker wakes once for them, not for the request and again for the bytes.
func (w *readWorker) roundTrip(req readRequest, data []byte) (r readResult) {
	w.docs++
	w.sent.Reset()
	if r.err = w.enc.Encode(req); r.err != nil {
		return r
	}
	if len(data) <= keptRequestBytes {
		w.sent.Write(data)
		data = nil
	}
	if _, r.err = w.in.Write(w.sent.Bytes()); r.err != nil {
		return r
	}
	if w.sent.Cap() > 2*keptRequestBytes {
		w.sent = bytes.Buffer{} // the encoder keeps writing to the field
	}
	if len(data) > 0 {
		if _, r.err = w.in.Write(data); r.err != nil {
			return r
		}
	}
	r.err = w.dec.Decode(&r.reply)
	return r
}

// kill stops a worker that overran and returns the CPU time its document took.
func (w *readWorker) kill(p *ReaderPool) time.Duration {
	w.cmd.Process.Kill()
	w.cmd.Wait()
	p.mu.Lock()
	p.stats.Killed++
	p.mu.Unlock()
	return w.cmd.ProcessState.UserTime() + w.cmd.ProcessState.SystemTime() - w.cpu
}

// dead reaps a worker that stopped answering, and says why it died (reason is a key).
func (w *readWorker) dead(p *ReaderPool) (used time.Duration, reason, detail string) {
	w.cmd.Process.Kill() // it may only have closed its output
	w.cmd.Wait()
	p.mu.Lock()
	p.stats.Died++
	p.mu.Unlock()
	used = w.cmd.ProcessState.UserTime() + w.cmd.ProcessState.SystemTime() - w.cpu
	detail = w.stderr.fatal()
	if detail == "" {
		detail = w.cmd.ProcessState.String()
	}
	reason = reasonWorkerCrash
	if strings.Contains(detail, "out of memory") {
		reason = reasonWorkerMemory
	}
	return used, reason, detail
}

// stop ends an idle worker: it exits when its input closes.
func (w *readWorker) stop() {
	w.in.Close()
	go func() {
		t := time.AfterFunc(workerStart, func() { w.cmd.Process.Kill() })
		w.cmd.Wait()
		t.Stop()
	}()
}

// tailBuffer keeps the first and the last bytes a worker wrote to its standard error: Go says
// why it aborted at the start, before the goroutines' stacks.
type tailBuffer struct {
	mu         sync.Mutex
	head, tail []byte
}

const tailBytes = 4 << 10

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	if k := min(len(p), tailBytes-len(t.head)); k > 0 {
		t.head, p = append(t.head, p[:k]...), p[k:]
	}
	t.tail = append(t.tail, p...)
	if len(t.tail) > 2*tailBytes {
		t.tail = append(t.tail[:0], t.tail[len(t.tail)-tailBytes:]...)
	}
	return n, nil
}

// fatal returns the line where Go says why it aborted ("fatal error: stack overflow"), or the
// last line written.
func (t *tailBuffer) fatal() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(t.head)+string(t.tail)), "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "fatal error:") || strings.HasPrefix(l, "panic:") {
			return l
		}
	}
	return lines[len(lines)-1]
}

// The protocol: gob values both ways, a readRequest for each document, followed by the
// document's bytes as they are, and a readReply for each; a worker greets with a reply carrying
// only its CPU time. Gob sends each type once per pipe, and Form.Fields' []string values keep
// their type (JSON would make them []any). The bytes go apart from gob, which would copy them
// twice on each side, into a new array for every document.

type readRequest struct {
	Name   string
	Type   string
	Limits parsers.Limits
	Size   int // of the document that follows
}

// keptRequestBytes is the largest array a worker keeps for the next document's bytes: forms
// are tens of kilobytes, and a large document's memory goes back after it.
const keptRequestBytes = 1 << 20

type readReply struct {
	Forms  []parsers.Form
	Kind   string // "unreadable", "limit" or "error" when not read
	Reason string
	Key    string
	Cause  string
	CPU    time.Duration // the worker's CPU time so far
	Retire bool          // a reader may still be running, or the heap grew: replace the worker
}

// forms returns the forms as the reader made them: gob drops empty slices and maps, which
// parsers keeps empty but never nil (JSON shows [] and {}).
func (r readReply) forms() []parsers.Form {
	for i := range r.Forms {
		f := &r.Forms[i]
		if f.Problems == nil {
			f.Problems = []parsers.Problem{}
		}
		if f.Provenance == nil {
			f.Provenance = map[string]parsers.Provenance{}
		}
		if f.Fields == nil {
			f.Fields = map[string]any{}
		}
		for k, v := range f.Fields {
			if l, ok := v.([]string); ok && l == nil {
				f.Fields[k] = []string{}
			}
		}
	}
	return r.Forms
}

// error rebuilds the reader's error.
func (r readReply) error(name string) error {
	var cause error
	if r.Cause != "" {
		cause = errors.New(r.Cause)
	}
	switch r.Kind {
	case "":
		return nil
	case "unreadable":
		return &parsers.DocumentError{Name: name, Reason: r.Reason, Key: r.Key, Kind: parsers.ErrUnreadable, Cause: cause}
	case "limit":
		return &parsers.DocumentError{Name: name, Reason: r.Reason, Key: r.Key, Kind: parsers.ErrLimit, Cause: cause}
	}
	return fmt.Errorf("%s: %s", name, r.Cause)
}

// ServeReadWorker runs this process as a worker reading with rd (parsers.InProcess), and
// exits, when it was started as one (os.Args[1] is ReadWorkerCommand); otherwise it returns
// at once. A test binary whose tests read documents through a ReaderPool calls it first in
// TestMain: its workers are the test binary itself.
func ServeReadWorker(rd parsers.DocumentReader) {
	if len(os.Args) < 2 || os.Args[1] != ReadWorkerCommand {
		return
	}
	// Ctrl-C reaches the whole process group: the daemon decides when its workers stop.
	signal.Ignore(os.Interrupt, syscall.SIGTERM)
	in, out := workerPipes(os.Stdin, os.Stdout)
	if err := RunReadWorker(in, out, rd); err != nil {
		fmt.Fprintln(os.Stderr, "read-worker:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// RunReadWorker is a worker's life: it caps its memory and stack, greets, then reads each
// document it is sent with rd until its input ends. Limits a worker cannot set are logged
// to stderr, not fatal: the daemon's deadlines still hold.
func RunReadWorker(stdin io.Reader, stdout io.Writer, rd parsers.DocumentReader) error {
	if err := limitMemory(workerMemory); err != nil {
		fmt.Fprintln(os.Stderr, "read-worker: cap memory:", err)
	}
	// One document at a time: a second processor would only spin looking for work between
	// documents (and the pool runs two workers on a machine's cores).
	runtime.GOMAXPROCS(1)
	debug.SetMemoryLimit(workerMemoryLimit)
	debug.SetGCPercent(400)
	debug.SetMaxStack(workerMaxStack)
	// gob reads a bufio.Reader as an io.ByteReader, no further than each value's end: the
	// document's bytes after a request are still there to be read.
	in := bufio.NewReaderSize(stdin, 64<<10)
	dec, enc := gob.NewDecoder(in), gob.NewEncoder(stdout)
	if err := enc.Encode(readReply{CPU: selfCPU()}); err != nil {
		return err
	}
	awake := newMonitorBeat()
	defer awake.beat.Stop()
	var buf []byte
	for {
		var req readRequest
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read request: %w", err)
		}
		if req.Size < 0 {
			return fmt.Errorf("read request: document of %d bytes", req.Size)
		}
		if cap(buf) < req.Size {
			buf = make([]byte, req.Size)
		}
		data := buf[:req.Size]
		if _, err := io.ReadFull(in, data); err != nil {
			return fmt.Errorf("read document: %w", err)
		}
		awake.document()
		start := time.Now()
		forms, err := rd.ReadDocument(req.Name, req.Type, data, req.Limits)
		reply := readReply{Forms: forms}
		if err != nil {
			reply.Kind, reply.Cause = "error", err.Error()
			var de *parsers.DocumentError
			if errors.As(err, &de) {
				reply.Reason, reply.Key = de.Reason, de.Key
				if de.Cause != nil {
					reply.Cause = de.Cause.Error()
				}
				switch {
				case errors.Is(err, parsers.ErrUnreadable):
					reply.Kind = "unreadable"
				case errors.Is(err, parsers.ErrLimit):
					reply.Kind = "limit"
				}
			}
		}
		// A reader past its deadline may still run (parsers.ReadDocument returns at the
		// deadline): it would eat the next document's CPU time.
		reply.Retire = time.Since(start) >= req.Limits.WithDefaults().DocumentTimeout || keptHeap() > workerKeptHeap
		reply.CPU = selfCPU()
		if err := enc.Encode(reply); err != nil {
			return err
		}
		// The array is used again once the forms read from it are sent, unless a reader may
		// still be reading it, or it is large.
		if reply.Retire || cap(buf) > keptRequestBytes {
			buf = nil
		}
	}
}

// keptHeap is the heap the last garbage collection found live (read without stopping the world).
func keptHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// A worker's deadline is a timer, which a reader busy on the worker's one processor lets fire
// only when the runtime's monitor (sysmon) preempts it. The monitor sleeps while the process
// is idle, until its next timer; a system call made the usual way wakes it, and it then polls
// every 20 µs for a millisecond or more: woken so by each document, that was a fifth of a
// worker's CPU time on a one-page letter. So a worker reads its pipes with raw system calls
// (workerPipes), and keeps a timer ticking while documents come, which bounds the monitor's
// sleep without waking it early; only the first document after a pause wakes it.
const (
	monitorTick  = 10 * time.Millisecond // the monitor's own longest nap while busy
	monitorPause = time.Second           // without a document, the timer stops
)

type monitorBeat struct {
	mu      sync.Mutex
	beat    *time.Timer
	beating bool
	last    time.Time // the last document's start
}

func newMonitorBeat() *monitorBeat {
	m := &monitorBeat{}
	m.beat = time.AfterFunc(time.Duration(math.MaxInt64), m.tick)
	return m
}

// document is called as each document starts.
func (m *monitorBeat) document() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.last = time.Now()
	if !m.beating {
		wakeMonitor()
		m.beating = true
		m.beat.Reset(monitorTick)
	}
}

func (m *monitorBeat) tick() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.beating = time.Since(m.last) < monitorPause; m.beating {
		m.beat.Reset(monitorTick)
	}
}
