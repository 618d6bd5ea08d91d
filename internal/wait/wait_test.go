package wait

import (
	"strings"
	"testing"
	"time"
)

// fakeT records a failure instead of ending the test.
type fakeT struct {
	testing.TB
	failed string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = format
	if len(args) > 1 {
		f.failed = args[1].(string)
	}
	panic(f)
}

func TestState(t *testing.T) {
	n := 0
	State(t, time.Second, func() (bool, string) { n++; return n == 3, "" })
	if n != 3 {
		t.Errorf("polled %d times, want 3", n)
	}

	f := &fakeT{TB: t}
	func() {
		defer func() {
			if r := recover(); r != f {
				t.Fatalf("no failure past the deadline (recovered %v)", r)
			}
		}()
		State(f, 50*time.Millisecond, func() (bool, string) { return false, "still 2 mails queued" })
	}()
	if !strings.Contains(f.failed, "still 2 mails queued") {
		t.Errorf("failure %q does not say what was missing", f.failed)
	}
}
