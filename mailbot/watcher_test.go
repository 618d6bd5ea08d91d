package mailbot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	loadreq "mailbot/internal/loadreq"
	"mailbot/internal/wait"
	"mailbot/ticketing"
)

// TestWatcherKeep: a fetched message reaches its file whole, however the connection hands it
// over and whether it fits the watcher's buffer (stored at once) or not (streamed), and a
// connection cut mid-message is an error, never a shorter message stored as whole.
func TestWatcherKeep(t *testing.T) {
	store, err := ticketing.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	w := NewWatcher(MailboxConfig{Name: "callcenter"}, nil, store, slog.New(slog.DiscardHandler), 40<<20)
	msg := strings.Repeat("Subject: x\r\n\r\na line of text\r\n", 1000) // 32,000 bytes
	cut := errors.New("connection cut")
	for _, c := range []struct {
		name    string
		src     func() io.Reader
		buf     int
		want    string
		wantErr error
	}{
		{"fits", func() io.Reader { return strings.NewReader(msg) }, 64 << 10, msg, nil},
		{"streamed", func() io.Reader { return strings.NewReader(msg) }, 4096, msg, nil},
		{"buffer divides it", func() io.Reader { return strings.NewReader(msg) }, 1000, msg, nil},
		{"as long as the buffer", func() io.Reader { return strings.NewReader(msg) }, len(msg), msg, nil},
		{"a byte a read", func() io.Reader { return iotest.OneByteReader(strings.NewReader(msg)) }, 4096, msg, nil},
		{"EOF with the data", func() io.Reader { return iotest.DataErrReader(strings.NewReader(msg)) }, 64 << 10, msg, nil},
		{"empty", func() io.Reader { return strings.NewReader("") }, 4096, "", nil},
		{"cut", func() io.Reader { return io.MultiReader(strings.NewReader(msg[:5000]), iotest.ErrReader(cut)) }, 64 << 10, "", cut},
		{"cut, streamed", func() io.Reader { return io.MultiReader(strings.NewReader(msg[:5000]), iotest.ErrReader(cut)) }, 4096, "", cut},
		{"cut with a full buffer", func() io.Reader { return io.MultiReader(strings.NewReader(msg[:4096]), iotest.ErrReader(cut)) }, 4096, "", cut},
	} {
		t.Run(c.name, func(t *testing.T) {
			sum, err := w.keep(c.src(), make([]byte, c.buf))
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			if err != nil {
				return
			}
			got, held, err := store.ReadBlob(sum, nil, 1<<20)
			if err != nil || !held {
				t.Fatalf("read back %s: %v", sum, err)
			}
			if string(got) != c.want {
				t.Errorf("stored %d bytes, want %d", len(got), len(c.want))
			}
		})
	}
}

// TestWatcherRecordsInGroups: a batch is recorded a group of minGroup messages a transaction,
// however slowly its messages are read, and a message alone is recorded at once. Before, the
// recorder kept up with the readers and committed each letter of a backlog alone.
func TestWatcherRecordsInGroups(t *testing.T) {
	for _, n := range []int{1, 3, 2 * minGroup, minGroup + 5} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			w, f, store := groupBatch(t, n)
			w.GroupWait = time.Minute // however slow the machine: this test is not about the wait
			before := store.Writes()
			var last uint32
			r := w.record(context.Background(), f, &last)
			for i := range n { // read one at a time, slower than a commit
				close(f.ready[i])
				time.Sleep(5 * time.Millisecond)
			}
			uids, err := r.wait()
			if err != nil || len(uids) != n || last != uint32(n) {
				t.Fatalf("recorded %d of %d up to uid %d: %v", len(uids), n, last, err)
			}
			want := int64((n + minGroup - 1) / minGroup)
			if got := store.Writes() - before; got != want {
				t.Errorf("%d messages recorded in %d transactions, want %d", n, got, want)
			}
		})
	}
}

// TestWatcherGroupWaitsNoLonger: the messages read before a slow one (a large scan, a document
// read to its deadline) are recorded once they have waited GroupWait for it, not when it ends.
func TestWatcherGroupWaitsNoLonger(t *testing.T) {
	const n, slow = minGroup + 5, 10
	w, f, store := groupBatch(t, n)
	w.GroupWait = 50 * time.Millisecond
	before := store.Writes()
	var last uint32
	r := w.record(context.Background(), f, &last)
	for i := range slow {
		close(f.ready[i])
	}
	wait.For(t, "the messages before the slow one recorded", func() bool { return store.Writes()-before == 1 })
	for i := n - 1; i >= slow; i-- { // the slow one last: the recorder then finds the rest read
		close(f.ready[i])
	}
	uids, err := r.wait()
	if err != nil || len(uids) != n || last != uint32(n) {
		t.Fatalf("recorded %d of %d up to uid %d: %v", len(uids), n, last, err)
	}
	if got := store.Writes() - before; got != 2 {
		t.Errorf("recorded in %d transactions, want 2: the %d before the slow one, then the rest", got, slow)
	}
}

// groupBatch is a watcher and a fetched batch of n letter requests, prepared and synced but none
// marked ready.
func groupBatch(t *testing.T, n int) (*Watcher, *fetched, *ticketing.Store) {
	t.Helper()
	in, store := quarantineIntake(t, t.TempDir())
	w := NewWatcher(in.cfg.Mailboxes[0], in, store, slog.New(slog.DiscardHandler), 40<<20)
	f := &fetched{prepared: make([]Prepared, n), ready: make([]chan struct{}, n), synced: make(chan error, 1)}
	f.synced <- nil
	for i := range n {
		raw := loadreq.Letter(i, fmt.Sprintf("referente+%d@comune.venezia.it", i), time.Now())
		sum, err := store.PutBlob(raw)
		if err != nil {
			t.Fatal(err)
		}
		f.prepared[i] = in.Prepare(Incoming{Mailbox: "callcenter", UIDValidity: 1, UID: uint32(i + 1), Blob: sum, Size: int64(len(raw))})
		f.ready[i] = make(chan struct{})
	}
	return w, f, store
}
