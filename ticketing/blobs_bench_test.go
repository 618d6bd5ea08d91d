package ticketing

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkPutBlob stores one ~87 KB raw message as the watcher does: written, fsynced,
// renamed to its content address.
//
//	go test ./ticketing -run '^$' -bench PutBlob -benchmem
func BenchmarkPutBlob(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	raw := bytes.Repeat([]byte("x"), 87<<10)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		copy(raw, fmt.Sprintf("Message-ID: <%d@bench>\r\n", i)) // distinct content, distinct file
		if _, err := s.PutBlob(raw); err != nil {
			b.Fatal(err)
		}
	}
}
