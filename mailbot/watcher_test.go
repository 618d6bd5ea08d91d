package mailbot

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestStoreChunks: a fetched message reaches its file whole, however the connection hands it
// over, and a connection cut mid-message is an error, never a shorter message stored as whole.
func TestStoreChunks(t *testing.T) {
	msg := strings.Repeat("Subject: x\r\n\r\na line of text\r\n", 1000) // 32,000 bytes
	cut := errors.New("connection cut")
	for _, c := range []struct {
		name    string
		src     func() io.Reader
		buf     int
		want    string
		wantErr error
	}{
		{"larger buffer", func() io.Reader { return strings.NewReader(msg) }, 64 << 10, msg, nil},
		{"smaller buffer", func() io.Reader { return strings.NewReader(msg) }, 4096, msg, nil},
		{"buffer divides it", func() io.Reader { return strings.NewReader(msg) }, 1000, msg, nil},
		{"a byte a read", func() io.Reader { return iotest.OneByteReader(strings.NewReader(msg)) }, 4096, msg, nil},
		{"EOF with the data", func() io.Reader { return iotest.DataErrReader(strings.NewReader(msg)) }, 4096, msg, nil},
		{"empty", func() io.Reader { return strings.NewReader("") }, 4096, "", nil},
		{"cut", func() io.Reader { return io.MultiReader(strings.NewReader(msg[:5000]), iotest.ErrReader(cut)) }, 4096, msg[:5000], cut},
		{"cut with a full buffer", func() io.Reader { return io.MultiReader(strings.NewReader(msg[:4096]), iotest.ErrReader(cut)) }, 4096, msg[:4096], cut},
	} {
		t.Run(c.name, func(t *testing.T) {
			var dst bytes.Buffer
			err := storeChunks(&dst, c.src(), make([]byte, c.buf))
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			if dst.String() != c.want {
				t.Errorf("stored %d bytes, want %d", dst.Len(), len(c.want))
			}
		})
	}
}
