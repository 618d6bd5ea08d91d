package mailbot

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/iotest"

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
