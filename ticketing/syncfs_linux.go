package ticketing

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// othersDirty bounds the data written by others and not yet on disk that a batch of blobs may
// wait for: syncfs writes all of a file system's, whoever wrote it, and a batch must not wait
// behind a copy of a gigabyte. Past it, the blobs are synced file by file.
const othersDirty = 64 << 20

// syncFS makes everything written to the file system holding dir durable with one syncfs(2):
// every file's data and metadata, every directory, and the disk's cache flushed once. Since
// Linux 5.8 it reports a write-back error of that file system no one was told of yet, as fsync
// does for one file. It does nothing (false) when the machine holds more than own bytes and
// othersDirty not yet written, or when the kernel has no syncfs.
func syncFS(dir string, own int64) (bool, error) {
	meminfo, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return false, nil
	}
	if d, ok := unwritten(meminfo); !ok || d > own+othersDirty {
		return false, nil
	}
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer f.Close()
	err = unix.Syncfs(int(f.Fd()))
	if errors.Is(err, errors.ErrUnsupported) { // ENOSYS
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("syncfs: %w", err)
	}
	return true, nil
}

// unwritten reads from /proc/meminfo the bytes written on this machine and not yet on its
// disks: those still dirty and those being written.
func unwritten(meminfo []byte) (int64, bool) {
	var sum int64
	found := 0
	for line := range bytes.Lines(meminfo) {
		name, rest, ok := bytes.Cut(line, []byte(":"))
		if !ok || (string(name) != "Dirty" && string(name) != "Writeback") {
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
		found++
	}
	return sum, found == 2
}
