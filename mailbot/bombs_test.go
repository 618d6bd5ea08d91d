package mailbot

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"mailbot/internal/bombs"
)

// TestBombsInProcess is the in-process twin of e2e's TestBombsServe: every bomb of issue 11 in
// the call center's mailbox, then an ordinary request. Each bomb is recorded (read within its
// budgets, listed for a person, or quarantined), the ordinary request is acknowledged, and the
// live Go heap grows by less than maxBombHeap while they are read. The IMAP server lives in this
// process too: the baseline is taken with the messages delivered, and the bound counts the
// server's copies of the 72 MB it sends (e2e's TestBombsServe measures mailbot alone: 65-82 MB
// RSS in all). Unbounded, the body and the sheet alone took gigabytes.
func TestBombsInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("reads ~75 MB of hostile mail")
	}
	const maxBombHeap = 160 << 20
	const padova = "referente@comune.padova.it"
	h := newHarness(t)
	all := bombs.All("referente@comune.venezia.it", CallCenter, "inprocess")
	for _, b := range all {
		if err := h.mail.Deliver(CallCenter, b.Raw); err != nil {
			t.Fatalf("%s: %v", b.Name, err)
		}
	}
	delivered := len(all) + 1 // and the ordinary request below
	all = nil
	h.deliver(request(padova, "ordinary@comune.padova.it", "Richiesta integrazione MyPay", false))

	runtime.GC()
	base := liveHeap()
	// As serve does (80 MiB over its own small heap): garbage is collected before it counts.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(int64(base) + 80<<20))
	peak := base
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			peak = max(peak, liveHeap())
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	h.start()
	if err := h.d.Store.WaitQuiet(t.Context(), map[string]int{"callcenter": delivered}, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	close(stop)
	<-sampled
	t.Logf("heap %d MB with the bombs delivered, peak %d MB while mailbot read them", base>>20, peak>>20)
	if grew := peak - base; grew > maxBombHeap {
		t.Errorf("the heap grew by %d MB, want under %d MB", grew>>20, maxBombHeap>>20)
	}
	if got := h.sentTo(padova); len(got) != 1 || !strings.Contains(got[0], "Richiesta integrazione MyPay") {
		t.Errorf("the ordinary request got %q", got)
	}
}

// liveHeap is the heap found live by the last garbage collection, read without stopping the world.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		panic(fmt.Sprintf("metric %s unsupported", s[0].Name))
	}
	return s[0].Value.Uint64()
}
