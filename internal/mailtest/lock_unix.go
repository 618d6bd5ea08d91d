//go:build unix

package mailtest

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// The machine-wide lock is an flock on a file in the temp directory; the
// process holds it while at least one of its tests that called Real runs.
var lock struct {
	sync.Mutex
	holders int
	f       *os.File
}

func acquire(t testing.TB) {
	t.Helper()
	lock.Lock()
	defer lock.Unlock()
	if lock.holders == 0 {
		name := filepath.Join(os.TempDir(), "mailbot-mailtest.lock")
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o666)
		if err != nil {
			t.Fatalf("mail servers lock: %v", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			t.Logf("waiting for another test binary to finish with the mail servers (%s)", name)
			if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
				f.Close()
				t.Fatalf("mail servers lock: %v", err)
			}
		}
		lock.f = f
	}
	lock.holders++
	t.Cleanup(release)
}

func release() {
	lock.Lock()
	defer lock.Unlock()
	lock.holders--
	if lock.holders == 0 {
		lock.f.Close() // closing the last descriptor drops the flock
		lock.f = nil
	}
}
