package mailbot

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	loadreq "mailbot/internal/loadreq"
	"mailbot/internal/localmail"
	"mailbot/ticketing"
)

// BenchmarkWatcherFetch is the watcher's fetch of a batch of 100 letter requests (~109 KB each):
// each streamed to its blob, hashed and moved to its content address, then the batch synced
// (fetch, then SyncBlobs, as fetchBatch does before any transaction refers to them), and what
// it kept in memory given back as Prepare would. Delivering the batch is not timed. With
// MAILBOT_TEST_IMAP set it fetches from that server (the real Dovecot, in a mailbox of its own
// that it deletes after), and cpu-ms/msg is mailbot's alone; else from an in-process server,
// whose CPU cpu-ms/msg includes.
//
//	MAILBOT_TEST_IMAP=127.0.0.1:10143 go test ./mailbot -run '^$' -bench WatcherFetch -benchmem -benchtime 10x
func BenchmarkWatcherFetch(b *testing.B) {
	const batch = 100
	cfg := MailboxConfig{Name: "callcenter", IMAPAddr: os.Getenv("MAILBOT_TEST_IMAP"), TLS: "none",
		Username: "staff2@regione.veneto.it", Password: "secret"}
	mailbox := fmt.Sprintf("bench-fetch-%d", time.Now().UnixNano())
	if cfg.IMAPAddr == "" {
		l, err := localmail.Start(CallCenter)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(l.Close)
		cfg.IMAPAddr, cfg.Username, cfg.Password, mailbox = l.IMAPAddr, CallCenter, l.Password, "INBOX"
	}
	store, err := ticketing.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	for i := range 256 { // as in a store that has kept messages for a while
		if err := os.MkdirAll(filepath.Join(store.Dir(), "messages", fmt.Sprintf("%02x", i)), 0o750); err != nil {
			b.Fatal(err)
		}
	}
	w := NewWatcher(cfg, nil, store, slog.New(slog.DiscardHandler), 40<<20)
	c, err := w.connect(context.Background(), &imapclient.Options{TLSConfig: &tls.Config{}})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if mailbox != "INBOX" {
		if err := c.Create(mailbox, nil).Wait(); err != nil {
			b.Fatal(err)
		}
		defer func() { c.Delete(mailbox).Wait() }()
	}
	if _, err := c.Select(mailbox, nil).Wait(); err != nil {
		b.Fatal(err)
	}
	var size int64
	n := 0
	var cpu time.Duration
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		uids := make([]imap.UID, batch)
		for k := range uids {
			n++
			raw := loadreq.Letter(n, fmt.Sprintf("referente+%d@comune.venezia.it", n), time.Now())
			cmd := c.Append(mailbox, int64(len(raw)), nil)
			cmd.Write(raw)
			if err := cmd.Close(); err != nil {
				b.Fatal(err)
			}
			data, err := cmd.Wait()
			if err != nil || data.UID == 0 {
				b.Fatalf("append: %v (uid %d)", err, data.UID)
			}
			uids[k] = data.UID
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
