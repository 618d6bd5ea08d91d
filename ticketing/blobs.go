package ticketing

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// Raw messages are kept as content-addressed files, data_dir/messages/ab/abcdef….eml, written
// before the transaction that refers to them: a crash leaves at worst an unreferenced file, never
// a record without its message.

// BlobWriter streams a raw message to a temporary file while hashing it.
type BlobWriter struct {
	f    *os.File
	h    hash.Hash
	n    int64
	dir  string
	done bool
}

// NewBlob starts writing a raw message.
func (s *Store) NewBlob() (*BlobWriter, error) {
	tmp := filepath.Join(s.dir, "tmp")
	f, err := createTemp(tmp)
	if errors.Is(err, fs.ErrNotExist) { // made once, not looked for before every message
		if err := os.MkdirAll(tmp, 0o750); err != nil {
			return nil, fmt.Errorf("create tmp dir: %w", err)
		}
		f, err = createTemp(tmp)
	}
	if err != nil {
		return nil, fmt.Errorf("create temp file: %w", err)
	}
	return &BlobWriter{f: f, h: sha256.New(), dir: s.dir}, nil
}

// createTemp is os.CreateTemp(dir, "msg-*.eml") through openFile.
func createTemp(dir string) (*os.File, error) {
	for try := 0; ; try++ {
		f, err := openFile(filepath.Join(dir, "msg-"+strconv.FormatUint(rand.Uint64(), 36)+".eml"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, fs.ErrExist) || try == 100 {
			return f, err
		}
	}
}

func (b *BlobWriter) Write(p []byte) (int, error) {
	n, err := b.f.Write(p)
	b.h.Write(p[:n])
	b.n += int64(n)
	return n, err
}

// Size is the number of bytes written so far.
func (b *BlobWriter) Size() int64 { return b.n }

// Commit syncs the file and moves it to its content address, returning the hash.
func (b *BlobWriter) Commit() (string, error) { return b.commit(true) }

// CommitUnsynced moves the file to its content address without waiting for the disk: the caller
// must call SyncBlobs on the hash before any transaction refers to it. A batch of messages is
// then synced at once instead of one fsync after another (BenchmarkPutBlob: ~1 ms each).
func (b *BlobWriter) CommitUnsynced() (string, error) { return b.commit(false) }

func (b *BlobWriter) commit(sync bool) (string, error) {
	sum := hex.EncodeToString(b.h.Sum(nil))
	defer b.Abort()
	// Renamed over whatever the address holds: the same content kept before, or what a crash
	// left of it (PutBlobUnsynced writes in place), gets these bytes, as made now. A file
	// made fresh is also one that a retention run does not take for an orphan before the
	// transaction about to refer to it. A file already there may be one a committed
	// transaction refers to: it is replaced only by bytes already on disk.
	dst := blobPath(b.dir, sum)
	if _, err := os.Lstat(dst); err == nil {
		sync = true
	}
	if sync {
		if err := b.f.Sync(); err != nil {
			return "", fmt.Errorf("sync blob: %w", err)
		}
	}
	if err := b.f.Close(); err != nil {
		return "", fmt.Errorf("close blob: %w", err)
	}
	err := os.Rename(b.f.Name(), dst)
	if errors.Is(err, fs.ErrNotExist) { // the first message of its directory
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			return "", fmt.Errorf("create blob dir: %w", err)
		}
		err = os.Rename(b.f.Name(), dst)
	}
	if err != nil {
		return "", fmt.Errorf("store blob: %w", err)
	}
	b.done = true
	if sync { // the new name too, not only the bytes
		d, err := openFile(filepath.Dir(dst), os.O_RDONLY, 0)
		if err == nil {
			err = d.Sync()
			d.Close()
		}
		if err != nil {
			return "", fmt.Errorf("sync blob dir: %w", err)
		}
	}
	return sum, nil
}

// PutBlobUnsynced stores raw at its content address at once, without a temporary file, and
// without waiting for the disk: the caller must call SyncBlobs on the hash before any
// transaction refers to it. The bytes are written over whatever the file holds, never cutting
// it short: a file a crash left incomplete is completed, one written at the same time by another
// watcher (the same message in two mailboxes) gets the same bytes in the same places, and a
// file already whole is only made fresh again, as commit does. One file created instead of a
// temporary one created and renamed: the costliest step of storing a message.
func (s *Store) PutBlobUnsynced(raw []byte) (string, error) {
	h := sha256.Sum256(raw)
	sum := hex.EncodeToString(h[:])
	dst := blobPath(s.dir, sum)
	f, err := openFile(dst, os.O_WRONLY|os.O_CREATE, 0o600)
	if errors.Is(err, fs.ErrNotExist) { // the first message of its directory
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			return "", fmt.Errorf("create blob dir: %w", err)
		}
		f, err = openFile(dst, os.O_WRONLY|os.O_CREATE, 0o600)
	}
	if err != nil {
		return "", fmt.Errorf("store blob: %w", err)
	}
	if _, err := f.WriteAt(raw, 0); err != nil {
		f.Close()
		return "", fmt.Errorf("store blob: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("store blob: %w", err)
	}
	return sum, nil
}

// SyncBlobs makes stored blobs and their directory entries durable, all at once. A batch (a
// backlog is fetched a hundred messages at a time) syncs the file system holding them in one
// call: one flush of the disk's cache instead of one for each message and each directory, each
// a thread blocked in the kernel (in a backlog, a sixth of the daemon's context switches:
// BENCHMARKS.md, twelfth pass). A few are synced file by file, so that a message arriving alone
// waits for its own file, not for whatever else the machine wrote.
func (s *Store) SyncBlobs(sums []string) error {
	if len(sums) >= syncWholeFrom {
		if synced, err := s.syncWhole(sums); synced || err != nil {
			if err == nil {
				s.syncedAtOnce.Add(1)
			}
			return err
		}
	}
	paths := map[string]bool{}
	for _, sum := range sums {
		p := blobPath(s.dir, sum)
		paths[p] = true
		paths[filepath.Dir(p)] = true
	}
	errs := make(chan error, len(paths))
	sem := make(chan struct{}, 32)
	for p := range paths {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			f, err := openFile(p, os.O_RDONLY, 0)
			if err == nil {
				err = f.Sync()
				f.Close()
			}
			if err != nil {
				err = fmt.Errorf("sync blob: %w", err)
			}
			errs <- err
		}()
	}
	var all []error
	for range paths {
		all = append(all, <-errs)
	}
	err := errors.Join(all...)
	if err == nil && len(sums) > 0 {
		s.syncedByFile.Add(1)
	}
	return err
}

// BlobSyncs counts the batches SyncBlobs made durable since Open: at once (one syncfs of the
// file system) or file by file (an fsync for each message and each directory). Which one a
// backlog took decides much of what syncing it cost.
func (s *Store) BlobSyncs() (atOnce, fileByFile int64) {
	return s.syncedAtOnce.Load(), s.syncedByFile.Load()
}

// syncWholeFrom is the batch from which SyncBlobs syncs the file system at once.
const syncWholeFrom = 8

// syncWhole syncs the file system holding the blobs at once (fsSync), once it has found each
// of them there, as opening each to sync it would: a missing one is an error, never taken for
// durable. synced is false when the blobs are still to be synced file by file.
func (s *Store) syncWhole(sums []string) (synced bool, err error) {
	var own int64
	for _, sum := range sums {
		st, err := os.Lstat(blobPath(s.dir, sum))
		if err != nil {
			return false, fmt.Errorf("sync blob: %w", err)
		}
		own += st.Size()
	}
	synced, err = s.fsSync.sync(own)
	if err != nil {
		return false, fmt.Errorf("sync blobs: %w", err)
	}
	return synced, nil
}

// Abort discards the temporary file unless it was committed.
func (b *BlobWriter) Abort() {
	if b.done {
		return
	}
	b.f.Close()
	os.Remove(b.f.Name())
	b.done = true
}

// PutBlob stores raw bytes and returns their hash.
func (s *Store) PutBlob(raw []byte) (string, error) {
	b, err := s.NewBlob()
	if err != nil {
		return "", err
	}
	if _, err := b.Write(raw); err != nil {
		b.Abort()
		return "", fmt.Errorf("write blob: %w", err)
	}
	return b.Commit()
}

// OpenBlob opens a stored raw message.
func (s *Store) OpenBlob(sum string) (io.ReadCloser, error) {
	if len(sum) != 64 {
		return nil, fmt.Errorf("blob %q: %w", sum, ErrNotFound)
	}
	f, err := openFile(blobPath(s.dir, sum), os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("blob %s: %w", sum, ErrNotFound)
	}
	return f, err
}

// ReadBlob appends a stored raw message to buf if it holds at most max bytes; held is false,
// and nothing read, when it is larger (read it with OpenBlob).
func (s *Store) ReadBlob(sum string, buf []byte, max int64) (data []byte, held bool, err error) {
	f, err := s.OpenBlob(sum)
	if err != nil {
		return buf, false, err
	}
	defer f.Close()
	st, err := f.(*os.File).Stat()
	if err != nil {
		return buf, false, fmt.Errorf("blob %s: %w", sum, err)
	}
	if st.Size() > max {
		return buf, false, nil
	}
	n := int(st.Size())
	data = slices.Grow(buf, n)
	if _, err := io.ReadFull(f, data[len(buf):len(buf)+n]); err != nil {
		return buf, false, fmt.Errorf("read blob %s: %w", sum, err)
	}
	return data[:len(buf)+n], true, nil
}

func blobPath(dir, sum string) string {
	return filepath.Join(dir, "messages", sum[:2], sum+".eml")
}
