package mailbot

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"mailbot/internal/loadreq"
)

// BenchmarkPrepareLetter is the watcher's parallel work on one request of the letter workload
// (issue 17: the Informativa Generale typed in the body, a printed cover letter attached),
// its blob already stored: Prepare reads the envelope and the MIME walk, the body form, and
// the letter, in this process or in a worker as the daemon does. cpu-ms/msg is this process's
// CPU time and the workers' (their start spread over the run) per message.
//
//	go test ./mailbot -run '^$' -bench PrepareLetter -benchmem
func BenchmarkPrepareLetter(b *testing.B) {
	run := func(b *testing.B, pool *ReaderPool) {
		in, store, _ := benchIntake(b, 0)
		in.Documents = pool
		raw := loadreq.Letter(1, "referente+1@comune.venezia.it", time.Now())
		sum, err := store.PutBlob(raw)
		if err != nil {
			b.Fatal(err)
		}
		m := Incoming{Mailbox: "callcenter", UIDValidity: 1, UID: 1, Blob: sum, Size: int64(len(raw))}
		p := in.Prepare(m) // a worker started, the readers warm
		if p.perr != nil || p.msg.an == nil || len(p.msg.an.Forms) < 1 || len(p.msg.an.Unreadable)+len(p.msg.an.Rejected) > 0 {
			b.Fatalf("request not understood: %v %+v", p.perr, p.msg.an)
		}
		workers := func() time.Duration {
			if pool == nil {
				return 0
			}
			return pool.Stats().CPU
		}
		self, others := selfCPU(), workers()
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			in.Prepare(m)
		}
		self, others = selfCPU()-self, workers()-others
		perMsg := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(b.N) }
		b.ReportMetric(perMsg(self+others), "cpu-ms/msg")
		b.ReportMetric(perMsg(others), "worker-cpu-ms/msg")
	}
	b.Run("in-process", func(b *testing.B) { run(b, nil) })
	b.Run("worker", func(b *testing.B) {
		p := NewReaderPool(nil)
		defer p.Close()
		run(b, p)
	})
}

// BenchmarkStoreLetter is the watcher's storing of one fetched letter request: read into the
// watcher's buffer, hashed and written at its content address (unsynced: the batch is synced
// at once), as Watcher.keep does.
func BenchmarkStoreLetter(b *testing.B) {
	_, store, _ := benchIntake(b, 0)
	w := NewWatcher(MailboxConfig{Name: "callcenter"}, nil, store, slog.New(slog.DiscardHandler), 40<<20)
	raw := loadreq.Letter(1, "referente+1@comune.venezia.it", time.Now())
	buf := make([]byte, 256<<10)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	self := selfCPU()
	i := 0
	for b.Loop() {
		i++
		// A trace header of its own makes each a new file, as each fetched message is.
		msg := io.MultiReader(strings.NewReader(fmt.Sprintf("X-Bench: %d\r\n", i)), bytes.NewReader(raw))
		if _, err := w.keep(msg, buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(selfCPU()-self)/float64(time.Millisecond)/float64(b.N), "cpu-ms/msg")
}

// BenchmarkPrepareBatch is Watcher.start preparing a fetched batch of 100 letter requests with
// the read workers, as a backlog does, until every message is prepared and the batch synced
// (its one file: little to write back, so little but reading is timed): the goroutines the
// batch is prepared on included, which a Prepare called in a loop does not count (each new
// goroutine grows its stack again through the reading of a message).
//
//	go test ./mailbot -run '^$' -bench PrepareBatch -benchmem
func BenchmarkPrepareBatch(b *testing.B) {
	const batch = 100
	in, store, _ := benchIntake(b, 0)
	pool := NewReaderPool(nil)
	defer pool.Close()
	in.Documents = pool
	w := NewWatcher(in.cfg.Mailboxes[0], in, store, slog.New(slog.DiscardHandler), 40<<20)
	raw := loadreq.Letter(1, "referente+1@comune.venezia.it", time.Now())
	sum, err := store.PutBlob(raw)
	if err != nil {
		b.Fatal(err)
	}
	msgs := make([]Incoming, batch)
	for i := range msgs {
		msgs[i] = Incoming{Mailbox: "callcenter", UIDValidity: 1, UID: uint32(i + 1), Blob: sum, Size: int64(len(raw))}
	}
	in.Prepare(msgs[0]) // a worker started, the readers warm
	self, others := selfCPU(), pool.Stats().CPU
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f := w.start(msgs)
		for i, r := range f.ready {
			<-r
			if p := f.prepared[i]; p.perr != nil || p.msg.an == nil || len(p.msg.an.Forms) < 1 {
				b.Fatalf("request %d not understood: %v", i, p.perr)
			}
		}
		if err := <-f.synced; err != nil {
			b.Fatal(err)
		}
	}
	self, others = selfCPU()-self, pool.Stats().CPU-others
	perMsg := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(b.N*batch) }
	b.ReportMetric(perMsg(self+others), "cpu-ms/msg")
	b.ReportMetric(perMsg(others), "worker-cpu-ms/msg")
}
