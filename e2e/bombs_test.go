package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"mailbot/internal/bombs"
	"mailbot/internal/mailtest"
)

// The budget of issue 11: with every bomb in its mailbox, mailbot serve stays under this peak
// RSS and answers an ordinary request sent right behind them within ordinaryReply.
const (
	maxPeakRSS = 150 << 20
	// The bound says the request is not queued behind the bombs (six readings that each run to
	// their 5 s deadline would take 30 s), with room for a loaded 2-core machine: the quiet
	// figure (2-4 s) is in BENCHMARKS.md, not asserted here.
	ordinaryReply = 20 * time.Second
)

// TestBombsServe puts every bomb of internal/bombs (nested content controls, a sheet at column
// XFD, PDF streams that inflate to 1 GiB and one stream shared by 500 pages, a 32 MiB header, a
// 39 MiB body) into the call center's mailbox of a running `mailbot serve`, sends an ordinary
// request right behind them, and checks that the request is answered within ordinaryReply and
// that the daemon's peak RSS (VmHWM) stays under maxPeakRSS.
func TestBombsServe(t *testing.T) {
	imapAddr, smtpAddr := mailtest.Real(t)
	for _, u := range []string{callCenter, cluster, venezia, padova} {
		mailtest.Reset(t, imapAddr, u)
	}
	bin := mailbotBinary(t)
	dataDir := t.TempDir()
	config := writeConfig(t, dataDir, smtpAddr, imapAddr)
	store := openStore(t, dataDir) // first: it applies the migrations
	d := startDaemon(t, bin, config, filepath.Join(dataDir, "serve.log"))
	defer func() {
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dataDir, "serve.log"))
			t.Logf("serve log (tail):\n%s", tail(log, 4000))
		}
	}()

	run := fmt.Sprintf("%x", time.Now().UnixNano())
	ordinary := func(i int) []byte {
		return fmt.Appendf(nil, "From: Referente <%s>\r\nTo: %s\r\nSubject: Richiesta integrazione MyPay %d\r\n"+
			"Date: %s\r\nMessage-ID: <ordinary-%s-%d@comune.padova.it>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
			"Buongiorno, chiediamo l'attivazione di MyPay per il Comune di Padova.\r\n",
			padova, callCenter, i, time.Now().Format(time.RFC1123Z), run, i)
	}
	// Once answered, the daemon is logged in and idle: what follows is timed from a quiet start.
	mailtest.Send(t, smtpAddr, padova, []string{callCenter}, ordinary(1))
	mailtest.WaitMessages(t, imapAddr, padova, 1, 60*time.Second)
	base := vmHWM(t, d.cmd.Process.Pid)

	all := bombs.All(venezia, callCenter, run)
	var raws [][]byte
	var size int
	for _, b := range all {
		raws = append(raws, withTrace(callCenter, b.Raw))
		size += len(b.Raw)
	}
	start := time.Now()
	appendMessages(t, imapAddr, callCenter, raws)
	t.Logf("%d bombs (%d MB) appended in %s", len(all), size>>20, time.Since(start).Round(time.Millisecond))
	raws = nil

	start = time.Now()
	mailtest.Send(t, smtpAddr, padova, []string{callCenter}, ordinary(2))
	mailtest.WaitMessages(t, imapAddr, padova, 2, 120*time.Second)
	took := time.Since(start)
	if err := store.WaitQuiet(bg, map[string]int{"callcenter": 2 + len(all)}, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	peak := vmHWM(t, d.cmd.Process.Pid)
	d.stop()
	t.Logf("ordinary request answered %s after it was sent behind the bombs; peak RSS %d MB (%d MB before the bombs)",
		took.Round(time.Millisecond), peak>>20, base>>20)
	if took > ordinaryReply {
		t.Errorf("the ordinary request took %s, want under %s", took.Round(time.Millisecond), ordinaryReply)
	}
	if peak > maxPeakRSS {
		t.Errorf("peak RSS %d MB, want under %d MB", peak>>20, maxPeakRSS>>20)
	}
}

// TestBombsInspect reads each bomb with `mailbot inspect -json` in a child process, one at a
// time, and reports its time, peak RSS and outcome (the BENCHMARKS.md table); each must stay
// under maxPeakRSS. No mail server is needed.
func TestBombsInspect(t *testing.T) {
	if testing.Short() {
		t.Skip("reads ~75 MB of hostile mail")
	}
	bin := mailbotBinary(t)
	dir := t.TempDir()
	t.Logf("| input | size | time | peak RSS | outcome |")
	for _, b := range bombs.All(venezia, callCenter, "inspect") {
		path := filepath.Join(dir, b.Name+".eml")
		if err := os.WriteFile(path, b.Raw, 0o600); err != nil {
			t.Fatal(err)
		}
		size := len(b.Raw)
		b.Raw = nil
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(bin, "inspect", "-json", path)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Sampled: the child's rusage would count the test process it was forked from.
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var peak int64
		var err error
	wait:
		for {
			if v, ok := readVmHWM(cmd.Process.Pid); ok {
				peak = max(peak, v)
			}
			select {
			case err = <-done:
				break wait
			case <-time.After(2 * time.Millisecond):
			}
		}
		took := time.Since(start)
		os.Remove(path)
		outcome := inspectOutcome(stdout.Bytes(), stderr.String(), err)
		t.Logf("| %s | %s | %s | %d MB | %s |", b.Name, humanSize(size), took.Round(10*time.Millisecond), peak>>20, outcome)
		if peak > maxPeakRSS {
			t.Errorf("%s: peak RSS %d MB, want under %d MB", b.Name, peak>>20, maxPeakRSS>>20)
		}
	}
}

// inspectOutcome says in a few words what mailbot made of a message.
func inspectOutcome(out []byte, stderr string, err error) string {
	if err != nil {
		return "error: " + strings.TrimSpace(stderr)
	}
	var a struct {
		Forms      []json.RawMessage
		Rejected   []struct{ Part, Reason string }
		Unreadable []struct{ Part, Reason string }
	}
	if err := json.Unmarshal(out, &a); err != nil {
		return "bad JSON: " + err.Error()
	}
	var parts []string
	for _, r := range a.Unreadable {
		parts = append(parts, "to a person: "+r.Reason)
	}
	for _, r := range a.Rejected {
		parts = append(parts, "rejected: "+r.Reason)
	}
	if len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("read, %d forms", len(a.Forms)))
	}
	return strings.Join(parts, "; ")
}

func humanSize(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}

// vmHWM returns the peak resident set size of a running process, from /proc.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	v, ok := readVmHWM(pid)
	if !ok {
		t.Fatalf("no VmHWM in /proc/%d/status", pid)
	}
	return v
}

func readVmHWM(pid int) (int64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
