package ticketing

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPutBlobUnsynced: a message stored at once is found at the address PutBlob gives it; a
// file a crash left short there is completed, and a whole one made fresh again (a retention run
// must not take it for an orphan before the transaction that refers to it).
func TestPutBlobUnsynced(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	raw := bytes.Repeat([]byte("Subject: x\r\n\r\na line of text\r\n"), 3000)
	sum, err := s.PutBlob(raw)
	if err != nil {
		t.Fatal(err)
	}
	path := blobPath(s.dir, sum)
	old := time.Now().Add(-48 * time.Hour)
	for _, c := range []struct {
		name string
		left []byte // what the file held before
	}{
		{"whole", raw},
		{"cut short", raw[:5000]},
		{"empty", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := os.WriteFile(path, c.left, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
			got, err := s.PutBlobUnsynced(raw)
			if err != nil || got != sum {
				t.Fatalf("PutBlobUnsynced = %s, %v; want %s", got, err, sum)
			}
			if err := s.SyncBlobs([]string{got}); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(data, raw) {
				t.Errorf("file holds %d bytes (%v), want the %d of the message", len(data), err, len(raw))
			}
			if st, err := os.Stat(path); err != nil || !st.ModTime().After(old.Add(time.Hour)) {
				t.Errorf("file not made fresh: %v", err)
			}
		})
	}
	if err := os.RemoveAll(filepath.Join(s.dir, "messages")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.PutBlobUnsynced(raw); err != nil || got != sum {
		t.Fatalf("into a store without its directories: %s, %v", got, err)
	}
}

// TestSyncBlobs: a few messages are synced file by file and a batch all at once; either way a
// message missing from the disk is an error naming it, never taken for durable.
func TestSyncBlobs(t *testing.T) {
	for _, n := range []int{1, syncWholeFrom - 1, syncWholeFrom, 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			s, sums := storeWithBlobs(t, n)
			if err := s.SyncBlobs(sums); err != nil {
				t.Fatalf("SyncBlobs: %v", err)
			}
			gone := sums[n/2]
			if err := os.Remove(blobPath(s.dir, gone)); err != nil {
				t.Fatal(err)
			}
			if err := s.SyncBlobs(sums); err == nil || !strings.Contains(err.Error(), gone) {
				t.Errorf("SyncBlobs with %s gone = %v, want an error naming it", gone, err)
			}
		})
	}
}

// storeWithBlobs opens a store holding n small messages, stored unsynced as a fetch does.
func storeWithBlobs(t *testing.T, n int) (*Store, []string) {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var sums []string
	for i := range n {
		sum, err := s.PutBlobUnsynced(fmt.Appendf(nil, "Subject: %d\r\n\r\ntext\r\n", i))
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, sum)
	}
	return s, sums
}

// TestPutBlobCompletesShortFile: a message a crash left cut short at its address (written in
// place by PutBlobUnsynced) is whole again when the same content is stored through PutBlob,
// not taken for already kept.
func TestPutBlobCompletesShortFile(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	raw := bytes.Repeat([]byte("Subject: y\r\n\r\nanother line\r\n"), 3000)
	sum, err := s.PutBlobUnsynced(raw)
	if err != nil {
		t.Fatal(err)
	}
	path := blobPath(s.dir, sum)
	if err := os.Truncate(path, 4096); err != nil {
		t.Fatal(err)
	}
	if got, err := s.PutBlob(raw); err != nil || got != sum {
		t.Fatalf("PutBlob = %s, %v; want %s", got, err, sum)
	}
	if data, err := os.ReadFile(path); err != nil || !bytes.Equal(data, raw) {
		t.Errorf("file holds %d bytes (%v), want the %d of the message", len(data), err, len(raw))
	}
}
