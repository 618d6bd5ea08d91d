//go:build unix

package ticketing

import (
	"os"
	"syscall"
)

// openFile is os.OpenFile without its attempt to register the file with the runtime's poller,
// which on Linux fails for a regular file or a directory after an epoll_ctl and four fcntl
// calls: five system calls saved on each of the files a backlog creates, syncs and reads back
// (a letter request's message is opened three times, its directory once).
func openFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	for {
		fd, err := syscall.Open(name, flag|syscall.O_CLOEXEC, uint32(perm))
		if err == nil {
			return os.NewFile(uintptr(fd), name), nil
		}
		if err != syscall.EINTR {
			return nil, &os.PathError{Op: "open", Path: name, Err: err}
		}
	}
}
