//go:build unix

package mailbot

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

// limitMemory caps this process's data segment.
func limitMemory(n uint64) error {
	return syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: n, Max: n})
}

// workerPipes returns a worker's ends of its pipes to the daemon, read and written with raw
// system calls on non-blocking descriptors, waiting in the runtime's poller: they do not wake
// the runtime's monitor (see monitorBeat). Anything but a pipe is used as it is.
func workerPipes(in, out *os.File) (io.Reader, io.Writer) {
	r, w := io.Reader(in), io.Writer(out)
	if rc := rawPipe(in); rc != nil {
		r = rawReader{rc}
	}
	if rc := rawPipe(out); rc != nil {
		w = rawWriter{rc}
	}
	return r, w
}

// rawPipe returns f's descriptor, when a pipe, made non-blocking and known to the poller.
func rawPipe(f *os.File) syscall.RawConn {
	fd := int(f.Fd())
	var st syscall.Stat_t
	if syscall.Fstat(fd, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFIFO || syscall.SetNonblock(fd, true) != nil {
		return nil
	}
	rc, err := os.NewFile(uintptr(fd), f.Name()).SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

type rawReader struct{ rc syscall.RawConn }

func (r rawReader) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	var (
		n     uintptr
		errno syscall.Errno
	)
	err := r.rc.Read(func(fd uintptr) bool {
		for {
			n, _, errno = syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
			if errno != syscall.EINTR {
				return errno != syscall.EAGAIN
			}
		}
	})
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, errno
	case n == 0:
		return 0, io.EOF
	}
	return int(n), nil
}

type rawWriter struct{ rc syscall.RawConn }

func (w rawWriter) Write(b []byte) (int, error) {
	done := 0
	var errno syscall.Errno
	err := w.rc.Write(func(fd uintptr) bool {
		for done < len(b) {
			n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&b[done])), uintptr(len(b)-done))
			switch e {
			case 0:
				done += int(n)
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false
			default:
				errno = e
				return true
			}
		}
		return true
	})
	if err == nil && errno != 0 {
		err = errno
	}
	return done, err
}

// wakeMonitor wakes the runtime's monitor, asleep while this process was idle: any system
// call made the usual way does.
func wakeMonitor() { syscall.Syscall(syscall.SYS_GETPID, 0, 0, 0) }

// selfCPU is this process's CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// liveCPU is the CPU time so far of a running process, from /proc (Linux; elsewhere false:
// the deadline alone bounds a document). Its resolution is the clock tick (10 ms).
func liveCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name, in parentheses, may hold spaces: fields count from its end.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	stime, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	const userHZ = 100 // USER_HZ on every Linux architecture Go supports
	return time.Duration(utime+stime) * time.Second / userHZ, true
}
