package ticketing

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// fsSync makes a batch of blobs durable with syncfs(2) on the file system holding them:
// every file's data and metadata and every directory at once. Its descriptor is opened with
// the store, before any blob is written: the kernel reports a write-back error of the file
// system to each descriptor that has not seen it yet (since Linux 5.8), and one opened later
// would miss an error that another process's syncfs saw first. After an error it is off for
// good, and blobs are synced file by file, each fsync reporting its own file's error: an error
// does not say which file it was.
type fsSync struct {
	mu  sync.Mutex
	dir *os.File
	off bool
}

// othersDirty bounds the data written by others and not yet on disk that a batch of blobs may
// wait for: syncfs writes all of a file system's, whoever wrote it, and a batch must not wait
// behind a copy of a gigabyte. Past it, the blobs are synced file by file.
const othersDirty = 64 << 20

// Seams for tests.
var (
	syncfs       = unix.Syncfs
	unwrittenNow = func() (int64, bool) {
		b, err := os.ReadFile("/proc/meminfo")
		if err != nil {
			return 0, false
		}
		return unwritten(b)
	}
)

// openFSSync opens the blobs' directory dir for syncfs, or returns an fsSync that is off when
// the kernel does not report write-back errors to syncfs.
func openFSSync(dir string) *fsSync {
	s := &fsSync{off: !syncfsReportsErrors()}
	if s.off {
		return s
	}
	err := os.MkdirAll(dir, 0o750)
	if err == nil {
		s.dir, err = os.Open(dir)
	}
	s.off = err != nil
	return s
}

func (s *fsSync) close() {
	if s.dir != nil {
		s.dir.Close()
	}
}

// sync syncs the file system at once, unless it is off or the machine holds more than own
// bytes and othersDirty not yet written; synced says whether it did.
func (s *fsSync) sync(own int64) (synced bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.off {
		return false, nil
	}
	if d, ok := unwrittenNow(); !ok || d > own+othersDirty {
		return false, nil
	}
	if err := syncfs(int(s.dir.Fd())); err != nil {
		s.off = true
		if errors.Is(err, errors.ErrUnsupported) { // ENOSYS
			return false, nil
		}
		return false, fmt.Errorf("syncfs: %w", err)
	}
	// Without a journal, ext4 writes the inode tables and directories after syncfs's flush of
	// the disk's cache: a directory's fsync flushes it again.
	if err := s.dir.Sync(); err != nil {
		s.off = true
		return false, fmt.Errorf("sync blobs dir: %w", err)
	}
	return true, nil
}

// syncfsReportsErrors says whether this kernel's syncfs reports write-back errors (5.8 on).
func syncfsReportsErrors() bool {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return false
	}
	return kernelAtLeast(unix.ByteSliceToString(u.Release[:]), 5, 8)
}

// kernelAtLeast reads a release such as "6.18.44-fc-v1272".
func kernelAtLeast(release string, major, minor int) bool {
	parts := strings.SplitN(release, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	minorDigits := parts[1] // "8-rc1": the minor number is its leading digits
	if i := strings.IndexFunc(minorDigits, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minorDigits = minorDigits[:i]
	}
	mi, err2 := strconv.Atoi(minorDigits)
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// unwritten reads from /proc/meminfo the bytes written on this machine and not yet on its
// disks: those still dirty and those being written. Each line must be there once.
func unwritten(meminfo []byte) (int64, bool) {
	var sum int64
	var dirty, writeback int
	for line := range bytes.Lines(meminfo) {
		name, rest, ok := bytes.Cut(line, []byte(":"))
		switch {
		case !ok:
			continue
		case string(name) == "Dirty":
			dirty++
		case string(name) == "Writeback":
			writeback++
		default:
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return 0, false
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil || kb < 0 || kb > 1<<40 {
			return 0, false
		}
		sum += kb << 10
	}
	return sum, dirty == 1 && writeback == 1
}
