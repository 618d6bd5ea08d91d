//go:build !unix

package mailbot

import (
	"io"
	"os"
	"time"
)

func limitMemory(uint64) error { return nil }

func workerPipes(in, out *os.File) (io.Reader, io.Writer) { return in, out }

func wakeMonitor() {}

func selfCPU() time.Duration { return 0 }

func liveCPU(int) (time.Duration, bool) { return 0, false }
