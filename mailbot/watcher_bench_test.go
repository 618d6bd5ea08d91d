package mailbot

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	loadreq "mailbot/internal/loadreq"
	"mailbot/internal/localmail"
	"mailbot/ticketing"
)

// BenchmarkWatcherFetch is the watcher's fetch of a batch of 100 letter requests (~109 KB each)
// from an in-process IMAP server: each streamed to its blob, hashed and moved to its content
// address, then the batch synced (fetch, then SyncBlobs, as fetchBatch does before any
// transaction refers to them). Delivering the batch is not timed. cpu-ms/msg is the process's
// CPU, the IMAP server's included.
//
//	go test ./mailbot -run '^$' -bench WatcherFetch -benchmem -benchtime 10x
func BenchmarkWatcherFetch(b *testing.B) {
	const batch = 100
	l, err := localmail.Start(CallCenter)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(l.Close)
	store, err := ticketing.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	w := NewWatcher(MailboxConfig{Name: "callcenter", Address: CallCenter, IMAPAddr: l.IMAPAddr, TLS: "none",
		Username: CallCenter, Password: l.Password}, nil, store, slog.New(slog.DiscardHandler), 40<<20)
	c, err := w.connect(context.Background(), &imapclient.Options{TLSConfig: &tls.Config{}})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		b.Fatal(err)
	}
	var size int64
	n, uid := 0, imap.UID(0)
	var cpu time.Duration
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		uids := make([]imap.UID, batch)
		for k := range uids {
			n++
			raw := loadreq.Letter(n, fmt.Sprintf("referente+%d@comune.venezia.it", n), time.Now())
			if err := l.Deliver(CallCenter, raw); err != nil {
				b.Fatal(err)
			}
			uid++
			uids[k] = uid
			size += int64(len(raw))
		}
		start := processCPU()
		b.StartTimer()
		got, err := w.fetch(c, 1, uids, 0)
		if err != nil || len(got) != batch {
			b.Fatalf("fetched %d of %d: %v", len(got), batch, err)
		}
		sums := make([]string, len(got))
		for i, in := range got {
			sums[i] = in.Blob
		}
		if err := store.SyncBlobs(sums); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += processCPU() - start
		b.StartTimer()
	}
	b.StopTimer()
	msgs := float64(b.N * batch)
	b.ReportMetric(float64(size)/msgs, "bytes/msg")
	b.ReportMetric(float64(cpu)/float64(time.Millisecond)/msgs, "cpu-ms/msg")
	b.ReportMetric(float64(b.Elapsed())/float64(time.Millisecond)/msgs, "ms/msg")
}
