package ticketing

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
)

const meminfo = `MemTotal:       24683752 kB
MemFree:        19602544 kB
Dirty:             65600 kB
Writeback:          1024 kB
AnonPages:        497104 kB
WritebackTmp:          0 kB
`

// TestUnwritten: the bytes a syncfs would wait for are read from /proc/meminfo, and anything
// unexpected there sends a batch to be synced file by file.
func TestUnwritten(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     int64
		ok       bool
	}{
		{"dirty and being written", meminfo, (65600 + 1024) << 10, true},
		{"nothing", "Dirty: 0 kB\nWriteback: 0 kB\n", 0, true},
		{"no writeback line", "Dirty: 12 kB\n", 0, false},
		{"dirty twice", "Dirty: 12 kB\nDirty: 12 kB\n", 0, false},
		{"not in kB", "Dirty: 12 MB\nWriteback: 0 kB\n", 0, false},
		{"not a number", "Dirty: many kB\nWriteback: 0 kB\n", 0, false},
		{"negative", "Dirty: -5 kB\nWriteback: 0 kB\n", 0, false},
		{"empty", "", 0, false},
	} {
		got, ok := unwritten([]byte(c.in))
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("%s: unwritten = %d, %v; want %d, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// FuzzUnwritten: what unwritten reads is what its two lines say, read again another way.
func FuzzUnwritten(f *testing.F) {
	f.Add([]byte(meminfo))
	f.Add([]byte("Dirty: 1 kB\nWriteback: 2 kB"))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, ok := unwritten(b)
		if !ok {
			return
		}
		var dirty, writeback int64
		for _, line := range strings.Split(string(b), "\n") {
			var v int64
			if _, err := fmt.Sscanf(line, "Dirty: %d kB", &v); err == nil && strings.HasPrefix(line, "Dirty:") {
				dirty = v
			}
			if _, err := fmt.Sscanf(line, "Writeback: %d kB", &v); err == nil && strings.HasPrefix(line, "Writeback:") {
				writeback = v
			}
		}
		if n != (dirty+writeback)<<10 {
			t.Fatalf("unwritten = %d, the lines say %d + %d kB", n, dirty, writeback)
		}
	})
}

func TestKernelAtLeast(t *testing.T) {
	for release, want := range map[string]bool{
		"6.18.44-fc-v1272": true, "5.8.0": true, "5.10": true, "5.7.19": false, "4.19.0-25-amd64": false,
		"5.8-rc1": true, "linux": false, "": false, "10.0.0": true,
	} {
		if got := kernelAtLeast(release, 5, 8); got != want {
			t.Errorf("kernelAtLeast(%q, 5, 8) = %v, want %v", release, got, want)
		}
	}
}

// TestSyncBlobsAtOnce: a batch is synced with one syncfs while little else waits to be written,
// file by file when much does; and once syncfs has failed, file by file for good, since its
// error does not say which file it was.
func TestSyncBlobsAtOnce(t *testing.T) {
	if !syncfsReportsErrors() { // before Linux 5.8: never used
		s, sums := storeWithBlobs(t, syncWholeFrom)
		if synced, err := s.syncWhole(sums); synced || err != nil {
			t.Errorf("syncWhole on a kernel before 5.8 = %v, %v; want file by file", synced, err)
		}
		return
	}
	seam := func(t *testing.T, unwritten int64, fail error) {
		oldU, oldS := unwrittenNow, syncfs
		t.Cleanup(func() { unwrittenNow, syncfs = oldU, oldS })
		unwrittenNow = func() (int64, bool) { return unwritten, true }
		if fail != nil {
			syncfs = func(int) error { return fail }
		}
	}
	// counted: the batches synced at once and file by file, as operators see them.
	counted := func(t *testing.T, s *Store, atOnce, byFile int64) {
		t.Helper()
		if a, f := s.BlobSyncs(); a != atOnce || f != byFile {
			t.Errorf("BlobSyncs = %d at once, %d file by file; want %d, %d", a, f, atOnce, byFile)
		}
	}
	t.Run("little unwritten", func(t *testing.T) {
		seam(t, 0, nil)
		s, sums := storeWithBlobs(t, syncWholeFrom)
		if synced, err := s.syncWhole(sums); !synced || err != nil {
			t.Errorf("syncWhole = %v, %v; want synced at once", synced, err)
		}
		if err := s.SyncBlobs(sums); err != nil {
			t.Errorf("SyncBlobs: %v", err)
		}
		counted(t, s, 1, 0)
		if err := s.SyncBlobs(sums[:syncWholeFrom-1]); err != nil { // too few to sync at once
			t.Errorf("SyncBlobs: %v", err)
		}
		counted(t, s, 1, 1)
	})
	t.Run("much unwritten", func(t *testing.T) {
		seam(t, 1<<30, nil)
		s, sums := storeWithBlobs(t, syncWholeFrom)
		if synced, err := s.syncWhole(sums); synced || err != nil {
			t.Errorf("syncWhole = %v, %v; want file by file", synced, err)
		}
		if err := s.SyncBlobs(sums); err != nil {
			t.Errorf("SyncBlobs: %v", err)
		}
		counted(t, s, 0, 1)
	})
	t.Run("after an error", func(t *testing.T) {
		seam(t, 0, syscall.EIO)
		s, sums := storeWithBlobs(t, syncWholeFrom)
		if err := s.SyncBlobs(sums); err == nil || !strings.Contains(err.Error(), "input/output error") {
			t.Errorf("SyncBlobs = %v, want syncfs's error", err)
		}
		counted(t, s, 0, 0) // a batch that failed is not counted as made durable
		if synced, err := s.syncWhole(sums); synced || err != nil {
			t.Errorf("then syncWhole = %v, %v; want file by file", synced, err)
		}
		if err := s.SyncBlobs(sums); err != nil {
			t.Errorf("then SyncBlobs: %v", err)
		}
		counted(t, s, 0, 1)
	})
}
