package ticketing

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkOutboxSend is the outbox's side of one automatic reply of ~33 KB (the letter
// workload's): queued in a transaction, then, as the sender does, claimed in one transaction
// with the 99 queued before it, and marked sent with them in another. cpu-ns/op is the process's CPU time (every thread), written-bytes/op
// what it handed the kernel to write (the WAL and, at checkpoints, the database).
//
//	go test ./ticketing -run '^$' -bench OutboxSend -benchmem
func BenchmarkOutboxSend(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	raw := bytes.Repeat([]byte("0123456789abcdef\r\n"), 33<<10/18)
	now := time.Now()
	i := 0
	var queued []*OutMail
	send := func() {
		if err := s.Update(ctx, func(tx *Tx) error {
			for _, m := range queued {
				if ok, err := tx.Claim(m, now, now.Add(time.Minute)); err != nil || !ok {
					return fmt.Errorf("claim: %v %w", ok, err)
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		if err := s.Update(ctx, func(tx *Tx) error {
			for _, m := range queued {
				if err := tx.MarkSent(m, now); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		queued = queued[:0]
	}
	cpu, wrote := processCPU(), writtenBytes()
	b.ReportAllocs()
	for b.Loop() {
		i++
		m := &OutMail{MessageID: fmt.Sprintf("m%d@bench", i), Kind: "docs_checking", From: "a@example.org",
			Rcpts: []string{"b@example.org"}, Raw: raw, Auto: true}
		if err := s.Update(ctx, func(tx *Tx) error { return tx.Enqueue(m, now) }); err != nil {
			b.Fatal(err)
		}
		if queued = append(queued, m); len(queued) == 100 {
			send()
		}
	}
	send()
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(writtenBytes()-wrote)/float64(b.N), "written-bytes/op")
}

// processCPU is the CPU time of this process so far (user and system, every thread).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// writtenBytes is what this process has passed to write system calls so far (wchar of
// /proc/self/io; 0 where there is none).
func writtenBytes() int64 {
	b, _ := os.ReadFile("/proc/self/io")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}
