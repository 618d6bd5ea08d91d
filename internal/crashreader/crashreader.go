// Package crashreader is a document reader for tests of mailbot's worker processes. It
// behaves as the libraries do where mailbot guards them: a PDF goes to ledongthuc/pdf with no
// check of its object streams (bombs.SelfRefPDF aborts the process with "fatal error: stack
// overflow", a real Go fatal error), and a spreadsheet whose name starts with "lento" keeps
// the CPU busy and never looks at its deadline, as the XLSX of issue 19 that each took their
// whole 5 s. A document whose name starts with "puntuale" keeps the CPU busy until its
// deadline, looking at it as parsers' readers do. Anything else is read by parsers.ReadDocument.
package crashreader

import (
	"bytes"
	"context"
	"os"
	"strings"
	"time"

	"github.com/ledongthuc/pdf"

	"mailbot/parsers"
)

// Env, set to "1" in a test's environment, makes the test binary's workers read with Reader
// (the binary's TestMain looks at it).
const Env = "MAILBOT_TEST_CRASH_READER"

// FromEnv is the reader a test binary's workers use: Reader when the test set Env, else
// parsers.InProcess, as the shipped daemon reads.
func FromEnv() parsers.DocumentReader {
	if os.Getenv(Env) != "" {
		return Reader{}
	}
	return parsers.InProcess
}

// Reader is the parsers.DocumentReader described above.
type Reader struct{}

func (Reader) ReadDocument(name, contentType string, data []byte, lim parsers.Limits) ([]parsers.Form, error) {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		if r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
			_ = r.Trailer().Key("Root").Key("Pages").Kind()
		}
	case strings.HasPrefix(name, "lento"):
		spin()
	case strings.HasPrefix(name, "puntuale"):
		return nil, spinUntil(name, lim.WithDefaults().DocumentTimeout)
	}
	return parsers.ReadDocument(name, contentType, data, lim)
}

// sink keeps the compiler from removing spin's loop.
var sink uint64

func spin() {
	for i := uint64(0); ; i++ {
		sink += i * i
	}
}

// spinUntil returns at the deadline d from now, as a reader of parsers that finds its context
// done: the context's timer must fire while this goroutine keeps the processor.
func spinUntil(name string, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for i := uint64(0); ctx.Err() == nil; i++ {
		sink += i * i
	}
	return &parsers.DocumentError{Name: name, Reason: "too slow", Kind: parsers.ErrLimit, Cause: ctx.Err()}
}
