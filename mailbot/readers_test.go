package mailbot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"

	"mailbot/internal/bombs"
	"mailbot/internal/crashreader"
	"mailbot/internal/loadreq"
	"mailbot/parsers"
	"mailbot/templates/say"
)

// TestMain serves the daemon's document readers: they are this test binary run again, reading
// as crashreader does when a test sets crashreader.Env. With MAILBOT_TEST_WORKER_PROFILE=path,
// each worker writes its CPU profile to path.PID, and its CPU time and context switches to
// path.PID.txt: a benchmark's pool measures only the workers' total CPU time.
func TestMain(m *testing.M) {
	if path := os.Getenv("MAILBOT_TEST_WORKER_PROFILE"); path != "" && len(os.Args) > 1 && os.Args[1] == ReadWorkerCommand {
		os.Exit(profileWorker(path))
	}
	ServeReadWorker(crashreader.FromEnv())
	os.Exit(m.Run())
}

// profileWorker is ServeReadWorker profiled.
func profileWorker(path string) int {
	f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid()))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	in, out := workerPipes(os.Stdin, os.Stdout)
	err = RunReadWorker(in, out, crashreader.FromEnv())
	pprof.StopCPUProfile()
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	usage := fmt.Sprintf("user %s, system %s, %d voluntary and %d involuntary context switches, %d page faults; %d collections, %d MB allocated, %d MB from the OS, %d MB released\n",
		time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano()), ru.Nvcsw, ru.Nivcsw, ru.Minflt, ms.NumGC, ms.TotalAlloc>>20, ms.HeapSys>>20, ms.HeapReleased>>20)
	if err := os.WriteFile(f.Name()+".txt", []byte(usage), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "read-worker:", err)
		return 1
	}
	return 0
}

func testPool(t *testing.T) *ReaderPool {
	t.Helper()
	p := NewReaderPool(nil)
	t.Cleanup(func() { p.Close() })
	return p
}

// unreadReason returns the reason a document was listed for a person, failing the test when
// it was not.
func unreadReason(t *testing.T, err error) string {
	t.Helper()
	var de *parsers.DocumentError
	if !errors.Is(err, parsers.ErrUnreadable) || !errors.As(err, &de) {
		t.Fatalf("got %v, want a document listed for a person as unreadable", err)
	}
	return de.Reason
}

// TestReaderPoolReadsAsInProcess: a worker reads the typical request's forms exactly as the
// daemon's own process would.
func TestReaderPoolReadsAsInProcess(t *testing.T) {
	ig, ep, err := loadreq.Forms(1)
	if err != nil {
		t.Fatal(err)
	}
	rd := testPool(t).Message(DefaultBudget)
	for _, doc := range [][]byte{ig, ep} {
		want, werr := parsers.ReadDocument("modulo.pdf", "application/pdf", doc, parsers.Limits{})
		got, gerr := rd.ReadDocument("modulo.pdf", "application/pdf", doc, parsers.Limits{})
		if werr != nil || gerr != nil || len(got) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("worker read %+v, %v\nin-process %+v, %v", got, gerr, want, werr)
		}
	}
	if _, err := rd.ReadDocument("scan.jpg", "image/jpeg", []byte("\xff\xd8\xff\xe0 not much of a photo"), parsers.Limits{}); !strings.Contains(unreadReason(t, err), "scansione") {
		t.Errorf("a scan: %v", err)
	}
}

// TestReaderPoolWarm: a warmed pool has its workers running before the first document, which
// then waits for none to start.
func TestReaderPoolWarm(t *testing.T) {
	p := testPool(t)
	p.Warm()
	deadline := time.Now().Add(20 * time.Second)
	for p.Stats().Started < readerPoolSize {
		if time.Now().After(deadline) {
			t.Fatalf("%d workers started ahead, want %d", p.Stats().Started, readerPoolSize)
		}
		time.Sleep(10 * time.Millisecond)
	}
	ig, _, err := loadreq.Forms(1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Message(DefaultBudget).ReadDocument("modulo.pdf", "application/pdf", ig, parsers.Limits{}); err != nil {
		t.Fatal(err)
	}
	if st := p.Stats(); st.Started != readerPoolSize {
		t.Errorf("%d workers started, want the %d started ahead", st.Started, readerPoolSize)
	}
}

// TestReaderPoolSurvivesFatalError: the self-referencing PDF of issue 19, read unguarded,
// kills its worker with a real Go fatal error; the document is listed for a person with the
// reason, the worker is replaced, and the next document is read. Read through the shipped
// reader, the guard lists it as damaged and the worker lives.
func TestReaderPoolSurvivesFatalError(t *testing.T) {
	ig, _, err := loadreq.Forms(1)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("unguarded", func(t *testing.T) {
		t.Setenv(crashreader.Env, "1")
		p := testPool(t)
		rd := p.Message(DefaultBudget)
		_, err := rd.ReadDocument("modulo.pdf", "application/pdf", bombs.SelfRefPDF(), parsers.Limits{})
		if reason := unreadReason(t, err); reason != say.Text(reasonWorkerCrash) || !strings.Contains(err.Error(), "fatal error: stack overflow") {
			t.Errorf("got %v, want the crash reason and Go's stack overflow", err)
		}
		if forms, err := rd.ReadDocument("modulo.pdf", "application/pdf", ig, parsers.Limits{}); err != nil || len(forms) == 0 {
			t.Errorf("the next document: %v, %v", forms, err)
		}
		if s := p.Stats(); s.Died != 1 || s.Started != 2 {
			t.Errorf("stats %+v, want one worker dead and one started in its place", s)
		}
	})
	t.Run("guarded", func(t *testing.T) {
		p := testPool(t)
		rd := p.Message(DefaultBudget)
		for range 3 { // resent: never kills a worker
			_, err := rd.ReadDocument("modulo.pdf", "application/pdf", bombs.SelfRefPDF(), parsers.Limits{})
			if reason := unreadReason(t, err); !strings.Contains(reason, "danneggiato") {
				t.Errorf("reason %q, want a damaged document", reason)
			}
		}
		if s := p.Stats(); s.Died != 0 || s.Started != 1 {
			t.Errorf("stats %+v, want one worker, alive", s)
		}
	})
}

// TestReaderPoolBudget: eight spreadsheets that each would take their whole deadline (as in
// issue 19: 41 s for one message) are bounded by the message's budget: the first is stopped
// from outside when the budget's CPU time is spent, the rest are listed unread, and the
// message is done within about its budget.
func TestReaderPoolBudget(t *testing.T) {
	t.Setenv(crashreader.Env, "1")
	p := testPool(t)
	budget := Budget{CPU: time.Second, Documents: 20}
	rd := p.Message(budget)
	lim := parsers.Limits{DocumentTimeout: 5 * time.Second}
	start := time.Now()
	var reasons []string
	for i := range 8 {
		_, err := rd.ReadDocument(fmt.Sprintf("lento-%d.xlsx", i), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bombs.WideXLSX(10), lim)
		reasons = append(reasons, unreadReason(t, err))
	}
	t.Logf("the message took %s with a budget of %s", time.Since(start), budget.CPU)
	if reasons[0] != say.Text(reasonWorkerSlow) {
		t.Errorf("first spreadsheet: %q, want %q", reasons[0], say.Text(reasonWorkerSlow))
	}
	for i, r := range reasons[1:] {
		if r != say.Text(reasonBudgetCPU) {
			t.Errorf("spreadsheet %d: %q, want %q", i+1, r, say.Text(reasonBudgetCPU))
		}
	}
	if s := p.Stats(); s.Killed != 1 {
		t.Errorf("stats %+v, want one worker killed", s)
	}

	// The number of documents is bounded too.
	rd = p.Message(Budget{CPU: time.Minute, Documents: 2})
	for i := range 3 {
		_, err := rd.ReadDocument("nota.txt", "text/plain", []byte("Nota\n"), lim)
		if i < 2 && err != nil {
			t.Errorf("document %d: %v", i, err)
		}
		if i == 2 && !strings.Contains(unreadReason(t, err), "più di 2 documenti") {
			t.Errorf("document %d: %v", i, err)
		}
	}
}

// TestWorkerKeepsItsDeadline: a reader that keeps a worker's one processor busy and looks at
// its deadline, as parsers' readers do, is stopped by the worker itself at that deadline, the
// daemon's watch aside: while documents come, and after a pause long enough for the worker's
// runtime to fall asleep (monitorBeat).
func TestWorkerKeepsItsDeadline(t *testing.T) {
	t.Setenv(crashreader.Env, "1")
	p := testPool(t)
	w, err := p.start()
	if err != nil {
		t.Fatal(err)
	}
	defer w.stop()
	const deadline = 200 * time.Millisecond
	for _, pause := range []time.Duration{0, 3 * monitorPause / 2} {
		if r := w.roundTrip(readRequest{Name: "nota.txt", Type: "text/plain", Size: 5}, []byte("Nota\n")); r.err != nil {
			t.Fatal(r.err)
		}
		time.Sleep(pause)
		start := time.Now()
		guard := time.AfterFunc(20*deadline, func() { w.cmd.Process.Kill() })
		r := w.roundTrip(readRequest{Name: "puntuale.pdf", Type: "application/pdf", Limits: parsers.Limits{DocumentTimeout: deadline}}, nil)
		guard.Stop()
		if r.err != nil || r.reply.Kind != "limit" || !r.reply.Retire {
			t.Fatalf("after a pause of %s: %+v, %v after %s, want the worker to stop the reader at its deadline of %s", pause, r.reply, r.err, time.Since(start), deadline)
		}
	}
}

// hostileDocuments is issue 19's attack on reading, as three messages: a request with the
// self-referencing PDF read unguarded (its worker dies of a real Go fatal error), a message
// with eight spreadsheets that each take their whole deadline, and an ordinary request. The
// daemon lives; each hostile document is listed in the reply as unreadable with its reason;
// the ordinary request is answered. send delivers a message; replies waits for n replies to
// rcpt and returns their texts.
type hostileRun struct {
	t       *testing.T
	d       *Daemon
	send    func(from, raw string)
	replies func(rcpt string, n int) []string
	settle  func(callcenter int)
	tag     string
}

// hostileBudget is the reading budget of a message in these tests: small, so that they run
// fast.
const hostileBudget = 3 * time.Second

func (h hostileRun) run(crasher, slow string) {
	t := h.t
	crash := mimeMail("Referente <"+crasher+">", CallCenter, "Richiesta integrazione MyPay", "crash."+h.tag+"@example.org",
		"In allegato il modulo.", nil, map[string][]byte{"modulo.pdf": bombs.SelfRefPDF()})
	files := map[string][]byte{}
	for i := range 8 {
		files[fmt.Sprintf("lento-%d.xlsx", i)] = bombs.WideXLSX(10)
	}
	sheets := mimeMail("Referente <"+slow+">", CallCenter, "Moduli in XLSX", "slow."+h.tag+"@example.org", "In allegato i moduli.", nil, files)
	ordinary := request(slow, "ordinary."+h.tag+"@example.org", "Richiesta integrazione MyPivot", false)
	h.send(crasher, crash)
	h.send(slow, sheets)
	h.send(slow, ordinary)
	h.settle(3)

	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	got := flat(h.replies(crasher, 1)[0])
	if !strings.Contains(got, "«modulo.pdf» non è leggibile automaticamente ("+say.Text(reasonWorkerCrash)+")") {
		t.Errorf("the reply to the crashing PDF does not list it as unreadable:\n%s", got)
	}
	var sheetsReply string
	for _, r := range h.replies(slow, 2) {
		if strings.Contains(r, "lento-") {
			sheetsReply = flat(r)
		}
	}
	if strings.Count(sheetsReply, say.Text(reasonWorkerSlow))+strings.Count(sheetsReply, say.Text(reasonBudgetCPU)) != 8 {
		t.Errorf("the reply to the slow spreadsheets does not list all eight as unread:\n%s", sheetsReply)
	}
	if s := h.d.Readers.Stats(); s.Died != 1 || s.Killed < 1 {
		t.Errorf("reader stats %+v, want one worker dead of the PDF and one killed on a spreadsheet", s)
	}
	tks, err := h.d.Store.Tickets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	flagged := 0
	for _, tk := range tks {
		if strings.Contains(tk.Flag, "allegati non leggibili") {
			flagged++
		}
	}
	if flagged != 2 {
		t.Errorf("%d cases flagged for a person, want 2 (the PDF's and the spreadsheets')", flagged)
	}
}

// TestHostileDocumentsInProcess: the daemon survives a reader's fatal error and bounds a
// message's reading, against the in-process mail servers.
func TestHostileDocumentsInProcess(t *testing.T) {
	t.Setenv(crashreader.Env, "1")
	h := newHarness(t, func(c *Config) { c.Limits.MessageReadCPU.Duration = hostileBudget })
	h.start()
	hostileRun{t: t, d: h.d, tag: "inprocess",
		send: func(_, raw string) { h.deliver(raw) },
		replies: func(rcpt string, n int) []string {
			var out []string
			for _, d := range h.mail.DeliveredTo(rcpt) {
				out = append(out, textOf(t, d.Raw))
			}
			if len(out) != n {
				t.Fatalf("%s got %d replies, want %d", rcpt, len(out), n)
			}
			return out
		},
		settle: func(n int) { h.settle(n, 0) },
	}.run("referente@comune.venezia.it", "referente@comune.padova.it")
	select {
	case <-h.done:
		t.Fatal("the daemon stopped")
	default:
	}
}

// TestReaderFailureLabels: the ops metrics tell a worker's crash, its memory cap and the
// message's budget apart from the readers' own failures, by the reason's key (rewording a
// reason changes no label), and every reason with a label has a text.
func TestReaderFailureLabels(t *testing.T) {
	for key, want := range map[string]string{
		reasonWorkerCrash:    "crash",
		reasonWorkerMemory:   "memory",
		reasonWorkerSlow:     "timeout",
		reasonBudgetCPU:      "budget",
		"worker.budget_docs": "budget",
		"doc.scan":           "scan",
		"part.too_deep":      "other",
	} {
		if got := failureReason(key); got != want {
			t.Errorf("failureReason(%q) = %q, want %q", key, got, want)
		}
	}
	for key := range failureLabels {
		if _, ok := say.Format(key); !ok {
			t.Errorf("failure label for %q, which templates/say does not have", key)
		}
	}
}
